"""Under ``ember run`` a PyTorch script prints torch's names: ``torch.float64``, ``torch.Size``."""

import subprocess
import sys

SCRIPT = """
import torch
x = torch.zeros(2, 3, dtype=torch.float64)
print(x.dtype, x.shape, x.type())
print(torch.tensor([1.5, 2.0], dtype=torch.float16))
print(torch.ones(2, dtype=torch.int32))
"""


def _run(args, tmp_path):
    script = tmp_path / "names.py"
    script.write_text(SCRIPT)
    return subprocess.run(args + [str(script)], capture_output=True, text=True, check=True).stdout


def test_ember_run_prints_torch_names(tmp_path):
    ours = _run([sys.executable, "-m", "ember", "run"], tmp_path)
    theirs = _run([sys.executable], tmp_path)
    assert ours == theirs
    assert "torch.float64 torch.Size([2, 3]) torch.DoubleTensor" in ours


def test_plain_ember_names_itself():
    import ember

    x = ember.zeros(2, dtype=ember.float64)
    assert repr(x.dtype) == "ember.float64"
    assert repr(x.shape) == "ember.Size([2])"
    assert x.type() == "ember.DoubleTensor"
    assert repr(x) == "tensor([0., 0.], dtype=ember.float64)"


VERSION_SCRIPT = """
import torch, torchvision
from packaging.version import Version
print(Version(torch.__version__).release[:2], Version(torchvision.__version__).release[:2])
print(Version(torch.version.__version__).release[:2], torch.version.cuda)
"""


def test_ember_run_reports_the_api_versions(tmp_path):
    """A script gating a feature on torch's version sees the torch API Ember speaks."""
    script = tmp_path / "versions.py"
    script.write_text(VERSION_SCRIPT)
    ours = subprocess.run(
        [sys.executable, "-m", "ember", "run", str(script)], capture_output=True, text=True
    ).stdout
    assert ours == "(2, 13) (0, 28)\n(2, 13) None\n"
    import ember
    from ember import compat

    assert compat._api_version("torch") == f"2.13.0+ember{ember.__version__}"
