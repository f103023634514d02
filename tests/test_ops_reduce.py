"""Reductions, cumulative ops and softmax against torch."""

import numpy as np
import pytest
from helpers import check_op, check_raises

SHAPES = [(), (4,), (3, 4), (1, 4), (2, 1, 4), (2, 3, 4)]
DTYPES = [np.float32, np.float64]


def _dims(shape):
    """Dims worth reducing over for a shape: each single dim (and -1), a pair, all."""
    nd = len(shape)
    out = list(range(nd)) + ([-1] if nd else [])
    if nd >= 2:
        out += [(0, nd - 1)]
    return out or [0]


FULL = {
    "sum": lambda m, x: x.sum(),
    "mean": lambda m, x: x.mean(),
    "prod": lambda m, x: x.prod(),
    "max": lambda m, x: x.max(),
    "min": lambda m, x: x.min(),
    "amax": lambda m, x: x.amax(),
    "amin": lambda m, x: x.amin(),
    "var": lambda m, x: x.var(),
    "std": lambda m, x: x.std(),
    "var0": lambda m, x: x.var(unbiased=False),
    "std_c0": lambda m, x: m.std(x, correction=0),
    "norm": lambda m, x: x.norm(),
    "norm1": lambda m, x: x.norm(p=1),
    "norm3": lambda m, x: x.norm(p=3),
    "norm_inf": lambda m, x: x.norm(p=float("inf")),
    "logsumexp": lambda m, x: m.logsumexp(x, dim=tuple(range(x.ndim))),
    "argmax": lambda m, x: x.argmax(),
    "argmin": lambda m, x: x.argmin(),
    "sum_f64": lambda m, x: x.sum(dtype=m.float64),
    "mean_f64": lambda m, x: x.mean(dtype=m.float64),
}

BY_DIM = {
    "sum": lambda m, x, d, k: x.sum(d, keepdim=k),
    "mean": lambda m, x, d, k: x.mean(d, keepdim=k),
    "amax": lambda m, x, d, k: x.amax(d, keepdim=k),
    "amin": lambda m, x, d, k: m.amin(x, d, keepdim=k),
    "var": lambda m, x, d, k: x.var(d, keepdim=k),
    "std": lambda m, x, d, k: x.std(d, keepdim=k, correction=0),
    "logsumexp": lambda m, x, d, k: x.logsumexp(d, keepdim=k),
    "norm": lambda m, x, d, k: x.norm(dim=d, keepdim=k),
    "norm1": lambda m, x, d, k: x.norm(p=1, dim=d, keepdim=k),
}

# Ops that take a single int dim.
BY_INT_DIM = {
    "max": lambda m, x, d, k: x.max(d, keepdim=k),
    "min": lambda m, x, d, k: m.min(x, d, keepdim=k),
    "prod": lambda m, x, d, k: x.prod(d, keepdim=k),
    "argmax": lambda m, x, d, k: x.argmax(d, keepdim=k),
    "argmin": lambda m, x, d, k: x.argmin(d, keepdim=k),
    "cumsum": lambda m, x, d, k: x.cumsum(d),
    "cumprod": lambda m, x, d, k: x.cumprod(d),
    "softmax": lambda m, x, d, k: x.softmax(d),
    "log_softmax": lambda m, x, d, k: m.log_softmax(x, d),
    "sort": lambda m, x, d, k: x.sort(d, descending=k),
    "argsort": lambda m, x, d, k: x.argsort(d, descending=k),
    "topk": lambda m, x, d, k: x.topk(1, d, largest=k),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(FULL))
def test_full_reduction(name, shape, dtype):
    check_op(FULL[name], [shape], dtype=dtype, low=0.2, high=2.0)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BY_DIM))
def test_dim_reduction(name, shape, dtype, keepdim):
    for d in _dims(shape):
        check_op(lambda m, x, d=d: BY_DIM[name](m, x, d, keepdim), [shape], dtype=dtype, low=0.2)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BY_INT_DIM))
def test_int_dim_reduction(name, shape, dtype, keepdim):
    for d in [x for x in _dims(shape) if isinstance(x, int)]:
        check_op(
            lambda m, x, d=d: BY_INT_DIM[name](m, x, d, keepdim), [shape], dtype=dtype, low=0.2
        )


def test_ties_and_zeros():
    tie = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float64)
    check_op(lambda m, x: x.max(), [tie])
    check_op(lambda m, x: x.amax(1), [tie])
    check_op(lambda m, x: x.min(1), [tie])
    check_op(lambda m, x: x.norm(p=float("inf")), [tie])
    z = np.array([[1.0, 0.0, 3.0], [2.0, 0.0, 0.0]], np.float64)
    check_op(lambda m, x: x.prod(), [z])
    check_op(lambda m, x: x.prod(1), [z])
    check_op(lambda m, x: x.prod(0), [z])
    check_op(lambda m, x: x.cumprod(1), [z])
    check_op(lambda m, x: x.norm(), [np.zeros((2, 2))])
    check_op(lambda m, x: m.argmax(x), [np.array([1.0, np.nan, 2.0])], grad=False)
    check_op(lambda m, x: x.max(), [np.array([1.0, np.nan, 2.0])], grad=False)
    check_op(lambda m, x: x.sort(), [np.array([1.0, np.nan, -2.0, 0.5])], grad=False)
    check_op(lambda m, x: x.sort(descending=True), [np.array([1.0, np.nan, -2.0, 0.5])], grad=False)


def test_softmax_extremes():
    big = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0]], np.float32)
    check_op(lambda m, x: x.softmax(-1), [big])
    check_op(lambda m, x: x.log_softmax(-1), [big[:1]])
    check_op(lambda m, x: x.logsumexp(-1), [big])


INT_CASES = [
    lambda m: m.tensor([1, 2, 3]).sum(),
    lambda m: m.tensor([True, True, False]).sum(),
    lambda m: m.tensor([1, 2], dtype=m.int32).sum(),
    lambda m: m.tensor([1, 2], dtype=m.uint8).prod(),
    lambda m: m.tensor([1, 2], dtype=m.int8).cumsum(0),
    lambda m: m.tensor([[1, 2], [3, 4]]).sum(1, dtype=m.float32),
    lambda m: m.tensor([[1, 2], [3, 4]]).max(0),
    lambda m: m.tensor([[1, 2], [3, 4]]).max(),
    lambda m: m.tensor([[1, 2], [3, 4]]).argmax(),
    lambda m: m.tensor([[1, 2], [3, 4]]).mean(dtype=m.float64),
    lambda m: m.tensor([[True, False], [True, True]]).all(1),
    lambda m: m.tensor([[True, False], [False, False]]).any(0),
    lambda m: m.tensor([[1, 0], [2, 3]]).all(),
    lambda m: m.tensor([1, 0], dtype=m.uint8).all(),
    lambda m: m.tensor(5).max(0),
    lambda m: m.tensor(5.0).max(0, keepdim=True),
    lambda m: m.tensor(5.0).argmax(0),
    lambda m: m.tensor(5.0).sum(0),
    lambda m: m.tensor(5.0).softmax(0),
    lambda m: m.tensor(5.0).cumsum(0),
    lambda m: m.tensor([3, 1, 2]).sort(),
    lambda m: m.tensor([3, 1, 2]).topk(2),
    lambda m: m.tensor([[3, 1, 2], [0, 5, 5]]).sort(dim=1, descending=True, stable=True),
    lambda m: m.tensor([1.0, 2.0, 3.0, 4.0]).median(),
    lambda m: m.tensor([[1.0, 5.0], [3.0, 4.0]]).median(1),
    lambda m: m.tensor([1.0, 2.0, 3.0]).var(0),
    lambda m: m.zeros(0).sum(),
    lambda m: m.zeros(0, 3).sum(0),
    lambda m: m.zeros(2, 0).amax(0),
    lambda m: m.tensor([[1.0, 2.0]]).std(1),
    lambda m: m.tensor([3, 1, 2]).count_nonzero(),
]


@pytest.mark.parametrize("i", range(len(INT_CASES)))
def test_int_and_special(i):
    check_op(lambda m: INT_CASES[i](m), [], grad=False)


RAISES = [
    lambda m: m.tensor([1, 2]).mean(),
    lambda m: m.ones(2, 3).sum(2),
    lambda m: m.ones(2, 3).sum((0, 0)),
    lambda m: m.zeros(0).max(),
    lambda m: m.zeros(0, 3).max(0),
    lambda m: m.ones(3).softmax(1),
    lambda m: m.tensor([1, 2]).softmax(0),
    lambda m: m.ones(3).topk(4),
    lambda m: m.ones(3).cumsum(1),
    lambda m: m.tensor([1, 2]).norm(),
    lambda m: m.ones(2, 2).prod((0, 1)),
]


@pytest.mark.parametrize("i", range(len(RAISES)))
def test_raises(i):
    check_raises(RAISES[i])
