"""Order statistics and selections against torch, each on its own node as torch's: median,
nanmedian, kthvalue (values, indices, grad_fn names, gradients with ties and NaN, second
derivatives, errors), take, kron, cdist, and the nodes prepared for mode, cummax/cummin and
trace."""

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises, make_inputs

import ember
from ember._tensor import apply
from ember.autograd.primitives import select as S

DTYPES = [np.float32, np.float64]


def _node(out):
    """The grad_fn class name of ``out`` (of its values, for a (values, indices) pair)."""
    if isinstance(out, tuple):
        out = out[0]
    return None if out.grad_fn is None else type(out.grad_fn).__name__


def check_node(fn, shapes, dtype=np.float32, **kw):
    """``check_op`` (values, indices, dtypes, gradients), then the same grad_fn name as torch."""
    check_op(fn, shapes, dtype=dtype, **kw)
    e_in, t_in = make_inputs(shapes, dtype)
    e_name, t_name = _node(fn(ember, *e_in)), _node(fn(torch, *t_in))
    assert e_name == t_name, f"grad_fn {e_name} vs torch's {t_name}"
    assert t_name is not None


def check_second_derivative(fn, shapes, dtype=np.float64):
    """The gradient taken with ``create_graph=True`` differentiated again, through a weight ``v``
    on the output: d/dv sum(w * d(sum(v * fn(x)))/dx), in both libraries."""
    results = []
    for m in (ember, torch):
        rng = np.random.default_rng(3)
        x = m.tensor(rng.uniform(-2, 2, shapes[0]).astype(dtype), requires_grad=True)
        y = fn(m, x)
        y = y[0] if isinstance(y, tuple) else y
        v = m.tensor(rng.standard_normal(tuple(y.shape)).astype(dtype), requires_grad=True)
        (gx,) = m.autograd.grad((y * v).sum(), x, create_graph=True)
        w = m.tensor(rng.standard_normal(tuple(gx.shape)).astype(dtype))
        (gv,) = m.autograd.grad((gx * w).sum(), v)
        results.append((gx, gv))
    assert_close(results[0], results[1], msg="second derivative")


def check_same_error(fn):
    """torch's exception type and message (the type only where torch names a complex dtype:
    Ember's shared dtype-name helper does not know torch's names for them yet)."""
    e = check_raises(fn)
    try:
        fn(torch)
    except Exception as t:  # noqa: BLE001
        if "Complex" not in str(t):
            assert str(e) == str(t)


# ---------------------------------------------------------------- median, nanmedian, kthvalue

ORDER_STATS = {
    "median_all": (lambda m, x: m.median(x), [(3, 5)]),
    "median_all_1d": (lambda m, x: x.median(), [(6,)]),
    "median_all_0d": (lambda m, x: m.median(x), [()]),
    "median_dim": (lambda m, x: m.median(x, 1), [(3, 5)]),
    "median_dim0_keepdim": (lambda m, x: m.median(x, 0, keepdim=True), [(4, 3)]),
    "median_dim_3d": (lambda m, x: x.median(-2), [(2, 5, 3)]),
    "median_dim_3d_keepdim": (lambda m, x: x.median(dim=2, keepdim=True), [(2, 3, 4)]),
    "median_dim_0d": (lambda m, x: m.median(x, 0), [()]),
    "median_dim_0d_keepdim": (lambda m, x: m.median(x, -1, True), [()]),
    "nanmedian_all": (lambda m, x: m.nanmedian(x), [(4, 5)]),
    "nanmedian_dim": (lambda m, x: m.nanmedian(x, 1), [(3, 6)]),
    "nanmedian_dim_keepdim": (lambda m, x: x.nanmedian(0, True), [(5, 2)]),
    "nanmedian_dim_0d": (lambda m, x: x.nanmedian(0), [()]),
    "kthvalue": (lambda m, x: m.kthvalue(x, 2), [(3, 5)]),
    "kthvalue_first": (lambda m, x: m.kthvalue(x, 1, 0), [(4, 3)]),
    "kthvalue_last_keepdim": (lambda m, x: x.kthvalue(4, 1, keepdim=True), [(3, 4)]),
    "kthvalue_3d": (lambda m, x: x.kthvalue(3, dim=0), [(5, 2, 3)]),
    "kthvalue_3d_keepdim": (lambda m, x: m.kthvalue(x, 2, -2, True), [(2, 3, 4)]),
    "kthvalue_1d": (lambda m, x: m.kthvalue(x, 5), [(7,)]),
    "kthvalue_0d": (lambda m, x: m.kthvalue(x, 1), [()]),
    "kthvalue_0d_keepdim": (lambda m, x: m.kthvalue(x, 1, 0, True), [()]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(ORDER_STATS))
def test_order_statistic(name, dtype):
    fn, shapes = ORDER_STATS[name]
    check_node(fn, shapes, dtype)


NAN_TIES = np.array(
    [[1.0, np.nan, 3, np.nan, 0, 3], [2, 2, 1, 2, 5, 2], [np.nan] * 6, [4, 4, 4, 4, 4, 4]]
)
TIES = np.array([[2.0, 1, 2, 2, 3], [5, 5, 5, 5, 5], [0, 7, 7, 1, 7], [3, 1, 3, 1, 2]])


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.median(x),
        lambda m, x: m.nanmedian(x),
        lambda m, x: m.median(x[1:]),
        lambda m, x: m.nanmedian(x[2:]),
        lambda m, x: m.nanmedian(x[:2]),
        lambda m, x: m.median(x[1, 1:]),
    ],
    ids=["median", "nanmedian", "median_no_nan", "nanmedian_all_nan_row", "nanmedian", "1d"],
)
def test_full_median_shares_the_gradient_among_ties(fn):
    """A median over all elements splits its gradient evenly among every element equal to it
    (every NaN, for NaN), as torch's."""
    check_node(fn, [NAN_TIES])


@pytest.mark.parametrize("name", ["median", "nanmedian", "kthvalue"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_order_statistic_along_dim_with_ties(name, keepdim):
    """Among tied candidates torch does not promise which index it returns; the value must be
    torch's, the index must hold it, and the whole gradient goes to that index alone."""
    x = ember.tensor(np.vstack([TIES, NAN_TIES[:, :5]]), requires_grad=True)
    t = torch.tensor(x.detach().numpy())
    args = (3,) if name == "kthvalue" else ()
    e = getattr(ember, name)(x, *args, 1, keepdim)
    r = getattr(torch, name)(t, *args, 1, keepdim)
    assert_close(e.values, r.values)
    assert e.indices.dtype == ember.int64 and tuple(e.indices.shape) == tuple(r.indices.shape)
    idx = e.indices.numpy().reshape(-1, 1)
    picked = np.take_along_axis(x.detach().numpy(), idx, 1).reshape(-1)
    np.testing.assert_array_equal(picked, e.values.detach().numpy().reshape(-1))
    e.values.sum().backward()
    one_hot = np.zeros(x.shape, np.float32)
    np.put_along_axis(one_hot, idx, 1.0, 1)
    np.testing.assert_array_equal(x.grad.numpy(), one_hot)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int16])
def test_order_statistics_of_integers(dtype):
    a = np.array([[3, 9, 1, 7], [4, 4, 0, 2], [8, 6, 5, 5]], dtype=dtype)
    x = a[[0, 2]]  # no ties along dim 1: the indices are torch's as well
    for fn in (
        lambda m, x: m.median(x),
        lambda m, x: m.nanmedian(x),
        lambda m, x: m.median(x, 1),
        lambda m, x: m.nanmedian(x, 1, True),
        lambda m, x: m.kthvalue(x, 3, 1),
        lambda m, x: m.kthvalue(x, 1, 0),
    ):
        check_op(fn, [x], grad=False)
    check_op(lambda m, x: m.median(x, 0).values, [a], grad=False)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.median(x),
        lambda m, x: m.nanmedian(x),
        lambda m, x: m.median(x, 1),
        lambda m, x: m.nanmedian(x, 0, True),
        lambda m, x: m.kthvalue(x, 2, 1),
        lambda m, x: m.kthvalue(x, 3, 0, True),
    ],
    ids=["median", "nanmedian", "median_dim", "nanmedian_dim", "kthvalue", "kthvalue_keepdim"],
)
def test_order_statistic_second_derivative(fn):
    check_second_derivative(fn, [(4, 5)])


def test_order_statistic_empty_and_half():
    check_op(lambda m, x: m.median(x), [(0,)], grad=False)
    check_op(lambda m, x: m.nanmedian(x), [(2, 0)], grad=False)
    check_op(lambda m, x: m.median(x, 1), [(0, 3)], grad=False)
    check_op(lambda m, x: m.kthvalue(x, 2, 1), [(0, 3)], grad=False)
    check_op(lambda m: m.median(m.tensor([], dtype=m.uint8)), [], grad=False)
    check_op(lambda m, x: m.median(x, 0), [(5,)], dtype=np.float16, grad=False)
    check_op(lambda m, x: m.median(x), [(2, 3)], dtype=np.float16, grad=False)


def test_order_statistic_integer_arguments():
    """k and dim may be NumPy integers or one-element integer tensors, as in torch."""
    x = np.random.default_rng(1).uniform(size=(3, 5))
    check_op(lambda m, x: m.kthvalue(x, m.tensor([[2]]), m.tensor(0)), [x])
    check_op(lambda m, x: m.kthvalue(x, np.int64(4), np.int32(1)), [x])
    check_op(lambda m, x: m.median(x, m.tensor(1, dtype=m.int32)), [x])
    check_op(lambda m, x: x.nanmedian(np.int64(0), True), [x])


def test_order_statistic_out():
    for name in ("median", "nanmedian", "kthvalue"):
        args = (2,) if name == "kthvalue" else ()
        x = np.random.default_rng(0).uniform(size=(3, 4)).astype(np.float32)
        res = []
        for m in (ember, torch):
            out = (m.empty(0), m.empty(0, dtype=m.int64))
            r = getattr(m, name)(m.tensor(x), *args, 1, out=out)
            res.append((tuple(r), out))
        assert_close(res[0], res[1], msg=name)


ORDER_ERRORS = [
    lambda m: m.kthvalue(m.ones(2, 3), 0),
    lambda m: m.kthvalue(m.ones(2, 3), 4),
    lambda m: m.kthvalue(m.ones(2, 3), -1),
    lambda m: m.kthvalue(m.ones(()), 2),
    lambda m: m.kthvalue(m.ones(2, 3), 1, 2),
    lambda m: m.kthvalue(m.ones(()), 1, 1),
    lambda m: m.kthvalue(m.ones(2, 0), 1),
    lambda m: m.kthvalue(m.ones(2, 3), 1.5),
    lambda m: m.kthvalue(m.ones(2, 3), True),
    lambda m: m.kthvalue(m.ones(2, 3), 1, 1.0),
    lambda m: m.kthvalue(m.ones(2, 3), m.tensor(2.0)),
    lambda m: m.median(m.ones(2, 3), m.tensor(0.0)),
    lambda m: m.median(m.ones(2, 3), m.tensor([0])),
    lambda m: m.kthvalue(m.ones(2, 3), 1, m.tensor([0])),
    lambda m: m.kthvalue(m.ones(3, dtype=m.bool), 1),
    lambda m: m.kthvalue(m.ones(3, dtype=m.complex64), 1),
    lambda m: m.median(m.ones(2, 3), 2),
    lambda m: m.median(m.ones(2, 3), -3),
    lambda m: m.median(m.ones(()), 1),
    lambda m: m.median(m.ones(0, 3), 0),
    lambda m: m.median(m.ones(2, 3), True),
    lambda m: m.median(m.ones(2, 3), 1.0),
    lambda m: m.median(m.ones(2, 3), keepdim=True),
    lambda m: m.median(m.ones(3, dtype=m.bool)),
    lambda m: m.median(m.ones(3, dtype=m.bool), 0),
    lambda m: m.median(m.ones(3, dtype=m.complex64)),
    lambda m: m.nanmedian(m.ones(2, 3), 2),
    lambda m: m.nanmedian(m.ones(2, 0), 1),
    lambda m: m.nanmedian(m.ones(3, dtype=m.bool)),
    lambda m: m.nanmedian(m.ones(3, dtype=m.complex128), 0),
]


@pytest.mark.parametrize("fn", ORDER_ERRORS)
def test_order_statistic_errors(fn):
    check_same_error(fn)


# ------------------------------------------------------------------------------------- take

I = lambda m, v: m.tensor(v, dtype=m.int64)  # noqa: E731 - an index tensor in either library

TAKES = {
    "flat": (lambda m, x: m.take(x, I(m, [0, 5, 11])), [(3, 4)]),
    "2d_index_repeats": (lambda m, x: x.take(I(m, [[1, 1, 2], [-1, 1, -12]])), [(3, 4)]),
    "0d_index": (lambda m, x: m.take(x, I(m, 4)), [(2, 3)]),
    "0d_input": (lambda m, x: m.take(x, I(m, [0, -1, 0])), [()]),
    "transposed": (lambda m, x: m.take(x.t(), I(m, [1, 2, 3, 1])), [(3, 4)]),
    "expanded": (lambda m, x: m.take(x.expand(3, 4), I(m, [0, 4, 7, 11])), [(4,)]),
    "3d": (lambda m, x: m.take(x, I(m, [[[23, 0]], [[7, 7]]])), [(2, 3, 4)]),
    "empty_index": (lambda m, x: m.take(x, I(m, [[], []])), [(3, 4)]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(TAKES))
def test_take(name, dtype):
    fn, shapes = TAKES[name]
    check_node(fn, shapes, dtype)


def test_take_integers_out_and_second_derivative():
    check_op(lambda m, x: m.take(x, I(m, [3, -1])), [np.arange(6, dtype=np.int32)], grad=False)
    check_op(lambda m, x: m.take(x, I(m, [[2]])), [np.array([1, 0, 1], bool)], grad=False)
    check_second_derivative(lambda m, x: m.take(x, I(m, [[0, 19], [4, 4]])), [(4, 5)])
    res = []
    for m in (ember, torch):
        out = m.empty(0)
        r = m.take(m.arange(6.0).reshape(2, 3), I(m, [5, 0]), out=out)
        res.append((r, out))
    assert_close(res[0], res[1])


TAKE_ERRORS = [
    lambda m: m.take(m.ones(2, 3), I(m, [6])),
    lambda m: m.take(m.ones(2, 3), I(m, [[0], [-7]])),
    lambda m: m.take(m.ones(2, 3), m.tensor([1.0])),
    lambda m: m.take(m.ones(2, 3), m.tensor([1], dtype=m.int32)),
    lambda m: m.take(m.ones(2, 3), m.tensor([True])),
    lambda m: m.take(m.ones(0), I(m, [0])),
    lambda m: m.take(m.ones(0), I(m, [5])),
    lambda m: m.take(m.ones(3), [0]),
    lambda m: m.take(m.ones(3), I(m, [0]), out=m.empty(0, dtype=m.float64)),
]


@pytest.mark.parametrize("fn", TAKE_ERRORS)
def test_take_errors(fn):
    check_same_error(fn)


# ------------------------------------------------------------------------------------- kron


def _graph(node, depth=0):
    """The node names below ``node``, depth first, indented by depth."""
    if node is None or depth > 5:
        return []
    lines = ["  " * depth + type(node).__name__]
    for child, _ in node.next_functions:
        lines += _graph(child, depth + 1)
    return lines


KRONS = {
    "2d_2d": [(2, 3), (4, 5)],
    "1d_1d": [(3,), (4,)],
    "2d_1d": [(2, 3), (4,)],
    "1d_3d": [(3,), (2, 1, 2)],
    "0d_2d": [(), (2, 3)],
    "0d_0d": [(), ()],
    "empty": [(2, 0), (3,)],
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(KRONS))
def test_kron(name, dtype):
    """Values and gradients, and torch's graph: each operand _unsafe_view'd, multiplied, the
    product _unsafe_view'd (UnsafeViewBackward0 at the top)."""
    fn = lambda m, a, b: m.kron(a, b)  # noqa: E731
    check_node(fn, KRONS[name], dtype)
    e_in, t_in = make_inputs(KRONS[name], dtype)
    assert _graph(fn(ember, *e_in).grad_fn) == _graph(fn(torch, *t_in).grad_fn)


def test_kron_dtypes_method_out_second_derivative():
    ints = np.arange(6, dtype=np.int64).reshape(2, 3)
    check_op(lambda m, a, b: m.kron(a, b), [ints, np.array([1, -2], np.int32)], grad=False)
    check_op(lambda m, a, b: a.kron(b), [(2, 2), np.array([True, False])], grad=False)
    check_op(lambda m, a, b: m.kron(a, b), [(2,), np.array([3.0, 1.0])], grad=True)
    check_second_derivative(lambda m, x: m.kron(x, x), [(2, 3)])
    res = []
    for m in (ember, torch):
        out = m.empty(0)
        r = m.kron(m.ones(2, 1), m.arange(3.0), out=out)
        res.append((r, out))
    assert_close(res[0], res[1])
    check_raises(lambda m: m.kron(m.ones(2), 2))
    check_raises(lambda m: m.kron([1.0], m.ones(2)))


# ------------------------------------------------------------------------------------ cdist

PS = [0, 0.5, 1, 1.5, 2, 3, float("inf")]
CDIST_SHAPES = {
    "2d": [(3, 4), (5, 4)],
    "batched": [(2, 3, 4), (2, 5, 4)],
    "broadcast": [(2, 1, 3, 2), (4, 5, 2)],
    "one_row": [(1, 3), (6, 3)],
}


@pytest.mark.parametrize("p", PS, ids=str)
@pytest.mark.parametrize("name", sorted(CDIST_SHAPES))
def test_cdist(name, p):
    """Values, gradients and torch's graph (one CdistBackward0, broadcasting inside it)."""
    shapes = CDIST_SHAPES[name]
    fn = lambda m, a, b: m.cdist(a, b, p=p)  # noqa: E731
    check_node(fn, shapes, np.float64)
    check_op(fn, shapes, dtype=np.float32)
    e_in, t_in = make_inputs(shapes)
    assert _graph(fn(ember, *e_in).grad_fn) == _graph(fn(torch, *t_in).grad_fn)


MM_CASES = {
    "many_rows": ([(30, 3), (4, 3)], {}),
    "many_cols": ([(4, 3), (26, 3)], {}),
    "forced": ([(3, 2), (4, 2)], {"compute_mode": "use_mm_for_euclid_dist"}),
    "batched": ([(2, 30, 3), (1, 5, 3)], {}),
    "batched_same": ([(2, 27, 3), (2, 5, 3)], {"p": 2.0}),
    "refused": ([(30, 3), (40, 3)], {"compute_mode": "donot_use_mm_for_euclid_dist"}),
    "p1_many": ([(30, 3), (4, 3)], {"p": 1, "compute_mode": "use_mm_for_euclid_dist"}),
    "empty_rows": ([(0, 2), (30, 2)], {}),
    "empty_cols": ([(3, 0), (30, 0)], {}),
    "empty_batch": ([(0, 3, 2), (0, 30, 2)], {}),
}


@pytest.mark.parametrize("name", sorted(MM_CASES))
def test_cdist_matrix_product_route(name):
    """p = 2 past 25 rows (or when asked) goes through torch's EuclideanDistBackward0 under a
    view, whose gradient is itself differentiable; the rest stays on CdistBackward0."""
    shapes, kw = MM_CASES[name]
    fn = lambda m, a, b: m.cdist(a, b, **kw)  # noqa: E731
    check_node(fn, shapes, np.float64)
    check_op(fn, shapes, dtype=np.float32, rtol=1e-4, atol=1e-4)
    e_in, t_in = make_inputs(shapes)
    assert _graph(fn(ember, *e_in).grad_fn) == _graph(fn(torch, *t_in).grad_fn)


def test_cdist_second_derivative():
    y = np.random.default_rng(5).uniform(-2, 2, (4, 3))
    for kw in ({}, {"compute_mode": "use_mm_for_euclid_dist"}):
        check_second_derivative(lambda m, x, kw=kw: m.cdist(x, m.tensor(y), **kw), [(30, 3)])
    for m in (ember, torch):  # torch's _cdist_backward has no derivative
        x = m.ones(3, 2, dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(m.cdist(x, m.tensor(y[:, :2])).sum(), x, create_graph=True)
        assert type(g.grad_fn).__name__ == "CdistBackwardBackward0"
        with pytest.raises(NotImplementedError, match="_cdist_backward"):
            g.sum().backward()


@pytest.mark.parametrize("p", PS, ids=str)
def test_cdist_zero_distances_and_ties(p):
    """Coincident points (zero distance, zero coordinate differences) and, for p = inf, several
    coordinates at the maximum: torch's gradients (0 where the slope is undefined)."""
    a = np.array([[0.0, 1, 2], [1, 1, 1], [3, -1, 2], [0, 0, 0]])
    b = np.array([[0.0, 1, 2], [2, 2, 0], [1, 3, 1]])
    check_op(lambda m, x, y: m.cdist(x, y, p=p), [a, b], dtype=np.float64)
    mm = {"compute_mode": "use_mm_for_euclid_dist"}
    check_op(lambda m, x, y: m.cdist(x, y, **mm), [a, b], dtype=np.float64)


def test_cdist_half_and_p_forms():
    check_op(lambda m, a, b: m.cdist(a, b), [(30, 2), (3, 2)], dtype=np.float16, grad=False)
    check_op(lambda m, a, b: m.cdist(a, b, True), [(3, 2), (3, 2)], dtype=np.float64)
    check_op(lambda m, a, b: m.cdist(a, b, 1e400), [(3, 2), (3, 2)], dtype=np.float64)


CDIST_ERRORS = [
    lambda m: m.cdist(m.ones(3), m.ones(3, 2)),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3)),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3, 3)),
    lambda m: m.cdist(m.ones(3, 2, dtype=m.int64), m.ones(3, 3)),
    lambda m: m.cdist(m.ones(3, 2, dtype=m.int64), m.ones(3, 2)),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2, dtype=m.int64)),
    lambda m: m.cdist(m.ones(3, 2, dtype=m.complex64), m.ones(3, 2, dtype=m.complex64)),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2), p=-1),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2), p=float("nan")),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2), p=2j),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2), p=None),
    lambda m: m.cdist(m.ones(3, 2), [[1.0, 2.0]]),
    lambda m: m.cdist(m.ones(3), m.ones(3, 2), compute_mode="x"),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2), compute_mode=None),
    lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2, dtype=m.float64)),
    lambda m: m.cdist(m.ones(30, 2, dtype=m.float64), m.ones(3, 2)),
    lambda m: m.cdist(m.ones(3, 2).half(), m.ones(3, 2).half()),
    lambda m: m.cdist(m.ones(3, 2).half(), m.ones(3, 2), p=-1),
    lambda m: m.cdist(m.ones(2, 3, 2), m.ones(4, 5, 2)),
    lambda m: m.cdist(m.ones(2, 3, 2), m.ones(4, 30, 2)),
]


@pytest.mark.parametrize("fn", CDIST_ERRORS)
def test_cdist_errors(fn):
    check_same_error(fn)


# ------------------------------------------- mode, cummax, cummin, trace: nodes for reduce.py
# functions/reduce.py (not this suite's to change) still builds these from gather/sum; the nodes
# below are what it is to call. Until it does, they are checked here as it would call them:
# the indices of today's functions, the values and gradients from the nodes.


def _as_reduce_py_would(name, x, *args):
    r = getattr(ember, name)(x.detach(), *args)
    idx = r.indices.numpy()
    if name == "mode":
        d, keepdim = (args + (-1, False)[len(args) :])[:2]
        d = d % max(x.ndim, 1)
        if x.ndim and not keepdim:
            idx = np.expand_dims(idx, d)
        return apply(S.mode, (x,), None, dim=d, idx=idx, keepdim=keepdim), r.indices
    d = args[0] % max(x.ndim, 1)
    return apply(getattr(S, name), (x,), None, dim=d, idx=idx), r.indices


RUNNING = {
    "mode": [((3, 5), ()), ((4, 3), (0, True)), ((2, 3, 4), (1,)), ((), ())],
    "cummax": [((3, 5), (1,)), ((4, 3), (0,)), ((2, 3, 4), (-1,)), ((), (0,))],
    "cummin": [((3, 5), (1,)), ((4, 3), (-2,)), ((2, 3, 4), (1,)), ((), (0,))],
}


@pytest.mark.parametrize("name", sorted(RUNNING))
def test_nodes_for_mode_cummax_cummin(name):
    rng = np.random.default_rng(7)
    for shape, args in RUNNING[name]:
        a = rng.integers(0, 3, shape).astype(np.float64)  # repeats: ties, shared positions
        x, t = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        (e_values, e_indices), r = (
            _as_reduce_py_would(name, x, *args),
            getattr(torch, name)(t, *args),
        )
        assert_close((e_values, e_indices), tuple(r), msg=f"{name}{shape}")
        assert _node(e_values) == _node(r.values)
        w = rng.standard_normal(tuple(r.values.shape))
        (e_values * ember.tensor(w)).sum().backward()
        (r.values * torch.tensor(w)).sum().backward()
        assert_close(x.grad, t.grad, msg=f"grad of {name}{shape}")


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (5, 2), (1, 1)])
def test_node_for_trace(shape):
    fn = lambda m, x: m.trace(x)  # noqa: E731
    check_op(lambda m, x: apply(S.trace, (x,)), [shape], torch_fn=fn, dtype=np.float64)
    e_in, t_in = make_inputs([shape])
    assert _node(apply(S.trace, (e_in[0],))) == _node(torch.trace(t_in[0])) == "TraceBackward0"
    ints = np.arange(int(np.prod(shape)), dtype=np.uint8).reshape(shape)
    check_op(lambda m, x: apply(S.trace, (x,)), [ints], torch_fn=fn, grad=False)
    check_second_derivative(lambda m, x: apply(S.trace, (x,)) if m is ember else fn(m, x), [shape])


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, y: y.median(),
        lambda m, y: m.take(y, m.tensor([0, 0])),
        lambda m, y: m.cdist(y.reshape(3, 1), y.reshape(3, 1)[:2]),
    ],
    ids=["median", "take", "cdist"],
)
def test_input_changed_in_place_before_backward(fn):
    """These nodes keep their input, as torch's: changing it in place first is refused."""

    def run(m):
        x = m.tensor([3.0, 1.0, 2.0], requires_grad=True)
        y = x * 1
        out = fn(m, y)
        y.add_(1)
        out.sum().backward()

    check_raises(run)
