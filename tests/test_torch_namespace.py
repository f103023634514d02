"""The top-level ``ember.*`` names torch has beside its tensor ops: constants, finfo/iinfo, the
ATen spellings of nn.functional ops, the ``*_copy`` functions, strided tensors and the
process-wide switches, each against torch 2.13."""

import array
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import _runtime
from ember.autograd import gradcheck
from tests.helpers import (
    assert_close,
    check_op,
    check_raises,
    make_inputs,
    to_ember,
    to_torch,
)


def seeded(fn, seed=0):
    """``fn(module)`` for both libraries from the same RNG seed."""
    torch.manual_seed(seed)
    t = fn(torch)
    ember.manual_seed(seed)
    return fn(ember), t


# -- constants, finfo, iinfo ----------------------------------------------------------------------
def test_constants():
    for name in ("e", "pi", "inf"):
        assert getattr(ember, name) == getattr(torch, name)
        assert type(getattr(ember, name)) is type(getattr(torch, name))
    assert math.isnan(ember.nan) and ember.newaxis is torch.newaxis is None


FLOATS = ["float16", "float32", "float64", "complex64", "complex128"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.parametrize("name", FLOATS)
def test_finfo(name):
    e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
        assert type(getattr(e, attr)) is type(getattr(t, attr)), attr
    assert repr(e) == repr(t) and str(e) == str(t)


def test_finfo_default_follows_default_dtype():
    assert repr(ember.finfo()) == repr(torch.finfo())
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        assert repr(ember.finfo()) == repr(torch.finfo()) and ember.finfo().bits == 64
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
    assert ember.finfo(type=ember.float16) == ember.finfo(ember.float16) != ember.finfo()


@pytest.mark.parametrize("name", INTS)
def test_iinfo(name):
    e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "min", "max", "dtype"):
        assert getattr(e, attr) == getattr(t, attr) and type(getattr(e, attr)) is type(
            getattr(t, attr)
        )
    assert repr(e) == repr(t)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.finfo(m.int32),
        lambda m: m.finfo(m.bool),
        lambda m: m.finfo("float32"),
        lambda m: m.finfo(3),
        lambda m: m.finfo(m.float32, 1),
        lambda m: m.iinfo(m.float32),
        lambda m: m.iinfo(m.complex64),
        lambda m: m.iinfo(m.bool),
        lambda m: m.iinfo(),
        lambda m: m.iinfo("int"),
        lambda m: hash(m.finfo()),
    ],
)
def test_info_errors(call):
    exc = check_raises(call)
    t_msg = str(check_raises(call, lambda m: call(torch))).replace("ember", "torch")
    assert str(exc).replace("ember", "torch").split("\n")[0] == t_msg.split("\n")[0]


# -- nn.functional ops in ATen's spelling --------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout"]
)
@pytest.mark.parametrize("p, train", [(0.4, True), (0.4, False), (0.0, True), (1.0, True)])
def test_dropouts_same_seed(name, p, train):
    x = np.random.default_rng(0).standard_normal((3, 4, 5)).astype(np.float32)

    def run(m):
        t = m.tensor(x, requires_grad=True)
        y = getattr(m, name)(t, p, train)
        (y * y).sum().backward()
        return y, t.grad

    (ey, eg), (ty, tg) = seeded(run)
    assert_close(ey, ty)
    assert_close(eg, tg)
    assert (ey.grad_fn is None) == (ty.grad_fn is None)


@pytest.mark.parametrize(
    "name", ["dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout"]
)
def test_dropouts_in_place_and_errors(name):
    x = np.random.default_rng(1).standard_normal((2, 6, 3)).astype(np.float32)

    def run(m):
        t = m.tensor(x)
        out = getattr(m, name + "_")(t, 0.5, True)
        return out is t, t

    (e_same, et), (t_same, tt) = seeded(run)
    assert e_same and t_same
    assert_close(et, tt)
    for p in (1.5, -0.1):
        exc = check_raises(lambda m, p=p: getattr(m, name)(m.ones(2, 3), p, False))
        assert str(exc) == f"dropout probability has to be between 0 and 1, but got {p}"
    check_raises(lambda m: getattr(m, name)(m.ones(2, 3), 0.5))  # train is required
    if name.startswith("feature"):
        check_raises(lambda m: getattr(m, name)(m.ones(3), 0.5, True))
    if name == "feature_dropout":  # p = 1 zeroes even a 1-D input, as torch does
        assert_close(ember.feature_dropout(ember.ones(3), 1.0, True), torch.zeros(3))


def test_layer_group_norm():
    shapes = [(3, 4, 5), (4, 5), (4, 5)]
    check_op(lambda m, x, w, b: m.layer_norm(x, [4, 5], w, b, 1e-3, False), shapes)
    check_op(lambda m, x: m.layer_norm(x, (5,)), [(2, 3, 5)])
    check_op(lambda m, x, w, b: m.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)])
    check_op(lambda m, x: m.group_norm(x, 4, eps=0.1, cudnn_enabled=False), [(2, 4, 3, 2)])
    check_raises(lambda m: m.layer_norm(m.ones(2, 3), [4]))
    check_raises(lambda m: m.group_norm(m.ones(2, 3), 2))


@pytest.mark.parametrize("training", [True, False])
def test_batch_instance_norm(training):
    rng = np.random.default_rng(2)
    rm, rv = rng.standard_normal(3).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)
    stats = {}

    def bn(m, x, w, b):
        mean, var = m.tensor(rm.copy()), m.tensor(rv.copy())
        out = m.batch_norm(x, w, b, mean, var, training, 0.2, 1e-4, False)
        stats[m.__name__] = (mean, var)
        return out

    check_op(bn, [(4, 3, 5), (3,), (3,)])
    assert_close(stats["ember"], stats["torch"])

    def inorm(m, x, w, b):
        mean, var = m.tensor(rm.copy()), m.tensor(rv.copy())
        out = m.instance_norm(x, w, b, mean, var, training, 0.3, 1e-5, True)
        stats[m.__name__] = (mean, var)
        return out

    check_op(inorm, [(2, 3, 6), (3,), (3,)])
    assert_close(stats["ember"], stats["torch"])
    check_op(lambda m, x: m.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False), [(5, 2)])


def test_embedding():
    idx = np.array([[0, 3, 4], [4, 1, 3]])
    for args in [(), (3,), (-1,), (-2,), (7,), (0, False, False)]:
        check_op(lambda m, w, args=args: m.embedding(w, m.tensor(idx), *args), [(5, 3)])
    check_raises(lambda m: m.embedding(m.ones(5, 3), m.tensor([5])))


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("pad", [None, 4, -1])
def test_embedding_bag(mode, pad):
    idx, offs = np.array([0, 1, 4, 4, 2, 3]), np.array([0, 2, 2])

    def bag(m, w):
        extra = () if pad is None else (False, None, False, pad)  # torch: all positional then
        return m.embedding_bag(w, m.tensor(idx), m.tensor(offs), False, mode, *extra)

    out = check_op(bag, [(5, 3)])
    assert isinstance(out, tuple) and len(out) == 4
    check_raises(lambda m: m.embedding_bag(m.ones(5, 3), m.tensor([0, 1]), None))
    check_op(
        lambda m, w, p: m.embedding_bag(
            w, m.tensor(idx), m.tensor([0, 2, 6]), per_sample_weights=p, include_last_offset=True
        ),
        [(5, 3), (6,)],
    )


def test_threshold_and_pad():
    check_op(lambda m, x: m.threshold(x, 0.3, -2.0), [(3, 4)])
    o = check_op(lambda m, x: m.threshold(x, 0, 5, out=m.empty(0)), [(3, 4)], grad=False)
    assert o.shape == (3, 4)
    check_op(lambda m, x: m.threshold_(x * 1, 0.1, 0.0), [(2, 5)])
    check_op(lambda m, x: m.constant_pad_nd(x, [1, 2, 0, -1]), [(3, 4)])
    check_op(lambda m, x: m.constant_pad_nd(x, (2, 1), 1.5), [(2, 3)])
    e = ember.constant_pad_nd(ember.arange(3), [1, 1])
    assert_close(e, torch.constant_pad_nd(torch.arange(3), [1, 1]))


@pytest.mark.parametrize(
    "shapes, stride, padding, dilation, transposed, out_pad, groups",
    [
        ([(2, 4, 7), (6, 2, 3), (6,)], [2], [1], [1], False, [0], 2),
        ([(1, 2, 6, 5), (3, 2, 3, 2), (3,)], [1, 2], [1, 0], [2, 1], False, [0, 0], 1),
        ([(1, 2, 4, 4), (2, 3, 3, 3), (3,)], [2, 2], [1, 1], [1, 1], True, [1, 0], 1),
        (
            [(1, 2, 3, 3, 3), (4, 2, 2, 2, 2), (4,)],
            [1, 1, 1],
            [0, 0, 0],
            [1, 1, 1],
            False,
            [0] * 3,
            1,
        ),
    ],
)
def test_convolution(shapes, stride, padding, dilation, transposed, out_pad, groups):
    def conv(m, x, w, b):
        out = m.convolution(x, w, b, stride, padding, dilation, transposed, out_pad, groups)
        assert out.grad_fn.name() == "ConvolutionBackward0"
        return out

    check_op(conv, shapes, rtol=1e-4, atol=1e-5)


def test_convolution_bad_weight():
    check_raises(
        lambda m: m.convolution(m.ones(2, 3), m.ones(3), None, [1], [0], [1], False, [0], 1)
    )


LOSSES = [
    (
        "binary_cross_entropy_with_logits",
        lambda m, a, b, *r: m.binary_cross_entropy_with_logits(a, b.sigmoid(), None, None, *r),
    ),
    (
        "bce_weights",
        lambda m, a, b, *r: m.binary_cross_entropy_with_logits(
            a, b.sigmoid().detach(), b.detach().abs(), a.detach()[0].abs(), *r
        ),
    ),
    (
        "cosine_embedding_loss",
        lambda m, a, b, *r: m.cosine_embedding_loss(a, b, m.tensor([1.0, -1.0, 1.0]), 0.2, *r),
    ),
    (
        "hinge_embedding_loss",
        lambda m, a, b, *r: m.hinge_embedding_loss(a, m.where(b > 0, 1.0, -1.0), 0.5, *r),
    ),
    ("kl_div", lambda m, a, b, *r: m.kl_div(a.log_softmax(1), b.softmax(1), *r)),
    (
        "kl_div_log_target",
        lambda m, a, b, *r: m.kl_div(a.log_softmax(1), b.log_softmax(1), *r, log_target=True),
    ),
    (
        "margin_ranking_loss",
        lambda m, a, b, *r: m.margin_ranking_loss(
            a, b, m.where(b > a, 1.0, -1.0).detach(), 0.1, *r
        ),
    ),
    (
        "poisson_nll_loss",
        lambda m, a, b, *r: m.poisson_nll_loss(a, b.abs() * 3, True, False, 1e-8, *(r or (1,))),
    ),
    (
        "poisson_nll_loss_full",
        lambda m, a, b, *r: m.poisson_nll_loss(
            a.abs() + 0.1, b.abs() * 3, False, True, 1e-6, *(r or (1,))
        ),
    ),
    (
        "triplet_margin_loss",
        lambda m, a, b, *r: m.triplet_margin_loss(a, b, a.flip(0), 0.5, 1.5, 1e-6, True, *r),
    ),
]


@pytest.mark.parametrize("reduction", [(), (0,), (1,), (2,), (5,)])
@pytest.mark.parametrize("loss", LOSSES, ids=[n for n, _ in LOSSES])
def test_losses_integer_reduction(loss, reduction):
    check_op(lambda m, a, b: loss[1](m, a, b, *reduction), [(3, 4), (3, 4)])


def test_kl_div_no_warning_and_reduction_type():
    a, b = ember.randn(2, 3), ember.rand(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.kl_div(a, b)  # torch.kl_div's mean gives no 'batchmean' warning
    exc = check_raises(lambda m: m.kl_div(m.ones(2), m.ones(2), reduction="mean"))
    assert "argument 'reduction' must be int, not str" in str(exc)
    check_raises(lambda m: m.margin_ranking_loss(m.ones(2), m.ones(2), m.ones(2), 0.0, True))
    check_raises(lambda m: m.poisson_nll_loss(m.ones(2), m.ones(2)))


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_ctc_loss(reduction):
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((6, 2, 5)).astype(np.float32)
    targets = np.array([[1, 2, 2], [3, 1, 0]])

    def ctc(m, x):
        lp = x.log_softmax(2)
        return m.ctc_loss(lp, m.tensor(targets), [6, 5], [3, 2], 0, reduction, False)

    check_op(ctc, [logits], rtol=1e-4, atol=1e-5)
    check_op(
        lambda m, x: m.ctc_loss(
            x.log_softmax(2), m.tensor(targets), m.tensor([6, 6]), m.tensor([3, 2]), blank=4
        ),
        [logits],
        rtol=1e-4,
        atol=1e-5,
    )


# -- *_copy -------------------------------------------------------------------------------------
COPIES = [
    ("view_copy", lambda m, x: m.view_copy(x, [6, 4])),
    ("t_copy", lambda m, x: m.t_copy(x[0])),
    ("permute_copy", lambda m, x: m.permute_copy(x, [2, 0, 1])),
    ("expand_copy", lambda m, x: m.expand_copy(x[:, :1], [2, 5, 4])),
    ("expand_copy_neg", lambda m, x: m.expand_copy(x[:1], [-1, 3, -1], implicit=True)),
    ("squeeze_copy", lambda m, x: m.squeeze_copy(x[:, :1])),
    ("squeeze_copy_dim", lambda m, x: m.squeeze_copy(x[:, :1], 1)),
    ("squeeze_copy_dims", lambda m, x: m.squeeze_copy(x[:, :1], (1, 0))),
    ("unsqueeze_copy", lambda m, x: m.unsqueeze_copy(x, -1)),
    ("transpose_copy", lambda m, x: m.transpose_copy(x, 0, 2)),
    ("diagonal_copy", lambda m, x: m.diagonal_copy(x, 1, 1, 2)),
    ("diagonal_copy_default", lambda m, x: m.diagonal_copy(x)),
    ("select_copy", lambda m, x: m.select_copy(x, 1, -1)),
    ("slice_copy", lambda m, x: m.slice_copy(x, 2, 1, None, 2)),
    ("slice_copy_default", lambda m, x: m.slice_copy(x)),
    ("slice_copy_neg", lambda m, x: m.slice_copy(x, -1, -3, 10)),
    ("split_copy", lambda m, x: m.split_copy(x, 2, 1)),
    ("split_with_sizes_copy", lambda m, x: m.split_with_sizes_copy(x, [1, 3], -1)),
    ("unbind_copy", lambda m, x: m.unbind_copy(x, 1)),
    ("unfold_copy", lambda m, x: m.unfold_copy(x, 2, 2, 1)),
    ("alias_copy", lambda m, x: m.alias_copy(x)),
    ("as_strided_copy", lambda m, x: m.as_strided_copy(x, [2, 2], [1, 2], 1)),
]


@pytest.mark.parametrize("fn", [f for _, f in COPIES], ids=[n for n, _ in COPIES])
def test_copies(fn):
    out = check_op(fn, [(2, 3, 4)])
    t_out = fn(torch, torch.randn(2, 3, 4, requires_grad=True))
    outs = out if isinstance(out, (tuple, list)) else (out,)
    t_outs = t_out if isinstance(t_out, (tuple, list)) else (t_out,)
    for e, t in zip(outs, t_outs):
        assert e.grad_fn.name() == t.grad_fn.name()
        assert e._base is None and e.is_contiguous()
    assert isinstance(out, tuple) == isinstance(t_out, tuple)


def test_copies_own_memory_and_out():
    x = ember.arange(12.0).reshape(3, 4)
    y = ember.t_copy(x)
    y[0, 0] = 100.0
    assert x[0, 0].item() == 0.0 and x._version == 0
    assert ember.view_copy(x, ember.int32).dtype == ember.int32
    assert_close(ember.view_copy(x, ember.int32), torch.view_copy(to_torch(x), torch.int32))
    for m in (ember, torch):
        src = m.arange(12.0).reshape(3, 4)
        o = m.empty(0)
        assert m.permute_copy(src, (1, 0), out=o) is o and o.shape == (4, 3)
        a, b = m.empty(3, 3), m.empty(3, 1)
        assert m.split_copy(src, 3, 1, out=[a, b]) is None
        assert_close(to_ember(b) if m is torch else b, torch.arange(12.0).reshape(3, 4)[:, 3:])
    check_raises(lambda m: m.split_copy(m.ones(3, 4), 3, 1, out=[m.empty(0)]))
    check_raises(lambda m: m.slice_copy(m.ones(3, 4), 1, 0, 3, 0))
    check_raises(lambda m: m.select_copy(m.ones(3, 4), 1, 4))


def test_complex_view_copies():
    z = np.array([1 + 2j, -0.5 + 0.25j, 3 - 1j], np.complex64)
    ez, tz = ember.tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)
    er, tr = ember.view_as_real_copy(ez), torch.view_as_real_copy(tz)
    assert_close(er, tr)
    assert er.grad_fn.name() == tr.grad_fn.name() and er._base is None
    g = np.random.default_rng(4).standard_normal((3, 2)).astype(np.float32)
    er.backward(ember.tensor(g))
    tr.backward(torch.tensor(g))
    assert_close(ez.grad, tz.grad)
    pairs = np.random.default_rng(6).standard_normal((2, 2)).astype(np.float32)
    ec = ember.view_as_complex_copy(ember.tensor(pairs))
    assert_close(ec, torch.view_as_complex_copy(torch.tensor(pairs)))
    assert not np.shares_memory(ec.numpy(), pairs)
    check_raises(lambda m: m.view_as_complex_copy(m.ones(2, 2, requires_grad=True)))
    check_raises(lambda m: m.view_as_complex_copy(m.ones(3)))
    check_raises(lambda m: m.view_as_real_copy(m.ones(3)))


def test_detach():
    x = ember.randn(2, 3, requires_grad=True)
    d = ember.detach(x)
    assert not d.requires_grad and np.shares_memory(d.numpy(), x.detach().numpy())
    dc, tdc = ember.detach_copy(x), torch.detach_copy(to_torch(x))
    assert dc.requires_grad == tdc.requires_grad and dc.grad_fn.name() == tdc.grad_fn.name()
    assert not np.shares_memory(dc.detach().numpy(), x.detach().numpy())
    exc = check_raises(lambda m: m.detach_copy(m.ones(2, requires_grad=True)).sum().backward())
    for m in (ember, torch):
        y = m.ones(2, requires_grad=True) * 2
        assert m.detach_(y) is y and not y.requires_grad and y.grad_fn is None
    check_raises(lambda m: m.detach_((m.ones(3, requires_grad=True) * 2)[1:]))
    assert str(exc) == "derivative for aten::detach_copy is not implemented"


# -- strided tensors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [([2, 2], [1, 2]), ([3, 2], [2, 1], 1), ([4], [3]), ([2, 3], [0, 1]), ([0, 3], [1, 1], 10)],
)
def test_as_strided(args):
    check_op(lambda m, x: m.as_strided(x, *args), [(12,)])
    check_op(lambda m, x: x.as_strided(*args), [(3, 4)])
    x = ember.arange(12.0)
    v = ember.as_strided(x, *args)
    assert v._base is x
    assert v.grad_fn is None


def test_as_strided_of_views():
    # offsets count in the memory the view looks into, as torch's storage offsets
    check_op(lambda m, x: m.as_strided(x[1:], [2], [1]), [(3, 4)])
    check_op(lambda m, x: m.as_strided(x[1:], [2], [1], 0), [(3, 4)])
    check_op(lambda m, x: m.as_strided(x.t(), [3], [5]), [(3, 4)])
    check_op(lambda m, x: (x * 2).as_strided([2, 2], [4, 1], 1).exp(), [(3, 4)])


def test_as_strided_writes_through():
    for m in (ember, torch):
        x = m.zeros(6)
        m.as_strided(x, [2, 2], [1, 2])[1, 1] = 5.0
        assert x.tolist() == [0, 0, 0, 5, 0, 0]


def test_as_strided_in_place():
    def run(m, x):
        y = x * 1
        z = y.as_strided_([2, 2], [4, 1], 1)
        assert z is y and z.grad_fn.name() == "AsStridedBackward1"
        return z

    check_op(run, [(3, 4)])
    check_raises(lambda m: m.ones(3, requires_grad=True).as_strided_([2], [1]))
    x = ember.arange(6.0)
    ember.as_strided_(x, [2], [2], 1)
    assert x.tolist() == [1.0, 3.0]


@pytest.mark.parametrize(
    "args",
    [
        ([2, 4], [1, 2]),
        ([2], [-1]),
        ([2, 2], [1, 2], 3),
        ([2, 2], [1, 2], -1),
        ([2, 2], [1]),
        ([-1], [1]),
    ],
)
def test_as_strided_errors(args):
    exc = check_raises(lambda m: m.as_strided(m.arange(6.0), *args))
    t_exc = check_raises(
        lambda m: m.as_strided(m.arange(6.0), *args),
        lambda m: torch.as_strided(torch.arange(6.0), *args),
    )
    assert str(exc) == str(t_exc)


@pytest.mark.parametrize("args", [([2, 2], [1, 2], 1), ([2], [4]), ([2], [1], 0), ([0], [1])])
@pytest.mark.parametrize("view", [lambda x: x, lambda x: x.t(), lambda x: x[1:]])
def test_as_strided_scatter(args, view):
    src_shape = tuple(args[0])
    fn = lambda m, x, s: m.as_strided_scatter(view(x), s, *args)  # noqa: E731
    check_op(fn, [(3, 4), src_shape], grad=False)
    # torch 2.13's backward is only right for src of a contiguous input at offset 0 (its own
    # gradcheck fails for the input: it keeps the gradient where src overwrote the input and
    # zeroes the rest), and it refuses views: the rest is checked by finite differences
    if view(torch.ones(3, 4)).shape == (3, 4):
        (ex, es), (tx, ts) = make_inputs([(3, 4), src_shape])
        g = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)
        fn(ember, ex, es).backward(ember.tensor(g))
        fn(torch, tx, ts).backward(torch.tensor(g))
        assert_close(es.grad, ts.grad)
    if all(src_shape):
        x64 = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
        s64 = ember.randn(*src_shape, dtype=ember.float64, requires_grad=True)
        assert gradcheck(lambda x, s: fn(ember, x, s), (x64, s64))
    out = ember.as_strided_scatter(ember.zeros(3, 4), ember.ones(src_shape), *args)
    assert out._base is None and out.is_contiguous()


def test_as_strided_scatter_node_and_errors():
    x, s = ember.randn(3, 4, requires_grad=True), ember.randn(2, requires_grad=True)
    assert ember.as_strided_scatter(x, s, [2], [1]).grad_fn.name() == "AsStridedScatterBackward0"
    check_raises(lambda m: m.as_strided_scatter(m.zeros(3), m.ones(3), [2], [1]))
    check_raises(lambda m: m.as_strided_scatter(m.zeros(3), m.ones(2), [2], [3]))
    check_raises(lambda m: m.as_strided_scatter(m.zeros(3, 4), m.ones(2, 2), [2, 2], [0, 1]))


@pytest.mark.parametrize(
    "size, stride", [((2, 3), (1, 2)), ((2, 3, 4), (1, 2, 6)), ((0, 2), (1, 1))]
)
def test_empty_strided(size, stride):
    e = ember.empty_strided(size, stride, dtype=ember.float64)
    t = torch.empty_strided(size, stride, dtype=torch.float64)
    assert e.shape == t.shape and e.dtype == ember.float64 and e.stride() == t.stride()
    assert e.is_contiguous() == t.is_contiguous()
    assert ember.empty_strided((2, 2), (2, 1), requires_grad=True).requires_grad


def test_empty_permuted():
    e, t = (
        ember.empty_permuted((2, 3, 4, 5), (0, 2, 3, 1)),
        torch.empty_permuted((2, 3, 4, 5), (0, 2, 3, 1)),
    )
    assert e.shape == t.shape and e.dtype == ember.float32
    e, t = ember.empty_permuted((2, 3), (1, 0)), torch.empty_permuted((2, 3), (1, 0))
    assert e.stride() == t.stride() == (1, 2)
    for args in [((2, 3), (0, 0)), ((2, 3), (0, 1, 2)), ((2, 3), (0, 2)), ((2, -3), (0, 1))]:
        exc = check_raises(lambda m, args=args: m.empty_permuted(*args))
        assert str(exc) == str(check_raises(lambda m, args=args: torch.empty_permuted(*args)))
    for args in [((2, 3), (1,)), ((2, -3), (1, 1)), ((2, 3), (-1, 1))]:
        exc = check_raises(lambda m, args=args: m.empty_strided(*args))
        assert str(exc) == str(check_raises(lambda m, args=args: torch.empty_strided(*args)))


def test_frombuffer():
    raw = np.arange(5, dtype=np.int32).tobytes()
    for kw in [{}, {"count": 2, "offset": 4}, {"count": -1, "offset": 8}]:
        e = ember.frombuffer(bytearray(raw), dtype=ember.int32, **kw)
        assert_close(e, torch.frombuffer(bytearray(raw), dtype=torch.int32, **kw))
    buf = bytearray(raw)
    e = ember.frombuffer(buf, dtype=ember.int32)
    e[0] = 9
    assert buf[0] == 9  # shares the buffer's memory
    f = ember.frombuffer(array.array("f", [1.0, 2.5]), dtype=ember.float32, requires_grad=True)
    assert f.requires_grad and f.tolist() == [1.0, 2.5]
    with pytest.warns(UserWarning, match="not writable"):
        ember.frombuffer(b"abcd", dtype=ember.uint8)
    for kw in [
        {"dtype": ember.int32, "count": 6},
        {"dtype": ember.int32, "offset": 20},
        {"dtype": ember.int32, "offset": 2},
        {"dtype": ember.int32, "count": 0},
    ]:
        tkw = {**kw, "dtype": torch.int32}
        exc = check_raises(
            lambda m, kw=kw: m.frombuffer(bytearray(raw), **kw),
            lambda m, tkw=tkw: m.frombuffer(bytearray(raw), **tkw),
        )
        assert str(exc) == str(
            check_raises(lambda m, tkw=tkw: torch.frombuffer(bytearray(raw), **tkw))
        )
    check_raises(lambda m: m.frombuffer([1, 2], dtype=m.uint8))
    check_raises(lambda m: m.frombuffer(bytearray(4)))


# -- process-wide switches -----------------------------------------------------------------------
def test_get_device_and_flags():
    assert ember.get_device(ember.ones(2)) == torch.get_device(torch.ones(2)) == -1
    check_raises(lambda m: m.get_device(3))
    assert ember.set_flush_denormal(True) is torch.set_flush_denormal(True)
    assert ember.set_flush_denormal(False) is torch.set_flush_denormal(False)
    check_raises(lambda m: m.set_flush_denormal(1))
    assert ember.is_warn_always_enabled() is torch.is_warn_always_enabled() is False
    ember.set_warn_always(True)
    try:
        assert ember.is_warn_always_enabled() is True
    finally:
        ember.set_warn_always(False)
    check_raises(lambda m: m.set_warn_always(1))


def test_interop_threads(monkeypatch):
    monkeypatch.setattr(_runtime, "_interop_threads", None)
    assert ember.get_num_interop_threads() == torch.get_num_interop_threads()
    check_raises(lambda m: m.set_num_interop_threads(0))
    check_raises(lambda m: m.set_num_interop_threads("x"))
    ember.set_num_interop_threads(3)
    assert ember.get_num_interop_threads() == 3
    exc = check_raises(lambda m: m.set_num_interop_threads(3), lambda m: _torch_set_twice())
    assert "cannot set number of interop threads" in str(exc)


def _torch_set_twice():
    n = torch.get_num_interop_threads()
    try:
        torch.set_num_interop_threads(n)
    except RuntimeError:
        pass
    torch.set_num_interop_threads(n)


def test_set_default_tensor_type(monkeypatch):
    monkeypatch.setattr(_runtime, "_warned", set())
    try:
        with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
            ember.set_default_tensor_type(ember.DoubleTensor)
        assert ember.get_default_dtype() == ember.float64
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # once per process, as torch's TORCH_WARN_ONCE
            ember.set_default_tensor_type("torch.HalfTensor")
        assert ember.get_default_dtype() == ember.float16
        ember.set_warn_always(True)
        with pytest.warns(UserWarning):
            ember.set_default_tensor_type("ember.FloatTensor")
    finally:
        ember.set_warn_always(False)
        ember.set_default_dtype(ember.float32)
    assert ember.get_default_dtype() == ember.float32
    for bad in ("LongTensor", "IntTensor"):
        check_raises(lambda m, bad=bad: m.set_default_tensor_type(getattr(m, bad)))
    check_raises(lambda m: m.set_default_tensor_type(m.float64))
    check_raises(lambda m: m.set_default_tensor_type(3))
    exc = check_raises(lambda m: m.set_default_tensor_type("torch.Foo"))
    assert str(exc) in (
        "module 'ember' has no attribute 'Foo'",
        "module 'torch' has no attribute 'Foo'",
    )


def test_compile_wraps_a_module_as_torch():
    """torch.compile(module) is an OptimizedModule: prefixed state-dict keys, the original's
    attributes and parameters, the same outputs."""
    models = {lib: lib.nn.Linear(2, 3) for lib in (torch, ember)}
    models[ember].load_state_dict(
        {k: ember.tensor(v.detach().numpy()) for k, v in models[torch].state_dict().items()}
    )
    compiled = {
        lib: lib.compile(m, mode="max-autotune", dynamic=False) for lib, m in models.items()
    }
    c, tc = compiled[ember], compiled[torch]
    assert type(c).__name__ == type(tc).__name__ == "OptimizedModule"
    assert list(c.state_dict()) == list(tc.state_dict())
    assert repr(c) == repr(tc)
    assert c._orig_mod is models[ember] and c.weight is models[ember].weight
    assert c.in_features == 2
    c.eval()
    assert models[ember].training is False
    x = np.ones((4, 2), np.float32)
    np.testing.assert_allclose(
        c(ember.tensor(x)).detach().numpy(), tc(torch.tensor(x)).detach().numpy(), rtol=1e-6
    )


def test_compile_is_identity_for_functions():
    def f(x):
        return x * 2

    assert ember.compile(f) is f
    assert ember.compile()(f) is f
    assert ember.compile(backend="eager", disable=True)(f) is f

    @ember.compile
    def g(x):
        return x + 1

    @ember.compile(fullgraph=True)
    def h(x):
        return x - 1

    assert g(1) == 2 and h(1) == 0 and g.__name__ == "g"
    check_raises(lambda m: m.compile(f, mode="max-autotune", options={"a": 1}))
    check_raises(lambda m: m.compile(f, mode="bogus"))
    check_raises(lambda m: m.compile(3))


# -- signatures: torch's parameter names, by keyword -------------------------------------------
KEYWORD_CALLS = [
    lambda m, x: m.dropout(input=x, p=0.0, train=True),
    lambda m, x: m.layer_norm(input=x, normalized_shape=[4], eps=1e-3, cudnn_enable=False),
    lambda m, x: m.group_norm(input=x, num_groups=1, eps=1e-3, cudnn_enabled=False),
    lambda m, x: m.kl_div(input=x, target=x.detach().exp(), reduction=2, log_target=False),
    lambda m, x: m.embedding(weight=x, indices=m.tensor([1, 2]), padding_idx=1),
    lambda m, x: m.threshold(input=x, threshold=0.0, value=1.0),
    lambda m, x: m.constant_pad_nd(input=x, pad=[1, 1], value=2.0),
    lambda m, x: m.slice_copy(input=x, dim=1, start=1, end=3, step=1),
    lambda m, x: m.diagonal_copy(input=x, offset=1, dim1=0, dim2=1),
    lambda m, x: m.as_strided(input=x, size=[2], stride=[3], storage_offset=1),
    lambda m, x: m.as_strided_copy(input=x, size=[2], stride=[3], storage_offset=1),
    lambda m, x: m.unfold_copy(input=x, dimension=1, size=2, step=2),
    lambda m, x: m.hinge_embedding_loss(input=x, target=x.detach().sign(), margin=0.5, reduction=0),
]


@pytest.mark.parametrize("fn", KEYWORD_CALLS)
def test_keyword_arguments(fn):
    check_op(fn, [(3, 4)])
