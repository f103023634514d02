"""Parity with torch for dtypes and errors: clamp/lerp, norm layers, ``out=``, ``Tensor.type``,
pairwise_distance and Embedding's gradient options."""

import itertools

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises, same_result_or_error

import ember

_X = [1, 5, 9]


def _both(fn):
    """Run ``fn(module)`` in both libraries and compare."""
    assert_close(fn(ember), fn(torch))


# --- 1. clamp / clip dtypes and errors
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16", "float64"])
@pytest.mark.parametrize(
    "bounds",
    [(2.5, None), (None, 7.5), (2.5, 7), (2, None), (True, None), (0, 6), (float("nan"), None)],
)
def test_clamp_number_bounds_dtype(dtype, bounds):
    def fn(m):
        return m.clamp(m.tensor(_X).to(getattr(m, dtype)), *bounds)

    same_result_or_error(fn)  # bool with True: torch's NotImplementedError
    try:
        want = fn(torch)
    except Exception:  # noqa: BLE001 - compared above
        return
    assert_close(ember.clip(ember.tensor(_X).to(getattr(ember, dtype)), *bounds), want)


@pytest.mark.parametrize(
    "dtype,bound",
    [("uint8", -1), ("uint8", -255), ("uint8", 255), ("int8", 127), ("int8", -128)],
)
def test_clamp_number_converted_with_wraparound(dtype, bound):
    _both(lambda m: m.clamp(m.tensor(_X).to(getattr(m, dtype)), bound))


@pytest.mark.parametrize(
    "dtype,bound",
    [
        ("uint8", -256),
        ("uint8", 256),
        ("int8", 128),
        ("int8", -129),
        ("int32", 2**40),
        ("int64", 2**63),
        ("float32", 1e300),
        ("float16", 1e5),
    ],
)
def test_clamp_number_overflow_refused(dtype, bound):
    fn = lambda m: m.clamp(m.tensor(_X).to(getattr(m, dtype)), bound)  # noqa: E731
    e = check_raises(fn)
    t = _torch_error(fn)
    assert str(e) == str(t)


def _torch_error(fn):
    try:
        fn(torch)
    except Exception as ex:  # noqa: BLE001
        return ex
    raise AssertionError("torch did not raise")


def _same_error(fn):
    assert str(check_raises(fn)) == str(_torch_error(fn))


def test_clamp_huge_int_and_complex_and_bool():
    _same_error(lambda m: m.clamp(m.tensor([1.0]), 2**64))
    _same_error(lambda m: m.clamp(m.tensor([1.0 + 1j]), 0.5))
    _same_error(lambda m: m.clamp(m.tensor([1]), 2.5, 1j))
    _same_error(lambda m: m.clamp(m.tensor([True]), True))
    _same_error(lambda m: m.clamp(m.tensor([True]), max=False))
    _same_error(lambda m: m.clamp(m.tensor([True]), True, True))
    _same_error(lambda m: m.clamp(m.tensor([1.0]), None, None))
    check_raises(lambda m: m.clamp(m.tensor([1.0]), max=m.tensor([1j])))
    check_raises(lambda m: m.clamp(m.tensor([1.0]), "a"))


@pytest.mark.parametrize(
    "x_dtype,lo,hi",
    [
        ("int64", ("float32", 2.5), None),  # 0-dim float bound: floating wins
        ("int64", ("float32", [2.5, 1, 1]), None),
        ("int64", ("float64", 2.5), None),
        ("float32", ("float64", 2.5), None),  # same category: the dimensioned tensor wins
        ("float32", ("float64", [2.5, 1, 1]), None),
        ("float32", ("int64", 2), None),
        ("float32", None, ("float64", 2.5)),
        ("int64", ("int64", 2), ("float32", 7.5)),
        ("int32", ("int64", 2), None),
        ("int64", ("bool", True), None),
        ("bool", ("bool", True), None),
        ("bool", ("int64", [0, 1, 1]), None),
        ("int8", ("uint8", [0, 1, 1]), None),
        ("float16", ("float32", 2.5), None),
        ("int64", None, ("int64", [4, 4, 20])),
        ("int64", 1, ("float32", 3.5)),  # a number with a 0-dim tensor: read as a number
        ("int64", ("float64", 2.5), 3),
        ("float32", ("float64", 2), 3),
    ],
)
def test_clamp_tensor_bounds_dtype(x_dtype, lo, hi):
    def bound(m, b):
        return m.tensor(b[1], dtype=getattr(m, b[0])) if isinstance(b, tuple) else b

    _both(
        lambda m: m.clamp(m.tensor(_X).to(getattr(m, x_dtype)), min=bound(m, lo), max=bound(m, hi))
    )


def test_clamp_number_with_tensor_refused():
    check_raises(lambda m: m.tensor(_X).clamp(m.tensor([0, 1, 1]), 3.5))
    check_raises(lambda m: m.tensor(_X).clamp(min=3, max=m.tensor([7, 8, 9])))
    x = lambda m: m.tensor([1.0, 5.0], requires_grad=True)  # noqa: E731
    check_raises(lambda m: x(m).clamp(m.tensor(2.0, requires_grad=True), 3))


def test_clamp_tensor_bound_gradients():
    check_op(lambda m, x, lo: m.clamp(x, min=lo.double()), [(3, 4), (4,)], rtol=1e-5, atol=1e-6)
    check_op(lambda m, x, hi: m.clamp(x, max=hi), [(3, 4), (3, 1)])
    check_op(lambda m, x, lo, hi: x.clamp(lo, hi + 1), [(3, 4), (4,), (3, 1)])


@pytest.mark.parametrize("x_dtype", ["int64", "int32", "float32", "float64", "bool", "uint8"])
@pytest.mark.parametrize("out_dtype", ["int64", "int32", "float32", "float64", "bool"])
@pytest.mark.parametrize("bound", [2, 2.5, True])
def test_clamp_number_out_needs_exact_dtype(x_dtype, out_dtype, bound):
    def fn(m):
        out = m.zeros(3, dtype=getattr(m, out_dtype))
        r = m.clamp(m.tensor(_X).to(getattr(m, x_dtype)), bound, out=out)
        assert r is out
        return out

    same_result_or_error(fn)


def test_clamp_tensor_out_and_min_max_variants():
    def fn(m):
        out = m.zeros(3, dtype=m.float64)
        m.clamp(m.tensor(_X), m.tensor(2), out=out)
        return out

    _both(fn)
    check_raises(lambda m: m.clamp(m.tensor(_X), m.tensor(2.5), out=m.zeros(3, dtype=m.int64)))
    _same_error(lambda m: m.clamp_min(m.tensor(_X), 2, out=m.zeros(3, dtype=m.float64)))
    _both(lambda m: m.clamp_min(m.tensor(_X), 2.5))
    _both(lambda m: m.clamp_max(m.tensor(_X), m.tensor(2.5)))
    _both(lambda m: m.tensor(_X).clamp_min(m.tensor([3, 4, 5], dtype=m.int8)))
    _same_error(lambda m: m.clamp_min(m.tensor([1.0]), 1e300))
    check_op(lambda m, x: m.clamp_min(x, 0.1), [(3, 4)])


# --- 2. lerp dtypes and errors
def _lerp_args(m, spec):
    """``spec``: (dtype or Python number) for input, end, weight; lists build dimensioned ones."""
    out = []
    for i, s in enumerate(spec):
        if isinstance(s, tuple):
            out.append(m.tensor(s[1], dtype=getattr(m, s[0])))
        elif isinstance(s, str) and i < 2:  # a str weight is passed on, for the TypeError
            out.append(m.tensor([1, 2, 3] if i == 0 else [4, 5, 6], dtype=getattr(m, s)))
        else:
            out.append(s)
    return out


@pytest.mark.parametrize(
    "spec",
    [
        ("int64", "int64", 0.5),
        ("int32", "int32", 1),
        ("bool", "bool", 0.5),
        ("float32", "int64", 0.5),
        ("float32", "float64", 0.5),
        ("float64", "float32", ("float32", 0.5)),
        ("float32", "float32", ("float64", [0.5, 0.5, 0.5])),
        ("float32", "float32", ("int64", [1, 1, 1])),
        ("int64", "int64", ("float32", [0.5, 0.5, 0.5])),
        ("int64", "int64", ("int64", 1)),
        ("float32", ("float64", 5.0), 0.5),
        ("float32", "float32", 0.5 + 1j),
        ("float32", "float32", 1e300),
        ("float32", "float32", "a"),
        ("float32", 2.0, 0.5),
    ],
)
def test_lerp_refusals(spec):
    _same_error(lambda m: m.lerp(*_lerp_args(m, spec)))


@pytest.mark.parametrize(
    "spec",
    [
        ("float32", "float32", 2),
        ("float32", "float32", True),
        ("float32", "float32", 0.5 + 0j),
        ("float16", "float16", 0.25),
        ("float16", "float16", ("float32", 0.5)),  # a 0-dim weight promotes by category
        ("float32", "float32", ("float64", 0.5)),
        ("int64", "int64", ("float64", 0.5)),
        ("float32", "float32", ("int64", 1)),
        ("float64", "float64", ("float64", [0.2, 0.5, 0.9])),
        ("complex64", "complex64", 0.5 + 1j),
        ("complex64", "complex64", ("float32", 0.5)),
        ("float32", "float32", ("complex64", 0.5 + 1j)),
        ("float32", ("float32", 5.0), 0.75),
    ],
)
def test_lerp_dtypes(spec):
    _both(lambda m: m.lerp(*_lerp_args(m, spec)))
    _both(lambda m: _lerp_args(m, spec)[0].lerp(*_lerp_args(m, spec)[1:]))


def test_lerp_out_rules():
    def out_of(dtype, weight):
        def fn(m):
            w = weight if not isinstance(weight, list) else m.tensor(weight)
            out = m.zeros(2, dtype=getattr(m, dtype))
            m.lerp(m.tensor([1.0, 2.0, 3.0]), m.tensor([4.0, 5.0, 6.0]), w, out=out)
            return out

        return fn

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # out is resized from 2 to 3 elements
        _both(out_of("float16", 0.5))  # a number weight: the result casts into out
        _both(out_of("float64", 0.5))
        _same_error(out_of("int64", 0.5))
        _same_error(out_of("float16", [0.5, 0.5, 0.5]))  # a tensor weight: out's dtype exactly
        _both(out_of("float32", [0.5, 0.2, 0.5]))


def test_lerp_gradients_with_promoting_weight():
    check_op(lambda m, a, b, w: m.lerp(a, b, w.double().sum()), [(3, 4), (3, 4), (2,)])
    check_op(lambda m, a, b, w: m.lerp(a, b, w), [(3, 1), (4,), (3, 4)])
    check_op(lambda m, a, b: m.lerp(a, b, 0.7), [(3, 4), (3, 4)])


# --- 3, 4. normalization layers: dtypes of the parameters, missing running statistics
_DT = {"h": "float16", "f": "float32", "d": "float64"}


def _outcome(fn):
    """What ``fn`` gives: the result's dtype and values, or the exception's type and message."""
    try:
        return fn()
    except Exception as ex:  # noqa: BLE001
        return ex


def _same_outcome(fn):
    t, e = _outcome(lambda: fn(torch)), _outcome(lambda: fn(ember))
    if isinstance(t, Exception):
        # an assertion inside torch (ldexp into a wider out) is no message to copy
        same = str(e) == str(t) or "INTERNAL ASSERT" in str(t)
        assert type(e) is type(t) and same, f"{e!r} vs {t!r}"
    else:
        assert not isinstance(e, Exception), f"ember raised {e!r}"
        assert_close(e, t, rtol=1e-2, atol=1e-2)


def _params(m, codes):
    rng = np.random.default_rng(len(codes))
    return [
        None if c == "-" else m.tensor(rng.uniform(0.5, 1.5, 3), dtype=getattr(m, _DT[c]))
        for c in codes
    ]


def _x(m, xd, shape=(2, 3, 4)):
    return m.tensor(np.random.default_rng(1).standard_normal(shape), dtype=getattr(m, _DT[xd]))


# weight, bias, running_mean, running_var: each None or a dtype; a fixed sample of the 256
_COMBOS = [
    "".join(c)
    for i, c in enumerate(itertools.product("-hfd", repeat=4))
    if i % 5 == 0 or len(set(c) - {"-"}) <= 1
]


def _bn(m, x, w, b, rm, rv, training):
    return m.nn.functional.batch_norm(x, rm, rv, w, b, training=training)


def _in(m, x, w, b, rm, rv, training):
    return m.nn.functional.instance_norm(x, rm, rv, w, b, use_input_stats=training)


@pytest.mark.parametrize("norm", [_bn, _in])
@pytest.mark.parametrize("xd", "hfd")
@pytest.mark.parametrize("training", [True, False])
def test_batch_and_instance_norm_parameter_dtypes(norm, xd, training):
    for combo in _COMBOS:
        _same_outcome(lambda m, c=combo: norm(m, _x(m, xd), *_params(m, c), training))


@pytest.mark.parametrize("xd", "hfd")
@pytest.mark.parametrize("combo", ["".join(c) for c in itertools.product("-hfd", repeat=2)])
def test_layer_and_group_norm_parameter_dtypes(xd, combo):
    def ln(m):
        w, b = _params(m, combo)
        return m.nn.functional.layer_norm(_x(m, xd, (2, 4, 3)), (3,), w, b)

    def gn(m):
        w, b = _params(m, combo)
        return m.nn.functional.group_norm(_x(m, xd), 3, w, b)

    _same_outcome(ln)
    _same_outcome(gn)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.nn.BatchNorm1d(3),
        lambda m: m.nn.BatchNorm1d(3, affine=False),
        lambda m: m.nn.BatchNorm1d(3).eval(),
        lambda m: m.nn.BatchNorm1d(3, affine=False, track_running_stats=False),
        lambda m: m.nn.LayerNorm(4),
        lambda m: m.nn.GroupNorm(3, 3),
        lambda m: m.nn.InstanceNorm1d(3, affine=True),
        lambda m: m.nn.InstanceNorm1d(3, track_running_stats=True),
        lambda m: m.nn.InstanceNorm1d(3, track_running_stats=True).eval(),
    ],
)
def test_norm_modules_with_double_input(make):
    _same_outcome(lambda m: make(m)(_x(m, "d")))
    _same_outcome(lambda m: make(m).double()(_x(m, "d")))
    _same_outcome(lambda m: make(m).double()(_x(m, "f")))


def test_batch_norm_needs_running_stats_in_eval():
    x = lambda m: _x(m, "f")  # noqa: E731
    one = lambda m: m.ones(3)  # noqa: E731
    bn = lambda m, *a, **k: m.nn.functional.batch_norm(*a, **k)  # noqa: E731
    _same_outcome(lambda m: bn(m, x(m), None, None, training=False))
    _same_outcome(lambda m: bn(m, x(m), None, None, one(m), training=False))
    _same_outcome(lambda m: bn(m, x(m), None, one(m), training=False))
    _same_outcome(lambda m: bn(m, x(m), one(m), None, training=False))
    _same_outcome(lambda m: bn(m, x(m), one(m), None, training=True))
    _same_outcome(lambda m: bn(m, x(m), None, one(m), training=True))
    _same_outcome(lambda m: bn(m, x(m).long(), None, None, training=False))
    _same_outcome(lambda m: bn(m, x(m), m.ones(4), None, training=True))
    _same_outcome(lambda m: bn(m, x(m), None, None, training=True, eps=0.0))
    _same_outcome(lambda m: bn(m, x(m), one(m), one(m), training=False, eps=-1.0))
    _same_outcome(lambda m: bn(m, x(m), one(m), one(m), training=False, eps=0.0))
    # ATen's batch_norm has no eps check; instance_norm's spatial check is the Python layer's
    _same_outcome(lambda m: m.batch_norm(x(m), None, None, None, None, True, 0.1, 0.0, False))
    _same_outcome(lambda m: m.batch_norm(x(m), None, None, None, None, False, 0.1, 1e-5, False))
    check_raises(lambda m: m.nn.functional.instance_norm(x(m)[:, :, :1]))
    _same_outcome(lambda m: m.nn.functional.layer_norm(x(m), (4,), m.ones(3)))
    _same_outcome(lambda m: m.nn.functional.layer_norm(x(m), (4,), None, m.ones(3)))
    _same_outcome(lambda m: m.nn.functional.layer_norm(x(m), (5,), m.ones(4)))
    _same_outcome(lambda m: m.nn.functional.layer_norm(x(m).long(), (4,), m.ones(4)))
    _same_outcome(lambda m: m.nn.functional.group_norm(x(m).long(), 3, m.ones(3)))


def test_half_input_with_float_parameters_trains():
    def fn(m):
        x = _x(m, "f").requires_grad_()
        w = m.ones(3, requires_grad=True)
        y = m.nn.functional.batch_norm(x.half(), m.zeros(3), m.ones(3), w, None, training=True)
        y.float().sum().backward()
        return y, w.grad

    _same_outcome(fn)


# --- 5. out= on the elementwise functions that lacked it
_A = [0.7, 1.5, 2.5]
_B = [1.2, 0.5, 3.0]
_OUT_OPS = {
    "addcdiv": lambda m, o: m.addcdiv(m.tensor(_A), m.tensor(_A), m.tensor(_B), value=2, out=o),
    "addcmul": lambda m, o: m.addcmul(m.tensor(_A), m.tensor(_A), m.tensor(_B), value=2, out=o),
    "deg2rad": lambda m, o: m.deg2rad(m.tensor(_A), out=o),
    "rad2deg": lambda m, o: m.rad2deg(m.tensor(_A), out=o),
    "float_power": lambda m, o: m.float_power(m.tensor(_A), 2, out=o),
    "hypot": lambda m, o: m.hypot(m.tensor(_A), m.tensor(_B), out=o),
    "ldexp": lambda m, o: m.ldexp(m.tensor(_A), m.tensor([1, 2, 3]), out=o),
    "logaddexp": lambda m, o: m.logaddexp(m.tensor(_A), m.tensor(_B), out=o),
    "logaddexp2": lambda m, o: m.logaddexp2(m.tensor(_A), m.tensor(_B), out=o),
    "nan_to_num": lambda m, o: m.nan_to_num(m.tensor([float("nan"), float("inf"), 1.0]), out=o),
    "nextafter": lambda m, o: m.nextafter(m.tensor(_A), m.tensor(_B), out=o),
    "xlogy": lambda m, o: m.xlogy(m.tensor(_A), m.tensor(_B), out=o),
    "heaviside": lambda m, o: m.heaviside(m.tensor([-1.0, 0.0, 2.0]), m.tensor(_B), out=o),
    "where": lambda m, o: m.where(m.tensor([True, False, True]), m.tensor(_A), m.tensor(_B), out=o),
    "gcd": lambda m, o: m.gcd(m.tensor([4, 6, 8]), m.tensor([6, 9, 12]), out=o),
    "lcm": lambda m, o: m.lcm(m.tensor([4, 6, 8]), m.tensor([6, 9, 12]), out=o),
}


@pytest.mark.parametrize("name", sorted(_OUT_OPS))
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32"])
def test_out_dtype_rules(name, dtype):
    def fn(m):
        out = m.zeros(3, dtype=getattr(m, dtype))
        r = _OUT_OPS[name](m, out)
        assert r is out
        return out

    _same_outcome(fn)


@pytest.mark.parametrize("name", sorted(_OUT_OPS))
def test_out_resized_and_refused_with_grad(name):
    import warnings

    dt = "int64" if name in ("gcd", "lcm") else "float64" if name == "float_power" else "float32"

    def resized(m):
        out = m.zeros(0, dtype=getattr(m, dt))
        _OUT_OPS[name](m, out)
        return out

    _same_outcome(resized)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _same_outcome(lambda m: _OUT_OPS[name](m, m.zeros(5, dtype=getattr(m, dt))))
    assert len(seen) == 2, "both libraries warn when a non-empty out is resized"
    if dt != "int64":
        _same_outcome(
            lambda m: _OUT_OPS[name](m, m.zeros(3, dtype=getattr(m, dt)).requires_grad_())
        )


def test_relu_takes_no_out():
    _same_error(lambda m: m.relu(m.ones(2), out=m.ones(2)))
    check_op(lambda m, x: m.relu(x), [(3, 4)])


def test_out_is_not_a_method_argument():
    with pytest.raises(TypeError):
        ember.tensor(_A).addcmul(ember.tensor(_A), ember.tensor(_B), out=ember.zeros(3))


def test_frexp_out_and_float_power_dtypes():
    def frexp(mant, expo, n=3):
        def fn(m):
            outs = (m.zeros(n, dtype=getattr(m, mant)), m.zeros(n, dtype=getattr(m, expo)))
            r = m.frexp(m.tensor(_A), out=outs)
            assert r[0] is outs[0] and r[1] is outs[1]
            return outs

        return fn

    _same_outcome(frexp("float32", "int32"))
    _same_outcome(frexp("float32", "int32", 0))
    _same_outcome(frexp("float64", "int32"))
    _same_outcome(frexp("float32", "int64"))
    check_raises(lambda m: m.frexp(m.tensor(_A), out=m.zeros(3)))
    check_raises(lambda m: m.frexp(m.tensor(_A), out=(m.zeros(3),)))
    _same_outcome(lambda m: m.float_power(m.tensor(_A), 2j))
    _same_outcome(lambda m: m.float_power(2, m.tensor(_A)))
    _same_outcome(lambda m: m.float_power(m.tensor([1, 2, 3]), m.tensor(_B)))
    _same_outcome(lambda m: m.float_power(m.tensor(_A).to(m.complex64), 2))
    check_op(lambda m, x, y: m.float_power(x.abs() + 0.5, y), [(3,), (3,)])
    check_op(lambda m, x: m.float_power(x, 3), [(2, 3)])


# --- 6. Tensor.type
@pytest.mark.parametrize(
    "dtype", ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
)
def test_type_strings(dtype):
    e, t = ember.zeros(2, dtype=getattr(ember, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
    assert e.type().split(".")[1] == t.type().split(".")[1]
    assert ember.typename(e).split(".")[1] == torch.typename(t).split(".")[1]
    name = t.type()  # 'torch.XTensor' is understood by both
    _same_outcome(lambda m: m.tensor([1.5, -2.0]).type(name))
    _same_outcome(lambda m: m.tensor([1.5, -2.0]).type(getattr(m, name.split(".")[1])))


def _type_of(arg, *args, **kwargs):
    """``x.type(...)``: the result, and whether it is ``x`` itself."""

    def fn(m):
        x = m.tensor([1.5, 2.5], requires_grad=True)
        a = arg(m) if callable(arg) else arg
        r = x.type(a, *args, **kwargs)
        if isinstance(r, str):
            return r.split(".", 1)[1]
        return r, r is x, type(r.grad_fn).__name__

    return fn


@pytest.mark.parametrize(
    "call",
    [
        _type_of(None),
        _type_of(None, True),
        _type_of(lambda m: m.float64),
        _type_of(lambda m: m.float32),
        _type_of(lambda m: m.float64, non_blocking=True),
        _type_of(lambda m: m.float64, True),
        _type_of("torch.DoubleTensor"),
        _type_of("torch.FloatTensor"),
        _type_of("torch.LongTensor"),
        _type_of("torch.ComplexFloatTensor"),
        _type_of("torch.sparse.DoubleTensor"),
        _type_of("torch.Tensor"),
        _type_of(lambda m: m.Tensor),
        _type_of(lambda m: m.DoubleTensor),
        _type_of(lambda m: m.FloatTensor),
        _type_of(lambda m: m.int32),
    ],
)
def test_type_casts(call):
    _same_outcome(call)


@pytest.mark.parametrize(
    "call",
    [
        _type_of("DoubleTensor"),
        _type_of("torch.float64"),
        _type_of("torch.FloatStorage"),
        _type_of("torch.cuda.FloatTensor"),
        _type_of(int),
        _type_of(bool),
        _type_of(lambda m: m.nn.Parameter),
        _type_of(3),
        _type_of(lambda m: m.float64, non_blocking=1),
        _type_of(lambda m: m.float64, non_blocking=None),
        _type_of(lambda m: m.float64, foo=1),
        _type_of(lambda m: m.float64, False, False),
    ],
)
def test_type_refusals(call):
    e = check_raises(call)
    t = _torch_error(call)
    if "CUDA" not in str(t) and "positional" not in str(t):
        assert str(e) == str(t)


def test_type_memory_format():
    def fn(m):
        x = m.ones(2, 3, 4, 5).type(m.float64, memory_format=m.channels_last)
        return x, x.is_contiguous(memory_format=m.channels_last)

    _same_outcome(fn)


def test_type_async_keyword_is_deprecated():
    with pytest.warns(UserWarning, match="This overload of type is deprecated"):
        r = ember.tensor([1.5]).type(ember.float64, **{"async": True})
    assert r.dtype == ember.float64


# --- 7. pairwise_distance: values and gradients (eps is added to the difference, as torch)
@pytest.mark.parametrize(
    "kw",
    [
        dict(p=2.0),
        dict(p=1.0),
        dict(p=3.0),
        dict(p=float("inf")),
        dict(p=-float("inf")),
        dict(p=0.0),
        dict(p=-1.0),
        dict(p=0.5),
        dict(p=2.0, eps=0.0),
        dict(p=2.0, eps=1e-2),
        dict(p=2.0, eps=-0.5),
        dict(p=1.0, keepdim=True),
        dict(p=1.5, eps=0.1, keepdim=True),
    ],
)
@pytest.mark.parametrize("shapes", [[(4, 5), (4, 5)], [(4, 5), (5,)], [(5,), (3, 5)], [(5,), (5,)]])
def test_pairwise_distance(kw, shapes):
    check_op(lambda m, a, b: m.nn.functional.pairwise_distance(a, b, **kw), shapes)


@pytest.mark.parametrize("kw", [dict(), dict(eps=0.0), dict(p=1.0, eps=0.0), dict(keepdim=True)])
def test_pairwise_distance_of_equal_inputs(kw):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    check_op(lambda m, a, b: m.nn.functional.pairwise_distance(a, b, **kw), [x, x.copy()])
    check_op(lambda m, a, b: m.nn.PairwiseDistance(**kw)(a, b), [x, x.copy()])


def test_pairwise_distance_dtypes_and_errors():
    _same_outcome(
        lambda m: m.nn.functional.pairwise_distance(m.tensor([[1, 2]]), m.tensor([[4, 6]]))
    )
    _same_outcome(lambda m: m.pairwise_distance(m.tensor(1.0), m.tensor(2.5), keepdim=True))
    _same_outcome(
        lambda m: m.nn.functional.pairwise_distance(
            m.tensor([[1.0, 2.0]], dtype=m.float64), m.tensor([[4.0, 6.0]])
        )
    )
    _same_outcome(lambda m: m.nn.functional.pairwise_distance(m.ones(2, 3), m.ones(2, 4)))


# --- 8. Embedding: scale_grad_by_freq, max_norm, padding_idx, from_pretrained
_W = np.arange(15, dtype=np.float32).reshape(5, 3) / 7 - 1


@pytest.mark.parametrize(
    "idx",
    [[[1, 1, 2], [3, 1, 0]], [[1, 4, 4]], 3, [0, 0, 0, 0], np.zeros((2, 0), np.int64)],
)
@pytest.mark.parametrize(
    "kw",
    [
        dict(scale_grad_by_freq=True),
        dict(scale_grad_by_freq=True, padding_idx=1),
        dict(scale_grad_by_freq=True, padding_idx=-1),
        dict(padding_idx=0),
        dict(max_norm=1.0),
        dict(max_norm=0.5, norm_type=1.0),
        dict(max_norm=0.5, norm_type=float("inf")),
        dict(max_norm=0.8, norm_type=3.0, scale_grad_by_freq=True),
    ],
)
def test_embedding_gradients(idx, kw):
    def fn(m):
        w = m.tensor(_W.copy(), requires_grad=True)
        i = m.tensor(np.asarray(idx, np.int64))
        y = m.nn.functional.embedding(i, w, **kw)
        g = m.tensor(np.linspace(-1, 1, y.numel(), dtype=np.float32).reshape(tuple(y.shape)))
        (y * g).sum().backward()
        return y, w.grad, w.detach(), type(y.grad_fn).__name__  # w: renormalised in place

    _same_outcome(fn)


def test_embedding_scale_grad_by_freq_without_grad():
    def fn(m):
        w = m.tensor(_W.copy(), requires_grad=True)
        with m.no_grad():
            y = m.nn.functional.embedding(m.tensor([1, 1]), w, scale_grad_by_freq=True)
        z = m.nn.functional.embedding(m.tensor([2, 2, 0]), w.detach(), scale_grad_by_freq=True)
        return y, y.requires_grad, z, z.requires_grad

    _same_outcome(fn)

    def grad_of(m):
        w = m.tensor(_W.copy(), requires_grad=True)
        y = m.nn.functional.embedding(m.tensor([1, 1, 2]), w, scale_grad_by_freq=True)
        return m.autograd.grad((y * y).sum(), w)[0]

    _same_outcome(grad_of)


def _pretrained(m, **kw):
    return m.nn.Embedding.from_pretrained(m.tensor(_W.copy()), **kw)


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(freeze=False),
        dict(padding_idx=1),
        dict(padding_idx=-1),
        dict(freeze=False, padding_idx=0, max_norm=1.5, norm_type=1.0, scale_grad_by_freq=True),
        dict(sparse=True),
    ],
)
def test_embedding_from_pretrained_options(kw):
    def fn(m):
        e = _pretrained(m, **kw)
        return repr(e), e.weight, e.weight.requires_grad, e.padding_idx

    _same_outcome(fn)


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(padding_idx=1),
        dict(scale_grad_by_freq=True),
        dict(scale_grad_by_freq=True, padding_idx=3),
        dict(max_norm=1.0),
        dict(max_norm=0.8, norm_type=3.0, scale_grad_by_freq=True),
    ],
)
def test_embedding_module_training(kw):
    def fn(m):
        e = _pretrained(m, freeze=False, **kw)
        y = e(m.tensor([[0, 1, 1], [3, 1, 2]]))
        g = m.tensor(np.linspace(-1, 1, y.numel(), dtype=np.float32).reshape(tuple(y.shape)))
        (y * g).sum().backward()
        return y, e.weight.grad, e.weight.detach()

    _same_outcome(fn)


def test_embedding_refusals():
    check_raises(lambda m: _pretrained(m, padding_idx=5))
    check_raises(lambda m: _pretrained(m, padding_idx=-6))
    check_raises(lambda m: m.nn.Embedding.from_pretrained(m.ones(3)))
    check_raises(lambda m: m.nn.Embedding(3, 2, _weight=m.ones(2, 2)))
    check_raises(lambda m: m.nn.Embedding(3, 2, padding_idx=3))
    _same_outcome(lambda m: m.nn.functional.embedding(m.tensor([5]), m.ones(5, 2)))
    check_raises(lambda m: m.nn.functional.embedding(m.tensor([0.0]), m.ones(5, 2)))
    _same_outcome(lambda m: m.nn.Embedding(3, 2, _freeze=True).weight.requires_grad)
    _same_outcome(lambda m: m.nn.Embedding(3, 2, _weight=m.ones(3, 2), padding_idx=0).weight)
