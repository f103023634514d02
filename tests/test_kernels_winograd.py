"""Winograd convolution (ember/kernels/winograd.py): differential tests against torch.

Every case here is one the Winograd path takes (asserted), in the kernel alone and through
``ember.nn.functional.conv2d`` with its gradients (the stride-1 input gradient is itself a
Winograd convolution; the weight gradient stays on im2col).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import ember
from ember.kernels import _work
from ember.kernels import conv as K
from ember.kernels import winograd as WG

DEFAULT = WG.ENABLED  # as imported, before the fixture below switches it on
# float32: sums of hundreds of products, compared relative to the output's largest value
TOL = {np.float32: (1e-4, 2e-5), np.float64: (1e-10, 1e-10)}

CASES = [
    # (N, C, H, W, C_out, k, padding)
    (4, 16, 16, 16, 16, 5, 2),  # the seed's layers, smaller
    (1, 17, 9, 11, 20, 5, 2),  # batch 1, odd sizes: output tiles cut at the edge
    (3, 16, 13, 12, 24, 5, 0),  # no padding: 9x8 output
    (2, 20, 10, 7, 16, 5, 1),  # 8x5 output, padding narrower than the kernel's reach
    (2, 16, 9, 9, 18, 3, 1),  # 3x3 on F(4x4, 3x3): 9x9 output, three tiles cut
    (2, 24, 12, 10, 16, 3, 0),  # 3x3, 10x8 output
    (2, 16, 8, 8, 16, 3, 2),  # padding beyond the 3x3 kernel's reach
]


@pytest.fixture(autouse=True)
def winograd_on(monkeypatch):
    """The path is off by default (see winograd.ENABLED): these tests switch it on."""
    monkeypatch.setattr(WG, "ENABLED", True)


def test_off_by_default():
    assert DEFAULT is False


def _inputs(case, dtype, seed=0):
    n, c, h, w, co, k, _ = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    wt = (rng.standard_normal((co, c, k, k)) / np.sqrt(c * k * k)).astype(dtype)
    b = rng.standard_normal(co).astype(dtype)
    return x, wt, b


def _assert_close(got, want, dtype, name):
    want = want.detach().numpy() if isinstance(want, torch.Tensor) else want
    assert got.shape == want.shape and got.dtype == want.dtype, name
    rtol, atol = TOL[dtype]
    scale = max(float(np.abs(want).max()), 1.0)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * scale, err_msg=name)


def _out(case):
    _, _, h, w, _, k, p = case
    return (h + 2 * p - k + 1, w + 2 * p - k + 1)


@pytest.mark.parametrize("case", CASES)
def test_cases_take_the_winograd_path(case):
    n, c, h, w, co, k, p = case
    assert WG.applies(c, co, (k, k), _out(case), (1, 1), (1, 1), 1)
    # the input gradient: a full convolution of the output gradient, C_out -> C channels
    assert WG.applies(co, c, (k, k), (h, w), (1, 1), (1, 1), 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_kernel_matches_torch(case, dtype):
    x, w, b = _inputs(case, dtype)
    p = case[-1]
    xl = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    got = WG.conv2d_cl(xl, w, ((p, p), (p, p)), b)
    want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), 1, p)
    _assert_close(np.moveaxis(got, -1, 1), want, dtype, "winograd kernel")
    assert got.flags.c_contiguous


def test_asymmetric_padding_and_no_bias():
    x, w, _ = _inputs((2, 16, 11, 10, 16, 5, 0), np.float64)
    xl = np.moveaxis(x, 1, -1)  # a strided view: the kernel copies from any layout
    got = WG.conv2d_cl(xl, w, ((1, 3), (2, 0)))
    xp = np.pad(x, ((0, 0), (0, 0), (1, 3), (2, 0)))
    want = F.conv2d(torch.from_numpy(xp), torch.from_numpy(w))
    _assert_close(np.moveaxis(got, -1, 1), want, np.float64, "asymmetric padding")


@pytest.fixture
def spy(monkeypatch):
    """Counts the Winograd kernel's calls from conv.py."""
    calls = []
    real = WG.conv2d_cl

    def counted(*args, **kwargs):
        calls.append(args[0].shape)
        return real(*args, **kwargs)

    monkeypatch.setattr(WG, "conv2d_cl", counted)
    return calls


@pytest.mark.parametrize("layout", ["contiguous", "channels_last"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_functional_conv2d_and_grads_match_torch(case, dtype, layout, spy):
    x, w, b = _inputs(case, dtype, seed=1)
    p = case[-1]
    if layout == "channels_last":
        x = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    ex = ember.tensor(x.copy() if layout == "contiguous" else x).requires_grad_()
    ew = ember.tensor(w.copy()).requires_grad_()
    eb = ember.tensor(b.copy()).requires_grad_()
    tx = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_()
    tw = torch.from_numpy(w.copy()).requires_grad_()
    tb = torch.from_numpy(b.copy()).requires_grad_()
    ey = ember.nn.functional.conv2d(ex, ew, eb, padding=p)
    ty = F.conv2d(tx, tw, tb, padding=p)
    _assert_close(ey.detach().numpy(), ty, dtype, "forward")
    assert len(spy) == 1
    gy = np.random.default_rng(2).standard_normal(ty.shape).astype(dtype)
    ey.backward(ember.tensor(gy))
    ty.backward(torch.from_numpy(gy))
    assert len(spy) == 2  # the input gradient went through it too
    _assert_close(ex.grad.numpy(), tx.grad, dtype, "grad input")
    _assert_close(ew.grad.numpy(), tw.grad, dtype, "grad weight")
    _assert_close(eb.grad.numpy(), tb.grad, dtype, "grad bias")


def test_threads_and_pooled_buffers_equal_plain(spy):
    case = (9, 16, 12, 12, 16, 5, 2)  # 9 images: the threads' parts end in a short chunk
    x, w, b = _inputs(case, np.float32)
    before = ember.get_num_threads()
    ember.set_num_threads(2)
    try:
        fast = [K.conv2d_forward(x, w, b, 1, 2).copy() for _ in range(2)]
    finally:
        ember.set_num_threads(before)
    with _work.plain():
        plain = K.conv2d_forward(x, w, b, 1, 2)
    assert len(spy) == 3
    for f in fast:  # the chunks differ (whole batch against a part each): rounding may too
        np.testing.assert_allclose(f, plain, rtol=1e-5, atol=1e-6)


def test_small_or_few_channel_convolutions_stay_on_im2col():
    assert not WG.applies(3, 32, (5, 5), (32, 32), (1, 1), (1, 1), 1)  # RGB input
    assert not WG.applies(32, 32, (5, 5), (2, 2), (1, 1), (1, 1), 1)  # mostly padding
    assert not WG.applies(32, 32, (5, 5), (8, 8), (2, 2), (1, 1), 1)  # strided
    assert not WG.applies(32, 32, (5, 5), (8, 8), (1, 1), (2, 2), 1)  # dilated
    assert not WG.applies(32, 32, (5, 5), (8, 8), (1, 1), (1, 1), 2)  # grouped
    assert not WG.applies(32, 32, (7, 7), (8, 8), (1, 1), (1, 1), 1)  # no tile for 7x7
    assert not WG.applies(32, 32, (5, 3), (8, 8), (1, 1), (1, 1), 1)
    assert not WG.applies(32, 32, (5, 5), (8, 8), (1, 1), (1, 1), 1, np.float16)
    assert WG.applies(32, 32, (5, 5), (8, 8), (1, 1), (1, 1), 1, np.float64)


@pytest.mark.parametrize("m,r", [(2, 5), (4, 3), (2, 3)])
def test_transforms_compute_correlation_exactly(m, r):
    at, g, bt = WG.transforms(m, r)
    rng = np.random.default_rng(0)
    d = rng.standard_normal((m + r - 1, m + r - 1))
    k = rng.standard_normal((r, r))
    got = at @ ((g @ k @ g.T) * (bt @ d @ bt.T)) @ at.T
    want = np.array([[np.sum(k * d[i : i + r, j : j + r]) for j in range(m)] for i in range(m)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "c,co,size,bound", [(32, 32, 16, 4), (32, 64, 8, 4), (64, 32, 16, 6), (64, 64, 16, 6)]
)
def test_float32_error_within_a_few_times_im2col(c, co, size, bound, monkeypatch):
    """Against a float64 reference, Winograd's float32 error stays within a few times im2col's:
    measured 2-3x on the largest error on the seed's layers (32 channels), 4-5x with 64 input
    channels; about 3-4x on the RMS error."""
    rng = np.random.default_rng(3)
    xl = rng.standard_normal((8, size, size, c)).astype(np.float32)
    w = (rng.standard_normal((co, c, 5, 5)) / np.sqrt(25 * c)).astype(np.float32)
    pads = ((2, 2), (2, 2))
    wino = WG.conv2d_cl(xl, w, pads)
    monkeypatch.setattr(WG, "ENABLED", False)
    args = ((1, 1), pads, (1, 1), 1)
    ref = K._conv_cl(xl.astype(np.float64), w.astype(np.float64), *args)
    im2col = K._conv_cl(xl, w, *args)
    scale = np.abs(ref).max()
    err_w = np.abs(wino - ref).max() / scale
    err_i = np.abs(im2col - ref).max() / scale
    assert err_w < bound * err_i and err_w < 5e-6, (err_w, err_i)
