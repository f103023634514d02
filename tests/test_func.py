"""ember.autograd.functional and ember.func against torch: values, structures, nesting, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember


def close(e, t, msg=""):
    """assert_close, with dicts compared key by key."""
    if isinstance(t, dict):
        assert isinstance(e, dict) and list(e) == list(t), f"{msg}: keys {list(e)} vs {list(t)}"
        for k in t:
            close(e[k], t[k], f"{msg}[{k!r}]")
    elif isinstance(t, (tuple, list)):
        assert type(e) is type(t) and len(e) == len(t), f"{msg}: structure {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            close(a, b, f"{msg}[{i}]")
    else:
        assert_close(e, t, msg=msg)


def same(fn, seed=0):
    """Run ``fn(module, arrays)`` with torch and with ember on the same float64 arrays."""
    rng = np.random.default_rng(seed)
    arrays = {
        "x": rng.standard_normal(3),
        "y": rng.standard_normal(3),
        "X": rng.standard_normal((4, 3)),
        "W": rng.standard_normal((3, 3)),
        "s": rng.standard_normal(()),
    }

    def inputs(m):
        return {k: m.tensor(v.copy()) for k, v in arrays.items()}

    expected = fn(torch, inputs(torch))
    got = fn(ember, inputs(ember))
    close(got, expected)
    return got, expected


def raises_like(fn, *arrays):
    """``fn(module, *tensors)`` raises the same exception type and message in both libraries.

    Messages naming a pytree structure are compared up to it: torch prints its TreeSpec class.
    """
    e_exc = check_raises(lambda m: fn(m, *(m.tensor(a) for a in arrays)))
    try:
        fn(torch, *(torch.tensor(a) for a in arrays))
    except Exception as ex:  # noqa: BLE001
        expected = str(ex).replace("torch.Size", "ember.Size")
    got = str(e_exc)
    if "TreeSpec" in expected:
        cut = expected.index("TreeSpec")
        got, expected = got[:cut], expected[:cut]
    assert got == expected


# Functions of one tensor or a pair: polynomial, trigonometric and matrix.
UNARY = {
    "poly": lambda a: a**3 - 2 * a**2 + a,
    "trig": lambda a: a.sin() * a.cos() + a.tanh(),
    "matrix": lambda a: (a.outer(a) @ a.exp()).sigmoid(),
}
SCALAR = {
    "poly": lambda a: (a**4 - a**2).sum(),
    "trig": lambda a: (a.sin() * a.exp()).sum(),
    "matrix": lambda a: a @ (a.outer(a).tanh() @ a),
}


# ---------------------------------------------------------------- autograd.functional


@pytest.mark.parametrize("name", list(UNARY))
def test_functional_single_tensor(name):
    f, g = UNARY[name], SCALAR[name]
    same(lambda m, d: m.autograd.functional.vjp(f, d["x"], d["y"]))
    same(lambda m, d: m.autograd.functional.jvp(f, d["x"], d["y"]))
    same(lambda m, d: m.autograd.functional.jacobian(f, d["x"]))
    same(lambda m, d: m.autograd.functional.hessian(g, d["x"]))
    same(lambda m, d: m.autograd.functional.hvp(g, d["x"], d["y"]))
    same(lambda m, d: m.autograd.functional.vhp(g, d["x"], d["y"]))


def pair_out(a, b):
    return (a * b.sin(), (a @ b).exp(), b.outer(a))


def pair_scalar(a, b):
    return (a.sin() * b**2).sum() + (a.outer(b) ** 2).sum()


def test_functional_tuple_structures():
    def af(m):
        return m.autograd.functional

    same(lambda m, d: af(m).vjp(pair_out, (d["x"], d["y"]), (d["x"], d["s"], d["W"])))
    same(lambda m, d: af(m).vjp(lambda a, b: (a * b).sum(), (d["x"], d["y"])))
    same(lambda m, d: af(m).jvp(pair_out, (d["x"], d["y"]), (d["y"], d["x"])))
    same(lambda m, d: af(m).jvp(lambda a: (a.exp(), a * 3), d["s"]))
    same(lambda m, d: af(m).jacobian(pair_out, (d["x"], d["y"])))
    same(lambda m, d: af(m).jacobian(lambda a: (a.sin(), a.sum()), d["x"]))
    same(lambda m, d: af(m).jacobian(lambda a, b: a @ b, (d["W"], d["x"])))
    same(lambda m, d: af(m).hessian(pair_scalar, (d["x"], d["y"])))
    same(lambda m, d: af(m).hvp(pair_scalar, (d["x"], d["y"]), (d["y"], d["x"])))
    same(lambda m, d: af(m).vhp(pair_scalar, (d["x"], d["y"]), (d["y"], d["x"])))
    same(lambda m, d: af(m).hvp(lambda a: a.exp() * a, d["s"]))
    # unused input: zeros in non-strict mode
    same(lambda m, d: af(m).vjp(lambda a, b: a * 2, (d["x"], d["y"]), d["x"]))
    same(lambda m, d: af(m).jacobian(lambda a, b: a.sin(), (d["x"], d["y"])))
    same(lambda m, d: af(m).jacobian(pair_out, (d["x"], d["y"]), vectorize=True))
    same(
        lambda m, d: af(m).jacobian(UNARY["poly"], d["x"], vectorize=True, strategy="forward-mode")
    )


@pytest.mark.parametrize("api", ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"])
def test_functional_create_graph(api):
    """With create_graph the results are differentiable: backprop through them as torch does."""

    def run(m, d):
        x = d["x"].requires_grad_()
        fn = getattr(m.autograd.functional, api)
        f = SCALAR["trig"] if api in ("hessian", "hvp", "vhp") else UNARY["trig"]
        args = (f, x) if api in ("jacobian", "hessian") else (f, x, d["y"])
        res = fn(*args, create_graph=True)
        leaves = [t for t in (res if isinstance(res, tuple) else (res,)) if t.requires_grad]
        assert leaves and all(t.grad_fn is not None for t in leaves)
        total = sum((t * t).sum() for t in leaves)
        (gx,) = m.autograd.grad(total, x)
        return res, gx

    same(run)


def test_functional_results_detached_without_create_graph():
    x = ember.randn(3, requires_grad=True)
    out, v = ember.autograd.functional.vjp(UNARY["poly"], x, ember.ones(3))
    jac = ember.autograd.functional.jacobian(UNARY["poly"], x)
    assert not out.requires_grad and not v.requires_grad and not jac.requires_grad


BAD_FUNCTIONAL = {
    "list inputs": lambda m, x: m.autograd.functional.vjp(lambda a: a, [x], x),
    "int in tuple": lambda m, x: m.autograd.functional.jvp(lambda a, b: a, (x, 1), (x, x)),
    "float output": lambda m, x: m.autograd.functional.vjp(lambda a: 3.0, x),
    "v None": lambda m, x: m.autograd.functional.vjp(lambda a: a * 2, x),
    "v size": lambda m, x: m.autograd.functional.vjp(lambda a: a * 2, x, m.ones(4)),
    "v length": lambda m, x: m.autograd.functional.vjp(lambda a: (a, a), x, (x,)),
    "v tuple": lambda m, x: m.autograd.functional.vjp(lambda a: a, x, (x, x)),
    "strict no grad": lambda m, x: m.autograd.functional.vjp(
        lambda a: m.ones(3), x, x, strict=True
    ),
    "strict unused": lambda m, x: m.autograd.functional.vjp(
        lambda a, b: a * 2, (x, x), x, strict=True
    ),
    "strict constant": lambda m, x: m.autograd.functional.vjp(
        lambda a: a * 2, x, x, strict=True, create_graph=True
    ),
    "jvp v None": lambda m, x: m.autograd.functional.jvp(lambda a: a * 2, x),
    "strategy": lambda m, x: m.autograd.functional.jacobian(lambda a: a, x, strategy="f"),
    "forward-mode": lambda m, x: m.autograd.functional.jacobian(
        lambda a: a, x, strategy="forward-mode"
    ),
    "forward-mode graph": lambda m, x: m.autograd.functional.jacobian(
        lambda a: a, x, strategy="forward-mode", create_graph=True
    ),
    "vectorize strict": lambda m, x: m.autograd.functional.jacobian(
        lambda a: a, x, vectorize=True, strict=True
    ),
    "jacobian strict": lambda m, x: m.autograd.functional.jacobian(
        lambda a, b: a * 2, (x, x), strict=True
    ),
    "hessian vector": lambda m, x: m.autograd.functional.hessian(lambda a: a * 2, x),
    "hessian tuple": lambda m, x: m.autograd.functional.hessian(lambda a: (a.sum(),), x),
    "hessian linear": lambda m, x: m.autograd.functional.hessian(
        lambda a: (a * 2).sum(), x, strict=True
    ),
    "hessian strategy": lambda m, x: m.autograd.functional.hessian(
        lambda a: a.sum(), x, outer_jacobian_strategy="x"
    ),
    "hvp vector": lambda m, x: m.autograd.functional.hvp(lambda a: a**2, x, x),
    "vhp tuple": lambda m, x: m.autograd.functional.vhp(lambda a: (a.sum(),), x, x),
    "vhp linear": lambda m, x: m.autograd.functional.vhp(lambda a: a.sum(), x, x, strict=True),
}


@pytest.mark.parametrize("case", list(BAD_FUNCTIONAL))
def test_functional_errors(case):
    raises_like(BAD_FUNCTIONAL[case], [0.5, -1.0, 2.0])


def test_gradcheck_exported_as_functions():
    assert callable(ember.autograd.gradcheck) and callable(ember.autograd.gradgradcheck)
    x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: (a.sin() * a).sum(), (x,))
    assert ember.autograd.gradgradcheck(lambda a: (a.sin() * a).sum(), (x,))
    assert isinstance(ember.autograd.functional, type(ember))


# ---------------------------------------------------------------- func: grad and friends


def test_func_grad_argnums_and_structures():
    f = pair_scalar
    same(lambda m, d: m.func.grad(f)(d["x"], d["y"]))
    same(lambda m, d: m.func.grad(f, argnums=1)(d["x"], d["y"]))
    same(lambda m, d: m.func.grad(f, argnums=-1)(d["x"], d["y"]))
    same(lambda m, d: m.func.grad(f, argnums=(1, 0))(d["x"], d["y"]))
    same(
        lambda m, d: m.func.grad(lambda p: (p["a"] * p["b"][0].exp()).sum())(
            {"a": d["x"], "b": [d["y"]]}
        )
    )
    same(lambda m, d: m.func.grad(lambda a, k: (a * k).sum())(d["x"], 3.0))
    same(lambda m, d: m.func.grad(lambda a: d["y"].sum())(d["x"]))  # independent: zeros
    same(lambda m, d: m.func.grad(lambda a: (a.sin().sum(), {"k": a * 2}), has_aux=True)(d["x"]))
    same(lambda m, d: m.func.grad_and_value(f, argnums=(0, 1))(d["x"], d["y"]))
    same(lambda m, d: m.func.grad_and_value(lambda a: ((a**2).sum(), a), has_aux=True)(d["x"]))


def test_func_grad_results_detached_and_kwargs():
    g = ember.func.grad(lambda a, scale=1.0: (a * scale).sum())(ember.ones(2), scale=3.0)
    assert g.tolist() == [3.0, 3.0] and not g.requires_grad
    assert ember.func.grad(SCALAR["trig"]).__name__ == "<lambda>"


def test_func_linearize():
    def run(m, d):
        out, fn = m.func.linearize(pair_out, d["x"], d["y"])
        return out, fn(d["y"], d["x"]), fn(d["x"].exp(), d["y"] * 2)

    same(run)


def test_func_functionalize_and_batch_norm_replacement():
    def run(m, d):
        x = d["x"].clone()

        def f(a):
            a.mul_(2)
            return a.sin()

        out = m.func.functionalize(f)(x)
        net = m.nn.Sequential(m.nn.BatchNorm1d(3), m.nn.Tanh()).double()
        assert m.func.replace_all_batch_norm_modules_(net) is net
        bn = net[0]
        assert bn.running_mean is None and bn.running_var is None and not bn.track_running_stats
        return out, x, net.eval()(d["X"]), repr(net)

    same(run)


def test_func_vjp_jvp():
    def vjp_run(m, d):
        out, fn = m.func.vjp(pair_out, d["x"], d["y"])
        return out, fn((d["y"], d["s"], d["W"])), fn((d["x"], d["s"] * 2, d["W"].t()))

    same(vjp_run)

    def vjp_aux(m, d):
        out, fn, aux = m.func.vjp(lambda a: (a.exp(), a.sum()), d["x"], has_aux=True)
        return out, fn(d["y"]), aux

    same(vjp_aux)
    same(lambda m, d: m.func.jvp(pair_out, (d["x"], d["y"]), (d["y"], d["x"])))
    same(lambda m, d: m.func.jvp(lambda a: (a.sin(), a), (d["x"],), (d["y"],), has_aux=True))


@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
def test_func_jacobians(jac):
    same(lambda m, d: getattr(m.func, jac)(UNARY["matrix"])(d["x"]))
    same(lambda m, d: getattr(m.func, jac)(pair_out, argnums=(0, 1))(d["x"], d["y"]))
    same(lambda m, d: getattr(m.func, jac)(lambda a, b: {"o": a @ b}, argnums=1)(d["W"], d["x"]))
    same(lambda m, d: getattr(m.func, jac)(lambda a: (a.sin(), a * 2), has_aux=True)(d["x"]))
    same(lambda m, d: getattr(m.func, jac)(lambda p: p["w"] @ p["v"])({"w": d["W"], "v": d["x"]}))
    same(lambda m, d: getattr(m.func, jac)(lambda a: a.sum() * m.ones(0, 2))(d["x"]))
    # dtypes: jacrev's follow the input, jacfwd's the output
    same(
        lambda m, d: getattr(m.func, jac)(lambda a, b: a.float().sum() + b, argnums=(0, 1))(
            d["x"], m.ones(2)
        )
    )


def test_func_hessian():
    for g in SCALAR.values():
        same(lambda m, d, g=g: m.func.hessian(g)(d["x"]))
    same(lambda m, d: m.func.hessian(pair_scalar, argnums=(0, 1))(d["x"], d["y"]))


def test_func_nested_transforms():
    f = SCALAR["trig"]
    same(lambda m, d: m.func.grad(lambda a: m.func.grad(f)(a).sum())(d["x"]))
    same(lambda m, d: m.func.grad(m.func.grad(lambda a: a.sin() * a**3))(d["s"]))
    same(lambda m, d: m.func.jacrev(m.func.jacrev(f))(d["x"]))
    same(lambda m, d: m.func.jacrev(m.func.grad(f))(d["x"]))
    same(
        lambda m, d: m.func.grad(lambda a: m.func.grad(lambda b: (a * b).sum())(d["y"]).sum())(
            d["x"]
        )
    )
    same(lambda m, d: m.func.jacrev(m.func.vmap(lambda r: r.exp() * r.sum()))(d["X"]))
    same(lambda m, d: m.func.grad(lambda a: m.func.vmap(lambda r: (r**3).sum())(a).sum())(d["X"]))


def test_func_grad_composes_with_outer_autograd():
    def run(m, d):
        x = d["x"].requires_grad_()
        g = m.func.grad(SCALAR["trig"])(x)
        assert g.requires_grad
        g.pow(2).sum().backward()
        X = d["X"].requires_grad_()
        per_sample = m.func.vmap(m.func.grad(SCALAR["matrix"]))(X)
        (gX,) = m.autograd.grad(per_sample.sin().sum(), X)
        return g, x.grad, per_sample, gX

    same(run)


BAD_FUNC = {
    "vector output": lambda m, x: m.func.grad(lambda a: a * 2)(x),
    "float output": lambda m, x: m.func.grad(lambda a: 3.0)(x),
    "aux not tuple": lambda m, x: m.func.grad(lambda a: a.sum(), has_aux=True)(x),
    "aux 3-tuple": lambda m, x: m.func.grad(lambda a: (a.sum(), 1, 2), has_aux=True)(x),
    "argnum range": lambda m, x: m.func.grad(lambda a: a.sum(), argnums=1)(x),
    "argnums empty": lambda m, x: m.func.grad(lambda a: a.sum(), argnums=())(x),
    "argnums float": lambda m, x: m.func.grad(lambda a: a.sum(), argnums=1.0)(x),
    "argnums repeated": lambda m, x: m.func.grad(lambda a: a.sum(), argnums=(0, 0))(x),
    "no args": lambda m, x: m.func.grad(lambda a: a.sum())(),
    "non-tensor arg": lambda m, x: m.func.grad(lambda a: a.sum())(3.0),
    "vjp float": lambda m, x: m.func.vjp(lambda a: 3.0, x),
    "vjp aux": lambda m, x: m.func.vjp(lambda a: a, x, has_aux=True),
    "vjp structure": lambda m, x: m.func.vjp(lambda a: (a * 2, a), x)[1]((x,)),
    "vjp shape": lambda m, x: m.func.vjp(lambda a: a * 2, x)[1](m.ones(4)),
    "jacrev argnum": lambda m, x: m.func.jacrev(lambda a: a.sin(), argnums=2)(x),
    "jacrev aux": lambda m, x: m.func.jacrev(lambda a: a, has_aux=True)(x),
    "jacfwd aux": lambda m, x: m.func.jacfwd(lambda a: a, has_aux=True)(x),
    "jacfwd float output": lambda m, x: m.func.jacfwd(lambda a: 3.0)(x),
    "jacrev chunk_size": lambda m, x: m.func.jacrev(lambda a: a, chunk_size=0),
    "jacfwd randomness": lambda m, x: m.func.jacfwd(lambda a: a, randomness="x")(x),
    "jvp primals": lambda m, x: m.func.jvp(lambda a: a, x, (x,)),
    "jvp tangents": lambda m, x: m.func.jvp(lambda a: a, (x,), x),
    "jvp tangent count": lambda m, x: m.func.jvp(lambda a: a, (x,), (x, x)),
    "jvp tangent size": lambda m, x: m.func.jvp(lambda a: a, (x,), (m.ones(4),)),
    "jvp float primal": lambda m, x: m.func.jvp(lambda a, b: a * b, (x, 2.0), (x, 1.0)),
    "jvp float output": lambda m, x: m.func.jvp(lambda a: 3.0, (x,), (x,)),
    "jvp aux": lambda m, x: m.func.jvp(lambda a: a, (x,), (x,), has_aux=True),
    "linearize tangents": lambda m, x: m.func.linearize(lambda a: a.sin(), x)[1](x, x),
    "linearize nested": lambda m, x: m.func.linearize(lambda a: a.sin(), x)[1]((x,)),
    "linearize size": lambda m, x: m.func.linearize(lambda a: a.sin(), x)[1](m.ones(4)),
    "functionalize remove": lambda m, x: m.func.functionalize(lambda a: a, remove="x"),
    "int input": lambda m, x: m.func.grad(lambda a: a.sum())(m.arange(3)),
    "jacrev float output": lambda m, x: m.func.jacrev(lambda a: 3.0)(x),
}


@pytest.mark.parametrize("case", list(BAD_FUNC))
def test_func_errors(case):
    raises_like(BAD_FUNC[case], [0.5, -1.0, 2.0])


# ---------------------------------------------------------------- vmap


VMAP_CASES = {
    "default": (lambda a: a * 2 + a.sin(), {}, ("X",)),
    "in 1": (lambda a: a.exp(), {"in_dims": 1}, ("X",)),
    "in -1 out 1": (lambda a: a.cumsum(0), {"in_dims": -1, "out_dims": 1}, ("X",)),
    "out -1": (lambda a: a.sum(), {"out_dims": -1}, ("X",)),
    "None": (lambda a, b: a @ b, {"in_dims": (0, None)}, ("X", "W")),
    "both": (lambda a, b: a.outer(b), {"in_dims": (1, 0)}, ("X", "W")),
    "out tuple": (lambda a: (a.sum(), a), {"out_dims": (0, 1)}, ("X",)),
    "out None": (
        lambda a, b: (a * 2, b),
        {"in_dims": (0, None), "out_dims": (0, None)},
        ("X", "x"),
    ),
    "unbatched out": (lambda a, b: b * 2, {"in_dims": (0, None)}, ("X", "x")),
    "dict": (
        lambda p: p["a"] * p["b"],
        {"in_dims": ({"a": 0, "b": None},)},
        ({"a": "X", "b": "x"},),
    ),
    "dict out": (lambda a: {"s": a.sum(), "t": [a, a * 2]}, {}, ("X",)),
    "list arg": (lambda p: p[0] + p[1], {"in_dims": ([0, 1],)}, (["X", "V"],)),
    "tuple arg": (lambda p, c: p[0] * p[1] + c, {"in_dims": ((0, None), 1)}, (("X", "x"), "V")),
    "list out": (lambda a: [a.sum(), a], {"out_dims": [0, 1]}, ("X",)),
    "scalar per sample": (lambda a: a * 3, {}, ("x",)),
}


@pytest.mark.parametrize("case", list(VMAP_CASES))
def test_vmap(case):
    fn, kwargs, names = VMAP_CASES[case]

    def pick(d, n):
        if isinstance(n, dict):
            return {k: d[v] for k, v in n.items()}
        if isinstance(n, (list, tuple)):
            return type(n)(d[v] for v in n)
        return d[n]

    def run(m, d):
        d = dict(d, V=d["X"].t().cos())
        return m.vmap(fn, **kwargs)(*[pick(d, n) for n in names])

    same(run)


def test_vmap_nested_and_over_grad():
    f = SCALAR["poly"]
    same(lambda m, d: m.func.vmap(m.func.grad(f))(d["X"]))
    same(lambda m, d: m.func.vmap(m.func.vmap(lambda a: a.sin() * a))(d["X"]))
    same(
        lambda m, d: m.func.vmap(
            m.func.vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(1, None)
        )(d["X"], d["x"])
    )
    same(lambda m, d: m.func.vmap(m.func.jacrev(UNARY["trig"]))(d["X"]))
    same(lambda m, d: m.func.vmap(m.func.hessian(f))(d["X"]))
    same(
        lambda m, d: m.func.vmap(m.func.grad(pair_scalar, argnums=(0, 1)), in_dims=(0, None))(
            d["X"], d["y"]
        )
    )
    same(lambda m, d: m.vmap(lambda a: a.sum(), chunk_size=2)(d["X"]))
    same(lambda m, d: m.vmap(lambda a: a.sum())(d["X"][:0]))  # an empty batch
    same(lambda m, d: m.vmap(lambda a, k=1: a * k)(d["X"], k=d["x"]))  # kwargs are not mapped


def test_per_sample_gradients_with_functional_call():
    def run(m, d):
        net = m.nn.Sequential(m.nn.Linear(3, 2), m.nn.Tanh(), m.nn.Linear(2, 1)).double()
        rng = np.random.default_rng(1)
        with m.no_grad():
            for p in net.parameters():
                p.copy_(m.tensor(rng.standard_normal(tuple(p.shape))))
        params = {k: v.detach() for k, v in net.named_parameters()}

        def loss(p, x, y):
            return (m.func.functional_call(net, p, (x.unsqueeze(0),)) - y).pow(2).sum()

        return m.func.vmap(m.func.grad(loss), in_dims=(None, 0, 0))(params, d["X"], d["X"][:, 0])

    same(run)


def test_functional_call_and_stack_module_state():
    def run(m, d):
        rng = np.random.default_rng(2)
        models = [m.nn.Linear(3, 2).double() for _ in range(3)]
        with m.no_grad():
            for net in models:
                for p in net.parameters():
                    p.copy_(m.tensor(rng.standard_normal(tuple(p.shape))))
        params, buffers = m.func.stack_module_state(models)
        assert all(p.is_leaf and p.requires_grad for p in params.values()) and buffers == {}
        base = m.nn.Linear(3, 2).double()

        def call(p, x):
            return m.func.functional_call(base, p, (x,))

        ensemble = m.vmap(call, in_dims=(0, None))(params, d["X"])
        split = m.func.functional_call(
            base, ({"weight": params["weight"][0]}, {"bias": params["bias"][0]}), d["x"]
        )
        return params, ensemble, split

    same(run)


def test_stack_module_state_and_functional_call_errors():
    check_raises(lambda m: m.func.stack_module_state([]))
    check_raises(lambda m: m.func.stack_module_state([m.nn.Linear(2, 2), m.nn.Conv1d(1, 1, 1)]))
    check_raises(lambda m: m.func.stack_module_state([m.nn.Linear(2, 2), m.nn.Linear(2, 2).eval()]))
    check_raises(
        lambda m: m.func.stack_module_state(
            [m.nn.Linear(2, 2), m.nn.Linear(2, 2).requires_grad_(False)]
        )
    )

    def twice(m):
        net = m.nn.Linear(2, 2)
        w = {"weight": net.weight}
        return m.func.functional_call(net, (w, w), m.ones(2))

    exc = check_raises(twice)
    assert (
        str(exc)
        == "['weight'] appeared in multiple dictionaries; behavior of functional call is ambiguous"
    )


def test_vmap_randomness():
    x = ember.zeros(3, 2)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        ember.vmap(lambda a: a + ember.rand(2))(x)
    same_draws = ember.vmap(lambda a: a + ember.rand(2), randomness="same")(x)
    assert np.array_equal(same_draws[0].numpy(), same_draws[2].numpy())
    ember.manual_seed(0)
    different = ember.vmap(lambda a: a + ember.rand(2), randomness="different")(x)
    assert not np.array_equal(different[0].numpy(), different[1].numpy())
    ember.manual_seed(0)
    assert np.array_equal(different.numpy(), ember.rand(3, 2).numpy())  # one stream, in order


BAD_VMAP = {
    "in_dim range": lambda m, X, x: m.vmap(lambda a: a, in_dims=2)(X),
    "in_dims short": lambda m, X, x: m.vmap(lambda a, b: a, in_dims=(0,))(X, x),
    "in_dims list": lambda m, X, x: m.vmap(lambda a, b: a, in_dims=[0, None])(X, x),
    "in_dims float": lambda m, X, x: m.vmap(lambda a: a, in_dims=0.5)(X),
    "sizes": lambda m, X, x: m.vmap(lambda a, b: a * b)(X, x),
    "nothing batched": lambda m, X, x: m.vmap(lambda a, b: a, in_dims=(None, None))(X, x),
    "0-dim": lambda m, X, x: m.vmap(lambda a: a)(x.sum()),
    "non-tensor": lambda m, X, x: m.vmap(lambda a, k: a * k, in_dims=(0, 0))(X, 2),
    "float output": lambda m, X, x: m.vmap(lambda a: 3.0)(X),
    "out_dims structure": lambda m, X, x: m.vmap(lambda a: a, out_dims=(0, 1))(X),
    "out_dims float": lambda m, X, x: m.vmap(lambda a: a, out_dims=0.5)(X),
    "out_dim range": lambda m, X, x: m.vmap(lambda a: a, out_dims=2)(X),
    "batched out None": lambda m, X, x: m.vmap(lambda a: a, out_dims=None)(X),
    "chunk_size": lambda m, X, x: m.vmap(lambda a: a, chunk_size=0),
    "randomness": lambda m, X, x: m.vmap(lambda a: a, randomness="foo"),
    "no inputs": lambda m, X, x: m.vmap(lambda: x)(),
    "nested in_dims": lambda m, X, x: m.vmap(lambda a: a, in_dims=((0,),))(X),
}


@pytest.mark.parametrize("case", list(BAD_VMAP))
def test_vmap_errors(case):
    X = np.arange(6.0).reshape(2, 3)
    raises_like(BAD_VMAP[case], X, X[0])


def test_vmap_is_exported():
    assert ember.vmap is ember.func.vmap
    assert set(ember.func.__all__) >= {"grad", "vmap", "jacrev", "jacfwd", "hessian", "vjp"}
