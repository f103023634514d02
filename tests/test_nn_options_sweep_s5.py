"""Differential sweep of the less common options of nn layers: lazy modules, convolutions,
pooling, interpolation, grid sampling, folding, shuffles and padding, against torch."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises
from nn_helpers import check_module

import ember

# --- lazy modules -----------------------------------------------------------------------------


def _same_error(fn) -> None:
    """Both libraries raise the same exception type with the same message."""
    e = check_raises(fn)
    with pytest.raises(Exception) as t:  # noqa: PT011
        fn(torch)
    # a set in a message prints in hash order: compare up to it, and the first line only
    first = str(e).replace("ember.", "torch.").split("\n")[0].split("{")[0]
    assert first == str(t.value).split("\n")[0].split("{")[0]


def _both(fn):
    """``fn(lib)`` in torch and ember; a (torch, ember) pair of results."""
    return fn(torch), fn(ember)


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
