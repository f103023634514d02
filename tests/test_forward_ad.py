"""``autograd.forward_ad`` against torch: dual levels, make_dual/unpack_dual, tangents of results,
reverse mode through duals, custom Functions' ``jvp``, and the errors."""

import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as tfw
from helpers import assert_close, check_raises

import ember
import ember.autograd.forward_ad as efw

FW = {ember: efw, torch: tfw}


def _data(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.5, 1.5, s).astype(np.float32) for s in shapes]


def _both(fn):
    """``fn(m, fw)`` run with each library, the results compared."""
    assert_close(fn(ember, efw), fn(torch, tfw))


def _unpacked(out, fw):
    p, t = fw.unpack_dual(out)
    return p, t


UNARY = {
    "sin_mul": lambda m, d: d.sin() * 2,
    "exp_sum": lambda m, d: d.exp().sum(),
    "tanh_pow": lambda m, d: m.tanh(d) ** 3,
    "softmax": lambda m, d: m.softmax(d, dim=-1),
    "div_sqrt": lambda m, d: d / (d * d + 1).sqrt(),
    "index_view": lambda m, d: d[1:, ::2].t().reshape(-1),
    "matmul_self": lambda m, d: d @ d.t(),
    "broadcast": lambda m, d: d + m.arange(4.0),
    "where_relu": lambda m, d: m.where(d > 0, d, d * 0.1).relu(),
    "mean_dim": lambda m, d: d.mean(0, keepdim=True) - d.max(),
    "inplace": lambda m, d: d.clone().mul_(3).add_(1),
    "sign": lambda m, d: d.sign(),  # a derivative that ignores its gradient: zero tangent
}


@pytest.mark.parametrize("name", list(UNARY))
def test_tangent_of_results(name):
    (x, t) = _data((3, 4), (3, 4))

    def run(m, fw):
        with fw.dual_level():
            d = fw.make_dual(m.tensor(x), m.tensor(t))
            out = UNARY[name](m, d)
            return _unpacked(out, fw)

    _both(run)


def test_make_dual_and_unpack_roundtrip():
    x, t = _data((2, 3), (2, 3))
    for m, fw in FW.items():
        xt, tt = m.tensor(x), m.tensor(t)
        with fw.dual_level() as level:
            assert level == 0
            d = fw.make_dual(xt, tt)
            u = fw.unpack_dual(d)
            assert type(u).__name__ == "UnpackedDualTensor" and type(u)._fields == (
                "primal",
                "tangent",
            )
            assert isinstance(u, tuple) and u.tangent is tt and u[1] is tt
            assert u.primal.requires_grad is False and u.primal.tolist() == xt.tolist()
    _both(lambda m, fw: m.tensor(x))  # the inputs are untouched


def test_a_wider_tangent_widens_the_results_tangents():
    x, t = _data((4,), (4,), seed=8)

    def run(m, fw):
        with fw.dual_level():
            d = fw.make_dual(m.tensor(x), m.tensor(t.astype(np.float64)))
            assert fw.unpack_dual(d).tangent.dtype == m.float64
            return [*fw.unpack_dual(d.sin() * 2), fw.unpack_dual(d.sum()).tangent]

    # Ember computes the products at the primal's precision (float32)
    assert_close(run(ember, efw), run(torch, tfw), rtol=1e-5, atol=1e-6)


def test_several_duals_and_non_duals():
    a, b, c, ta, tb = _data((3,), (3,), (3,), (3,), (3,), seed=1)

    def run(m, fw):
        with fw.dual_level():
            da = fw.make_dual(m.tensor(a), m.tensor(ta))
            db = fw.make_dual(m.tensor(b), m.tensor(tb))
            plain = m.tensor(c)
            out = (da * db).exp() + plain * da
            none = [
                fw.unpack_dual(plain).tangent,
                fw.unpack_dual(out.detach()).tangent,
                fw.unpack_dual(out.argmax()).tangent,
            ]
            assert none == [None, None, None]
            return list(fw.unpack_dual(out)) + [fw.unpack_dual(plain * 2).primal]

    _both(run)


def test_results_lose_their_tangent_outside_the_level():
    x, t = _data((4,), (4,), seed=2)

    def run(m, fw):
        with fw.dual_level():
            out = fw.make_dual(m.tensor(x), m.tensor(t)).cos()
        assert fw.unpack_dual(out).tangent is None
        assert fw.unpack_dual(out, level=0).tangent is None
        with fw.dual_level():  # a new level does not bring the old tangent back
            assert fw.unpack_dual(out).tangent is None
            inside = fw.unpack_dual(out * 2)
        assert inside.tangent is None and inside.primal.requires_grad is False
        return inside.primal, fw.unpack_dual(out).primal

    _both(run)


def test_enter_exit_and_decorator():
    x, t = _data((3,), (3,), seed=3)
    for m, fw in FW.items():
        assert fw.enter_dual_level() == 0
        fw.exit_dual_level(level=0)
        assert fw.enter_dual_level() == 0
        fw.exit_dual_level()

        @fw.dual_level()
        def f(a, fw=fw, m=m):
            return fw.unpack_dual(fw.make_dual(a, m.tensor(t)) * 3).tangent

        np.testing.assert_allclose(f(m.tensor(x)).numpy(), t * 3, rtol=1e-6)
        with pytest.raises(ValueError):
            with fw.dual_level():
                raise ValueError("the level closes on an exception")
        assert fw.enter_dual_level() == 0  # closed: no nesting error
        fw.exit_dual_level()


def test_reverse_mode_through_duals():
    x, t = _data((5,), (5,), seed=4)

    def run(m, fw):
        xr = m.tensor(x, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(xr, m.tensor(t))
            out = (d**3).sum() + d.sin().sum()
            primal, tangent = fw.unpack_dual(out)
            assert primal.requires_grad and tangent.requires_grad
            (gx,) = m.autograd.grad(tangent, xr, retain_graph=True)  # reverse over forward
            primal.backward()
        return primal, tangent, gx, xr.grad

    _both(run)


def test_functional_layers_on_duals():
    x, t, w, b = _data((4, 3), (4, 3), (5, 3), (5,), seed=5)

    def run(m, fw):
        with fw.dual_level():
            d = fw.make_dual(m.tensor(x), m.tensor(t))
            h = m.nn.functional.linear(d, m.tensor(w), m.tensor(b))
            out = m.nn.functional.log_softmax(m.nn.functional.gelu(h), dim=1)
            return list(fw.unpack_dual(out))

    _both(run)


def _functions(m):
    class Exp(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            ctx.k = k
            return x.exp() * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.exp() * ctx.k, None

        @staticmethod
        def jvp(ctx, xt, kt):
            assert kt is None
            (x,) = ctx.saved_tensors
            return xt * x.exp() * ctx.k

    class SinCos(m.autograd.Function):  # torch 2 style: forward without ctx, then setup_context
        @staticmethod
        def forward(x, y):
            return x.sin() * y, x.cos()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)
            ctx.save_for_forward(*inputs)

        @staticmethod
        def backward(ctx, a, b):
            x, y = ctx.saved_tensors
            return a * x.cos() * y - b * x.sin(), a * x.sin()

        @staticmethod
        def jvp(ctx, xt, yt):
            x, y = ctx.saved_tensors
            return xt * x.cos() * y + yt * x.sin(), -xt * x.sin()

    class NoJvp(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class TwoTangents(Exp):
        @staticmethod
        def jvp(ctx, xt, kt):
            return xt, xt

    class WrongSize(Exp):
        @staticmethod
        def jvp(ctx, xt, kt):
            return xt[:1]

    return Exp, SinCos, NoJvp, TwoTangents, WrongSize


def test_custom_function_jvp():
    x, y, t = _data((3,), (3,), (3,), seed=6)

    def run(m, fw):
        Exp, SinCos, NoJvp, _, _ = _functions(m)
        xr = m.tensor(x, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(xr, m.tensor(t))
            e = Exp.apply(d, 3.0)
            s, c = SinCos.apply(d, m.tensor(y))  # y: no tangent, jvp gets zeros for it
            plain = SinCos.apply(m.tensor(x), m.tensor(y))  # no dual: jvp is not called
            assert fw.unpack_dual(plain[0]).tangent is None
            assert fw.unpack_dual(NoJvp.apply(m.tensor(x))).tangent is None
            out = [*fw.unpack_dual(e * 2), *fw.unpack_dual(s), *fw.unpack_dual(c)]
            (e.sum() + s.sum()).backward()
        return out + [xr.grad]

    _both(run)


@pytest.mark.parametrize("which", [2, 3, 4])
def test_custom_function_jvp_errors(which):
    x, t = _data((3,), (3,), seed=7)

    def run(m):
        fw = FW[m]
        fn = _functions(m)[which]
        with fw.dual_level():
            d = fw.make_dual(m.tensor(x), m.tensor(t))
            fn.apply(d, 2.0) if which != 2 else fn.apply(d)

    e = check_raises(run)
    try:
        run(torch)
    except Exception as t_exc:  # noqa: BLE001
        assert str(e) == str(t_exc)


def _raises(fn):
    """Same exception type and message in both libraries (a level left open is closed)."""
    e = check_raises(lambda m: fn(m, FW[m]))
    for fw in FW.values():
        while True:
            try:
                fw.exit_dual_level()
            except RuntimeError:
                break
    try:
        fn(torch, tfw)
    except Exception as t_exc:  # noqa: BLE001
        assert str(e) == str(t_exc)
    finally:
        try:
            tfw.exit_dual_level()
        except RuntimeError:
            pass


def _in_level(body):
    def fn(m, fw):
        with fw.dual_level():
            return body(m, fw)

    return fn


def _dual(m, fw):
    return fw.make_dual(m.ones(3), m.ones(3))


ERRORS = {
    "no_level": lambda m, fw: fw.make_dual(m.ones(3), m.ones(3)),
    "no_level_explicit": lambda m, fw: fw.make_dual(m.ones(3), m.ones(3), level=0),
    "exit_without_level": lambda m, fw: fw.exit_dual_level(),
    "exit_level_not_open": lambda m, fw: fw.exit_dual_level(level=0),
    "nested": _in_level(lambda m, fw: fw.enter_dual_level()),
    "nested_cm": _in_level(lambda m, fw: fw.dual_level().__enter__()),
    "exit_wrong": _in_level(lambda m, fw: fw.exit_dual_level(level=1)),
    "size": _in_level(lambda m, fw: fw.make_dual(m.ones(3), m.ones(2))),
    "size_2d": _in_level(lambda m, fw: fw.make_dual(m.ones(3), m.ones(1, 3))),
    "int_primal": _in_level(lambda m, fw: fw.make_dual(m.arange(3), m.ones(3))),
    "int_tangent": _in_level(lambda m, fw: fw.make_dual(m.ones(3), m.arange(3))),
    "level": _in_level(lambda m, fw: fw.make_dual(m.ones(3), m.ones(3), level=2)),
    "dual_of_dual": _in_level(lambda m, fw: fw.make_dual(_dual(m, fw) * 2, m.ones(3))),
    "dual_tangent": _in_level(lambda m, fw: fw.make_dual(m.ones(3), _dual(m, fw))),
    "unpack_level": _in_level(lambda m, fw: fw.unpack_dual(_dual(m, fw), level=1)),
    "unpack_float": _in_level(lambda m, fw: fw.unpack_dual(3.0)),
    "unpack_float_level": lambda m, fw: fw.unpack_dual(3.0, level=0),
    "float_primal": _in_level(lambda m, fw: fw.make_dual(3.0, m.ones(3))),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    _raises(ERRORS[name])


def test_unpack_of_non_dual_outside_a_level_is_the_tensor():
    for m, fw in FW.items():
        x = m.ones(2)
        u = fw.unpack_dual(x)
        assert u.primal is x and u.tangent is None
        assert fw.unpack_dual(3.0) == (3.0, None)
        with fw.dual_level():  # no error for a non-dual with another level, as torch
            assert fw.unpack_dual(x, level=3).tangent is None
