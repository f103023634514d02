"""Formulas written in torch's order, so that results round as torch's do."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.autograd.primitives.math import _sigmoid_rule


def _values(dtype, scale, n=20000, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * scale).astype(dtype)
    x[:6] = [np.nan, np.inf, -np.inf, 0.0, -0.0, -200.0]
    return x, rng.standard_normal(n).astype(dtype)


@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_sigmoid_rule_in_torchs_order(scale):
    """Given torch's own output, the gradient is torch's to the bit: (g * (1 - y)) * y."""
    x, g = _values(np.float32, scale)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.sigmoid(tx)
    ty.backward(torch.tensor(g))
    ours, theirs = _sigmoid_rule(ty.detach().numpy(), g), tx.grad.numpy()
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    ok = ~np.isnan(theirs)  # (NaN payloads aside)
    assert ours[ok].tobytes() == theirs[ok].tobytes()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_sigmoid_matches_torch(dtype, scale):
    x, g = _values(dtype, scale)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.sigmoid(tx)
    ty.backward(torch.tensor(g))
    ex = ember.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exp(-x) overflows below about -88: no warning
        ey = ember.sigmoid(ex)
        ey.backward(ember.tensor(g))
    e, t = ey.detach().numpy(), ty.detach().numpy()
    assert e.dtype == t.dtype
    rtol = {np.float16: 1e-3, np.float32: 1e-6, np.float64: 1e-14}[dtype]
    np.testing.assert_allclose(e, t, rtol=rtol, atol=0)
    assert np.isnan(e[0]) and e[1] == 1 and e[2] == 0 and e[5] == t[5]
    # (1 - y) cancels where y is near 1: one ulp of y apart is far apart relatively
    atol = {np.float16: 1e-3, np.float32: 1e-6, np.float64: 1e-15}[dtype]
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=atol)
    if dtype == np.float16:  # computed in float32 and rounded once, as torch
        assert e[1:].tobytes() == t[1:].tobytes()


def test_sigmoid_complex_and_zero_dim():
    z = np.array([1 + 2j, -3 + 0.5j, -100 + 1j], np.complex64)
    g = np.array([1 - 1j, 2 + 0j, 0.5j], np.complex64)
    res = []
    for m in (ember, torch):
        x = m.tensor(z, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = m.sigmoid(x)
        y.backward(m.tensor(g))
        s = m.tensor(-3.0, requires_grad=True)
        m.sigmoid(s).backward()
        res.append((y.detach().numpy(), x.grad.numpy(), s.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_linear_grads_adopted_without_sharing():
    """A weight's gradient arrives through a transpose, a bias's through a reshape: taken as
    ``.grad`` without a copy when nothing else holds their memory, yet never shared, and a
    second backward adds into them as torch's."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    grads = []
    for m in (ember, torch):
        lin = m.nn.Linear(4, 3)
        with m.no_grad():
            lin.weight.copy_(m.tensor(w))
        user = m.ones(5, 3)
        lin(m.tensor(x)).backward(user)
        w, b = lin.weight.grad, lin.bias.grad
        assert w.is_contiguous() and b.is_contiguous()
        first = (w.clone(), b.clone())
        user.mul_(2.0)  # the caller's gradient changes: the leaves' do not
        assert m.equal(w, first[0]) and m.equal(b, first[1])
        lin(m.tensor(x)).sum().backward()
        assert lin.weight.grad is w and lin.bias.grad is b  # accumulated in place
        grads.append((w.numpy().copy(), b.numpy().copy()))
    for a, t in zip(*grads):
        np.testing.assert_allclose(a, t, rtol=1e-6)


def test_backward_create_graph_warns_once_as_torch():
    """torch's reference-cycle warning: once per process, for backward (not autograd.grad)."""
    import subprocess
    import sys

    code = (
        "import warnings, {m}\n"
        "x = {m}.tensor([1.0, 2.0], requires_grad=True)\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    {m}.autograd.grad((x ** 3).sum(), x, create_graph=True)\n"
        "    n_grad = len(w)\n"
        "    (x ** 3).sum().backward(create_graph=True)\n"
        "    {m}.autograd.backward((x * 2).sum(), create_graph=True)\n"
        "print(n_grad, len(w), w[0].category.__name__, str(w[0].message).split(' (Trig')[0])\n"
    )
    outs = [
        subprocess.run(
            [sys.executable, "-c", code.format(m=m)], capture_output=True, text=True, check=True
        ).stdout
        for m in ("ember", "torch")
    ]
    assert outs[0] == outs[1]
    assert outs[0].startswith("0 1 UserWarning Using backward() with create_graph=True")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_silu_in_torchs_order(dtype):
    x, g = _values(dtype, 30.0)
    res = []
    for m in (ember, torch):
        t = m.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = m.nn.functional.silu(t)
        y.backward(m.tensor(g))
        res.append((y.detach().numpy(), t.grad.numpy()))
    (e, eg), (t, tg) = res
    assert np.array_equal(np.isnan(e), np.isnan(t))
    ok = ~np.isnan(t)
    # x / (1 + exp(-x)): NumPy's exp and torch's differ by an ulp at times, nothing more
    assert np.mean(e[ok] == t[ok]) > (0.99 if dtype == np.float16 else 0.8)
    rtol = {np.float16: 1e-3, np.float32: 1e-6, np.float64: 1e-14}[dtype]
    np.testing.assert_allclose(e[ok], t[ok], rtol=rtol, atol=0)
    np.testing.assert_allclose(eg, tg, rtol=1e-5, atol=1e-6 if dtype != np.float16 else 1e-2)
