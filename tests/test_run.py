"""``ember run``: PyTorch scripts run unchanged, as ``python script.py`` runs them; ``--check``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fixtures.vision_fixtures import write_cifar10

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def run(args, cwd, ember=True):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "ember", "run", *args] if ember else [sys.executable, *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


SCRIPT = textwrap.dedent(
    """
    import os, sys
    import torch
    print(__name__, sys.argv, __file__, sys.path[0], os.getcwd())
    print(open("data.txt").read().strip())
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    print(x.grad)
    def inner():
        raise ValueError("boom " + sys.argv[-1])
    if sys.argv[-1] == "fail":
        inner()
    """
)


def test_script_runs_as_python_runs_it(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "s.py").write_text(SCRIPT)
    (tmp_path / "data.txt").write_text("relative paths resolve from the cwd")
    for args in (["pkg/s.py", "a", "--flag"], ["pkg/s.py", "fail"]):
        ours, theirs = run(args, tmp_path), run(args, tmp_path, ember=False)
        assert ours.stdout == theirs.stdout
        assert ours.returncode == theirs.returncode
        assert ours.stderr == theirs.stderr  # the same traceback, line for line
    lines = run(["pkg/s.py", "a"], tmp_path).stdout.splitlines()
    assert (
        lines[0] == f"__main__ ['pkg/s.py', 'a'] {tmp_path / 'pkg' / 's.py'} {tmp_path / 'pkg'} "
        f"{tmp_path}"
    )
    assert lines[2] == "tensor([2., 4.])"


def test_module_mode(tmp_path):
    (tmp_path / "mod.py").write_text(
        "import sys, torch\nprint(__name__, sys.argv[1:], torch.ones(2).sum())\n"
    )
    out = run(["-m", "mod", "x"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "__main__ ['x'] tensor(2.)\n"


def test_missing_api_is_named(tmp_path):
    (tmp_path / "f.py").write_text("import torch\nx = torch.ones(4)\ntorch.sparse.mm(x, x)\n")
    out = run(["f.py"], tmp_path)
    assert out.returncode == 1
    assert out.stderr.strip().endswith("ember does not implement torch.sparse.mm")
    assert 'File "' + str(tmp_path / "f.py") + '", line 3' in out.stderr
    assert "ember/cli" not in out.stderr and "compat.py" not in out.stderr


def test_check_lists_missing_apis(tmp_path):
    (tmp_path / "c.py").write_text(
        textwrap.dedent(
            """
        import torch
        import torch.nn as nn
        from torch.optim import SGD
        from torch.sparse import mm
        model = torch.export.export(nn.Linear(2, 2))
        y = torch.nested.nested_tensor([torch.ones(3)])
        torch.fx.symbolic_trace(model)
        opt = SGD(model.parameters(), lr=0.1)
        z = nn.functional.relu(torch.zeros(2))
        """
        )
    )
    out = run(["--check", "c.py"], tmp_path)
    assert out.returncode == 1
    missing = re.findall(r"ember does not implement (\S+)", out.stdout)
    assert missing == [
        "torch.sparse.mm",
        "torch.export.export",
        "torch.nested.nested_tensor",
        "torch.fx.symbolic_trace",
    ]
    assert "c.py:6:9: ember does not implement torch.export.export" in out.stdout
    assert "4 torch APIs used by c.py not implemented by Ember" in out.stdout
    (tmp_path / "ok.py").write_text("import torch\nfrom torch import nn\nnn.Linear(2, 3)\n")
    assert run(["--check", "ok.py"], tmp_path).returncode == 0


TENSOR_LINE = re.compile(r"^tensor\(\d+\.\d{4}, grad_fn=<AddBackward0>\)$")


def test_seed_program_on_cifar_fixture(tmp_path):
    import torch

    write_cifar10(tmp_path / "tmp-tudui" / "CIFAR10", n_per_batch=4, n_test=64)
    shutil.copy(EXAMPLES / "seed_program.py", tmp_path)
    ours = run(["seed_program.py"], tmp_path)
    assert ours.returncode == 0, ours.stderr
    lines = ours.stdout.splitlines()
    assert lines[:2] == ["tensor(0.6667)", "tensor(1.3333)"]
    odd = [line for line in lines[2:] if not TENSOR_LINE.match(line)]
    assert len(lines) == 22 and not odd, (odd, ours.stdout, ours.stderr)
    for line in lines[2:]:  # each line exactly as torch prints the same accumulated value
        value = float(line[len("tensor(") : line.index(",")])
        same = torch.tensor(0.0) + torch.tensor(value, requires_grad=True)
        assert str(same) == line
    # 2 batches per epoch, each adding loss * (2 + batch size): about 34 * 2 * ln(10) at first
    assert 100 < float(lines[2][7:-26]) < 200


@pytest.mark.parametrize(
    "script, args",
    [
        ("linear_regression.py", []),
        ("custom_function.py", []),
        ("mlp_digits.py", [str(REPO / "ember" / "vision" / "datasets" / "data" / "digits.npz")]),
        (
            "seed_cnn_scheduler.py",
            [str(REPO / "ember" / "vision" / "datasets" / "data" / "digits.npz")],
        ),
    ],
)
def test_examples_same_output_as_torch(tmp_path, script, args):
    ours = run([str(EXAMPLES / script), *args], tmp_path)
    theirs = run([str(EXAMPLES / script), *args], tmp_path, ember=False)
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    assert ours.stdout == theirs.stdout
