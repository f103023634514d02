"""The MLP step of the performance issue (Linear 784-256, ReLU, Linear 256-10, CrossEntropyLoss,
Adam) against torch: the paths made faster for it (linear recording addmm's node directly, Adam's
coefficients as 0-d arrays of the parameter's dtype) give torch's graph, values and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def test_mlp_adam_steps_follow_torch():
    torch.manual_seed(0)
    tm = _mlp(torch)
    em = _mlp(ember)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(0)
    topt, eopt = torch.optim.Adam(tm.parameters(), lr=1e-3), ember.optim.Adam(em.parameters())
    tcrit, ecrit = torch.nn.CrossEntropyLoss(), ember.nn.CrossEntropyLoss()
    for _ in range(4):
        x = rng.random((64, 784), dtype=np.float32)
        y = rng.integers(0, 10, 64)
        losses = []
        for model, opt, crit, lib in ((tm, topt, tcrit, torch), (em, eopt, ecrit, ember)):
            opt.zero_grad()
            loss = crit(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[1] == pytest.approx(losses[0], rel=1e-5)
    # MKL's and OpenBLAS's products round apart, and Adam's normalized step (lr = 1e-3) turns a
    # last-bit difference of a near-zero gradient into up to a few thousandths of a step
    for (name, tp), ep in zip(tm.named_parameters(), em.parameters()):
        assert_close(ep, tp.detach(), rtol=1e-4, atol=2e-5, msg=name)
    ts, es = topt.state_dict()["state"], eopt.state_dict()["state"]
    assert sorted(ts) == sorted(es)
    for i in ts:
        assert sorted(ts[i]) == sorted(es[i]) == ["exp_avg", "exp_avg_sq", "step"]
        assert es[i]["step"].dtype == ember.float32 and es[i]["step"].item() == 4.0
        assert_close(es[i]["exp_avg"], ts[i]["exp_avg"], rtol=1e-3, atol=1e-7)
        assert_close(es[i]["exp_avg_sq"], ts[i]["exp_avg_sq"], rtol=1e-3, atol=1e-10)


def test_linear_records_torchs_graph():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((5, 4), (3, 4), (3,))]
    outs = []
    for lib in (torch, ember):
        x, w, b = (lib.tensor(a.copy(), requires_grad=i > 0) for i, a in enumerate(arrays))
        out = lib.nn.functional.linear(x, w, b)
        fn = out.grad_fn
        names = [None if f is None else type(f).__name__ for f, _ in fn.next_functions]
        inner = [type(f).__name__ for f, _ in fn.next_functions[2][0].next_functions]
        (out * out).sum().backward()
        outs.append((type(fn).__name__, names, inner, out.detach(), w.grad, b.grad))
    t, e = outs
    assert (
        e[:3]
        == t[:3]
        == ("AddmmBackward0", ["AccumulateGrad", None, "TBackward0"], ["AccumulateGrad"])
    )
    for ev, tv in zip(e[3:], t[3:]):
        assert_close(ev, tv)
    assert e[4].is_contiguous() and e[4].shape == (3, 4)


@pytest.mark.parametrize(
    "shapes, dtypes",
    [
        (((5, 4), (3, 4), (3,)), ("float32", "float64", "float32")),  # weight of another dtype
        (((5, 4), (3, 4), (3,)), ("float32", "float32", "float64")),  # bias of another dtype
        (((5, 4), (3, 5), (3,)), ("float32",) * 3),  # inner sizes differ
        (((5, 4), (3, 4), (4,)), ("float32",) * 3),  # bias of the wrong size
        (((5, 4), (3, 4), (2, 3)), ("float32",) * 3),  # a 2-D bias that does not broadcast
    ],
)
def test_linear_refuses_as_torch(shapes, dtypes):
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s).astype(d) for s, d in zip(shapes, dtypes)]
    check_raises(
        lambda: ember.nn.functional.linear(*(ember.tensor(a) for a in arrays)),
        lambda: torch.nn.functional.linear(*(torch.tensor(a) for a in arrays)),
    )


def test_linear_broadcast_bias_and_float64_follow_torch():
    rng = np.random.default_rng(3)
    for shapes, dtype in (
        (((6, 4), (3, 4), (1, 3)), np.float32),
        (((6, 4), (3, 4), (3,)), np.float64),
    ):
        arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
        e = ember.nn.functional.linear(*(ember.tensor(a, requires_grad=True) for a in arrays))
        t = torch.nn.functional.linear(*(torch.tensor(a, requires_grad=True) for a in arrays))
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
        assert_close(e.detach(), t.detach())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.3, 0.9)])
def test_adam_other_dtypes_follow_torch(dtype, betas):
    rng = np.random.default_rng(4)
    start = rng.standard_normal((70, 1000))  # more than one block of the blocked update
    tp = torch.tensor(start, dtype=dtype, requires_grad=True)
    ep = ember.tensor(tp.detach().numpy().copy(), requires_grad=True)
    topt = torch.optim.Adam([tp], lr=1e-2, betas=betas)
    eopt = ember.optim.Adam([ep], lr=1e-2, betas=betas)
    for _ in range(3):
        g = rng.standard_normal(start.shape)
        tp.grad = torch.tensor(g, dtype=dtype)
        ep.grad = ember.tensor(tp.grad.numpy().copy())
        topt.step()
        eopt.step()
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == torch.float32 else dict(rtol=1e-12, atol=1e-14)
    assert ep.dtype == getattr(ember, str(dtype).split(".")[1])
    assert_close(ep.detach(), tp.detach(), **tol)
    assert_close(eopt.state[ep]["exp_avg"], topt.state[tp]["exp_avg"], **tol)
