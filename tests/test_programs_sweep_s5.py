"""Programs in the style of PyTorch's beginner tutorials print exactly what torch prints.

Each program in ``tests/programs_s5/`` is plain PyTorch code (``import torch``). All of them run
in one subprocess under real torch and in one under Ember (through ``ember.compat``'s import
hook, as ``ember run`` does); each program's stdout is captured separately, and the two must be
identical, character for character: tensor reprs, losses, shapes, ``grad_fn`` names and module
reprs. The programs are short and train only a few steps, so float32 rounding differences stay
below the four digits a tensor repr shows.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch
from helpers import check_raises

import ember
from ember import _dtype

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = sorted((REPO / "tests" / "programs_s5").glob("*.py"))

# Runs every program given on the command line, each in a fresh __main__ namespace with its own
# captured stdout and stderr (warnings), and prints {name: [stdout, error or None, stderr]}.
RUNNER = """
import contextlib, io, json, runpy, sys, traceback
if sys.argv[1] == "ember":
    import ember.compat
    ember.compat.install()
out = {}
for path in sys.argv[2:]:
    buf, warned = io.StringIO(), io.StringIO()
    err = None
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(warned):
            runpy.run_path(path, run_name="__main__")
    except BaseException:
        err = traceback.format_exc(limit=-3)
    out[path.rsplit("/", 1)[-1]] = [buf.getvalue(), err, warned.getvalue()]
sys.__stdout__.write(json.dumps(out))
"""


def _run_all(lib: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-c", RUNNER, lib, *map(str, PROGRAMS)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def outputs():
    return {lib: _run_all(lib) for lib in ("torch", "ember")}


def test_programs_are_plain_pytorch():
    assert len(PROGRAMS) >= 12
    for p in PROGRAMS:
        src = p.read_text()
        assert "import torch" in src and "ember" not in src, p.name
        assert len(src.splitlines()) < 80, p.name


@pytest.mark.parametrize("name", [p.name for p in PROGRAMS])
def test_program_prints_what_torch_prints(outputs, name):
    t_out, t_err, t_warned = outputs["torch"][name]
    e_out, e_err, e_warned = outputs["ember"][name]
    assert t_err is None, f"torch failed:\n{t_err}"
    assert e_err is None, f"ember failed:\n{e_err}\nafter printing:\n{e_out}"
    assert len(t_out.splitlines()) >= 5, t_out
    e_lines, t_lines = e_out.splitlines(), t_out.splitlines()
    for i, (el, tl) in enumerate(zip(e_lines, t_lines)):
        assert el == tl, f"line {i + 1}:\nember: {el}\ntorch: {tl}"
    assert e_out == t_out
    assert e_warned == t_warned  # warnings: same text, category, file and line


@pytest.mark.parametrize("make", [lambda t: t.nn.Linear(2, 2), lambda t: print])
def test_weights_only_refusal_message_is_torchs(make):
    def refusal(lib):
        buf = io.BytesIO()
        lib.save(make(lib), buf)
        buf.seek(0)
        with pytest.raises(pickle.UnpicklingError) as e:
            lib.load(buf)
        return str(e.value)

    _dtype.set_namespace("torch")  # as under `ember run`, where scripts see torch's names
    try:
        ours = refusal(ember)
    finally:
        _dtype.set_namespace("ember")
    assert ours == refusal(torch)
    assert "`ember.load`" in refusal(ember)


@pytest.mark.parametrize("loss", ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss"])
def test_loss_size_warning_points_at_the_caller(loss):
    def where(lib):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            getattr(lib.nn.functional, loss)(lib.ones(3), lib.ones(1))
        assert len(seen) == 1
        return seen[0].filename, str(seen[0].message).replace("ember.", "torch.")

    assert where(ember) == where(torch)
    assert where(ember)[0] == __file__


def test_batch_norm_one_value_per_channel_message():
    e = check_raises(lambda t: t.nn.BatchNorm1d(3)(t.ones(1, 3)))
    assert str(e) == "Expected more than 1 value per channel when training, got input size " + str(
        ember.Size([1, 3])
    )


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "float64"])
def test_masked_fill_non_bool_mask_names_the_c_type(dtype):
    e = check_raises(lambda t: t.zeros(2).masked_fill(t.zeros(2, dtype=getattr(t, dtype)), 0.0))
    with pytest.raises(RuntimeError) as t_exc:
        torch.zeros(2).masked_fill(torch.zeros(2, dtype=getattr(torch, dtype)), 0.0)
    assert str(e) == str(t_exc.value)
