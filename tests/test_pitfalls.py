"""Training-loop checks: a faulty script warns once, at its faulty line; a good one never."""

import runpy
import textwrap
import warnings

import pytest

import ember
from ember.autograd import PitfallWarning, set_detect_pitfalls
from ember.autograd import pitfalls as P

MARK = "# <- here"

HEADER = """\
import ember
ember.manual_seed(0)
w = ember.randn(3, requires_grad=True)
opt = ember.optim.SGD([w], lr=0.1)
"""

CORRECT = (
    HEADER
    + """\
running_loss = 0.0
for i in range(5):
    loss = ((w - 1.0) ** 2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    running_loss = running_loss + loss.item()
"""
)

# kind -> (script with the mistake on the marked line, words the message must contain)
FAULTY = {
    "step-without-backward": (
        HEADER
        + """\
loss = (w * w).sum()
opt.zero_grad()
loss.backward()
opt.step()
opt.step()  # <- here
""",
        "no backward() ran",
    ),
    "no-zero-grad": (
        HEADER
        + """\
for i in range(3):
    loss = (w * w).sum()
    loss.backward()  # <- here
    opt.step()
""",
        "zero_grad() was not called",
    ),
    "zero-grad-before-step": (
        HEADER
        + """\
for i in range(3):
    loss = (w * w).sum()
    loss.backward()
    opt.zero_grad()  # <- here
    opt.step()
""",
        "between backward() and step()",
    ),
    "kept-graph": (
        HEADER
        + """\
running_loss = 0.0
for i in range(4):
    loss = (w * w).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    running_loss = running_loss + loss  # <- here
""",
        "loss.item()",
    ),
    "non-scalar": (
        HEADER
        + """\
for i in range(2):
    out = w * 2.0
    opt.zero_grad()
    out.backward(ember.ones_like(out))  # <- here
    opt.step()
""",
        "shape [3]",
    ),
    "exploding-loss": (
        """\
import ember
ember.manual_seed(0)
x = ember.randn(16, 4)
y = x.sum(1, keepdim=True)
w = ember.zeros(4, 1, requires_grad=True)
opt = ember.optim.SGD([w], lr=3.0)  # <- here
for i in range(6):
    loss = ((x @ w - y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
""",
        "learning rate",
    ),
}


NN_HEADER = """\
import ember
from ember import nn
ember.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.BatchNorm1d(8), nn.Linear(8, 3))
criterion = nn.CrossEntropyLoss()
opt = ember.optim.SGD(model.parameters(), lr=0.01)
x, y = ember.randn(6, 4), ember.tensor([0, 1, 2, 0, 1, 2])
"""

NN_CORRECT = (
    NN_HEADER
    + """\
losses = []
for epoch in range(2):
    model.train()
    for i in range(3):
        loss = criterion(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with ember.no_grad():
        val = criterion(model(x), y).item()
"""
)

FAULTY.update(
    {
        "eval-in-training": (
            NN_HEADER
            + """\
model.eval()
for i in range(3):
    out = model(x)  # <- here
    loss = criterion(out, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
""",
            "Dropout and BatchNorm1d are in eval mode",
        ),
        "train-under-no-grad": (
            NN_HEADER
            + """\
for i in range(2):
    loss = criterion(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
with ember.no_grad():
    val = criterion(model(x), y)  # <- here
""",
            "in training mode during evaluation",
        ),
        "not-a-loss": (
            """\
import ember
from ember import nn
model = nn.Linear(4, 1)
opt = ember.optim.SGD(model.parameters(), lr=0.01)
x = ember.randn(1, 4)
for i in range(2):
    out = model(x)
    opt.zero_grad()
    out.backward()  # <- here
    opt.step()
""",
            "output of Linear",
        ),
        "kept-graph-list": (
            NN_HEADER
            + """\
losses = []
model.train()
for i in range(4):
    loss = criterion(model(x), y)
    opt.zero_grad()
    loss.backward()  # <- here
    opt.step()
    losses.append(loss)
""",
            "loss.item()",
        ),
    }
)


def run_script(tmp_path, source: str):
    path = tmp_path / "train_script.py"
    path.write_text(textwrap.dedent(source))
    with set_detect_pitfalls(True), warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        runpy.run_path(str(path), run_name="__main__")
    return [w for w in rec if issubclass(w.category, PitfallWarning)], path


def marked_line(source: str) -> int:
    (line,) = [i for i, s in enumerate(source.splitlines(), 1) if s.rstrip().endswith(MARK)]
    return line


@pytest.mark.parametrize("source", [CORRECT, NN_CORRECT], ids=["tensors", "nn"])
def test_correct_script_warns_nothing(tmp_path, source):
    found, _ = run_script(tmp_path, source)
    assert [str(w.message) for w in found] == []


def test_a_stale_loss_variable_is_not_a_leak(tmp_path):
    source = (
        NN_HEADER
        + """\
loss = criterion(model(x), y)
opt.zero_grad()
loss.backward()
opt.step()
for i in range(4):
    other = criterion(model(x), y)
    opt.zero_grad()
    other.backward()
    opt.step()
"""
    )
    found, _ = run_script(tmp_path, source)
    assert [str(w.message) for w in found] == []


def test_seed_loop_warns_at_the_running_loss_line(tmp_path):
    """The seed note's loop: its ``running_loss = running_loss + res_loss`` is the one warning."""
    source = (
        NN_HEADER
        + """\
for epoch in range(2):
    running_loss = 0.0
    for i in range(3):
        output = model(x)
        res_loss = criterion(output, y)
        optimizer = opt
        optimizer.zero_grad()
        res_loss.backward()
        optimizer.step()
        running_loss = running_loss + res_loss  # <- here
        running_loss = running_loss + res_loss.item()
"""
    )
    found, path = run_script(tmp_path, source)
    assert [(w.lineno, w.filename) for w in found] == [(marked_line(source), str(path))]


@pytest.mark.parametrize("kind", sorted(FAULTY))
def test_each_mistake_warns_once_at_its_line(tmp_path, kind):
    source, words = FAULTY[kind]
    found, path = run_script(tmp_path, source)
    assert len(found) == 1, [str(w.message) for w in found]
    (w,) = found
    assert w.filename == str(path)
    assert w.lineno == marked_line(source)
    assert words in str(w.message)


def test_kept_graph_reports_the_memory(tmp_path):
    found, _ = run_script(tmp_path, FAULTY["kept-graph"][0])
    msg = str(found[0].message)
    assert "iterations alive" in msg and "graph nodes" in msg and "KiB" in msg


def test_exploding_loss_names_the_learning_rate(tmp_path):
    found, _ = run_script(tmp_path, FAULTY["exploding-loss"][0])
    assert "lr=3.0" in str(found[0].message)


def test_small_learning_rate_does_not_explode(tmp_path):
    source = FAULTY["exploding-loss"][0].replace("lr=3.0", "lr=0.01")
    found, _ = run_script(tmp_path, source)
    assert found == []


def test_warnings_can_be_filtered(tmp_path):
    path = tmp_path / "s.py"
    path.write_text(FAULTY["step-without-backward"][0])
    with set_detect_pitfalls(True), warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", PitfallWarning)
        runpy.run_path(str(path))
    assert rec == []
    assert issubclass(PitfallWarning, UserWarning)


def test_disabled_checks_leave_nothing_behind(tmp_path):
    from ember._tensor import Tensor
    from ember.optim.optimizer import Optimizer, _global_pre_hooks

    before = {n: Tensor.__dict__[n] for n in ("backward", "__add__", "__radd__", "__iadd__")}
    zero_grad, init = Optimizer.__dict__["zero_grad"], Optimizer.__dict__["__init__"]
    hooks = len(_global_pre_hooks)
    with set_detect_pitfalls(True):
        assert P.is_pitfall_detection_enabled()
        assert Tensor.__dict__["backward"] is not before["backward"]
        assert Optimizer.__dict__["zero_grad"] is not zero_grad
        assert len(_global_pre_hooks) == hooks + 1
    assert not P.is_pitfall_detection_enabled()
    assert {n: Tensor.__dict__[n] for n in before} == before
    assert Optimizer.__dict__["zero_grad"] is zero_grad
    assert Optimizer.__dict__["__init__"] is init
    assert len(_global_pre_hooks) == hooks
    # with the checks off, the faulty scripts run silently
    path = tmp_path / "s.py"
    path.write_text(FAULTY["zero-grad-before-step"][0])
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        runpy.run_path(str(path))
    assert rec == []


def test_set_detect_pitfalls_as_function_and_exported():
    assert ember.autograd.set_detect_pitfalls is set_detect_pitfalls
    set_detect_pitfalls(True)
    try:
        assert P.is_pitfall_detection_enabled()
    finally:
        set_detect_pitfalls(False)
    assert not P.is_pitfall_detection_enabled()


def test_pitfall_wrappers_keep_results():
    """With checks on, training computes exactly what it computes with them off."""

    def train():
        ember.manual_seed(1)
        w = ember.randn(4, requires_grad=True)
        opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
        total = 0.0
        for _ in range(3):
            loss = ((w - 2.0) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total = total + loss.item()
        return w.detach().tolist(), total

    off = train()
    with set_detect_pitfalls(True), warnings.catch_warnings():
        warnings.simplefilter("error", PitfallWarning)
        on = train()
    assert on == off
