"""``out=``: the result is written into ``out`` (resized if its shape differs), ``out`` returned.

Each row runs in torch and in Ember with the same inputs and an ``out`` of the given shape and
dtype; the returned tensor must be ``out`` itself, holding torch's values, dtype and shape. Rows
whose ``out`` cannot hold the result must raise torch's exception type and message.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

# (expression over m, x, y, idx and out o; out's shape; out's dtype name)
ROWS = [
    # creation
    ("m.arange(5, out=o)", (0,), "int64"),
    ("m.arange(0, 2, 0.5, out=o)", (0,), "float64"),
    ("m.arange(5, out=o)", (0,), "float32"),  # out's dtype wins over the inferred int64
    ("m.zeros(2, 3, out=o)", (0,), "int32"),
    ("m.ones(4, out=o)", (4,), "float32"),
    ("m.full((2, 2), 7, out=o)", (0,), "int64"),
    ("m.eye(3, out=o)", (0,), "float32"),
    ("m.linspace(0, 1, 5, out=o)", (0,), "float64"),
    # reductions
    ("m.sum(x, 0, out=o)", (0,), "float32"),
    ("m.sum(x, 1, keepdim=True, out=o)", (0,), "float64"),
    ("m.mean(x, 1, out=o)", (0,), "float32"),
    ("m.prod(x, 0, out=o)", (0,), "float32"),
    ("m.argmax(x, 1, out=o)", (0,), "int64"),
    ("m.amax(x, 0, out=o)", (0,), "float32"),
    ("m.max(x, out=o)", (0,), "float32"),
    ("m.cumsum(x, 1, out=o)", (0,), "float32"),
    # shape
    ("m.cat([x, y], out=o)", (0,), "float32"),
    ("m.cat([x, y], 1, out=o)", (0,), "float64"),
    ("m.stack([x, y], 1, out=o)", (0,), "float32"),
    # index
    ("m.index_select(x, 1, idx[0], out=o)", (0,), "float32"),
    ("m.gather(x, 1, idx.expand(2, 2), out=o)", (0,), "float32"),
    ("m.masked_select(x, x > 0, out=o)", (0,), "float32"),
    ("m.take(x, idx, out=o)", (0,), "float32"),
    # linalg
    ("m.matmul(x, y.t(), out=o)", (0,), "float32"),
    ("m.matmul(x[0], y.t(), out=o)", (0,), "float32"),
    ("m.mm(x, y.t(), out=o)", (0,), "float32"),
    ("m.bmm(x[None], y.t()[None], out=o)", (0,), "float32"),
    ("m.mv(x, y[0], out=o)", (0,), "float32"),
    ("m.dot(x[0], y[0], out=o)", (0,), "float32"),
    ("m.outer(x[0], y[0], out=o)", (0,), "float64"),
    ("m.linalg.inv(x[:, :2] + 3 * m.eye(2), out=o)", (0,), "float32"),
    ("m.linalg.vector_norm(x, out=o)", (0,), "float32"),
    ("m.linalg.cross(x, y, out=o)", (0,), "float32"),
    # elementwise and comparisons (functions/math.py and compare.py)
    ("m.add(x, y, out=o)", (0,), "float32"),
    ("m.exp(x, out=o)", (0,), "float64"),
    ("m.eq(x, y, out=o)", (0,), "int64"),
    ("m.nn.functional.normalize(x, out=o)", (0,), "float32"),
    # an out of the right shape is written in place, no new array
    ("m.mul(x, 2, out=o)", (2, 3), "float32"),
]

# Tuple outs: (values, indices)
TUPLE_ROWS = [
    ("m.max(x, 1, out=o)", ("float32", "int64")),
    ("m.min(x, 0, keepdim=True, out=o)", ("float32", "int64")),
    ("m.sort(x, 1, out=o)", ("float32", "int64")),
    ("m.topk(x, 2, out=o)", ("float32", "int64")),
]

ERRORS = [
    ("m.add(x, y, out=o)", (0,), "int64"),
    ("m.mean(x, 0, out=o)", (0,), "int64"),
    ("m.argmax(x, 1, out=o)", (0,), "float32"),
    ("m.mm(x, y.t(), out=o)", (0,), "float64"),
    ("m.matmul(x, y.t(), out=o)", (0,), "float64"),
    ("m.gather(x, 1, idx.expand(2, 2), out=o)", (0,), "float64"),
    ("m.index_select(x, 1, idx[0], out=o)", (0,), "float64"),
    ("m.take(x, idx, out=o)", (0,), "float64"),
    ("m.dot(x[0], y[0], out=o)", (0,), "float64"),
    ("m.cat([x, y], out=o)", (0,), "int64"),
    ("m.stack([x, y], out=o)", (0,), "int64"),
    ("m.linalg.inv(x[:, :2], out=o)", (0,), "float64"),
    ("m.zeros(2, dtype=m.float64, out=o)", (0,), "float32"),
    ("m.rand(2, out=o)", (0,), "int64"),
    ("m.multinomial(m.ones(3), 2, out=o)", (0,), "float32"),
    ("m.sum(x, 0, out=[1])", (0,), "float32"),
    ("m.exp(x.requires_grad_(), out=o)", (0,), "float32"),
    ("m.sum(x, 0, out=o.requires_grad_())", (0,), "float32"),
    ("m.max(x, 1, out=(o,))", (0,), "float32"),
    ("m.max(x, 1, out=(o, o))", (0,), "float32"),
    ("m.add(x, y, out=o.expand(2, 3))", (3,), "float32"),
]


def _inputs(m):
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    y = m.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    return {"m": m, "x": x, "y": y, "idx": m.tensor([[2, 0]])}


def _out(m, shape, dtype):
    return m.zeros(shape, dtype=getattr(m, dtype))


def _run(m, expr, o):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = eval(expr, {**_inputs(m), "o": o})  # noqa: S307 - this file's literals
    return result, [str(w.message) for w in caught]


def _same(e, t, expr):
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], expr
    assert tuple(e.shape) == tuple(t.shape), expr
    np.testing.assert_allclose(
        e.numpy().astype(np.float64), t.numpy().astype(np.float64), rtol=1e-6, atol=1e-6
    )


def _resized(messages):
    return any(
        msg.startswith("An output with one or more elements was resized") for msg in messages
    )


@pytest.mark.parametrize("expr,shape,dtype", ROWS, ids=[r[0] for r in ROWS])
def test_out_matches_torch(expr, shape, dtype):
    t_out, e_out = _out(torch, shape, dtype), _out(ember, shape, dtype)
    before = e_out._data
    t_res, t_warn = _run(torch, expr, t_out)
    e_res, e_warn = _run(ember, expr, e_out)
    assert t_res is t_out
    assert e_res is e_out, f"{expr}: the result is not out"
    _same(e_out, t_out, expr)
    assert _resized(e_warn) == _resized(t_warn), (e_warn, t_warn)
    if tuple(shape) == tuple(t_out.shape):
        assert e_out._data is before, "an out of the right shape must be written in place"


def test_out_into_a_view_writes_the_base():
    for m in (torch, ember):
        base = m.zeros(2, 3)
        m.add(m.ones(3), 1, out=base[1])
        assert base.tolist() == [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]]


def test_resize_of_a_non_empty_out_warns():
    for m in (torch, ember):
        o = m.zeros(1)
        _, caught = _run(m, "m.sum(x, 0, out=o)", o)
        assert _resized(caught)
        assert "shape [1], which does not match the required output shape [3]" in caught[0]


@pytest.mark.parametrize("expr,dtypes", TUPLE_ROWS, ids=[r[0] for r in TUPLE_ROWS])
def test_tuple_out_matches_torch(expr, dtypes):
    outs = {m: tuple(_out(m, (0,), d) for d in dtypes) for m in (torch, ember)}
    t_res, _ = _run(torch, expr, outs[torch])
    e_res, _ = _run(ember, expr, outs[ember])
    assert e_res.values is outs[ember][0] and e_res.indices is outs[ember][1]
    assert t_res.values is outs[torch][0]
    for e, t in zip(outs[ember], outs[torch]):
        _same(e, t, expr)


@pytest.mark.parametrize("expr,shape,dtype", ERRORS, ids=[r[0] + " " + r[2] for r in ERRORS])
def test_out_errors_match_torch(expr, shape, dtype):
    excs = {}
    for m in (torch, ember):
        try:
            _run(m, expr, _out(m, shape, dtype))
        except Exception as exc:  # noqa: BLE001
            excs[m] = exc
    assert torch in excs, "the row is not an error in torch"
    assert ember in excs, f"ember accepted it; torch raised {excs[torch]!r}"
    assert type(excs[ember]).__name__ == type(excs[torch]).__name__, (excs[ember], excs[torch])
    assert str(excs[ember]) == str(excs[torch])


def test_out_leaves_out_out_of_the_graph():
    o = ember.zeros(0)
    with ember.no_grad():
        ember.exp(ember.ones(2, requires_grad=True), out=o)
    assert not o.requires_grad and o.grad_fn is None
    assert o.tolist() == pytest.approx([np.e, np.e])
