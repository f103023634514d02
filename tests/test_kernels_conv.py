"""Differential tests of ember/kernels/conv.py against torch.nn.functional."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ember.kernels import conv as K

TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-10)}
DTYPES = [np.float32, np.float64]
TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
TORCH_CONVT = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _rand(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def _close(name, got, want, dtype):
    assert got.dtype == dtype, f"{name}: dtype {got.dtype}"
    assert got.shape == tuple(want.shape), f"{name}: shape {got.shape} vs {tuple(want.shape)}"
    np.testing.assert_allclose(got, want.detach().numpy(), err_msg=name, **TOL[dtype])


def _torch_grads(fn, arrays, gy_fn):
    ts = [None if a is None else torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    ty = fn(*ts)
    gy = gy_fn(tuple(ty.shape))
    (ty * torch.from_numpy(gy)).sum().backward()
    return ty, gy, [None if t is None else t.grad for t in ts]


CONV_CASES = [
    # (x shape, w shape, stride, padding, dilation, groups)
    ((2, 3, 8, 8), (4, 3, 3, 3), 1, 0, 1, 1),
    ((2, 3, 8, 8), (4, 3, 3, 3), 1, 1, 1, 1),
    ((2, 3, 8, 9), (4, 3, 3, 2), 2, 1, 1, 1),
    ((2, 3, 10, 9), (4, 3, 3, 3), (3, 2), (2, 0), 1, 1),
    ((2, 4, 9, 8), (6, 2, 3, 3), (2, 3), (1, 2), (2, 1), 2),
    ((2, 4, 9, 8), (4, 1, 3, 3), 1, 3, 1, 4),  # depthwise, padding beyond kernel reach
    ((2, 4, 9, 8), (6, 2, 3, 3), 1, 4, 2, 2),
    ((1, 2, 7, 7), (8, 2, 5, 5), 1, 2, 1, 1),  # few input channels: col2im input gradient
    ((2, 6, 6, 6), (6, 3, 1, 1), 1, 0, 1, 2),
    ((2, 4, 11), (6, 4, 3), 3, 2, 2, 1),
    ((3, 2, 12), (4, 1, 4), 1, 1, 3, 2),
    ((2, 2, 5, 5, 5), (3, 2, 3, 3, 3), 2, 1, 1, 1),
    ((2, 2, 4, 5, 6), (4, 1, 2, 3, 2), 1, (1, 0, 2), 1, 2),
    # few channels (C * k_w < 32) build K-major columns; these take the channels-last path
    ((2, 3, 10, 9), (4, 3, 3, 3), 1, 2, (2, 1), 1),
    ((2, 16, 7, 7), (8, 16, 3, 3), 1, 1, 1, 1),
    ((2, 12, 9, 8), (6, 12, 3, 3), (2, 1), (1, 0), (1, 2), 1),
    ((2, 40, 11), (6, 40, 3), 2, 1, 2, 1),
    ((2, 16, 4, 5, 6), (4, 16, 2, 3, 2), 1, (1, 0, 2), 1, 1),
    ((2, 16, 5, 5), (24, 16, 1, 1), 1, 0, 1, 1),  # pointwise: the input is the column matrix
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_matches_torch(case, dtype, bias):
    xs, ws, stride, padding, dilation, groups = case
    rng = np.random.default_rng(0)
    x, w = _rand(rng, xs, dtype), _rand(rng, ws, dtype)
    b = _rand(rng, ws[0], dtype) if bias else None
    nd = len(xs) - 2
    ty, gy, (tgx, tgw, tgb) = _torch_grads(
        lambda x, w, b: TORCH_CONV[nd](x, w, b, stride, padding, dilation, groups),
        [x, w, b],
        lambda s: _rand(rng, s, dtype),
    )
    y = K.conv_forward(x, w, b, stride, padding, dilation, groups)
    _close("y", y, ty, dtype)
    gx, gw, gb = K.conv_backward(gy, x, w, stride, padding, dilation, groups)
    _close("gx", gx, tgx, dtype)
    _close("gw", gw, tgw, dtype)
    if bias:
        _close("gb", gb, tgb, dtype)


def test_conv_asymmetric_padding_matches_torch_same():
    # padding="same" with an even kernel pads one more on the high side; callers pass the pairs
    rng = np.random.default_rng(1)
    x, w = _rand(rng, (2, 3, 7, 6), np.float64), _rand(rng, (5, 3, 4, 2), np.float64)
    ty, gy, (tgx, tgw) = _torch_grads(
        lambda x, w: F.conv2d(x, w, padding="same", dilation=(1, 2)),
        [x, w],
        lambda s: _rand(rng, s, np.float64),
    )
    pads = ((1, 2), (1, 1))
    y = K.conv2d_forward(x, w, None, 1, pads, (1, 2))
    _close("y", y, ty, np.float64)
    gx, gw, gb = K.conv2d_backward(gy, x, w, 1, pads, (1, 2), needs=(True, True, False))
    _close("gx", gx, tgx, np.float64)
    _close("gw", gw, tgw, np.float64)
    assert gb is None


def test_conv_backward_needs_and_layout():
    rng = np.random.default_rng(2)
    x, w = _rand(rng, (2, 3, 6, 6), np.float32), _rand(rng, (4, 3, 3, 3), np.float32)
    y = K.conv2d_forward(x, w, None, 1, 1)
    # the output is a channels-last buffer seen through an NCHW-shaped view
    assert y.shape == (2, 4, 6, 6) and np.moveaxis(y, 1, -1).flags["C_CONTIGUOUS"]
    # chaining on that view gives the same values as on a contiguous copy
    w2 = _rand(rng, (5, 4, 3, 3), np.float32)
    np.testing.assert_array_equal(
        K.conv2d_forward(y, w2, None, 1, 1),
        K.conv2d_forward(np.ascontiguousarray(y), w2, None, 1, 1),
    )
    gx, gw, gb = K.conv2d_backward(np.ones_like(y), x, w, 1, 1, needs=(False, True, True))
    assert gx is None and gw.shape == w.shape and gb.shape == (4,)


CONVT_CASES = [
    # (x shape, w shape, stride, padding, output_padding, groups, dilation)
    ((2, 3, 5, 5), (3, 4, 3, 3), 1, 0, 0, 1, 1),
    ((2, 3, 5, 5), (3, 4, 3, 3), 2, 1, 1, 1, 1),
    ((2, 4, 5, 6), (4, 3, 3, 2), (2, 3), (1, 0), (1, 2), 2, (1, 2)),
    ((2, 4, 5, 6), (4, 3, 3, 3), 1, 2, 1, 2, 2),
    ((2, 4, 7), (4, 3, 3), 3, 1, 2, 1, 1),
    ((1, 2, 3, 3, 3), (2, 2, 2, 2, 2), 2, 0, 1, 1, 1),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONVT_CASES)
def test_conv_transpose_matches_torch(case, dtype):
    xs, ws, stride, padding, op, groups, dilation = case
    rng = np.random.default_rng(0)
    x, w = _rand(rng, xs, dtype), _rand(rng, ws, dtype)
    b = _rand(rng, ws[1] * groups, dtype)
    nd = len(xs) - 2
    ty, gy, (tgx, tgw, tgb) = _torch_grads(
        lambda x, w, b: TORCH_CONVT[nd](x, w, b, stride, padding, op, groups, dilation),
        [x, w, b],
        lambda s: _rand(rng, s, dtype),
    )
    y = K.conv_transpose_forward(x, w, b, stride, padding, op, groups, dilation)
    _close("y", y, ty, dtype)
    gx, gw, gb = K.conv_transpose_backward(gy, x, w, stride, padding, op, groups, dilation)
    _close("gx", gx, tgx, dtype)
    _close("gw", gw, tgw, dtype)
    _close("gb", gb, tgb, dtype)


UNFOLD_CASES = [
    # (x shape, kernel, dilation, padding, stride)
    ((2, 3, 6, 7), 3, 1, 0, 1),
    ((2, 3, 6, 7), (2, 3), (2, 1), (1, 2), (2, 1)),
    ((1, 2, 5, 5), 2, 1, 1, 2),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", UNFOLD_CASES)
def test_unfold_fold_match_torch(case, dtype):
    xs, k, d, p, s = case
    rng = np.random.default_rng(0)
    x = _rand(rng, xs, dtype)
    ty, gy, (tgx,) = _torch_grads(
        lambda x: F.unfold(x, k, d, p, s), [x], lambda sh: _rand(rng, sh, dtype)
    )
    _close("unfold", K.unfold(x, k, d, p, s), ty, dtype)
    _close("unfold grad", K.unfold_backward(gy, x.shape, k, d, p, s), tgx, dtype)

    cols = _rand(rng, tuple(ty.shape), dtype)
    ty, gy, (tgc,) = _torch_grads(
        lambda c: F.fold(c, xs[2:], k, d, p, s), [cols], lambda sh: _rand(rng, sh, dtype)
    )
    _close("fold", K.fold(cols, xs[2:], k, d, p, s), ty, dtype)
    _close("fold grad", K.fold_backward(gy, k, d, p, s), tgc, dtype)


def _torch_error(fn):
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value).splitlines()[0]


@pytest.mark.parametrize(
    "xs, ws, bs, kw",
    [
        ((2, 4, 8, 8), (6, 3, 3, 3), None, {}),
        ((2, 4, 8, 8), (6, 4, 9, 9), None, {}),
        ((2, 4, 8, 8), (6, 4, 3, 3), None, dict(stride=0)),
        ((2, 4, 8, 8), (6, 4, 3, 3), None, dict(padding=-1)),
        ((2, 4, 8, 8), (6, 4, 3, 3), None, dict(dilation=0)),
        ((2, 4, 8, 8), (6, 2, 3, 3), None, dict(groups=0)),
        ((2, 4, 8, 8), (6, 2, 3, 3), None, dict(groups=3)),
        ((2, 4, 8, 8), (5, 2, 3, 3), None, dict(groups=2)),
        ((2, 4, 8, 8), (6, 4, 3, 3), (5,), {}),
    ],
)
def test_conv_errors_match_torch(xs, ws, bs, kw):
    # float32: torch's float64 path words the dilation error differently
    x, w = np.zeros(xs, np.float32), np.zeros(ws, np.float32)
    b = None if bs is None else np.zeros(bs, np.float32)
    tb = None if b is None else torch.from_numpy(b)
    want = _torch_error(lambda: F.conv2d(torch.from_numpy(x), torch.from_numpy(w), tb, **kw))
    with pytest.raises(RuntimeError) as info:
        K.conv2d_forward(x, w, b, **kw)
    assert str(info.value) == want


def test_conv_transpose_output_padding_error_matches_torch():
    x, w = np.zeros((2, 4, 8, 8)), np.zeros((4, 3, 3, 3))
    want = _torch_error(
        lambda: F.conv_transpose2d(
            torch.from_numpy(x), torch.from_numpy(w), stride=2, output_padding=2
        )
    )
    with pytest.raises(RuntimeError) as info:
        K.conv_transpose2d_forward(x, w, None, stride=2, output_padding=2)
    assert str(info.value) == want


@pytest.mark.parametrize(
    "fn, args",
    [
        ("unfold", ((2, 4, 8, 8), 9)),
        ("fold", ((2, 36, 10), (8, 8), 3)),
        ("fold", ((2, 35, 36), (8, 8), 3)),
    ],
)
def test_unfold_fold_errors_match_torch(fn, args):
    x = np.zeros(args[0])
    want = _torch_error(lambda: getattr(F, fn)(torch.from_numpy(x), *args[1:]))
    with pytest.raises(RuntimeError) as info:
        getattr(K, fn)(x, *args[1:])
    assert str(info.value) == want
