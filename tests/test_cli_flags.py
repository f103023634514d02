"""``ember run --lint`` warns at the script's line; ``--graph`` writes the step's graph."""

import subprocess
import sys

SCRIPT = """import torch
from torch import nn
m = nn.Linear(3, 1)
opt = torch.optim.SGD(m.parameters(), lr=0.1)
running = 0.0
for i in range(3):
    loss = m(torch.ones(2, 3)).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    running = running + loss
"""


def test_run_lint_and_graph(tmp_path):
    script = tmp_path / "loop.py"
    script.write_text(SCRIPT)
    graph = tmp_path / "step"
    proc = subprocess.run(
        [sys.executable, "-m", "ember", "run", "--lint", "--graph", str(graph), str(script)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{script}:11: PitfallWarning" in proc.stderr
    assert proc.stderr.count("PitfallWarning") == 1
    dot = (tmp_path / "step.dot").read_text()
    assert "AddmmBackward0" in dot and "SumBackward0" in dot


def test_run_without_lint_is_silent(tmp_path):
    script = tmp_path / "loop.py"
    script.write_text(SCRIPT)
    proc = subprocess.run(
        [sys.executable, "-m", "ember", "run", str(script)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "PitfallWarning" not in proc.stderr


NAN_SCRIPT = """import torch
x = torch.tensor([0.0], requires_grad=True)
y = torch.sqrt(x) * 0.0
y.sum().backward()
"""


def test_run_detect_anomaly_names_the_forward_op(tmp_path):
    script = tmp_path / "nan.py"
    script.write_text(NAN_SCRIPT)
    proc = subprocess.run(
        [sys.executable, "-m", "ember", "run", "--detect-anomaly", str(script)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "Function 'SqrtBackward0' returned nan values" in proc.stderr
    assert "torch.sqrt(x)" in proc.stderr  # the forward line, from the anomaly trace
    torch_like = subprocess.run(
        [sys.executable, "-m", "ember", "run", str(script)], capture_output=True, text=True
    )
    assert torch_like.returncode == 0
