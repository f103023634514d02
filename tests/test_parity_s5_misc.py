"""Parity with torch for small mismatches: complex norms, norm's order checks, multinomial's
errors, uniform_'s bound, creation's promotion, autograd exports and tensor attributes."""

import operator
import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, same_result_or_error

import ember


def _complex(shape, dtype=np.complex64, seed=0):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    a.flat[0] = 0  # a zero element: the gradients' sgn(0) and masking cases
    return a


def _value_and_grad(fn, a):
    """``fn(module, x)`` in both libraries on the same complex input; compare values and grads."""
    res = []
    for m in (ember, torch):
        x = m.tensor(a.copy(), requires_grad=True)
        y = fn(m, x)
        w = np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(np.float64)
        (y * m.tensor(w).to(y.dtype)).sum().backward()
        res.append((y, x.grad))
    (ey, eg), (ty, tg) = res
    assert_close(ey, ty, msg="forward")
    if tg is None:
        assert eg is None
    else:
        assert_close(eg, tg, rtol=1e-4, atol=1e-5, msg="grad")


# --- 1. norms of complex tensors are real, with torch's gradients
@pytest.mark.parametrize("p", [2, 1, 3, float("inf"), 0.5, 0, -1, -float("inf")])
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_vector_norm(p, dtype):
    a = _complex((3, 4), dtype)
    _value_and_grad(lambda m, x: m.linalg.vector_norm(x, p, dim=1), a)
    _value_and_grad(lambda m, x: m.linalg.vector_norm(x, p), a)


@pytest.mark.parametrize("p", [2, 1, 3, float("inf"), 0.5])
def test_complex_norm_and_linalg_norm(p):
    a = _complex((3, 4))
    _value_and_grad(lambda m, x: m.norm(x, p), a)
    _value_and_grad(lambda m, x: x.norm(p, dim=0, keepdim=True), a)
    _value_and_grad(lambda m, x: m.linalg.norm(x, p, dim=1), a)


@pytest.mark.parametrize("ord", ["fro", "nuc", 2, 1, float("inf")])
def test_complex_matrix_norm(ord):
    _value_and_grad(lambda m, x: m.linalg.norm(x, ord), _complex((3, 4), np.complex128))


@pytest.mark.parametrize("p", [-1, -0.5, -2.5])
def test_negative_p_norm_gradient_at_zero_norm(p):
    # a zero element makes the norm 0: torch's gradient is then 0 for the whole slice
    a = np.array([[0.0, 1.0, -2.0, 3.0], [0.0, 0, 0, 0], [1.0, 2, 3, 4]], np.float32)
    _value_and_grad(lambda m, x: m.linalg.vector_norm(x, p, dim=1), a)
    _value_and_grad(lambda m, x: m.linalg.vector_norm(x, p, dim=1), a.astype(np.complex64))


# --- 2. torch.norm's 'fro' and 'nuc' orders with dims, norms' dtype argument
_same_result_or_error = same_result_or_error


@pytest.mark.parametrize("p", ["fro", "nuc", 2, None])
@pytest.mark.parametrize("dim", [None, 0, (1,), (0, 1), [0, 2], (-1, 0), (0, 1, 2), (), (0, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_norm_fro_nuc_dims(p, dim, keepdim):
    a = np.random.default_rng(0).standard_normal((2, 3, 4))
    _same_result_or_error(lambda m: m.norm(m.tensor(a), p, dim, keepdim))


@pytest.mark.parametrize("shape", [(3, 4), (3,)])
@pytest.mark.parametrize("p", ["fro", "nuc"])
def test_norm_fro_nuc_no_dim(shape, p):
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    _same_result_or_error(lambda m: m.norm(m.tensor(a), p))
    _same_result_or_error(lambda m: m.norm(m.tensor(a), p, keepdim=True))


def test_norm_nuc_pair_gradient():
    check_op(lambda m, x: m.norm(x, "nuc", dim=(0, 2)), [(3, 2, 4)], dtype=np.float64)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.linalg.matrix_norm(m.ones(2, 3, 4), "fro", (0, 1, 2)),
        lambda m: m.linalg.matrix_norm(m.ones(2, 3, 4), "fro", (0, 5)),
        lambda m: m.linalg.matrix_norm(m.ones(2, 3, 4, dtype=m.int64), "fro", (0, 1, 2)),
    ],
)
def test_matrix_norm_dim_errors(fn):
    _same_result_or_error(fn)


@pytest.mark.parametrize(
    "src,dst", [("int64", "float64"), ("float32", "int64"), ("float32", "float16"),
                ("float64", "float32"), ("float32", "complex64"), ("complex64", "float64"),
                ("complex64", "complex128"), ("float32", "float64")],
)  # fmt: skip
@pytest.mark.parametrize("which", ["norm", "vector_norm", "matrix_norm", "nuc"])
def test_norm_dtype_argument(src, dst, which):
    def fn(m):
        x = m.arange(1, 7).reshape(2, 3).to(getattr(m, src))
        dt = getattr(m, dst)
        if which == "norm":
            return m.norm(x, dtype=dt)
        if which == "vector_norm":
            return m.linalg.vector_norm(x, dtype=dt)
        return m.linalg.matrix_norm(x, "fro" if which == "matrix_norm" else "nuc", dtype=dt)

    _same_result_or_error(fn)


# --- 3. multinomial's checks of its weights and sample count, in torch's words and order
_NAN, _INF = float("nan"), float("inf")
_WEIGHTS = [
    [1.0, -1.0, 2.0],
    [1.0, _NAN, 2.0],
    [1.0, _INF, 2.0],
    [1.0, -_INF, 2.0],
    [0.0, 0.0, 0.0],
    [_INF, -1.0],
    [-1.0, _INF],
    [_NAN, _INF],
    [[1.0, 2.0], [_NAN, 1.0]],
    [[0.0, 0.0], [1.0, -1.0]],
    [[1.0, -1.0], [0.0, 0.0]],
    [[_INF, 1.0], [-1.0, 1.0]],
    [],
    [[]],
    [[], []],
    np.ones((0, 3)),
    np.ones((0, 0)),
    np.ones((2, 2, 2)),
]


@pytest.mark.parametrize("weights", _WEIGHTS, ids=range(len(_WEIGHTS)))
@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("n", [1, 2, 3, 0, -1])
def test_multinomial_errors(weights, replacement, n):
    w = np.array(weights, dtype=np.float32)
    _same_result_or_error(lambda m: m.multinomial(m.tensor(w), n, replacement))


@pytest.mark.parametrize("replacement", [False, True])
def test_multinomial_stream_unchanged(replacement):
    w = np.array([[0.1, 2.0, 3.0, 0.0], [1.0, 1.0, 1.0, 1.0]], np.float32)
    for m in (ember, torch):
        m.manual_seed(3)
    for k in (1, 3):
        assert_close(
            ember.multinomial(ember.tensor(w), k, replacement),
            torch.multinomial(torch.tensor(w), k, replacement),
        )


# --- 4. uniform_ never returns its upper bound: a draw rounding up to it becomes the lower one
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize(
    "low,high",
    [(0.5, 0.5000001), (1.0, 1.0 + 2**-52), (0.0, 1e-45), (1e3, 1e3 + 0.0625), (-3, 7), (2, 2)],
)
def test_uniform_stays_below_high(dtype, low, high):
    res = []
    for m in (ember, torch):
        m.manual_seed(0)
        res.append(m.empty(4000, dtype=getattr(m, dtype)).uniform_(low, high))
    assert_close(*res, rtol=0, atol=0)
    x = res[0].numpy()
    hi, lo = x.dtype.type(high), x.dtype.type(low)
    assert (x == lo).all() if lo == hi else ((x >= lo) & (x < hi)).all()


def test_uniform_narrow_range_example():
    ember.manual_seed(0)
    x = ember.empty(1000).uniform_(0.5, 0.5000001)
    assert bool((x < np.float32(0.5000001)).all()) and bool((x >= 0.5).all())


# --- 5. creation: the dtypes of mixed lists promote as torch's; int arguments, str, np.matrix
def _mixed_lists(m):
    return [
        [np.int8(1), np.uint8(2)],
        [np.float64(1), np.float32(2)],
        [np.float32(1), np.float64(2)],
        [np.float16(1), np.float32(2)],
        [np.float16(1), 2],
        [np.float16(1), 2.5],
        [np.int32(1), 5],
        [np.uint8(1), np.int16(5)],
        [np.float32(1.5), 2.5],
        [[np.int8(1)], [np.int16(2)]],
        [[1, 2], [np.int8(1), np.float16(2)]],
        [np.complex64(1), np.float64(2)],
        [np.int8(1), True],
        [True, 1.5],
        [m.tensor(1, dtype=m.int8), m.tensor(2, dtype=m.uint8)],
        [m.tensor(1.0, dtype=m.float64), m.tensor(2.0, dtype=m.float32)],
        [m.tensor(1.0, dtype=m.float16), 3],
        [m.tensor(1, dtype=m.int8), 3.5],
        [m.tensor([1, 2]), m.tensor([3, 4])],
        [m.tensor([1.0, 2.0]), 1],
        [m.tensor([True, False])],
        [m.tensor([]), 1],
    ]


@pytest.mark.parametrize("i", range(len(_mixed_lists(torch))))
@pytest.mark.parametrize("fn", ["tensor", "as_tensor"])
def test_mixed_list_promotion(i, fn):
    _same_result_or_error(lambda m: getattr(m, fn)(_mixed_lists(m)[i]))


def test_mixed_list_promotion_default_float64():
    try:
        for m in (ember, torch):
            m.set_default_dtype(m.float64)
        for data in ([np.float32(1), 2.5], [np.float16(1), 2.5], [1, 1j], [np.float32(1), 2]):
            _same_result_or_error(lambda m, d=data: m.tensor(d))
    finally:
        for m in (ember, torch):
            m.set_default_dtype(m.float32)


@pytest.mark.parametrize("n", [3.0, True, np.float64(3), "t3.", "t[3]", np.int32(3), "t3"])
def test_eye_int_argument(n):
    def arg(m):
        return (
            m.tensor(3.0)
            if n == "t3."
            else m.tensor([3])
            if n == "t[3]"
            else (m.tensor(3) if n == "t3" else n)
        )

    _same_result_or_error(lambda m: m.eye(arg(m)))


@pytest.mark.parametrize("n", [3.0, True, np.float64(3), "t3.", "t[3]", np.int32(3), 4])
def test_int_arg_as_randperm_reads_n(n):
    # randperm's n, read by creation.int_arg: the same TypeError as torch's randperm, else the int
    from ember.functions.creation import int_arg

    tn = torch.tensor(3.0) if n == "t3." else torch.tensor([3]) if n == "t[3]" else n
    en = ember.tensor(3.0) if n == "t3." else ember.tensor([3]) if n == "t[3]" else n
    try:
        want = torch.randperm(tn).numel()
    except TypeError as t:
        with pytest.raises(TypeError) as e:
            int_arg(en, "randperm", "n", 1)
        assert str(e.value) == str(t)
        return
    assert int_arg(en, "randperm", "n", 1) == want


@pytest.mark.parametrize("fn", ["tensor", "as_tensor"])
@pytest.mark.parametrize("data", [[1.5, "a"], [1, "a"], "a", ["a"]])
def test_str_data(fn, data):
    _same_result_or_error(lambda m: getattr(m, fn)(data))


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # NumPy's, for np.matrix
@pytest.mark.parametrize("rows", [[[1, 2], [3, 4]], [1.5, 2, 3]])
@pytest.mark.parametrize("fn", ["tensor", "as_tensor", "from_numpy"])
def test_numpy_matrix_is_a_plain_tensor(rows, fn):
    data = np.matrix(rows)
    e = getattr(ember, fn)(data)
    assert type(e) is ember.Tensor
    assert_close(e, getattr(torch, fn)(data))


# --- 6. ember.autograd exports NestedIOFunction as torch.autograd does
def test_nested_io_function_export():
    from ember.autograd import function as ember_function

    assert ember.autograd.NestedIOFunction is ember_function.NestedIOFunction
    assert "NestedIOFunction" in torch.autograd.__all__
    assert "NestedIOFunction" in ember.autograd.__all__
    assert issubclass(ember.autograd.NestedIOFunction, ember.autograd.Function)
    names = ("forward_extended", "backward_extended")
    assert all(hasattr(ember.autograd.NestedIOFunction, n) for n in names)
    assert all(hasattr(torch.autograd.NestedIOFunction, n) for n in names)


# --- 7. mT / mH checks; comparisons with a non-tensor, non-number operand
@pytest.mark.parametrize("attr", ["mT", "mH", "H"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)])
@pytest.mark.parametrize("dtype", ["float32", "complex64"])
def test_matrix_transposes(attr, shape, dtype):
    a = np.arange(np.prod(shape)).reshape(shape).astype(dtype) * (1 + 1j if "c" in dtype else 1)
    _same_result_or_error(lambda m: getattr(m.tensor(a), attr).resolve_conj())


@pytest.mark.parametrize("attr", ["mT", "mH"])
@pytest.mark.parametrize("value", [1.5, 1 + 2j])
def test_matrix_transposes_zero_dim_warn(attr, value):
    res = []
    for m in (ember, torch):
        x = m.tensor(value)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            y = getattr(x, attr)
        res.append((x, y, [str(w.message).split(" (Triggered")[0] for w in rec]))
    (ex, ey, emsg), (tx, ty, tmsg) = res
    assert len(emsg) == 1 and "is deprecated on 0-D tensors" in emsg[0]
    assert not tmsg or emsg == tmsg  # torch warns once per process
    assert_close(ey, ty.resolve_conj())
    assert (ey is ex) == (ty is tx)  # mT is the tensor itself


def test_matrix_transpose_gradient():
    check_op(lambda m, x: x.mT, [(4, 2, 3)])


_OTHERS = [None, [1.0, 3.0], (1.0,), "a", object(), 2, 2.5, True, np.float32(1.0), np.bool_(True)]


@pytest.mark.parametrize("other", _OTHERS, ids=range(len(_OTHERS)))
@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparison_with_other_operands(other, op):
    def fn(m, reflected):
        x = m.tensor([1.0, 2.0])
        return getattr(operator, op)(*((other, x) if reflected else (x, other)))

    for reflected in (False, True):
        try:
            want = fn(torch, reflected)
        except TypeError as t:
            with pytest.raises(TypeError) as e:
                fn(ember, reflected)
            assert str(e.value) == str(t)
            continue
        got = fn(ember, reflected)
        if isinstance(want, bool):
            assert got is want
        else:
            assert_close(got, want)
