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
    """``fn(lib, x * x)`` and its gradients in x up to ``order`` (each recorded but the last),
    the loss weighted so that every element counts apart."""
    x = lib.tensor(data, requires_grad=True)
    out = fn(lib, x * x)
    w = lib.tensor(np.linspace(0.5, 2.0, max(out.numel(), 1))[: out.numel()].reshape(out.shape))
    g = lib.autograd.grad((out * out * w).sum(), x, create_graph=True)[0]
    grads = [g]
    for k in range(1, order):
        g = lib.autograd.grad((g * g * g).sum(), x, create_graph=k < order - 1)[0]
        grads.append(g)
    return out, grads


def _check_graphs(fn, shape, order=3, graphs=2):
    """The result and its graph, values of ``order`` derivatives and the graphs of the first
    ``graphs`` match torch's."""
    data = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape) / 7
    (t_out, t), (e_out, e) = _grads(torch, fn, data, order), _grads(ember, fn, data, order)
    assert_close(e_out, t_out)
    assert _tree(e_out.grad_fn) == _tree(t_out.grad_fn), "graph of the result"
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


# --- advanced indexing: IndexBackward0, its gradient IndexPutImplBackward0 ----------------------
def _i(m):
    return m.tensor([0, 2, 0, 0])  # repeated: gradients accumulate


def _j(m):
    return m.tensor([[3], [0], [3]])  # broadcasts against _i


def _mask(m):
    return m.tensor([True, False, True, True])


ADVANCED_KEYS = {
    "repeated": lambda m: _i(m),
    "repeated_negative": lambda m: m.tensor([-1, -4, -1]),
    "pair": lambda m: (m.tensor([0, 2, 0]), m.tensor([1, 1, 1])),
    "broadcast": lambda m: (_j(m), _i(m)),
    "broadcast_apart": lambda m: (_j(m), slice(None), m.tensor([1, 2, 2, 0])),
    "broadcast_after_slice": lambda m: (slice(None), m.tensor([[0], [3]]), m.tensor([1, 2, 2])),
    "list": lambda m: [0, 0, 1],
    "mask": _mask,
    "mask_2d": lambda m: m.arange(20).reshape(4, 5) % 3 == 0,
    "mask_full": lambda m: m.arange(60).reshape(4, 5, 3) % 4 == 0,
    "mask_then_slice": lambda m: (_mask(m), slice(1, 4)),
    "mask_and_index": lambda m: (_mask(m), m.tensor([0, 4, 4])),
    "slice_then_index": lambda m: (slice(1, 3), m.tensor([0, 4, 0])),
    "index_slice_int": lambda m: (_i(m), slice(None), 1),
    "int_then_index": lambda m: (1, m.tensor([0, 4, 4])),
    "int_between_indices": lambda m: (_i(m), 0, _i(m)),
    "int_slice_index": lambda m: (0, slice(None), m.tensor([2, 0, 2])),
    "tensor_int_then_index": lambda m: (m.tensor(2), _i(m)),
    "ellipsis_index": lambda m: (Ellipsis, m.tensor([2, 0, 2])),
    "empty_ellipsis_between": lambda m: (_i(m), slice(None), Ellipsis, m.tensor([1, 0, 1, 1])),
    "empty": lambda m: m.tensor([], dtype=m.long),
    "index_stepped_slice": lambda m: (slice(None, None, 2), _i(m)[:2], slice(None)),
}


@pytest.mark.parametrize("name", ADVANCED_KEYS)
def test_advanced_index_nodes(name):
    key = ADVANCED_KEYS[name]
    _check_graphs(lambda m, y: y[key(m)], (4, 5, 3))


# a squeeze undoes the new dim of a None or a 0-d bool; its own gradient is another module's rule
NEW_DIM_KEYS = {
    "none_then_index": lambda m: (None, _i(m)),
    "none_index_ellipsis_int": lambda m: (None, _i(m), Ellipsis, 0),
    "index_none": lambda m: (_i(m), None),
    "bool": lambda m: m.tensor(True),
    "false": lambda m: (False,),
    "bool_and_index": lambda m: (True, _i(m)),
    "bool_int": lambda m: (m.tensor(True), 0),
}


@pytest.mark.parametrize("name", NEW_DIM_KEYS)
def test_advanced_index_with_new_dims(name):
    key = NEW_DIM_KEYS[name]
    _check_graphs(lambda m, y: y[key(m)], (4, 5, 3), graphs=1)


@pytest.mark.parametrize("name", [*ADVANCED_KEYS, *NEW_DIM_KEYS])
def test_advanced_index_without_grad(name):
    """Unrecorded reads apply torch's rule as well (ints are views, not index tensors)."""
    key = {**ADVANCED_KEYS, **NEW_DIM_KEYS}[name]
    data = np.arange(60.0).reshape(4, 5, 3)
    assert_close(ember.tensor(data)[key(ember)], torch.tensor(data)[key(torch)])


SET_KEYS = {
    "index_bool_index": lambda m: (_i(m)[:3], True, m.tensor([1, 1, 4])),
    "bool_after_int_index": lambda m: (-1, m.tensor([0, 1, 2]), True),
    "slice_bool": lambda m: (slice(None), True, m.tensor([4, 0])),
    "ellipsis_bool_index": lambda m: (Ellipsis, True, m.tensor([[2], [0]])),
    "int_slice_index": lambda m: (0, slice(None), m.tensor([2, 0])),
    "none_index_ellipsis_int": lambda m: (None, m.tensor([1, 3]), Ellipsis, 0),
}


@pytest.mark.parametrize("name", SET_KEYS)
def test_recorded_setitem_with_mixed_keys(name):
    """``t[key] = v`` views the basic part and puts into it as reading does."""
    key = SET_KEYS[name]

    def fn(m, y):
        y = y * 1
        k = key(m)
        y[k] = y[k].flip(0) * 3
        return y

    _check_graphs(fn, (4, 5, 3), graphs=0)


# --- masks: masked_select's gradient is a masked_scatter into zeros, a masked_fill value's the
# sum of the gradient it received (read by masked_select) -------------------------------------
@pytest.mark.parametrize("shape,mask_shape", [((4, 3), (4, 3)), ((4, 3), (3,)), ((3,), (2, 3))])
def test_masked_select_gradient_nodes(shape, mask_shape):
    mask = np.arange(np.prod(mask_shape)).reshape(mask_shape) % 3 != 1
    _check_graphs(lambda m, y: y.masked_select(m.tensor(mask)), shape, graphs=1)


@pytest.mark.parametrize("mask_shape", [(4, 3), (3,), ()])
def test_masked_fill_tensor_value_gradient_nodes(mask_shape):
    mask = np.arange(np.prod(mask_shape)).reshape(mask_shape) % 3 != 1
    _check_graphs(lambda m, y: y.masked_fill(m.tensor(mask), y[1, 2] * 2), (4, 3), graphs=2)


@pytest.mark.parametrize("alpha", [1, 2, 0.5, -3])
def test_index_add_source_gradient_nodes(alpha):
    """The source's gradient is read back, expanded to the source and (unless alpha is 1) scaled
    by alpha (torch's MulBackward1)."""

    def fn(m, y):
        return (y * 1).index_add(0, m.tensor([3, 0, 3]), y[1:] * y[1:], alpha=alpha)

    _check_graphs(fn, (4, 3))
