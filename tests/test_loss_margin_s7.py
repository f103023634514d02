"""The margin losses against torch 2.13 at their edges: triplet's margin check (nn.functional's,
not ATen's), soft margin's dtypes, and the multi-class margin losses' shape, weight and target
dtype checks and 0-d inputs. Values, dtypes, shapes, grad_fn names and gradients, or the
exception's type and message."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

REDUCTIONS = ["none", "mean", "sum"]


def _tensors(lib, arrays, grad):
    out = []
    for a in arrays:
        t = lib.tensor(a.copy()) if isinstance(a, np.ndarray) else a
        if grad and isinstance(a, np.ndarray) and a.dtype.kind == "f" and a is arrays[0]:
            t.requires_grad_(True)
        out.append(t)
    return out


def _run(lib, fn, arrays, kwargs, grad=True):
    """(output, grad of the first argument) or (exception type, message)."""
    args = _tensors(lib, arrays, grad)
    kw = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    try:
        out = fn(lib)(*args, **kw)
    except Exception as e:  # noqa: BLE001 - compared with torch's
        return type(e), str(e)
    g = None
    if grad and args[0].requires_grad:
        try:
            out.sum().backward()
            g = args[0].grad
        except Exception as e:  # noqa: BLE001
            g = (type(e), str(e))
    return out, g


def _same(fn, arrays, kwargs=None, grad=True, rtol=1e-6, atol=1e-7):
    kwargs = kwargs or {}
    e = _run(ember, fn, arrays, kwargs, grad)
    t = _run(torch, fn, arrays, kwargs, grad)
    if isinstance(t[0], type):
        assert e == t
        return
    assert not isinstance(e[0], type), e
    (eo, eg), (to, tg) = e, t
    assert str(eo.dtype).split(".")[-1] == str(to.dtype).split(".")[-1]
    assert tuple(eo.shape) == tuple(to.shape)
    assert _node(eo) == _node(to)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=rtol, atol=atol)
    if isinstance(tg, tuple):
        assert eg == tg
    elif tg is not None:
        assert eg is not None
        np.testing.assert_allclose(eg.numpy(), tg.numpy(), rtol=rtol, atol=atol)


def _node(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def _f(name):
    return lambda lib: getattr(lib.nn.functional, name)


def _rand(*shape, dtype=np.float32, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype)


# -- triplet_margin_loss -------------------------------------------------------------------------
@pytest.mark.parametrize("margin", [0.0, 0, -1.5, 1e-3, 2.0])
@pytest.mark.parametrize("reduction", REDUCTIONS + ["bogus"])
def test_triplet_margin_checked_after_reduction(margin, reduction):
    arrays = [_rand(3, 4, seed=s) for s in range(3)]
    _same(_f("triplet_margin_loss"), arrays, dict(margin=margin, reduction=reduction))


@pytest.mark.parametrize("margin", [0.0, -1.5])
def test_triplet_margin_legacy_reduction(margin):
    arrays = [_rand(3, 4, seed=s) for s in range(3)]
    _same(_f("triplet_margin_loss"), arrays, dict(margin=margin, size_average=False))


@pytest.mark.parametrize("margin", [0.0, -1.0, 0.5])
@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_triplet_margin_aten_form_does_not_check(margin, reduction):
    arrays = [_rand(3, 4, seed=s) for s in range(3)]
    arrays[1] = arrays[1] * 3
    fn = lambda lib: (
        lambda a, p, n: lib.triplet_margin_loss(  # noqa: E731
            a, p, n, margin, 2.0, 1e-6, False, reduction
        )
    )
    _same(fn, arrays, rtol=1e-5, atol=1e-6)


def test_triplet_margin_module():
    arrays = [_rand(3, 4, seed=s) for s in range(3)]
    fn = lambda lib: lib.nn.TripletMarginLoss(margin=0.0)  # noqa: E731
    _same(fn, arrays)


# -- soft_margin_loss ----------------------------------------------------------------------------
_TARGETS = {
    "int64": np.array([1, -1, 1, -1], np.int64),
    "int32": np.array([1, -1, 1, -1], np.int32),
    "bool": np.array([True, False, True, True]),
    "float64": np.array([1.0, -1.0, 0.3, -2.5], np.float64),
    "float32": np.array([1.0, -1.0, 0.3, -2.5], np.float32),
    "float16": np.array([1.0, -1.0, 0.5, -2.0], np.float16),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", ["int64", "int32", "float64", "float32", "float16"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_soft_margin_result_has_input_dtype(dtype, target, reduction):
    x = _rand(4, dtype=dtype)
    _same(_f("soft_margin_loss"), [x, _TARGETS[target]], dict(reduction=reduction), rtol=1e-5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_bool_target_forward(reduction):
    # torch computes the loss (its backward then fails on negating a bool target)
    x = _rand(4)
    _same(_f("soft_margin_loss"), [x, _TARGETS["bool"]], dict(reduction=reduction), grad=False)


@pytest.mark.parametrize("xdtype", [np.int64, np.int32, np.int16, np.uint8, np.bool_])
@pytest.mark.parametrize("target", ["int64", "float32", "bool"])
def test_soft_margin_integer_input_raises(xdtype, target):
    x = np.array([1, 0, 1, 1]).astype(xdtype)
    _same(_f("soft_margin_loss"), [x, _TARGETS[target]])


# -- multi_margin_loss ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, target, weight",
    [
        ((2, 3), np.array([0, 2]), np.ones(4, np.float32)),  # weight size
        ((3,), np.array([1]), np.ones(2, np.float32)),
        ((), np.array(0), np.ones(2, np.float32)),
        ((2, 3), np.array([0, 2], np.int32), None),  # target dtype
        ((2, 3), np.array([0.0, 2.0], np.float32), None),
        ((2, 3), np.array([0, 2], np.int32), np.ones(4, np.float32)),  # weight before dtype
        ((2, 3, 4), np.array([0, 2]), None),  # input shape
        ((2, 3, 4), np.array([0, 2], np.int32), None),
        ((2, 0), np.array([0, 2]), None),
        ((0,), np.array([], np.int64), None),
        ((2, 3), np.array([0, 2, 1]), None),  # target shape
        ((3,), np.array([0, 2, 1]), None),
        ((2, 3), np.array([[0], [2]]), None),
    ],
)
def test_multi_margin_checks(shape, target, weight):
    kw = {} if weight is None else dict(weight=weight)
    _same(_f("multi_margin_loss"), [_rand(*shape), target], kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize(
    "shape, target",
    [
        ((), np.array(0)),
        ((), np.array([0])),
        ((), np.array(1)),  # out of range
        ((3,), np.array(1)),
        ((3,), np.array([1])),
        ((1, 3), np.array(2)),
        ((2, 3), np.array([0, 2])),
    ],
)
def test_multi_margin_values(shape, target, p, reduction):
    kw = dict(p=p, reduction=reduction, margin=1.5)
    _same(_f("multi_margin_loss"), [np.asarray(_rand(*shape) * 0.5), target], kw, rtol=1e-5)
    kw["weight"] = np.array([0.5, 2.0, 3.0][: (shape[-1] if shape else 1)], np.float32)
    _same(_f("multi_margin_loss"), [np.asarray(_rand(*shape) * 0.5), target], kw, rtol=1e-5)


# -- multilabel_margin_loss ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, target",
    [
        ((2, 3), np.array([[0, -1, 1], [2, 1, -1]], np.int32)),
        ((2, 3), np.array([[0, -1, 1], [2, 1, -1]], np.float32)),
        ((2, 3), np.array([[0, -1, 1]], np.int32)),  # shape before dtype
        ((2, 3, 4), np.zeros((2, 3, 4), np.int64)),
        ((2, 3, 4), np.zeros((2, 3), np.int32)),
        ((2, 0), np.zeros((2, 0), np.int64)),
        ((0,), np.zeros(0, np.int64)),
        ((3,), np.zeros(2, np.int64)),
        ((3,), np.zeros((1, 3), np.int64)),
        ((), np.zeros(2, np.int64)),
        ((), np.array(0, np.int32)),
    ],
)
def test_multilabel_margin_checks(shape, target):
    _same(_f("multilabel_margin_loss"), [_rand(*shape), target])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "shape, target",
    [
        ((), np.array(0)),
        ((), np.array(-1)),
        ((), np.array([0])),
        ((), np.array(1)),  # out of range
        ((3,), np.array([1, -1, 0])),
        ((1, 3), np.array([[1, -1, 0]])),
        ((2, 3), np.array([[0, 2, -1], [1, -1, 2]])),
    ],
)
def test_multilabel_margin_values(shape, target, reduction):
    _same(_f("multilabel_margin_loss"), [_rand(*shape), target], dict(reduction=reduction))
