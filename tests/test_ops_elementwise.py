"""Elementwise ops and arithmetic against torch: values, dtypes, shapes and gradients."""

import numpy as np
import pytest
import torch
from helpers import check_op, check_raises

import ember

UNARY_SHAPES = [(), (4,), (3, 4), (1, 4), (2, 1, 4)]
BINARY_SHAPES = [
    ((), ()),
    ((4,), (4,)),
    ((3, 4), (3, 4)),
    ((3, 4), (1, 4)),
    ((2, 1, 4), (3, 4)),
    ((), (3, 4)),
    ((4,), ()),
    ((1, 4), (2, 1, 4)),
]
DTYPES = [np.float32, np.float64]

# name -> (function, low, high): inputs drawn from [low, high] where the op is defined and smooth.
UNARY = {
    "exp": (lambda m, x: m.exp(x), -2, 2),
    "exp2": (lambda m, x: m.exp2(x), -2, 2),
    "log": (lambda m, x: m.log(x), 0.1, 3),
    "log2": (lambda m, x: m.log2(x), 0.1, 3),
    "log10": (lambda m, x: m.log10(x), 0.1, 3),
    "log1p": (lambda m, x: m.log1p(x), -0.5, 3),
    "expm1": (lambda m, x: m.expm1(x), -2, 2),
    "sqrt": (lambda m, x: m.sqrt(x), 0.1, 3),
    "rsqrt": (lambda m, x: m.rsqrt(x), 0.2, 3),
    "square": (lambda m, x: m.square(x), -2, 2),
    "abs": (lambda m, x: m.abs(x), -2, 2),
    "sign": (lambda m, x: m.sign(x), -2, 2),
    "sin": (lambda m, x: m.sin(x), -3, 3),
    "cos": (lambda m, x: m.cos(x), -3, 3),
    "tan": (lambda m, x: m.tan(x), -1, 1),
    "tanh": (lambda m, x: m.tanh(x), -3, 3),
    "sigmoid": (lambda m, x: m.sigmoid(x), -4, 4),
    "relu": (lambda m, x: m.relu(x), -2, 2),
    "floor": (lambda m, x: m.floor(x), -3, 3),
    "ceil": (lambda m, x: m.ceil(x), -3, 3),
    "round": (lambda m, x: m.round(x), -3, 3),
    "trunc": (lambda m, x: m.trunc(x), -3, 3),
    "erf": (lambda m, x: m.erf(x), -2, 2),
    "neg": (lambda m, x: m.neg(x), -2, 2),
    "reciprocal": (lambda m, x: m.reciprocal(x), 0.5, 3),
    "neg_op": (lambda m, x: -x, -2, 2),
    "abs_op": (lambda m, x: abs(x), -2, 2),
    "round_decimals": (lambda m, x: m.round(x * 100, decimals=1), -3, 3),
    "frac": (lambda m, x: m.frac(x), -3, 3),
    "clamp_both": (lambda m, x: m.clamp(x, -0.5, 0.7), -2, 2),
    "clamp_min": (lambda m, x: m.clamp(x, min=-0.5), -2, 2),
    "clamp_max": (lambda m, x: x.clamp(max=0.3), -2, 2),
    "clip": (lambda m, x: m.clip(x, -1, 1), -2, 2),
    "sinh": (lambda m, x: m.sinh(x), -2, 2),
    "cosh": (lambda m, x: m.cosh(x), -2, 2),
    "asin": (lambda m, x: m.asin(x), -0.9, 0.9),
    "acos": (lambda m, x: m.acos(x), -0.9, 0.9),
    "atan": (lambda m, x: m.atan(x), -2, 2),
    "pow_scalar": (lambda m, x: x**3, -2, 2),
    "pow_half": (lambda m, x: x**0.5, 0.1, 2),
    "pow_zero": (lambda m, x: x**0, -2, 2),
    "pow_neg": (lambda m, x: x**-2, 0.5, 2),
    "rpow": (lambda m, x: 2**x, -2, 2),
    "rpow_float": (lambda m, x: 1.5**x, -2, 2),
    "add_scalar": (lambda m, x: x + 2, -2, 2),
    "radd_scalar": (lambda m, x: 2.5 + x, -2, 2),
    "sub_scalar": (lambda m, x: x - 2, -2, 2),
    "rsub_scalar": (lambda m, x: 2 - x, -2, 2),
    "mul_scalar": (lambda m, x: x * 3, -2, 2),
    "rmul_scalar": (lambda m, x: 0.5 * x, -2, 2),
    "div_scalar": (lambda m, x: x / 4, -2, 2),
    "rdiv_scalar": (lambda m, x: 3 / x, 0.5, 2),
    "floordiv_scalar": (lambda m, x: x // 0.7, -2, 2),
    "mod_scalar": (lambda m, x: x % 0.7, -2, 2),
    "rmod_scalar": (lambda m, x: 3 % x, 0.5, 2),
    "rfloordiv": (lambda m, x: 3 // x, 0.5, 2),
    "add_alpha": (lambda m, x: m.add(x, 2, alpha=3), -2, 2),
    "sub_alpha": (lambda m, x: m.sub(x, 1.5, alpha=2), -2, 2),
    "div_trunc": (lambda m, x: m.div(x, 0.7, rounding_mode="trunc"), -2, 2),
    "div_floor": (lambda m, x: m.div(x, 0.7, rounding_mode="floor"), -2, 2),
}

BINARY = {
    "add": (lambda m, x, y: x + y, -2, 2),
    "sub": (lambda m, x, y: x - y, -2, 2),
    "mul": (lambda m, x, y: x * y, -2, 2),
    "div": (lambda m, x, y: x / y, 0.5, 2),
    "pow": (lambda m, x, y: x**y, 0.5, 2),
    "floordiv": (lambda m, x, y: x // y, 0.5, 2),
    "mod": (lambda m, x, y: x % y, 0.5, 2),
    "maximum": (lambda m, x, y: m.maximum(x, y), -2, 2),
    "minimum": (lambda m, x, y: m.minimum(x, y), -2, 2),
    "atan2": (lambda m, x, y: m.atan2(x, y), 0.5, 2),
    "where": (lambda m, x, y: m.where(x > 0, x, y), -2, 2),
    "where_scalar_other": (lambda m, x, y: m.where(y > 0, x, 0.5), -2, 2),
    "where_scalar_input": (lambda m, x, y: m.where(y > 0, 1.0, x), -2, 2),
    "lerp_scalar": (lambda m, x, y: m.lerp(x, y, 0.3), -2, 2),
    "lerp_tensor": (lambda m, x, y: m.lerp(x, y, x.sigmoid()), -2, 2),
    "clamp_tensor_min": (lambda m, x, y: m.clamp(x, min=y), -2, 2),
    "clamp_tensor_max": (lambda m, x, y: m.clamp(x, max=y), -2, 2),
    "clamp_tensor_both": (lambda m, x, y: m.clamp(x, min=y, max=y + 1), -2, 2),
    "sub_alpha": (lambda m, x, y: m.sub(x, y, alpha=2), -2, 2),
    "add_alpha": (lambda m, x, y: m.add(x, y, alpha=0.5), -2, 2),
    "fmod": (lambda m, x, y: m.fmod(x, y), 0.5, 2),
    "remainder": (lambda m, x, y: m.remainder(x, y), 0.5, 2),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, shape, dtype):
    fn, lo, hi = UNARY[name]
    check_op(fn, [shape], dtype=dtype, low=lo, high=hi)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name, shapes, dtype):
    fn, lo, hi = BINARY[name]
    check_op(fn, list(shapes), dtype=dtype, low=lo, high=hi)


def test_maximum_ties_share_gradient():
    a = np.array([1.0, 2.0, 3.0], np.float32)
    check_op(lambda m, x, y: m.maximum(x, y), [a, a.copy()])
    check_op(lambda m, x, y: m.minimum(x, y), [a, np.array([1.0, 0.0, 4.0], np.float32)])


def test_abs_relu_at_zero():
    z = np.array([0.0, -1.0, 1.0], np.float32)
    check_op(lambda m, x: m.abs(x), [z])
    check_op(lambda m, x: m.relu(x), [z])
    check_op(lambda m, x: m.clamp(x, 0, 1), [z])
    check_op(lambda m, x: x**2, [z])
    check_op(lambda m, x: m.sqrt(x), [np.array([0.0, 4.0], np.float32)])


def test_pow_zero_base():
    z = np.array([0.0, 1.0, 2.0], np.float64)
    check_op(lambda m, x, y: x**y, [z, np.array([2.0, 0.5, 3.0])])
    check_op(lambda m, x: 0.0**x, [np.array([0.5, 1.0, 2.0])])


def t_(data, **kw):
    """The same data as an (ember, torch) pair."""
    return ember.tensor(data, **kw), torch.tensor(
        data,
        **{k: getattr(torch, str(v).split(".")[-1]) if k == "dtype" else v for k, v in kw.items()},
    )


# Integer and bool arithmetic: dtypes and values as torch, no gradients.
INT_CASES = [
    lambda m: m.tensor([1, 2, 3]) / m.tensor([2, 2, 2]),
    lambda m: m.tensor([1, 2, 3]) // m.tensor([2, 2, 2]),
    lambda m: m.tensor([-7, 7]) // 2,
    lambda m: m.tensor([-7, 7]) % 3,
    lambda m: m.tensor([-7, 7]) % -3,
    lambda m: m.tensor([1, 2, 3]) * 2.5,
    lambda m: m.tensor([1, 2, 3]) + True,
    lambda m: m.tensor([True, False]) + m.tensor([True, True]),
    lambda m: m.tensor([True, False]) * 3,
    lambda m: m.tensor([True, False]) * 1.5,
    lambda m: m.tensor([True, False]) + m.tensor([1, 2], dtype=m.uint8),
    lambda m: m.tensor([1, 2], dtype=m.uint8) + m.tensor([1, 2], dtype=m.int8),
    lambda m: m.tensor([200, 100], dtype=m.uint8) + m.tensor([100, 200], dtype=m.uint8),
    lambda m: m.tensor([1, 2], dtype=m.int8) * m.tensor([1, 2], dtype=m.int32),
    lambda m: m.tensor([1, 2], dtype=m.int32) + 5,
    lambda m: m.tensor([1, 2], dtype=m.int32) + m.tensor(5),
    lambda m: m.tensor([1.0, 2.0]) + m.tensor(5.0, dtype=m.float64),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float16) + m.tensor(5.0),
    lambda m: m.tensor([1.0, 2.0]) + m.tensor([5.0, 1.0], dtype=m.float64),
    lambda m: m.tensor([1, 2]) + m.tensor(5.0, dtype=m.float64),
    lambda m: m.tensor([1, 2], dtype=m.uint8) + m.tensor(-5),
    lambda m: m.tensor([1, 2], dtype=m.uint8) - 5,
    lambda m: m.tensor(3) / 2,
    lambda m: m.tensor([1, 2, 3]) ** 2,
    lambda m: m.tensor([1, 2, 3]) ** 0.5,
    lambda m: 2 ** m.tensor([1, 2, 3]),
    lambda m: 2.0 ** m.tensor([1, 2, 3]),
    lambda m: m.tensor([1, 2, 3]) ** m.tensor([2, 0, 1]),
    lambda m: m.tensor([4, 9]).sqrt(),
    lambda m: m.tensor([4, 9]).exp(),
    lambda m: m.tensor([4, -9]).abs(),
    lambda m: m.tensor([4, -9]).neg(),
    lambda m: m.tensor([4, -9]).sign(),
    lambda m: m.tensor([True, False]).sign(),
    lambda m: m.tensor([4, -9]).square(),
    lambda m: m.tensor([True, False]).square(),
    lambda m: m.tensor([4, -9]).clamp(-5, 5),
    lambda m: m.tensor([4, -9]).clamp(-5.5, 5),
    lambda m: m.tensor([4, -9]).float(),
    lambda m: m.tensor([4, -9]).relu(),
    lambda m: m.tensor([1, 2, 3]).div(2, rounding_mode="trunc"),
    lambda m: m.tensor([-7, 7]).div(2, rounding_mode="floor"),
    lambda m: m.tensor([-7, 7]).div(m.tensor([2, -2]), rounding_mode="trunc"),
    lambda m: m.maximum(m.tensor([1, 5]), m.tensor([3.0, 2.0])),
    lambda m: m.where(m.tensor([True, False]), 1.0, 0.0),
    lambda m: m.where(m.tensor([True, False]), 1, 0),
    lambda m: m.where(m.tensor([True, False]), m.tensor([1, 2]), 0.5),
    lambda m: m.where(m.tensor([True, False]), m.tensor([1.0, 2.0]), 5),
    lambda m: m.where(m.tensor([True, False]), m.tensor([1, 2], dtype=m.int32), 5),
    lambda m: m.tensor([1.5, 2.5, -0.5, 0.5]).round(),
    lambda m: m.tensor([1.0, float("nan")]) == m.tensor([1.0, float("nan")]),
    lambda m: m.tensor([1, 2]) < 1.5,
    lambda m: m.tensor([1, 2]) == m.tensor([1.0, 3.0]),
    lambda m: m.tensor([1, 2]) != 1,
    lambda m: m.tensor([3, 1]) >= m.tensor(2),
    lambda m: m.tensor([True, False]) & m.tensor([True, True]),
    lambda m: m.tensor([3, 5]) | m.tensor([1, 2]),
    lambda m: m.tensor([3, 5]) ^ 1,
    lambda m: ~m.tensor([True, False]),
    lambda m: ~m.tensor([3, 5]),
    lambda m: m.logical_and(m.tensor([1, 0]), m.tensor([1.0, 1.0])),
    lambda m: m.logical_or(m.tensor([1, 0]), m.tensor([0, 0])),
    lambda m: m.logical_not(m.tensor([1.0, 0.0])),
    lambda m: m.isnan(m.tensor([1.0, float("nan"), float("inf")])),
    lambda m: m.isinf(m.tensor([1.0, float("nan"), -float("inf")])),
    lambda m: m.isfinite(m.tensor([1.0, float("nan"), float("inf")])),
    lambda m: m.isnan(m.tensor([1, 2])),
    lambda m: m.tensor([1.0, 2.0]).lerp(m.tensor([3.0, 5.0]), 0.5),
    lambda m: m.tensor([1.0, -2.0]).erf(),
    lambda m: m.tensor([0.0, 1.0]).sigmoid(),
    lambda m: m.tensor([1, 2], dtype=m.int16) * m.tensor([3], dtype=m.int16),
    lambda m: m.tensor([1, 2], dtype=m.int64) * 2**40,
    lambda m: m.tensor([1.0, 2.0]) * 1e40,
    lambda m: m.tensor([1, 2], dtype=m.uint8) * 300,
    lambda m: m.bitwise_left_shift(m.tensor([5, -5, 1]), m.tensor([3, 64, -1])),
    lambda m: m.bitwise_right_shift(m.tensor([5, -5], dtype=m.int32), 40),
    lambda m: m.bitwise_right_shift(m.tensor([-9, 9]), m.tensor([1, -1])),
    lambda m: m.bitwise_left_shift(m.tensor([100], dtype=m.uint8), m.tensor([1], dtype=m.int8)),
    lambda m: m.bitwise_left_shift(m.tensor([True, False]), 2),
]


@pytest.mark.parametrize("i", range(len(INT_CASES)))
def test_int_bool_promotion(i):
    check_op(lambda m: INT_CASES[i](m), [], grad=False)


RAISES = [
    lambda m: m.tensor([1, 2]) ** -1,
    lambda m: m.tensor([1, 2]) ** m.tensor([-1, 2]) if False else m.tensor([1, 2]) ** -2,
    lambda m: m.tensor([True]) - m.tensor([False]),
    lambda m: -m.tensor([True]),
    lambda m: m.ones(3) + m.ones(4),
    lambda m: m.ones(2, 3) * m.ones(3, 2),
    lambda m: m.where(m.tensor([1, 0]), m.ones(2), m.zeros(2)),
    lambda m: m.tensor([1, 2]) // 0,
    lambda m: m.tensor([1, 2]) % 0,
    lambda m: m.clamp(m.ones(2)),
    lambda m: m.ones(2) & m.ones(2),
    lambda m: ~m.ones(2),
    lambda m: m.maximum(m.ones(2), 1.0),
    lambda m: m.tensor([1, 2]).div(2, rounding_mode="bad"),
    lambda m: m.ones(3).add_(m.ones(3), alpha=None) if False else m.tensor([1, 2]).add_(1.5),
    lambda m: m.tensor([1, 2]).mul_(m.tensor([1.5, 2.0])),
    lambda m: m.ones(3).add_(m.ones(2, 3)),
    lambda m: m.ones(1).add_(m.ones(3)),
]


@pytest.mark.parametrize("i", range(len(RAISES)))
def test_raises(i):
    check_raises(RAISES[i])


def test_scalar_first_operators_keep_grad():
    for f in (lambda x: 1 - x, lambda x: 2 / x, lambda x: 2**x, lambda x: 3 * x, lambda x: 1 + x):
        check_op(lambda m, x, f=f: f(x), [(3,)], low=0.5)


def test_out_argument():
    e, t = ember.zeros(3), torch.zeros(3)
    ember.add(ember.ones(3), 2, out=e)
    torch.add(torch.ones(3), 2, out=t)
    assert e.tolist() == t.tolist()


def test_integer_pow_with_negative_exponents_as_torch():
    # NumPy refuses these; torch's integer pow gives 0 except for bases 1 and -1.
    def run(m):
        b = m.tensor([0, 1, -1, -1, 2, -2, 5])
        e = m.tensor([-1, -3, -3, -2, -2, -1, 0])
        return [b**e, 2 ** m.tensor([-1, 2]), m.tensor([[2], [1]]) ** m.tensor([-1, 2])]

    for x, y in zip(run(ember), run(torch)):
        assert x.tolist() == y.tolist()
        assert str(x.dtype).split(".")[1] == str(y.dtype).split(".")[1]


def test_atan2_gradient_at_the_origin_and_reshaping_inplace_ops():
    def run(m):
        x = m.tensor([0.0, 1.0], requires_grad=True)
        y = m.tensor([0.0, 2.0], requires_grad=True)
        m.atan2(x, y).sum().backward()
        z = m.ones(2, 3, requires_grad=True) * 2
        z.t_()
        z.unsqueeze_(0)
        shapes = [tuple(z.shape)]
        z.squeeze_()
        a = m.ones(2, 3)
        a.swapaxes_(0, 1)
        shapes += [tuple(z.shape), tuple(a.shape)]
        return x.grad.tolist(), y.grad.tolist(), shapes

    assert run(ember) == run(torch)


@pytest.mark.parametrize(
    "expr",
    [
        "m.heaviside(m.tensor([-1.5, 0.0, 2.0]), m.tensor([0.5]))",
        "m.gcd(m.tensor([12, -18, 0]), m.tensor([8, 4, 5]))",
        "m.tensor([4, 6]).lcm(m.tensor([6, 4]))",
        "m.nextafter(m.tensor([1.0, 2.0]), m.tensor([2.0, 1.0])) - m.tensor([1.0, 2.0])",
        "m.tensor([8.0, 0.3, -5.0]).frexp().mantissa",
        "m.tensor([8.0, 0.3, -5.0]).frexp().exponent",
        "m.tensor([1.0, -2.0]).positive()",
    ],
)
def test_more_elementwise_functions(expr):
    e, t = eval(expr, {"m": ember}), eval(expr, {"m": torch})
    assert e.tolist() == t.tolist()
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]


def test_logaddexp2_and_ldexp_with_gradients():
    check_op(lambda m, a, b: m.logaddexp2(a, b), [(3, 4), (4,)])
    check_op(lambda m, a: m.ldexp(a, m.tensor([1, 2, 3, 4])), [(3, 4)])


@pytest.mark.parametrize(
    "expr",
    [
        "m.gcd(m.tensor([1.5]), m.tensor([2.0]))",
        "m.frexp(m.tensor([1]))",
        "m.positive(m.ones(2).bool())",
    ],
)
def test_more_elementwise_bad_input(expr):
    check_raises(lambda m: eval(expr, {"m": m}))


@pytest.mark.parametrize("name", ["gcd", "lcm", "heaviside", "ldexp", "nextafter", "hypot"])
def test_binary_ops_refuse_python_numbers(name):
    x = [4] if name in ("gcd", "lcm") else [4.0]
    check_raises(lambda m: getattr(m, name)(m.tensor(x), 2))
    check_raises(lambda m: getattr(m, name)(2, m.tensor(x)))


def test_heaviside_keeps_the_input_dtype():
    for dtype in ("int64", "int32", "bool", "float32"):
        for m in (ember, torch):
            x = m.tensor([1, 0, -1] if dtype != "bool" else [True, False, True])
            x = x.to(getattr(m, dtype))
            out = m.heaviside(x, m.tensor([5 if dtype != "bool" else True]).to(getattr(m, dtype)))
            assert str(out.dtype).split(".")[-1] == dtype
    check_raises(lambda m: m.heaviside(m.tensor([1.0]), m.tensor([1.0], dtype=m.float64)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_a_python_complex_keeps_the_tensors_precision(dtype):
    for scalar in (1j, 2 + 0.5j):
        e = ember.ones(2, dtype=getattr(ember, dtype)) * scalar
        t = torch.ones(2, dtype=getattr(torch, dtype)) * scalar
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_array_equal(e.numpy(), t.numpy())
