"""Self-assignment through broadcasting, what a node keeps after backward, index dtypes and
non-torch numbers as operands: each as torch."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import ember
from ember.autograd.engine import RELEASABLE
from tests.helpers import check_raises, same_result_or_error


@pytest.mark.parametrize(
    "write",
    [
        lambda m: _assign(m.arange(6.0), slice(None), lambda x: x[0]),
        lambda m: _assign(m.arange(6.0).reshape(2, 3), Ellipsis, lambda x: x[0]),
        lambda m: _assign(m.arange(6.0).reshape(2, 3), (slice(None),) * 2, lambda x: x[:, :1]),
        lambda m: _assign(m.arange(6.0), slice(1, None), lambda x: x[:-1]),  # refused
    ],
)
def test_setitem_from_own_memory(write):
    same_result_or_error(write)


def _assign(x, key, source):
    x[key] = source(x)
    return x


def _arrays_on(node) -> list:
    held = []
    for v in node.__dict__.values():
        items = v if isinstance(v, tuple) else (v,)
        held += [e for e in items if isinstance(e, np.ndarray) and e.size > 1]
        if type(v) in RELEASABLE:
            held.append(v)
    return held


@pytest.mark.parametrize("frozen", ["weight", "input"])
def test_conv_node_keeps_nothing_after_backward(frozen):
    """One of a conv's input and weight rules runs alone: what the forward or the other rule
    left for it goes with the node's saved tensors (a graph kept by a running sum kept it)."""
    conv = ember.nn.Conv2d(3, 8, 3, padding=1)
    x = ember.randn(4, 3, 16, 16, requires_grad=frozen == "weight")
    conv.weight.requires_grad_(frozen != "weight")
    y = conv(x)
    (y * ember.randn(4, 8, 16, 16)).sum().backward()  # an NCHW gradient
    assert _arrays_on(y.grad_fn) == []


def test_log_softmax_node_keeps_no_nll_gradient():
    x = ember.randn(8, 5, requires_grad=True)
    logp = ember.nn.functional.log_softmax(x, dim=1)
    loss = ember.nn.functional.nll_loss(logp, ember.randint(0, 5, (8,)))
    (g,) = ember.autograd.grad(loss, logp)  # log_softmax's node never runs
    assert g.shape == (8, 5)
    assert _arrays_on(logp.grad_fn) == []


@pytest.mark.parametrize("dtype", ["uint16", "uint32", "uint64", "int16", "int8"])
def test_index_tensor_dtypes_refused(dtype):
    check_raises(lambda m: m.arange(6.0)[m.tensor([1], dtype=getattr(m, dtype))])


@pytest.mark.parametrize("dtype", ["uint16", "int32", "int64", "uint8"])
def test_zero_dim_index_tensor(dtype):
    same_result_or_error(lambda m: m.arange(6.0)[m.tensor(1, dtype=getattr(m, dtype))])


@pytest.mark.parametrize("number", [Fraction(1, 2), Decimal(1)], ids=repr)
@pytest.mark.parametrize("op", ["add", "lt", "and_", "radd"])
def test_python_numbers_torch_does_not_take(number, op):
    import operator

    def fn(m):
        t = m.tensor([1.0, 2.0])
        return operator.add(number, t) if op == "radd" else getattr(operator, op)(t, number)

    assert isinstance(check_raises(fn), TypeError)
