"""Spatial layers vs torch: pixel/channel shuffles, LRN, Softmax2d, InstanceNorm, Fold/Unfold,
padding and bicubic Upsample modules, affine_grid and grid_sample (modes, padding, corners)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op

import ember


def F(m):
    return m.nn.functional


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 3), 2), ((9, 2, 2), 3), ((1, 2, 4, 8, 1, 1), 2)])
def test_pixel_shuffle_and_unshuffle(shape, r):
    check_op(lambda m, x: F(m).pixel_shuffle(x, r), [shape])
    check_op(lambda m, x: m.nn.PixelShuffle(r)(x), [shape])
    out = (*shape[:-3], shape[-3] // (r * r), shape[-2] * r, shape[-1] * r)
    check_op(lambda m, x: F(m).pixel_unshuffle(x, r), [out])
    check_op(lambda m, x: m.nn.PixelUnshuffle(r)(x), [out])


def test_pixel_shuffle_round_trip_and_errors():
    x = ember.randn(2, 3, 4, 6)
    assert_close(F(ember).pixel_shuffle(F(ember).pixel_unshuffle(x, 2), 2), to_torch_(x))
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F(ember).pixel_shuffle(ember.randn(1, 3, 2, 2), 2)
    with pytest.raises(RuntimeError, match="height to be divisible by downscale_factor"):
        F(ember).pixel_unshuffle(ember.randn(1, 3, 3, 2), 2)


def to_torch_(x):
    return torch.tensor(x.numpy())


@pytest.mark.parametrize("shape,g", [((2, 6, 3, 3), 3), ((2, 4, 5), 2), ((1, 6, 2, 2, 2), 2)])
def test_channel_shuffle(shape, g):
    check_op(lambda m, x: m.nn.ChannelShuffle(g)(x), [shape])
    check_op(lambda m, x: F(m).channel_shuffle(x, g), [shape])


@pytest.mark.parametrize(
    "shape,kw",
    [((2, 6, 3, 3), dict(size=3)), ((2, 5, 7), dict(size=4, alpha=0.1, beta=0.5, k=2.0)),
     ((1, 4, 2, 2, 3), dict(size=2)), ((2, 3, 4, 4), dict(size=5, alpha=1.0))],
)  # fmt: skip
def test_local_response_norm(shape, kw):
    check_op(lambda m, x: m.nn.LocalResponseNorm(**kw)(x), [shape])
    assert repr(ember.nn.LocalResponseNorm(**kw)) == repr(torch.nn.LocalResponseNorm(**kw))


def test_softmax2d():
    check_op(lambda m, x: m.nn.Softmax2d()(x), [(2, 3, 4, 5)])
    check_op(lambda m, x: m.nn.Softmax2d()(x), [(3, 4, 5)])
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
        ember.nn.Softmax2d()(ember.randn(3, 4))


@pytest.mark.parametrize(
    "cls,shape", [("InstanceNorm1d", (3, 4, 7)), ("InstanceNorm2d", (2, 4, 3, 5)),
                  ("InstanceNorm3d", (2, 4, 2, 3, 3)), ("InstanceNorm2d", (4, 3, 5))],
)  # fmt: skip
@pytest.mark.parametrize("affine,track", [(False, False), (True, False), (True, True)])
def test_instance_norm(cls, shape, affine, track):
    t = getattr(torch.nn, cls)(4, affine=affine, track_running_stats=track)
    e = getattr(ember.nn, cls)(4, affine=affine, track_running_stats=track)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    x = np.random.default_rng(0).uniform(-2, 3, shape).astype(np.float32)
    for _ in range(2):  # two training steps move the running stats
        tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
        to, eo = t(tx), e(ex)
        assert_close(eo, to)
        (to * to).sum().backward()
        (eo * eo).sum().backward()
        assert_close(ex.grad, tx.grad, atol=1e-4)
    for k, v in t.state_dict().items():
        assert_close(e.state_dict()[k], v, msg=k)
    t.eval(), e.eval()
    assert_close(e(ember.tensor(x)), t(torch.tensor(x)))


def test_instance_norm_errors():
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        ember.nn.InstanceNorm2d(3)(ember.randn(3, 4))
    with pytest.raises(ValueError, match="to match num_features"):
        ember.nn.InstanceNorm1d(3, affine=True)(ember.randn(2, 4, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        ember.nn.InstanceNorm1d(3)(ember.randn(2, 4, 5))


def test_fold_unfold_modules():
    check_op(lambda m, x: m.nn.Unfold(2, padding=1, stride=2)(x), [(2, 3, 5, 4)])
    check_op(lambda m, x: m.nn.Fold((4, 5), 2)(x), [(2, 12, 12)])
    check_op(lambda m, x: m.nn.Fold((5, 5), (2, 3), dilation=1, padding=1, stride=2)(x),
             [(1, 12, 9)])  # fmt: skip
    assert repr(ember.nn.Fold((4, 5), 2)) == repr(torch.nn.Fold((4, 5), 2))
    assert repr(ember.nn.Unfold(3, stride=2)) == repr(torch.nn.Unfold(3, stride=2))


@pytest.mark.parametrize(
    "name,arg",
    [("ZeroPad2d", (1, 2, 0, 3)), ("ConstantPad2d", (2, 1)), ("ReflectionPad2d", 2),
     ("ReplicationPad2d", (1, 0, 2, 1))],
)  # fmt: skip
def test_padding_modules(name, arg):
    if name == "ConstantPad2d":
        check_op(lambda m, x: getattr(m.nn, name)(*arg)(x), [(2, 3, 4, 5)])
        return
    check_op(lambda m, x: getattr(m.nn, name)(arg)(x), [(2, 3, 4, 5)])
    assert repr(getattr(ember.nn, name)(arg)) == repr(getattr(torch.nn, name)(arg))


@pytest.mark.parametrize("align", [False, True])
def test_upsample_bicubic(align):
    check_op(
        lambda m, x: m.nn.Upsample(scale_factor=2, mode="bicubic", align_corners=align)(x),
        [(2, 3, 4, 5)],
    )
    check_op(lambda m, x: m.nn.Upsample(size=(7, 3), mode="bicubic")(x), [(1, 2, 4, 5)])
    check_op(
        lambda m, x: F(m).interpolate(x, scale_factor=1.7, mode="bicubic", align_corners=align),
        [(1, 2, 5, 3)],
    )


# --- affine_grid / grid_sample ------------------------------------------------------------------
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 3, 2, 4, 5)])
def test_affine_grid(align, size):
    theta = (2, 2, 3) if len(size) == 4 else (2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unit-size grids warn in both
        check_op(lambda m, t: F(m).affine_grid(t, size, align_corners=align), [theta])
        check_op(lambda m, t: F(m).affine_grid(t, size, align_corners=align), [theta],
                 dtype=np.float64)  # fmt: skip


def test_affine_grid_errors_and_default_warning():
    with pytest.raises(ValueError, match="Expected a batch of 2D affine matrices of shape Nx2x3"):
        F(ember).affine_grid(ember.randn(1, 3, 3), (1, 1, 2, 2), align_corners=False)
    with pytest.raises(ValueError, match="Expected theta to have floating point type"):
        F(ember).affine_grid(ember.zeros(1, 2, 3, dtype=ember.int64), (1, 1, 2, 2), False)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F(ember).affine_grid(ember.randn(1, 2, 3), (1, 1, 2, 2))


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grid_sample_bilinear(align, padding_mode, dtype):
    def fn(m, x, g):
        return F(m).grid_sample(x, g, padding_mode=padding_mode, align_corners=align)

    # locations beyond [-1, 1] (several reflections) and inside
    check_op(fn, [(2, 3, 5, 6), (2, 4, 3, 2)], low=-3.5, high=3.5, atol=1e-5, dtype=dtype)
    check_op(fn, [(1, 2, 1, 4), (1, 2, 2, 2)], low=-1.0, high=1.0, atol=1e-5, dtype=dtype)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_nearest(align, padding_mode):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
    g = rng.uniform(-2.5, 2.5, (2, 4, 3, 2)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    kw = dict(mode="nearest", padding_mode=padding_mode, align_corners=align)
    to = torch.nn.functional.grid_sample(tx, torch.tensor(g), **kw)
    eo = F(ember).grid_sample(ex, ember.tensor(g), **kw)
    assert_close(eo, to)
    w = rng.standard_normal(tuple(to.shape)).astype(np.float32)
    (to * torch.tensor(w)).sum().backward()
    (eo * ember.tensor(w)).sum().backward()
    assert_close(ex.grad, tx.grad)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_affine_grid_sample_on_pixel_centres_and_borders(align, padding_mode):
    # the identity and a stretch land exactly on pixel centres and image borders, where the
    # gradient is one-sided: the grid must round as torch's and the borders count as outside
    theta = np.array([[[1.0, 0, 0], [0, 1.0, 0]], [[0.5, 0, 0.5], [0, 2.0, -1.0]]], np.float32)

    def fn(m, x, t):
        g = F(m).affine_grid(t, (2, 2, 4, 5), align_corners=align)
        return F(m).grid_sample(x, g, padding_mode=padding_mode, align_corners=align)

    check_op(fn, [(2, 2, 4, 5), theta], atol=1e-5)


def test_spatial_transformer_identity_and_second_derivative():
    # the identity affine grid with align_corners=False reproduces the image exactly
    x = ember.randn(2, 3, 4, 5)
    theta = ember.tensor([[[1.0, 0, 0], [0, 1.0, 0]]] * 2)
    grid = F(ember).affine_grid(theta, x.shape, align_corners=False)
    assert_close(F(ember).grid_sample(x, grid, align_corners=False), to_torch_(x), atol=1e-6)

    def fn(m, t, img):
        g = F(m).affine_grid(t, (1, 2, 3, 3), align_corners=True)
        return F(m).grid_sample(img, g, align_corners=True)

    e_in = [ember.tensor([[[0.9, 0.2, 0.1], [-0.3, 1.1, 0.05]]], requires_grad=True),
            ember.randn(1, 2, 3, 3, requires_grad=True)]  # fmt: skip
    t_in = [torch.tensor(a.detach().numpy(), requires_grad=True) for a in e_in]
    (ge,) = ember.autograd.grad(fn(ember, *e_in).pow(2).sum(), e_in[0], create_graph=True)
    (gt,) = torch.autograd.grad(fn(torch, *t_in).pow(2).sum(), t_in[0], create_graph=True)
    assert_close(ge, gt, atol=1e-5)
    (hh_e,) = ember.autograd.grad(ge.sum(), e_in[1])
    (hh_t,) = torch.autograd.grad(gt.sum(), t_in[1])
    assert_close(hh_e, hh_t, atol=1e-5)


def test_grid_sample_errors():
    x = ember.randn(1, 1, 3, 3)
    g = ember.randn(1, 2, 2, 2)
    with pytest.raises(ValueError, match="expected mode to be 'bilinear', 'nearest' or 'bicubic'"):
        F(ember).grid_sample(x, g, mode="area", align_corners=False)
    with pytest.raises(ValueError, match="expected padding_mode to be 'zeros', 'border'"):
        F(ember).grid_sample(x, g, padding_mode="wrap", align_corners=False)
    with pytest.raises(RuntimeError, match="expected grid and input to have same batch size"):
        F(ember).grid_sample(x, ember.randn(2, 2, 2, 2), align_corners=False)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F(ember).grid_sample(x, g)
