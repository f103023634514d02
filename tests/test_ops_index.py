"""Indexing against torch: getitem keys, gather/scatter family, masks, setitem with grads."""

import warnings

import numpy as np
import pytest
import torch
from helpers import check_op, check_raises

import ember

DTYPES = [np.float32, np.float64]
L = lambda m, v: m.tensor(v)  # noqa: E731 - an index tensor in either library

GETITEM = {
    "int": (lambda m, x: x[1], [(3, 4)]),
    "neg_int": (lambda m, x: x[-1, -2], [(3, 4)]),
    "slice": (lambda m, x: x[1:], [(3, 4)]),
    "slice_step": (lambda m, x: x[::2, 1::2], [(3, 4)]),
    "slice_neg": (lambda m, x: x[-2:, :-1], [(3, 4)]),
    "none": (lambda m, x: x[None, :, None], [(3, 4)]),
    "ellipsis": (lambda m, x: x[..., 1], [(2, 3, 4)]),
    "ellipsis_mid": (lambda m, x: x[0, ..., 1:], [(2, 3, 4)]),
    "scalar_ellipsis": (lambda m, x: x[...], [()]),
    "scalar_none": (lambda m, x: x[None], [()]),
    "int_tensor": (lambda m, x: x[L(m, [0, 2, 0])], [(3, 4)]),
    "int_tensor_2d": (lambda m, x: x[L(m, [[0, 1], [2, 2]])], [(3, 4)]),
    "int_tensor_dim1": (lambda m, x: x[:, L(m, [3, 0, 3])], [(3, 4)]),
    "two_int_tensors": (lambda m, x: x[L(m, [0, 2]), L(m, [1, 1])], [(3, 4)]),
    "separated_adv": (lambda m, x: x[L(m, [0, 1]), :, L(m, [1, 3])], [(2, 3, 4)]),
    "list_index": (lambda m, x: x[[1, 1, 0]], [(3, 4)]),
    "bool_mask": (lambda m, x: x[x > 0], [(3, 4)]),
    "bool_mask_row": (lambda m, x: x[L(m, [True, False, True])], [(3, 4)]),
    "bool_mask_col": (lambda m, x: x[:, L(m, [True, False, True, True])], [(3, 4)]),
    "mixed": (lambda m, x: x[1:, L(m, [0, 0, 2])], [(3, 4)]),
    "scalar_bool": (lambda m, x: x[True], [(3, 4)]),
    "index_tensor_0d": (lambda m, x: x[L(m, 1)], [(3, 4)]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem(name, dtype):
    fn, shapes = GETITEM[name]
    check_op(fn, shapes, dtype=dtype)


OPS = {
    "index_select": (lambda m, x: x.index_select(0, L(m, [2, 0, 2])), [(3, 4)]),
    "index_select_1": (lambda m, x: m.index_select(x, 1, L(m, [1, 3])), [(3, 4)]),
    "gather": (lambda m, x: x.gather(1, L(m, [[0, 0], [1, 3], [2, 2]])), [(3, 4)]),
    "gather_0": (lambda m, x: m.gather(x, 0, L(m, [[0, 1, 2, 2]])), [(3, 4)]),
    "take_along_dim": (lambda m, x: m.take_along_dim(x, L(m, [[0], [3], [1]]), 1), [(3, 4)]),
    "take_along_flat": (lambda m, x: m.take_along_dim(x, L(m, [0, 5, 5])), [(3, 4)]),
    "scatter": (lambda m, x, s: x.scatter(1, L(m, [[0, 1], [3, 2], [1, 1]]), s), [(3, 4), (3, 2)]),
    "scatter_value": (lambda m, x: x.scatter(0, L(m, [[0, 2, 1, 0]]), 1.5), [(3, 4)]),
    "scatter_add": (
        lambda m, x, s: x.scatter_add(1, L(m, [[0, 0], [3, 2], [1, 1]]), s),
        [(3, 4), (3, 2)],
    ),
    "masked_fill": (lambda m, x: x.masked_fill(x > 0.5, -1.0), [(3, 4)]),
    "masked_fill_bcast": (
        lambda m, x: x.masked_fill(L(m, [True, False, False, True]), 2.0),
        [(3, 4)],
    ),
    "masked_fill_tensor": (lambda m, x, v: x.masked_fill(x > 0, v), [(3, 4), ()]),
    "masked_select": (lambda m, x: x.masked_select(x > 0), [(3, 4)]),
    "masked_select_bcast": (
        lambda m, x: m.masked_select(x, L(m, [True, False, True, False])),
        [(3, 4)],
    ),
    "index_add": (lambda m, x, s: x.index_add(0, L(m, [0, 2, 0]), s), [(3, 4), (3, 4)]),
    "index_add_alpha": (
        lambda m, x, s: x.index_add(1, L(m, [1, 1]), s, alpha=2.0),
        [(3, 4), (3, 2)],
    ),
    "topk_values": (lambda m, x: x.topk(2, 1).values, [(3, 4)]),
    "sort_values": (lambda m, x: x.sort(0).values, [(3, 4)]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_index_op(name, dtype):
    fn, shapes = OPS[name]
    check_op(fn, shapes, dtype=dtype)


def test_repeated_indices_accumulate():
    check_op(lambda m, x: x[L(m, [0, 0, 0, 2])], [(3, 4)])
    check_op(lambda m, x: x[L(m, [1, 1]), L(m, [2, 2])], [(3, 4)])
    check_op(lambda m, x: x.index_select(0, L(m, [1, 1, 1])), [(3, 4)])
    check_op(lambda m, x: x.gather(0, L(m, [[1, 1, 1, 1], [1, 1, 1, 1]])), [(3, 4)])


def _setitem(key, value_grad=True):
    def fn(m, x, v):
        y = x * 1.0
        y[key(m)] = v if value_grad else v.detach()
        return y * 2

    return fn


SETITEM = {
    "int": (_setitem(lambda m: 1), [(3, 4), (4,)]),
    "slice_bcast": (_setitem(lambda m: (slice(None), slice(1, 3))), [(3, 4), (1, 2)]),
    "scalar_value": (lambda m, x: x.clone().__setitem__(0, 2.0) or x, [(3, 4)]),
    "mask": (_setitem(lambda m: m.tensor([True, False, True])), [(3, 4), (4,)]),
    "int_tensor": (_setitem(lambda m: m.tensor([2, 0])), [(3, 4), (2, 4)]),
    "value_only_leafish": (_setitem(lambda m: 0, value_grad=False), [(3, 4), (4,)]),
}


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_grad(name):
    fn, shapes = SETITEM[name]
    check_op(fn, shapes, dtype=np.float64)


def test_setitem_value_requires_grad_into_plain_tensor():
    def fn(m, v):
        y = m.zeros(3, 4, dtype=m.float64)
        y[1] = v * 3
        return y

    check_op(fn, [(4,)], dtype=np.float64)


INPLACE_VIEW = {
    "mul_slice": lambda m, x: _ip(m, x, lambda b: b[1:].mul_(2)),
    "add_row": lambda m, x: _ip(m, x, lambda b: b[0].add_(b[2])),
    "t_view": lambda m, x: _ip(m, x, lambda b: b.t()[1].mul_(3)),
    "chain_views": lambda m, x: _ip(m, x, lambda b: b[1:][:, ::2].sub_(1).mul_(b[0, 0])),
    "view_reshape": lambda m, x: _ip(m, x, lambda b: b.view(-1)[3:7].exp_()),
    "setitem_on_view": lambda m, x: _ip(m, x, lambda b: b[1].__setitem__(slice(1, 3), b[0, :2])),
    "zero_": lambda m, x: _ip(m, x, lambda b: b[:, 0].zero_()),
    "fill_": lambda m, x: _ip(m, x, lambda b: b[2].fill_(0.5)),
    "copy_": lambda m, x: _ip(m, x, lambda b: b[0].copy_(b[1] * 2)),
    "clamp_": lambda m, x: _ip(m, x, lambda b: b[0].clamp_(-0.5, 0.5)),
    "masked_fill_": lambda m, x: _ip(m, x, lambda b: b[1:].masked_fill_(b[1:] > 0, 0.0)),
}


def _ip(m, x, f):
    base = x * 1.0  # a non-leaf base
    f(base)
    return base.sin()


@pytest.mark.parametrize("name", sorted(INPLACE_VIEW))
def test_inplace_on_views_of_nonleaf(name):
    check_op(INPLACE_VIEW[name], [(3, 4)], dtype=np.float64)


def test_inplace_view_grad_fn_names():
    for m in (ember, torch):
        x = m.ones(3, 4, requires_grad=True)
        b = x * 1
        b[1:].mul_(2)
        assert b.grad_fn.name() == "torch::autograd::CopySlices"


NO_GRAD_CASES = [
    lambda m: m.arange(12).reshape(3, 4)[m.tensor([[0, 1], [2, 0]])],
    lambda m: m.arange(12).reshape(3, 4)[m.tensor([True, False, True])],
    lambda m: m.arange(5)[m.tensor([1, 2], dtype=m.int32)],
    lambda m: m.arange(5)[m.tensor([1, 0, 1, 0, 1], dtype=m.uint8).bool()],
    lambda m: m.nonzero(m.tensor([[1, 0], [0, 3]])),
    lambda m: m.tensor([[1, 0], [0, 3]]).nonzero(as_tuple=True),
    lambda m: m.unique(m.tensor([3, 1, 3, 2, 1])),
    lambda m: m.unique(m.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True),
    lambda m: m.unique(m.tensor([[1, 2], [1, 2], [0, 5]]), dim=0),
    lambda m: m.unique(
        m.tensor([[1, 2, 1], [3, 4, 3]]), dim=1, return_inverse=True, return_counts=True
    ),
    lambda m: m.bincount(m.tensor([0, 3, 3, 1])),
    lambda m: m.bincount(m.tensor([0, 3, 3, 1]), minlength=6),
    lambda m: m.bincount(m.tensor([0, 2]), weights=m.tensor([0.5, 1.5])),
    lambda m: m.tensor([1, 2, 3]).masked_fill(m.tensor([True, False, True]), 7),
    lambda m: m.arange(6).reshape(2, 3).gather(1, m.tensor([[2], [0]])),
    lambda m: m.zeros(3, dtype=m.int64).scatter_add(0, m.tensor([0, 0, 2]), m.tensor([1, 2, 3])),
    lambda m: m.tensor([1.0, 2.0]).allclose(m.tensor([1.0, 2.0 + 1e-9])),
    lambda m: m.equal(m.tensor([1, 2]), m.tensor([1, 2])),
    lambda m: m.equal(m.tensor([1, 2]), m.tensor([1, 3])),
    lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]).all(),
    lambda m: m.tensor([[0.0, 2.0], [0.0, 0.0]]).any(1),
]


@pytest.mark.parametrize("i", range(len(NO_GRAD_CASES)))
def test_no_grad_cases(i):
    check_op(lambda m: NO_GRAD_CASES[i](m), [], grad=False)


def test_setitem_semantics():
    for m in (ember, torch):
        x = m.zeros(3, 4)
        x[1] = 1
        x[:, 0] = m.tensor([1.0, 2.0, 3.0])
        x[x > 2] = -1
        x[m.tensor([0, 2]), m.tensor([3, 3])] = m.tensor([5.0, 6.0])
        x[..., 1] += 10
        if m is ember:
            e = x
        else:
            assert e.tolist() == x.tolist()


RAISES = [
    lambda m: m.ones(3, 4)[3],
    lambda m: m.ones(3, 4)[:, -5],
    lambda m: m.ones(3, 4)[0, 0, 0],
    lambda m: m.ones(3, 4)[m.tensor([0, 3])],
    lambda m: m.ones(3, 4)[m.tensor([1.0])],
    lambda m: m.ones(3, 4)[m.tensor([True, False])],
    lambda m: m.ones(3, 4)["a"],
    lambda m: m.ones(3, 4).gather(1, m.tensor([[4]])),
    lambda m: m.ones(3, 4).gather(1, m.tensor([0])),
    lambda m: m.ones(3, 4).gather(1, m.tensor([[0]], dtype=m.int16)),
    lambda m: m.ones(3, 4).index_select(0, m.tensor([3])),
    lambda m: m.ones(3, 4).index_select(0, m.tensor([[0]])),
    lambda m: m.ones(3, 4).masked_fill(m.ones(3, 4), 0.0),
    lambda m: m.ones(3, 4).masked_fill(m.ones(3, 4) > 0, m.ones(2)),
    lambda m: m.ones(3, 4).masked_fill(m.ones(3, 3) > 0, 1.0),
    lambda m: m.bincount(m.tensor([-1, 2])),
    lambda m: m.bincount(m.tensor([[1]])),
    lambda m: m.ones(3, requires_grad=True).__setitem__(0, 2.0),
    lambda m: m.ones(3, 4).__setitem__(0, m.ones(3)),
    lambda m: m.ones(3, 4, requires_grad=True)[0].mul_(2),
]


@pytest.mark.parametrize("i", range(len(RAISES)))
def test_raises(i):
    check_raises(RAISES[i])


def _view_chain(t) -> list:
    names, node = [], t.grad_fn
    while node is not None and node.name() != "torch::autograd::AccumulateGrad":
        names.append(node.name())
        node = node.next_functions[0][0]
    return names


@pytest.mark.parametrize(
    "key",
    [
        (0, 0),
        (0, slice(1, 3)),
        (slice(1, None), 0),
        (None, 0),
        (Ellipsis, 0),
        (slice(None), slice(None), 0),
        (0, None, 1),
        (slice(1, 2), 0, slice(2, None)),
        (Ellipsis, None, 1),
        (-1, Ellipsis, slice(None, None, 2)),
        (None, Ellipsis, 0, None),
        (slice(None), -2),
    ],
)
def test_basic_key_records_torchs_views_in_order(key):
    """A recorded basic key is one node per view, left to right, as torch's indexing."""
    data = np.arange(60.0).reshape(3, 4, 5)
    results = []
    for lib in (torch, ember):
        x = lib.tensor(data, requires_grad=True)
        y = x[key]
        (y * y).sum().backward()
        results.append((_view_chain(y), y.detach().numpy(), x.grad.numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
    np.testing.assert_array_equal(results[0][2], results[1][2])


SEQUENCE_KEYS = [
    lambda m: [[0, 1]],
    lambda m: [[0, 1], [1, 2]],
    lambda m: [0, [1, 2]],
    lambda m: [slice(None), 0],
    lambda m: [None, 0],
    lambda m: [[0], [1]],
    lambda m: [0, 1],
    lambda m: [True, False],
    lambda m: [[True, False]],
    lambda m: [Ellipsis, 0],
    lambda m: [m.tensor(0), 1],
    lambda m: ((0, 1),),
    lambda m: ((0, 1), (1, 2)),
    lambda m: [(0, 1)],
    lambda m: [],
    lambda m: [[]],
]


@pytest.mark.parametrize("make_key", SEQUENCE_KEYS)
def test_sequence_keys_as_torch(make_key):
    """Lists and tuples in keys: torch reads a short list holding a sequence, tensor, slice, ...
    or None as a tuple (warning), a list of ints as an index, a tuple inside a tuple as one."""
    data = np.arange(24.0).reshape(2, 3, 4)
    out = {}
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out[lib] = (lib.tensor(data)[make_key(lib)].numpy(), len(caught))
    np.testing.assert_array_equal(out[ember][0], out[torch][0])
    assert out[ember][1] == out[torch][1]


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.arange(12.0).reshape(3, 4)[::-1],
        lambda m: m.arange(12.0).reshape(3, 4)[:, ::0],
        lambda m: m.tensor(3.0)[0],
        lambda m: m.tensor(3.0)[0:1],
        lambda m: m.arange(12.0).reshape(3, 4).gather(1, m.tensor([[-1]])),
        lambda m: m.zeros(3).scatter(0, m.tensor([-1]), 1.0),
        lambda m: m.zeros(3).scatter_add(0, m.tensor([-1]), m.ones(1)),
        lambda m: m.zeros(3).index_add(0, m.tensor([-1]), m.ones(1)),
        lambda m: m.zeros(3).index_add(0, m.tensor([3]), m.ones(1)),
        lambda m: m.zeros(2, 3).index_add(0, m.tensor([5]), m.ones(1, 3)),
        lambda m: m.zeros(2, 3).index_add(1, m.tensor([-1]), m.ones(2, 1)),
    ],
)
def test_bad_keys_and_indices_raise_as_torch(fn):
    exc = check_raises(fn)
    try:
        fn(torch)
    except Exception as ex:  # noqa: BLE001
        assert str(exc) == str(ex).split(" (Triggered")[0]


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.ones(3).scatter_(0, m.tensor([0, 0]), m.tensor([2.0, 3.0]), reduce="multiply"),
        lambda m: m.ones(3).scatter(0, m.tensor([0, 2]), m.tensor([2.0, 3.0]), reduce="add"),
        lambda m: m.zeros(2, 3).scatter(1, m.tensor([[0], [2]]), 5.0, reduce="add"),
        lambda m: m.ones(2, 3).scatter(1, m.tensor([[0], [2]]), 5.0, reduce="multiply"),
    ],
)
def test_scatter_reduce_argument_as_torch(fn):
    """scatter's legacy reduce=: values, and the deprecation warning (Tensor src only) at the
    caller's line."""
    out = {}
    for lib in (torch, ember):
        lib.set_warn_always(True)  # torch warns once per process otherwise
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out[lib] = (fn(lib).numpy(), [(w.category, w.filename) for w in caught])
        finally:
            lib.set_warn_always(False)
    np.testing.assert_array_equal(out[ember][0], out[torch][0])
    assert out[ember][1] == out[torch][1]
    check_raises(lambda m: m.ones(3).scatter(0, m.tensor([0]), 2.0, reduce="max"))
