"""grad_fn names against torch: ops torch records as one node (max-unpooling, fractional max
pooling, pdist, embedding_bag, rrelu, weight norm) and the in-place view ops' own names (t_,
transpose_, squeeze_...). Each case compares the node names two levels deep (grad_fn and its
next_functions), and the values and gradients."""

import numpy as np
import pytest
import torch
from helpers import check_op, check_raises, make_inputs

import ember


def graph(t, depth=2):
    """``t.grad_fn``'s name with the names of its next_functions, ``depth`` levels down."""

    def walk(node, d):
        if node is None:
            return None
        if d == 0:
            return node.name()
        return (node.name(), tuple(walk(f, d - 1) for f, _ in node.next_functions))

    return walk(t.grad_fn, depth)


def check_named(fn, shapes, depth=2, **kw):
    """``fn`` agrees with torch in values and gradients, and records the same nodes."""
    check_op(fn, shapes, **kw)
    e_in, t_in = make_inputs(shapes, seed=kw.get("seed", 0))
    e_out, t_out = fn(ember, *e_in), fn(torch, *t_in)
    if isinstance(t_out, tuple):
        e_out, t_out = e_out[0], t_out[0]
    assert graph(e_out, depth) == graph(t_out, depth)
    # the repr shows grad_fn=<class name> (torch::autograd::CopySlices prints as CopySlices)
    assert f"grad_fn=<{type(t_out.grad_fn).__name__}>" in repr(e_out)


# --- max-unpooling ------------------------------------------------------------------------------
@pytest.mark.parametrize("nd, shape", [(1, (2, 3, 8)), (2, (2, 3, 4, 6)), (3, (1, 2, 4, 4, 6))])
def test_max_unpool(nd, shape):
    def fn(m, x):
        F = m.nn.functional
        y, idx = getattr(F, f"max_pool{nd}d")(x, 2, return_indices=True)
        return getattr(F, f"max_unpool{nd}d")(y * 2, idx, 2)

    check_named(fn, [shape], depth=3)


@pytest.mark.parametrize("nd, shape", [(1, (3, 8)), (2, (3, 4, 4)), (3, (2, 4, 4, 2))])
def test_max_unpool_unbatched(nd, shape):
    # the indices from a constant, so that the graph is the unpooling's alone
    base = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    pooled = (shape[0], *(s // 2 for s in shape[1:]))

    def fn(m, y):
        F = m.nn.functional
        _, idx = getattr(F, f"max_pool{nd}d")(m.tensor(base), 2, return_indices=True)
        return getattr(F, f"max_unpool{nd}d")(y, idx, 2)

    check_named(fn, [pooled])


def test_max_unpool_output_size_and_stride():
    def fn(m, x):
        F = m.nn.functional
        y, idx = F.max_pool2d(x, 3, 2, return_indices=True)
        return F.max_unpool2d(y, idx, 3, 2, output_size=(8, 7))

    check_named(fn, [(2, 2, 7, 7)])


# --- fractional max pooling ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "nd, shape, out", [(2, (2, 3, 7, 6), 3), (2, (3, 7, 6), (4, 3)), (3, (2, 2, 6, 5, 7), 3)]
)
@pytest.mark.parametrize("return_indices", [False, True])
def test_fractional_max_pool(nd, shape, out, return_indices):
    n, c = (shape[0], shape[1]) if len(shape) == nd + 2 else (1, shape[0])
    u = np.random.default_rng(3).uniform(size=(n, c, nd)).astype(np.float32)

    def fn(m, x):
        pool = getattr(m.nn.functional, f"fractional_max_pool{nd}d")
        return pool(
            x, 2, output_size=out, return_indices=return_indices, _random_samples=m.tensor(u)
        )

    check_named(fn, [shape])


# --- pdist --------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, float("inf")])
def test_pdist(p):
    check_named(lambda m, x: m.nn.functional.pdist(x, p), [(5, 3)])
    check_named(lambda m, x: m.pdist(x * 1, p), [(4, 2)], depth=3)


@pytest.mark.parametrize("p", [0, 1, 2, 3, float("inf")])
def test_pdist_repeated_rows_and_ties(p):
    # equal rows give a zero distance; in the inf-norm, tied coordinates each get the gradient
    x = np.array([[1, 2, 3], [1, 2, 3], [0, 2, 5], [3, 0, 1]], np.float32)
    check_named(lambda m, x: m.pdist(x, p), [x])


def test_pdist_double_backward():
    x = ember.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    for p in (1.5, 2, 3):
        assert ember.autograd.gradgradcheck(lambda x, p=p: ember.pdist(x, p), (x,))


# --- embedding_bag ------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag(mode, padding_idx):
    idx = np.array([0, 2, 1, 3, 2, 2, 4], np.int64)
    offsets = np.array([0, 2, 2, 5], np.int64)

    def fn(m, w):
        return m.nn.functional.embedding_bag(
            m.tensor(idx), w, m.tensor(offsets), mode=mode, padding_idx=padding_idx
        )

    check_named(fn, [(6, 4)])


@pytest.mark.parametrize("two_d", [False, True])
def test_embedding_bag_per_sample_weights(two_d):
    idx = np.array([[0, 2, 1], [3, 2, 2]], np.int64)

    def fn(m, w, psw):
        F = m.nn.functional
        if two_d:
            return F.embedding_bag(m.tensor(idx), w, mode="sum", per_sample_weights=psw)
        flat = m.tensor(idx.reshape(-1))
        offs = m.tensor([0, 1, 6])
        return F.embedding_bag(flat, w, offs, mode="sum", per_sample_weights=psw.reshape(-1))

    check_named(fn, [(5, 3), (2, 3)])


def test_embedding_bag_module_and_last_offset():
    def fn(m, w):
        bag = m.nn.EmbeddingBag(5, 3, mode="max", include_last_offset=True)
        with m.no_grad():
            bag.weight.copy_(w)
        return bag(m.tensor([0, 4, 1, 3, 2]), m.tensor([0, 3, 5])) * w.sum()

    check_named(fn, [(5, 3)], depth=3)


def test_embedding_bag_double_backward():
    rng = np.random.default_rng(1)
    w = ember.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    psw = ember.tensor(rng.standard_normal(6), requires_grad=True)
    idx, offs = ember.tensor([0, 2, 1, 3, 2, 4]), ember.tensor([0, 2, 3])

    def f(w, psw):
        return ember.nn.functional.embedding_bag(idx, w, offs, mode="sum", per_sample_weights=psw)

    assert ember.autograd.gradgradcheck(f, (w, psw))


# --- rrelu --------------------------------------------------------------------------------------
@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("how", ["out", "inplace", "rrelu_", "torch"])
def test_rrelu(training, how):
    def fn(m, x):
        m.manual_seed(7)
        F, y = m.nn.functional, x * 1
        if how == "out":
            return F.rrelu(y, 0.1, 0.4, training=training)
        if how == "inplace":
            return F.rrelu(y, 0.1, 0.4, training=training, inplace=True)
        if how == "rrelu_":
            return F.rrelu_(y, 0.1, 0.4, training=training)
        return m.rrelu(y, 0.1, 0.4, training)

    check_named(fn, [(3, 4, 5)])


def test_rrelu_module_and_zero():
    x = np.array([[-1.0, 0.0, 2.0, -0.5], [0.0, -3.0, 1.0, 4.0]], np.float32)

    def fn(m, x):
        m.manual_seed(3)
        return m.nn.RReLU()(x * 1)

    check_named(fn, [x])


ACTIVATIONS_INPLACE = [
    ("leaky_relu_", lambda F, y: F.leaky_relu_(y, 0.2)),
    ("leaky_relu inplace", lambda F, y: F.leaky_relu(y, inplace=True)),
    ("elu_", lambda F, y: F.elu_(y, 0.7)),
    ("elu inplace", lambda F, y: F.elu(y, inplace=True)),
    ("selu_", lambda F, y: F.selu_(y)),
    ("selu inplace", lambda F, y: F.selu(y, inplace=True)),
    ("celu_", lambda F, y: F.celu_(y, 1.5)),
    ("celu inplace", lambda F, y: F.celu(y, inplace=True)),
    ("threshold_", lambda F, y: F.threshold_(y, 0.1, 2.0)),
    ("threshold inplace", lambda F, y: F.threshold(y, 0.1, 2.0, inplace=True)),
    ("hardtanh_", lambda F, y: F.hardtanh_(y)),
    ("relu_", lambda F, y: F.relu_(y)),
    ("leaky_relu", lambda F, y: F.leaky_relu(y, 0.2)),
    ("elu", lambda F, y: F.elu(y)),
    ("threshold", lambda F, y: F.threshold(y, 0.1, 2.0)),
]


@pytest.mark.parametrize("name, op", ACTIVATIONS_INPLACE, ids=[c[0] for c in ACTIVATIONS_INPLACE])
def test_activation_inplace_names(name, op):
    def fn(m, x):
        y = x * 1.5
        out = op(m.nn.functional, y)
        assert (out is y) == (name.endswith("_") or "inplace" in name)
        return out * x

    check_named(fn, [(3, 5)], depth=3)


@pytest.mark.parametrize(
    "x_shape, w_shape",
    [((2, 3, 4, 4), (3,)), ((2, 3), (3,)), ((2, 3, 4), (1,)), ((3,), (1,)), ((3,), ()), ((), ())],
)
def test_prelu_views_the_weight(x_shape, w_shape):
    check_named(lambda m, x, w: m.nn.functional.prelu(x, w), [x_shape, w_shape])


def test_prelu_module():
    def fn(m, x, w):
        act = m.nn.PReLU(3)
        with m.no_grad():
            act.weight.copy_(w)
        return act(x) * w.sum()

    check_named(fn, [(2, 3, 5), (3,)], depth=3)


# --- weight norm --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "v_shape, g_shape, dim",
    [
        ((3, 4), (3, 1), 0),
        ((3, 4), (1, 4), 1),
        ((3, 4, 2), (1, 1, 2), 2),
        ((3, 4, 2), (1, 4, 1), 1),  # a middle dim: torch composes it
        ((3, 4), (1, 4), -1),  # not the last dim to torch's check: composed, norm over all
        ((5,), (5,), 0),
    ],
)
def test_weight_norm_function(v_shape, g_shape, dim):
    # composed forms only to depth 1: torch's norm_except_dim records NormBackward0/1 there
    depth = 3 if dim in (0, len(v_shape) - 1) else 1
    check_named(lambda m, v, g: m._weight_norm(v, g, dim), [v_shape, g_shape], depth=depth)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization(dim):
    def fn(m, w, x):
        lin = m.nn.Linear(3, 4)
        with m.no_grad():
            lin.weight.copy_(w)
            lin.bias.fill_(0.25)  # not the two libraries' random draws
        lin = m.nn.utils.parametrizations.weight_norm(lin, dim=dim)
        weight = lin.weight
        return lin(x) + weight.sum()

    check_named(fn, [(4, 3), (2, 3)])
    e = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 4), dim=dim).weight
    t = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(3, 4), dim=dim).weight
    depth = 1 if dim is None else 2
    assert graph(e, depth) == graph(t, depth)


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("dim", [0, 1])
def test_weight_norm_legacy_hook(dim):
    def fn(m, w, x):
        lin = m.nn.Linear(3, 4)
        with m.no_grad():
            lin.weight.copy_(w)
            lin.bias.fill_(0.25)  # not the two libraries' random draws
        lin = m.nn.utils.weight_norm(lin, dim=dim)
        return lin(x) * lin.weight.sum()

    check_named(fn, [(4, 3), (2, 3)])


def test_weight_norm_double_backward():
    rng = np.random.default_rng(2)
    v = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    for dim, g_shape in ((0, (3, 1)), (1, (1, 4))):
        g = ember.tensor(rng.uniform(0.5, 2, g_shape), requires_grad=True)
        fn = lambda v, g, dim=dim: ember._weight_norm(v, g, dim)  # noqa: E731
        assert ember.autograd.gradgradcheck(fn, (v, g))


def test_pooling_double_backward():
    rng = np.random.default_rng(4)
    x = ember.tensor(rng.standard_normal((1, 2, 6, 6)), requires_grad=True)
    u = ember.tensor(rng.uniform(size=(1, 2, 2)))
    F = ember.nn.functional
    assert ember.autograd.gradgradcheck(
        lambda x: F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=u), (x,)
    )
    _, idx = F.max_pool2d(x.detach(), 2, return_indices=True)
    y = ember.tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda y: F.max_unpool2d(y, idx, 2), (y,))


# --- matmul folds, linear, instance norm, feature dropout ---------------------------------------
MATMUL = [
    ("3d@2d", (2, 4, 3), (3, 5)),
    ("4d@2d", (2, 2, 4, 3), (3, 5)),
    ("3d@1d", (2, 4, 3), (3,)),
    ("1d@2d", (3,), (3, 5)),
    ("2d@2d", (4, 3), (3, 5)),
    ("2d@1d", (4, 3), (3,)),
]


@pytest.mark.parametrize("name, a, b", MATMUL, ids=[c[0] for c in MATMUL])
def test_matmul_folds(name, a, b):
    check_named(lambda m, x, y: x @ y, [a, b], depth=3)


def test_matmul_vector_size_mismatch():
    check_raises(lambda m: m.ones(2, 4, 3) @ m.ones(5))


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("contiguous", [False, True])
def test_linear_batched(bias, contiguous):
    def fn(m, x, w, b):
        x = x if contiguous else x.transpose(0, 1)
        return m.nn.functional.linear(x, w, b if bias else None)

    check_named(fn, [(2, 4, 3), (5, 3), (5,)], depth=2)


@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("stats", ["input", "running", "running only"])
def test_instance_norm(affine, stats):
    def fn(m, x, w, b):
        rm, rv = (m.zeros(3), m.ones(3)) if stats != "input" else (None, None)
        y = m.nn.functional.instance_norm(
            x,
            rm,
            rv,
            w if affine else None,
            b if affine else None,
            use_input_stats=stats != "running only",
        )
        if rm is not None:  # the running statistics update as torch's
            y = y + (rm.sum() + rv.sum())
        return y

    check_named(fn, [(2, 3, 4, 5), (3,), (3,)], depth=3)


@pytest.mark.parametrize("nd, shape", [(1, (3, 6)), (3, (3, 2, 2, 2)), (1, (2, 3, 6))])
@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("p, training", [(0.5, True), (0.5, False), (1.0, True)])
def test_feature_dropout_unbatched(nd, shape, inplace, p, training):
    def fn(m, x):
        m.manual_seed(11)
        y = x * 1
        out = getattr(m.nn.functional, f"dropout{nd}d")(y, p, training, inplace)
        assert tuple(y.shape) == tuple(x.shape)
        return out

    check_named(fn, [shape])


@pytest.mark.parametrize(
    "s1, s2, bias", [((4, 3), (4, 2), True), ((4, 3), (4, 2), False), ((2, 4, 3), (2, 4, 2), True)]
)
def test_bilinear(s1, s2, bias):
    def fn(m, x1, x2, w, b):
        return m.nn.functional.bilinear(x1, x2, w, b if bias else None)

    check_named(fn, [s1, s2, (5, 3, 2), (5,)], depth=3)


def test_bilinear_unbatched_module_and_double_backward():
    def fn(m, x1, x2, w):
        m.manual_seed(0)  # the bias is drawn: the same in both whatever ran before
        layer = m.nn.Bilinear(3, 2, 5)
        with m.no_grad():
            layer.weight.copy_(w)
        return layer(x1, x2)

    check_named(fn, [(3,), (2,), (5, 3, 2)])
    rng = np.random.default_rng(6)
    args = [ember.tensor(rng.standard_normal(s), requires_grad=True) for s in ((4, 3), (4, 2))]
    w = ember.tensor(rng.standard_normal((5, 3, 2)), requires_grad=True)
    assert ember.autograd.gradgradcheck(
        lambda a, b, w: ember.nn.functional.bilinear(a, b, w), (*args, w)
    )


def test_bilinear_errors():
    for bias in ((4,), (1,)):
        err = check_raises(
            lambda m, bias=bias: m.nn.functional.bilinear(
                m.ones(4, 3), m.ones(4, 2), m.ones(5, 3, 2), m.ones(bias)
            )
        )
        assert str(err) == (
            f"bilinear(): bias size does not match weight size: got {bias[0]} but expected 5"
        )
    err = check_raises(
        lambda m: m.nn.functional.bilinear(
            m.ones(4, 3), m.ones(4, 2, dtype=m.float64), m.ones(5, 3, 2)
        )
    )
    assert str(err) == (
        "All tensors must have the same dtype, got input1: float, input2: double, weight: float"
    )


# --- in-place view ops --------------------------------------------------------------------------
INPLACE = [
    ("t_", (2, 3), lambda y: y.t_()),
    ("t_ 1-D", (3,), lambda y: y.t_()),
    ("t_ 0-D", (), lambda y: y.t_()),
    ("transpose_", (2, 1, 3), lambda y: y.transpose_(0, 2)),
    ("swapdims_", (2, 1, 3), lambda y: y.swapdims_(-1, 1)),
    ("swapaxes_", (2, 1, 3), lambda y: y.swapaxes_(0, 1)),
    ("squeeze_", (2, 1, 3, 1), lambda y: y.squeeze_()),
    ("squeeze_ dim", (2, 1, 3), lambda y: y.squeeze_(1)),
    ("squeeze_ no-op dim", (2, 1, 3), lambda y: y.squeeze_(0)),
    ("squeeze_ dims", (2, 1, 3, 1), lambda y: y.squeeze_((1, 3))),
    ("squeeze_ 0-D", (), lambda y: y.squeeze_(0)),
    ("unsqueeze_", (2, 3), lambda y: y.unsqueeze_(1)),
    ("unsqueeze_ last", (2, 3), lambda y: y.unsqueeze_(-1)),
    ("as_strided_", (2, 3), lambda y: y.as_strided_((3, 2), (1, 3))),
]


@pytest.mark.parametrize("name, shape, op", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_view_ops(name, shape, op):
    def fn(m, x):
        y = x * 2
        out = op(y)
        assert out is y
        return out * out

    check_named(fn, [shape], depth=3)


def test_inplace_view_op_on_a_view():
    def fn(m, x):
        v = (x * 1)[0]
        return v.t_() * 3

    check_named(fn, [(2, 3, 4)], depth=3)


def test_inplace_view_op_records_nothing_without_grad():
    y = ember.ones(2, 3)
    assert y.t_().grad_fn is None
    with ember.no_grad():
        z = ember.ones(2, 3, requires_grad=True) * 1
        assert z.t_().grad_fn is None


def test_resize_refuses_grad_and_leaf_inplace_refuses():
    check_raises(lambda m: (m.ones(2, 3, requires_grad=True) * 1).resize_(6))
    check_raises(lambda m: m.ones(2, 3, requires_grad=True).t_())
    check_raises(lambda m: m.ones(2, 3, requires_grad=True).squeeze_())


def test_out_of_place_names_unchanged():
    for fn in (lambda y: y.t(), lambda y: y.squeeze(), lambda y: y.unsqueeze(0)):
        e_in, t_in = make_inputs([(2, 1)])
        e, t = fn(e_in[0] * 1), fn(t_in[0] * 1)
        assert graph(e) == graph(t)
        assert graph(e)[0].endswith("Backward0")


@pytest.mark.parametrize(
    "key",
    [
        None,
        (None, None),
        (slice(None), None),
        (Ellipsis, None),
        (0, None),
        (slice(1, None), None),
        slice(None),
        Ellipsis,
        (None, 1),
        (slice(None), slice(0, 100)),
        (slice(None), slice(1, None)),
        0,
        (0, Ellipsis),
        (Ellipsis, 1),
        (slice(None), slice(None)),
    ],
)
def test_basic_indexing_shows_torchs_last_view(key):
    names, grads = [], []
    for m in (ember, torch):
        x = m.ones(3, 4, requires_grad=True)
        y = x[key]
        names.append(y.grad_fn.name())
        y.sum().backward()
        grads.append(np.asarray(x.grad.tolist()))
    assert names[0] == names[1]
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("op", ["add", "sub"])
@pytest.mark.parametrize("alpha", [2, 0.5, -3.0])
def test_alpha_is_part_of_the_node(op, alpha):
    """add/sub with alpha: one AddBackward0/SubBackward0 straight to both inputs, as torch."""
    out = {}
    for lib in (torch, ember):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = lib.tensor([0.5, 4.0, -1.0], requires_grad=True)
        z = getattr(x, op)(y, alpha=alpha)
        (z * z).sum().backward()
        names = [n.name() for n, _ in z.grad_fn.next_functions]
        out[lib] = (z.grad_fn.name(), names, z.detach().numpy(), x.grad.numpy(), y.grad.numpy())
    assert out[ember][:2] == out[torch][:2]
    for a, b in zip(out[ember][2:], out[torch][2:]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
