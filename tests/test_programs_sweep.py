"""Differences found by running small realistic programs on both libraries, one test per fix."""

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises

import ember


def _modes_seen(lib):
    """Grad modes seen inside decorated functions and generators, and after them."""
    seen = []

    @lib.no_grad()
    def gen(n):
        for i in range(n):
            got = yield lib.ones(1, requires_grad=True) * i
            seen.append(("in", got, lib.is_grad_enabled()))
        return "done"

    g = gen(2)
    seen.append((next(g).requires_grad, lib.is_grad_enabled()))
    seen.append((g.send(5).requires_grad, lib.is_grad_enabled()))
    with pytest.raises(StopIteration) as stop:
        g.send(6)
    seen.append(stop.value.value)

    @lib.set_grad_enabled(False)
    def off(x):
        return x * 2

    seen.append(lib.is_grad_enabled())  # decorating must not switch recording off
    seen.append((off(lib.ones(1, requires_grad=True)).requires_grad, lib.is_grad_enabled()))

    @lib.no_grad
    def bare(x):
        return x * 2

    @lib.enable_grad
    def bare_on(x):
        return x * 2

    @lib.inference_mode
    def bare_inf(x):
        return x * 2, lib.is_inference_mode_enabled()

    seen.append(bare(lib.ones(1, requires_grad=True)).requires_grad)
    with lib.no_grad():
        seen.append(bare_on(lib.ones(1, requires_grad=True)).requires_grad)
    y, inf = bare_inf(lib.ones(1, requires_grad=True))
    seen.append((y.requires_grad, inf, lib.is_inference_mode_enabled()))
    seen.append((bare.__name__, off.__name__, gen.__name__))
    return seen


def test_grad_mode_decorators_on_generators_and_bare():
    assert _modes_seen(ember) == _modes_seen(torch)


@pytest.mark.parametrize(
    "shape,kw",
    [
        ((2, 3, 7), {"size": 3}),
        ((1, 2, 5, 6), {"scale_factor": 0.5}),
        ((1, 2, 4, 4), {"size": (6, 3)}),
        ((1, 1, 4, 5, 6), {"size": (2, 3, 4)}),
    ],
)
def test_interpolate_area_mode(shape, kw):
    check_op(lambda t, x: t.nn.functional.interpolate(x, mode="area", **kw), [shape])


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize(
    "kw",
    [
        {"size": (3, 5)},
        {"size": (9, 2), "align_corners": True},
        {"scale_factor": 0.4},
        {"scale_factor": 1.7, "align_corners": True},
        {"size": (1, 11)},
    ],
)
def test_interpolate_antialias(mode, kw):
    check_op(
        lambda t, x: t.nn.functional.interpolate(x, mode=mode, antialias=True, **kw),
        [(2, 3, 8, 7)],
    )


def test_interpolate_antialias_bad_mode():
    for mode, shape in [("nearest", (1, 1, 4, 4)), ("linear", (1, 1, 4)), ("area", (1, 1, 4, 4))]:
        e = check_raises(
            lambda t, mode=mode, shape=shape: t.nn.functional.interpolate(
                t.ones(shape), scale_factor=0.5, mode=mode, antialias=True
            )
        )
        assert "Anti-alias option is restricted" in str(e)


@pytest.mark.parametrize(
    "make",
    [
        lambda t: [t.ones(1, 1), t.ones(1, 1) * 2],
        lambda t: [[t.tensor(1.0)], [t.tensor([2.0])]],
        lambda t: [t.tensor([1.5], dtype=t.float64)],
        lambda t: [t.tensor(1, dtype=t.int8), t.tensor(2, dtype=t.int8)],
        lambda t: [t.tensor(1), t.tensor([2.0])],
    ],
)
def test_tensor_from_list_of_one_element_tensors(make):
    assert_close(ember.tensor(make(ember)), torch.tensor(make(torch)))


@pytest.mark.parametrize(
    "make",
    [
        lambda t: [t.tensor([1.0, 2.0]), t.tensor([3.0, 4.0])],
        lambda t: ["a"],
        lambda t: "abc",
        lambda t: [[1, "a"]],
    ],
)
def test_tensor_from_bad_lists(make):
    e = check_raises(lambda t: t.tensor(make(t)))
    with pytest.raises(type(e)) as t_exc:
        torch.tensor(make(torch))
    assert str(e) == str(t_exc.value)


def test_arange_step_sign_message():
    e = check_raises(lambda t: t.arange(0, 5, -1))
    assert "upper bound and lower bound inconsistent with step sign" in str(e)


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t.tensor([3, -100], dtype=t.int8).add_(300),
        lambda t: t.tensor([3], dtype=t.uint8).sub_(5),
        lambda t: t.tensor([3, 7], dtype=t.int8).mul_(100),
        lambda t: t.tensor([3], dtype=t.int32).add_(2**40),
    ],
)
def test_inplace_int_python_scalar_wraps(op):
    assert_close(op(ember), op(torch))


def test_inplace_float_by_complex_scalar_raises():
    e = check_raises(lambda t: t.tensor([3.0]).add_(1j))
    assert "can't be cast to the desired output type Float" in str(e)


def test_searchsorted_sorter_and_checks():
    for fn in [
        lambda t: t.searchsorted(
            t.tensor([5, 1, 3]), t.tensor([0, 2, 4, 6]), sorter=t.tensor([1, 2, 0])
        ),
        lambda t: t.searchsorted(
            t.tensor([[5, 1, 3], [2, 6, 4]]),
            t.tensor([[2, 4], [3, 5]]),
            sorter=t.tensor([[1, 2, 0], [0, 2, 1]]),
            side="right",
        ),
    ]:
        assert_close(fn(ember), fn(torch))
    s = [[1, 3, 5], [2, 4, 6]]
    for fn in [
        lambda t: t.searchsorted(t.tensor(s), t.tensor([[1], [2], [3]])),
        lambda t: t.searchsorted(t.tensor([1, 2]), t.tensor([1]), side="left", right=True),
        lambda t: t.searchsorted(t.tensor([1, 2]), t.tensor([1]), side="up"),
        lambda t: t.searchsorted(t.tensor([3, 1]), t.tensor([1]), sorter=t.tensor([1])),
        lambda t: t.searchsorted(t.tensor(s), 3),
        lambda t: t.bucketize(t.tensor([1]), t.tensor(s)),
    ]:
        e = check_raises(fn)
        with pytest.raises(RuntimeError) as t_exc:
            fn(torch)
        assert str(e) == str(t_exc.value)


def test_dot_mv_inner_tensordot_dtypes_and_inner_nd():
    fns = [
        lambda t: t.inner(t.arange(6.0).reshape(2, 3), t.arange(12.0).reshape(4, 3)),
        lambda t: t.arange(6.0).reshape(2, 3).inner(t.arange(3.0)),
        lambda t: t.inner(t.arange(3.0), t.tensor(2.0)),
        lambda t: t.tensordot(t.ones(2, 3), t.arange(12.0).reshape(4, 3), dims=([-1], [1])),
    ]
    for fn in fns:
        assert_close(fn(ember), fn(torch))
    for fn in [
        lambda t: t.dot(t.ones(2), t.ones(2, dtype=t.int64)),
        lambda t: t.mv(t.ones(2, 2), t.ones(2, dtype=t.int64)),
        lambda t: t.inner(t.ones(2, 3), t.ones(2)),
        lambda t: t.inner(t.ones(3), t.ones(3, dtype=t.int64)),
        lambda t: t.ones(2) @ t.ones(2, dtype=t.int64),
    ]:
        e = check_raises(fn)
        with pytest.raises(RuntimeError) as t_exc:
            fn(torch)
        assert str(e) == str(t_exc.value)


def test_tensor_contains():
    def probe(t):
        x = t.arange(6.0).reshape(2, 3)
        found = [
            2 in x,
            2.5 in x,
            np.float32(5) in x,
            t.tensor([9.0, 9.0, 9.0]) in x,
            t.tensor([3.0, 0.0, 0.0]) in x,
            True in t.tensor([True]),
        ]
        return found

    assert probe(ember) == probe(torch)
    for el in ["a", [1], None]:
        e = check_raises(lambda t, el=el: el in t.arange(3))
        assert "Tensor.__contains__ only supports Tensor or scalar" in str(e)


def test_conv_transpose_output_size_checks():
    def out(t, nd, shape, size, **kw):
        conv = getattr(t.nn, f"ConvTranspose{nd}d")(1, 1, 3, stride=2, **kw)
        return conv(t.ones(shape), output_size=size)

    for nd, shape, size in [(2, (1, 1, 4, 4), [10, 9]), (1, (1, 1, 5), (1, 1, 12))]:
        assert tuple(out(ember, nd, shape, size).shape) == tuple(out(torch, nd, shape, size).shape)
    for nd, shape, size, kw in [
        (2, (1, 1, 4, 4), [12, 12], {}),
        (2, (1, 1, 4, 4), [12], {}),
        (2, (1, 1, 4, 4), (3, 3, 12, 12), {}),
        (1, (1, 1, 4), [12], {}),
        (2, (1, 4, 4), [12, 12], {}),
        (2, (1, 1, 4, 4), [11, 11], {"dilation": 3, "padding": 2}),
    ]:
        e = check_raises(lambda t, a=(nd, shape, size), kw=kw: out(t, *a, **kw))
        with pytest.raises(ValueError) as t_exc:
            out(torch, nd, shape, size, **kw)
        assert str(e).replace("ember.", "torch.") == str(t_exc.value)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_rand_randn_complex_same_seed(dtype):
    def draw(t):
        t.manual_seed(0)
        dt = getattr(t, dtype)
        x = t.zeros(2, 5, dtype=dt)
        return [
            t.randn(3, 4, dtype=dt),
            t.rand(5, dtype=dt),
            t.randn_like(x),
            t.rand_like(x.t()),
            t.randn(7),
        ]

    assert_close(draw(ember), draw(torch), rtol=0, atol=0)


def test_einsum_subscript_size_errors():
    for fn in [
        lambda t: t.einsum("ij,jk", t.ones(2, 3), t.ones(4, 2)),
        lambda t: t.einsum("ii", t.ones(2, 3)),
        lambda t: t.einsum("i,i,i", t.ones(1), t.ones(3), t.ones(4)),
        lambda t: t.einsum("...ij,...jk", t.ones(5, 2, 3), t.ones(5, 4, 2)),
    ]:
        e = check_raises(fn)
        with pytest.raises(RuntimeError) as t_exc:
            fn(torch)
        assert str(e) == str(t_exc.value)
    for fn in [
        lambda t: t.einsum("ij,jk->ik", t.ones(2, 1), t.ones(4, 2)),
        lambda t: t.einsum("bi,bi->b", t.ones(1, 3), t.arange(12.0).reshape(4, 3)),
    ]:
        assert_close(fn(ember), fn(torch))


def test_view_reshape_ambiguous_minus_one_on_empty():
    for fn in [
        lambda t: t.zeros(0, 3).view(-1, 0),
        lambda t: t.zeros(0, 3).reshape(0, -1),
        lambda t: t.zeros(6).view(-1, 0),
    ]:
        e = check_raises(fn)
        with pytest.raises(RuntimeError) as t_exc:
            fn(torch)
        assert str(e) == str(t_exc.value)
    assert_close(ember.zeros(0, 3).view(-1, 3), torch.zeros(0, 3).view(-1, 3))


def test_full_backward_hook_on_outputs_only_warns_at_user_line():
    def run(t):
        m = t.nn.Linear(3, 2)
        seen = []
        m.register_full_backward_hook(lambda mod, gin, gout: seen.append(gin))
        out = m(t.ones(4, 3))
        with pytest.warns(UserWarning, match="Full backward hook is firing") as rec:
            out.sum().backward()
        return seen, [w.filename for w in rec if "Full backward" in str(w.message)]

    (e_seen, e_files), (t_seen, t_files) = run(ember), run(torch)
    assert e_seen == t_seen == [(None,)]
    assert e_files == t_files == [__file__]


def test_cross_without_dim_warns_once_at_user_line():
    def run(t):
        with pytest.warns(UserWarning) as rec:
            t._C._set_warnAlways(True) if t is torch else t.set_warn_always(True)
            try:
                a = t.cross(t.eye(3), t.ones(3, 3))
            finally:
                t._C._set_warnAlways(False) if t is torch else t.set_warn_always(False)
        hits = [w for w in rec if "without specifying the dim arg" in str(w.message)]
        return a, [w.filename for w in hits], str(hits[0].message).split(" (Triggered")[0]

    (ea, ef, em), (ta, tf, tm) = run(ember), run(torch)
    assert_close(ea, ta)
    assert ef == tf == [__file__]
    assert em == tm


def test_rand_like_on_views_same_seed():
    def draw(t):
        t.manual_seed(0)
        h = t.zeros(8, 4)
        views = [
            h.chunk(2, dim=1)[0],  # gaps: torch draws as for a contiguous tensor
            t.zeros(4, 5)[::2],
            t.zeros(4).expand(3, 4),
            t.zeros(4, 20).t(),  # dense: drawn in memory order
            t.zeros(3, 4, 5).permute(2, 0, 1)[:, 1:],
        ]
        return [f(v) for v in views for f in (t.randn_like, t.rand_like)]

    assert_close(draw(ember), draw(torch), rtol=0, atol=0)


def test_inplace_writes_through_diagonal_views():
    def run(t):
        t.manual_seed(0)
        e = t.zeros(3, 3)
        e.diagonal().fill_(1)
        e.diagonal(1).add_(2)
        t.diagonal(e, -1).copy_(t.tensor([5.0, 6.0]))
        b = t.zeros(2, 3, 3)
        b.diagonal(dim1=-2, dim2=-1).normal_()
        x = t.arange(9.0).reshape(3, 3).requires_grad_()
        y = x * 2
        y.diagonal().mul_(t.tensor([1.0, 2.0, 3.0]))
        y.sum().backward()
        return [e, b, y, x.grad]

    assert_close(run(ember), run(torch))
    fill = lambda t: t.zeros(3).expand(3, 3).diagonal().fill_(1)  # noqa: E731
    assert_close(fill(ember), fill(torch))


@pytest.mark.parametrize("fdt", ["float32", "float64"])
@pytest.mark.parametrize("cdt", ["complex64", "complex128"])
def test_float_complex_promotion(fdt, cdt):
    def run(t):
        f, c = getattr(t, fdt), getattr(t, cdt)
        a, z = t.tensor([1.5, -2.0], dtype=f), t.tensor([1 + 2j, 3 - 1j], dtype=c)
        a0, z0 = t.tensor(0.5, dtype=f), t.tensor(2 - 1j, dtype=c)
        return [a + z, z * a, a + z0, z0 - a, a0 + z, a0 * z0, t.cat([a, z])]

    assert_close(run(ember), run(torch))
    f, c = getattr(ember, fdt), getattr(ember, cdt)
    tf, tc = getattr(torch, fdt), getattr(torch, cdt)
    want = str(torch.promote_types(tf, tc)).replace("torch", "ember")
    assert str(ember.promote_types(f, c)) == want


def test_set_default_dtype_messages():
    for arg in ["int64", "complex64", "bool", None]:
        e = check_raises(lambda t, a=arg: t.set_default_dtype(getattr(t, a) if a else "x"))
        with pytest.raises(TypeError) as t_exc:
            torch.set_default_dtype(getattr(torch, arg) if arg else "x")
        assert str(e) == str(t_exc.value)
    assert ember.get_default_dtype() is ember.float32


def test_copy_construct_warning_and_deprecated_upsample_messages():
    def run(t):
        with pytest.warns(UserWarning) as rec:
            a = t.tensor(t.ones(2, requires_grad=True))
            x = t.ones(1, 1, 2, 2)
            t.nn.functional.upsample(x, scale_factor=2)
            t.nn.functional.upsample_nearest(x, scale_factor=2)
            t.nn.functional.upsample_bilinear(x, scale_factor=2)
        return a, [(str(w.message), w.filename) for w in rec]

    (ea, ew), (ta, tw) = run(ember), run(torch)
    assert_close(ea, ta)
    assert ew == tw


def test_sdpa_mask_with_is_causal_on_flash_shapes():
    rng = np.random.default_rng(0)
    q, k, v = (
        rng.standard_normal((2, 2, 4, 8)).astype(np.float32),
        rng.standard_normal((2, 2, 5, 8)).astype(np.float32),
        rng.standard_normal((2, 2, 5, 8)).astype(np.float32),
    )
    keep = rng.random((4, 5)) > 0.3
    keep[0] = False  # a row with nothing left to attend to
    bias = rng.standard_normal((4, 5)).astype(np.float32)

    def run(t, mask):
        qt = t.tensor(q, requires_grad=True)
        out = t.nn.functional.scaled_dot_product_attention(
            qt, t.tensor(k), t.tensor(v), attn_mask=t.tensor(mask), is_causal=True
        )
        out.sum().backward()
        return out, qt.grad

    for mask in (keep, bias):
        assert_close(run(ember, mask), run(torch, mask))
    refused = [((q, k, v[..., :6]), {}), ((q, k, v), {"dropout_p": 0.5}), ((q[0], k[0], v[0]), {})]
    for shapes, kw in refused:
        e = check_raises(
            lambda t, s=shapes, kw=kw: t.nn.functional.scaled_dot_product_attention(
                *(t.tensor(a) for a in s), attn_mask=t.tensor(keep), is_causal=True, **kw
            )
        )
        assert "Explicit attn_mask should not be set when is_causal=True" in str(e)


def test_factories_requires_grad_on_integer_dtype_message():
    for fn in [
        lambda t: t.tensor([1], requires_grad=True),
        lambda t: t.nn.Parameter(t.tensor([1])),
        lambda t: t.ones(1, dtype=t.long, requires_grad=True),
        lambda t: t.zeros(2, dtype=t.int32, requires_grad=True),
        lambda t: t.arange(3, requires_grad=True),
        lambda t: t.full((1,), 2, requires_grad=True),
        lambda t: t.randint(0, 3, (2,), requires_grad=True),
    ]:
        e = check_raises(fn)
        with pytest.raises(RuntimeError) as t_exc:
            fn(torch)
        assert str(e) == str(t_exc.value)
    assert ember.nn.Parameter(ember.tensor([1]), requires_grad=False).dtype is ember.int64


@pytest.mark.parametrize(
    "data,dtype",
    [
        ([300], "int8"),
        ([2**64], "int64"),
        ([2**40], "int32"),
        ([300], "uint8"),
        (2**64, None),
        ([1, 2**63], None),
        (-(2**63) - 1, None),
    ],
)
def test_tensor_from_overflowing_python_ints(data, dtype):
    e = check_raises(lambda t: t.tensor(data, dtype=getattr(t, dtype) if dtype else None))
    with pytest.raises(type(e)) as t_exc:
        torch.tensor(data, dtype=getattr(torch, dtype) if dtype else None)
    assert str(e) == str(t_exc.value)


def test_tensor_uint8_wraps_negative_python_ints():
    for data in ([-1, 3], [-129], [2**64, 1.5]):
        dt = None if isinstance(data[-1], float) else "uint8"
        assert_close(
            ember.tensor(data, dtype=getattr(ember, dt) if dt else None),
            torch.tensor(data, dtype=getattr(torch, dt) if dt else None),
        )
