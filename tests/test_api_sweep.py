"""Differential sweep of torch's keyword names, ``out=`` and dtype rules on common functions.

Each case runs one call, arguments given by keyword as torch documents them, in torch and ember.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember

RNG = np.random.default_rng(0)
X = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)
Y = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)
V = RNG.uniform(-2, 2, 4).astype(np.float32)
INT = RNG.integers(-2, 5, (3, 4))
BOOL = RNG.random((3, 4)) > 0.5
SQ = RNG.uniform(-1, 1, (3, 3)).astype(np.float32) + 3 * np.eye(3, dtype=np.float32)


def _run(fn, arrays, grad):
    results = []
    for m in (torch, ember):
        ins = [m.tensor(a.copy(), requires_grad=grad and a.dtype.kind == "f") for a in arrays]
        results.append((fn(m, *ins), ins))
    return results


def _outs(o):
    if isinstance(o, (tuple, list)):
        return [v for x in o for v in _outs(x)]
    return [o]


def _check(fn, arrays, grad=True):
    (t_out, t_in), (e_out, e_in) = _run(fn, arrays, grad)
    if isinstance(t_out, tuple):
        t_out, e_out = tuple(t_out), tuple(e_out)
    assert_close(e_out, t_out)
    t_req = [o for o in _outs(t_out) if isinstance(o, torch.Tensor) and o.requires_grad]
    e_req = [o for o in _outs(e_out) if isinstance(o, ember.Tensor) and o.requires_grad]
    assert len(t_req) == len(e_req), "requires_grad of outputs differs"
    if not t_req:
        return
    sum(o.sum() for o in t_req).backward()
    sum(o.sum() for o in e_req).backward()
    for e, t in zip(e_in, t_in):
        if t.grad is None:
            assert e.grad is None
        else:
            assert_close(e.grad, t.grad, msg="grad")


KEYWORDS = {
    # factories take the shape by keyword as ``size``
    "zeros_size": (lambda m: m.zeros(size=(2, 3), dtype=m.int32), []),
    "ones_size": (lambda m: m.ones(size=[2]), []),
    "empty_size": (lambda m: m.empty(size=(2, 3)).shape, []),
    "rand_size": (lambda m: m.rand(size=(2, 3)).shape, []),
    "randn_size": (lambda m: m.randn(size=(4,), dtype=m.float64) * 0, []),
    "new_zeros_size": (lambda m, x: x.new_zeros(size=(2,), dtype=m.int32), [X]),
    "new_ones_size": (lambda m, x: x.new_ones(size=(2, 1)), [INT]),
    "new_empty_size": (lambda m, x: x.new_empty(size=(2,)).shape, [X]),
    "new_zeros_pin": (lambda m, x: x.new_zeros((2,), layout=m.strided, pin_memory=False), [X]),
    "new_full_layout": (
        lambda m, x: x.new_full(size=(2,), fill_value=1, layout=m.strided, pin_memory=False),
        [INT],
    ),
    # shape functions and methods under torch's keyword names
    "reshape_shape": (lambda m, x: m.reshape(input=x, shape=(4, 3)), [X]),
    "reshape_method": (lambda m, x: x.reshape(shape=(2, -1)), [X]),
    "view_size": (lambda m, x: x.view(size=(4, 3)), [X]),
    "view_dtype": (lambda m, x: x.view(dtype=m.int32), [X]),
    "permute_dims": (lambda m, x: m.permute(input=x, dims=(1, 0)), [X]),
    "permute_method": (lambda m, x: x.permute(dims=[1, 0]), [X]),
    "expand_size": (lambda m, x: x.expand(size=(2, 3, 4)), [X]),
    "repeat_repeats": (lambda m, x: x.repeat(repeats=(2, 1, 1)), [X]),
    "broadcast_to_size": (lambda m, x: m.broadcast_to(input=x, size=(3, 4)), [V]),
    "swapaxes_axis": (lambda m, x: m.swapaxes(x, axis0=0, axis1=1), [X]),
    "swapaxes_method": (lambda m, x: x.swapaxes(axis0=1, axis1=0), [X]),
    "concatenate_axis": (lambda m, x, y: m.concatenate([x, y], axis=1), [X, Y]),
    "split_method": (lambda m, x: x.split(split_size=3, dim=1), [X]),
    "tensor_split_sections": (lambda m, x: m.tensor_split(x, sections=3, dim=1), [X]),
    "tensor_split_indices": (lambda m, x: m.tensor_split(x, indices=[1, 3], dim=-1), [X]),
    "hsplit_sections": (lambda m, x: m.hsplit(x, sections=2), [X]),
    "vsplit_indices": (lambda m, x: m.vsplit(x, indices=[1]), [X]),
    "clone_input": (lambda m, x: m.clone(input=x), [X]),
    "det_input": (lambda m, x: m.det(input=x), [SQ]),
    "matrix_power_input": (lambda m, x: m.matrix_power(input=x, n=3), [SQ]),
    "linalg_det_A": (lambda m, x: m.linalg.det(A=x), [SQ]),
    "logspace_out": (
        lambda m: m.logspace(0, 2, steps=3, base=2.0, out=m.empty(0), device="cpu"),
        [],
    ),
    "eye_pin_memory": (lambda m: m.eye(2, 3, layout=m.strided, pin_memory=False), []),
    "normal_factory_kw": (
        lambda m: m.normal(0.0, 0.0, size=(2,), dtype=m.float64, layout=m.strided, device="cpu"),
        [],
    ),
    "randint_like_kw": (
        lambda m, x: m.randint_like(x, 1, layout=m.strided, memory_format=m.preserve_format),
        [INT],
    ),
    "histogram_out": (
        lambda m, x: m.histogram(x.detach(), bins=3, out=(m.empty(0), m.empty(0))),
        [X],
    ),
    "repeat_interleave_output_size": (
        lambda m, x: m.repeat_interleave(x, repeats=2, dim=0, output_size=6),
        [X],
    ),
}


@pytest.mark.parametrize("name", list(KEYWORDS))
def test_keyword_names(name):
    fn, arrays = KEYWORDS[name]
    _check(fn, arrays)


OUT = {
    "hstack": lambda m, x, y: m.hstack([x, y], out=m.empty(0)),
    "vstack": lambda m, x, y: m.vstack([x, y], out=m.empty(0)),
    "dstack": lambda m, x, y: m.dstack([x, y], out=m.empty(0)),
    "column_stack": lambda m, x, y: m.column_stack([x, y], out=m.empty(0)),
    "row_stack": lambda m, x, y: m.row_stack((x, y), out=m.empty(0)),
    "tril": lambda m, x, y: m.tril(x, diagonal=-1, out=m.empty(0)),
    "triu": lambda m, x, y: m.triu(x, 1, out=m.empty(3, 4)),
    "hstack_cast": lambda m, x, y: m.hstack([x, y], out=m.empty(3, 8, dtype=m.float64)),
    "logical_and": lambda m, x, y: m.logical_and(x, y, out=m.empty(0)),
    "logical_or": lambda m, x, y: m.logical_or(x, y, out=m.empty(0, dtype=m.bool)),
    "logical_xor": lambda m, x, y: m.logical_xor(x, y, out=m.empty(0, dtype=m.int64)),
    "logical_not": lambda m, x, y: m.logical_not(x, out=m.empty(0)),
    "bitwise_and": lambda m, x, y: m.bitwise_and(x > 0, y > 0, out=m.empty(0, dtype=m.bool)),
    "bitwise_or": lambda m, x, y: m.bitwise_or(x.long(), 3, out=m.empty(0, dtype=m.int64)),
    "bitwise_xor": lambda m, x, y: m.bitwise_xor(x.int(), y.int(), out=m.empty(0, dtype=m.int32)),
    "bitwise_not": lambda m, x, y: m.bitwise_not(x.long(), out=m.empty(0, dtype=m.int64)),
    "signbit": lambda m, x, y: m.signbit(x, out=m.empty(0, dtype=m.bool)),
    "nonzero": lambda m, x, y: m.nonzero(x > 0, out=m.empty(0, dtype=m.int64)),
    "erfc": lambda m, x, y: m.erfc(x, out=m.empty(0)),
    "sinc": lambda m, x, y: m.sinc(x, out=m.empty(0)),
    "lgamma": lambda m, x, y: m.lgamma(x, out=m.empty(0)),
    "digamma": lambda m, x, y: m.special.digamma(x, out=m.empty(0)),
    "logit": lambda m, x, y: m.logit(x.sigmoid(), eps=1e-3, out=m.empty(0)),
}


MORE_OUT = {
    "diag": lambda m, x, o: m.diag(x[0], diagonal=1, out=o),
    "bucketize": lambda m, x, o: m.bucketize(x, m.tensor([-1.0, 0.0, 1.0]), right=True, out=o),
    "searchsorted": lambda m, x, o: m.searchsorted(m.tensor([-1.0, 0.0, 1.0]), x, out=o),
    "histc": lambda m, x, o: m.histc(x, bins=4, min=-2, max=2, out=o),
    "msort": lambda m, x, o: m.msort(x, out=o),
    "kron": lambda m, x, o: m.kron(x, x[:2, :2], out=o),
    "inner": lambda m, x, o: m.inner(x, x, out=o),
    "tensordot": lambda m, x, o: m.tensordot(x, x.t(), dims=1, out=o),
    "vdot": lambda m, x, o: m.vdot(x[0], x[1], out=o),
    "chain_matmul": lambda m, x, o: m.chain_matmul(x, x.t(), x, out=o),
    "baddbmm": lambda m, x, o: m.baddbmm(
        x[None, :, :3], x[None], x.t()[None, :, :3], beta=0.5, out=o
    ),
    "addbmm": lambda m, x, o: m.addbmm(x[:, :3], x[None], x.t()[None, :, :3], alpha=2, out=o),
    "addmv": lambda m, x, o: m.addmv(x[:, 0], x, x[0], out=o),
    "addr": lambda m, x, o: m.addr(x, x[:, 0], x[0], beta=2, out=o),
    "take_along_dim": lambda m, x, o: m.take_along_dim(x, m.tensor([[1], [0], [3]]), dim=1, out=o),
    "index_add": lambda m, x, o: m.index_add(x, 0, m.tensor([0, 2]), x[:2], alpha=3, out=o),
    "index_copy": lambda m, x, o: m.index_copy(x, 0, m.tensor([2, 0]), x[:2], out=o),
    "index_reduce": lambda m, x, o: m.index_reduce(x, 0, m.tensor([0, 0]), x[:2], "amax", out=o),
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", list(MORE_OUT))
def test_more_out(name):
    fn = MORE_OUT[name]
    (t_out, _), (e_out, _) = _run(
        lambda m, x: fn(m, x, m.empty(0, dtype=fn(m, x, None).dtype)), [X], False
    )
    assert_close(e_out, t_out)
    xs = {torch: torch.tensor(X), ember: ember.tensor(X)}
    check_raises(lambda m: fn(m, xs[m], m.empty(0, dtype=m.int32)))


SPECIAL_OUT = {
    "entr": lambda m, x, o: m.special.entr(x.abs(), out=o),
    "erf": lambda m, x, o: m.special.erf(x, out=o),
    "erfinv": lambda m, x, o: m.special.erfinv(x / 3, out=o),
    "exp2": lambda m, x, o: m.special.exp2(x, out=o),
    "expit": lambda m, x, o: m.special.expit(x, out=o),
    "expm1": lambda m, x, o: m.special.expm1(x, out=o),
    "log1p": lambda m, x, o: m.special.log1p(x.abs(), out=o),
    "logsumexp": lambda m, x, o: m.special.logsumexp(x, 1, keepdim=True, out=o),
    "ndtr": lambda m, x, o: m.special.ndtr(x, out=o),
    "round": lambda m, x, o: m.special.round(x, decimals=1, out=o),
    "xlog1py": lambda m, x, o: m.special.xlog1py(x, x.abs(), out=o),
    "xlogy": lambda m, x, o: m.special.xlogy(x, x.abs(), out=o),
}


@pytest.mark.parametrize("name", list(SPECIAL_OUT))
def test_special_out(name):
    fn = SPECIAL_OUT[name]
    (t_out, _), (e_out, _) = _run(lambda m, x: fn(m, x, m.empty(0)), [X], False)
    assert_close(e_out, t_out)
    xs = {torch: torch.tensor(X), ember: ember.tensor(X)}
    check_raises(lambda m: fn(m, xs[m], m.empty(0, dtype=m.int64)))


def test_linalg_norm_input_keyword():
    _check(lambda m, x: m.linalg.norm(input=x, ord=1, dim=1), [X])


@pytest.mark.parametrize("name", list(OUT))
def test_out(name):
    (t_out, _), (e_out, _) = _run(OUT[name], [X, Y], grad=False)
    assert_close(e_out, t_out)


def test_out_dtype_rules():
    x = [m.ones(3, 4) for m in (torch, ember)]
    e = check_raises(lambda m: m.triu(x[m is ember], out=m.empty(3, 4, dtype=m.float64)))
    assert str(e) == "Expected out tensor to have dtype float, but got double instead"
    check_raises(lambda m: m.hstack([x[m is ember]], out=m.empty(3, 4, dtype=m.int64)))


def test_out_dtype_refusals():
    x = [m.ones(3) for m in (torch, ember)]
    e = check_raises(lambda m: m.signbit(x[m is ember], out=m.empty(0)))
    assert str(e) == "signbit does not support non-boolean outputs."
    check_raises(lambda m: m.nonzero(x[m is ember], out=m.empty(0)))
    check_raises(lambda m: m.erfc(x[m is ember], out=m.empty(0, dtype=m.int64)))


ZERO_DIM = {
    "median": lambda m, s: m.median(s, dim=0),
    "median_keepdim": lambda m, s: m.median(s, dim=-1, keepdim=True),
    "nanmedian": lambda m, s: m.nanmedian(s, dim=0),
    "kthvalue": lambda m, s: m.kthvalue(s, k=1, dim=0),
    "movedim": lambda m, s: m.movedim(s, source=0, destination=-1),
}


@pytest.mark.parametrize("name", list(ZERO_DIM))
def test_zero_dim_reductions(name):
    _check(ZERO_DIM[name], [np.array(1.5, dtype=np.float32)])


def test_dtype_helpers_keywords():
    for m in (torch, ember):
        t = m.ones(2, dtype=m.int64)
        assert m.result_type(tensor=t, other=2.5) == m.float32
        assert m.promote_types(type1=m.int32, type2=m.float16) == m.float16


BAD = {
    "flip_repeated_dim": lambda m, x: m.flip(x, dims=(0, -2)),
    "logical_and_number": lambda m, x: m.logical_and(x, True),
    "logical_or_number_first": lambda m, x: m.logical_or(1, x),
    "isclose_number": lambda m, x: m.isclose(x, 2.0),
    "allclose_number": lambda m, x: m.allclose(x, 1.0),
    "det_nonsquare": lambda m, x: m.det(input=x),
    "tensor_split_both": lambda m, x: m.tensor_split(x, 2, sections=2),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_inputs(name):
    xs = {torch: torch.tensor(X), ember: ember.tensor(X)}
    e = check_raises(lambda m: BAD[name](m, xs[m]))
    t = None
    try:
        BAD[name](torch, xs[torch])
    except Exception as ex:  # noqa: BLE001
        t = ex
    if isinstance(e, TypeError) and "must be Tensor" in str(t) or "appears" in str(t):
        assert str(e) == str(t)


def test_where_method_other_keyword():
    _check(lambda m, x, y: x.where(condition=x > 0, other=y), [X, Y])


def test_random_fills_from_to_keywords():
    for kw in ({"from": -1.0, "to": -1.0}, {"to": 0.0, "from": 0.0}):
        (t, _), (e, _) = _run(lambda m, x, kw=kw: x.clone().uniform_(**kw), [X], grad=False)
        assert_close(e, t)
    for kw in ({"from": 3, "to": 4}, {"to": 1}):
        (t, _), (e, _) = _run(lambda m, x, kw=kw: x.clone().random_(**kw), [INT], grad=False)
        assert_close(e, t)
    check_raises(lambda m: m.ones(2).uniform_(start=0.0))


@pytest.mark.parametrize(
    "call",
    [
        lambda b: b.median(),
        lambda b: b.median(dim=0),
        lambda b: b.nanmedian(),
        lambda b: b.kthvalue(k=1),
    ],
)
def test_order_statistics_refuse_bool(call):
    e = check_raises(lambda m: call(m.tensor(BOOL)))
    t = None
    try:
        call(torch.tensor(BOOL))
    except NotImplementedError as ex:
        t = ex
    assert str(e) == str(t)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, s: s.split(1),
        lambda m, s: m.split(s, [1]),
        lambda m, s: s.chunk(1),
        lambda m, s: m.tensor_split(s, 1),
    ],
)
def test_zero_dim_splits_refused(call):
    e = check_raises(lambda m: call(m, m.tensor(1.5)))
    t = None
    try:
        call(torch, torch.tensor(1.5))
    except RuntimeError as ex:
        t = ex
    assert str(e) == str(t)


RANGE = {
    "ints": lambda m: m.range(1, 4),
    "step": lambda m: m.range(1, 4, 0.5),
    "dtype": lambda m: m.range(1, 4, dtype=m.int64),
    "inexact_step": lambda m: m.range(0, 1, 0.3),
    "keywords": lambda m: m.range(start=1, end=3, step=1, requires_grad=True),
    "negative_step": lambda m: m.range(3, 1, -0.5),
}


@pytest.mark.parametrize("name", list(RANGE))
def test_range_deprecated_inclusive(name):
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        e = RANGE[name](ember)
    with pytest.warns(UserWarning):
        t = RANGE[name](torch)
    assert_close(e, t)
    assert e.requires_grad == t.requires_grad


@pytest.mark.filterwarnings("ignore")
def test_range_bad_steps():
    check_raises(lambda m: m.range(3, 1))
    check_raises(lambda m: m.range(1, 3, 0))
    check_raises(lambda m: m.range(4))


def test_dense_and_device_flags():
    for m in (torch, ember):
        x = m.ones(2, requires_grad=True)
        assert m.is_inference(x) is False
        assert x.to_dense() is x
        assert x.to_dense(dtype=m.float64).dtype == m.float64
        flags = ("is_xpu", "is_xla", "is_ipu", "is_mtia", "is_vulkan", "is_mkldnn", "is_nested")
        assert [getattr(x, f) for f in flags] == [False] * len(flags)
    check_raises(lambda m: m.is_inference(2))
    check_raises(lambda m: m.ones(2).new_tensor([1], layout=m.strided))


def test_asarray_copy_and_alias():
    for m in (torch, ember):
        a = np.ones(2, np.float32)
        m.asarray(a)[0] = 5  # shares memory
        b = np.ones(2, np.float32)
        m.asarray(b, copy=True)[0] = 5
        assert (a[0], b[0]) == (5, 1)
        x = m.ones(2)
        assert m.asarray(x) is x and m.asarray(x, copy=True) is not x
        assert m.asarray([1.0], requires_grad=True).requires_grad
    x = [m.ones(2) for m in (torch, ember)]
    e = check_raises(lambda m: m.asarray(x[m is ember], dtype=m.float64, copy=False))
    assert str(e) == "can't alias tensor with dtype 'Float' into dtype 'Double'."
    e = check_raises(lambda m: m.asarray([1, 2], copy=False))
    assert str(e) == "can't alias arbitrary sequence into a tensor."


@pytest.mark.parametrize("dim", [0, 1, -1, -3])
@pytest.mark.parametrize("extras", [(False, False), (True, True)])
def test_unique_consecutive_dim(dim, extras):
    runs = np.repeat(np.random.default_rng(1).integers(0, 2, (2, 3, 4)), 2, axis=dim)
    inverse, counts = extras
    (t, _), (e, _) = _run(
        lambda m, x: m.unique_consecutive(x, return_inverse=inverse, return_counts=counts, dim=dim),
        [runs],
        False,
    )
    assert_close(e, tuple(t) if isinstance(t, tuple) else t)


EINSUM_SUBLISTS = {
    "matmul": lambda m, a, b: m.einsum(a, [0, 1], b, [1, 2], [0, 2]),
    "implicit_out": lambda m, a, b: m.einsum(a, [0, 1], b, [1, 2]),
    "ellipsis": lambda m, a, b: m.einsum(a, [Ellipsis, 1], b, [1, 2], [Ellipsis, 2]),
    "outer": lambda m, a, b: m.einsum(a[0], [0], b[:, 0], [1], [0, 1]),
}


@pytest.mark.parametrize("name", list(EINSUM_SUBLISTS))
def test_einsum_sublist_form(name):
    _check(EINSUM_SUBLISTS[name], [X, Y.T.copy()])


@pytest.mark.parametrize(
    "kw",
    [
        {"mode": "bilinear", "size": (9, 31)},
        {"mode": "bilinear", "scale_factor": 1.5, "align_corners": True},
        {"mode": "bilinear", "size": (5, 5), "antialias": True},
        {"mode": "bicubic", "size": (5, 7), "antialias": True},
    ],
)
def test_interpolate_uint8_images(kw):
    img = np.random.default_rng(0).integers(0, 256, (2, 3, 17, 23)).astype(np.uint8)
    t = torch.nn.functional.interpolate(torch.tensor(img), **kw)
    e = ember.nn.functional.interpolate(ember.tensor(img), **kw)
    assert e.dtype == ember.uint8 and tuple(e.shape) == tuple(t.shape)
    # torch resamples uint8 in fixed point: Ember's float32-then-round lands within 1
    diff = np.abs(e.numpy().astype(int) - t.numpy().astype(int))
    assert diff.max() <= 1 and diff.mean() < 0.2


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.nn.functional.interpolate(
            m.ones(1, 1, 4, 4, dtype=m.int64), 2, mode="bilinear"
        ),
        lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4, dtype=m.uint8), 2, mode="linear"),
        lambda m: m.nn.functional.interpolate(m.ones(1, 1, 4, 4, dtype=m.uint8), 2, mode="area"),
    ],
)
def test_interpolate_integer_refusals(call):
    check_raises(call)


INT_AVG_POOL = {
    "1d": lambda m, x: m.nn.functional.avg_pool1d(x[:, 0], 3, stride=1, padding=1),
    "1d_neg": lambda m, x: m.nn.functional.avg_pool1d(-x[:, 0], 2),
    "2d": lambda m, x: m.nn.functional.avg_pool2d(x, 2),
    "2d_no_pad_count": lambda m, x: m.nn.functional.avg_pool2d(x, 3, 1, 1, count_include_pad=False),
    "2d_divisor": lambda m, x: m.nn.functional.avg_pool2d(-x, 2, divisor_override=3),
    "3d": lambda m, x: m.nn.functional.avg_pool3d(x[None], 2),
}


@pytest.mark.parametrize("name", list(INT_AVG_POOL))
def test_avg_pool_integers_truncate(name):
    img = np.random.default_rng(2).integers(-50, 50, (2, 3, 6, 6))
    (t, _), (e, _) = _run(INT_AVG_POOL[name], [img], False)
    assert_close(e, t)


def test_avg_pool_uint8_refused():
    e = check_raises(lambda m: m.nn.functional.avg_pool2d(m.ones(1, 1, 2, 2, dtype=m.uint8), 2))
    assert str(e) == "\"avg_pool2d\" not implemented for 'Byte'"


def test_size_keyword_twice_is_a_type_error():
    check_raises(lambda m: m.zeros(2, size=(3,)))
    check_raises(lambda m: m.ones(3).reshape(3, shape=(3,)))


def test_repeat_interleave_wrong_output_size():
    e = check_raises(lambda m: m.repeat_interleave(m.ones(3), 2, dim=0, output_size=5))
    assert str(e) == "repeat_interleave: Invalid output_size, expected 6 but got 5"


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_ignore_nan_as_torch(name):
    """fmax/fmin take the number over a NaN (maximum/minimum propagate it); the gradient goes
    wholly to one side, the first on ties and when both are NaN."""
    nan = float("nan")
    a_vals, b_vals = [1.0, nan, 3.0, 2.0, nan], [0.0, 0.0, 3.0, 5.0, nan]
    out = {}
    for lib in (torch, ember):
        a = lib.tensor(a_vals, requires_grad=True)
        b = lib.tensor(b_vals, requires_grad=True)
        y = getattr(a, name)(b)
        y.sum().backward()
        out[lib] = (y.grad_fn.name(), y.detach().numpy(), a.grad.numpy(), b.grad.numpy())
    assert out[ember][0] == out[torch][0]
    for e, t in zip(out[ember][1:], out[torch][1:]):
        np.testing.assert_array_equal(e, t)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_elementwise_losses_with_an_integer_target_keep_the_input_dtype(name):
    out = {}
    for lib in (torch, ember):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = getattr(lib.nn.functional, name)(x, lib.tensor([1, 2, 4]))
        out[lib] = (str(y.dtype).split(".")[-1], y.item())
    assert out[ember] == out[torch]


def test_bce_with_logits_refuses_an_integer_target():
    exc = check_raises(
        lambda m: m.nn.functional.binary_cross_entropy_with_logits(
            m.tensor([0.5, -1.0]), m.tensor([1, 0])
        )
    )
    assert str(exc) == "result type Float can't be cast to the desired output type Long"


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.tensor([1, 2, 3]).std(),
        lambda m: m.tensor([1, 2, 3]).var(0),
        lambda m: m.tensor([True]).var(),
        lambda m: m.var_mean(m.tensor([1, 2])),
        lambda m: m.std_mean(m.tensor([1, 2])),
    ],
)
def test_moments_refuse_integer_input(fn):
    exc = check_raises(fn)
    try:
        fn(torch)
    except RuntimeError as ex:
        assert str(exc) == str(ex)
