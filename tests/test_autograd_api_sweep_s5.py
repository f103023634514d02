"""Sweep of custom autograd Functions, autograd.functional, ember.func and gradcheck against torch.

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


# -- ember.func ----------------------------------------------------------------------------------
def _fx(m):
    return m.tensor([1.0, 2.0, -3.0]), m.tensor([0.5, -1.0]), m.arange(6.0).view(2, 3)


def _sin_sum(a):
    return (a.sin() * a).sum()


_FUNC_CALLS = {
    "grad": lambda f, m, x, y, z: f.grad(_sin_sum)(x),
    "grad_argnums": lambda f, m, x, y, z: f.grad(_quad, argnums=(0, 1))(x, y),
    "grad_argnums_neg": lambda f, m, x, y, z: f.grad(_quad, argnums=-1)(x, y),
    "grad_dict": lambda f, m, x, y, z: f.grad(lambda d: (d["a"] * d["b"]).sum())(
        {"a": x, "b": x * 2}
    ),
    "grad_aux": lambda f, m, x, y, z: f.grad(lambda a: (_sin_sum(a), {"k": a * 2}), has_aux=True)(
        x
    ),
    "grad_and_value": lambda f, m, x, y, z: f.grad_and_value(_sin_sum)(x),
    "grad_grad": lambda f, m, x, y, z: f.grad(lambda a: f.grad(_sin_sum)(a).sum())(x),
    "grad_kwargs": lambda f, m, x, y, z: f.grad(lambda a, k=1.0: (a * k).sum())(x, k=3.0),
    "vjp": lambda f, m, x, y, z: f.vjp(lambda a, b: (a * b.sum(), b), x, y)[1](
        (m.ones(3), m.ones(2))
    ),
    "vjp_aux": lambda f, m, x, y, z: f.vjp(lambda a: (a.sin(), a.cos()), x, has_aux=True)[2],
    "jvp": lambda f, m, x, y, z: f.jvp(
        lambda a, b: (a * b.sum(), b), (x, y), (m.ones(3), m.ones(2))
    ),
    "jvp_aux": lambda f, m, x, y, z: f.jvp(
        lambda a: (a.sin(), a * 2), (x,), (m.ones(3),), has_aux=True
    ),
    "jvp_strict": lambda f, m, x, y, z: f.jvp(lambda a: a * 2, (x,), (m.ones(3),), strict=True),
    "jacrev": lambda f, m, x, y, z: f.jacrev(lambda a, b: (a * b.sum(), b.exp()), argnums=(0, 1))(
        x, y
    ),
    "jacrev_dict": lambda f, m, x, y, z: f.jacrev(lambda a: {"p": a * 2, "q": a.sum()})(x),
    "jacrev_2d": lambda f, m, x, y, z: f.jacrev(lambda a: a @ a.T)(z),
    "jacfwd": lambda f, m, x, y, z: f.jacfwd(lambda a: (a * 2, a.sum()), has_aux=True)(x),
    "jacfwd_same": lambda f, m, x, y, z: f.jacfwd(lambda a: a.exp(), randomness="same")(x),
    "hessian": lambda f, m, x, y, z: f.hessian(_quad, argnums=(0, 1))(x, y),
    "linearize": lambda f, m, x, y, z: f.linearize(lambda a: a.sin(), x)[1](m.ones(3)),
    "vmap_in_out_dims": lambda f, m, x, y, z: f.vmap(
        lambda a, b: (a * b, a.sum()), in_dims=(1, None), out_dims=(1, 0)
    )(z, y),
    "vmap_out_dims_dict": lambda f, m, x, y, z: f.vmap(lambda a: {"p": a}, out_dims={"p": 1})(z),
    "vmap_dict_in_dims": lambda f, m, x, y, z: f.vmap(
        lambda d: d["a"] + d["b"], in_dims=({"a": 0, "b": 1},)
    )({"a": z, "b": z.T}),
    "vmap_nested": lambda f, m, x, y, z: f.vmap(f.vmap(lambda a, b: a * b, in_dims=(0, None)))(
        z, y
    ),
    "vmap_out_none": lambda f, m, x, y, z: f.vmap(lambda a: (a, m.ones(2)), out_dims=(0, None))(z),
    "vmap_empty": lambda f, m, x, y, z: f.vmap(lambda a: a * 2)(m.ones(0, 3)),
    "vmap_out_dims_1_tuple": lambda f, m, x, y, z: f.vmap(lambda a: a * 2, out_dims=(1,))(z),
    "per_sample_grad": lambda f, m, x, y, z: f.vmap(
        f.grad(lambda w, a: (w * a).sum() ** 2), in_dims=(None, 0)
    )(x, z),
}


@pytest.mark.parametrize("name", sorted(_FUNC_CALLS))
def test_func_values(name):
    _both(lambda m: _FUNC_CALLS[name](m.func, m, *_fx(m)))


@pytest.mark.parametrize(
    "call",
    [
        lambda f, m, x, y, z: f.grad(lambda a: (a.sum(), 3), has_aux=True)(x),
        lambda f, m, x, y, z: f.grad_and_value(lambda a: (a.sum(), [a, None]), has_aux=True)(x),
        lambda f, m, x, y, z: f.vjp(lambda a: (a, {"k": 3}), x, has_aux=True),
        lambda f, m, x, y, z: f.jacrev(lambda a: (a, 3), has_aux=True)(x),
        lambda f, m, x, y, z: f.jacfwd(lambda a: (a, 3), has_aux=True)(x),
        lambda f, m, x, y, z: f.jvp(lambda a: (a, 3), (x,), (x,), has_aux=True),
        lambda f, m, x, y, z: f.grad(lambda a: a * 2)(x),
        lambda f, m, x, y, z: f.grad(_quad, argnums=2)(x, y),
        lambda f, m, x, y, z: f.grad(_quad, argnums=(0, 0))(x, y),
        lambda f, m, x, y, z: f.grad(lambda a: a.sum())(m.tensor([1, 2])),
        lambda f, m, x, y, z: f.vjp(lambda a, b: (a, b), x, y)[1](m.ones(3)),
        lambda f, m, x, y, z: f.jvp(lambda a: a, (x,), (1.0,)),
        lambda f, m, x, y, z: f.jvp(lambda a, b: a, (x, 3.0), (x, 1.0)),
        lambda f, m, x, y, z: f.jvp(lambda a: a * 2, (m.tensor([1, 2]),), (m.ones(3),)),
        lambda f, m, x, y, z: f.jvp(lambda a: a * 2, (x,), (m.ones(2, dtype=m.long),)),
        lambda f, m, x, y, z: f.jvp(lambda a: a, (x,), (m.ones(2),)),
        lambda f, m, x, y, z: f.jvp(lambda a: a, ({"a": x, "b": [x, (x,)]},), ({"a": x},)),
        lambda f, m, x, y, z: f.jvp(lambda a: a, ([x, x],), ((x, x),)),
        lambda f, m, x, y, z: f.linearize(lambda a, b: a, x, x)[1](x),
        lambda f, m, x, y, z: f.jacfwd(lambda a: a * m.rand(3))(x),
        lambda f, m, x, y, z: f.hessian(lambda a: (a * m.rand(3)).sum())(x),
        lambda f, m, x, y, z: f.jacrev(lambda a: a, chunk_size=0)(x),
        lambda f, m, x, y, z: f.vmap(lambda a: a, in_dims=None)(z),
        lambda f, m, x, y, z: f.vmap(lambda a, b: a, in_dims=(0, (0, 0)))(x, x),
        lambda f, m, x, y, z: f.vmap(lambda a, b: a, in_dims=(0, [0, 0]))(x, [x, x, x]),
        lambda f, m, x, y, z: f.vmap(lambda a: (a, a), out_dims=(0, 0, 0))(x),
        lambda f, m, x, y, z: f.vmap(lambda a: a, out_dims={"p": 0})(x),
        lambda f, m, x, y, z: f.vmap(lambda a: a, out_dims=None)(z),
        lambda f, m, x, y, z: f.vmap(lambda a, b: a, in_dims=(0, 0))(z, m.ones(3)),
        lambda f, m, x, y, z: f.vmap(lambda a: a * m.rand(()))(z),
        lambda f, m, x, y, z: f.vmap(lambda a: 3)(z),
        lambda f, m, x, y, z: f.vmap(lambda a: a, randomness="bad"),
    ],
)
def test_func_errors(call):
    _same_error(lambda m: call(m.func, m, *_fx(m)))


def _ensemble(m):
    m.manual_seed(0)
    models = [m.nn.Linear(3, 2) for _ in range(3)]
    for i, mod in enumerate(models):
        with m.no_grad():
            mod.weight.fill_(i * 0.5)
            mod.bias.fill_(-i)
    return models


def test_stack_module_state_and_ensemble_call():
    def program(m):
        models = _ensemble(m)
        params, buffers = m.func.stack_module_state(models)
        x = m.arange(12.0).view(4, 3) / 10

        def call(p, xx):
            return m.func.functional_call(models[0], p, (xx,))

        out = m.func.vmap(call, in_dims=(0, None))(params, x)
        out.sum().backward()
        bn = m.func.stack_module_state([m.nn.BatchNorm1d(2) for _ in range(2)])
        return params, list(buffers), out, params["weight"].grad, params["bias"].is_leaf, bn

    _both(program)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: [],
        lambda m: [m.nn.Linear(3, 2), m.nn.Linear(3, 3)],
        lambda m: [m.nn.Linear(3, 2), m.nn.Conv1d(3, 2, 1)],
        lambda m: [m.nn.Linear(3, 2), m.nn.Linear(3, 2).eval()],
        lambda m: [m.nn.Linear(3, 2).requires_grad_(False), m.nn.Linear(3, 2)],
    ],
)
def test_stack_module_state_errors(make):
    _same_error(lambda m: m.func.stack_module_state(make(m)), exact=False)


# -- gradcheck / gradgradcheck -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["gradcheck", "gradgradcheck"])
def test_gradcheck_signatures(name):
    import inspect

    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    assert params(getattr(ember.autograd, name)) == params(getattr(torch.autograd, name))


def _scaled(m, fac, jfac=2):
    """``2 * a`` whose backward scales by ``fac`` and whose jvp scales by ``jfac``."""

    class Scaled(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * fac

        @staticmethod
        def jvp(ctx, t):
            return t * jfac

    return Scaled


def _undefined_bad(m):
    class UndefinedBad(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(False)
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return m.ones_like(a) if g is None else g * 2

    return UndefinedBad


def _drifting(m):
    calls = []

    class Drifting(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g * 2 + len(calls) * 1e-4

    return Drifting


def _gx(m, rg=True):
    return m.tensor([0.5, 1.0, -2.0], dtype=m.float64, requires_grad=rg)


def _gz(m):
    return m.tensor([1 + 1j, -0.5 + 2j], dtype=m.complex128, requires_grad=True)


_GRADCHECKS = {
    "ok": lambda m, gc: gc(lambda a: a.sin() * a, (_gx(m),)),
    "tensor_input": lambda m, gc: gc(lambda a: a.exp(), _gx(m)),
    "list_inputs": lambda m, gc: gc(lambda a, b: a.sum() * b, [_gx(m), _gx(m).view(3, 1)]),
    "non_tensor_input": lambda m, gc: gc(lambda a, n: a * n, (_gx(m), 3)),
    "multi_output": lambda m, gc: gc(lambda a: (a.sin(), a.cos()), (_gx(m),)),
    "nondiff_output_last": lambda m, gc: gc(lambda a: (a * 2, a.argmax()), (_gx(m),)),
    "0d": lambda m, gc: gc(lambda a: a**2, (m.tensor(1.5, dtype=m.float64, requires_grad=True),)),
    "matmul_noncontig": lambda m, gc: gc(lambda a: a @ a, (_gx(m)[:2].outer(_gx(m)[1:]).t(),)),
    "empty": lambda m, gc: gc(lambda a: a * 2, (m.zeros(0, dtype=m.float64, requires_grad=True),)),
    "bad": lambda m, gc: gc(_scaled(m, 3).apply, (_gx(m),)),
    "bad_noraise": lambda m, gc: gc(_scaled(m, 3).apply, (_gx(m),), raise_exception=False),
    "bad_second_input": lambda m, gc: gc(
        lambda n, a, b: _scaled(m, 3).apply(b) * n + a, (3, _gx(m, False), _gx(m))
    ),
    "float32": lambda m, gc: gc(lambda a: a.exp(), (m.tensor([3.0, 4.0], requires_grad=True),)),
    "float32_loose": lambda m, gc: gc(
        lambda a: a * 2, (m.tensor([3.0, 4.0], requires_grad=True),), atol=1e-2
    ),
    "nan": lambda m, gc: gc(
        lambda a: a.sqrt(), (m.tensor([-1.0], dtype=m.float64, requires_grad=True),)
    ),
    "detached_output": lambda m, gc: gc(lambda a: a.detach() * 2, (_gx(m),)),
    "detached_output_noraise": lambda m, gc: gc(
        lambda a: a.detach() * 2, (_gx(m),), raise_exception=False
    ),
    "undefined": lambda m, gc: gc(_undefined_bad(m).apply, (_gx(m),)),
    "undefined_noraise": lambda m, gc: gc(
        _undefined_bad(m).apply, (_gx(m),), raise_exception=False
    ),
    "undefined_unchecked": lambda m, gc: gc(
        _undefined_bad(m).apply, (_gx(m),), check_undefined_grad=False
    ),
    "not_reentrant": lambda m, gc: gc(_drifting(m).apply, (_gx(m),), atol=1e-2),
    "not_scaled_by_grad_output": lambda m, gc: gc(
        _drifting(m).apply, (_gx(m),), atol=1e-2, nondet_tol=1.0
    ),
    "forward_ad": lambda m, gc: gc(lambda a: a.sin() * a, (_gx(m),), check_forward_ad=True),
    "forward_ad_bad": lambda m, gc: gc(_scaled(m, 2, 3).apply, (_gx(m),), check_forward_ad=True),
    "forward_ad_only": lambda m, gc: gc(
        _scaled(m, 3, 3).apply, (_gx(m),), check_forward_ad=True, check_backward_ad=False
    ),
    "no_mode": lambda m, gc: gc(lambda a: a, (_gx(m),), check_backward_ad=False),
    "no_input_requires_grad": lambda m, gc: gc(lambda a: a, (_gx(m, False),)),
    "non_tensor_output": lambda m, gc: gc(lambda a: 3, (_gx(m),)),
    "complex_ok": lambda m, gc: gc(lambda a: a * a.conj() + a.sin(), (_gz(m),)),
    "complex_to_real_ok": lambda m, gc: gc(lambda a: (a * a).abs() + a.real, (_gz(m),)),
    "complex_bad": lambda m, gc: gc(_scaled(m, 3).apply, (_gz(m),)),
    "complex_conj_bad": lambda m, gc: gc(_scaled(m, 2j).apply, (_gz(m),)),
    "complex_to_real_bad": lambda m, gc: gc(lambda a: _scaled(m, 3).apply(a).abs(), (_gz(m),)),
    "real_to_complex_bad": lambda m, gc: gc(
        lambda a: _scaled(m, 2j).apply(a.to(m.complex128)), (_gx(m),)
    ),
    "complex_forward_ad": lambda m, gc: gc(
        lambda a: a * a.conj() + a.sin(), (_gz(m),), check_forward_ad=True
    ),
    "fast_ok": lambda m, gc: gc(lambda a, b: (a * b).sin(), (_gx(m), _gx(m) * 1), fast_mode=True),
    "fast_bad_noraise": lambda m, gc: gc(
        _scaled(m, 3).apply, (_gx(m),), fast_mode=True, raise_exception=False
    ),
}


@pytest.mark.parametrize("name", sorted(_GRADCHECKS))
def test_gradcheck_outcomes(name):
    """Same result, or same error and message, and the same warnings."""

    def run(m):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = _GRADCHECKS[name](m, m.autograd.gradcheck)
            except Exception as exc:  # noqa: BLE001
                res = (type(exc).__name__, str(exc).replace("ember", "torch"))
        seen = [
            (w.category.__name__, str(w.message))
            for w in caught
            if "jit" not in str(w.message) and w.category is not RuntimeWarning
        ]
        return res, seen

    assert run(ember) == run(torch)


def test_gradcheck_fast_mode_message():
    """The fast-mode failure recomputes the Jacobians in slow mode (the fast numbers are drawn
    at random, so only the text around them is compared)."""

    def run(m):
        with pytest.raises(RuntimeError) as info:
            m.autograd.gradcheck(_scaled(m, 3).apply, (_gx(m),), fast_mode=True)
        text = str(info.value).replace("ember", "torch")
        return type(info.value).__name__, text.split("numerical:")[0], text.split("\n\n", 1)[1]

    assert run(ember) == run(torch)


_GRADGRADCHECKS = {
    "ok": lambda m, gg: gg(lambda a: a.sin() * a, (_gx(m),)),
    "linear": lambda m, gg: gg(lambda a: a * 2, (_gx(m),)),
    "two_outputs": lambda m, gg: gg(lambda a, b: (a * b.exp(), b.sin()), (_gx(m), _gx(m) * 1)),
    "given_grad_outputs": lambda m, gg: gg(
        lambda a: a.sin() * a, (_gx(m),), (m.ones(3, dtype=m.float64, requires_grad=True),)
    ),
    "constant_grad_outputs": lambda m, gg: gg(
        lambda a: a.exp(), (_gx(m),), m.ones(3, dtype=m.float64)
    ),
    "fast": lambda m, gg: gg(lambda a: a.sin() * a, (_gx(m),), fast_mode=True),
    "fwd_over_rev": lambda m, gg: gg(lambda a: a.sin() * a, (_gx(m),), check_fwd_over_rev=True),
    "no_mode": lambda m, gg: gg(lambda a: a, (_gx(m),), check_rev_over_rev=False),
    "bad_noraise": lambda m, gg: gg(
        lambda a: _scaled(m, 3).apply(a) * a, (_gx(m),), raise_exception=False
    ),
}


@pytest.mark.parametrize("name", sorted(_GRADGRADCHECKS))
def test_gradgradcheck_outcomes(name):
    def run(m):
        try:
            return _GRADGRADCHECKS[name](m, m.autograd.gradgradcheck)
        except Exception as exc:  # noqa: BLE001
            return type(exc).__name__, str(exc)

    assert run(ember) == run(torch)


def test_gradgradcheck_failure_names_the_first_order_function():
    """A wrong second derivative fails as a Jacobian mismatch of the gradient function (the
    random grad_outputs differ between the libraries, so the numbers are not compared)."""
    for m in (torch, ember):
        with pytest.raises(RuntimeError) as info:
            m.autograd.gradgradcheck(lambda a, m=m: _scaled(m, 3).apply(a) * a, (_gx(m),))
        assert type(info.value).__name__ == "GradcheckError"
        assert str(info.value).startswith(
            "Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor("
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda f, net, x: f.grad(lambda a: net(a).pow(2).sum())(x[0]),
        lambda f, net, x: f.grad_and_value(lambda a: net(a).sum())(x[0]),
        lambda f, net, x: f.vjp(net, x)[1](x.new_ones(2, 3)),
        lambda f, net, x: f.jvp(net, (x,), (x.new_ones(2, 4),)),
        lambda f, net, x: f.jacrev(net)(x[0]),
        lambda f, net, x: f.jacfwd(net)(x[0]),
        lambda f, net, x: f.hessian(lambda a: net(a).pow(2).sum())(x[0]),
        lambda f, net, x: f.vmap(f.jacrev(net))(x),
        lambda f, net, x: f.grad(lambda a: (a * 2).sum())(x[0]),  # no parameter involved
    ],
)
def test_func_results_track_captured_parameters(call):
    """A function closing over parameters that require grad gives results that stay
    differentiable with respect to them, as torch's transforms do."""

    def program(m):
        net = m.nn.Sequential(m.nn.Linear(4, 5), m.nn.Tanh(), m.nn.Linear(5, 3))
        with m.no_grad():
            for i, p in enumerate(net.parameters()):
                p.copy_(m.linspace(-1, 1, p.numel()).view(p.shape) * (i + 1) / 3)
        x = m.linspace(-2, 2, 8).view(2, 4)
        res = call(m.func, net, x)
        flat = [t for t in _flatten(res) if isinstance(t, m.Tensor)]
        flags = [t.requires_grad for t in flat]
        diff = [t for t in flat if t.requires_grad]
        if diff:
            sum(t.sum() for t in diff).backward()
        with m.no_grad():
            quiet = [t.requires_grad for t in _flatten(call(m.func, net, x))]
        return res, flags, [p.grad for p in net.parameters()], quiet

    _both(program)


def _flatten(v):
    if isinstance(v, (tuple, list)):
        return [x for item in v for x in _flatten(item)]
    return [v]
