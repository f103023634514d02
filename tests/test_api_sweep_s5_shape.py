"""Sweep of the creation, shape and indexing functions against torch: typical and edge arguments
(keywords, negative dims, dims tuples, dtype=/out=/requires_grad=, empty and 0-d tensors, integer
and bool dtypes, non-contiguous inputs), values, dtypes, strides, grad_fn names, gradients and,
for bad arguments, torch's exception types and messages."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises

import ember

RNG = np.random.default_rng(5)
X23 = RNG.uniform(-2, 2, (2, 3)).astype(np.float32)
X34 = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)


def _t(m, a, nc=False):
    """``a`` as a tensor of module ``m``; ``nc``: a non-contiguous (transposed) view."""
    if nc:
        return m.tensor(np.ascontiguousarray(a.T)).t()
    return m.tensor(a)


def same(fn, msg: bool = True):
    """``fn(module)`` agrees in both libraries: equal results, or the same exception (and first
    message line, unless ``msg`` is false)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = fn(torch)
        except Exception:  # noqa: BLE001
            exc = check_raises(fn)
            if msg:
                t_msg = ""
                try:
                    fn(torch)
                except Exception as t_exc:  # noqa: BLE001
                    t_msg = str(t_exc).split("\n")[0]
                assert str(exc).split("\n")[0] == t_msg
            return
        got = fn(ember)
    assert_close(got, expected)
    for e, t in zip(_flat(got), _flat(expected)):
        if isinstance(t, torch.Tensor):
            assert e.requires_grad == t.requires_grad
            assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


def _flat(x):
    return [y for v in x for y in _flat(v)] if isinstance(x, (tuple, list)) else [x]


# --- factories -----------------------------------------------------------------------------------
FACTORY_CASES = {
    "zeros no size": lambda m: m.zeros(),
    "ones no size": lambda m: m.ones(),
    "empty no size": lambda m: m.empty(),
    "zeros negative": lambda m: m.zeros(-1),
    "zeros negative later": lambda m: m.zeros((2, -3)),
    "ones negative": lambda m: m.ones(2, -1),
    "zeros pin_memory": lambda m: m.zeros(2, 3, pin_memory=False),
    "ones pin_memory": lambda m: m.ones((2,), pin_memory=False),
    "ones size int": lambda m: m.ones(size=2),
    "zeros bool size": lambda m: m.zeros(True),
    "zeros None in size": lambda m: m.zeros((2, None)),
    "ones out requires grad": lambda m: m.ones(2, out=m.ones(2, requires_grad=True)),
    "arange out requires grad": lambda m: m.arange(3, out=m.ones(3, requires_grad=True)),
    "zeros_like list": lambda m: m.zeros_like([1]),
    "ones_like dtype str": lambda m: m.ones_like(m.ones(2), dtype="x"),
    "empty_like list": lambda m: m.empty_like([1.0]),
    "full_like str": lambda m: m.full_like(m.ones(2), "a"),
    "full_like None": lambda m: m.full_like(m.ones(2), None),
    "full_like 1-d fill": lambda m: m.full_like(m.ones(2), m.tensor([1.0, 2.0])),
    "full_like 0-d fill": lambda m: m.full_like(m.ones(2), m.tensor(2)),
    "full_like complex into float": lambda m: m.full_like(m.ones(2), 1 + 1j),
    "full_like overflow": lambda m: m.full_like(m.ones(2, dtype=m.uint8), 300),
    "full_like nan into int": lambda m: m.full_like(m.ones(2, dtype=m.int32), float("nan")),
    "full_like channels_last rank": lambda m: m.zeros_like(
        m.ones(2), memory_format=m.channels_last
    ),
    "full int size": lambda m: m.full(3, 1.0),
    "full 1-d tensor fill": lambda m: m.full((2,), m.tensor([3, 4])),
    "full 0-d tensor fill": lambda m: m.full((2,), m.tensor(3)),
    "full uint8 overflow": lambda m: m.full((2,), 300, dtype=m.uint8),
    "full uint8 wraps": lambda m: m.full((2,), -129, dtype=m.uint8),
    "full int8 overflow": lambda m: m.full((2,), 128, dtype=m.int8),
    "full nan into int": lambda m: m.full((2,), float("nan"), dtype=m.int32),
    "full inf into int64": lambda m: m.full((2,), float("inf"), dtype=m.int64),
    "full float32 overflow": lambda m: m.full((2,), 1e300),
    "full half overflow": lambda m: m.full((2,), 1e5, dtype=m.float16),
    "full complex into int": lambda m: m.full((2,), 1 + 1j, dtype=m.int32),
    "full dtype str": lambda m: m.full((2,), 1.5, dtype="a"),
    "full numpy scalars": lambda m: (m.full((2,), np.float32(1.5)), m.full((2,), np.int32(2))),
    "arange str": lambda m: m.arange("a"),
    "arange None": lambda m: m.arange(None),
    "arange bool value": lambda m: m.arange(True),
    "arange complex bound": lambda m: m.arange(1 + 1j),
    "arange 1-d tensor": lambda m: m.arange(m.tensor([1, 2])),
    "arange bool dtype": lambda m: m.arange(2, dtype=m.bool),
    "arange complex dtype": lambda m: m.arange(3, dtype=m.complex64),
    "arange 0-d tensors": lambda m: m.arange(m.tensor(1), m.tensor(5.0)),
    "linspace negative steps": lambda m: m.linspace(2, 5, -1),
    "logspace negative steps": lambda m: m.logspace(0, 2, -3),
    "linspace float steps": lambda m: m.linspace(0, 1, 3.0),
    "linspace no steps": lambda m: m.linspace(0, 1),
    "linspace str bound": lambda m: m.linspace(0, "a", 3),
    "linspace tensor steps": lambda m: m.linspace(0, 1, m.tensor(3)),
    "linspace float tensor steps": lambda m: m.linspace(0, 1, m.tensor(3.0)),
    "linspace bool": lambda m: m.linspace(0, 1, 4, dtype=m.bool),
    "logspace bool": lambda m: m.logspace(0, 1, 4, dtype=m.bool),
    "linspace complex bound": lambda m: m.linspace(0, 1 + 1j, 3),
    "linspace complex start": lambda m: m.linspace(1j, 1, 5),
    "linspace complex128": lambda m: m.linspace(-1 + 2j, 3.3 - 1j, 7, dtype=m.complex128),
    "linspace complex dtype": lambda m: m.linspace(-1.5, 3.3, 9, dtype=m.complex64),
    "logspace complex": lambda m: m.logspace(0, 1 + 1j, 3),
    "linspace half": lambda m: m.linspace(-1.3, 7.1, 11, dtype=m.float16),
    "linspace half long": lambda m: m.linspace(-5.5, 3.3, 100, dtype=m.float16),
    "eye float": lambda m: m.eye(2.0),
    "eye bool": lambda m: m.eye(True),
    "eye None": lambda m: m.eye(None),
    "eye float m": lambda m: m.eye(2, 3.0),
    "eye 0-d tensor": lambda m: m.eye(m.tensor(2)),
    "eye numpy int": lambda m: m.eye(np.int64(2), 3),
    "eye dtype str": lambda m: m.eye(2, dtype="x"),
    "eye negative m": lambda m: m.eye(2, -3),
    "tensor None": lambda m: m.tensor(None),
    "tensor None inside": lambda m: m.tensor([1, None]),
    "tensor dict": lambda m: m.tensor({1: 2}),
    "tensor range": lambda m: m.tensor(range(3)),
    "tensor ranges": lambda m: m.tensor([range(2), range(2)]),
    "asarray int requires grad": lambda m: m.asarray([1, 2], requires_grad=True),
    "from_numpy negative strides": lambda m: m.from_numpy(np.arange(4)[::-1]),
    "from_numpy byte order": lambda m: m.from_numpy(np.arange(4, dtype=">i4")),
}


@pytest.mark.parametrize("name", list(FACTORY_CASES))
def test_factories(name):
    same(FACTORY_CASES[name])


LIKE = ["zeros_like", "ones_like", "empty_like"]


@pytest.mark.parametrize("fn", LIKE + ["full_like"])
@pytest.mark.parametrize("layout", ["transposed", "sliced", "permuted", "expanded", "contiguous"])
def test_like_keeps_layout(fn, layout):
    def make(m):
        x = {
            "transposed": lambda: _t(m, X34, nc=True),
            "sliced": lambda: m.ones(6, 4).t()[:, ::2],
            "permuted": lambda: m.ones(2, 3, 4, 5).permute(0, 2, 3, 1),
            "expanded": lambda: m.ones(4, 1).expand(4, 3),
            "contiguous": lambda: _t(m, X34),
        }[layout]()
        args = (x, 2.5) if fn == "full_like" else (x,)
        out = getattr(m, fn)(*args, dtype=m.float64)
        fmt = getattr(m, fn)(*args, memory_format=m.contiguous_format)
        return out.stride(), fmt.stride(), out.shape, out.dtype, fmt.is_contiguous()

    t_res, e_res = make(torch), make(ember)
    assert e_res[:3] == t_res[:3] and e_res[4] == t_res[4]
    assert str(e_res[3]).split(".")[-1] == str(t_res[3]).split(".")[-1]
    if fn != "empty_like":
        x = _t(ember, X34, nc=True)
        args = (x, 2.5) if fn == "full_like" else (x,)
        tx = _t(torch, X34, nc=True)
        targs = (tx, 2.5) if fn == "full_like" else (tx,)
        assert_close(getattr(ember, fn)(*args), getattr(torch, fn)(*targs))


# --- splits and slices ---------------------------------------------------------------------------
A6 = np.arange(6, dtype=np.float32) - 2.5
E03 = np.zeros((0, 3), np.float32)
SPLIT_CASES = {
    "tensor_split sections": lambda m: m.tensor_split(_t(m, A6), 4),
    "tensor_split indices": lambda m: m.tensor_split(_t(m, A6), [1, 4]),
    "tensor_split unordered and past the end": lambda m: m.tensor_split(_t(m, A6), [4, 1, 9]),
    "tensor_split negative index": lambda m: m.tensor_split(_t(m, A6), [-2]),
    "tensor_split very negative": lambda m: m.tensor_split(_t(m, A6), [-10, 3]),
    "tensor_split no indices": lambda m: m.tensor_split(_t(m, A6), []),
    "tensor_split tensor indices": lambda m: m.tensor_split(_t(m, A6), m.tensor([1, 3])),
    "tensor_split 0-d tensor": lambda m: m.tensor_split(_t(m, A6), m.tensor(3)),
    "tensor_split float tensor": lambda m: m.tensor_split(_t(m, A6), m.tensor([1.0])),
    "tensor_split 2-d tensor": lambda m: m.tensor_split(_t(m, A6), m.tensor([[1]])),
    "tensor_split float sections": lambda m: m.tensor_split(_t(m, A6), 2.0),
    "tensor_split float index": lambda m: m.tensor_split(_t(m, A6), (1, 2.0)),
    "tensor_split both": lambda m: m.tensor_split(_t(m, A6), 2, sections=2),
    "tensor_split zero": lambda m: m.tensor_split(_t(m, A6), 0),
    "tensor_split non-contiguous": lambda m: m.tensor_split(_t(m, X34, nc=True), 3, 1),
    "tensor_split dim": lambda m: m.tensor_split(_t(m, X34), [1], dim=-1),
    "hsplit": lambda m: m.hsplit(_t(m, X34), [1, 3]),
    "vsplit": lambda m: m.vsplit(_t(m, X34), 3),
    "split negative sizes": lambda m: m.split(_t(m, A6), [7, -1]),
    "split 0-d tensor size": lambda m: m.split(_t(m, A6), m.tensor(2)),
    "split 1-d tensor sizes": lambda m: m.split(_t(m, A6), m.tensor([2, 4])),
    "split numpy int": lambda m: m.split(_t(m, A6), np.int64(2)),
    "split float": lambda m: m.split(_t(m, A6), 2.0),
    "split float in sizes": lambda m: m.split(_t(m, A6), [2, 4.0]),
    "split method float": lambda m: _t(m, A6).split(2.0),
    "split negative": lambda m: m.split(_t(m, A6), -1),
    "split_with_sizes negative": lambda m: m.split_with_sizes(_t(m, A6), [2, -4, 8]),
    "split_with_sizes method": lambda m: _t(m, A6).split_with_sizes([2, 4]),
    "chunk empty": lambda m: m.chunk(_t(m, E03), 2),
    "chunk empty dim": lambda m: m.chunk(m.zeros(3, 0), 3, 1),
    "chunk float": lambda m: _t(m, A6).chunk(2.0),
    "chunk 5 of 6": lambda m: m.chunk(_t(m, A6), 5),
    "select 0-d": lambda m: m.select(m.tensor(1.0), 0, 0),
    "select tensor index": lambda m: m.select(_t(m, A6), 0, m.tensor(1)),
    "select float index": lambda m: m.select(_t(m, A6), 0, 1.0),
    "narrow float start": lambda m: m.narrow(_t(m, A6), 0, 1.5, 2),
    "narrow 1-d tensor start": lambda m: m.narrow(_t(m, A6), 0, m.tensor([1]), 2),
    "narrow float tensor start": lambda m: m.narrow(_t(m, A6), 0, m.tensor(1.0), 2),
    "narrow tensor start": lambda m: m.narrow(_t(m, A6), 0, m.tensor(1), 2),
    "narrow float length": lambda m: m.narrow(_t(m, A6), 0, 1, 2.0),
}


@pytest.mark.parametrize("name", list(SPLIT_CASES))
def test_splits(name):
    same(SPLIT_CASES[name])


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.tensor_split(x, [1, -1], dim=1),
        lambda m, x: m.tensor_split(x, 3, dim=0),
        lambda m, x: m.hsplit(x, 2),
        lambda m, x: m.split(x, [1, 3], dim=-1),
        lambda m, x: x.chunk(3, 1),
        lambda m, x: (m.select(x, 1, -1), m.narrow(x, -1, m.tensor(1), 2)),
    ],
)
def test_split_gradients(fn):
    out = check_op(fn, [(3, 4)])
    t_out = fn(torch, torch.tensor(X34, requires_grad=True))
    for e, t in zip(_flat(out), _flat(t_out)):
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


# --- shape functions -----------------------------------------------------------------------------
V3 = np.array([0.5, -1.25, 2.0], np.float32)
S0 = np.array(1.5, np.float32)
X131 = RNG.uniform(-2, 2, (1, 3, 1)).astype(np.float32)
SHAPE_CASES = {
    "atleast_1d several": lambda m: m.atleast_1d(_t(m, S0), _t(m, V3)),
    "atleast_1d list": lambda m: m.atleast_1d([_t(m, S0), _t(m, V3)]),
    "atleast_1d one in tuple": lambda m: m.atleast_1d((_t(m, S0),)),
    "atleast_1d none": lambda m: m.atleast_1d(),
    "atleast_1d number": lambda m: m.atleast_1d(3),
    "atleast_2d several": lambda m: m.atleast_2d(_t(m, X23), _t(m, S0), _t(m, V3)),
    "atleast_2d number": lambda m: m.atleast_2d(3),
    "atleast_3d list": lambda m: m.atleast_3d([_t(m, X23), _t(m, V3), _t(m, S0)]),
    "atleast_3d number": lambda m: m.atleast_3d(3),
    "atleast_3d list with number": lambda m: m.atleast_3d([_t(m, V3), 3]),
    "hstack scalars": lambda m: m.hstack([_t(m, S0), _t(m, S0)]),
    "hstack empty": lambda m: m.hstack([]),
    "vstack empty": lambda m: m.vstack([]),
    "row_stack empty": lambda m: m.row_stack([]),
    "column_stack empty": lambda m: m.column_stack([]),
    "dstack empty": lambda m: m.dstack([]),
    "hstack tensor": lambda m: m.hstack(_t(m, X23)),
    "vstack tensor": lambda m: m.vstack(_t(m, X23)),
    "row_stack tensor": lambda m: m.row_stack(_t(m, X23)),
    "column_stack tensor": lambda m: m.column_stack(_t(m, X23)),
    "dstack tensor": lambda m: m.dstack(_t(m, X23)),
    "dstack mixed": lambda m: m.dstack((_t(m, V3), _t(m, V3[None]))),
    "broadcast_to int": lambda m: m.broadcast_to(_t(m, V3), 3),
    "broadcast_to float": lambda m: m.broadcast_to(_t(m, V3), (3.0,)),
    "broadcast_tensors list": lambda m: m.broadcast_tensors([_t(m, V3)]),
    "broadcast_tensors number": lambda m: m.broadcast_tensors(_t(m, V3), 3),
    "squeeze repeated dims": lambda m: m.squeeze(_t(m, X131), (0, 0)),
    "squeeze dims out of range": lambda m: m.squeeze(_t(m, X23), (0, 2)),
    "squeeze float dim": lambda m: m.squeeze(_t(m, X23), 1.0),
    "squeeze float in dims": lambda m: m.squeeze(_t(m, X23), (0.5,)),
    "squeeze no dims": lambda m: m.squeeze(_t(m, X131), ()),
    "squeeze dims": lambda m: m.squeeze(_t(m, X131), (-1, 0, 1)),
    "squeeze method dims": lambda m: _t(m, X131).squeeze(0, 2),
    "unsqueeze tuple": lambda m: m.unsqueeze(_t(m, X23), (0,)),
    "unsqueeze float": lambda m: m.unsqueeze(_t(m, X23), 1.0),
    "flip int": lambda m: m.flip(_t(m, X23), 0),
    "flip float dim": lambda m: m.flip(_t(m, X23), (0.0,)),
    "flip method": lambda m: _t(m, X23).flip(0),
    "flip method repeated": lambda m: _t(m, X23).flip(0, 0),
    "flip method list": lambda m: _t(m, X23).flip([1]),
    "flip method none": lambda m: _t(m, X23).flip(),
    "fliplr vector": lambda m: m.fliplr(_t(m, V3)),
    "flipud scalar": lambda m: m.flipud(_t(m, S0)),
    "rot90 float k": lambda m: m.rot90(_t(m, X23), 1.0),
    "rot90 int dims": lambda m: m.rot90(_t(m, X23), 1, 0),
    "roll shifts without dims": lambda m: m.roll(_t(m, X23), (1, 2)),
    "roll one shift in tuple": lambda m: m.roll(_t(m, X23), (1,)),
    "roll tensor shift": lambda m: m.roll(_t(m, X23), m.tensor(1), 0),
    "roll float shift": lambda m: m.roll(_t(m, X23), 1.5),
    "roll float dims": lambda m: m.roll(_t(m, X23), [1], 0.5),
    "roll no shifts": lambda m: m.roll(_t(m, X23), []),
    "roll no dims": lambda m: m.roll(_t(m, X23), 1, []),
    "roll repeated dims": lambda m: m.roll(_t(m, X23), 1, (0, 0)),
    "tile int": lambda m: m.tile(_t(m, V3), 2),
    "tile float": lambda m: m.tile(_t(m, V3), [2.0]),
    "tile method separate": lambda m: _t(m, X23).tile(2, 2),
    "tile method int": lambda m: _t(m, X23).tile(2),
    "tile method list": lambda m: _t(m, X23).tile([2]),
    "tile method dims int": lambda m: _t(m, X23).tile(dims=2),
    "tile method dims": lambda m: _t(m, X23).tile(dims=(1, 2)),
    "unflatten 0-d": lambda m: m.unflatten(_t(m, S0), 0, (1,)),
    "unflatten int sizes": lambda m: m.unflatten(_t(m, X23), 0, 2),
    "unflatten two inferred": lambda m: m.unflatten(_t(m, X23), 1, (-1, -1)),
    "unflatten bad product": lambda m: m.unflatten(_t(m, X23), 1, (3, 0)),
    "repeat_interleave counts": lambda m: m.repeat_interleave(m.tensor([1, 2, 0, 3])),
    "repeat_interleave counts keyword": lambda m: m.repeat_interleave(repeats=m.tensor([2, 1])),
    "repeat_interleave int32 counts": lambda m: m.repeat_interleave(
        m.tensor([1, 2], dtype=m.int32)
    ),
    "repeat_interleave counts 2-d": lambda m: m.repeat_interleave(m.tensor([[1, 2]])),
    "repeat_interleave counts 0-d": lambda m: m.repeat_interleave(m.tensor(2)),
    "repeat_interleave float counts": lambda m: m.repeat_interleave(m.tensor([1.0, 2.0])),
    "repeat_interleave negative counts": lambda m: m.repeat_interleave(m.tensor([-1, 2])),
    "repeat_interleave counts output_size": lambda m: m.repeat_interleave(
        m.tensor([1, 2]), output_size=3
    ),
    "repeat_interleave counts bad output_size": lambda m: m.repeat_interleave(
        m.tensor([1, 2]), output_size=4
    ),
    "repeat_interleave tensor bad output_size": lambda m: m.repeat_interleave(
        _t(m, X23), m.tensor([1, 2]), dim=0, output_size=5
    ),
    "repeat_interleave int bad output_size": lambda m: m.repeat_interleave(
        _t(m, X23), 2, dim=0, output_size=5
    ),
    "repeat_interleave one count": lambda m: m.repeat_interleave(_t(m, X23), m.tensor([2]), 1),
    "repeat_interleave short counts": lambda m: m.repeat_interleave(
        _t(m, X23), m.tensor([1, 2], dtype=m.int16), 0
    ),
    "repeat_interleave float repeats": lambda m: m.repeat_interleave(_t(m, X23), 2.0),
    "repeat_interleave bad dim": lambda m: m.repeat_interleave(_t(m, X23), 2, 2),
    "repeat_interleave wrong count length": lambda m: m.repeat_interleave(
        _t(m, X23), m.tensor([1, 2])
    ),
}


@pytest.mark.parametrize("name", list(SHAPE_CASES))
def test_shape_functions(name):
    same(SHAPE_CASES[name])


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.atleast_2d(x[0]),
        lambda m, x: m.atleast_3d(x[0]),
        lambda m, x: m.atleast_3d(x),
        lambda m, x: m.dstack([x[0], x[1]]),
        lambda m, x: m.hstack([x[0, 0], x[1, 1]]),
        lambda m, x: m.column_stack([x[0], x[1]]),
        lambda m, x: m.row_stack([x[0], x]),
        lambda m, x: m.repeat_interleave(x, 2),
        lambda m, x: m.repeat_interleave(x, 3, dim=-1),
        lambda m, x: m.repeat_interleave(x[0, 0], 2),
        lambda m, x: m.repeat_interleave(x, m.tensor([2, 0]), dim=0),
        lambda m, x: m.repeat_interleave(x, m.tensor([3]), dim=1, output_size=9),
        lambda m, x: m.combinations(x[0], 2),
        lambda m, x: m.combinations(x[1], r=3, with_replacement=True),
        lambda m, x: m.squeeze(x.unsqueeze(0).unsqueeze(-1), (0, -1)),
        lambda m, x: m.roll(x.t(), (1, -2), (0, 1)),
        lambda m, x: x.t().tile(2, 1, 1),
        lambda m, x: m.unflatten(x.t(), 0, (3, 1)),
    ],
)
def test_shape_gradients(fn):
    out = check_op(fn, [(2, 3)])
    t_out = fn(torch, torch.tensor(X23, requires_grad=True))
    for e, t in zip(_flat(out), _flat(t_out)):
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


# --- index_put -----------------------------------------------------------------------------------
def _i(m, v):
    return m.tensor(v)


INDEX_PUT_CASES = {
    "number values": lambda m: m.index_put(_t(m, X34), (_i(m, [0]),), 1.0),
    "tensor indices": lambda m: m.index_put(_t(m, X34), _i(m, [0]), m.tensor(1.0)),
    "float in indices": lambda m: m.index_put(_t(m, X34), [0.5], m.tensor(1.0)),
    "list in indices": lambda m: m.index_put(_t(m, X34), ([0],), m.tensor(1.0)),
    "None in indices": lambda m: m.index_put(_t(m, X34), (None, _i(m, [1])), m.ones(3)),
    "long values into float": lambda m: m.index_put(_t(m, X34), (_i(m, [0]),), m.tensor(1)),
    "double values into float": lambda m: m.index_put(
        _t(m, X34), (_i(m, [0]),), m.ones(4, dtype=m.float64)
    ),
    "method double values": lambda m: _t(m, X34).index_put((_i(m, [0]),), m.ones(4).double()),
    "in-place double values": lambda m: _t(m, X34).index_put_((_i(m, [0]),), m.ones(4).double()),
    "too many indices": lambda m: m.index_put(
        _t(m, X34), (_i(m, [0]), _i(m, [0]), _i(m, [0])), m.tensor(1.0)
    ),
    "too many for 0-d": lambda m: m.index_put(m.tensor(1.0), (m.tensor(True),), m.tensor(2.0)),
    "values too wide": lambda m: m.index_put(_t(m, X34), (_i(m, [0]),), m.ones(2, 4)),
    "values shape": lambda m: m.index_put(_t(m, X34), (_i(m, [1]),), m.ones(3)),
    "values 2-d index": lambda m: m.index_put(_t(m, X34), (_i(m, [[0]]),), m.ones(3)),
    "values leading ones": lambda m: m.index_put(_t(m, X34), (_i(m, [0, 1]),), m.ones(1, 2, 4)),
    "float index": lambda m: m.index_put(_t(m, X34), (_i(m, [0.0]),), m.ones(4)),
    "out of range": lambda m: m.index_put(_t(m, X34), (_i(m, [5]),), m.ones(4)),
    "int accumulate": lambda m: m.index_put(_t(m, X34), (_i(m, [0]),), m.ones(4), accumulate=1),
    "0-d index": lambda m: m.index_put(_t(m, X34), (m.tensor(0),), m.ones(4)),
    "int32 index": lambda m: m.index_put(_t(m, X34), (_i(m, np.array([2], np.int32)),), m.ones(4)),
    "bool mask": lambda m: m.index_put(_t(m, X34), (_i(m, [True, False, True]),), m.ones(4)),
    "mask shape": lambda m: m.index_put(_t(m, X34), (_i(m, [True, False]),), m.ones(4)),
    "select_scatter": lambda m: m.select_scatter(_t(m, X34), m.ones(4), 0, 0),
    "slice_scatter": lambda m: m.slice_scatter(_t(m, X34), m.ones(1, 4), 0, 0, 1),
    "index_copy 0-d": lambda m: m.index_copy(m.tensor(1.0), 0, m.tensor([0]), m.tensor(2.0)),
    "accumulate repeats": lambda m: m.index_put(
        _t(m, X34), (_i(m, [0, 0, 2]), _i(m, [1, 1, 3])), m.tensor([1.0, 2.0, 3.0]), True
    ),
}


@pytest.mark.parametrize("name", list(INDEX_PUT_CASES))
def test_index_put(name):
    same(INDEX_PUT_CASES[name])


@pytest.mark.parametrize(
    "key, value",
    [
        (lambda m: ([0, 2],), np.float64(2.5)),
        (lambda m: (m.tensor([0, 2]),), np.ones(4, np.float64)),
        (lambda m: (m.tensor(X34 > 0),), 7),
        (lambda m: (Ellipsis, m.tensor([1, 3])), np.ones((3, 1), np.float64)),
        (lambda m: (slice(None), [0]), np.array([[1], [2], [3]], np.int64)),
        (lambda m: (m.tensor(1),), np.ones(4, np.float64)),
        (lambda m: (0,), np.ones(4, np.float64)),
    ],
)
def test_setitem_dtypes(key, value):
    # ``t[key] = v`` casts a number or a tensor for basic keys, but not for tensor indices
    def run(m):
        x = _t(m, X34).clone()
        v = m.tensor(value) if isinstance(value, np.ndarray) else value
        x[key(m)] = v
        return x

    same(run)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_gradients(accumulate):
    check_op(
        lambda m, x, v: (
            m.index_put(x, (m.tensor([2, 0, 2]), m.tensor([1, 3, 1])), v, accumulate)
            if accumulate
            else m.index_put(x, (m.tensor([2, 0]), m.tensor([1, 3])), v[:2])
        ),
        [(3, 4), (3,)],
    )


# --- in-place reshaping, dtype views, and the rest ------------------------------------------------
X234 = RNG.uniform(-2, 2, (2, 3, 4)).astype(np.float32)
MORE_CASES = {
    "t_ 3-d": lambda m: _t(m, X234).t_(),
    "unsqueeze_ tuple": lambda m: _t(m, X23).unsqueeze_((0,)),
    "unsqueeze_ float": lambda m: _t(m, X23).unsqueeze_(0.5),
    "squeeze_ float": lambda m: _t(m, X23).squeeze_(1.0),
    "squeeze_ separate dims": lambda m: _t(m, X131).squeeze_(0, 2),
    "squeeze_ repeated dims": lambda m: _t(m, X131).squeeze_((0, 0)),
    "transpose_ out of range": lambda m: _t(m, X23).transpose_(0, 2),
    "resize_ negative": lambda m: _t(m, X23).resize_(-1),
    "resize_ negative later": lambda m: _t(m, X23).resize_(3, -1),
    "view dtype empty rows": lambda m: m.zeros(0, 4).view(m.float64),
    "view dtype empty columns": lambda m: m.zeros(4, 0).view(m.float64),
    "view dtype sliced": lambda m: m.zeros(3, 4)[:, :2].view(m.float64),
    "view dtype odd row stride": lambda m: m.zeros(3, 5)[:, :2].view(m.float64),
    "view dtype strided rows": lambda m: m.zeros(3, 4)[::3].view(m.float64).stride(),
    "view dtype 3-d slice": lambda m: m.zeros(2, 3, 4)[:, 1:2].view(m.float64).stride(),
    "view dtype transposed": lambda m: m.zeros(3, 4).t().view(m.int8),
    "view dtype step": lambda m: m.zeros(3, 4).view(m.int16)[:, ::2].view(m.float32),
    "movedim float": lambda m: m.movedim(_t(m, X23), 0.0, 1),
    "movedim list and int": lambda m: m.movedim(_t(m, X23), [0], 1),
    "movedim repeated destination": lambda m: m.movedim(_t(m, X234), (0, 1), (1, 1)),
    "narrow_copy out": lambda m: m.narrow_copy(_t(m, X34), 0, 1, 1, out=m.zeros(2)),
    "narrow_copy out dtype": lambda m: m.narrow_copy(
        _t(m, X34), 0, 1, 1, out=m.zeros(1, dtype=m.float64)
    ),
    "tril_indices float row": lambda m: m.tril_indices(3.0, 4),
    "triu_indices float col": lambda m: m.triu_indices(3, 4.0),
    "tril_indices float offset": lambda m: m.tril_indices(3, 4, 1.0),
    "triu_indices negative row": lambda m: m.triu_indices(-3, 4),
}


@pytest.mark.parametrize("name", list(MORE_CASES))
def test_more(name):
    same(MORE_CASES[name])


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.ravel(x.t()),
        lambda m, x: x.t().ravel(),
        lambda m, x: m.movedim(x, (0, 1), (1, 0)),
        lambda m, x: m.narrow_copy(x, 1, 1, 2),
    ],
)
def test_more_gradients(fn):
    out = check_op(fn, [(2, 3)])
    t_out = fn(torch, torch.tensor(X23, requires_grad=True))
    chain = [type(out.grad_fn).__name__, type(t_out.grad_fn).__name__]
    if chain[1] != "NarrowCopyBackward0":  # Ember records narrow + clone (no fused node)
        assert chain[0] == chain[1]
    nxt = [type(f).__name__ for f, _ in t_out.grad_fn.next_functions]
    if nxt == ["CloneBackward0"]:  # ravel of a non-contiguous tensor copies, then views
        assert [type(f).__name__ for f, _ in out.grad_fn.next_functions] == nxt


def test_inplace_reshape_keeps_node_names():
    for m in (ember, torch):
        x = m.tensor(X131, requires_grad=True) * 1
        x.squeeze_(0, 2)
        y = m.tensor(X23, requires_grad=True) * 1
        y.t_()
        assert [type(x.grad_fn).__name__, type(y.grad_fn).__name__] == [
            "SqueezeBackward5",
            "TBackward1",
        ]


NZ = np.array([[0, 1, 2], [3, 0, 0]], np.int64)
NONZERO_STATIC_CASES = {
    "cut": lambda m: m.nonzero_static(m.tensor(NZ), size=2),
    "padded": lambda m: m.nonzero_static(m.tensor(NZ), size=5),
    "fill_value": lambda m: m.nonzero_static(m.tensor(NZ), size=5, fill_value=9),
    "method, none": lambda m: m.tensor(NZ).nonzero_static(size=0),
    "negative size": lambda m: m.nonzero_static(m.tensor(NZ), size=-1),
    "0-d": lambda m: m.nonzero_static(m.tensor(3), size=2),
    "0-d zero": lambda m: m.nonzero_static(m.tensor(0.0), size=2),
    "positional size": lambda m: m.nonzero_static(m.tensor(NZ), 2),
    "float size": lambda m: m.nonzero_static(m.tensor(NZ), size=2.0),
    "float fill": lambda m: m.nonzero_static(m.tensor(NZ), size=3, fill_value=1.5),
    "empty": lambda m: m.nonzero_static(m.zeros(0, 3), size=2),
    "bool": lambda m: m.nonzero_static(m.tensor([True, False, True]), size=1),
    "requires grad": lambda m: m.nonzero_static(m.tensor([1.0, 0.0], requires_grad=True), size=3),
    "out float": lambda m: m.nonzero_static(m.tensor(NZ), size=2, out=m.zeros(1)),
    "out": lambda m: m.nonzero_static(m.tensor(NZ), size=2, out=m.zeros(1, dtype=m.int64)),
}


@pytest.mark.parametrize("name", list(NONZERO_STATIC_CASES))
def test_nonzero_static(name):
    same(NONZERO_STATIC_CASES[name], msg=name != "positional size")


XI23 = np.array([[1, -2, 3], [0, 5, -6]], np.int64)
JOIN_CASES = {
    "stack float and long": lambda m: m.stack([_t(m, X23), m.tensor(XI23)]),
    "stack bool and byte": lambda m: m.stack([m.tensor(XI23 > 0), m.tensor(XI23 > 1).byte()]),
    "stack int and double": lambda m: m.stack([m.tensor(XI23), _t(m, X23).double()], 1),
    "stack out": lambda m: m.stack([_t(m, X23), m.tensor(XI23)], out=m.zeros(1, dtype=m.float64)),
    "cat mixed": lambda m: m.cat([_t(m, X23), m.tensor(XI23), m.tensor(XI23 > 0)]),
    "unbind 0-d": lambda m: m.unbind(m.tensor(1.0)),
    "unbind out of range": lambda m: m.unbind(_t(m, X23), 2),
}


@pytest.mark.parametrize("name", list(JOIN_CASES))
def test_joins(name):
    same(JOIN_CASES[name])


def test_stack_promotes_with_gradients():
    def fn(m, x, y):
        return m.stack([x, y.double(), m.tensor(XI23)], -1)

    check_op(fn, [(2, 3), (2, 3)])


# --- tensor[key] and tensor[key] = value ---------------------------------------------------------
def _set(key, value, leaf=False):
    def fn(m):
        x = m.tensor(X234, requires_grad=True) if leaf else m.tensor(X234)
        v = value(m) if callable(value) else value
        x[key(m)] = v
        return x

    return fn


SETITEM_CASES = {
    "int out of range": _set(lambda m: 5, 2.5),
    "negative out of range": _set(lambda m: (0, -4), 2.5),
    "bad value shape": _set(lambda m: (0, 0), lambda m: m.tensor([1.0, 2.0, 3.0])),
    "bad value shape 2-d": _set(lambda m: 0, lambda m: m.ones(2, 4)),
    "leaf int": _set(lambda m: 0, 1.0, leaf=True),
    "leaf None": _set(lambda m: None, 1.0, leaf=True),
    "leaf 0-d tensor": _set(lambda m: m.tensor(1), 1.0, leaf=True),
    "leaf slice": _set(lambda m: slice(1, None), 1.0, leaf=True),
    "leaf ellipsis": _set(lambda m: ..., 1.0, leaf=True),
    "leaf empty tuple": _set(lambda m: (), 1.0, leaf=True),
    "leaf tensor": _set(lambda m: m.tensor([0]), 1.0, leaf=True),
    "leaf list": _set(lambda m: [0, 1], 1.0, leaf=True),
    "leaf slice and list": _set(lambda m: (slice(None), [0]), 1.0, leaf=True),
    "0-d tensor index, double value": _set(lambda m: m.tensor(1), lambda m: m.ones(3, 4).double()),
}


@pytest.mark.parametrize("name", list(SETITEM_CASES))
def test_setitem(name):
    same(SETITEM_CASES[name])


@pytest.mark.parametrize(
    "key",
    [
        lambda m: m.tensor(1),
        lambda m: m.tensor(-1, dtype=m.int32),
        lambda m: (m.tensor(1), slice(1, None)),
        lambda m: (slice(None), m.tensor(2)),
        lambda m: (m.tensor(1), m.tensor([0, 2])),
        lambda m: m.tensor(1, dtype=m.uint8),
        lambda m: m.tensor(True),
    ],
)
def test_getitem_0d_tensor_index(key):
    out = check_op(lambda m, x: x[key(m)], [(2, 3, 4)])
    t_out = torch.tensor(X234, requires_grad=True)[key(torch)]
    assert type(out.grad_fn).__name__ == type(t_out.grad_fn).__name__


DTYPE_CASES = {
    "result_type one argument": lambda m: m.result_type(m.ones(2)),
    "result_type str": lambda m: m.result_type("a", 1),
    "result_type None": lambda m: m.result_type(m.ones(2), None),
    "result_type keywords": lambda m: m.result_type(tensor=m.ones(2), other=2),
    "is_signed number": lambda m: m.is_signed(1),
    "is_signed": lambda m: [m.is_signed(m.ones(1, dtype=d)) for d in (m.uint8, m.int8, m.bool)],
}


@pytest.mark.parametrize("name", list(DTYPE_CASES))
def test_dtype_functions(name):
    got, expected = None, None
    try:
        expected = DTYPE_CASES[name](torch)
    except TypeError:
        same(DTYPE_CASES[name])
        return
    got = DTYPE_CASES[name](ember)
    assert str(got).replace("ember", "torch") == str(expected)


MORE_FACTORY_CASES = {
    "range no end": lambda m: m.range(3),
    "range bool": lambda m: m.range(0, 1, dtype=m.bool),
    "range complex": lambda m: m.range(0, 1, dtype=m.complex64),
    "range": lambda m: m.range(0, 1, 0.25, dtype=m.float64),
    "scalar_tensor str": lambda m: m.scalar_tensor("a"),
    "scalar_tensor None": lambda m: m.scalar_tensor(None),
    "scalar_tensor complex": lambda m: m.scalar_tensor(1 + 1j),
    "scalar_tensor 0-d tensor": lambda m: m.scalar_tensor(m.tensor(2)),
    "scalar_tensor 1-d tensor": lambda m: m.scalar_tensor(m.tensor([2.0])),
    "scalar_tensor overflow": lambda m: m.scalar_tensor(300, dtype=m.uint8),
    "scalar_tensor bool int": lambda m: m.scalar_tensor(True, dtype=m.int32),
    "scalar_tensor numpy": lambda m: m.scalar_tensor(np.float32(2)),
    "tensor inf into int64": lambda m: m.tensor([float("inf")], dtype=m.int64),
    "tensor inf into int32": lambda m: m.tensor([1, float("inf")], dtype=m.int32),
    "tensor nan into int": lambda m: m.tensor(float("nan"), dtype=m.int32),
    "tensor complex into float": lambda m: m.tensor([1 + 1j], dtype=m.float32),
    "tensor complex into int": lambda m: m.tensor([1 + 1j, 2], dtype=m.int64),
    "tensor bool and complex": lambda m: m.tensor([True, 1 + 2j]),
    "tensor bytes": lambda m: m.tensor(b"ab"),
    "tensor bytearray": lambda m: m.tensor(bytearray(b"ab")),
    "tensor dtype str": lambda m: m.tensor([1], dtype="float32"),
    "asarray bytearray": lambda m: m.asarray(bytearray(8)),
    "asarray bytearray uint8": lambda m: m.asarray(bytearray(b"\x01\x02"), dtype=m.uint8),
    "asarray bytes uint8": lambda m: m.asarray(b"\x01\x02", dtype=m.uint8),
    "asarray memoryview copy": lambda m: m.asarray(
        memoryview(bytearray(4)), dtype=m.int8, copy=True
    ),
    "asarray bad buffer": lambda m: m.asarray(bytearray(b"\x01\x02")),
}


@pytest.mark.parametrize("name", list(MORE_FACTORY_CASES))
def test_more_factories(name):
    same(MORE_FACTORY_CASES[name])


def test_asarray_shares_a_buffer():
    for m in (ember, torch):
        buf = bytearray(4)
        m.asarray(buf, dtype=m.uint8)[1] = 7
        assert buf[1] == 7
        m.asarray(buf, dtype=m.uint8, copy=True)[2] = 9
        assert buf[2] == 0


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.split(x, 2, 1),
        lambda m, x: m.chunk(x, 2, 1),
        lambda m, x: m.tensor_split(x, 3, 1),
        lambda m, x: m.unbind(x.t(), 1),
        lambda m, x: m.dstack([x, x]),
        lambda m, x: m.repeat_interleave(x, 2, 0),
    ],
)
def test_empty_dim_gradients(fn):
    out = check_op(fn, [(3, 0)])
    t_out = fn(torch, torch.zeros(3, 0, requires_grad=True))
    for e, t in zip(_flat(out), _flat(t_out)):
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


EDGE_CASES = {
    "roll 0-d with dims": lambda m: m.roll(m.tensor(1.0), 1, 0),
    "roll 0-d": lambda m: m.roll(m.tensor(1.0), 1),
    "unfold float size": lambda m: _t(m, X34).unfold(0, 1.0, 1),
    "unfold float step": lambda m: _t(m, X34).unfold(0, 1, 1.5),
    "unfold negative size": lambda m: _t(m, X34).unfold(0, -1, 1),
    "unfold zero step": lambda m: _t(m, X34).unfold(0, 1, 0),
    "numpy ints": lambda m: (
        m.movedim(_t(m, X34), np.int64(0), np.int64(1)),
        m.select(_t(m, X34), np.int64(0), np.int64(1)),
        m.narrow(_t(m, X34), np.int64(0), np.int64(1), np.int64(1)),
        m.chunk(_t(m, X34), np.int64(2)),
        m.tensor_split(_t(m, X34), [np.int64(1)]),
        m.split(_t(m, X34), [np.int64(1), 2]),
        m.repeat_interleave(_t(m, X34), np.int64(2)),
        m.unflatten(_t(m, X34), np.int64(1), (np.int64(2), 2)),
        m.flip(_t(m, X34), (np.int64(1),)),
        m.roll(_t(m, X34), np.int64(1), np.int64(0)),
        m.tile(_t(m, X34), (np.int64(2),)),
        m.eye(np.int64(2), np.int32(3)),
        m.zeros((np.int32(2), 3)),
    ),
    "setitem None and list": lambda m: _set(lambda m: (None, [0, 1]), 2.0)(m),
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edges(name):
    same(EDGE_CASES[name])


ARRANGE_CASES = {
    "block_diag list": lambda m: m.block_diag([_t(m, X23)]),
    "block_diag number": lambda m: m.block_diag(_t(m, X23), 3),
    "cartesian_prod list": lambda m: m.cartesian_prod([_t(m, V3), _t(m, V3)]),
    "meshgrid number": lambda m: m.meshgrid(_t(m, V3), 3, indexing="ij"),
    "meshgrid list": lambda m: m.meshgrid([_t(m, V3), _t(m, V3[:2])], indexing="xy"),
    "combinations float r": lambda m: m.combinations(_t(m, V3), 2.0),
    "diag_embed float offset": lambda m: m.diag_embed(_t(m, V3), 1.0),
    "diag_embed float dim": lambda m: m.diag_embed(_t(m, X23), 0, 0.0, 1),
    "diagflat float offset": lambda m: m.diagflat(_t(m, V3), 1.5),
    "vander float N": lambda m: m.vander(_t(m, V3), 2.0),
    "hsplit float": lambda m: m.hsplit(_t(m, X23), 1.0),
    "hsplit tensor": lambda m: m.hsplit(_t(m, X23), m.tensor([1])),
    "vsplit 1-d": lambda m: m.vsplit(_t(m, V3), 1),
    "dsplit 2-d": lambda m: m.dsplit(_t(m, X23), 1),
}


@pytest.mark.parametrize("name", list(ARRANGE_CASES))
def test_arrange(name):
    same(ARRANGE_CASES[name])
