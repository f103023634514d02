"""Differential sweep of the less common options of nn layers: lazy modules, convolutions,
pooling, interpolation, grid sampling, folding, shuffles and padding, against torch."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises
from nn_helpers import both as _both
from nn_helpers import check_module
from nn_helpers import same_error as _same_error

import ember

# --- lazy modules -----------------------------------------------------------------------------


def test_lazy_state_dict_of_uninitialized_loads_into_uninitialized():
    def run(lib):
        m = lib.nn.LazyLinear(3)
        m.load_state_dict(lib.nn.LazyLinear(3).state_dict())
        return repr(m), m.has_uninitialized_params(), list(m.state_dict())

    t, e = _both(run)
    assert e == t


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.Sequential(nn.LazyLinear(3), nn.ReLU(), nn.LazyLinear(2)),
        lambda nn: nn.Sequential(nn.LazyConv1d(4, 3), nn.LazyBatchNorm1d()),
    ],
)
def test_lazy_checkpoint_of_uninitialized_then_forward(make):
    def run(lib):
        m = make(lib.nn)
        m.load_state_dict(make(lib.nn).state_dict())
        return m

    tm, em = _both(run)
    x = np.random.default_rng(0).standard_normal((2, 5, 7)).astype(np.float32)
    x = x[:, 0] if isinstance(tm[0], torch.nn.LazyLinear) else x
    tout, eout = tm(torch.tensor(x)), em(ember.tensor(x))
    assert tuple(eout.shape) == tuple(tout.shape)
    assert repr(em) == repr(tm)


def test_lazy_checkpoint_of_uninitialized_into_initialized_raises():
    def run(lib):
        m = lib.nn.LazyLinear(3)
        m(lib.ones(2, 4))
        m.load_state_dict(lib.nn.LazyLinear(3).state_dict())

    e = check_raises(run)
    assert "uninitialized parameter" in str(e)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.LazyLinear(3), (2, 4)),
        (lambda nn: nn.LazyConv2d(4, 3), (1, 2, 5, 5)),
        (lambda nn: nn.LazyConvTranspose1d(2, 3, stride=2), (1, 3, 4)),
        (lambda nn: nn.LazyBatchNorm1d(), (4, 3)),
        (lambda nn: nn.LazyInstanceNorm2d(affine=True), (2, 3, 4, 4)),
    ],
)
def test_lazy_module_pickles_after_initialization(make, shape):
    def run(lib):
        lib.manual_seed(0)
        m = make(lib.nn)
        x = lib.ones(*shape)
        m(x)
        hooks = (len(m._forward_pre_hooks), hasattr(m, "_load_hook"))
        hooks += (hasattr(m, "_initialize_hook"),)
        back = pickle.loads(pickle.dumps(m))
        return type(back).__name__, repr(back), hooks, back(x).shape

    t, e = _both(run)
    assert e[:3] == t[:3]
    assert tuple(e[3]) == tuple(t[3])
    m = make(ember.nn)
    m(ember.ones(*shape))
    back = copy.deepcopy(m)
    for (name, p), (_, q) in zip(m.state_dict().items(), back.state_dict().items()):
        assert_close(q, torch.tensor(p.numpy()), msg=name)


def test_lazy_module_pickles_uninitialized():
    def run(lib):
        back = pickle.loads(pickle.dumps(lib.nn.LazyConv2d(3, 2)))
        back(lib.ones(1, 2, 4, 4))
        return repr(back), tuple(back.weight.shape)

    t, e = _both(run)
    assert e == t


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.LazyLinear(3, bias=False), (2, 4)),
        (
            lambda nn: nn.LazyConv1d(4, 3, 2, 1, groups=2, bias=False, padding_mode="reflect"),
            (2, 4, 5),
        ),
        (lambda nn: nn.LazyConv2d(4, 3, padding="same", dilation=2), (4, 5, 5)),
        (
            lambda nn: nn.LazyConvTranspose2d(4, 3, stride=2, output_padding=1, groups=2),
            (2, 4, 5, 5),
        ),
        (lambda nn: nn.LazyConvTranspose3d(2, 2), (1, 4, 3, 3, 3)),
        (lambda nn: nn.LazyBatchNorm1d(momentum=None, affine=False), (6, 4)),
        (lambda nn: nn.LazyBatchNorm2d(track_running_stats=False), (2, 4, 5, 5)),
        (lambda nn: nn.LazyInstanceNorm1d(affine=True, track_running_stats=True), (2, 4, 5)),
        (lambda nn: nn.LazyInstanceNorm3d(affine=True), (2, 4, 3, 3, 3)),
    ],
)
def test_lazy_modules_initialize_as_torch(make, shape):
    def run(lib):
        m = make(lib.nn)
        before = repr(m), [(k, type(v).__name__) for k, v in m.state_dict().items()]
        y = m(lib.rand(*shape))
        after = repr(m), type(m).__name__, [(k, tuple(v.shape)) for k, v in m.state_dict().items()]
        return before, after, tuple(y.shape), repr(pickle.loads(pickle.dumps(m)))

    t, e = _both(run)
    assert e == t


# --- convolutions -----------------------------------------------------------------------------

_SPATIAL = {1: (7,), 2: (5, 4), 3: (3, 4, 3)}


def _conv_cases():
    for nd in (1, 2, 3):
        conv, x = f"Conv{nd}d", (2, 4, *_SPATIAL[nd])
        yield conv, dict(kernel_size=3, padding="same"), x
        yield conv, dict(kernel_size=4, padding="same", dilation=2, bias=False), x
        yield conv, dict(kernel_size=2, padding="valid", stride=2), x
        yield conv, dict(kernel_size=2, groups=2, dilation=2, padding=2), x
        yield conv, dict(kernel_size=3, groups=4, padding=1, out_channels=8), x
        yield conv, dict(kernel_size=3, padding=1), x[1:]  # unbatched
        for mode in ("reflect", "replicate", "circular"):
            yield conv, dict(kernel_size=3, padding=1, stride=2, padding_mode=mode), x
            yield conv, dict(kernel_size=4, padding="same", padding_mode=mode), x[1:]
        tconv = f"ConvTranspose{nd}d"
        yield tconv, dict(kernel_size=3, stride=2, padding=1, output_padding=1), x
        yield tconv, dict(kernel_size=3, stride=2, groups=2, dilation=2, bias=False), x
        yield tconv, dict(kernel_size=2, stride=(2,) * (nd - 1) + (3,), output_padding=1), x[1:]


@pytest.mark.parametrize("cls, kw, shape", list(_conv_cases()))
def test_conv_options_match_torch(cls, kw, shape):
    kw = {"out_channels": 6, **kw}
    check_module(lambda nn: getattr(nn, cls)(4, **kw), [shape], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.Conv2d(4, 6, (3, 2), padding=(1, 2), padding_mode="reflect"), (2, 4, 6, 5)),
        (lambda nn: nn.Conv2d(4, 6, (3, 2), (1, 2), (0, 1), padding_mode="circular"), (4, 6, 5)),
        (
            lambda nn: nn.Conv3d(
                4, 2, (1, 2, 3), padding=(0, 1, 1), dilation=(1, 2, 1), padding_mode="replicate"
            ),
            (1, 4, 3, 4, 5),
        ),
        (lambda nn: nn.Conv1d(4, 6, 5, 1, "same", 2, padding_mode="circular"), (4, 9)),
        (
            lambda nn: nn.ConvTranspose2d(
                4, 6, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2)
            ),
            (2, 4, 3, 4),
        ),
        (lambda nn: nn.ConvTranspose1d(4, 4, 3, 3, 2, 1, groups=4), (2, 4, 5)),
    ],
)
def test_conv_options_in_float64(make, shape):
    torch.manual_seed(0)
    tm, em = make(torch.nn).double(), make(ember.nn).double()
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    tout, eout = tm(tx), em(ex)
    assert_close(eout, tout)
    tout.sum().backward()
    eout.sum().backward()
    assert_close(ex.grad, tx.grad)
    for (name, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        assert_close(p.grad, q.grad, msg=name)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("batched", [False, True])
def test_conv_transpose_output_size(nd, full, batched):
    size = tuple(2 * s for s in _SPATIAL[nd])
    shape = (2, 4, *_SPATIAL[nd]) if batched else (4, *_SPATIAL[nd])
    if full:
        size = (2, 6, *size) if batched else (6, *size)

    def make(nn):
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.up = getattr(nn, f"ConvTranspose{nd}d")(4, 6, 3, stride=2, padding=1)

            def forward(self, x):
                return self.up(x, output_size=list(size))

        return Model()

    check_module(make, [shape], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.nn.Conv2d(4, 6, 3, padding="same", stride=2),
        lambda lib: lib.nn.Conv1d(4, 6, 3, padding="full"),
        lambda lib: lib.nn.Conv2d(4, 6, 3, groups=4),
        lambda lib: lib.nn.Conv2d(4, 6, 3, groups=0),
        lambda lib: lib.nn.Conv3d(4, 6, 3, padding_mode="mirror"),
        lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
        lambda lib: lib.nn.Conv2d(3, 6, 3)(lib.ones(2, 4, 5, 5)),
        lambda lib: lib.nn.Conv1d(3, 6, 3)(lib.ones(4, 5)),
        lambda lib: lib.nn.Conv3d(4, 6, 3)(lib.ones(1, 1, 4, 4, 4, 4)),
        lambda lib: lib.nn.ConvTranspose2d(3, 6, 3)(lib.ones(2, 4, 5, 5)),
        lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, stride=2, output_padding=2)(
            lib.ones(1, 4, 5, 5)
        ),
        lambda lib: lib.nn.ConvTranspose1d(4, 6, 3, stride=2)(
            lib.ones(4, 5), output_size=[1, 6, 11]
        ),
        lambda lib: lib.nn.ConvTranspose1d(4, 6, 3, padding="same")(lib.ones(1, 4, 5)),
        lambda lib: lib.nn.functional.conv_transpose2d(
            lib.ones(1, 2, 5, 5), lib.ones(2, 3, 3, 3), stride=2.0
        ),
        lambda lib: lib.nn.functional.conv2d(
            lib.ones(1, 2, 5, 5), lib.ones(3, 2, 3, 3), padding="same", stride=2
        ),
    ],
)
def test_conv_bad_arguments_raise_as_torch(fn):
    _same_error(fn)


_X, _W = (1, 2, 5, 5), (3, 2, 3, 3)


@pytest.mark.parametrize(
    "fn",
    [
        lambda F, o: F.conv2d(o(*_X), o(*_W), stride=1.5),
        lambda F, o: F.conv2d(o(*_X), o(*_W), stride=(1.0, 1)),
        lambda F, o: F.conv2d(o(*_X), o(*_W), padding=1.0),
        lambda F, o: F.conv2d(o(*_X), o(*_W), dilation="a"),
        lambda F, o: F.conv2d(o(*_X), o(*_W), groups=1.0),
        lambda F, o: F.conv2d(o(*_X), o(*_W), stride=(1, 1, 1)),
        lambda F, o: F.conv2d(o(*_X), o(*_W), padding=(1, 1, 1)),
        lambda F, o: F.conv2d(o(*_X), o(3, 2, 3)),
        lambda F, o: F.conv_transpose2d(o(*_X), o(2, 3, 3), stride=(1, 1)),
        lambda F, o: F.conv2d(o(*_X), o(*_W), dilation=0),
        lambda F, o: F.conv3d(o(1, 2, 5, 5, 5), o(3, 2, 3, 3, 3), dilation=-1),
        lambda F, o: F.conv2d(o(*_X), o(3, 2, 3, 0)),
        lambda F, o: F.conv1d(o(1, 2, 5), o(3, 2, 0)),
        lambda F, o: F.conv3d(o(1, 2, 5, 5, 5), o(3, 2, 3, 3, 0)),
        lambda F, o: F.conv2d(o(*_X), o(0, 2, 3, 3)),
        lambda F, o: F.conv2d(o(*_X).bool(), o(*_W).bool()),
        lambda F, o: F.conv3d(o(1, 2, 5, 5, 5).bool(), o(3, 2, 3, 3, 3).bool()),
        lambda F, o: F.conv_transpose1d(o(1, 2, 5).bool(), o(2, 3, 3).bool()),
    ],
)
def test_conv_argument_checks(fn):
    _same_error(lambda lib: fn(lib.nn.functional, lib.ones))


def test_conv_same_with_even_kernel_warns():
    # torch warns once per process (TORCH_WARN_ONCE), so only a fresh process would show it
    # there: an earlier test in this worker may have used it up. Ember's text is torch's.
    with pytest.warns(UserWarning, match="padding='same' with even kernel lengths"):
        ember.nn.functional.conv2d(ember.ones(1, 2, 5, 5), ember.ones(3, 2, 2, 2), padding="same")


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_output_size_out_of_range(nd):
    def fn(lib):
        m = getattr(lib.nn, f"ConvTranspose{nd}d")(4, 6, 3, stride=2, padding=1)
        return m(lib.ones(1, 4, *_SPATIAL[nd]), output_size=[s * 2 + 3 for s in _SPATIAL[nd]])

    assert "valid sizes range from" in str(check_raises(fn))


def test_conv_reprs_and_parameter_shapes():
    def build(nn):
        return nn.Sequential(
            nn.Conv2d(2, 4, (3, 2), (2, 1), (1, 0), 2, 2, False, "circular"),
            nn.Conv3d(2, 4, 3, padding="same", padding_mode="reflect"),
            nn.Conv1d(2, 4, 3, padding="valid", dilation=3),
            nn.ConvTranspose3d(2, 4, 3, stride=2, output_padding=(1, 0, 1), dilation=(1, 2, 1)),
            nn.ConvTranspose1d(2, 4, 3, padding="same"),
            nn.ConvTranspose2d(4, 2, [3, 1], groups=2, bias=False),
        )

    tm, em = build(torch.nn), build(ember.nn)
    assert repr(em) == repr(tm)
    shapes = [(k, tuple(v.shape)) for k, v in em.state_dict().items()]
    assert shapes == [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]


# --- pooling ----------------------------------------------------------------------------------

_POOL_SPATIAL = {1: (9,), 2: (7, 8), 3: (5, 6, 7)}


def _pool_cases():
    for nd in (1, 2, 3):
        mp, ap = f"MaxPool{nd}d", f"AvgPool{nd}d"
        yield mp, dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True), True
        yield mp, dict(kernel_size=2, return_indices=True), True
        yield mp, dict(kernel_size=3, stride=2, return_indices=True, ceil_mode=True), False
        yield ap, dict(kernel_size=3, stride=2, padding=1, count_include_pad=False), True
        yield ap, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), True
        yield (
            ap,
            dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
            False,
        )
        if nd > 1:
            yield ap, dict(kernel_size=3, stride=2, padding=1, divisor_override=5), True
            yield ap, dict(kernel_size=2, ceil_mode=True, divisor_override=3), False
        lp = f"LPPool{nd}d"
        yield lp, dict(norm_type=2, kernel_size=3, stride=2), True
        yield lp, dict(norm_type=1.5, kernel_size=2, ceil_mode=True), False
        out = 4 if nd == 1 else (None,) + (3,) * (nd - 1)
        yield f"AdaptiveAvgPool{nd}d", dict(output_size=out), True
        yield f"AdaptiveMaxPool{nd}d", dict(output_size=out, return_indices=True), False
        yield f"AdaptiveAvgPool{nd}d", dict(output_size=11), False  # larger than the input
        yield f"AdaptiveMaxPool{nd}d", dict(output_size=11), True


@pytest.mark.parametrize("cls, kw, batched", list(_pool_cases()))
def test_pool_options_match_torch(cls, kw, batched):
    nd = int(cls[-2])
    shape = (2, 3, *_POOL_SPATIAL[nd]) if batched else (3, *_POOL_SPATIAL[nd])
    low = 0.1 if cls.startswith("LP") else -2.0  # a power of a negative number is NaN
    check_module(lambda nn: getattr(nn, cls)(**kw), [shape], low=low)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("size", ["none", "spatial", "full", "unbatched"])
def test_max_unpool_output_size(nd, size):
    # odd sizes: the unpooled size is ambiguous unless given
    spatial = ((6 if nd < 3 else 4) + (size != "none"),) * nd
    shape = (3, *spatial) if size == "unbatched" else (2, 3, *spatial)
    out = {"none": None, "spatial": spatial, "full": list(shape), "unbatched": spatial}[size]

    def make(nn):
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.pool = getattr(nn, f"MaxPool{nd}d")(2, stride=2, return_indices=True)
                self.unpool = getattr(nn, f"MaxUnpool{nd}d")(2, stride=2)

            def forward(self, x):
                y, i = self.pool(x)
                return self.unpool(y, i, output_size=out)

        return Model()

    check_module(make, [shape])


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_max_pool_module_shapes_and_dtypes(nd):
    def run(lib, **kw):
        lib.manual_seed(0)
        m = getattr(lib.nn, f"FractionalMaxPool{nd}d")(2, **kw)
        y = m(lib.rand(2, 3, *(9,) * nd, dtype=lib.float64))
        y = y if isinstance(y, tuple) else (y,)
        return repr(m), [(tuple(t.shape), str(t.dtype).split(".")[1]) for t in y]

    for kw in (
        dict(output_ratio=0.5),
        dict(output_ratio=[0.5] * nd, return_indices=True),
        dict(output_size=3, return_indices=True),
    ):
        assert run(ember, **kw) == run(torch, **kw)


_POOL_ERRORS = [
    lambda lib: lib.nn.MaxPool1d(2, padding=2)(lib.ones(2, 3, 9)),
    lambda lib: lib.nn.MaxPool1d(20)(lib.ones(2, 3, 9)),
    lambda lib: lib.nn.MaxPool1d(2, stride=0)(lib.ones(2, 3, 9)),
    lambda lib: lib.nn.MaxPool1d(2, dilation=0)(lib.ones(2, 3, 9)),
    lambda lib: lib.nn.MaxPool1d(2, padding=-1)(lib.ones(2, 3, 9)),
    lambda lib: lib.nn.MaxPool1d(0)(lib.ones(2, 3, 9)),
    lambda lib: lib.nn.MaxPool1d(2)(lib.ones(1, 0, 9)),
    lambda lib: lib.nn.MaxPool1d(2)(lib.arange(9).reshape(1, 1, 9)),
    lambda lib: lib.nn.MaxPool1d(2, padding=2, return_indices=True)(lib.ones(2, 3, 9)),
    lambda lib: lib.nn.MaxPool2d(3, padding=2, dilation=2)(lib.ones(1, 2, 8, 8)),
    lambda lib: lib.nn.MaxPool3d(3, padding=2, dilation=2)(lib.ones(1, 2, 8, 8, 8)),
    lambda lib: lib.nn.MaxPool2d(3, padding=-1)(lib.ones(1, 2, 8, 8)),
    lambda lib: lib.nn.AvgPool3d(3, padding=-1)(lib.ones(1, 2, 8, 8, 8)),
    lambda lib: lib.nn.AvgPool1d(3, padding=-1)(lib.ones(1, 2, 8)),
    lambda lib: lib.nn.MaxPool2d(2)(lib.ones(1, 0, 8, 8)),
    lambda lib: lib.nn.MaxPool2d(2)(lib.ones(0, 8, 8)),
    lambda lib: lib.nn.MaxPool3d(2)(lib.ones(1, 0, 8, 8, 8)),
    lambda lib: lib.nn.AvgPool3d(2)(lib.ones(1, 2, 0, 8, 8)),
    lambda lib: lib.nn.AvgPool2d(2)(lib.ones(1, 0, 8, 8)),
    lambda lib: lib.nn.AvgPool2d(2, divisor_override=0)(lib.ones(1, 2, 8, 8)),
    lambda lib: lib.nn.AdaptiveAvgPool1d((2, 2))(lib.ones(2, 3, 5)),
    lambda lib: lib.nn.AdaptiveMaxPool1d(None)(lib.ones(2, 3, 5)),
    lambda lib: lib.nn.AdaptiveMaxPool1d((None,))(lib.ones(2, 3, 5)),
    lambda lib: lib.nn.AdaptiveAvgPool1d(2.5)(lib.ones(2, 3, 5)),
    lambda lib: lib.nn.AdaptiveAvgPool2d(None)(lib.ones(2, 3, 5, 6)),
    lambda lib: lib.nn.AdaptiveMaxPool2d((3,))(lib.ones(2, 3, 5, 6)),
    lambda lib: lib.nn.AdaptiveAvgPool2d((2, None, 2))(lib.ones(2, 3, 5, 6)),
    lambda lib: lib.nn.AdaptiveAvgPool2d((2.0, 2))(lib.ones(2, 3, 5, 6)),
    lambda lib: lib.nn.AdaptiveMaxPool3d(2.5)(lib.ones(2, 3, 5, 6, 4)),
    lambda lib: lib.nn.AdaptiveAvgPool3d((2.0, 2, 2))(lib.ones(2, 3, 5, 6, 4)),
    lambda lib: lib.nn.AdaptiveMaxPool3d((2, 2))(lib.ones(2, 3, 5, 6, 4)),
    lambda lib: lib.nn.AdaptiveMaxPool2d((2, 2, 2, 2))(lib.ones(2, 3, 5, 6)),
    lambda lib: lib.nn.MaxUnpool2d(2)(lib.ones(1, 1, 2, 2), lib.full((1, 1, 2, 2), 100)),
    lambda lib: lib.nn.MaxUnpool2d(2)(
        lib.ones(1, 1, 2, 2), lib.zeros((1, 1, 2, 2), dtype=lib.int32)
    ),
    lambda lib: lib.nn.MaxUnpool1d(2)(lib.ones(1, 1, 2), lib.zeros(1, 1, 2).long(), [9]),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5),
    lambda lib: lib.nn.FractionalMaxPool3d(2),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=1.0),
    lambda lib: lib.nn.FractionalMaxPool2d(3, output_size=8)(lib.ones(1, 2, 9, 9)),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_size=3)(lib.ones(1, 2, 9, 9).long()),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.ones(1, 2, 9, 9), 2, output_ratio=0.5),
]


@pytest.mark.parametrize("fn", _POOL_ERRORS)
def test_pool_bad_arguments_raise_as_torch(fn):
    _same_error(fn)


def test_pool_reprs():
    def build(nn):
        return nn.Sequential(
            nn.MaxPool2d(2, padding=1, dilation=2, return_indices=True, ceil_mode=True),
            nn.MaxPool1d((3,), stride=(2,)),
            nn.AvgPool3d(2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=3),
            nn.AvgPool1d(2, padding=1),
            nn.MaxUnpool3d(2, padding=1),
            nn.LPPool2d(2, 3, stride=1, ceil_mode=True),
            nn.LPPool3d(1.5, (2, 1, 2)),
            nn.AdaptiveMaxPool3d((None, 2, None), return_indices=True),
            nn.AdaptiveAvgPool2d((None, 3)),
            nn.FractionalMaxPool2d(3, output_ratio=0.5),
        )

    assert repr(build(ember.nn)) == repr(build(torch.nn))
