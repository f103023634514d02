"""Sweep of custom autograd Functions and autograd.functional against torch (ember.func and
gradcheck: ``test_autograd_api_sweep_s5_func.py``).

Each program is written once as a PyTorch user would, taking the library as ``m``, and run on
torch and on Ember; values, gradients, graph attributes and error messages are compared.
"""

from __future__ import annotations

import warnings

import pytest
import torch

import ember
from tests.helpers import assert_close, check_raises


def _plain(v):
    """Dicts as lists of (key, value) pairs, which ``assert_close`` compares."""
    if isinstance(v, dict):
        return [(k, _plain(x)) for k, x in v.items()]
    if isinstance(v, (tuple, list)):
        return type(v)(_plain(x) for x in v)
    return v


def _both(program):
    """``program(m)`` on torch and Ember, results compared (dicts by their items)."""
    t = _plain(program(torch))
    e = _plain(program(ember))
    assert_close(e, t)
    return e, t


def _same_error(program, exact: bool = True):
    """Both raise the same type; with ``exact``, the same message (library names aside)."""
    e_exc = check_raises(program)
    try:
        program(torch)
    except Exception as t_exc:  # noqa: BLE001
        if exact:
            assert str(e_exc).replace("ember", "torch") == str(t_exc)
    return e_exc


# -- autograd.Function ---------------------------------------------------------------------------
def _mul_fn(m, ret):
    """``a * b`` whose backward returns ``ret(g)``."""

    class F(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return ret(g)

    return F


def _x(m, rg=True):
    return m.tensor([1.0, -2.0, 3.0], requires_grad=rg)


def test_setup_context_sees_needs_input_grad_and_bound_defaults():
    def program(m):
        seen = []

        class Scale(m.autograd.Function):
            @staticmethod
            def forward(x, y, k=2.0):
                return x * y * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                seen.append((len(inputs), inputs[2], ctx.needs_input_grad))
                ctx.save_for_backward(inputs[0], inputs[1])
                ctx.k = inputs[2]

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return g * y * ctx.k, g * x * ctx.k, None

        x, y = _x(m), m.tensor([0.5, 1.0, 2.0])
        Scale.apply(x, y).sum().backward()
        Scale.apply(x, y, k=3.0).sum().backward()
        with m.no_grad():
            Scale.apply(x, y)
        assert len(seen) == 3
        return x.grad, [s[:2] for s in seen], [s[2] for s in seen]

    e, t = _both(program)


def test_old_style_keyword_tensors_are_inputs():
    def program(m):
        class Weighted(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, w=None):
                ctx.n = len(ctx.needs_input_grad)
                return x * (1 if w is None else w)

            @staticmethod
            def backward(ctx, g):
                return (g, g * 2) if ctx.n == 2 else g

        x, w = _x(m), m.tensor([1.0, 1.0, 2.0], requires_grad=True)
        Weighted.apply(x, w=w).sum().backward()
        Weighted.apply(x).sum().backward()
        return x.grad, w.grad

    _both(program)


@pytest.mark.parametrize(
    "ret",
    [
        lambda g: g,  # too few
        lambda g: (g, g, g),  # too many, not None
        lambda g: None,
        lambda g: [g, g],  # a list counts as one gradient
        lambda g: (g[:1], g),  # a shape the input cannot be summed from
        lambda g: (g.sum(), g),  # a 0-d gradient for a 1-d input
        lambda g: (g.view(3, 1), g),
        lambda g: (1.0, g),  # not a tensor
    ],
)
def test_backward_return_checks(ret):
    _same_error(lambda m: _mul_fn(m, ret).apply(_x(m), _x(m)).sum().backward())


@pytest.mark.parametrize(
    "ret",
    [
        lambda g: (g, g, None),  # extra Nones are dropped
        lambda g: (None, None),
        lambda g: (g.expand(2, 3), g),  # summed over the new leading dimension
        lambda g: (g.double(), g),  # cast to the input's dtype
        lambda g: (g, g[:1]),  # the input needs no gradient: unchecked
    ],
)
def test_backward_return_accepted(ret):
    def program(m):
        x = _x(m)
        _mul_fn(m, ret).apply(x, _x(m, rg=False)).sum().backward()
        return x.grad

    _both(program)


def test_gradient_for_non_tensor_input_refused():
    _same_error(lambda m: _mul_fn(m, lambda g: (g * 2, g)).apply(_x(m), 2).sum().backward())


def test_complex_gradient_for_real_input_refused():
    _same_error(
        lambda m: _mul_fn(m, lambda g: (g.to(m.complex64), g)).apply(_x(m), _x(m)).sum().backward()
    )


def test_save_for_backward_none_and_non_tensor():
    def program(m):
        class Save(m.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a, None)
                return a * 2

            @staticmethod
            def backward(ctx, g):
                a, none = ctx.saved_tensors
                assert none is None
                return g * a

        x = _x(m)
        y = Save.apply(x)
        n_saved = len(y.grad_fn.saved_tensors)
        y.sum().backward()
        return x.grad, n_saved

    _both(program)

    def bad(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a, 3)
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g

        Bad.apply(_x(m))

    _same_error(bad)


def test_saved_tensors_freed_after_backward():
    def program(m):
        class Cube(m.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a**3

            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return 3 * g * a**2

        y = Cube.apply(_x(m))
        y.sum().backward()
        return y.grad_fn.saved_tensors

    _same_error(program)


def _sort_fn(m, materialize: bool, seen: list):
    class Sort(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(materialize)
            v, i = a.sort()
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(i)
            return v, i, a * 2

        @staticmethod
        def backward(ctx, gv, gi, gd):
            seen.append((gi, gd))
            (i,) = ctx.saved_tensors
            out = m.zeros_like(gv if gv is not None else gd)
            if gv is not None:
                out[i] = gv
            return out if gd is None else out + 2 * gd

    return Sort


@pytest.mark.parametrize("materialize", [True, False])
def test_non_differentiable_outputs_and_materialize_grads(materialize):
    def program(m):
        seen = []
        x = _x(m)
        v, i, d = _sort_fn(m, materialize, seen).apply(x)
        (v * m.tensor([1.0, 2.0, 3.0])).sum().backward()
        return v, i, i.requires_grad, i.grad_fn is None, x.grad, seen[0]

    _both(program)
    _same_error(lambda m: _sort_fn(m, materialize, []).apply(_x(m))[1].sum().backward())


def test_non_tensor_outputs():
    def program(m):
        seen = []

        class NT(m.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2, 5, "s"

            @staticmethod
            def backward(ctx, g, g2, g3):
                seen.append((g2, g3))
                return g * 2

        x = _x(m)
        out = NT.apply(x)
        out[0].sum().backward()
        return out, x.grad, seen

    _both(program)


def test_input_returned_as_is_is_a_view():
    def program(m):
        class Ident(m.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a

            @staticmethod
            def backward(ctx, g):
                return g * 5

        x = _x(m)
        w = x * 1
        y = Ident.apply(w)
        plain = m.ones(2)
        z = Ident.apply(plain)
        with m.no_grad():
            q = Ident.apply(x)
        y.sum().backward()
        flags = (y is w, y._base is w, y.is_leaf, z is plain, z._base is plain, q is x)

        class Frozen(m.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.mark_non_differentiable(a)
                return a

            @staticmethod
            def backward(ctx, g):
                return g

        f = Frozen.apply(x)
        frozen = (f is x, f._base is None, f.requires_grad, f.grad_fn is None)
        return x.grad, flags, q._base is None, frozen

    _both(program)


def _mul_inplace(m, dirty=True, returned=True, save=None):
    class MulInplace(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            if save == "input":
                ctx.save_for_backward(a)
            a.mul_(2)
            if dirty:
                ctx.mark_dirty(a)
            if save == "output":
                ctx.save_for_backward(a)
            return a if returned else a * 1

        @staticmethod
        def backward(ctx, g):
            if save:
                ctx.saved_tensors  # noqa: B018 - checks the version
            return g * 2

    return MulInplace


@pytest.mark.parametrize("save", [None, "input", "output"])
def test_mark_dirty_rebases_the_input(save):
    def program(m):
        x = _x(m)
        y = x * 1
        z = _mul_inplace(m, save=save).apply(y)
        info = (z is y, y._version, type(y.grad_fn).__name__)
        z.sum().backward()
        plain = m.ones(2)
        p = _mul_inplace(m).apply(plain)
        return x.grad, z, info, (p is plain, plain._version, p.requires_grad)

    _both(program)


def test_mark_dirty_of_a_view_goes_through_copy_slices():
    def program(m):
        x = _x(m)
        base = x * 1
        out = _mul_inplace(m).apply(base[:2])
        names = (out.grad_fn.name(), base.grad_fn.name(), base._version)
        base.sum().backward()
        return x.grad, base, names

    _both(program)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: _mul_inplace(m).apply(_x(m)),  # a leaf that requires grad
        lambda m: _mul_inplace(m, returned=False).apply(_x(m) * 1),
    ],
)
def test_mark_dirty_errors(make):
    _same_error(make, exact=False)


def test_not_dirty_in_place_keeps_input_history():
    def program(m):
        x = _x(m)
        y = x * 1
        z = _mul_inplace(m, dirty=False).apply(y)
        z.sum().backward()
        return x.grad, z is y, type(y.grad_fn).__name__, z.grad_fn.name()

    _both(program)


def _cube(m, once: bool):
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * 3 * a**2

    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a**3

    Cube.backward = staticmethod(
        m.autograd.function.once_differentiable(backward) if once else backward
    )
    return Cube


def test_double_backward_through_custom_function():
    def program(m):
        x = _x(m)
        (g,) = m.autograd.grad(_cube(m, False).apply(x).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        return g, gg

    _both(program)


def test_once_differentiable():
    def program(m):
        x = _x(m)
        (g,) = m.autograd.grad(_cube(m, True).apply(x).sum(), x, create_graph=True)
        go = m.ones(3, requires_grad=True)
        (h,) = m.autograd.grad(_cube(m, True).apply(x), x, go, create_graph=True)
        node = (h.grad_fn.name(), str(h).split("grad_fn=")[1], len(h.grad_fn.next_functions))
        return g, g.grad_fn is None, h, node

    _both(program)

    def twice(m):
        x = _x(m)
        go = m.ones(3, requires_grad=True)
        (h,) = m.autograd.grad(_cube(m, True).apply(x), x, go, create_graph=True)
        h.sum().backward()

    _same_error(twice)


def test_node_class_repr_and_attributes():
    def program(m):
        f = _mul_fn(m, lambda g: (g, g))
        y = f.apply(_x(m), _x(m))
        node = y.grad_fn
        r = repr(node).split(" object at ")[0]
        return (
            r.replace("ember", "torch"),
            node.name(),
            type(node).__name__,
            node._forward_cls is f,
            isinstance(node, m.autograd.function.BackwardCFunction),
            isinstance(node, m.autograd.function.FunctionCtx),
            issubclass(m.autograd.Function, m.autograd.function.FunctionCtx),
            node.metadata,
            str(y).split("grad_fn=")[1],
        )

    _both(program)


def test_function_ctx_alone_and_legacy_classes():
    def program(m):
        ctx = m.autograd.function.FunctionCtx()
        x = _x(m)
        ctx.save_for_backward(x)
        ctx.mark_dirty(x)
        ctx.mark_non_differentiable(x)
        ctx.set_materialize_grads(False)
        names = [n for n in ("InplaceFunction", "NestedIOFunction", "FunctionMeta")]
        present = [hasattr(m.autograd.function, n) for n in names]
        return (
            len(ctx.to_save),
            len(ctx.dirty_tensors),
            len(ctx.non_differentiable),
            ctx.materialize_grads,
            present,
        )

    _both(program)


def test_instantiating_and_calling_a_function_is_legacy():
    def program(m):
        f = _mul_fn(m, lambda g: (g, g))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            inst = f()
        assert [x.category for x in w] == [DeprecationWarning]
        inst(_x(m), _x(m))

    _same_error(program)


def _triple(m, backward: bool, vjp: bool):
    body = {"forward": staticmethod(lambda ctx, a: a * 3)}
    if backward:
        body["backward"] = staticmethod(lambda ctx, g: g * 3)
    if vjp:
        body["vjp"] = staticmethod(lambda ctx, g: g * 3)
    return type("Triple", (m.autograd.Function,), body)


def test_vjp_is_backward_alias():
    def program(m):
        x = _x(m)
        _triple(m, backward=False, vjp=True).apply(x).sum().backward()
        return x.grad

    _both(program)
    _same_error(lambda m: _triple(m, True, True).apply(_x(m)).sum().backward())


@pytest.mark.parametrize("which", ["forward", "backward"])
def test_missing_forward_or_backward(which):
    def program(m):
        class Half(m.autograd.Function):
            if which == "backward":

                @staticmethod
                def forward(ctx, a):
                    return a * 2

        Half.apply(_x(m)).sum().backward()

    _same_error(program)


def _square(m, setup=True, jvp=False, vmap_rule=False):
    """``a * a`` in torch's new style (``setup``) or old style, with or without jvp/vmap."""

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return 2 * a * g

    def jvp_(ctx, t):
        (a,) = ctx.saved_tensors
        return 2 * a * t

    body = {"backward": staticmethod(backward), "generate_vmap_rule": vmap_rule}
    if jvp:
        body["jvp"] = staticmethod(jvp_)
    if setup:

        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])
            ctx.save_for_forward(inputs[0])

        body["forward"] = staticmethod(lambda a: a * a)
        body["setup_context"] = staticmethod(setup_context)
    else:

        def forward(ctx, a):
            ctx.save_for_backward(a)
            ctx.save_for_forward(a)
            return a * a

        body["forward"] = staticmethod(forward)
    return type("Square", (m.autograd.Function,), body)


def _primal(m):
    return m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 0.5, 0.0])


def test_custom_function_jvp_in_dual_level():
    def program(m):
        x, t = _primal(m)
        fw = m.autograd.forward_ad
        with fw.dual_level():
            p, tan = fw.unpack_dual(_square(m, setup=False, jvp=True).apply(fw.make_dual(x, t)))
        return p, tan

    _both(program)

    def no_jvp(m):
        x, t = _primal(m)
        with m.autograd.forward_ad.dual_level():
            _square(m).apply(m.autograd.forward_ad.make_dual(x, t))

    _same_error(no_jvp)


@pytest.mark.parametrize(
    "kw, call",
    [
        (dict(setup=True), lambda m, f, x, t: m.func.grad(lambda a: f.apply(a).sum())(x)),
        (dict(setup=True), lambda m, f, x, t: m.func.vjp(f.apply, x)[1](t)),
        (dict(setup=True), lambda m, f, x, t: m.func.jacrev(f.apply)(x)),
        (dict(jvp=True), lambda m, f, x, t: m.func.jvp(f.apply, (x,), (t,))),
        (dict(jvp=True), lambda m, f, x, t: m.func.linearize(f.apply, x)[1](t)),
        (dict(vmap_rule=True), lambda m, f, x, t: m.func.vmap(f.apply)(x.view(3, 1))),
        (dict(jvp=True, vmap_rule=True), lambda m, f, x, t: m.func.jacfwd(f.apply)(x)),
        (
            dict(vmap_rule=True),
            lambda m, f, x, t: m.func.vmap(m.func.grad(lambda a: f.apply(a).sum()))(x),
        ),
    ],
)
def test_custom_function_under_func_transforms(kw, call):
    _both(lambda m: call(m, _square(m, **kw), *_primal(m)))


@pytest.mark.parametrize(
    "kw, call",
    [
        (dict(setup=False), lambda m, f, x, t: m.func.grad(lambda a: f.apply(a).sum())(x)),
        (dict(setup=False, jvp=True), lambda m, f, x, t: m.func.jvp(f.apply, (x,), (t,))),
        (dict(), lambda m, f, x, t: m.func.vmap(f.apply)(x.view(3, 1))),
        (dict(), lambda m, f, x, t: m.func.vmap(m.func.grad(lambda a: f.apply(a).sum()))(x)),
        (dict(), lambda m, f, x, t: m.func.jvp(f.apply, (x,), (t,))),
        (dict(), lambda m, f, x, t: m.func.jacfwd(f.apply)(x)),
        (dict(vmap_rule=True), lambda m, f, x, t: m.func.jacfwd(f.apply)(x)),
        (dict(vmap_rule=True), lambda m, f, x, t: m.func.hessian(lambda a: f.apply(a).sum())(x)),
    ],
)
def test_custom_function_transform_requirements(kw, call):
    _same_error(lambda m: call(m, _square(m, **kw), *_primal(m)))


def test_autograd_functional_needs_no_transform_support():
    def program(m):
        x, t = _primal(m)
        f = _square(m, setup=False)
        F = m.autograd.functional
        return F.jacobian(f.apply, x), F.jacobian(f.apply, x, vectorize=True), F.vjp(f.apply, x, t)

    _both(program)


# -- autograd.functional -------------------------------------------------------------------------
def _fn_inputs(m):
    x = m.tensor([1.0, 2.0, -3.0])
    y = m.tensor([0.5, -1.0])
    return x, y, m.tensor([1.0, 0.0, 2.0])


def _quad(a, b):
    return (a**2).sum() * b.sum() + (b**3).sum()


_FUNCTIONAL_CALLS = {
    "vjp": lambda F, m, x, y, v: F.vjp(lambda a: a**2 * 3, x, v),
    "vjp_tuple": lambda F, m, x, y, v: F.vjp(
        lambda a, b: (a.sum() * b, a * 2), (x, y), (m.ones(2), m.ones(3))
    ),
    "vjp_scalar_no_v": lambda F, m, x, y, v: F.vjp(lambda a: (a**3).sum(), x),
    "vjp_unused_input": lambda F, m, x, y, v: F.vjp(lambda a, b: a * 2, (x, y), v),
    "jvp": lambda F, m, x, y, v: F.jvp(lambda a: a.sin() * a, x, v),
    "jvp_tuple": lambda F, m, x, y, v: F.jvp(
        lambda a, b: (a.sum() * b, a * 2), (x, y), (v, m.ones(2))
    ),
    "jacobian_tuple": lambda F, m, x, y, v: F.jacobian(lambda a, b: (a.sum() * b, a * 2), (x, y)),
    "jacobian_vectorize": lambda F, m, x, y, v: F.jacobian(
        lambda a, b: (a * b.sum(), a.exp()), (x, y), vectorize=True
    ),
    "jacobian_scalar": lambda F, m, x, y, v: F.jacobian(lambda a: a * 2, m.tensor(3.0)),
    "jacobian_0d_out": lambda F, m, x, y, v: F.jacobian(lambda a: a.sum(), x),
    "hessian": lambda F, m, x, y, v: F.hessian(lambda a: (a**3).sum(), x),
    "hessian_tuple": lambda F, m, x, y, v: F.hessian(_quad, (x, y)),
    "hessian_linear": lambda F, m, x, y, v: F.hessian(lambda a: a.sum(), x),
    "hvp": lambda F, m, x, y, v: F.hvp(_quad, (x, y), (v, m.ones(2))),
    "vhp": lambda F, m, x, y, v: F.vhp(_quad, (x, y), (v, m.ones(2))),
    "jvp_strict_linear": lambda F, m, x, y, v: F.jvp(lambda a: a * 2, x, v, strict=True),
    "vjp_strict": lambda F, m, x, y, v: F.vjp(lambda a: a**2, x, v, strict=True),
    "hessian_strict_create": lambda F, m, x, y, v: F.hessian(
        lambda a: (a**2).sum(), x, strict=True, create_graph=True
    ),
    "hvp_strict_create": lambda F, m, x, y, v: F.hvp(
        lambda a: (a**2).sum(), x, v, strict=True, create_graph=True
    ),
    "vhp_strict_create": lambda F, m, x, y, v: F.vhp(
        lambda a: (a**2).sum(), x, v, strict=True, create_graph=True
    ),
    "hvp_single": lambda F, m, x, y, v: F.hvp(lambda a: (a**3).sum(), x, v),
    "hvp_unused": lambda F, m, x, y, v: F.hvp(lambda a, b: (a**3).sum(), (x, y), (v, m.ones(2))),
}


@pytest.mark.parametrize("name", sorted(_FUNCTIONAL_CALLS))
def test_functional_values(name):
    _both(lambda m: _FUNCTIONAL_CALLS[name](m.autograd.functional, m, *_fn_inputs(m)))


@pytest.mark.parametrize(
    "call",
    [
        lambda F, m, x, y, v: F.vjp(lambda a: a * 2, x),  # v None for a non-scalar
        lambda F, m, x, y, v: F.vjp(lambda a: a * 2, x, m.ones(2)),
        lambda F, m, x, y, v: F.vjp(lambda a, b: (a, b), (x, y), (m.ones(3),)),
        lambda F, m, x, y, v: F.vjp(lambda a: 3.0, x, v),
        lambda F, m, x, y, v: F.vjp(lambda a: a, 3.0, v),
        lambda F, m, x, y, v: F.vjp(lambda a: a * 2, m.tensor([1, 2])),
        lambda F, m, x, y, v: F.vjp(lambda a: m.ones(3), x, v, strict=True),
        lambda F, m, x, y, v: F.vjp(lambda a, b: a * 2, (x, y), v, strict=True),
        lambda F, m, x, y, v: F.vjp(lambda a: a * 2, x, v, strict=True, create_graph=True),
        lambda F, m, x, y, v: F.jvp(lambda a: m.ones(3), x, v, strict=True),
        lambda F, m, x, y, v: F.jvp(lambda a: a * 2, x),
        lambda F, m, x, y, v: F.jacobian(lambda a: a, x, strategy="foo"),
        lambda F, m, x, y, v: F.jacobian(lambda a: a, x, strategy="forward-mode"),
        lambda F, m, x, y, v: F.jacobian(
            lambda a: a, x, vectorize=True, strategy="forward-mode", create_graph=True
        ),
        lambda F, m, x, y, v: F.jacobian(lambda a: a, x, strict=True, vectorize=True),
        lambda F, m, x, y, v: F.jacobian(lambda a, b: a * 2, (x, y), strict=True),
        lambda F, m, x, y, v: F.jacobian(lambda a: m.ones(2), x, strict=True),
        lambda F, m, x, y, v: F.jacobian(lambda a: a[:0], x),
        lambda F, m, x, y, v: F.hessian(lambda a: a * 2, x),
        lambda F, m, x, y, v: F.hessian(lambda a: (a.sum(),), x),
        lambda F, m, x, y, v: F.hessian(lambda a: a.sum(), x, outer_jacobian_strategy="x"),
        lambda F, m, x, y, v: F.hessian(lambda a: a.sum(), x, strict=True),
        lambda F, m, x, y, v: F.hvp(lambda a: a.sum(), x, v, strict=True),
        lambda F, m, x, y, v: F.vhp(lambda a: a.sum(), x, v, strict=True),
        lambda F, m, x, y, v: F.hvp(lambda a: a * 2, x, v),
        lambda F, m, x, y, v: F.hvp(lambda a: (a**3).sum(), x),
        lambda F, m, x, y, v: F.vhp(lambda a, b: (a**3).sum(), (x, y), (v, m.ones(2)), strict=True),
    ],
)
def test_functional_errors(call):
    _same_error(lambda m: call(m.autograd.functional, m, *_fn_inputs(m)))


@pytest.mark.parametrize("inputs_tuple", [False, True])
@pytest.mark.parametrize("outputs", ["tensor", "tuple1", "tuple2"])
def test_forward_mode_jacobian_containers(inputs_tuple, outputs):
    def program(m):
        x = m.tensor([1.0, 2.0, 3.0])
        out = {
            "tensor": lambda a: a * 2,
            "tuple1": lambda a: (a.exp(),),
            "tuple2": lambda a: (a * 2, a.sum()),
        }[outputs]
        F = m.autograd.functional
        args = (x,) if inputs_tuple else x
        jac = F.jacobian(out, args, vectorize=True, strategy="forward-mode")
        return jac, type(jac).__name__

    _both(program)


def test_forward_over_reverse_hessian_keeps_its_graph():
    def program(m):
        x = m.tensor([0.5, 1.0, -2.0], requires_grad=True)
        F = m.autograd.functional
        h = F.hessian(
            lambda a: (a**3).sum(), x, vectorize=True, outer_jacobian_strategy="forward-mode"
        )
        hs = F.hessian(_quad, (x, x[:2]), vectorize=True, outer_jacobian_strategy="forward-mode")
        return h, m.autograd.grad(h.sum(), x), type(hs).__name__, type(hs[0]).__name__, hs

    _both(program)


@pytest.mark.parametrize(
    "call",
    [
        lambda F, x, v: F.vjp(lambda a: a.sin() * a, x, v, create_graph=True)[1],
        lambda F, x, v: F.jvp(lambda a: a.sin() * a, x, v, create_graph=True)[1],
        lambda F, x, v: F.jacobian(lambda a: a.sin() * a, x, create_graph=True),
        lambda F, x, v: F.hessian(lambda a: (a**3).sum(), x, create_graph=True),
        lambda F, x, v: F.hvp(lambda a: (a**3).sum(), x, v, create_graph=True)[1],
        lambda F, x, v: F.vhp(lambda a: (a**3).sum(), x, v, create_graph=True)[1],
    ],
)
def test_functional_create_graph(call):
    def program(m):
        F = m.autograd.functional
        x = m.tensor([0.5, 1.0, -2.0], requires_grad=True)
        v = m.tensor([1.0, 0.0, 2.0], requires_grad=True)
        r = call(F, x, v)
        grads = m.autograd.grad(r.sum(), (x, v), allow_unused=True, materialize_grads=True)
        plain = call(F, x.detach(), v.detach())
        return r, grads, plain.requires_grad

    _both(program)
