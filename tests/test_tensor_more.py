"""quantile/nanquantile, tensor attributes (itemsize, dim_order...), resize_ and other in-place
methods, and complex tensors (printing, complex/polar, views of the parts), against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises

import ember

INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]


def _with_nans(shape=(3, 5, 4), seed=0) -> np.ndarray:
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    a[0, 1, 2] = np.nan  # one NaN in a row
    a[1, :, 3] = np.nan  # a row of NaNs along dim 1
    a[2, 2, :] = np.nan  # a row of NaNs along dim 2
    return a


# -- quantile / nanquantile ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_quantile_values_and_gradients(name, interpolation):
    a = _with_nans()
    # torch's sort of many equal values (NaNs too) is not stable: which one is read varies
    one_nan = _with_nans(seed=1)
    one_nan[np.isnan(one_nan)] = np.arange(np.isnan(one_nan).sum()) + 10.0
    one_nan[0, 1, 2] = np.nan
    for dim in (None, 0, 1, -1):
        for keepdim in (False, True):
            for q in (0.3, [0.0, 0.1, 0.5, 0.77, 1.0], "0-dim"):

                def fn(m, x, dim=dim, keepdim=keepdim, q=q):
                    qq = (
                        m.tensor(0.6) if q == "0-dim" else m.tensor(q) if isinstance(q, list) else q
                    )
                    return getattr(m, name)(x, qq, dim, keepdim, interpolation=interpolation)

                # the two libraries may differ in the last bit of an interpolation
                check_op(fn, [(one_nan if dim is None else a).copy()], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile_method_float64_and_ties(name):
    check_op(
        lambda m, x: getattr(x, name)(m.tensor([0.25, 0.5], dtype=m.float64), 1),
        [(4, 7)],
        dtype=np.float64,
    )
    ties = np.array([1.0, 1.0, 2.0, 2.0, 2.0, 5.0], np.float32)  # gradient to the ranked copy
    for q in (0.2, 0.5, 0.9):
        check_op(lambda m, x, q=q: getattr(m, name)(x, q), [ties])
    check_op(lambda m, x: getattr(m, name)(x, 0.5, 0, keepdim=True), [np.array(3.0, np.float32)])


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_quantile_gradient_in_q(interpolation):
    a = _with_nans()
    for name in ("quantile", "nanquantile"):
        for q in (np.array([0.15, 0.5, 0.9], np.float32), np.array(0.35, np.float32)):

            def fn(m, x, qq, name=name):
                return getattr(m, name)(x, qq, 1, interpolation=interpolation)

            check_op(fn, [a.copy(), q], rtol=1e-6, atol=1e-6)


def test_quantile_all_nan_rows():
    a = np.full((2, 3), np.nan, np.float32)
    a[1, 0] = 4.0
    for name in ("quantile", "nanquantile"):
        check_op(lambda m, x, name=name: getattr(m, name)(x, m.tensor([0.2, 0.9]), dim=1), [a])


def test_quantile_out():
    x = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    for name in ("quantile", "nanquantile"):
        e_out, t_out = ember.empty(2, 3), torch.empty(2, 3)
        e = getattr(ember, name)(ember.tensor(x), ember.tensor([0.1, 0.8]), 1, out=e_out)
        getattr(torch, name)(torch.tensor(x), torch.tensor([0.1, 0.8]), 1, out=t_out)
        assert e is e_out
        assert_close(e_out, t_out)

    # torch composes quantile, so its out= joins the graph when the input requires grad
    def into_out(m, x):
        out = m.empty(2, 3)
        result = m.nanquantile(x, m.tensor([0.1, 0.8]), 1, out=out)
        assert result is out and not out.is_leaf
        return out

    check_op(into_out, [x])
    check_raises(lambda m: m.quantile(m.ones(3), 0.5, out=m.empty((), requires_grad=True)))
    check_raises(lambda m: m.quantile(m.ones(3), 0.5, out=[1.0]))
    exc = check_raises(
        lambda m: m.quantile(m.ones(3), m.tensor([0.5]), out=m.empty(1, dtype=m.float64))
    )
    assert str(exc) == "quantile() out tensor must be same dtype as the input tensor"


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.quantile(m.ones(3), 1.5),
        lambda m: m.quantile(m.ones(3), -0.5),
        lambda m: m.nanquantile(m.ones(3), 2.0),
        lambda m: m.quantile(m.ones(3), m.tensor([0.5, 1.2])),
        lambda m: m.quantile(m.ones(3), m.tensor(1.5)),
        lambda m: m.quantile(m.ones(3), m.tensor([[0.5]])),
        lambda m: m.quantile(m.ones(3), m.tensor([0.5], dtype=m.float64)),
        lambda m: m.quantile(m.ones(3, dtype=m.int64), 0.5),
        lambda m: m.nanquantile(m.ones(3, dtype=m.float16), 0.5),
        lambda m: m.quantile(m.ones(3), 0.5, interpolation="foo"),
        lambda m: m.quantile(m.empty(0), 0.5),
        lambda m: m.quantile(m.empty(0, 3), 0.5, dim=1),
        lambda m: m.quantile(m.empty(0, dtype=m.int64), 2.0),  # q's range is checked first
        lambda m: m.quantile(m.ones(3), m.ones(2, 2), interpolation="x"),
        lambda m: m.quantile(m.ones(2, dtype=m.int64), m.ones(2, 2)),
        lambda m: m.quantile(m.ones(2), m.ones(2) * 3, dim=4),
        lambda m: m.quantile(m.ones(2), m.ones(2, dtype=m.float64), dim=4),
        lambda m: m.quantile(m.ones(3, 4), 0.5, dim=2),
    ],
)
def test_quantile_errors(fn):
    t_exc = None
    try:
        fn(torch)
    except Exception as ex:  # noqa: BLE001
        t_exc = ex
    e_exc = check_raises(fn)
    assert str(e_exc) == str(t_exc)


def test_quantile_signature_errors():
    check_raises(lambda m: m.quantile(m.ones(3), [0.1]))
    check_raises(lambda m: m.quantile([1.0, 2.0], 0.5))
    check_raises(lambda m: m.quantile(m.ones(3), 0.5, dim=(0,)))
    check_raises(lambda m: m.ones(3).quantile(0.5, out=m.empty(())))


# -- attributes ----------------------------------------------------------------------------------
def test_sizes_and_flags():
    for dtype in ("float32", "float16", "float64", "int64", "int8", "bool", "complex64"):
        e, t = (
            ember.zeros(2, 3, dtype=getattr(ember, dtype)),
            torch.zeros(2, 3, dtype=getattr(torch, dtype)),
        )
        assert (e.itemsize, e.nbytes) == (t.itemsize, t.nbytes)
    e, t = ember.ones(2).expand(3, 2), torch.ones(2).expand(3, 2)
    assert e.nbytes == t.nbytes
    x = ember.ones(2, 3, requires_grad=True)
    assert x.is_cpu is True and x.is_inference() is False and x.output_nr == 0
    assert [p.output_nr for p in x.unbind(0)] == [0, 1]
    assert (x * 2).output_nr == 0
    assert not x.is_neg() and not x.is_conj() and not ember.is_conj(x) and not ember.is_neg(x)


def _layouts(m):
    yield m.zeros(2, 3)
    yield m.zeros(2, 3).t()
    yield m.zeros(2, 3, 4, 5).permute(0, 2, 3, 1)
    yield m.zeros(4, 1, 3).permute(2, 1, 0)
    yield m.zeros(1, 3).t()
    yield m.zeros(1, 4).expand(3, 4)
    yield m.zeros(4, 1).expand(4, 3)
    yield m.zeros(1, 1, 3, 3).permute(0, 1, 3, 2)[:, :, :1].expand(1, 1, 3, 3)
    yield m.zeros(2, 3, 4)[:, ::2]
    yield m.zeros(0, 3)
    yield m.zeros(())


def test_dim_order():
    for e, t in zip(_layouts(ember), _layouts(torch)):
        assert e.dim_order() == t.dim_order(), (tuple(t.shape), t.stride())
        t_exc = None
        try:
            want = t.dim_order(ambiguity_check=True)
        except RuntimeError as ex:
            t_exc = ex
        if t_exc is None:
            assert e.dim_order(ambiguity_check=True) == want
        else:
            with pytest.raises(RuntimeError, match="does not have unique dim order"):
                e.dim_order(ambiguity_check=True)
    check_raises(lambda m: m.zeros(2, 3).dim_order(ambiguity_check=3))
    check_raises(lambda m: m.zeros(2, 3).dim_order(True))
    for fmts in (["contiguous_format"], ["contiguous_format", "channels_last"], []):
        for shape in ((2, 3, 4, 1), (1, 3), (2, 3, 4, 5)):

            def fn(m, fmts=fmts, shape=shape):
                return m.zeros(shape).dim_order(ambiguity_check=[getattr(m, f) for f in fmts])

            try:
                want = fn(torch)
            except RuntimeError:
                check_raises(fn)
            else:
                assert fn(ember) == want


def test_real_tensor_complex_queries():
    x = ember.tensor([-1.0, 0.0, 2.0, float("nan"), -0.0], requires_grad=True)
    for name in ("conj", "conj_physical", "resolve_conj", "resolve_neg"):
        assert getattr(x, name)() is x and getattr(ember, name)(x) is x
    assert x.real is x and ember.real(x) is x
    exc = check_raises(lambda m: m.ones(2).imag)
    assert str(exc) == "imag is not implemented for tensors with non-complex dtypes."
    check_raises(lambda m: m.imag(m.ones(2)))
    assert_close(ember.tensor([1, 2]).isreal(), torch.tensor([1, 2]).isreal())
    assert_close(ember.isreal(ember.ones(2, 3)), torch.isreal(torch.ones(2, 3)))
    check_raises(lambda m: m.ones(2, requires_grad=True).conj_physical_())


def test_angle_of_reals():
    vals = np.array([-1.5, 0.0, 2.0, np.nan, -0.0, -np.inf], np.float32)
    check_op(lambda m, x: x.angle(), [vals])
    check_op(lambda m, x: m.angle(x), [(3, 4)], dtype=np.float64)
    for data in ([-1, 0, 2], [True, False]):
        assert_close(ember.angle(ember.tensor(data)), torch.angle(torch.tensor(data)))
    x = ember.tensor([-1.0], requires_grad=True)
    assert x.angle().grad_fn.name() == "AngleBackward0"
    e_out, t_out = ember.empty(2), torch.empty(2)
    assert_close(
        ember.angle(ember.tensor([1.0, -1.0]), out=e_out),
        torch.angle(torch.tensor([1.0, -1.0]), out=t_out),
    )
    check_raises(lambda m: m.angle(m.tensor([1, -1]), out=m.empty(2, dtype=m.int64)))


# -- resize_ and other in-place methods -----------------------------------------------------------
def test_resize_keeps_memory_as_torch():
    steps = [
        lambda x: x.resize_(2),
        lambda x: x.resize_(2, 3),  # growing back within the memory shows the old values
        lambda x: x.resize_((3, 2)),
        lambda x: x.resize_([1, 6]),
        lambda x: x.resize_as_(x.new_zeros(2, 2)),
    ]
    e, t = ember.arange(6.0), torch.arange(6.0)
    for step in steps:
        assert step(e) is e
        step(t)
        assert_close(e, t)
    e, t = ember.arange(6.0).view(2, 3).t(), torch.arange(6.0).view(2, 3).t()
    e.resize_(3, 2), t.resize_(3, 2)  # same shape: nothing changes
    assert_close(e, t)
    assert e.stride() == t.stride()
    e.resize_(2, 2), t.resize_(2, 2)  # new shape: row-major over the memory
    assert_close(e, t)
    eb, tb = ember.arange(6.0), torch.arange(6.0)
    ev, tv = eb[2:], tb[2:]
    # (tolist, not numpy: torch cannot grow memory that NumPy has seen)
    ev.resize_(2, 2), tv.resize_(2, 2)  # a view starts at its own offset in the memory
    assert ev.tolist() == tv.tolist()
    ev.resize_(10), tv.resize_(10)  # growing: torch's new elements are uninitialised
    assert ev[:4].tolist() == tv[:4].tolist()
    assert eb.tolist() == tb.tolist()


def test_resize_errors():
    check_raises(lambda m: m.ones(3, requires_grad=True).resize_(2))
    check_raises(lambda m: m.ones(3).resize_(-1))
    check_raises(lambda m: m.ones(3).resize_(2.0))
    check_raises(lambda m: m.ones(3).resize_as_([2]))
    exc = check_raises(lambda m: m.ones(3).resize_(2, memory_format=m.channels_last))
    assert str(exc) == "required rank 4 tensor to use channels_last format"
    with ember.no_grad():
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            ember.ones(3, requires_grad=True).resize_(2)


def test_deprecated_resize():
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        check_op(lambda m, x: x.resize(2, 3), [(6,)])
    with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
        check_op(lambda m, x: x.resize_as(m.ones(3, 2)), [(2, 3)])
    for fn in (
        lambda m: m.arange(6.0).view(2, 3).resize(4, 2),
        lambda m: m.arange(6.0).view(2, 3).resize_as(m.ones(4, 2)),
        lambda m: m.arange(6.0).resize((2, 3)),
    ):
        with pytest.warns(UserWarning):
            t_msg = str(check_raises(fn, fn))
        with pytest.warns(UserWarning), pytest.raises(RuntimeError) as t_exc:
            fn(torch)
        assert t_msg == str(t_exc.value)


def test_binary_inplace_methods():
    rng = np.random.default_rng(5)
    a, b = rng.integers(-20, 20, (3, 4)), rng.integers(-20, 20, (4,))
    for name in ("gcd_", "lcm_"):
        e, t = ember.tensor(a), torch.tensor(a)
        assert getattr(e, name)(ember.tensor(b)) is e
        getattr(t, name)(torch.tensor(b))
        assert_close(e, t)
    x, y = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    x[0, :2] = 0
    cases = [
        ("heaviside_", ember.tensor(y), torch.tensor(y)),
        ("nextafter_", ember.tensor(y), torch.tensor(y)),
        ("ldexp_", ember.tensor([1, 2, -3, 0]), torch.tensor([1, 2, -3, 0])),
    ]
    for name, eo, to in cases:
        e, t = ember.tensor(x), torch.tensor(x)
        assert getattr(e, name)(eo) is e
        getattr(t, name)(to)
        assert_close(e, t)
    check_raises(lambda m: m.tensor([4.0, 6]).gcd_(m.tensor([6, 4])))
    check_raises(lambda m: m.tensor([1, 2]).ldexp_(m.tensor([2, 3])))
    check_raises(lambda m: m.tensor([1.0, 2], requires_grad=True).ldexp_(m.tensor([2, 3])))


def test_inplace_gradients():
    def fn(m, x):
        y = x * 1
        y.ldexp_(m.tensor([1, 2, 3]))
        z = x.double() * 1
        z.float_power_(2)
        return y, z

    check_op(fn, [(3,)], low=0.5)
    check_op(lambda m, x: (x * 1).nextafter_(m.zeros(3)), [(3,)])


def test_float_power_():
    e, t = (
        ember.tensor([1.5, 2.0], dtype=ember.float64),
        torch.tensor([1.5, 2.0], dtype=torch.float64),
    )
    assert e.float_power_(ember.tensor([2.0, 3.0])) is e
    t.float_power_(torch.tensor([2.0, 3.0]))
    assert_close(e, t)
    for fn in (
        lambda m: m.ones(3).float_power_(2),
        lambda m: m.ones(2, dtype=m.float64).float_power_(m.tensor([1 + 1j])),
    ):
        t_msg = str(check_raises(fn, fn))
        try:
            fn(torch)
        except RuntimeError as ex:
            assert t_msg == str(ex)


def test_new_empty_strided_and_unsafe_split():
    for stride in ((3, 1), (1, 2)):
        e = ember.ones(2).new_empty_strided((2, 3), stride)
        t = torch.ones(2).new_empty_strided((2, 3), stride)
        assert (e.shape, e.stride(), e.dtype.name) == (t.shape, t.stride(), str(t.dtype)[6:])
    assert ember.ones(2).new_empty_strided((2, 3), (3, 1), dtype=ember.int64).dtype == ember.int64
    check_op(lambda m, x: x.unsafe_split_with_sizes([2, 4]), [(6, 2)])
    check_op(lambda m, x: m.unsafe_split_with_sizes(x, [1, 1], dim=1), [(6, 2)])
    check_raises(lambda m: m.arange(6.0).unsafe_split_with_sizes([2, 3]))


def test_hardshrink_prelu_methods():
    check_op(lambda m, x: x.hardshrink(), [(3, 4)])
    check_op(lambda m, x: x.hardshrink(0.9), [(3, 4)])
    check_op(lambda m, x, w: x.prelu(w), [(2, 3, 4), (3,)])
    check_raises(lambda m: m.ones(2, 3).prelu(m.ones(2)))


# -- complex tensors -----------------------------------------------------------------------------
NAN, INF = float("nan"), float("inf")
REPRS = [
    "zeros(2, dtype=M.complex64)",
    "zeros(2, dtype=M.complex128)",
    "zeros(30, dtype=M.complex64)",
    "tensor([1+2j, 3.5-1j])",
    "tensor([1+2j, 3-1j])",
    "tensor([1.123456+2j, 3-1e-5j])",
    "tensor([1e10+2j, 3-1j])",
    "tensor([1+2j, 3-1j], dtype=M.complex128)",
    "tensor(1+2j)",
    "tensor(1.5-2.25j, requires_grad=True)",
    "tensor([complex(NAN, 1), complex(INF, -2)])",
    "tensor([complex(1, NAN), complex(1, -INF), 2+1j])",
    "tensor([[1+2j, -3-4j], [5.5j, -6]])",
    "tensor([], dtype=M.complex64)",
    "tensor([0.0001+1000j])",
    "tensor([complex(-0.0, 0.0), 1j, complex(1, -0.0)])",
    "tensor([123456789+1j])",
    "tensor([1e-5+1j, 2])",
    "tensor([100+1e-3j, 2])",
    "tensor([1+10j, 1+1j, 1-100j] * 10)",
    "tensor([1.5+10j, 1+1.5j, 1-100j] * 10)",
    "tensor([[[1+2j] * 3] * 2] * 2)",
    "arange(2000).to(M.complex64)",
    "tensor(RNG.standard_normal((3, 40)) * 1000 + 1j * RNG.standard_normal((3, 40)))",
    "tensor([1+2j], requires_grad=True) * 2",
]


@pytest.mark.parametrize("expr", REPRS)
def test_complex_repr(expr):
    def build(m):
        env = {"M": m, "NAN": NAN, "INF": INF, "RNG": np.random.default_rng(0)}
        env.update({k: getattr(m, k) for k in ("zeros", "tensor", "arange")})
        return repr(eval(expr, env))  # noqa: S307 - test expressions written above

    assert build(ember).replace("ember.", "torch.") == build(torch)


def test_complex_repr_options():
    def reprs(m):
        out = []
        try:
            m.set_printoptions(sci_mode=True)
            out.append(repr(m.tensor([1 + 2j, 3.5 - 1j])))
            m.set_printoptions(precision=2, sci_mode=False)
            out.append(repr(m.tensor([1.123 + 2j, 3.5 - 1j])))
            m.set_printoptions(profile="default")
            m.set_default_dtype(m.float64)
            out.append(repr(m.tensor([1.123 + 2j])) + repr(m.tensor([2j], dtype=m.complex64)))
        finally:
            m.set_printoptions(profile="default")
            m.set_default_dtype(m.float32)
        return out

    assert [r.replace("ember.", "torch.") for r in reprs(ember)] == reprs(torch)


def _pair(seed=0, shape=(2, 3)):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape).astype(
        np.float32
    )


def test_complex_and_polar():
    re, im = _pair()
    re = np.abs(re)  # a magnitude for polar (torch's gradient flips sign for a negative one)
    for fn in ("complex", "polar"):
        check_op(lambda m, a, b, fn=fn: getattr(m, fn)(a, b), [re, im], grad=False)
        check_op(lambda m, a, b, fn=fn: m.view_as_real(getattr(m, fn)(a, b)), [re, im])
        check_op(
            lambda m, a, b, fn=fn: getattr(m, fn)(a, b),
            [re.astype(np.float64), im[:1].astype(np.float64)],
            grad=False,
        )
        out_e, out_t = (
            ember.empty(2, 3, dtype=ember.complex64),
            torch.empty(2, 3, dtype=torch.complex64),
        )
        getattr(ember, fn)(ember.tensor(re), ember.tensor(im), out=out_e)
        getattr(torch, fn)(torch.tensor(re), torch.tensor(im), out=out_t)
        assert_close(out_e, out_t)
        for bad in (
            lambda m, fn=fn: getattr(m, fn)(m.ones(2), m.ones(2, dtype=m.float64)),
            lambda m, fn=fn: getattr(m, fn)(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64)),
            lambda m, fn=fn: getattr(m, fn)(m.ones(2), m.ones(3)),
        ):
            t_exc = check_raises(bad, bad)
            try:
                bad(torch)
            except RuntimeError as ex:
                assert str(t_exc) == str(ex)
        check_raises(lambda m, fn=fn: getattr(m, fn)(m.ones(2), 1.0))


def test_complex_parts():
    re, im = _pair(1)
    z = (re + 1j * im).astype(np.complex64)
    z[0, 0] = 0
    e, t = ember.tensor(z), torch.tensor(z)
    for name in ("real", "imag"):
        assert_close(getattr(e, name), getattr(t, name))
        assert_close(getattr(ember, name)(e), getattr(torch, name)(t))
    for name in ("angle", "abs", "conj", "conj_physical", "isreal", "resolve_conj", "sgn"):
        assert_close(getattr(e, name)(), getattr(t, name)().resolve_conj())
    assert_close(ember.view_as_real(e), torch.view_as_real(t))
    assert_close(e.conj_physical_(), t.conj_physical_())
    assert_close(
        ember.isreal(ember.tensor([1 + 1j, 2, 1j])), torch.isreal(torch.tensor([1 + 1j, 2, 1j]))
    )
    assert e.itemsize == t.itemsize and e.nbytes == t.nbytes
    assert ember.is_complex(e) and not ember.is_complex(ember.ones(2))
    assert_close(ember.conj_physical_(e), torch.conj_physical_(t))
    for name in ("cfloat", "cdouble"):
        assert_close(getattr(ember.tensor(re), name)(), getattr(torch.tensor(re), name)())


def test_complex_parts_share_memory():
    for m in (ember, torch):
        z = m.tensor([1 + 2j, 3 - 4j])
        z.real[0] = 10  # real and imag are views
        z.imag.mul_(2)
        r = m.view_as_real(z)
        r[1, 0] = -7
        z.real = m.tensor([z.real[0].item(), z.real[1].item() + 1])
        zs = m.view_as_complex(m.tensor([[1.0, 2.0], [3.0, 4.0]]))
        if m is ember:
            got = (z, zs, z.real.stride())
        else:
            assert_close(got[0], z)
            assert_close(got[1], zs)
            assert got[2] == z.real.stride()
    base = ember.zeros(3, 2)
    view = ember.view_as_complex(base)
    view.real.fill_(5)
    assert base[:, 0].tolist() == [5.0, 5.0, 5.0]


def test_view_as_complex_layouts_and_errors():
    a = np.random.default_rng(2).standard_normal((4, 3, 2)).astype(np.float32)
    check_op(lambda m, x: m.view_as_complex(x).abs(), [a])
    check_op(lambda m, x: m.view_as_complex(x[:, ::2]).abs(), [a])
    check_op(lambda m, x: m.view_as_complex(x[0, 0]).abs(), [a])
    for fn in (
        lambda m: m.view_as_complex(m.ones(3, 3)),
        lambda m: m.view_as_complex(m.ones(2, 3).t()),
        lambda m: m.view_as_complex(m.ones(3, 2, dtype=m.int64)),
        lambda m: m.view_as_complex(m.ones(())),
        lambda m: m.view_as_complex(m.ones(4, 3, 1).expand(4, 3, 2)),
        lambda m: m.view_as_real(m.ones(2)),
    ):
        e_exc = check_raises(fn)
        try:
            fn(torch)
        except RuntimeError as ex:
            assert str(e_exc) == str(ex)


def test_complex_gradients():
    z = (np.array([1 + 2j, -3 + 0.5j, 0j])).astype(np.complex64)
    cases = [
        lambda m, x: m.view_as_real(x).pow(2).sum(),
        lambda m, x: (x.real**2 + x.imag * 3).sum(),
        lambda m, x: m.angle(x).sum(),
        lambda m, x: m.view_as_real(x.conj_physical()).pow(3).sum(),
    ]
    for fn in cases:
        e, t = (
            ember.tensor(z.copy(), requires_grad=True),
            torch.tensor(z.copy(), requires_grad=True),
        )
        fn(ember, e).backward()
        fn(torch, t).backward()
        assert_close(e.grad, t.grad)
