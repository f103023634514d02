"""Indexing under ``create_graph``: the nodes torch records for the gradient of a basic-index view
(SelectBackwardBackward0, SliceBackwardBackward0, a squeeze for None, nothing for an alias) and
second derivatives through them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close


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
