"""The seed program with ``torch.manual_seed(0)``: through ``ember run`` and through torch.

The program (``shared/seed/seed_program.py``, beside the clone) gets ``torch.manual_seed(0)`` after
its imports and 2 epochs instead of 20, in a temporary copy; it runs on a byte-faithful CIFAR-10
fixture once with Ember (``ember run``) and once with torch + torchvision.  A small wrapper script,
never the copy, makes torchvision importable here and dumps the model's initial state dict.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from fixtures.vision_fixtures import write_cifar10

import ember

REPO = Path(__file__).resolve().parents[1]
# The program beside the checkout (as CI has it), else the repo's verbatim copy of it.
_SHARED = Path(__file__).resolve().parents[2] / "shared/seed/seed_program.py"
SEED_PROGRAM = _SHARED if _SHARED.is_file() else REPO / "examples" / "seed_program.py"

# Runs the seed copy as __main__; saves the toy model's state dict when the program moves it to
# its device (right after construction, before any training step).
WRAPPER = textwrap.dedent(
    """
    import os, runpy, sys, types
    lib, script, dump = sys.argv[1:4]
    if lib == "torch":  # torchvision's compiled operators need CUDA libraries absent here
        sys.modules["torchvision._meta_registrations"] = types.ModuleType("m")
    import numpy as np
    import torch
    import torchvision
    if lib == "torch":  # the fixture's files are faithful in format, not the real ones' md5
        import torchvision.datasets.cifar as cifar
        cifar.check_integrity = lambda path, md5=None: os.path.isfile(path)
    to = torch.nn.Module.to
    def dumping_to(self, *args, **kwargs):
        if type(self).__name__ == "toy_model" and not os.path.exists(dump):
            state = {k: v.detach().numpy().copy() for k, v in self.state_dict().items()}
            np.savez(dump, **state)
        return to(self, *args, **kwargs)
    torch.nn.Module.to = dumping_to
    sys.argv = [script]
    runpy.run_path(script, run_name="__main__")
    """
)


def test_repo_copy_is_verbatim():
    if _SHARED.is_file():
        repo_copy = (REPO / "examples" / "seed_program.py").read_text(encoding="utf-8")
        assert repo_copy == _SHARED.read_text(encoding="utf-8")
    assert "running_loss = running_loss + res_loss" in SEED_PROGRAM.read_text(encoding="utf-8")


def seed_program_source() -> str:
    assert SEED_PROGRAM.is_file(), f"the seed program is expected at {SEED_PROGRAM}"
    return SEED_PROGRAM.read_text(encoding="utf-8")


def seeded_copy(source: str, epochs: int) -> str:
    """The program with torch.manual_seed(0) after its imports and `epochs` epochs."""
    tree = ast.parse(source)
    last_import = max(n.end_lineno for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom))
    lines = source.splitlines(keepends=True)
    lines.insert(last_import, "torch.manual_seed(0)\n")
    out = "".join(lines)
    assert out.count("range(20)") == 1
    return out.replace("range(20)", f"range({epochs})")


def run_both(tmp_path: Path) -> dict:
    (tmp_path / "seed_copy.py").write_text(seeded_copy(seed_program_source(), 2), encoding="utf-8")
    (tmp_path / "wrapper.py").write_text(WRAPPER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    commands = {
        "ember": [sys.executable, "-m", "ember", "run", "wrapper.py", "ember"],
        "torch": [sys.executable, "wrapper.py", "torch"],
    }
    procs = {
        lib: subprocess.Popen(
            [*cmd, "seed_copy.py", f"state_{lib}.npz"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for lib, cmd in commands.items()
    }
    results = {}
    for lib, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{lib} failed:\n{err}"
        with np.load(tmp_path / f"state_{lib}.npz") as state:
            results[lib] = (out.splitlines(), dict(state))
    return results


def loss_value(line: str) -> float:
    assert line.startswith("tensor(") and line.endswith(", grad_fn=<AddBackward0>)"), line
    return float(line[len("tensor(") : line.index(",")])


def test_seed_program_same_seed_as_torch(tmp_path):
    write_cifar10(tmp_path / "tmp-tudui" / "CIFAR10", n_per_batch=4, n_test=256)
    results = run_both(tmp_path)
    (ours, ours_state), (theirs, theirs_state) = results["ember"], results["torch"]
    assert ours[:2] == theirs[:2] == ["tensor(0.6667)", "tensor(1.3333)"]
    assert len(ours) == len(theirs) == 4
    # the initial weights: same keys, shapes, dtypes and bits
    assert list(ours_state) == list(theirs_state)
    for key, value in theirs_state.items():
        assert ours_state[key].dtype == value.dtype and ours_state[key].shape == value.shape
        assert np.array_equal(ours_state[key].view(np.uint8), value.view(np.uint8)), key
    # the epoch losses: the same to at least 4 significant digits
    for a, b in zip(ours[2:], theirs[2:], strict=True):
        x, y = loss_value(a), loss_value(b)
        print(f"epoch loss: ember {x}, torch {y}, relative difference {abs(x - y) / abs(y):.2e}")
        assert f"{x:.4g}" == f"{y:.4g}" or abs(x - y) <= 5e-5 * abs(y), (a, b)


def test_seeded_copy_is_the_program_plus_two_edits():
    source = seed_program_source()
    copy = seeded_copy(source, 2)
    removed = [line for line in source.splitlines() if line not in copy.splitlines()]
    added = [line for line in copy.splitlines() if line not in source.splitlines()]
    assert removed == ["for epoch in range(20):"]
    assert added == ["torch.manual_seed(0)", "for epoch in range(2):"]
    lines = copy.splitlines()
    assert (
        lines.index("torch.manual_seed(0)")
        == lines.index("from torch.utils.data import DataLoader") + 1
    )


# ------------------------------------------------------------------------------------------------
# the seed model trained on the bundled digits under both, same seed
# ------------------------------------------------------------------------------------------------
def seed_model_class(lib):
    """The program's own ``toy_model`` class, defined over ``lib.nn``."""
    tree = ast.parse(seed_program_source())
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "toy_model"]
    namespace = {"nn": lib.nn}
    exec(compile(ast.Module([cls], []), str(SEED_PROGRAM), "exec"), namespace)
    return namespace["toy_model"]


def digits_32x32():
    """The digits as 32x32 RGB float32 images in [0, 1] (8x8 pixels repeated 4x4, 3 channels)."""
    ds = ember.vision.datasets.Digits(train=True)
    big = ds.data.repeat(4, axis=1).repeat(4, axis=2)
    images = np.repeat(big[:, None], 3, axis=1).astype(np.float32) / np.float32(255)
    return images, np.asarray(ds.targets, np.int64)


def train_digits(lib, images, labels, epochs=3):
    lib.manual_seed(0)
    model = seed_model_class(lib)()
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    data = lib.utils.data
    loader = data.DataLoader(
        data.TensorDataset(lib.tensor(images), lib.tensor(labels)), batch_size=32, shuffle=True
    )
    loss_fn = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    losses, first_batches = [], []
    for _ in range(epochs):
        total = 0.0
        for k, (x, y) in enumerate(loader):
            if k == 0:
                first_batches.append(y.tolist())
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * x.shape[0]
        losses.append(total / len(labels))
    return initial, first_batches, losses


@pytest.mark.slow
def test_seed_model_on_digits_drift():
    images, labels = digits_32x32()
    ours = train_digits(ember, images, labels)
    theirs = train_digits(torch, images, labels)
    for key, value in theirs[0].items():
        assert np.array_equal(ours[0][key], value), key
    assert ours[1] == theirs[1]  # the shuffles agree
    drift = [abs(a - b) / abs(b) for a, b in zip(ours[2], theirs[2], strict=True)]
    for epoch, (a, b, d) in enumerate(zip(ours[2], theirs[2], drift, strict=True)):
        print(f"epoch {epoch}: ember {a:.9f}, torch {b:.9f}, relative drift {d:.2e}")
    assert theirs[2][-1] < theirs[2][0]  # it learns
    assert max(drift) < 1e-3, drift
