"""The short paths of the small losses (a classification step's cross entropy, the L1 and MSE
modules): same values, gradients, graphs and errors as torch, and the same bits as the full path.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_raises


def _logits(n, c, dtype=np.float32, seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, c)) * scale).astype(dtype)
    return x, rng.integers(0, c, n)


def _run(m, loss, x, t, grad_out=None):
    xt = m.tensor(x, requires_grad=True)
    out = loss(xt, m.tensor(t))
    out.backward(None if grad_out is None else m.tensor(grad_out))
    return out, xt.grad


@pytest.mark.parametrize("shape", [(32, 10), (20, 16), (8, 5), (1, 1), (17, 40)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_module(shape, reduction, dtype):
    x, t = _logits(*shape, dtype=dtype)
    g = None if reduction != "none" else np.linspace(-1, 2, shape[0]).astype(dtype)
    e = _run(ember, ember.nn.CrossEntropyLoss(reduction=reduction), x, t, g)
    ref = _run(torch, torch.nn.CrossEntropyLoss(reduction=reduction), x, t, g)
    assert_close(e[0], ref[0])
    assert_close(e[1], ref[1])


def test_cross_entropy_graph_names():
    x, t = _logits(32, 10)
    chains = []
    for m in (ember, torch):
        node = m.nn.CrossEntropyLoss()(m.tensor(x, requires_grad=True), m.tensor(t)).grad_fn
        names = []
        while node is not None:
            names.append(node.name())
            nexts = [f for f, _ in node.next_functions if f is not None]
            assert len(nexts) <= 1
            node = nexts[0] if nexts else None
        chains.append(names)
    assert chains[0] == chains[1]
    assert chains[0][:2] == ["NllLossBackward0", "LogSoftmaxBackward0"]


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("grad_out", [1.0, 0.0, -2.5, 1e-30])
def test_cross_entropy_output_gradients(reduction, grad_out):
    """The backward's shortcut for a positive output gradient and its general multiplication."""
    x, t = _logits(32, 10, seed=1)
    e = _run(ember, ember.nn.CrossEntropyLoss(reduction=reduction), x, t, np.float32(grad_out))
    ref = _run(torch, torch.nn.CrossEntropyLoss(reduction=reduction), x, t, np.float32(grad_out))
    assert_close(e[1], ref[1])
    assert np.array_equal(np.signbit(e[1].numpy()), np.signbit(ref[1].numpy()))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_short_path_bits(reduction):
    """Every target a class but ``ignore_index`` one too: the masked path, which must agree to
    the last bit with the short one (same sums, same coefficients)."""
    x, t = _logits(32, 10, seed=2)
    t = t % 9  # class 9 never a target
    short = _run(ember, ember.nn.CrossEntropyLoss(reduction=reduction), x, t)
    masked = _run(ember, ember.nn.CrossEntropyLoss(reduction=reduction, ignore_index=9), x, t)
    for a, b in zip(short, masked):
        assert a.detach().numpy().tobytes() == b.detach().numpy().tobytes()


def test_cross_entropy_row_sum_shortcut_bits():
    """log-softmax's rule takes nll's gradient's row sums as known; a pre-hook on its node (which
    could change the gradient) makes it sum them: the same bits either way."""
    x, t = _logits(64, 12, seed=5, scale=8.0)
    grads = []
    for hooked in (False, True):
        xt = ember.tensor(x, requires_grad=True)
        loss = ember.nn.CrossEntropyLoss()(xt, ember.tensor(t))
        if hooked:
            loss.grad_fn.next_functions[0][0].register_prehook(lambda grads: None)
        (loss * 0.7).backward()
        grads.append(xt.grad.numpy().tobytes())
    assert grads[0] == grads[1]


def _nll_graphs(m, x, t):
    """nll over a user's log_softmax where its rows do not each get one value."""
    xt = m.tensor(x, requires_grad=True)
    logp = m.nn.functional.log_softmax(xt, dim=1)
    tt = m.tensor(t)
    two = m.nn.functional.nll_loss(logp, tt) + m.nn.functional.nll_loss(logp, tt.flip(0)) * 2
    cols = m.nn.functional.nll_loss(m.nn.functional.log_softmax(xt, dim=0), tt)
    logp2 = m.nn.functional.log_softmax(xt * 1.0, dim=1)

    def triple_in_place(grads):
        grads[0].mul_(3.0)

    logp2.grad_fn.register_prehook(triple_in_place)
    hooked = m.nn.functional.nll_loss(logp2, tt)
    (two + cols + hooked).backward()
    return xt.grad


def test_nll_over_log_softmax_shared_or_hooked():
    x, t = _logits(16, 16, seed=6)
    assert_close(_nll_graphs(ember, x, t), _nll_graphs(torch, x, t))


def test_cross_entropy_zero_loss_sign():
    # One class: every log-probability is 0 and the loss +0, as torch prints it.
    x, t = np.zeros((4, 1), np.float32), np.zeros(4, np.int64)
    e = ember.nn.CrossEntropyLoss(reduction="sum")(ember.tensor(x), ember.tensor(t))
    ref = torch.nn.CrossEntropyLoss(reduction="sum")(torch.tensor(x), torch.tensor(t))
    assert float(e) == float(ref) == 0.0
    assert np.signbit(e.numpy()) == np.signbit(ref.numpy())


def test_cross_entropy_double_backward():
    x, t = _logits(16, 6, dtype=np.float64, seed=3)
    v = np.random.default_rng(4).standard_normal((16, 6))
    grads = []
    for m in (ember, torch):
        xt = m.tensor(x, requires_grad=True)
        loss = m.nn.CrossEntropyLoss()(xt, m.tensor(t))
        (gx,) = m.autograd.grad(loss * 3.0, xt, create_graph=True)
        (gx * m.tensor(v)).sum().backward()
        grads.append((gx, xt.grad))
    assert_close(grads[0][0], grads[1][0])
    assert_close(grads[0][1], grads[1][1])


@pytest.mark.parametrize("bad", [10, -1, -5])
def test_cross_entropy_target_out_of_range(bad):
    x, t = _logits(32, 10)
    t[5] = bad
    exc = check_raises(lambda m: m.nn.CrossEntropyLoss()(m.tensor(x), m.tensor(t)))
    assert str(exc) == f"Target {bad} is out of bounds."


@pytest.mark.parametrize(
    "case",
    [
        lambda m, x, t: m.nn.CrossEntropyLoss()(x, t.to(m.int32)),  # int32 targets
        lambda m, x, t: m.nn.CrossEntropyLoss()(x, t[:-1]),  # batch mismatch
        lambda m, x, t: m.nn.CrossEntropyLoss(reduction="avg")(x, t),
        lambda m, x, t: m.nn.CrossEntropyLoss()(x.to(m.int64), t),
    ],
)
def test_cross_entropy_bad_inputs_take_the_full_path(case):
    x, t = _logits(8, 4)
    check_raises(lambda m: case(m, m.tensor(x), m.tensor(t)))


def test_cross_entropy_other_shapes_and_options():
    """What the short path leaves to the full one still matches torch."""
    x, t = _logits(6, 5, seed=5)
    w = np.linspace(0.5, 2, 5).astype(np.float32)
    cases = [
        lambda m: m.nn.CrossEntropyLoss(weight=m.tensor(w)),
        lambda m: m.nn.CrossEntropyLoss(label_smoothing=0.2),
        lambda m: m.nn.CrossEntropyLoss(ignore_index=int(t[0])),
    ]
    for make in cases:
        e = _run(ember, make(ember), x, t)
        ref = _run(torch, make(torch), x, t)
        assert_close(e[0], ref[0])
        assert_close(e[1], ref[1])
    e = _run(ember, ember.nn.CrossEntropyLoss(), x[0], t[0])  # unbatched
    ref = _run(torch, torch.nn.CrossEntropyLoss(), x[0], t[0])
    assert_close(e[1], ref[1])


def test_cross_entropy_weight_buffer_swapped():
    x, t = _logits(6, 5, seed=6)
    w = np.linspace(0.5, 2, 5).astype(np.float32)
    losses = {m: m.nn.CrossEntropyLoss() for m in (ember, torch)}
    for m, loss in losses.items():
        loss.weight = m.tensor(w)  # a buffer set after construction must be used
    assert_close(_run(ember, losses[ember], x, t)[0], _run(torch, losses[torch], x, t)[0])


@contextlib.contextmanager
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("name", ["L1Loss", "MSELoss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "shapes,dtypes",
    [
        (((3,), (3,)), (np.float32, np.float32)),
        (((4, 5), (4, 5)), (np.float64, np.float32)),
        (((), ()), (np.float32, np.float32)),
        (((2, 3), (3,)), (np.float32, np.float32)),  # broadcast: the full path, with its warning
        (((0,), (0,)), (np.float32, np.float32)),
    ],
)
def test_regression_modules(name, reduction, shapes, dtypes):
    rng = np.random.default_rng(7)
    a, b = (rng.standard_normal(s).astype(d) for s, d in zip(shapes, dtypes))
    outs = []
    for m in (ember, torch):
        x = m.tensor(a, requires_grad=True)
        with pytest.warns(UserWarning) if shapes[0] != shapes[1] else _no_warnings():
            out = getattr(m.nn, name)(reduction=reduction)(x, m.tensor(b))
        out.sum().backward()
        outs.append((out, x.grad))
    assert outs[0][0].grad_fn.name() == outs[1][0].grad_fn.name()
    assert_close(outs[0][0], outs[1][0])
    assert_close(outs[0][1], outs[1][1])


@pytest.mark.parametrize("name", ["L1Loss", "MSELoss"])
def test_regression_modules_bad_inputs(name):
    a = np.array([1.0, 2.0, 5.0], np.float32)
    check_raises(lambda m: getattr(m.nn, name)(reduction="avg")(m.tensor(a), m.tensor(a)))
    check_raises(lambda m: getattr(m.nn, name)()(m.tensor(a), 1.0))


@pytest.mark.parametrize("shape", [(32, 10), (16, 16), (20, 3), (15, 4), (4, 100)])
def test_softmax_short_rows(shape):
    """The row max by a column-major copy (short rows), NaN and infinities included."""
    x = np.random.default_rng(8).standard_normal(shape).astype(np.float32) * 5
    x[1, 0], x[2, :] = np.nan, -np.inf
    x[3, 1] = np.inf
    for fn in ("softmax", "log_softmax"):
        e = getattr(ember.nn.functional, fn)(ember.tensor(x), 1)
        ref = getattr(torch.nn.functional, fn)(torch.tensor(x), 1)
        assert_close(e, ref)
