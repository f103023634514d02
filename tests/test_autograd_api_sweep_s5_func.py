"""Sweep of ember.func and gradcheck/gradgradcheck against torch (the second half of
``test_autograd_api_sweep_s5.py``, whose helpers it shares).

Each program is written once as a PyTorch user would, taking the library as ``m``, and run on
torch and on Ember; values, gradients and error messages are compared.
"""

from __future__ import annotations

import warnings

import pytest
import torch

import ember
from tests.test_autograd_api_sweep_s5 import _both, _quad, _same_error


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


def test_gradgradcheck_random_grad_outputs_follow_torch():
    """Missing grad_outputs come from the global generator as torch draws them: with the same
    seed the failure message (its numbers included) and the generator state after it agree."""

    def program(m):
        m.manual_seed(0)
        y = m.tensor([[0.5, 1.0], [0.2, 0.1]], dtype=m.float64, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            m.autograd.gradgradcheck(
                lambda a, b: (_scaled(m, 3).apply(a) * a, b.sum() * _scaled(m, 3).apply(b)),
                (_gx(m), y),
            )
        return type(info.value).__name__, str(info.value).replace("ember", "torch"), m.rand(2)

    _both(program)


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
