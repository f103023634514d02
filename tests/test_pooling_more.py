"""LP, unpooling, 3-D adaptive and fractional max pooling against torch: values, indices, grads,
reprs, grad_fn names and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises
from nn_helpers import check_module

import ember

INF = math.inf


def _f(m):
    return m.nn.functional


def _lib_tensor(m, a):
    return m.tensor(np.array(a))


# --- LP pooling ---------------------------------------------------------------------------------
LP_CASES = [
    (1, (2, 3, 9), dict(kernel_size=3)),
    (1, (3, 10), dict(kernel_size=2, stride=3, ceil_mode=True)),
    (2, (2, 2, 7, 8), dict(kernel_size=3, stride=2)),
    (2, (2, 7, 8), dict(kernel_size=(2, 3), ceil_mode=True)),
    (2, (1, 2, 6, 6), dict(kernel_size=2, stride=(1, 2))),
    (3, (1, 2, 5, 6, 5), dict(kernel_size=2)),
    (3, (2, 5, 4, 5), dict(kernel_size=(3, 2, 2), stride=1, ceil_mode=True)),
]


@pytest.mark.parametrize("nd,shape,kw", LP_CASES)
@pytest.mark.parametrize("p", [1, 2, 3.0, 1.5, INF, -INF])
def test_lp_pool(nd, shape, kw, p):
    # positive inputs keep the fractional powers real; the odd and infinite powers see negatives
    low = 0.1 if p == 1.5 else -2.0
    check_op(lambda m, x: getattr(_f(m), f"lp_pool{nd}d")(x, p, **kw), [shape], low=low)


def test_lp_pool_negative_fractional_power_is_nan_like_torch():
    check_op(lambda m, x: _f(m).lp_pool2d(x, 1.5, 2), [(1, 1, 4, 4)], grad=False)


def test_lp_pool_zero_window_has_zero_gradient():
    a = np.zeros((1, 2, 4, 4), np.float32)
    a[0, 0, :2, :2] = 1.5  # one window with a non-zero sum, the rest all zero
    y = check_op(lambda m, x: _f(m).lp_pool2d(x, 2, 2), [a])
    assert y.grad_fn.name() == "PowBackward0"


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_lp_pool_module(nd):
    shape = (2, 3) + (6,) * nd
    check_module(lambda nn: getattr(nn, f"LPPool{nd}d")(2, 2), [shape])
    check_module(lambda nn: getattr(nn, f"LPPool{nd}d")(3.0, 3, stride=2, ceil_mode=True), [shape])
    m = getattr(ember.nn, f"LPPool{nd}d")(1, 2)
    assert (m.norm_type, m.kernel_size, m.stride, m.ceil_mode) == (1, 2, None, False)


# --- max-unpooling ------------------------------------------------------------------------------
UNPOOL_CASES = [
    (1, (2, 3, 8), dict(kernel_size=2), None),
    (1, (3, 9), dict(kernel_size=3, stride=2, padding=1), None),
    (1, (2, 3, 9), dict(kernel_size=2), (9,)),
    (2, (2, 3, 6, 6), dict(kernel_size=2), None),
    (2, (2, 3, 7, 7), dict(kernel_size=2), (2, 3, 7, 7)),
    (2, (3, 7, 6), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0)), None),
    (2, (1, 2, 7, 8), dict(kernel_size=3, stride=1), None),  # overlapping windows repeat indices
    (3, (2, 2, 4, 4, 4), dict(kernel_size=2), None),
    (3, (2, 5, 6, 5), dict(kernel_size=(2, 3, 2), stride=(2, 2, 1), padding=(1, 1, 0)), [5, 6, 5]),
]


def _pooled(nd, shape, kw, seed=0):
    """torch's max-pooling outputs and indices for a random input of ``shape``."""
    x = torch.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))
    return getattr(torch.nn.functional, f"max_pool{nd}d")(x, return_indices=True, **kw)


@pytest.mark.parametrize("nd,shape,kw,size", UNPOOL_CASES)
def test_max_unpool(nd, shape, kw, size):
    y, idx = _pooled(nd, shape, kw)

    def fn(m, v):
        i = _lib_tensor(m, idx.numpy())
        return getattr(_f(m), f"max_unpool{nd}d")(v, i, output_size=size, **kw)

    out = check_op(fn, [y.numpy()])
    assert out.grad_fn is not None
    # each value sits at its index of the flattened output plane
    lead = y.ndim - nd
    flat = out.detach().flatten(lead).gather(-1, ember.tensor(idx.flatten(lead).numpy()))
    assert_close(flat.reshape(*y.shape), y)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_module(nd):
    shape = (2, 3) + (5,) * nd
    y, idx = _pooled(nd, shape, dict(kernel_size=2))
    tm = getattr(torch.nn, f"MaxUnpool{nd}d")(2)
    em = getattr(ember.nn, f"MaxUnpool{nd}d")(2)
    assert repr(em) == repr(tm)
    assert (em.kernel_size, em.stride, em.padding) == (tm.kernel_size, tm.stride, tm.padding)
    size = (5,) * nd
    ey = em(ember.tensor(y.numpy()), ember.tensor(idx.numpy()), output_size=size)
    assert_close(ey, tm(y, idx, output_size=size))
    tm = getattr(torch.nn, f"MaxUnpool{nd}d")(3, stride=2, padding=1)
    em = getattr(ember.nn, f"MaxUnpool{nd}d")(3, stride=2, padding=1)
    assert repr(em) == repr(tm)


def _unpool_raises(nd, y, idx, **kw):
    def fn(m):
        i = idx if m is torch else _lib_tensor(m, idx.numpy())
        v = y if m is torch else _lib_tensor(m, y.numpy())
        return getattr(_f(m), f"max_unpool{nd}d")(v, i, **kw)

    return check_raises(fn)


def test_max_unpool_errors():
    y, idx = _pooled(2, (2, 3, 6, 6), dict(kernel_size=2))
    e = _unpool_raises(2, y, idx, kernel_size=2, output_size=(8, 8))
    assert str(e) == 'invalid output_size "(8, 8)" (dim 0 must be between 4 and 8)'
    e = _unpool_raises(2, y, idx, kernel_size=2, output_size=(7,))
    assert "containing 2 or 4 elements, but it has a length of '1'" in str(e)
    e = _unpool_raises(2, y, idx, kernel_size=2, padding=5)
    assert str(e).endswith("but got output_size[0]=-4")
    e = _unpool_raises(2, y, idx, kernel_size=2, output_size=(5, 5))
    assert str(e).startswith("Found an invalid max index: ") and "(output volumes are of size 5x5)"
    e = _unpool_raises(2, y, idx - 100, kernel_size=2)
    assert str(e).startswith("Found an invalid max index: -")
    e = _unpool_raises(2, y, idx.int(), kernel_size=2)
    assert str(e) == "elements in indices should be type int64 but got: Int"
    _unpool_raises(2, y, idx.float(), kernel_size=2)
    e = _unpool_raises(2, y, idx[:, :, :2], kernel_size=2)
    assert str(e) == (
        "Expected shape of indices to be same as that of the input tensor ([2, 3, 3, 3]) but got "
        "indices tensor with shape: [2, 3, 2, 3]"
    )
    e = _unpool_raises(2, y[0, 0], idx[0, 0], kernel_size=2)
    assert "should be a 3d or 4d Tensor, but got a tensor with 2 dimensions." in str(e)
    _unpool_raises(2, y.int(), idx, kernel_size=2)
    y1, idx1 = _pooled(1, (2, 3, 8), dict(kernel_size=2))
    e = _unpool_raises(1, y1, idx1 + 20, kernel_size=2)
    assert "(output volumes are of size 8x1)" in str(e)
    e = _unpool_raises(1, y1[0, 0], idx1[0, 0], kernel_size=2)
    assert "max_unpooling2d should be a 3d or 4d Tensor" in str(e)
    y3, idx3 = _pooled(3, (2, 2, 4, 4, 4), dict(kernel_size=2))
    e = _unpool_raises(3, y3, idx3, kernel_size=2, stride=0)
    assert str(e) == "strides should be greater than zero, but got stride: [0, 0, 0]"
    e = _unpool_raises(3, y3, idx3.int(), kernel_size=2)
    assert str(e) == "elements in indices should be type int64"
    e = _unpool_raises(3, y3[0, 0], idx3[0, 0], kernel_size=2)
    assert "max_unpooling3d should be a 4d or 5d Tensor" in str(e)
    _unpool_raises(3, y3, idx3 + 100, kernel_size=2)


# --- 3-D adaptive pooling, max_pool3d_with_indices ----------------------------------------------
ADAPTIVE3D = [
    ((2, 3, 5, 6, 7), 1),
    ((2, 3, 5, 6, 7), (2, None, 3)),
    ((2, 5, 6, 7), (3, 4, 2)),
    ((1, 2, 4, 4, 4), (4, 4, 4)),
    ((1, 2, 3, 5, 4), (5, 7, 1)),
    ((1, 2, 3, 5, 4), (0, 2, 2)),
]


@pytest.mark.parametrize("shape,size", ADAPTIVE3D)
def test_adaptive_avg_pool3d(shape, size):
    # torch's backward refuses an empty output; Ember's gives the zero gradient
    grad = 0 not in np.atleast_1d(size)
    y = check_op(lambda m, x: _f(m).adaptive_avg_pool3d(x, size), [shape], grad=grad)
    # (an unbatched input's node is the squeeze of the batch dim Ember adds)
    if len(shape) == 5 and grad:
        t = torch.nn.functional.adaptive_avg_pool3d(torch.ones(shape, requires_grad=True), size)
        assert y.grad_fn.name() == type(t.grad_fn).__name__


@pytest.mark.parametrize("shape,size", ADAPTIVE3D)
def test_adaptive_max_pool3d(shape, size):
    grad = 0 not in np.atleast_1d(size)
    y, _ = check_op(
        lambda m, x: _f(m).adaptive_max_pool3d(x, size, return_indices=True), [shape], grad=grad
    )
    assert not grad or y.grad_fn.name() == "AdaptiveMaxPool3DBackward0" or len(shape) == 4
    check_op(lambda m, x: _f(m).adaptive_max_pool3d_with_indices(x, size), [shape], grad=grad)
    check_op(lambda m, x: _f(m).adaptive_max_pool3d(x, size), [shape], grad=grad)


def test_adaptive_pool3d_modules():
    shape = (2, 3, 5, 6, 4)
    check_module(lambda nn: nn.AdaptiveAvgPool3d((2, None, 3)), [shape])
    check_module(lambda nn: nn.AdaptiveMaxPool3d(2), [shape])
    check_module(lambda nn: nn.AdaptiveMaxPool3d((3, 2, 1), return_indices=True), [shape])
    assert ember.nn.AdaptiveMaxPool3d(2).return_indices is False


def _raises(fn, shape=(2, 3, 5, 6, 7), dtype=np.float32):
    """check_raises for ``fn(F, x)`` on a tensor of ones of ``shape`` in each library."""
    a = np.ones(shape, dtype)
    return check_raises(lambda m: fn(_f(m), _lib_tensor(m, a)))


@pytest.mark.parametrize("name", ["adaptive_avg_pool3d", "adaptive_max_pool3d"])
def test_adaptive_pool3d_errors(name):
    e = _raises(lambda F, x: getattr(F, name)(x, 2), shape=(5, 6, 7))
    assert str(e).startswith(f"{name}(): Expected 4D or 5D tensor, but got")
    assert str(e).endswith(" [5, 6, 7]")
    _raises(lambda F, x: getattr(F, name)(x, (2, 2)))
    _raises(lambda F, x: getattr(F, name)(x, [2]))
    e = _raises(lambda F, x: getattr(F, name)(x, (2, 2, 2)), shape=(2, 3, 0, 4, 4))
    assert str(e) == (
        f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
        "has sizes [2, 3, 0, 4, 4] with dimension 2 being empty"
    )
    _raises(lambda F, x: getattr(F, name)(x, 2), dtype=np.int32)


def test_adaptive_pool3d_error_messages():
    e = _raises(lambda F, x: F.adaptive_avg_pool3d(x, (2, -1, 2)))
    assert str(e) == (
        "adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but "
        "received {2, -1,2}"
    )
    e = _raises(lambda F, x: F.adaptive_max_pool3d(x, (2, -1, 2)))
    assert str(e) == "Trying to create tensor with negative dimension -1: [2, 3, 2, -1, 2]"
    e = _raises(lambda F, x: F.adaptive_avg_pool3d(x, (2, 2, 2, 2)))
    assert str(e) == "adaptive_avg_pool3d: output_size must be 3"
    e = _raises(lambda F, x: F.adaptive_max_pool3d(x, (2, None, 2, 1)))
    assert str(e) == "adaptive_max_pool3d(): internal error: output_size.size() must be 3"


@pytest.mark.parametrize(
    "shape,kw",
    [
        ((2, 2, 5, 6, 7), dict(kernel_size=2)),
        ((2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
        ((1, 2, 6, 6, 6), dict(kernel_size=(2, 3, 2), stride=1, dilation=2)),
    ],
)
def test_max_pool3d_with_indices(shape, kw):
    y, _ = check_op(lambda m, x: _f(m).max_pool3d_with_indices(x, **kw), [shape])
    assert y.grad_fn.name() == "MaxPool3DWithIndicesBackward0" or len(shape) == 4


def test_torch_level_aliases():
    check_op(lambda m, x: m.adaptive_avg_pool1d(x, 3), [(2, 3, 8)])
    check_op(lambda m, x: m.adaptive_max_pool1d(x, 3), [(2, 3, 8)])
    check_op(lambda m, x: m.adaptive_max_pool1d(x, output_size=5), [(3, 11)])
    check_op(lambda m, x: m.max_pool1d_with_indices(x, 2), [(2, 3, 8)])
    check_op(lambda m, x: m.max_pool1d_with_indices(x, 3, 2, 1, 1, True), [(2, 3, 8)])
    check_raises(lambda m: m.adaptive_max_pool1d(m.ones(2, 3, 8), 3, True))
    check_raises(lambda m: m.max_pool1d_with_indices(m.ones(2, 3, 8), 2, return_indices=True))
    check_raises(lambda m: m.adaptive_avg_pool1d(m.ones(2, 3, 8)))


# --- fractional max pooling ---------------------------------------------------------------------
FRACTIONAL = [
    (2, (2, 3, 9, 10), dict(kernel_size=3, output_size=(4, 5))),
    (2, (2, 3, 9, 10), dict(kernel_size=(2, 3), output_size=8)),
    (2, (3, 11, 7), dict(kernel_size=2, output_ratio=(0.5, 0.7))),
    (2, (1, 2, 8, 8), dict(kernel_size=2, output_size=(1, 7))),
    (2, (2, 3, 13, 12), dict(kernel_size=(3, 2), output_size=(11, 5))),
    (3, (2, 3, 7, 8, 9), dict(kernel_size=(2, 3, 2), output_size=(4, 5, 3))),
    (3, (2, 6, 7, 8), dict(kernel_size=2, output_ratio=0.5)),
    (3, (1, 2, 9, 5, 6), dict(kernel_size=(3, 1, 2), output_size=(6, 4, 1))),
]


def _samples(shape, nd, seed=1, dtype=np.float32, batch=None):
    n = 1 if len(shape) == nd + 1 else shape[0]
    return np.random.default_rng(seed).random((batch or n, shape[-nd - 1], nd)).astype(dtype)


@pytest.mark.parametrize("nd,shape,kw", FRACTIONAL)
@pytest.mark.parametrize("seed", [1, 2])
def test_fractional_max_pool(nd, shape, kw, seed):
    u = _samples(shape, nd, seed)

    def fn(m, x):
        f = getattr(_f(m), f"fractional_max_pool{nd}d")
        return f(x, return_indices=True, _random_samples=_lib_tensor(m, u), **kw)

    y, idx = check_op(fn, [shape])
    assert idx.dtype == ember.int64
    assert y.grad_fn.name() != "SqueezeBackward1" or len(shape) == nd + 1

    def with_indices(m, x):
        f = getattr(_f(m), f"fractional_max_pool{nd}d_with_indices")
        return f(x, _random_samples=_lib_tensor(m, u.astype(np.float64)), **kw)

    check_op(with_indices, [shape], dtype=np.float64, seed=seed)


def test_fractional_max_pool_many_random_windows():
    """Window placement for many sizes and samples: indices equal torch's exactly."""
    rng = np.random.default_rng(0)
    for _ in range(40):
        nd = int(rng.integers(2, 4))
        spatial = rng.integers(2, 12, nd)
        strict = nd == 3  # the 3-D pool wants out + k - 1 < size, the 2-D one <=
        k = [int(rng.integers(1, s + 1 - strict)) for s in spatial]
        out = [int(rng.integers(1, s - kk + 2 - strict)) for s, kk in zip(spatial, k)]
        shape = (2, 2, *map(int, spatial))
        u = _samples(shape, nd, int(rng.integers(1 << 30)), batch=3)

        def fn(m, x, k=k, out=out, u=u, nd=nd):
            f = getattr(_f(m), f"fractional_max_pool{nd}d")
            return f(x, k, out, return_indices=True, _random_samples=_lib_tensor(m, u))

        check_op(fn, [shape], grad=False)


def test_fractional_max_pool_ties_and_nan():
    a = np.ones((1, 2, 6, 6), np.float32)
    a[0, 1, 1, 1] = a[0, 1, 2, 2] = a[0, 1, 4, 3] = np.nan
    a[0, 0, 3:, 3:] = -np.inf
    u = np.array([[[0.3, 0.6], [0.9, 0.1]]], np.float32)

    def fn(m, x):
        return _f(m).fractional_max_pool2d(
            x, 3, output_size=3, return_indices=True, _random_samples=_lib_tensor(m, u)
        )

    check_op(fn, [a], grad=False)


def test_fractional_max_pool_draws_samples():
    x = ember.randn(2, 3, 10, 9, requires_grad=True)
    ember.manual_seed(5)
    y, idx = ember.nn.functional.fractional_max_pool2d(x, 2, output_size=4, return_indices=True)
    ember.manual_seed(5)
    u = ember.rand(2, 3, 2)
    again = _f(ember).fractional_max_pool2d(x, 2, 4, None, True, u)[1]
    np.testing.assert_array_equal(idx.numpy(), again.numpy())
    picked = x.detach().flatten(2).gather(2, idx.flatten(2)).reshape(2, 3, 4, 4)
    np.testing.assert_array_equal(y.detach().numpy(), picked.numpy())
    # windows step by 2 or 3 over 10 rows and 9 columns: the maxima move down and right
    rows, cols = idx.numpy() // 9, idx.numpy() % 9
    assert (rows[..., 1:, :] > rows[..., :-1, :]).all() and (cols[..., 1:] > cols[..., :-1]).all()
    assert rows.max() <= 9 and cols.max() <= 8
    y.sum().backward()
    assert x.grad.sum().item() == 2 * 3 * 4 * 4  # each output's gradient reaches its maximum
    y3 = _f(ember).fractional_max_pool3d(ember.randn(3, 6, 7, 8), 3, output_ratio=(0.5, 0.6, 0.7))
    assert tuple(y3.shape) == (3, 3, 4, 5)


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_max_pool_module(nd):
    shape = (2, 3) + (7,) * nd
    u = torch.tensor(_samples(shape, nd))
    for kw in (dict(output_size=4), dict(output_ratio=0.5), dict(output_size=(5,) * nd)):

        def make(nn, kw=kw):
            cls = getattr(nn, f"FractionalMaxPool{nd}d")
            return cls(2, _random_samples=ember.tensor(u.numpy()) if nn is ember.nn else u, **kw)

        check_module(make, [shape])
    tm = getattr(torch.nn, f"FractionalMaxPool{nd}d")(3, output_ratio=0.5, return_indices=True)
    em = getattr(ember.nn, f"FractionalMaxPool{nd}d")(3, output_ratio=0.5, return_indices=True)
    assert repr(em) == repr(tm)
    names = ("kernel_size", "output_size", "output_ratio", "return_indices")
    assert [getattr(em, n) for n in names] == [getattr(tm, n) for n in names]
    assert list(em.state_dict()) == list(tm.state_dict()) == []
    assert tuple(em(ember.randn(*shape))[1].shape) == (2, 3) + (3,) * nd


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_max_pool_module_errors(nd):
    def new(**kw):
        return lambda m: getattr(m.nn, f"FractionalMaxPool{nd}d")(3, **kw)

    e = check_raises(new())
    assert str(e) == (
        f"FractionalMaxPool{nd}d requires specifying either an output size, or a pooling ratio"
    )
    e = check_raises(new(output_size=2, output_ratio=0.5))
    assert str(e) == "only one of output_size and output_ratio may be specified"
    e = check_raises(new(output_ratio=1.5))
    assert str(e) == "output_ratio must be between 0 and 1 (got 1.5)"
    e = check_raises(new(output_ratio=(0.5,) * (nd - 1) + (1.0,)))
    assert str(e).startswith("output_ratio must be between 0 and 1 (got (0.5, ")


FRACTIONAL_ERRORS = [
    (2, (2, 3, 9, 9), dict(), "requires specifying either an output_size or an output_ratio"),
    (2, (2, 3, 9, 9), dict(output_size=8), "pool height 3 too large relative to input height 9"),
    (2, (2, 3, 9, 9), dict(output_size=(2, 8)), "pool width 3 too large relative to input width"),
    (2, (2, 3, 9, 9), dict(output_size=(2, 2, 2)), "output_size must either be a single Int"),
    (2, (2, 3, 9, 9), dict(output_ratio=(0.5,) * 3), "output_ratio to either be a single Int"),
    (2, (2, 3, 9, 9), dict(output_size=(4, -4)), "negative dimension -4: [2, 3, 4, -4]"),
    (2, (2, 0, 9, 9), dict(output_size=2), "but got[2, 0, 9, 9] with dimension 1 being empty."),
    (2, (2, 3, 2, 9, 9), dict(output_size=2), "Expected 3D or 4D tensor, but got: [2, 3, 2, 9, 9]"),
    (2, (9, 9), dict(output_size=2), "Dimension out of range"),
    (3, (2, 3, 7, 8, 9), dict(output_size=(6, 4, 4)), "pool time 3 too large relative to input"),
    (3, (2, 3, 7, 8, 9), dict(output_size=(4, 6, 4)), "pool height 3 too large relative"),
    (3, (2, 3, 7, 8, 9), dict(output_size=(4, 4)), "tuple of three Ints"),
    (3, (2, 3, 0, 4, 4), dict(output_size=1), "fractional_max_pool3d_out(): Expected input"),
]


@pytest.mark.parametrize("nd,shape,kw,msg", FRACTIONAL_ERRORS)
def test_fractional_max_pool_errors(nd, shape, kw, msg):
    a = np.ones(shape, np.float32)
    e = check_raises(
        lambda m: getattr(_f(m), f"fractional_max_pool{nd}d")(_lib_tensor(m, a), 3, **kw)
    )
    assert msg in str(e)


@pytest.mark.parametrize(
    "samples,msg",
    [
        (np.ones((2, 3, 3), np.float32) / 2, "Expect _random_samples.size(2) equals to 2; got 3."),
        (np.ones((1, 3, 2), np.float32) / 2, "size(0) no less then input batch size."),
        (np.ones((2, 4, 2), np.float32) / 2, "size(1) equals to input channel size."),
        (np.ones((2, 3, 2), np.float64) / 2, "to have the same dtype as input"),
        (np.ones((2, 3, 2, 1), np.float32) / 2, "to have 3 dimensions, got 4"),
    ],
)
def test_fractional_max_pool_sample_errors(samples, msg):
    a = np.ones((2, 3, 9, 9), np.float32)

    def fn(m):
        return _f(m).fractional_max_pool2d(
            _lib_tensor(m, a), 3, output_size=4, _random_samples=_lib_tensor(m, samples)
        )

    assert msg in str(check_raises(fn))


def test_fractional_max_pool_int_input():
    a = np.ones((2, 3, 9, 9), np.int32)
    check_raises(lambda m: _f(m).fractional_max_pool2d(_lib_tensor(m, a), 3, output_size=4))


@pytest.mark.parametrize("k", [0, (-1, 2)])
def test_fractional_max_pool_refuses_empty_windows(k):
    # torch returns -inf and indices outside the input here; Ember refuses
    x = ember.randn(1, 1, 5, 5)
    with pytest.raises(RuntimeError, match="kernel_size must be greater than zero"):
        _f(ember).fractional_max_pool2d(x, k, output_size=2)


@pytest.mark.parametrize("nd,shape,kw", FRACTIONAL)
def test_fractional_max_pool_seeded_draws_match_torch(nd, shape, kw):
    """Without samples both draw rand(N, C, nd) from their generator: same seed, same windows."""

    def fn(m, x):
        m.manual_seed(7)
        return getattr(_f(m), f"fractional_max_pool{nd}d")(x, return_indices=True, **kw)

    check_op(fn, [shape])
    m_kw = {k: v for k, v in kw.items() if k != "kernel_size"}

    def module(m, x):
        m.manual_seed(8)
        return getattr(m.nn, f"FractionalMaxPool{nd}d")(kw["kernel_size"], **m_kw)(x)

    check_op(module, [shape])


def test_double_backward():
    y0, idx = _pooled(2, (2, 3, 6, 6), dict(kernel_size=2))
    u = _samples((2, 3, 6, 6), 2)

    def fn(m, x, v):
        F = _f(m)
        y = F.lp_pool2d(x, 2, 2) + F.fractional_max_pool2d(
            x, 2, output_size=3, _random_samples=_lib_tensor(m, u)
        )
        z = F.max_unpool2d(v, _lib_tensor(m, idx.numpy()), 2)
        gx, gv = m.autograd.grad((y * y).sum() + (z * z * x).sum(), (x, v), create_graph=True)
        return (gx * gx).sum() + (gv * gv).sum()

    check_op(fn, [(2, 3, 6, 6), y0.numpy()], low=0.5, rtol=1e-3, atol=1e-3)
