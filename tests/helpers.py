"""Differential testing against torch: one helper for values and gradients, one for exceptions.

``check_op(lambda t: t.exp(), [(3, 4)])`` builds random inputs of the given shapes, runs the
function on ember tensors (passed as the module ``t`` = ember) and torch tensors, compares the
outputs (values, shapes, dtypes), then backpropagates the sum of the outputs (times a fixed random
cotangent) and compares the gradients of every input.
"""

from __future__ import annotations

import numpy as np
import torch

import ember

TOL = {np.float32: (1e-4, 1e-5), np.float64: (1e-9, 1e-10), np.float16: (1e-2, 1e-3)}


def to_torch(x):
    if isinstance(x, ember.Tensor):
        t = torch.from_numpy(np.array(x.detach().numpy()))
        return t.requires_grad_(x.requires_grad) if x.is_leaf else t
    if isinstance(x, (list, tuple)):
        return type(x)(to_torch(v) for v in x)
    return x


def to_ember(x, requires_grad=None):
    if isinstance(x, torch.Tensor):
        t = ember.tensor(x.detach().numpy().copy())
        rg = x.requires_grad if requires_grad is None else requires_grad
        return t.requires_grad_(rg) if rg else t
    if isinstance(x, (list, tuple)):
        return type(x)(to_ember(v, requires_grad) for v in x)
    return x


def assert_close(e, t, rtol=None, atol=None, msg=""):
    """Compare an ember result with a torch one: shape, dtype and values."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), f"{msg}: structure {e} vs {t}"
        for a, b in zip(e, t):
            assert_close(a, b, rtol, atol, msg)
        return
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{msg}: expected a Tensor, got {type(e)}"
        tn = t.detach().numpy()
        en = e.detach().numpy()
        assert tuple(e.shape) == tuple(t.shape), (
            f"{msg}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
        )
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (
            f"{msg}: dtype {e.dtype} vs {t.dtype}"
        )
        if tn.dtype.kind in "fc":
            r, a = TOL.get(tn.dtype.type, (1e-5, 1e-6))
            np.testing.assert_allclose(
                en,
                tn,
                rtol=r if rtol is None else rtol,
                atol=a if atol is None else atol,
                equal_nan=True,
                err_msg=msg,
            )
        else:
            np.testing.assert_array_equal(en, tn, err_msg=msg)
        return
    assert not isinstance(e, ember.Tensor), f"{msg}: got a Tensor, torch gave {type(t)}: {t}"
    if isinstance(t, float):
        assert isinstance(e, (int, float, np.number)), f"{msg}: {e!r} vs {t}"
        assert np.isclose(e, t, equal_nan=True), f"{msg}: {e} vs {t}"
    elif isinstance(t, int):  # bool too
        assert isinstance(e, (int, np.integer, np.bool_)), f"{msg}: {e!r} vs {t}"
        assert e == t, f"{msg}: {e} vs {t}"
    else:
        assert e == t, f"{msg}: {e} vs {t}"


def make_inputs(shapes, dtype=np.float32, low=-2.0, high=2.0, seed=0, requires_grad=True):
    rng = np.random.default_rng(seed)
    arrays = []
    for s in shapes:
        if isinstance(s, np.ndarray):
            arrays.append(s)
        else:
            arrays.append(rng.uniform(low, high, size=s).astype(dtype))
    e = [
        ember.tensor(a.copy(), requires_grad=requires_grad and a.dtype.kind == "f") for a in arrays
    ]
    t = [
        torch.tensor(a.copy(), requires_grad=requires_grad and a.dtype.kind == "f") for a in arrays
    ]
    return e, t


def check_op(
    fn,
    shapes,
    torch_fn=None,
    dtype=np.float32,
    low=-2.0,
    high=2.0,
    grad=True,
    rtol=None,
    atol=None,
    seed=0,
):
    """Run ``fn(ember, *inputs)`` and ``(torch_fn or fn)(torch, *inputs)``; compare outputs, grads.

    ``fn`` takes the module first so one lambda serves both: ``lambda m, x: m.exp(x)``.
    """
    e_in, t_in = make_inputs(shapes, dtype, low, high, seed, requires_grad=grad)
    t_out = (torch_fn or fn)(torch, *t_in)
    e_out = fn(ember, *e_in)
    assert_close(e_out, t_out, rtol, atol, msg="forward")
    if not grad:
        return e_out
    t_outs = [
        o
        for o in (t_out if isinstance(t_out, (tuple, list)) else [t_out])
        if isinstance(o, torch.Tensor) and o.requires_grad
    ]
    e_outs = [
        o
        for o in (e_out if isinstance(e_out, (tuple, list)) else [e_out])
        if isinstance(o, ember.Tensor) and o.requires_grad
    ]
    assert len(t_outs) == len(e_outs), "requires_grad of outputs differs"
    if not t_outs:
        return e_out
    rng = np.random.default_rng(seed + 1)
    t_loss, e_loss = 0, 0
    for to, eo in zip(t_outs, e_outs):
        w = rng.standard_normal(tuple(to.shape)).astype(to.detach().numpy().dtype)
        t_loss = t_loss + (to * torch.from_numpy(w)).sum()
        e_loss = e_loss + (eo * ember.from_numpy(w.copy())).sum()
    try:
        t_loss.backward()
    except RuntimeError as t_exc:  # no derivative in torch (``x // y``): ember must refuse too
        try:
            e_loss.backward()
        except RuntimeError as e_exc:
            same = str(e_exc).split(":")[0] == str(t_exc).split(":")[0]
            assert same, f"backward error: {e_exc} vs {t_exc}"
            return e_out
        raise AssertionError(f"ember's backward did not raise; torch's raised: {t_exc}") from None
    e_loss.backward()
    for i, (ei, ti) in enumerate(zip(e_in, t_in)):
        if ti.grad is None:
            assert ei.grad is None or not ei.requires_grad, f"input {i}: torch has no grad"
            continue
        assert ei.grad is not None, f"input {i}: ember computed no gradient"
        assert_close(ei.grad, ti.grad, rtol, atol, msg=f"grad of input {i}")
    return e_out


def check_raises(fn, torch_fn=None):
    """Both libraries raise, with the same exception type; returns ember's exception."""
    t_exc = e_exc = None
    try:
        (torch_fn or fn)(torch)
    except Exception as ex:  # noqa: BLE001
        t_exc = ex
    try:
        fn(ember)
    except Exception as ex:  # noqa: BLE001
        e_exc = ex
    assert t_exc is not None, "torch did not raise"
    assert e_exc is not None, f"ember did not raise (torch raised {type(t_exc).__name__}: {t_exc})"
    assert type(e_exc) is type(t_exc) or isinstance(e_exc, type(t_exc)), (
        f"ember raised {type(e_exc).__name__}: {e_exc}; torch raised "
        f"{type(t_exc).__name__}: {t_exc}"
    )
    return e_exc


def same_result_or_error(fn, torch_fn=None):
    """``fn(torch)`` and ``fn(ember)`` give the same result, or raise the same exception type
    with the same message."""
    try:
        want = (torch_fn or fn)(torch)
    except Exception as t:  # noqa: BLE001
        assert str(check_raises(fn, torch_fn)) == str(t)
        return
    assert_close(fn(ember), want)
