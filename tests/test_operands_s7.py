"""Operators with operands torch does not take (lists, tuples, None, strings): Python's
TypeError, as torch's operators answer NotImplemented; argmax/argmin as torch shapes and refuses."""

from __future__ import annotations

import operator

import numpy as np
import pytest

from tests.helpers import check_raises, same_result_or_error

OPS = [
    operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
    operator.mod, operator.pow, operator.matmul, operator.and_, operator.or_, operator.xor,
    operator.lshift, operator.rshift, operator.lt, operator.ge,
]  # fmt: skip
BAD = [[1, 2], (1, 2), None, "ab", {1: 2}]


# ('ab' % x is string formatting, not the tensor's operator)
CASES = [
    (op, bad, side)
    for op in OPS
    for bad in BAD
    for side in ("left", "right")
    if not (op is operator.mod and side == "right" and isinstance(bad, str))
]


@pytest.mark.parametrize(("op", "bad", "side"), CASES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_operator_refuses_non_operands(op, bad, side, dtype):

    def fn(m):
        x = m.tensor([1, 5], dtype=getattr(m, dtype))
        return op(x, bad) if side == "left" else op(bad, x)

    err = check_raises(fn)
    assert isinstance(err, TypeError)


@pytest.mark.parametrize("op", OPS[:7], ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "other", [2, 2.5, True, np.float32(2.0), np.int64(3), np.array([1.0, 2.0])], ids=repr
)
def test_operator_takes_numbers_and_arrays(op, other):
    same_result_or_error(lambda m: op(m.tensor([1.0, 5.0], requires_grad=False), other))


@pytest.mark.parametrize("other", [2, 2.5, np.int64(3)], ids=repr)
def test_matmul_refuses_numbers(other):
    assert isinstance(check_raises(lambda m: m.tensor([1.0, 5.0]) @ other), TypeError)
    assert isinstance(check_raises(lambda m: other @ m.tensor([1.0, 5.0])), TypeError)


def test_equality_with_a_list_is_false():
    same_result_or_error(lambda m: m.tensor([1.0, 5.0]) == [1, 5])


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("shape", [(2, 3), (4,), (), (1, 2, 3)])
@pytest.mark.parametrize("dim", [None, 0, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_arg_extremes(name, shape, dim, keepdim):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    same_result_or_error(lambda m: getattr(m.tensor(x), name)(dim=dim, keepdim=keepdim))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_extremes_refusals(name):
    for fn in (
        lambda m: getattr(m.tensor([[True, False]]), name)(),
        lambda m: getattr(m.tensor([[True, False]]), name)(1),
        lambda m: getattr(m.zeros(2, 0), name)(1),
        lambda m: getattr(m.zeros(0), name)(),
        lambda m: m.tensor([True, False]).topk(1),
        lambda m: m.tensor([True, False]).topk(5),
    ):
        same_result_or_error(fn)


@pytest.mark.parametrize(
    "shape, dtype",
    [((3,), "float32"), ((3, 2), "float64"), ((2, 3), "int64"), ((2, 3), "float16"),
     ((2, 3), "bool"), ((), "float32"), ((1,), "float32")],
)  # fmt: skip
def test_grad_assignment_refusals(shape, dtype):
    def fn(m):
        x = m.zeros(2, 3, requires_grad=True)
        x.grad = m.zeros(shape, dtype=getattr(m, dtype))

    same_result_or_error(fn)
