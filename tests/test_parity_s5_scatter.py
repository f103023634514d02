"""The index/scatter family against torch 2.13: values, torch's own grad_fn nodes (and the nodes
under them), gradients for the input and the written values, second derivatives."""

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck
from tests.helpers import assert_close, check_op, check_raises, make_inputs
from tests.test_grad_fn_names import graph


def check_graph(fn, shapes, node, seed=0):
    """``check_op``, then torch's node chain (``node`` on top) and the second derivatives: the
    first gradients, taken with ``create_graph=True``, are differentiated again with respect to
    the output's gradient and the inputs."""
    check_op(fn, shapes, seed=seed)
    e_in, t_in = make_inputs(shapes, seed=seed)
    found = []
    for m, ins in ((ember, e_in), (torch, t_in)):
        out = fn(m, *ins)
        found.append(graph(out))
        w = np.random.default_rng(seed + 3).standard_normal(tuple(out.shape)).astype(np.float32)
        go = m.tensor(w, requires_grad=True)
        diff = [x for x in ins if x.requires_grad]
        try:
            grads = m.autograd.grad(out, diff, go, create_graph=True, allow_unused=True)
        except RuntimeError as exc:  # refused by both: check_op compared the messages
            found.append(str(exc))
            continue
        total = 0
        for g in grads:
            if g is not None and g.requires_grad:
                v = np.random.default_rng(seed + 5).standard_normal(tuple(g.shape))
                total = total + (g * m.tensor(v.astype(np.float32))).sum()
        if isinstance(total, int):
            found.append(None)
            continue
        total.backward()
        found.append([go.grad, *grads, *(x.grad for x in diff)])
    (e_chain, e_second), (t_chain, t_second) = found[:2], found[2:]
    assert e_chain == t_chain, f"nodes {e_chain} vs {t_chain}"
    top = t_chain[0] if isinstance(t_chain, tuple) else t_chain
    assert top == node, f"torch's node is {top}"
    if isinstance(t_second, str):
        assert e_second == t_second
        return
    assert (e_second is None) == (t_second is None), "second derivative recorded in one only"
    for i, (e, t) in enumerate(zip(e_second or (), t_second or ())):
        assert (e is None) == (t is None), f"second derivative {i}: {e} vs {t}"
        if t is not None:
            assert_close(e, t, msg=f"second derivative {i}")


def check_message(fn):
    """``check_raises``, and the message is torch's too; returns Ember's exception."""
    exc = check_raises(fn)
    with pytest.raises(type(exc)) as t_exc:
        fn(torch)
    assert str(exc) == str(t_exc.value)
    return exc


def _idx(*values):
    return np.array(values, dtype=np.int64)


def _mask(*shape, seed=1):
    return np.random.default_rng(seed).random(shape) > 0.5


# ---------------------------------------------------------------------------- as_strided_scatter


def test_as_strided_scatter_input_gradient_is_the_true_one():
    # torch 2.13 keeps the input's gradient where src overwrote it and zeroes the rest, which
    # its own gradcheck rejects; Ember keeps the true derivative (the existing
    # test_torch_namespace.py gradchecks it) and matches torch for src
    fn = lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (4, 1), 1)  # noqa: E731
    tx = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    ts = torch.randn(2, 2, dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(
        lambda x, s: fn(torch, x, s), (tx, ts), raise_exception=False
    )
    ex = ember.tensor(tx.detach().numpy().copy(), requires_grad=True)
    es = ember.tensor(ts.detach().numpy().copy(), requires_grad=True)
    assert gradcheck(lambda x, s: fn(ember, x, s), (ex, es))
    g = np.arange(12.0).reshape(3, 4)
    fn(ember, ex, es).backward(ember.tensor(g))
    fn(torch, tx, ts).backward(torch.tensor(g))
    assert_close(es.grad, ts.grad)
    written = np.zeros(12, bool)
    written[[1, 2, 5, 6]] = True
    assert_close(ex.grad, torch.tensor(np.where(written.reshape(3, 4), 0, g)))


# -------------------------------------------------------------------------------- masked_scatter


@pytest.mark.parametrize(
    "shapes",
    [
        [(3, 4), _mask(3, 4), (3, 4)],
        [(3, 4), _mask(4), (15,)],  # the mask broadcast; src longer than needed
        [(4,), _mask(3, 4), (2, 7)],  # the input broadcast
        [(), _mask(2), (3,)],
    ],
)
def test_masked_scatter(shapes):
    check_graph(lambda m, x, k, s: x.masked_scatter(k, s), shapes, "MaskedScatterBackward0")
    check_graph(lambda m, x, k, s: m.masked_scatter(x, k, s), shapes, "MaskedScatterBackward0")


def test_masked_scatter_inplace():
    check_graph(
        lambda m, x, k, s: x.clone().masked_scatter_(k, s),
        [(3, 4), _mask(3, 4), (12,)],
        "MaskedScatterBackward0",
    )


def test_masked_scatter_errors():
    check_message(lambda m: m.zeros(3).masked_scatter(m.ones(3, dtype=m.bool), m.ones(2)))
    check_message(lambda m: m.zeros(3).masked_scatter(m.ones(3), m.ones(3)))
    check_message(lambda m: m.zeros(3).masked_scatter(m.ones(3, dtype=m.bool), m.ones(3).double()))


# ------------------------------------------------------------------------------------ index_fill


@pytest.mark.parametrize(
    "shape, dim, idx",
    [((3, 4), 1, _idx(0, 3, 0)), ((3, 4), 0, _idx(2)), ((5,), 0, _idx()), ((), 0, _idx(0))],
)
def test_index_fill(shape, dim, idx):
    shapes = [shape, idx, ()]
    number = lambda m, x, i, v: x.index_fill(dim, i, 1.5)  # noqa: E731
    check_graph(number, shapes, "IndexFillBackward0")
    check_graph(lambda m, x, i, v: x.clone().index_fill_(dim, i, -2), shapes, "IndexFillBackward0")
    if shape:  # negative indices count from the end (torch's value gradient refuses them)
        check_graph(lambda m, x, i, v: x.index_fill(dim, -1 - i, 1.5), shapes, "IndexFillBackward0")
    check_graph(lambda m, x, i, v: m.index_fill(x, dim, i, v), shapes, "IndexFillBackward1")
    check_graph(lambda m, x, i, v: x.clone().index_fill_(dim, i, v), shapes, "IndexFillBackward1")


def test_index_fill_integer_and_errors():
    x = np.arange(6).reshape(2, 3)
    check_op(lambda m, x, i: x.index_fill(1, i, 2.7), [x, _idx(1)], grad=False)
    check_message(lambda m: m.zeros(3).index_fill(0, m.tensor([3]), 1.0))
    check_message(lambda m: m.zeros(3).index_fill(0, m.tensor([0.0]), 1.0))
    check_message(lambda m: m.zeros(3).index_fill(0, m.tensor([0]), m.ones(1)))


# ------------------------------------------------------------------------------------ index_copy


@pytest.mark.parametrize(
    "shapes, dim",
    [
        ([(3, 4), _idx(3, 0), (3, 2)], 1),
        ([(3, 4), _idx(1), (1, 4)], 0),
        ([(2, 3, 4), _idx(2, 0, 1), (2, 3, 3)], -1),
        ([(5,), _idx(4), ()], 0),  # a 0-d source for a 1-D input
        ([(), _idx(0), ()], 0),
    ],
)
def test_index_copy(shapes, dim):
    check_graph(lambda m, x, i, s: x.index_copy(dim, i, s), shapes, "IndexCopyBackward0")
    check_graph(lambda m, x, i, s: m.index_copy(x, dim, i, s), shapes, "IndexCopyBackward0")
    check_graph(lambda m, x, i, s: x.clone().index_copy_(dim, i, s), shapes, "IndexCopyBackward0")


def test_index_copy_out_and_errors():
    e_out, t_out = ember.zeros(3, 2), torch.zeros(3, 2)
    ember.index_copy(ember.ones(3, 2), 0, ember.tensor([1]), ember.full((1, 2), 4.0), out=e_out)
    torch.index_copy(torch.ones(3, 2), 0, torch.tensor([1]), torch.full((1, 2), 4.0), out=t_out)
    assert_close(e_out, t_out)
    check_message(lambda m: m.zeros(3).index_copy(0, m.tensor([3]), m.ones(1)))
    check_message(lambda m: m.zeros(3).index_copy(0, m.tensor([0, 1]), m.ones(1)))
    check_message(lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0]), m.ones(1, 3)))
    check_message(lambda m: m.zeros(3, 2, 4).index_copy(1, m.tensor([0]), m.ones(4, 1, 3)))
    check_message(lambda m: m.zeros(3, 2, 4).index_copy(-1, m.tensor([0]), m.ones(3, 3, 1)))


# ---------------------------------------------------------------------------------- index_reduce


def _ties(*shape):
    """Values with repeats, so amax/amin ties and prod zeros occur."""
    return np.random.default_rng(3).integers(-2, 3, shape).astype(np.float32)


@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize(
    "shapes, dim",
    [
        ([(3, 4), _idx(0, 2, 0, 0), (3, 4)], 1),
        ([_ties(4, 3), _idx(1, 1, 3), _ties(3, 3)], 0),
        ([(2, 3, 2), _idx(2, 2), (2, 2, 2)], -2),
    ],
)
def test_index_reduce(reduce, include_self, shapes, dim):
    check_reduction("index_reduce", "IndexReduceBackward0", shapes, dim, reduce, include_self)


def check_reduction(name, node, shapes, dim, reduce, include_self):
    """``name`` (index_reduce, scatter_reduce) and its in-place form against torch's."""

    def fn(m, x, i, s):
        return getattr(x, name)(dim, i, s, reduce, include_self=include_self)

    check_graph(fn, shapes, node)

    def inplace(m, x, i, s):
        return getattr(x.clone(), name + "_")(dim, i, s, reduce, include_self=include_self)

    check_graph(inplace, shapes, node)


def test_index_reduce_warns_and_errors():
    ember._runtime.set_warn_always(True)
    try:
        with pytest.warns(UserWarning, match=r"index_reduce\(\) is in beta"):
            ember.zeros(3).index_reduce(0, ember.tensor([0]), ember.ones(1), "prod")
    finally:
        ember._runtime.set_warn_always(False)
    for bad in (
        lambda m: m.zeros(3).index_reduce(0, m.tensor([0]), m.ones(1).double(), "prod"),
        lambda m: m.zeros(3).index_reduce(0, m.tensor([0]), m.ones(1), "sum"),
        lambda m: m.zeros(3).index_reduce(0, m.tensor([3]), m.ones(1), "prod"),
    ):
        check_message(bad)


@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")
def test_index_reduce_without_grad():
    x, s = _ties(4, 3), _ties(3, 3)
    fn = lambda m, x, i, s: x.index_reduce(0, i, s, "amin", include_self=False)  # noqa: E731
    check_op(fn, [x, _idx(1, 1, 3), s], grad=False)


# ------------------------------------------------------------------------------------------- put


@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize(
    "shapes",
    [
        [(3, 4), _idx(0, 5, -1, 5), (4,)],  # a repeated index: accumulate adds both
        [(3, 4), _idx(7, 2), (2, 1)],
        [(5,), np.array([[1, -2]]), (1, 2)],
        [(), _idx(0), ()],
    ],
)
def test_put(shapes, accumulate):
    if not accumulate and len(set(shapes[1].reshape(-1).tolist())) < shapes[1].size:
        shapes = [shapes[0], np.unique(shapes[1]), (np.unique(shapes[1]).size,)]
    check_graph(lambda m, x, i, s: x.put(i, s, accumulate), shapes, "PutBackward0")
    check_graph(lambda m, x, i, s: m.put(x, i, s, accumulate=accumulate), shapes, "PutBackward0")
    check_graph(lambda m, x, i, s: x.clone().put_(i, s, accumulate), shapes, "PutBackward0")


def test_put_errors():
    check_message(lambda m: m.zeros(3).put(m.tensor([3]), m.ones(1)))
    check_message(lambda m: m.zeros(3).put(m.tensor([0, 1]), m.ones(1)))
    check_message(lambda m: m.zeros(3).put(m.tensor([0]), m.ones(1).double()))
    check_message(lambda m: m.zeros(3).put(m.tensor([0]).int(), m.ones(1)))


# --------------------------------------------------------------- diagonal/select/slice_scatter


@pytest.mark.parametrize(
    "shape, src, args",
    [
        ((3, 4), (3,), ()),
        ((3, 4), (2,), (2,)),
        ((4, 3), (2,), (-2, 0, 1)),
        ((4, 3), (3,), (1, 1, 0)),
        ((2, 3, 4), (2, 3), (0, 1, 2)),
        ((2, 3, 4), (4, 1), (-1, 0, -2)),
        ((2, 3, 4), (3, 2), (0, 2, 0)),
    ],
)
def test_diagonal_scatter(shape, src, args):
    fn = lambda m, x, s: m.diagonal_scatter(x, s, *args)  # noqa: E731
    check_graph(fn, [shape, src], "DiagonalScatterBackward0")
    check_graph(
        lambda m, x, s: x.diagonal_scatter(s, *args), [shape, src], "DiagonalScatterBackward0"
    )


@pytest.mark.parametrize(
    "shape, src, dim, index",
    [((3, 4), (4,), 0, 1), ((3, 4), (3,), 1, -1), ((2, 3, 4), (2, 4), -2, 2), ((5,), (), 0, 3)],
)
def test_select_scatter(shape, src, dim, index):
    fn = lambda m, x, s: m.select_scatter(x, s, dim, index)  # noqa: E731
    check_graph(fn, [shape, src], "SelectScatterBackward0")
    check_graph(
        lambda m, x, s: x.select_scatter(s, dim, index), [shape, src], "SelectScatterBackward0"
    )


@pytest.mark.parametrize(
    "shape, src, args",
    [
        ((3, 4), (3, 2), (1, 0, 4, 2)),
        ((3, 4), (1, 4), (0, -1)),
        ((5, 2), (2, 2), (0, 1, None, 3)),
        ((6,), (6,), ()),
        ((2, 3, 4), (2, 1, 4), (-2, 1, 2)),
    ],
)
def test_slice_scatter(shape, src, args):
    fn = lambda m, x, s: m.slice_scatter(x, s, *args)  # noqa: E731
    check_graph(fn, [shape, src], "SliceScatterBackward0")
    check_graph(lambda m, x, s: x.slice_scatter(s, *args), [shape, src], "SliceScatterBackward0")


def test_view_scatters_cast_src_and_errors():
    for fn in (
        lambda m: m.zeros(3, 4).select_scatter(m.ones(4).double(), 0, 1),
        lambda m: m.zeros(3, 4).diagonal_scatter(m.ones(3, dtype=m.int32)),
        lambda m: m.zeros(3, 4).slice_scatter(m.ones(3, 2, dtype=m.int64), 1, 0, 4, 2),
    ):
        assert_close(fn(ember), fn(torch))
    check_message(lambda m: m.zeros(3, 4).select_scatter(m.ones(3), 0, 1))
    check_message(lambda m: m.zeros(3, 4).select_scatter(m.ones(4), 0, 3))
    check_message(lambda m: m.zeros(3, 4).diagonal_scatter(m.ones(4)))
    check_message(lambda m: m.zeros(3, 4).slice_scatter(m.ones(2, 4), 0, 0, 3))


# ------------------------------------------------------------------------- scatter with a number


@pytest.mark.parametrize(
    "shapes, dim",
    [([(3, 4), np.array([[0, 1, 2, 0]])], 0), ([(2, 5), np.array([[4], [0]])], -1)],
)
def test_scatter_number(shapes, dim):
    check_graph(lambda m, x, i: x.scatter(dim, i, 2.5), shapes, "ScatterBackward1")
    check_graph(lambda m, x, i: m.scatter(x, dim, i, value=-1), shapes, "ScatterBackward1")
    check_graph(lambda m, x, i: x.clone().scatter_(dim, i, 0.5), shapes, "ScatterBackward1")
    # a tensor src keeps ScatterBackward0, whose input gradient is now a ScatterBackward1
    block = tuple(slice(0, n) for n in shapes[1].shape)  # src shaped as the index
    check_graph(lambda m, x, i: x.scatter(dim, i, x[block] * 2), shapes, "ScatterBackward0")


def test_scatter_number_into_integers():
    x = np.arange(8).reshape(2, 4)
    check_op(lambda m, x, i: x.scatter(1, i, 2.7), [x, np.array([[3], [0]])], grad=False)


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_reduce_argument_records_a_refusing_node(reduce):
    index = np.array([[0, 1, 0, 0]])
    for fn in (
        lambda m, x, i, s: x.scatter(0, i, s, reduce=reduce),
        lambda m, x, i, s: x.scatter(0, i, 1.5, reduce=reduce),
        lambda m, x, i, s: x.clone().scatter_(0, i, s, reduce=reduce),
    ):
        out = check_op(fn, [(3, 4), index, (2, 4)])  # both refuse the backward
        e_in, t_in = make_inputs([(3, 4), index, (2, 4)])
        assert graph(fn(ember, *e_in)) == graph(fn(torch, *t_in))
        with pytest.raises(RuntimeError, match="derivative for aten::scatter"):
            out.sum().backward()
    x = np.arange(8).reshape(2, 4)
    check_op(lambda m, x, i: x.scatter(1, i, 2.7, reduce=reduce), [x, index[:, :2]], grad=False)


# ------------------------------------------------------------------------------ scatter_reduce


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize(
    "shapes, dim",
    [
        ([_ties(4, 3), np.array([[1, 1, 3], [1, 0, 3], [3, 3, 3]]), _ties(3, 3)], 0),
        # src larger than the index: torch refuses the backward
        ([(3, 4), np.array([[0, 0], [3, 1]]), (2, 5)], 1),
        ([(3, 4), np.array([[0, 0], [3, 1]]), (4, 2)], 1),
    ],
)
def test_scatter_reduce(reduce, include_self, shapes, dim):
    check_reduction("scatter_reduce", "ScatterReduceBackward0", shapes, dim, reduce, include_self)


# -------------------------------------------------------- scatter_reduce's out=, index_select


@pytest.mark.parametrize("reduce", ["sum", "amax"])
def test_scatter_reduce_out(reduce):
    args = (0, np.array([0, 0, 2]), np.array([1.0, 3.0, -1.0], np.float32), reduce)
    for out_dtype in ("float32", "float64", "int64"):
        found = []
        for m in (ember, torch):
            out = m.full((3,), 7.0, dtype=getattr(m, out_dtype))
            x, i, s = m.zeros(3), m.tensor(args[1]), m.tensor(args[2])
            try:
                res = m.scatter_reduce(x, 0, i, s, reduce, include_self=False, out=out)
            except RuntimeError as exc:
                found.append(str(exc))
                continue
            assert res is out
            found.append(out)
        if isinstance(found[1], str):
            assert found[0] == found[1]
        else:
            assert_close(found[0], found[1])
    grad = lambda m: m.scatter_reduce(  # noqa: E731
        m.zeros(3, requires_grad=True), 0, m.tensor([0]), m.ones(1), "sum", out=m.empty(3)
    )
    check_message(grad)


def test_index_select_non_tensor_index():
    for fn in (
        lambda m: m.index_select(m.zeros(3), 0, [0, 1]),
        lambda m: m.zeros(3).index_select(0, [0]),
        lambda m: m.zeros(3).index_select(0, 1),
        lambda m: m.index_select(m.zeros(3), 0, (0,)),
    ):
        assert isinstance(check_message(fn), TypeError)


def test_index_select_and_index_add_of_a_0d_tensor():
    check_graph(lambda m, x, i: x.index_select(0, i), [(), _idx(0)], "IndexSelectBackward0")
    check_graph(lambda m, x, i: m.index_select(x, -1, i), [(), _idx(0)], "IndexSelectBackward0")
    add = lambda m, x, i, s: x.index_add(0, i, s, alpha=2)  # noqa: E731
    check_graph(add, [(), _idx(0), ()], "IndexAddBackward0")
    check_graph(
        lambda m, x, i, s: x.clone().index_add_(0, i, s), [(), _idx(0), ()], "IndexAddBackward0"
    )
    for bad in (
        lambda m: m.tensor(5.0).index_select(0, m.tensor([0, 0])),
        lambda m: m.tensor(5.0).index_select(0, m.tensor([1])),
        lambda m: m.tensor(5.0).index_add(0, m.tensor([0]), m.tensor([1.0])),
    ):
        check_message(bad)


# ------------------------------------------------------- without autograd, other dtypes


@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")
@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.tensor([True, False, True]).index_fill(0, m.tensor([1]), True),
        lambda m: m.tensor([1, 2, 3]).index_fill(0, m.tensor([1]), m.tensor(4.7)),
        lambda m: m.tensor([1.0, 2]).double().index_fill(0, m.tensor([1]), m.tensor(4.0)),
        lambda m: m.tensor([[1, 2], [3, 4]]).masked_scatter(m.tensor([True, False]), m.arange(3)),
        lambda m: m.tensor(1.0).masked_scatter(m.tensor(True), m.tensor([3.0])),
        lambda m: m.tensor([1, 2, 3]).put(m.tensor([0, 0]), m.tensor([5, 6]), accumulate=True),
        lambda m: m.tensor([True, False]).scatter(0, m.tensor([1]), True),
        lambda m: m.zeros(3, 3, dtype=m.int32).diagonal_scatter(m.ones(3, dtype=m.int32)),
        lambda m: (
            m.arange(6).reshape(2, 3).index_reduce(0, m.tensor([1, 1]), m.ones(2, 3).long(), "mean")
        ),
        lambda m: m.zeros(3).scatter_reduce(
            0, m.tensor([0, 0]), m.ones(2), "amax", include_self=False
        ),
    ],
)
def test_without_autograd(fn):
    assert_close(fn(ember), fn(torch))
