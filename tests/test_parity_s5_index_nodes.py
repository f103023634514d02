"""Indexing under ``create_graph``: the nodes torch records for the gradient of a basic-index view
(SelectBackwardBackward0, SliceBackwardBackward0, a squeeze for None, nothing for an alias) and
second derivatives through them; scatter_reduce/index_reduce's gradients where amax/amin tie and
where prod meets zeros."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_raises


def _tree(node, depth=0) -> list:
    """The node names below ``node``, depth first, indented by depth."""
    if node is None:
        return []
    lines = ["  " * depth + type(node).__name__]
    for child, _ in node.next_functions:
        lines += _tree(child, depth + 1)
    return lines


def _grads(lib, fn, data: np.ndarray, order: int):
    """``fn(lib, x * x)``'s gradients in x up to ``order`` (each recorded but the last), the
    loss weighted so that every element counts apart."""
    x = lib.tensor(data, requires_grad=True)
    out = fn(lib, x * x)
    w = lib.tensor(np.linspace(0.5, 2.0, max(out.numel(), 1))[: out.numel()].reshape(out.shape))
    g = lib.autograd.grad((out * out * w).sum(), x, create_graph=True)[0]
    grads = [g]
    for k in range(1, order):
        g = lib.autograd.grad((g * g * g).sum(), x, create_graph=k < order - 1)[0]
        grads.append(g)
    return grads


def _check_graphs(fn, shape, order=3, graphs=2):
    """Values of ``order`` derivatives and the graphs of the first ``graphs`` match torch's."""
    data = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape) / 7
    t, e = _grads(torch, fn, data, order), _grads(ember, fn, data, order)
    for k, (eg, tg) in enumerate(zip(e, t)):
        assert_close(eg, tg, rtol=1e-9, atol=1e-9, msg=f"derivative {k + 1}")
        if k < graphs:
            assert _tree(eg.grad_fn) == _tree(tg.grad_fn), f"graph of derivative {k + 1}"


BASIC_KEYS = [
    (1,),
    (-1,),
    (slice(None), 1),
    (Ellipsis, 1),
    (1, 2),
    (0, 1, 2),
    (slice(1, 3),),
    (slice(None, None, 2),),
    (slice(1, 3), 0),
    (0, Ellipsis, slice(1, None)),
    (slice(None), slice(None)),
    (Ellipsis,),
    (slice(4, None),),
    (slice(None), slice(None, None, 2), -1),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_view_gradient_nodes(key):
    _check_graphs(lambda m, y: y[key], (4, 5, 3))


def test_single_slice_is_a_slice_at_every_order():
    # ``y[:]`` slices (a tuple's whole slice would be skipped): its gradient reads back by a slice
    _check_graphs(lambda m, y: y[:], (4, 3))


def test_slice_of_a_select_chain():
    _check_graphs(lambda m, y: y[1][::2][None], (3, 4, 2), graphs=1)


# None's gradient is a squeeze (SqueezeBackward1); the squeeze's own gradient is compared by
# value only, as it is another module's rule
NONE_KEYS = [
    (None,),
    (None, None),
    (Ellipsis, None),
    (slice(None), None, 1),
    (slice(1, 3), None, slice(None, None, 2)),
]


@pytest.mark.parametrize("key", NONE_KEYS, ids=repr)
def test_unsqueeze_key_gradient_nodes(key):
    _check_graphs(lambda m, y: y[key], (4, 5, 3), graphs=1)


@pytest.mark.parametrize("key", [(None,), (Ellipsis,), ()], ids=repr)
def test_zero_dim_views(key):
    _check_graphs(lambda m, y: y[key], (), graphs=1)


def test_view_written_in_place_under_create_graph():
    """A view's gradient node serves a view written through (CopySlices) as well."""

    def fn(m, y):
        y = y * 1
        y[1:3, 0] = y[0, 1:] * 3
        y[:, 1].mul_(2)
        return y

    _check_graphs(fn, (3, 3, 2), graphs=0)


# --- scatter_reduce / index_reduce: ties left out by include_self=False, products with zeros ---
def _second_order(fn, arrays):
    """Values, gradients and second derivatives (of the gradients' cubes) match torch's, in
    float64, and the result records torch's node."""
    results = []
    for lib in (torch, ember):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *xs)
        w = lib.tensor(np.linspace(0.5, 2.0, out.numel()).reshape(tuple(out.shape)))
        grads = lib.autograd.grad((out * w).sum(), xs, create_graph=True)
        parts = [(g * g * g).sum() for g in grads if g.requires_grad]
        # piecewise-linear reductions (sum, mean, amax, amin) have gradients off the graph
        second = lib.autograd.grad(sum(parts), xs, allow_unused=True) if parts else [None] * 2
        results.append((out, grads, second))
    (t_out, t_g, t_s), (e_out, e_g, e_s) = results
    assert [g.requires_grad for g in e_g] == [g.requires_grad for g in t_g]
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    assert_close(e_out, t_out)
    assert_close(list(e_g), list(t_g), msg="gradients")
    for e, t in zip(e_s, t_s):
        assert (e is None) == (t is None)
        if t is not None:
            assert_close(e, t, rtol=1e-9, atol=1e-9, msg="second derivatives")


TIES = [  # (input, src, index): ties between src values, and with input's own value
    ([1.0, 5.0, 2.0], [5.0, 5.0, 3.0, 2.0], [1, 1, 2, 2]),
    ([7.0, 5.0, 3.0], [5.0, 5.0, 3.0, 3.0], [0, 1, 2, 2]),
    ([4.0, 4.0, 4.0], [4.0, 1.0, 4.0, 9.0], [0, 0, 1, 2]),
]


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [False, True])
@pytest.mark.parametrize("case", range(len(TIES)))
def test_scatter_reduce_ties_share_the_gradient(reduce, include_self, case):
    x, src, idx = TIES[case]
    _second_order(
        lambda m, a, b: a.scatter_reduce(0, m.tensor(idx), b, reduce, include_self=include_self),
        [np.array(x), np.array(src)],
    )


@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")
@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("keep", [False, True])
def test_index_reduce_ties_share_the_gradient(reduce, keep):
    x = np.array([[3.0, 1.0], [2.0, 2.0], [0.0, 5.0]])
    src = np.array([[3.0, 1.0], [3.0, 0.0], [2.0, 5.0], [1.0, 5.0]])
    _second_order(
        lambda m, a, b: a.index_reduce(0, m.tensor([0, 0, 1, 2]), b, reduce, include_self=keep),
        [x, src],
    )


PRODS = [  # zeros in input, in src, alone and several in one slot
    ([0.0, 2.0, 3.0], [0.0, 4.0, 0.0, 2.0], [0, 0, 1, 2]),
    ([2.0, 0.0, 3.0], [0.0, 4.0, 1.0, 2.0], [1, 1, 1, 2]),
    ([2.0, 0.0, 3.0], [5.0, 4.0, 1.0, 0.0], [1, 1, 1, 2]),
    ([2.0, 0.0, 3.0], [5.0, 0.0, 1.0, 0.0], [1, 1, 1, 2]),
    ([2.0, 1.0, 0.0], [5.0, -4.0, 1.5, 0.0], [1, 1, 2, 2]),
]


@pytest.mark.parametrize("include_self", [False, True])
@pytest.mark.parametrize("case", range(len(PRODS)))
def test_scatter_reduce_prod_second_derivatives_at_zeros(include_self, case):
    x, src, idx = PRODS[case]
    _second_order(
        lambda m, a, b: a.scatter_reduce(0, m.tensor(idx), b, "prod", include_self=include_self),
        [np.array(x), np.array(src)],
    )


@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")
@pytest.mark.parametrize("keep", [False, True])
def test_index_reduce_prod_second_derivatives_at_zeros(keep):
    x = np.array([[0.0, 2.0], [1.0, 3.0], [2.0, 0.0]])
    src = np.array([[0.0, 2.0], [3.0, 0.0], [0.0, 1.5], [2.0, -1.0]])
    _second_order(
        lambda m, a, b: a.index_reduce(0, m.tensor([0, 1, 1, 2]), b, "prod", include_self=keep),
        [x, src],
    )


@pytest.mark.parametrize("reduce", ["sum", "mean"])
@pytest.mark.parametrize("keep", [False, True])
def test_scatter_reduce_sum_mean_2d(reduce, keep):
    x = np.arange(6.0).reshape(2, 3) - 2
    src = np.arange(8.0).reshape(2, 4) / 3
    idx = [[0, 2, 2, 1], [1, 1, 0, 0]]
    _second_order(
        lambda m, a, b: a.scatter_reduce(1, m.tensor(idx), b, reduce, include_self=keep),
        [x, src],
    )


@pytest.mark.parametrize("reduce", ["sum", "mean", "prod", "amax", "amin"])
def test_scatter_reduce_src_larger_than_index_refuses_backward(reduce):
    def fn(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        s = m.tensor([2.0, 3.0, 4.0, 5.0], requires_grad=True)
        x.scatter_reduce(0, m.tensor([0, 1]), s, reduce).sum().backward()

    err = check_raises(fn)
    assert "ScatterReduceBackward0" in str(err) or "must match the size" in str(err)
