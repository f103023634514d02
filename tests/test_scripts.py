"""The PyTorch programs in ``tests/scripts/`` run through ``ember run`` print what torch prints.

Each script is run twice, as a subprocess: ``python -m ember run script.py`` and plain
``python script.py`` under torch (torchvision scripts through a wrapper that first stubs
``torchvision._meta_registrations``, whose compiled operators need absent CUDA libraries). All
runs go in parallel once per session. The printed text must match exactly once numbers are taken
out; the numbers must match to rtol 2e-4 / atol 2e-5: a few dozen float32 training steps
accumulate rounding differences of that order (summation order in matmul and conv differs).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((REPO / "tests" / "scripts").glob("*.py"))
RTOL, ATOL = 2e-4, 2e-5
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
TORCHVISION_WRAPPER = (
    "import runpy, sys, types\n"
    "sys.modules['torchvision._meta_registrations'] = types.ModuleType('m')\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def _run(script: Path, ember: bool, tmp: Path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    if ember:
        cmd = [sys.executable, "-m", "ember", "run", str(script)]
    elif "torchvision" in script.read_text():
        cmd = [sys.executable, "-c", TORCHVISION_WRAPPER, str(script)]
    else:
        cmd = [sys.executable, str(script)]
    return subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scripts")
    jobs = [(s, e) for s in SCRIPTS for e in (True, False)]
    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        results = list(pool.map(lambda j: _run(j[0], j[1], tmp), jobs))
    return {(s.name, e): r for (s, e), r in zip(jobs, results)}


def _split(text: str):
    """The text with each number replaced by '#', and the numbers."""
    return NUMBER.sub("#", text), [float(n) for n in NUMBER.findall(text)]


def test_there_are_at_least_ten_scripts():
    assert len(SCRIPTS) >= 10
    for s in SCRIPTS:
        src = s.read_text()
        assert "import torch" in src and "ember" not in src, s.name
        assert "torch.manual_seed(0)" in src, s.name


@pytest.mark.parametrize("script", [s.name for s in SCRIPTS])
def test_script_same_output_as_torch(outputs, script):
    ours, theirs = outputs[(script, True)], outputs[(script, False)]
    assert theirs.returncode == 0, f"torch failed:\n{theirs.stderr[-3000:]}"
    assert ours.returncode == 0, f"ember failed:\n{ours.stderr[-3000:]}"
    assert len(theirs.stdout.splitlines()) >= 3, theirs.stdout
    e_lines, t_lines = ours.stdout.splitlines(), theirs.stdout.splitlines()
    assert len(e_lines) == len(t_lines), f"\n{ours.stdout}\n---\n{theirs.stdout}"
    for el, tl in zip(e_lines, t_lines):
        e_text, e_nums = _split(el)
        t_text, t_nums = _split(tl)
        assert e_text == t_text, f"ember: {el}\ntorch: {tl}"
        for a, b in zip(e_nums, t_nums):
            assert abs(a - b) <= ATOL + RTOL * abs(b), f"ember: {el}\ntorch: {tl}"
