"""Parity with torch for its "limited support" unsigned dtypes uint16, uint32 and uint64:
creation, casts, printing, indexing, joining, limits, promotion (and its refusals), collation,
and from_numpy's / promote_types' errors."""

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close

import ember
from ember.utils.data import default_collate, default_convert

UINTS = ["uint16", "uint32", "uint64"]


def _outcome(m, fn):
    """``fn(m)``'s result, or its exception as (type, message)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(m)
    except Exception as ex:  # noqa: BLE001
        return (type(ex), str(ex).replace("ember.", "torch."))


def _norm(v):
    """A library-neutral form of a result: tensors as (shape, dtype name, values), sequences
    item by item, anything else by its repr with the module name made torch's."""
    if isinstance(v, (ember.Tensor, torch.Tensor)):
        return ("tensor", tuple(v.shape), str(v.dtype).split(".")[-1], v.tolist())
    if isinstance(v, (list, tuple)) and not isinstance(v, (ember.Size, torch.Size)):
        return [_norm(x) for x in v]
    return repr(v).replace("ember.", "torch.")


def _same(fn):
    """``fn`` gives the same in both libraries: equal tensors (values, shape, dtype), equal
    dtypes and other values, or the same exception type and message."""
    e, t = _outcome(ember, fn), _outcome(torch, fn)
    if isinstance(t, tuple) and t and isinstance(t[0], type) and issubclass(t[0], Exception):
        assert e == t, f"ember gave {e!r}; torch raised {t!r}"
        return
    assert not (isinstance(e, tuple) and e and isinstance(e[0], type)), f"ember raised {e}"
    if isinstance(t, torch.Tensor):
        assert_close(e, t)
    assert _norm(e) == _norm(t), f"{e!r} vs {t!r}"


def _dt(m, name):
    return getattr(m, name)


# --- creation
@pytest.mark.parametrize("name", ["uint8", *UINTS])  # uint8 shares the unsigned rules
@pytest.mark.parametrize(
    "data",
    [
        [1, 2, 3],
        [[1, 2], [3, 4]],
        7,
        [True, 2],
        [],
        [-1],
        [-255, 3],
        [-256],
        [255.0, 0.5],
        [255.5],
        [-65535],
        [-65536],
        [-(2**32) + 1],
        [-(2**32)],
        [2**15 + 1],
        [2**40],
        [2**63],
        [2**64 - 1],
        [2**64],
        [1.7],
        [-0.5],
        [-1.5],
        [65535.5],
        [65536.0],
        [float("nan")],
        [float("inf")],
        [1.5, -1],
        [-1, 1.5],
        [2**64, 1.5],
        [[1, 2], [3, -1]],
        [2 + 0j],
    ],
)
def test_tensor_from_python_numbers(name, data):
    _same(lambda m: m.tensor(data, dtype=_dt(m, name)))


@pytest.mark.parametrize("name", UINTS)
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, n, d: m.tensor(np.dtype(n).type(5)),
        lambda m, n, d: m.tensor([np.dtype(n).type(5)]),
        lambda m, n, d: m.tensor(np.dtype(n).type(5), dtype=d),
        lambda m, n, d: m.tensor([np.int64(3)], dtype=d),
        lambda m, n, d: m.tensor([m.tensor(3)], dtype=d),
        lambda m, n, d: m.tensor([np.dtype(n).type(5), 1]),
        lambda m, n, d: m.tensor([np.dtype(n).type(5), 1.5]),
        lambda m, n, d: m.as_tensor(np.dtype(n).type(5)),
        lambda m, n, d: m.tensor(np.array([1, 2**15 + 1], dtype=n)),
        lambda m, n, d: m.tensor(np.array(4, dtype=n)),
        lambda m, n, d: m.tensor(np.array([1, 2], dtype=n), dtype=m.float32),
        lambda m, n, d: m.tensor(np.array([-1, 2]), dtype=d),
        lambda m, n, d: m.from_numpy(np.array([[1, 2]], dtype=n)),
        lambda m, n, d: m.as_tensor(np.array([1, 2], dtype=n)),
        lambda m, n, d: m.as_tensor([1, 2], dtype=d),
        lambda m, n, d: m.asarray(np.array([1, 2], dtype=n)),
    ],
)
def test_tensor_from_numpy(name, fn):
    _same(lambda m: fn(m, name, _dt(m, name)))


def test_from_numpy_shares_memory():
    a = np.array([1, 2, 3], dtype=np.uint16)
    x = ember.from_numpy(a)
    a[0] = 9
    assert x.dtype == ember.uint16 and x.tolist() == [9, 2, 3]


@pytest.mark.parametrize("name", UINTS)
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, d: m.zeros(2, 3, dtype=d),
        lambda m, d: m.ones(2, dtype=d),
        lambda m, d: (m.empty(2, dtype=d).shape, m.empty(2, dtype=d).dtype),
        lambda m, d: m.full((2,), 7, dtype=d),
        lambda m, d: m.full((2,), -1, dtype=d),
        lambda m, d: m.full((2,), 2.5, dtype=d),
        lambda m, d: m.zeros_like(m.tensor([1, 2], dtype=d)),
        lambda m, d: m.ones_like(m.tensor([1, 2], dtype=d)),
        lambda m, d: m.full_like(m.tensor([1, 2], dtype=d), 3),
        lambda m, d: m.ones_like(m.tensor([1, 2], dtype=d), dtype=m.float32),
        lambda m, d: m.scalar_tensor(3, dtype=d),
        lambda m, d: m.tensor([1, 2], dtype=d).new_zeros(2),
        lambda m, d: m.tensor([1, 2], dtype=d).new_ones(2),
        lambda m, d: m.tensor([1, 2], dtype=d).new_full((2,), 3),
        lambda m, d: m.tensor([1, 2], dtype=d).new_tensor([-1]),
        lambda m, d: m.arange(3, dtype=d),
        lambda m, d: m.range(0, 3, dtype=d),
        lambda m, d: m.linspace(0, 4, 3, dtype=d),
        lambda m, d: m.logspace(0, 4, 3, dtype=d),
        lambda m, d: m.eye(2, dtype=d),
        lambda m, d: m.tensor([1], dtype=d, requires_grad=True),
        lambda m, d: m.zeros(1, dtype=d).requires_grad_(),
    ],
)
def test_factories(name, fn):
    _same(lambda m: fn(m, _dt(m, name)))


# --- casts, printing, element access, joining
@pytest.mark.parametrize("name", UINTS)
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x, d: x.to(m.float32),
        lambda m, x, d: x.to(m.int64),
        lambda m, x, d: x.to(m.uint8),
        lambda m, x, d: x.to(m.bool),
        lambda m, x, d: x.to(m.uint16),
        lambda m, x, d: x.float(),
        lambda m, x, d: x.long(),
        lambda m, x, d: x.double(),
        lambda m, x, d: m.tensor([1.5, -1.0, 70000.0, -2.5]).to(d),
        lambda m, x, d: m.tensor([-1, 70000, 2**40]).to(d),
        lambda m, x, d: m.tensor([True, False]).to(d),
        lambda m, x, d: m.tensor([1]).type(d),
        lambda m, x, d: x.numpy().dtype,
        lambda m, x, d: x.tolist(),
        lambda m, x, d: (x[1].item(), type(x[1].item())),
        lambda m, x, d: (int(x[1]), float(x[1]), bool(x[1])),
        lambda m, x, d: x[1],
        lambda m, x, d: x[1:],
        lambda m, x, d: x[::2],
        lambda m, x, d: x[m.tensor([True, False, True])],
        lambda m, x, d: x[m.tensor([0, 2])],
        lambda m, x, d: (x.__setitem__(0, 9), x)[1],
        lambda m, x, d: (x.__setitem__(slice(0, 2), m.tensor([5, 6], dtype=d)), x)[1],
        lambda m, x, d: m.cat([x, x]),
        lambda m, x, d: m.cat([x, m.tensor([1])]),
        lambda m, x, d: m.cat([x, m.tensor([1.0])]),
        lambda m, x, d: m.stack([x, x]),
        lambda m, x, d: x.view(3, 1).t(),
        lambda m, x, d: x.reshape(1, 3).expand(2, 3),
        lambda m, x, d: x.unsqueeze(0).squeeze(0),
        lambda m, x, d: list(x.split(2)),
        lambda m, x, d: x.clone().contiguous(),
        lambda m, x, d: x.repeat(2),
        lambda m, x, d: x.roll(1),
        lambda m, x, d: x.view(m.uint8),
        lambda m, x, d: m.zeros(2).view(d),
        lambda m, x, d: x.fill_(4),
        lambda m, x, d: x.zero_(),
        lambda m, x, d: x.copy_(m.tensor([7.0, 8.0, 9.0])),
        lambda m, x, d: m.zeros(3).copy_(x),
        lambda m, x, d: x.sum(),
        lambda m, x, d: x.prod(),
        lambda m, x, d: x.cumsum(0),
        lambda m, x, d: x.mul(x),
        lambda m, x, d: x / x,
        lambda m, x, d: x & x,
        lambda m, x, d: x | x,
        lambda m, x, d: x ^ x,
        lambda m, x, d: x.any(),
        lambda m, x, d: x.all(),
        lambda m, x, d: x.isnan(),
        lambda m, x, d: list(x.sort()),
        lambda m, x, d: m.unique(x),
    ],
)
def test_tensor_ops(name, fn):
    _same(lambda m: fn(m, m.tensor([1, 2, 3], dtype=_dt(m, name)), _dt(m, name)))


@pytest.mark.parametrize("name", UINTS)
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: x == x,
        lambda m, x: x == 2,
        lambda m, x: x != 2,
        lambda m, x: m.eq(x, 2),
        lambda m, x: m.ne(x, x),
        lambda m, x: m.equal(x, x),
        lambda m, x: x == m.tensor([1, 2, 3]),
        lambda m, x: x == m.tensor([1.0, 2.5, 3.0]),
    ],
)
def test_equality(name, fn):
    _same(lambda m: fn(m, m.tensor([1, 2, 3], dtype=_dt(m, name))))


@pytest.mark.parametrize("name", UINTS)
def test_printing(name):
    big = 2**64 - 1 if name == "uint64" else int(np.iinfo(name).max)
    for fn in (
        lambda m, d: m.tensor([1, 2, 2**15 + 1], dtype=d),
        lambda m, d: m.tensor(5, dtype=d),
        lambda m, d: m.zeros(0, dtype=d),
        lambda m, d: m.zeros(2000, dtype=d),
        lambda m, d: m.tensor([big, 0, 7], dtype=d),
        lambda m, d: m.from_numpy(np.arange(12, dtype=name).reshape(3, 4) * 1000),
    ):
        assert repr(fn(ember, _dt(ember, name))).replace("ember.", "torch.") == repr(
            fn(torch, _dt(torch, name))
        )
    assert str(_dt(ember, name)).replace("ember.", "torch.") == str(_dt(torch, name))


# --- dtype facts and promotion
@pytest.mark.parametrize("name", UINTS)
def test_dtype_facts(name):
    _same(lambda m: repr(m.iinfo(_dt(m, name))))
    _same(lambda m: (m.iinfo(_dt(m, name)).max, m.iinfo(_dt(m, name)).min))
    _same(lambda m: (m.iinfo(_dt(m, name)).bits, m.iinfo(_dt(m, name)).dtype))
    _same(lambda m: m.finfo(_dt(m, name)))
    _same(lambda m: (_dt(m, name).is_floating_point, _dt(m, name).is_signed))
    _same(lambda m: (_dt(m, name).is_complex, _dt(m, name).itemsize))
    x = {m: m.tensor([1, 2], dtype=_dt(m, name)) for m in (ember, torch)}
    _same(lambda m: (x[m].is_floating_point(), x[m].is_signed(), m.is_signed(x[m])))
    _same(lambda m: (m.is_floating_point(x[m]), x[m].is_complex()))
    _same(lambda m: (x[m].element_size(), x[m].itemsize, x[m].nbytes))


_PARTNERS = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    *UINTS,
]


@pytest.mark.parametrize("name", UINTS)
@pytest.mark.parametrize("other", _PARTNERS)
def test_promote_types(name, other):
    _same(lambda m: m.promote_types(_dt(m, name), _dt(m, other)))
    _same(lambda m: m.promote_types(_dt(m, other), _dt(m, name)))
    _same(lambda m: m.can_cast(_dt(m, name), _dt(m, other)))


@pytest.mark.parametrize("name", UINTS)
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.result_type(x, 1),
        lambda m, x: m.result_type(x, True),
        lambda m, x: m.result_type(x, 1.5),
        lambda m, x: m.result_type(x, 1j),
        lambda m, x: m.result_type(x, m.tensor(1j)),
        lambda m, x: m.result_type(x, m.tensor(1)),
        lambda m, x: m.result_type(x, m.tensor(True)),
        lambda m, x: m.result_type(x, m.tensor([1])),
        lambda m, x: m.result_type(x, m.tensor([1.0])),
        lambda m, x: m.result_type(x[0], m.tensor([1])),
        lambda m, x: m.result_type(x[0], m.tensor([True])),
        lambda m, x: x * 1.5,
        lambda m, x: x * 2,
        lambda m, x: x * True,
    ],
)
def test_result_type(name, fn):
    _same(lambda m: fn(m, m.tensor([1, 2], dtype=_dt(m, name))))


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.promote_types(m.float32, 1),
        lambda m: m.promote_types(1, m.float32),
        lambda m: m.promote_types(None, m.int8),
        lambda m: m.promote_types(m.float32, "float32"),
        lambda m: m.promote_types(m.float32, np.float64),
        lambda m: m.promote_types(m.float32, [1]),
        lambda m: m.promote_types(m.float32, float),
        lambda m: m.promote_types(int, m.int8),
        lambda m: m.promote_types(m.float32, int),
        lambda m: m.promote_types(bool, m.int8),
        lambda m: m.promote_types(m.float32, complex),
        lambda m: m.promote_types(type1=m.float32, type2=m.int8),
    ],
)
def test_promote_types_arguments(fn):
    _same(fn)


# --- from_numpy's refusals
@pytest.mark.parametrize(
    "make",
    [
        lambda: np.array(["a"]),
        lambda: np.array([object()]),
        lambda: np.array([b"a"]),
        lambda: np.array([1], dtype=np.longdouble),
        lambda: np.array([1], dtype=np.clongdouble),
        lambda: np.array([1], dtype="M8[s]"),
        lambda: np.array([1], dtype="m8[s]"),
        lambda: np.array([(1,)], dtype=[("a", "i4")]),
        lambda: np.array([1], dtype=">i4"),
        lambda: np.array([1.0], dtype=">f8"),
    ],
)
@pytest.mark.parametrize("factory", ["from_numpy", "as_tensor", "tensor"])
def test_numpy_dtype_errors(make, factory):
    _same(lambda m: getattr(m, factory)(make()))


# --- collation
def _coll(m):
    return default_collate if m is ember else torch.utils.data.default_collate


def _conv(m):
    return default_convert if m is ember else torch.utils.data.default_convert


@pytest.mark.parametrize("name", UINTS)
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, n: _coll(m)([np.array([1, 2], dtype=n), np.array([3, 4], dtype=n)]),
        lambda m, n: _coll(m)([np.dtype(n).type(1), np.dtype(n).type(2)]),
        lambda m, n: _coll(m)([m.tensor([1], dtype=_dt(m, n)), m.tensor([2], dtype=_dt(m, n))]),
        lambda m, n: _coll(m)([{"a": np.array([1], dtype=n)}, {"a": np.array([5], dtype=n)}])["a"],
        lambda m, n: _coll(m)([np.dtype(n).type(1), np.int8(2)]),
        lambda m, n: _coll(m)([np.dtype(n).type(1), np.float32(2)]),
        lambda m, n: _conv(m)(np.array([1, 2], dtype=n)),
        lambda m, n: _conv(m)(np.dtype(n).type(3)),
    ],
)
def test_collate(name, fn):
    _same(lambda m: fn(m, name))


# Torch refuses these on the limited unsigned dtypes; Ember still computes them (or, for mean,
# names the dtype "uint16" rather than "UInt16"), since the refusal belongs in the ops' own
# modules (math, compare, reduce, shape), outside this change. Strict: a fix makes them pass.
_UNSUPPORTED = [
    lambda m, x: x.mean(),
    lambda m, x: x + x,
    lambda m, x: x - 1,
    lambda m, x: -x,
    lambda m, x: x < 2,
    lambda m, x: x.max(),
    lambda m, x: x.flip(0),
]


@pytest.mark.xfail(strict=True, reason="ops that torch refuses on uint16/32/64 still compute")
@pytest.mark.parametrize("fn", _UNSUPPORTED)
def test_unsupported_ops_refused(fn):
    _same(lambda m: fn(m, m.tensor([1, 2, 3], dtype=m.uint16)))
