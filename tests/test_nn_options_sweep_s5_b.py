"""Differential sweep of the less common options of nn layers, second part: interpolation, grid
sampling, folding, shuffles, padding and pooling arguments, against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op
from nn_helpers import both as _both
from nn_helpers import check_module
from nn_helpers import same_error as _same_error

import ember

# --- interpolation ----------------------------------------------------------------------------

_INTERP_SHAPES = {1: (2, 3, 7), 2: (2, 3, 6, 7), 3: (1, 2, 4, 5, 3)}
_INTERP_MODES = {
    1: ["nearest", "nearest-exact", "linear", "area"],
    2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
    3: ["nearest", "nearest-exact", "trilinear", "area"],
}
_SIZING = [
    dict(size=5),
    dict(scale_factor=1.7),
    dict(scale_factor=0.6),
    dict(scale_factor=1.7, recompute_scale_factor=True),
    dict(scale_factor=0.45, recompute_scale_factor=False),
    "mixed",
]


def _interp_cases():
    for nd, modes in _INTERP_MODES.items():
        for mode in modes:
            interpolating = mode not in ("nearest", "nearest-exact", "area")
            for ac in (None, True, False) if interpolating else (None,):
                for sizing in _SIZING:
                    if sizing == "mixed":
                        sizing = dict(scale_factor=(2.5,) * (nd - 1) + (0.5,))
                    yield nd, mode, ac, sizing


@pytest.mark.parametrize("nd, mode, align_corners, sizing", list(_interp_cases()))
def test_interpolate_modes_match_torch(nd, mode, align_corners, sizing):
    def fn(lib, x):
        return lib.nn.functional.interpolate(x, mode=mode, align_corners=align_corners, **sizing)

    check_op(fn, [_INTERP_SHAPES[nd]])


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize(
    "sizing",
    [
        dict(size=(3, 4)),
        dict(scale_factor=0.4),
        dict(size=(9, 2)),
        dict(scale_factor=0.3, recompute_scale_factor=True),
        dict(scale_factor=1.5, align_corners=True),
    ],
)
def test_interpolate_antialias(mode, sizing):
    if mode == "lanczos" and sizing.get("align_corners"):
        sizing = dict(sizing, align_corners=False)

    def fn(lib, x):
        return lib.nn.functional.interpolate(x, mode=mode, antialias=True, **sizing)

    y = check_op(fn, [(2, 3, 7, 8)], atol=1e-4)
    assert y.grad_fn.name() == f"Upsample{mode.capitalize()}2DAaBackward0"


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.Upsample(scale_factor=2, mode="bilinear"),
        lambda nn: nn.Upsample(size=(5, 9), mode="bicubic", align_corners=True),
        lambda nn: nn.Upsample(scale_factor=(1.5, 0.5), mode="nearest-exact"),
        lambda nn: nn.Upsample(scale_factor=0.7, mode="area", recompute_scale_factor=True),
        lambda nn: nn.UpsamplingBilinear2d(scale_factor=1.5),
        lambda nn: nn.UpsamplingNearest2d(size=9),
    ],
)
def test_upsample_modules(make):
    check_module(make, [(2, 3, 6, 7)])


_X4 = (1, 2, 4, 5)

_INTERP_ERRORS = [
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), scale_factor=2, align_corners=True),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), size=3, scale_factor=2),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), size=(3, 3, 3)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), scale_factor=(2, 2, 2)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), scale_factor=2, antialias=True),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), scale_factor=2, mode="cubic"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), scale_factor=2, mode="linear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2, 2, 2), size=3, mode="bicubic"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(2, 3), scale_factor=2),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), scale_factor=0),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 4), size=0, mode="linear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 4, 5), size=(2, -1, 2)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 0, 5), size=(3, 3), mode="bilinear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 0, 3, 5), size=(3, 3), mode="bilinear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), size=2.5),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), size=(2.5, 3)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), scale_factor=lib.tensor(2.0)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), size=3, recompute_scale_factor=True),
    lambda lib: lib.nn.functional.interpolate(lib.ones(*_X4), size=3, mode="lanczos"),
    lambda lib: lib.nn.functional.interpolate(
        lib.ones(*_X4), size=3, mode="lanczos", antialias=True, align_corners=True
    ),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 4), size=3, antialias=True),
]
for _dtype in ("int64", "bool", "uint8"):
    for _shape, _modes in (
        ((1, 2, 5), ("nearest", "nearest-exact", "linear", "area")),
        ((1, 2, 4, 5), ("nearest", "bilinear", "bicubic", "area")),
        ((1, 2, 3, 4, 5), ("nearest-exact", "trilinear", "area")),
    ):
        for _mode in _modes:
            if _dtype == "uint8" and _mode in ("nearest", "nearest-exact", "bilinear", "bicubic"):
                continue  # torch resamples those
            _INTERP_ERRORS.append(
                lambda lib, d=_dtype, s=_shape, m=_mode: lib.nn.functional.interpolate(
                    lib.zeros(s, dtype=getattr(lib, d)), scale_factor=2, mode=m
                )
            )
_INTERP_ERRORS.append(
    lambda lib: lib.nn.functional.interpolate(
        lib.zeros(1, 2, 4, 5, dtype=lib.int32), size=3, mode="bilinear", antialias=True
    )
)


@pytest.mark.parametrize("fn", _INTERP_ERRORS)
def test_interpolate_bad_arguments_raise_as_torch(fn):
    _same_error(fn)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
def test_interpolate_uint8_and_integer_tensor_sizes(mode):
    x = np.random.default_rng(0).integers(0, 256, (1, 2, 5, 6)).astype(np.uint8)

    def run(lib):
        size = (lib.tensor(7), 4)  # a shape entry may be a 0-dim integer tensor
        return lib.nn.functional.interpolate(lib.tensor(x), size=size, mode=mode)

    t, e = _both(run)
    assert e.dtype == ember.uint8 and tuple(e.shape) == tuple(t.shape)
    diff = np.abs(e.numpy().astype(int) - t.numpy().astype(int))
    # torch's fixed point arithmetic rounds its own way (bicubic overshoots, clamped)
    assert diff.max() <= (2 if mode == "bicubic" else 1)


# --- grid_sample / affine_grid ----------------------------------------------------------------


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize(  # torch's bicubic is 4-D only (its error is tested below)
    "nd, mode", [(2, "bilinear"), (2, "nearest"), (2, "bicubic"), (3, "bilinear"), (3, "nearest")]
)
def test_grid_sample_modes_and_padding(mode, padding_mode, align_corners, nd):
    shapes = [(2, 3, 5, 6), (2, 4, 3, 2)] if nd == 2 else [(2, 2, 3, 4, 5), (2, 2, 3, 2, 3)]

    def fn(lib, x, g):
        kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
        return lib.nn.functional.grid_sample(x, g, **kw)

    # locations inside and beyond [-1, 1] (reflected more than once)
    check_op(fn, shapes, low=-2.6, high=2.6, atol=1e-4)


def test_grid_sample_on_an_affine_grid_5d():
    theta = np.array([[[0.9, 0.1, 0, 0.1], [0, 1.1, 0.2, 0], [0.1, 0, 0.8, -0.2]]], np.float32)

    def fn(lib, x, t):
        g = lib.nn.functional.affine_grid(t, (1, 2, 3, 4, 5), align_corners=False)
        return lib.nn.functional.grid_sample(x, g, align_corners=False)

    check_op(fn, [(1, 2, 3, 4, 5), theta], atol=1e-5)


_GRID_ERRORS = [
    lambda lib: lib.nn.functional.grid_sample(
        lib.ones(1, 2, 3, 4, 5), lib.zeros(1, 2, 2, 2, 3), mode="bicubic", align_corners=False
    ),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 5), lib.zeros(2, 4, 2)),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 5, 6), lib.zeros(2, 4, 2)),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 4, 5, 6), lib.zeros(2, 4, 7, 2)),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 5, 6), lib.zeros(3, 4, 7, 2)),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 0, 6), lib.zeros(2, 4, 7, 2)),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 5, 6).double(), lib.zeros(2, 4, 7, 2)),
    lambda lib: lib.nn.functional.grid_sample(
        lib.ones(2, 3, 4, 5, 6).long(), lib.zeros(2, 4, 7, 2, 3)
    ),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3, 5, 6), lib.zeros(2, 4, 7, 2), "cubic"),
    lambda lib: lib.nn.functional.grid_sample(
        lib.ones(2, 3, 5, 6), lib.zeros(2, 4, 7, 2), padding_mode="wrap"
    ),
    lambda lib: lib.nn.functional.affine_grid(lib.zeros(2, 3, 3), (2, 3, 4, 5), False),
    lambda lib: lib.nn.functional.affine_grid(lib.zeros(2, 2, 3), (2, 3, 4), False),
    lambda lib: lib.nn.functional.affine_grid(lib.zeros(2, 2, 3), [2, 3, 0, 5], False),
    lambda lib: lib.nn.functional.affine_grid(lib.zeros(3, 2, 3), (2, 3, 4, 5), False),
]


@pytest.mark.parametrize("fn", _GRID_ERRORS)
def test_grid_sample_bad_arguments_raise_as_torch(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # align_corners' default warns
        _same_error(fn)


# --- fold / unfold, shuffles, padding ---------------------------------------------------------


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), (2, 3, 6, 7)),
        (lambda nn: nn.Unfold(2, stride=2), (3, 6, 7)),
        (lambda nn: nn.Fold((6, 7), (2, 3), dilation=(1, 2), padding=1, stride=2), (2, 18, 12)),
        (lambda nn: nn.Fold(4, 2, stride=2), (12, 4)),
        (lambda nn: nn.PixelShuffle(2), (2, 8, 3, 4)),
        (lambda nn: nn.PixelShuffle(3), (9, 2, 2)),
        (lambda nn: nn.PixelShuffle(2), (2, 2, 8, 3, 4)),
        (lambda nn: nn.PixelUnshuffle(2), (2, 2, 4, 6)),
        (lambda nn: nn.PixelUnshuffle(2), (1, 2, 2, 4, 6)),
        (lambda nn: nn.ChannelShuffle(3), (2, 6, 3, 4)),
        (lambda nn: nn.ChannelShuffle(2), (2, 6, 5)),
    ],
)
def test_fold_and_shuffle_modules(make, shape):
    check_module(make, [shape])


def _pad_cases():
    for nd in (1, 2, 3):
        shape = (2, 3, *(4, 5, 3)[:nd])
        pads = (1, 2, 0, 1, 2, 1)[: 2 * nd]
        crops = (-1, 2, 1, -1, 0, 1)[: 2 * nd]
        for cls, kw in (
            ("ZeroPad", {}),
            ("ConstantPad", {"value": 1.5}),
            ("ReflectionPad", {}),
            ("ReplicationPad", {}),
            ("CircularPad", {}),
        ):
            for padding, x in ((1, shape), (pads, shape), (pads, shape[1:]), (crops, shape)):
                yield f"{cls}{nd}d", padding, kw, x


@pytest.mark.parametrize("cls, padding, kw, shape", list(_pad_cases()))
def test_padding_modules(cls, padding, kw, shape):
    check_module(lambda nn: getattr(nn, cls)(padding, **kw), [shape])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "shape, pads",
    [
        ((2, 3, 6), (-1, 2)),
        ((2, 3, 6, 5), (1, -2, -1, 2)),
        ((1, 2, 5, 6, 4), (-1, 1, 2, -2, 1, 0)),
        ((2, 6), (2, -1)),
        ((3, 6, 5), (1, -1, 2, 2)),
        ((2, 3, 6, 5), (-2, -1, -1, -2)),
    ],
)
def test_pad_modes_with_negative_pads(mode, shape, pads):
    kw = {"value": 2.0} if mode == "constant" else {}
    check_op(lambda lib, x: lib.nn.functional.pad(x, pads, mode=mode, **kw), [shape])


_MISC_ERRORS = [
    lambda lib: lib.nn.Unfold(2)(lib.ones(2, 3, 4, 5, 6)),
    lambda lib: lib.nn.Unfold(5)(lib.ones(2, 3, 4, 4)),
    lambda lib: lib.nn.Unfold(2, stride=0)(lib.ones(2, 3, 4, 4)),
    lambda lib: lib.nn.Unfold(2, padding=-1)(lib.ones(2, 3, 4, 4)),
    lambda lib: lib.nn.Unfold(2, dilation=0)(lib.ones(2, 3, 4, 4)),
    lambda lib: lib.nn.Unfold(0)(lib.ones(2, 3, 4, 4)),
    lambda lib: lib.nn.Unfold((2, 2, 2))(lib.ones(1, 3, 4, 4)),
    lambda lib: lib.nn.Unfold(2)(lib.ones(1, 2, 4, 4).long()),
    lambda lib: lib.nn.Fold(4, 2)(lib.ones(2, 7, 9)),
    lambda lib: lib.nn.Fold(4, 2)(lib.ones(2, 8, 5)),
    lambda lib: lib.nn.Fold(4, 2)(lib.ones(2, 8, 9, 1)),
    lambda lib: lib.nn.Fold(4, 2, stride=0)(lib.ones(2, 12, 4)),
    lambda lib: lib.nn.Fold(4, 2, padding=-1)(lib.ones(2, 12, 4)),
    lambda lib: lib.nn.Fold(4, 2, dilation=(1, 1, 1))(lib.ones(2, 12, 4)),
    lambda lib: lib.nn.Fold(3, 2)(lib.ones(1, 4, 4, dtype=lib.int32)),
    lambda lib: lib.nn.PixelShuffle(2)(lib.ones(2, 6, 3, 4)),
    lambda lib: lib.nn.PixelShuffle(2)(lib.ones(8, 4)),
    lambda lib: lib.nn.PixelShuffle(0)(lib.ones(2, 2, 4, 6)),
    lambda lib: lib.nn.PixelUnshuffle(2)(lib.ones(2, 2, 5, 6)),
    lambda lib: lib.nn.PixelUnshuffle(0)(lib.ones(2, 2, 4, 6)),
    lambda lib: lib.nn.ChannelShuffle(4)(lib.ones(2, 6, 3, 4)),
    lambda lib: lib.nn.ChannelShuffle(0)(lib.ones(2, 6, 3, 4)),
    lambda lib: lib.nn.ChannelShuffle(2)(lib.ones(2, 6)),
    lambda lib: lib.nn.ReflectionPad2d(4)(lib.ones(1, 2, 4, 5)),
    lambda lib: lib.nn.CircularPad1d(5)(lib.ones(1, 2, 4)),
    lambda lib: lib.nn.ReplicationPad3d(1)(lib.ones(2, 2, 2, 2, 2, 2)),
    lambda lib: lib.nn.ReflectionPad1d(1)(lib.ones(1, 2, 0)),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (1,)),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3), (1, 1, 1, 1, 1, 1)),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (4, 0), mode="reflect"),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (1, 0), mode="wrap"),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (1, 0), mode="reflect", value=1.0),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (-3, -2)),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (-3, -2), mode="circular"),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 6, 5), (2, 1), mode="replicate"),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (1.5, 1)),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (1, 1), mode=None),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), lib.tensor([1, 1])),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), np.array([1, 1])),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4), (1, 1), value=lib.ones(2)),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4).bool(), (1, 1), mode="reflect"),
    lambda lib: lib.nn.functional.pad(lib.ones(2, 3, 4, 4).bool(), (1, 1, 1, 1), "replicate"),
]


@pytest.mark.parametrize("fn", _MISC_ERRORS)
def test_fold_shuffle_pad_bad_arguments_raise_as_torch(fn):
    _same_error(fn)


def test_fold_shuffle_pad_reprs():
    def build(nn):
        return nn.Sequential(
            nn.Unfold((2, 3), dilation=2, padding=(1, 0)),
            nn.Fold(4, 2, 1, 0, 2),
            nn.PixelShuffle(2),
            nn.PixelUnshuffle(3),
            nn.ChannelShuffle(2),
            nn.ZeroPad1d((1, 2)),
            nn.ConstantPad2d([1, 2, 0, 1], 1.5),
            nn.ReflectionPad3d(1),
            nn.ReplicationPad1d((0, 2)),
            nn.CircularPad2d((1, 0, 2, 1)),
        )

    assert repr(build(ember.nn)) == repr(build(torch.nn))


# --- pooling arguments ------------------------------------------------------------------------

_P1, _P2, _P3 = (1, 2, 8), (1, 2, 8, 8), (1, 2, 8, 8, 8)
_POOL_ARGUMENT_ERRORS = [
    lambda F, o: F.max_pool3d(o(*_P3), (2, 2)),
    lambda F, o: F.max_pool3d(o(*_P3), 2, (2, 2)),
    lambda F, o: F.max_pool3d(o(*_P3), 2, 2, (1, 1)),
    lambda F, o: F.max_pool3d(o(*_P3), 2, 2, 0, (1, 1)),
    lambda F, o: F.max_pool2d(o(*_P2), 2, 2, (1, 1, 1)),
    lambda F, o: F.max_pool2d(o(*_P2), ()),
    lambda F, o: F.avg_pool2d(o(*_P2), 2, (1, 1, 1)),
    lambda F, o: F.avg_pool3d(o(*_P3), (2, 2)),
    lambda F, o: F.avg_pool3d(o(*_P3), 2, 2, (1, 1)),
    lambda F, o: F.avg_pool1d(o(*_P1), (2, 2)),
    lambda F, o: F.avg_pool1d(o(*_P1), 2, (2, 2)),
    lambda F, o: F.max_pool1d(o(*_P1), 2, (2, 2)),
    lambda F, o: F.max_pool1d(o(*_P1), 2, 2, (1, 1)),
    lambda F, o: F.max_pool1d(o(*_P1), 2, 2, 0, (1, 1)),
    lambda F, o: F.max_pool1d(o(*_P1), (2, 2), return_indices=True),
    lambda F, o: F.avg_pool2d(o(*_P2), 2, ceil_mode=1),
    lambda F, o: F.avg_pool2d(o(*_P2), 2, count_include_pad=0),
    lambda F, o: F.avg_pool3d(o(*_P3), 2, divisor_override=2.0),
    lambda F, o: F.max_pool2d(o(*_P2), 2, ceil_mode=1, return_indices=True),
    lambda F, o: F.max_pool3d(o(*_P3), 2, ceil_mode=np.bool_(True)),
    lambda F, o: F.max_pool1d(o(*_P1), 2.0),
    lambda F, o: F.avg_pool3d(o(*_P3), 2.0),
    lambda F, o: F.max_pool3d(o(*_P3), (2.0, 2, 2)),
    lambda F, o: F.max_pool2d(o(*_P2), 2, 2, (0, 1.0)),
    lambda F, o: F.avg_pool2d(o(*_P2), 2, 2.0),
    lambda F, o: F.adaptive_avg_pool1d(o(*_P1).long(), 2),
    lambda F, o: F.adaptive_max_pool1d(o(*_P1).bool(), 2),
    lambda F, o: F.adaptive_avg_pool2d(o(*_P2).byte(), 3),
    lambda F, o: F.adaptive_max_pool2d(o(*_P2).long(), 3),
    lambda F, o: F.adaptive_avg_pool2d(o(*_P2).long(), 1),
    lambda F, o: F.max_pool2d(o(*_P2).bool(), 2),
    lambda F, o: F.max_pool3d(o(*_P3).bool(), 2),
    lambda F, o: F.max_pool1d(o(*_P1).bool(), 2, return_indices=True),
    lambda F, o: F.avg_pool1d(o(*_P1).bool(), 2),
]


@pytest.mark.parametrize("fn", _POOL_ARGUMENT_ERRORS)
def test_pool_argument_checks(fn):
    _same_error(lambda lib: fn(lib.nn.functional, lib.ones))


@pytest.mark.parametrize(
    "fn",
    [
        lambda F, x: F.max_pool2d(x, np.int64(2)),
        lambda F, x: F.max_pool2d(x, [2, 2], [2], [0, 0]),
        lambda F, x: F.avg_pool2d(x, (3, np.int32(2)), divisor_override=3),
        lambda F, x: F.max_pool2d(x, 2, ()),
        lambda F, x: F.max_pool1d(x[0], 2, ()),
    ],
)
def test_pool_integer_like_arguments(fn):
    check_op(lambda lib, x: fn(lib.nn.functional, x), [_P2])


@pytest.mark.parametrize(
    "fn",
    [
        lambda F, x: F.lp_pool2d(x, float("inf"), 2),
        lambda F, x: F.lp_pool2d(x, 3, (2, 3), stride=(1, 2)),
        lambda F, x: F.lp_pool3d(x.unsqueeze(0), 2, (2, 3, 1), ceil_mode=True),
        lambda F, x: F.lp_pool1d(x[0], 3, 3, stride=2, ceil_mode=True),
        lambda F, x: F.lp_pool3d(x, 1.5, 2),
    ],
)
def test_lp_pool_options(fn):
    check_op(lambda lib, x: fn(lib.nn.functional, x), [(2, 6, 6, 5)], low=0.1)


@pytest.mark.parametrize(
    "fn",
    [
        lambda F, o: F.lp_pool2d(o(*_P2), 2, (2, 2, 2)),
        lambda F, o: F.lp_pool2d(o(*_P2), 2, (2,)),
        lambda F, o: F.lp_pool3d(o(*_P3), 2, (2, 2)),
        lambda F, o: F.lp_pool1d(o(*_P1), 2, (2, 2)),
        lambda F, o: F.lp_pool2d(o(*_P2), 2, 2.0),
        lambda F, o: F.lp_pool2d(o(*_P2), 2, 9),
    ],
)
def test_lp_pool_argument_checks(fn):
    _same_error(lambda lib: fn(lib.nn.functional, lib.ones))


def test_pad_value_as_a_zero_dim_tensor_and_circular_bool():
    def run(lib):
        x = lib.arange(12.0).reshape(1, 3, 4)
        a = lib.nn.functional.pad(x, (1, 2), value=lib.tensor(2.5))
        b = lib.nn.functional.pad(x > 5, (2, 1), mode="circular")
        return a, b

    t, e = _both(run)
    assert_close(e, t)
