"""RMSNorm, RReLU, the in-place celu_/selu_, gumbel_softmax, pdist and the lazy modules, against
torch: values, gradients, reprs, errors and, for the random ones, the same seed's draws."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises, make_inputs
from nn_helpers import check_module

import ember

# --- rms_norm / RMSNorm -------------------------------------------------------------------------
RMS_CASES = {
    "last_dim": (lambda m, x: m.nn.functional.rms_norm(x, [5]), [(3, 4, 5)]),
    "two_dims": (lambda m, x: m.nn.functional.rms_norm(x, (4, 5)), [(3, 4, 5)]),
    "all_dims": (lambda m, x: m.nn.functional.rms_norm(x, [3, 4, 5]), [(3, 4, 5)]),
    "weight": (lambda m, x, w: m.nn.functional.rms_norm(x, [5], w), [(2, 3, 5), (5,)]),
    "weight_2d": (
        lambda m, x, w: m.nn.functional.rms_norm(x, [3, 5], w, 1e-3),
        [(2, 3, 5), (3, 5)],
    ),
    "eps": (lambda m, x: m.nn.functional.rms_norm(x, [6], eps=0.5), [(4, 6)]),
    "torch_name": (lambda m, x, w: m.rms_norm(x, [6], w), [(4, 6), (6,)]),
    "one_element": (lambda m, x: m.nn.functional.rms_norm(x, [1]), [(4, 1)]),
    "empty_batch": (lambda m, x: m.nn.functional.rms_norm(x, [3]), [(0, 3)]),
}


@pytest.mark.parametrize("name", RMS_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rms_norm(name, dtype):
    fn, shapes = RMS_CASES[name]
    check_op(fn, shapes, dtype=dtype)


def test_rms_norm_grad_fn_and_mixed_dtypes():
    x = ember.randn(2, 4, requires_grad=True)
    assert ember.nn.functional.rms_norm(x, [4]).grad_fn.name() == "MulBackward0"
    # float16 is computed in float32 (eps too) and cast back, so its node is the cast
    y = ember.nn.functional.rms_norm(x.half(), [4])
    assert y.grad_fn.name() == "ToCopyBackward0"
    # torch warns once per process (from C++), so its text is written out here
    c_names = {"float32": "float", "float64": "double", "float16": "c10::Half"}
    for xd, wd in [("float32", "float64"), ("float64", "float32"), ("float16", "float32")]:
        e_in, t_in = make_inputs([(3, 4), (4,)], dtype=np.float64, seed=2)
        ex, ew = e_in[0].to(getattr(ember, xd)), e_in[1].detach().to(getattr(ember, wd))
        tx, tw = t_in[0].to(getattr(torch, xd)), t_in[1].detach().to(getattr(torch, wd))
        with warnings.catch_warnings(record=True) as ew_rec:
            warnings.simplefilter("always")
            e = ember.nn.functional.rms_norm(ex, [4], ew)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = torch.nn.functional.rms_norm(tx, [4], tw)
        tol = 2e-3 if "float16" in (xd, wd) else None
        assert_close(e, t, rtol=tol, atol=tol, msg=f"{xd} x {wd}")
        msg = (
            f"Mismatch dtype between input and weight: input dtype = {c_names[xd]}, weight dtype "
            f"= {c_names[wd]}, Cannot dispatch to fused implementation."
        )
        assert [str(w.message) for w in ew_rec] == [msg]


def test_rms_norm_default_eps_is_the_computing_dtype_s():
    # values near eps's size show which epsilon was added: float16's computes with float32's
    for dt in ["float16", "float32", "float64"]:
        a = np.full((2, 4), 3e-4 if dt == "float16" else 1e-4, dtype=dt)
        e = ember.nn.functional.rms_norm(ember.tensor(a), [4])
        t = torch.nn.functional.rms_norm(torch.tensor(a), [4])
        assert_close(e, t, rtol=1e-3, atol=0)
    zeros = ember.nn.functional.rms_norm(ember.zeros(2, 3), [3])
    assert_close(zeros, torch.nn.functional.rms_norm(torch.zeros(2, 3), [3]))


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, 4), [3]),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, 4), [2, 4]),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3), [1, 2, 3]),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, 4), [4], m.ones(3)),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, 4), [4], m.ones(1, 4)),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, 4), [2, 4], m.ones(3)),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3), []),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3), 3),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, dtype=m.int64), [3]),
        lambda m: m.nn.functional.rms_norm([1.0, 2.0], [2]),
        lambda m: m.nn.RMSNorm(4)(m.ones(2, 3)),
    ],
)
def test_rms_norm_bad_input(fn):
    e = check_raises(fn)
    t = check_raises(fn)  # the message too, the first line of it
    assert str(e).split("\n")[0] == str(t).split("\n")[0]


def _messages(fn):
    """Both libraries' exception messages for ``fn``."""
    out = []
    for lib in (torch, ember):
        try:
            fn(lib)
        except Exception as exc:  # noqa: BLE001
            out.append(str(exc))
    return out


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, 4), [2, 4]),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3), [1, 2, 3]),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, 4), [2, 4], m.ones(3)),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3), []),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3), 3),
        lambda m: m.nn.functional.rms_norm(m.ones(2, 3, dtype=m.int64), [3]),
    ],
)
def test_rms_norm_error_messages(fn):
    t_msg, e_msg = _messages(fn)
    assert e_msg == t_msg


@pytest.mark.parametrize(
    "kw",
    [dict(normalized_shape=5), dict(normalized_shape=[4, 5], eps=1e-3),
     dict(normalized_shape=(5,), elementwise_affine=False), dict(normalized_shape=5, eps=0.25)],
    ids=str,
)  # fmt: skip
def test_rms_norm_module(kw):
    _, _, e, _ = check_module(lambda nn: nn.RMSNorm(**kw), [(3, 4, 5)])
    em, tm = ember.nn.RMSNorm(**kw), torch.nn.RMSNorm(**kw)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    if tm.weight is not None:  # initialised to ones
        assert_close(em.weight, tm.weight)
    assert hasattr(em, "bias") == hasattr(tm, "bias")
    assert em.eps == tm.eps and em.normalized_shape == tm.normalized_shape


def test_rms_norm_module_dtype():
    m = ember.nn.RMSNorm(3, dtype=ember.float64)
    assert m.weight.dtype == ember.float64
    check_module(lambda nn: nn.RMSNorm(3), [np.linspace(-2, 2, 12, dtype=np.float32).reshape(4, 3)])


# --- rrelu / RReLU ------------------------------------------------------------------------------
SPECIALS = np.array([-3.0, -1.0, -0.0, 0.0, 0.5, 2.0, -np.inf, np.inf, np.nan], np.float32)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.nn.functional.rrelu(x),
        lambda m, x: m.nn.functional.rrelu(x, 0.1, 0.3),
        lambda m, x: m.nn.functional.rrelu(x, 0.2, 0.2, training=False),
        lambda m, x: m.rrelu(x, 0.05, 0.5),
        lambda m, x: m.nn.functional.rrelu(x * 1, inplace=True),
        lambda m, x: m.nn.functional.rrelu_(x * 1, 0.3, 0.4),
        lambda m, x: m.rrelu_(x * 1),
        lambda m, x: m.nn.RReLU(0.1, 0.2).eval()(x),
        lambda m, x: m.nn.RReLU(inplace=True).eval()(x * 1),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rrelu_eval_is_deterministic(fn, dtype):
    check_op(fn, [(4, 5)], dtype=dtype)
    check_op(fn, [SPECIALS.astype(dtype)], dtype=dtype, grad=False)


def _same_seed(fn, seed, *inputs):
    """``fn(lib, *inputs)`` in both libraries after seeding both with ``seed``."""
    outs = []
    for lib in (torch, ember):
        lib.manual_seed(seed)
        outs.append(fn(lib, *inputs[lib is ember]))
    assert np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())
    return outs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lower,upper", [(1 / 8, 1 / 3), (0.1, 0.3), (0.25, 0.25), (-0.5, 0.5)])
def test_rrelu_training_slopes(dtype, lower, upper):
    e_in, t_in = make_inputs([(6, 50)], dtype=dtype, seed=4)
    x = e_in[0].detach().numpy()
    t, e = _same_seed(
        lambda m, a: m.nn.functional.rrelu(a, lower, upper, training=True), 3, t_in, e_in
    )
    out = e.detach().numpy()
    neg = x <= 0
    # the bounds: negative outputs lie between upper * x and lower * x; the rest is x
    lo, hi = dtype(lower), dtype(upper)
    assert np.all(out[neg] >= hi * x[neg]) and np.all(out[neg] <= lo * x[neg])
    np.testing.assert_array_equal(out[~neg], x[~neg])
    # the slopes used differ element to element (unless the bounds are equal)
    slopes = out[neg] / x[neg]
    assert (np.unique(slopes).size > 100) == (lower != upper)
    # torch's stream: the same seed draws the same slopes
    assert_close(e, t, rtol=0, atol=0)
    # the gradient is the slope used
    e.sum().backward()
    t.sum().backward()
    g = e_in[0].grad.numpy()
    np.testing.assert_allclose(g[neg], slopes, rtol=1e-6 if dtype == np.float32 else 1e-12)
    np.testing.assert_array_equal(g[~neg], 1)
    assert_close(e_in[0].grad, t_in[0].grad, rtol=0, atol=0)


def test_rrelu_training_module_and_inplace():
    def run(m, a):
        layer = m.nn.RReLU(0.1, 0.4)
        y1 = layer(a)
        b = a.detach().clone()
        y2 = m.nn.functional.rrelu_(b, 0.1, 0.4, training=True)
        assert y2 is b
        y3 = m.rrelu(a, training=True)
        layer.eval()
        return y1, y2, y3, layer(a)

    e_in, t_in = make_inputs([(3, 7, 5)], seed=5)
    t, e = _same_seed(run, 11, t_in, e_in)
    assert_close(e, t, rtol=0, atol=0)
    # training draws differ from eval's fixed slope
    assert not np.array_equal(e[0].detach().numpy(), e[3].detach().numpy())


def test_rrelu_training_specials_and_noncontiguous():
    sp = np.tile(SPECIALS, (3, 1))
    t, e = _same_seed(
        lambda m, a: m.nn.functional.rrelu(a.t(), training=True), 8, [torch.tensor(sp)],
        [ember.tensor(sp)]
    )  # fmt: skip
    assert_close(e, t, rtol=0, atol=0)
    # -0.0 and 0.0 take a slope and keep their sign bits, NaN passes through
    assert np.array_equal(np.signbit(e.numpy()), np.signbit(t.numpy()))


def test_rrelu_repr_and_errors():
    for args in [(), (0.1, 0.3), (0.1, 0.3, True), (0.2,)]:
        assert repr(ember.nn.RReLU(*args)) == repr(torch.nn.RReLU(*args))
    for fn in [
        lambda m: m.nn.functional.rrelu(m.ones(3), 0.5, 0.1),
        lambda m: m.nn.functional.rrelu(m.ones(3), 0.5, 0.1, training=True),
        lambda m: m.nn.functional.rrelu(m.tensor([1, -2]), training=True),
        lambda m: m.nn.functional.rrelu(m.tensor([1, -2])),
        lambda m: m.nn.functional.rrelu(m.ones(3).half(), training=True),
        lambda m: m.nn.functional.rrelu([1.0]),
    ]:
        check_raises(fn)
        t_msg, e_msg = _messages(fn)
        assert e_msg == t_msg


# --- celu_, selu_ -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.nn.functional.celu_(x * 1),
        lambda m, x: m.nn.functional.celu_(x * 1, 0.5),
        lambda m, x: m.celu_(x * 1, alpha=2.0),
        lambda m, x: m.nn.functional.selu_(x * 1),
        lambda m, x: m.selu_(x * 1),
    ],
)
def test_celu_selu_inplace(fn):
    check_op(fn, [(3, 5)])
    check_op(fn, [SPECIALS], grad=False)


def test_celu_selu_inplace_write_the_input():
    for name, args in [("celu_", (0.7,)), ("selu_", ())]:
        a = np.linspace(-3, 3, 13, dtype=np.float32)
        e, t = ember.tensor(a), torch.tensor(a)
        assert getattr(ember.nn.functional, name)(e, *args) is e
        getattr(torch.nn.functional, name)(t, *args)
        assert_close(e, t)
    for fn in [
        lambda m: m.nn.functional.celu_(m.ones(2), 0.0),
        lambda m: m.nn.functional.celu_(m.tensor([1, 2])),
        lambda m: m.nn.functional.selu_(m.tensor([1, 2])),
        lambda m: m.nn.functional.selu_(m.ones(2, requires_grad=True)),
    ]:
        check_raises(fn)
    t_msg, e_msg = _messages(lambda m: m.nn.functional.celu_(m.ones(2), 0.0))
    assert e_msg == t_msg


# --- gumbel_softmax -----------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [dict(), dict(tau=0.5), dict(dim=0), dict(tau=2.0, dim=1)], ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gumbel_softmax_soft(kw, dtype):
    e_in, t_in = make_inputs([(4, 6, 3)], dtype=dtype, seed=6)
    t, e = _same_seed(lambda m, a: m.nn.functional.gumbel_softmax(a, **kw), 2, t_in, e_in)
    assert e.shape == (4, 6, 3) and e.grad_fn.name() == "SoftmaxBackward0"
    sums = e.detach().numpy().sum(kw.get("dim", -1))
    np.testing.assert_allclose(sums, 1, rtol=1e-6)
    # the Gumbel noise comes from torch's exponential_ stream: same seed, same sample
    assert_close(e, t)
    w = np.random.default_rng(0).standard_normal((4, 6, 3)).astype(dtype)
    (e * ember.tensor(w)).sum().backward()
    (t * torch.tensor(w)).sum().backward()
    assert_close(e_in[0].grad, t_in[0].grad)


@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax_hard_straight_through(dim):
    e_in, t_in = make_inputs([(5, 4)], seed=7)
    t, e = _same_seed(
        lambda m, a: m.nn.functional.gumbel_softmax(a, tau=0.7, hard=True, dim=dim), 9, t_in, e_in
    )
    y = e.detach().numpy()
    assert set(np.unique(y)) <= {0.0, 1.0}
    np.testing.assert_array_equal(y.sum(dim), 1)
    assert_close(e, t)
    # the gradient is the soft sample's: redraw the same noise without hard
    w = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    (e * ember.tensor(w)).sum().backward()
    ember.manual_seed(9)
    x2 = e_in[0].detach().requires_grad_()
    soft = ember.nn.functional.gumbel_softmax(x2, tau=0.7, dim=dim)
    np.testing.assert_array_equal(y.argmax(dim), soft.detach().numpy().argmax(dim))
    (soft * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(e_in[0].grad.numpy(), x2.grad.numpy(), rtol=1e-6, atol=1e-7)
    (t * torch.tensor(w)).sum().backward()
    assert_close(e_in[0].grad, t_in[0].grad)


def test_gumbel_softmax_eps_warning_and_errors():
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        ember.nn.functional.gumbel_softmax(ember.zeros(2, 3), eps=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.functional.gumbel_softmax(ember.zeros(2, 3))
    fn = lambda m: m.nn.functional.gumbel_softmax(m.tensor([1, 2]))  # noqa: E731
    check_raises(fn)
    t_msg, e_msg = _messages(fn)
    assert e_msg == t_msg


# --- pdist --------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [2, 1, 3, 0.5, 0, float("inf")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pdist(p, dtype):
    # p=0 (a count of differing coordinates): values only, ember.pdist's gradient there is None
    # where torch's is zeros (ember.functions.linalg.pdist, outside this file's scope)
    check_op(lambda m, x: m.nn.functional.pdist(x, p), [(5, 3)], dtype=dtype, grad=p != 0)
    check_op(lambda m, x: m.pdist(x, p=p), [(4, 6)], dtype=dtype, grad=p != 0)
    assert ember.nn.functional.pdist is ember.pdist


def test_pdist_edge_cases():
    check_op(lambda m, x: m.nn.functional.pdist(x), [(1, 3)])
    check_op(lambda m, x: m.nn.functional.pdist(x), [(3, 0)], grad=False)
    for fn in [
        lambda m: m.nn.functional.pdist(m.ones(3)),
        lambda m: m.nn.functional.pdist(m.ones(2, 3, 4)),
        lambda m: m.nn.functional.pdist(m.ones(3, 2), p=-1),
        lambda m: m.nn.functional.pdist(m.ones(3, 2, dtype=m.int64)),
    ]:
        check_raises(fn)


# --- lazy modules -------------------------------------------------------------------------------
LAZY = {
    "Linear": (lambda nn: nn.LazyLinear(6), (4, 5)),
    "Linear_3d_nobias": (lambda nn: nn.LazyLinear(3, bias=False), (2, 3, 7)),
    "Linear_1d": (lambda nn: nn.LazyLinear(4), (5,)),
    "Conv1d": (lambda nn: nn.LazyConv1d(4, 3, padding=1), (2, 3, 9)),
    "Conv1d_unbatched": (lambda nn: nn.LazyConv1d(4, 3), (3, 9)),
    "Conv2d": (lambda nn: nn.LazyConv2d(6, 3, stride=2, padding=1, groups=2), (2, 4, 7, 6)),
    "Conv2d_nobias": (lambda nn: nn.LazyConv2d(5, (3, 2), bias=False), (1, 3, 6, 5)),
    "Conv2d_reflect": (
        lambda nn: nn.LazyConv2d(3, 3, padding=1, padding_mode="reflect"),
        (2, 2, 5, 5),
    ),  # fmt: skip
    "Conv3d": (lambda nn: nn.LazyConv3d(2, 2), (1, 3, 4, 4, 3)),
    "ConvTranspose1d": (lambda nn: nn.LazyConvTranspose1d(4, 3, stride=2), (2, 3, 5)),
    "ConvTranspose2d": (
        lambda nn: nn.LazyConvTranspose2d(4, 3, groups=2, output_padding=0),
        (2, 6, 4, 4),
    ),  # fmt: skip
    "ConvTranspose2d_unbatched": (
        lambda nn: nn.LazyConvTranspose2d(2, 2, bias=False),
        (3, 4, 4),
    ),  # fmt: skip
    "ConvTranspose3d": (lambda nn: nn.LazyConvTranspose3d(2, 2, stride=2), (1, 2, 3, 3, 2)),
    "BatchNorm1d": (lambda nn: nn.LazyBatchNorm1d(), (6, 4)),
    "BatchNorm1d_3d": (lambda nn: nn.LazyBatchNorm1d(momentum=None), (3, 4, 5)),
    "BatchNorm2d_noaffine": (lambda nn: nn.LazyBatchNorm2d(affine=False), (2, 3, 4, 4)),
    "BatchNorm2d_nobias": (lambda nn: nn.LazyBatchNorm2d(bias=False), (2, 3, 4, 4)),
    "BatchNorm3d_nostats": (
        lambda nn: nn.LazyBatchNorm3d(track_running_stats=False),
        (2, 3, 2, 3, 2),
    ),  # fmt: skip
    "InstanceNorm1d": (lambda nn: nn.LazyInstanceNorm1d(), (2, 3, 6)),
    "InstanceNorm2d": (lambda nn: nn.LazyInstanceNorm2d(affine=False, eps=1e-3), (2, 3, 4, 4)),
    "InstanceNorm3d": (
        lambda nn: nn.LazyInstanceNorm3d(track_running_stats=False),
        (2, 2, 3, 3, 2),
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", LAZY)
def test_lazy_module_materializes_as_torch(name):
    make, shape = LAZY[name]
    ember.manual_seed(5)
    torch.manual_seed(5)
    em, tm = make(ember.nn), make(torch.nn)
    # before the first forward: torch's repr, uninitialized tensors, no draws yet
    assert repr(em) == repr(tm)
    assert type(em).__name__ == type(tm).__name__ == "Lazy" + name.split("_")[0]
    assert em.has_uninitialized_params() and tm.has_uninitialized_params()
    e_sd, t_sd = em.state_dict(), tm.state_dict()
    assert list(e_sd) == list(t_sd)
    assert [repr(v) for v in e_sd.values()] == [repr(v) for v in t_sd.values()]
    eager = tm.cls_to_become
    e_in, t_in = make_inputs([shape], seed=8)
    t_out = tm(*t_in)
    e_out = em(*e_in)
    # the first forward infers the size, initializes as the eager layer (same draws) and swaps
    # the class for the eager one
    assert type(em).__name__ == type(tm).__name__ == eager.__name__
    assert type(em) is getattr(ember.nn, type(tm).__name__)
    assert repr(em) == repr(tm)
    assert not hasattr(em, "has_uninitialized_params") and not hasattr(
        tm, "has_uninitialized_params"
    )
    assert not em._forward_pre_hooks
    e_sd, t_sd = em.state_dict(), tm.state_dict()
    assert list(e_sd) == list(t_sd)
    params = dict(tm.named_parameters())
    for k in t_sd:  # the drawn weights exactly; running statistics (from the input) closely
        tol = 0 if k in params else None
        assert_close(e_sd[k], t_sd[k], rtol=tol, atol=tol, msg=k)
    assert all(type(p) is ember.nn.Parameter for p in em.parameters())
    assert np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())
    assert_close(e_out, t_out)
    w = np.random.default_rng(0).standard_normal(tuple(t_out.shape)).astype(np.float32)
    (t_out * torch.tensor(w)).sum().backward()
    (e_out * ember.tensor(w)).sum().backward()
    assert_close(e_in[0].grad, t_in[0].grad)
    for (n, ep), (_, tp) in zip(em.named_parameters(), tm.named_parameters()):
        assert_close(ep.grad, tp.grad, msg=n)
    # a second call runs the eager module
    assert_close(em(*e_in), tm(*t_in))


def test_lazy_module_in_a_network_trains_as_torch():
    def run(lib):
        nn = lib.nn
        lib.manual_seed(1)
        net = nn.Sequential(
            nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(), nn.LazyLinear(3)
        )
        opt = lib.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)  # built before the shapes
        x = lib.tensor(np.linspace(-1, 1, 2 * 3 * 6 * 6, dtype=np.float32).reshape(2, 3, 6, 6))
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = net(x).pow(2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return net, losses

    tn, tl = run(torch)
    en, el = run(ember)
    np.testing.assert_allclose(el, tl, rtol=1e-5)
    assert repr(en) == repr(tn)
    for k, v in tn.state_dict().items():
        assert_close(en.state_dict()[k], v, rtol=1e-4, atol=1e-5, msg=k)


def test_lazy_module_loads_torch_s_materialized_state():
    tm = torch.nn.LazyConv2d(3, 2)
    tm(torch.zeros(1, 5, 4, 4))
    em = ember.nn.LazyConv2d(3, 2)
    em(ember.zeros(1, 5, 4, 4))
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    e_in, t_in = make_inputs([(2, 5, 6, 6)], seed=3)
    assert_close(em(*e_in), tm(*t_in))


def test_lazy_module_casts_and_direct_initialization():
    for lib in (torch, ember):
        m = lib.nn.LazyLinear(3).double()  # before materializing: the dtype is kept for it
        assert isinstance(m.weight, lib.nn.UninitializedParameter)
        m(lib.ones(2, 4, dtype=lib.float64))
        assert str(m.weight.dtype).endswith("float64") and m.weight.shape == (3, 4)
        m = lib.nn.LazyBatchNorm1d(dtype=lib.float64)
        m(lib.ones(3, 2, dtype=lib.float64))
        assert str(m.running_mean.dtype).endswith("float64")
        m = lib.nn.LazyBatchNorm2d().double()  # the buffers' casts stay uninitialized
        assert type(m.running_var).__name__ == "UninitializedBuffer"
        m(lib.ones(2, 3, 2, 2, dtype=lib.float64))
        assert str(m.running_var.dtype).endswith("float64") and tuple(m.running_var.shape) == (3,)
        # initialize_parameters alone materializes, but the class stays lazy until a forward
        m = lib.nn.LazyLinear(3)
        m.initialize_parameters(lib.ones(2, 6))
        assert type(m).__name__ == "LazyLinear" and m.in_features == 6
        assert "in_features=6" in repr(m)
        m(lib.ones(1, 6))
        assert type(m).__name__ == "Linear"


def test_lazy_module_deepcopy_stays_lazy():
    import copy

    m = ember.nn.LazyLinear(3)
    c = copy.deepcopy(m)
    c(ember.ones(2, 4))
    assert type(c) is ember.nn.Linear and type(m) is ember.nn.LazyLinear
    assert repr(m.weight) == "<UninitializedParameter>"
    m(ember.ones(2, 7))
    assert m.weight.shape == (3, 7)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.nn.LazyLinear(3)(m.ones(())),
        lambda m: m.nn.LazyBatchNorm1d()(m.ones(5)),
        lambda m: m.nn.LazyConv2d(3, 3)(m.ones(2, 2, 8, 8, 8)),
        lambda m: m.nn.LazyConvTranspose1d(3, 3)(m.ones(4)),
        lambda m: m.nn.LazyConv2d(4, 3, groups=2)(m.ones(1, 3, 8, 8)),
        lambda m: m.nn.LazyConv2d(4, 3, groups=0),
        lambda m: m.nn.LazyConvTranspose2d(4, 3, padding_mode="reflect"),
        lambda m: m.nn.LazyLinear(3)(m.ones(2, 5, dtype=m.float64)),
    ],
)
def test_lazy_module_bad_input(fn):
    check_raises(fn)
    t_msg, e_msg = _messages(fn)
    assert e_msg.replace("ember.", "torch.") == t_msg


def test_lazy_norm_swaps_class_even_when_forward_fails():
    # the hook materializes first; the eager forward then rejects the input, as in torch
    ms = [lib.nn.LazyBatchNorm2d() for lib in (torch, ember)]
    for m, lib in zip(ms, (torch, ember)):
        with pytest.raises(ValueError, match="expected 4D input"):
            m(lib.ones(2, 3, 4))
    assert [type(m).__name__ for m in ms] == ["BatchNorm2d"] * 2
    assert repr(ms[1]) == repr(ms[0])


# --- UninitializedParameter / UninitializedBuffer -----------------------------------------------
def test_uninitialized_tensors():
    for lib in (torch, ember):
        nn = lib.nn
        p, b = nn.UninitializedParameter(), nn.UninitializedBuffer()
        assert (
            repr(p) == str(p) == "<UninitializedParameter>" and repr(b) == "<UninitializedBuffer>"
        )
        assert isinstance(p, nn.Parameter) and not isinstance(b, nn.Parameter)
        assert p.requires_grad and not b.requires_grad and p.grad is None and p.is_leaf
        assert str(nn.UninitializedParameter(False, dtype=lib.float64).dtype).endswith("float64")
        assert nn.UninitializedParameter.cls_to_become is nn.Parameter
        assert nn.UninitializedBuffer.cls_to_become is lib.Tensor
        assert tuple(p.size()) == (0,) and p.is_floating_point() and p.ndim == 1
        q = nn.UninitializedParameter(False, dtype=lib.float64)
        q.materialize((2, 3), dtype=lib.float32)
        assert type(q) is nn.Parameter and tuple(q.shape) == (2, 3) and not q.requires_grad
        assert str(q.dtype).endswith("float32")
        b.materialize(4)
        assert type(b) is lib.Tensor and tuple(b.shape) == (4,)
        m = nn.Module()
        m.w = nn.UninitializedParameter()
        assert [n for n, _ in m.named_parameters()] == ["w"]


@pytest.mark.parametrize(
    "use",
    [
        lambda m, p: p + 1,
        lambda m, p: 2 * p,
        lambda m, p: p.sum(),
        lambda m, p: p.numel(),
        lambda m, p: p.dim(),
        lambda m, p: p.clone(),
        lambda m, p: p.detach(),
        lambda m, p: p.zero_(),
        lambda m, p: p.requires_grad_(False),
        lambda m, p: p[0],
        lambda m, p: len(p),
        lambda m, p: bool(p),
        lambda m, p: p == 1,
        lambda m, p: f"{p}",
        lambda m, p: m.add(p, 1),
        lambda m, p: m.sum(p),
        lambda m, p: m.nn.functional.linear(m.ones(2, 3), p),
        lambda m, p: p.shape,
    ],
)
def test_uninitialized_parameter_refuses_use(use):
    for cls in ("UninitializedParameter", "UninitializedBuffer"):
        exc = check_raises(lambda m: use(m, getattr(m.nn, cls)()))  # noqa: B023
        if isinstance(exc, ValueError):
            assert str(exc).startswith("Attempted to use an uninitialized parameter in ")
        else:
            t_msg, e_msg = _messages(lambda m: use(m, getattr(m.nn, cls)()))  # noqa: B023
            assert e_msg == t_msg


def test_lazy_module_loads_a_checkpoint_before_its_first_forward():
    t_lin = torch.nn.Linear(4, 3)
    sd = {k: ember.tensor(v.detach().numpy().copy()) for k, v in t_lin.state_dict().items()}
    pairs = [(ember.nn.LazyLinear(3), torch.nn.LazyLinear(3)) for _ in range(2)]
    for e, t in pairs:
        e.load_state_dict(sd)
        t.load_state_dict(t_lin.state_dict())
        assert tuple(e.weight.shape) == tuple(t.weight.shape) == (3, 4)
        assert type(e).__name__ == type(t).__name__ == "LazyLinear"
    e, t = pairs[0]
    out = e(ember.ones(2, 4))
    np.testing.assert_allclose(out.detach().numpy(), t(torch.ones(2, 4)).detach().numpy(), 1e-6)
    assert type(e).__name__ == type(t).__name__ == "Linear" and e.in_features == t.in_features
    e, t = pairs[1]
    with pytest.raises(AssertionError, match="in_features inferred from input: 5"):
        e(ember.ones(2, 5))
    with pytest.raises(AssertionError):
        t(torch.ones(2, 5))


def test_load_state_dict_pre_hooks_run_with_their_arguments():
    seen = []
    e = ember.nn.Sequential(ember.nn.Linear(2, 2))
    h = e[0].register_load_state_dict_pre_hook(
        lambda mod, sd, prefix, meta, strict, missing, unexpected, errors: seen.append(
            (type(mod).__name__, prefix, sorted(sd), strict)
        )
    )
    e.load_state_dict(e.state_dict())
    h.remove()
    e.load_state_dict(e.state_dict())
    assert seen == [("Linear", "0.", ["0.bias", "0.weight"], True)]
