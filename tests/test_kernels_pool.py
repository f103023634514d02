"""Differential tests of ember/kernels/pool.py and pad.py against torch.nn.functional."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ember.kernels import pool as P
from ember.kernels.pad import pad, pad_backward

TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-10)}
DTYPES = [np.float32, np.float64]


def _rand(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def _close(name, got, want, dtype=None):
    want = want.detach().numpy()
    assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} vs {want.dtype}"
    assert got.shape == want.shape, f"{name}: shape {got.shape} vs {want.shape}"
    if dtype is None:
        np.testing.assert_array_equal(got, want, err_msg=name)
    else:
        np.testing.assert_allclose(got, want, err_msg=name, **TOL[dtype])


def _torch_run(fn, x, rng, dtype):
    """torch output(s) of fn(x), a random output gradient, and x's gradient of (y * gy).sum()."""
    tx = torch.from_numpy(x.copy()).requires_grad_()
    out = fn(tx)
    ty = out[0] if isinstance(out, tuple) else out
    gy = _rand(rng, tuple(ty.shape), dtype)
    (ty * torch.from_numpy(gy)).sum().backward()
    return out, gy, tx.grad


def _torch_error(fn, exc=RuntimeError):
    with pytest.raises(exc) as info:
        fn()
    return str(info.value).splitlines()[0]


MAX_CASES = [
    # (x shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 8, 8), 2, None, 0, 1, False),
    ((2, 3, 9, 7), 3, 2, 1, 1, False),
    ((2, 3, 9, 7), 3, 2, 1, 1, True),
    ((2, 3, 6, 6), 3, 2, 1, 1, True),  # ceil window that would start in the right padding
    ((2, 3, 5, 5), 2, 2, 1, 1, True),
    ((1, 2, 10, 9), (3, 2), (2, 3), (1, 1), (2, 3), True),
    ((1, 2, 8, 8), 3, 1, 1, 2, False),
    ((2, 3, 11), 3, 2, 1, 1, True),
    ((2, 2, 5, 6, 7), 2, (1, 2, 2), (1, 0, 1), 1, False),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool_matches_torch(case, dtype):
    xs, k, s, p, d, ceil = case
    rng = np.random.default_rng(0)
    # few distinct values: plenty of ties, which must resolve to the first index like torch
    x = rng.integers(-3, 4, xs).astype(dtype)
    nd = len(xs) - 2
    fn = getattr(F, f"max_pool{nd}d")
    (ty, ti), gy, tgx = _torch_run(
        lambda t: fn(t, k, s, p, d, ceil_mode=ceil, return_indices=True), x, rng, dtype
    )
    y, idx = P.max_pool_forward(x, k, s, p, d, ceil)
    _close("y", y, ty)
    _close("indices", idx, ti)
    _close("gx", P.max_pool_backward(gy, idx, x.shape), tgx, dtype)


def test_max_pool_nan_and_inf_match_torch():
    x = np.array([[[[np.nan, 1, np.nan, 2], [-np.inf] * 4, [3, np.nan, 3, 3], [-np.inf] * 4]]])
    for k, s, p in [(2, 2, 0), ((1, 3), 1, (0, 1)), (3, 1, 1)]:
        ty, ti = F.max_pool2d(torch.from_numpy(x), k, s, p, return_indices=True)
        y, idx = P.max_pool2d_forward(x, k, s, p)
        np.testing.assert_array_equal(y, ty.numpy())
        np.testing.assert_array_equal(idx, ti.numpy())


def test_max_pool_channels_last_view_in_and_out():
    rng = np.random.default_rng(3)
    base = _rand(rng, (4, 8, 8, 6), np.float32)
    x = np.moveaxis(base, -1, 1)  # NCHW-shaped view of an NHWC buffer
    y, idx = P.max_pool2d_forward(x, 2)
    assert np.moveaxis(y, 1, -1).flags["C_CONTIGUOUS"]
    ty, ti = F.max_pool2d(torch.from_numpy(np.ascontiguousarray(x)), 2, return_indices=True)
    np.testing.assert_array_equal(y, ty.numpy())
    np.testing.assert_array_equal(idx, ti.numpy())
    gy = np.moveaxis(_rand(rng, (4, 4, 4, 6), np.float32), -1, 1)
    gx = P.max_pool2d_backward(gy, idx, x.shape)
    want = P.max_pool2d_backward(np.ascontiguousarray(gy), np.ascontiguousarray(idx), x.shape)
    np.testing.assert_array_equal(gx, want)


AVG_CASES = [
    # (x shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
    ((2, 3, 8, 8), 2, None, 0, False, True, None),
    ((2, 3, 9, 7), 3, 2, 1, False, True, None),
    ((2, 3, 9, 7), 3, 2, 1, False, False, None),
    ((2, 3, 9, 7), 3, 2, 1, True, True, None),
    ((2, 3, 9, 7), 3, 2, 1, True, False, None),
    ((2, 3, 6, 6), (3, 2), (2, 1), (1, 1), True, True, 5),
    ((2, 3, 11), 4, 3, 2, True, False, None),
    ((1, 2, 5, 6, 7), 3, 2, 1, True, True, None),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool_matches_torch(case, dtype):
    xs, k, s, p, ceil, cip, div = case
    rng = np.random.default_rng(0)
    x = _rand(rng, xs, dtype)
    nd = len(xs) - 2
    fn = getattr(F, f"avg_pool{nd}d")
    kw = dict(ceil_mode=ceil, count_include_pad=cip)
    if nd > 1:
        kw["divisor_override"] = div
    ty, gy, tgx = _torch_run(lambda t: fn(t, k, s, p, **kw), x, rng, dtype)
    y = P.avg_pool_forward(x, k, s, p, ceil, cip, kw.get("divisor_override"))
    _close("y", y, ty, dtype)
    gx = P.avg_pool_backward(gy, x.shape, k, s, p, ceil, cip, kw.get("divisor_override"))
    _close("gx", gx, tgx, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "xs, out",
    [
        ((2, 3, 8, 8), (4, 4)),
        ((2, 3, 7, 9), (3, 5)),
        ((2, 3, 5, 5), (7, 8)),
        ((2, 3, 6, 6), 1),
        ((2, 3, 6, 6), (None, 4)),
        ((2, 3, 10), 4),
        ((1, 2, 4, 5, 6), (2, 3, 4)),
    ],
)
def test_adaptive_pools_match_torch(xs, out, dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, xs).astype(dtype)
    nd = len(xs) - 2
    favg = getattr(F, f"adaptive_avg_pool{nd}d")
    fmax = getattr(F, f"adaptive_max_pool{nd}d")
    ty, gy, tgx = _torch_run(lambda t: favg(t, out), x, rng, dtype)
    _close("avg y", P.adaptive_avg_pool_forward(x, out), ty, dtype)
    _close("avg gx", P.adaptive_avg_pool_backward(gy, x.shape), tgx, dtype)
    (ty, ti), gy, tgx = _torch_run(lambda t: fmax(t, out, return_indices=True), x, rng, dtype)
    y, idx = P.adaptive_max_pool_forward(x, out)
    _close("max y", y, ty)
    _close("max indices", idx, ti)
    _close("max gx", P.adaptive_max_pool_backward(gy, idx, x.shape), tgx, dtype)


@pytest.mark.parametrize(
    "nd, kind, args, kw",
    [
        (2, "max", (2,), dict(padding=2)),
        (2, "max", (9,), {}),
        (2, "max", (2,), dict(stride=0)),
        (2, "max", (2,), dict(dilation=0)),
        (2, "avg", (2,), dict(padding=2)),
        (2, "avg", (9,), {}),
        (2, "avg", (2,), dict(divisor_override=0)),
        (1, "max", (2,), dict(padding=2)),
        (1, "max", (9,), {}),
        (1, "avg", (9,), {}),
    ],
)
def test_pool_errors_match_torch(nd, kind, args, kw):
    x = np.zeros((2, 4, 8, 8)[: nd + 2], np.float32)
    fn = getattr(F, f"{kind}_pool{nd}d")
    want = _torch_error(lambda: fn(torch.from_numpy(x), *args, **kw))
    with pytest.raises(RuntimeError) as info:
        getattr(P, f"{kind}_pool{nd}d_forward")(x, *args, **kw)
    assert str(info.value) == want


INTERP_CASES = [
    # (x shape, size, scale_factor, mode, align_corners)
    ((2, 3, 5, 6), (10, 12), None, "nearest", None),
    ((2, 3, 5, 6), (7, 4), None, "nearest", None),
    ((2, 3, 5, 6), None, 1.7, "nearest", None),
    ((2, 3, 5, 6), (7, 13), None, "nearest-exact", None),
    ((2, 3, 5, 6), (7, 13), None, "bilinear", False),
    ((2, 3, 5, 6), (7, 13), None, "bilinear", True),
    ((2, 3, 8, 9), (3, 4), None, "bilinear", False),
    ((2, 3, 5, 6), None, (2.3, 0.6), "bilinear", False),
    ((2, 3, 5, 6), (1, 1), None, "bilinear", True),
    ((2, 3, 7), 12, None, "linear", False),
    ((1, 2, 3, 4, 5), (5, 6, 7), None, "trilinear", True),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", INTERP_CASES)
def test_interpolate_matches_torch(case, dtype):
    xs, size, sf, mode, ac = case
    rng = np.random.default_rng(0)
    x = _rand(rng, xs, dtype)
    ty, gy, tgx = _torch_run(lambda t: F.interpolate(t, size, sf, mode, ac), x, rng, dtype)
    nd = len(xs) - 2
    scales = (
        None
        if sf is None
        else P._tuple(sf, nd)
        if isinstance(sf, int)
        else ((sf,) * nd if isinstance(sf, float) else sf)
    )
    out = tuple(ty.shape[2:])
    _close("y", P.interpolate_forward(x, out, mode, ac, scales), ty, dtype)
    _close("gx", P.interpolate_backward(gy, x.shape, mode, ac, scales), tgx, dtype)


PAD_CASES = [
    ((2, 3, 8), (2, 3), "reflect"),
    ((2, 3, 8, 7), (1, 2, 3, 0), "reflect"),
    ((2, 3, 8, 7), (-2, 3, 1, -1), "reflect"),
    ((2, 3, 8), (7, -6), "reflect"),
    ((2, 3, 8, 7), (2, 3, -8, 0), "replicate"),
    ((2, 3, 8, 7), (9, 3, 1, 1), "replicate"),
    ((2, 3, 4, 5, 6), (1, 2, 3, 1, 0, 2), "replicate"),
    ((2, 3, 8, 7), (3, -2, 1, 7), "circular"),
    ((3, 8, 7), (7, 7, 1, 1), "circular"),
    ((2, 3, 8, 7), (2, -3, -1, 4, 1, 1, 1, 0), "constant"),
    ((4, 5), (-4, 1), "constant"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", PAD_CASES)
def test_pad_matches_torch(case, dtype):
    xs, pads, mode = case
    rng = np.random.default_rng(0)
    x = _rand(rng, xs, dtype)
    value = 1.5 if mode == "constant" else None
    ty, gy, tgx = _torch_run(lambda t: F.pad(t, pads, mode, value), x, rng, dtype)
    _close("y", pad(x, pads, mode, value), ty)
    _close("gx", pad_backward(gy, pads, mode, x.shape), tgx, dtype)


@pytest.mark.parametrize(
    "xs, pads, mode, value",
    [
        ((2, 4, 8, 8), (8, 8, 1, 1), "reflect", None),
        ((2, 4, 8, 8), (1, 1, 8, 8), "reflect", None),
        ((2, 4, 8), (8, 8), "reflect", None),
        ((2, 4, 8, 8), (9, 9, 1, 1), "circular", None),
        ((2, 4, 8, 8), (-8, -1, 1, 1), "circular", None),
        ((2, 4, 8, 8), (-5, -5), "constant", None),
        ((2, 4, 8, 8), (1, 1, 1), "constant", None),
        ((2, 4, 8, 8), (1,) * 10, "constant", None),
        ((2, 4, 8, 8), (1, 1, 1, 1), "reflect", 1.0),
        ((2, 0, 4), (1, 1), "reflect", None),
    ],
)
def test_pad_runtime_errors_match_torch(xs, pads, mode, value):
    x = np.zeros(xs)
    want = _torch_error(lambda: F.pad(torch.from_numpy(x), pads, mode, value))
    with pytest.raises(RuntimeError) as info:
        pad(x, pads, mode, value)
    assert str(info.value) == want


@pytest.mark.parametrize(
    "xs, pads, mode", [((2, 4, 8, 8), (1, 1), "reflect"), ((2, 4, 8, 8), (1, 1, 1, 1), "foo")]
)
def test_pad_not_implemented_matches_torch(xs, pads, mode):
    x = np.zeros(xs)
    with pytest.raises(NotImplementedError) as want:  # the whole message, its list included
        F.pad(torch.from_numpy(x), pads, mode)
    with pytest.raises(NotImplementedError) as info:
        pad(x, pads, mode)
    assert str(info.value) == str(want.value)
