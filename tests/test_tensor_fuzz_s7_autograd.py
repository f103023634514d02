"""Differential hunt (session 7), autograd half: in-place writes against saved tensors, views
and leaves, ``backward``/``autograd.grad`` arguments, tensor and node hooks, ``retain_grad``,
custom ``Function``s (mark_dirty, mark_non_differentiable, set_materialize_grads,
once_differentiable), ``detect_anomaly`` and ``gradcheck``. Each scenario runs on torch and on
Ember: the same values (``assert_close``), or the same exception type and message. The tensor
half (promotion, printing, indexing, reductions) is tests/test_tensor_fuzz_s7.py.
"""

from __future__ import annotations

import warnings

import pytest
import torch
from helpers import assert_close

import ember


def _exc(fn, *args):
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001
        return type(exc), str(exc)
    return None


# One autograd / in-place scenario per function: each runs on torch and on Ember and returns
# values to compare (or raises; the exception type and message must match).
_GRAPH_CASES = {}


def _graph_case(fn):
    _GRAPH_CASES[fn.__name__] = fn
    return fn


@_graph_case
def saved_tensor_modified(t):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a.sigmoid()
    c.mul_(2)
    c.sum().backward()


@_graph_case
def saved_tensor_modified_twice(t):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    c = b * b
    b.add_(1)
    b.add_(1)
    c.sum().backward()


@_graph_case
def unsaved_tensor_modified_ok(t):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a + 0
    c = b + 1
    b.mul_(3)
    c.sum().backward()
    return a.grad


@_graph_case
def leaf_inplace(t):
    t.tensor([1.0, 2.0], requires_grad=True).add_(1)


@_graph_case
def leaf_setitem(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    a[0] = 1.0


@_graph_case
def view_of_leaf_inplace(t):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a[:2].mul_(2)


@_graph_case
def leaf_inplace_no_grad(t):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with t.no_grad():
        a[:2].mul_(2)
        a.add_(1)
    return a, a.is_leaf, a.requires_grad


@_graph_case
def view_of_nonleaf_inplace(t):
    a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 1
    v = b[1:]
    v.mul_(a[1:])
    b.sum().backward()
    return a.grad, type(b.grad_fn).__name__, type(v.grad_fn).__name__


@_graph_case
def setitem_view_of_clone(t):
    a = t.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    b = a.clone()
    v = b.view(2, 2)
    v[0, 1] = a[3] * 10
    b.pow(2).sum().backward()
    return b, a.grad, type(b.grad_fn).__name__


@_graph_case
def base_modified_view_used(t):
    a = t.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    b = a * 1
    v = b[:2]
    b.mul_(2)
    (v * 1).sum().backward()
    return a.grad, type(v.grad_fn).__name__


@_graph_case
def detached_alias_zeroed(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a.exp()
    b.detach().zero_()
    b.sum().backward()


@_graph_case
def split_output_inplace(t):
    b = t.arange(12.0, requires_grad=True) * 1
    b.split(4)[1].mul_(2)


@_graph_case
def split_sizes_output_inplace(t):
    b = t.arange(12.0, requires_grad=True) * 1
    b.split([4, 8])[1].add_(2)


@_graph_case
def chunk_output_inplace(t):
    b = t.arange(12.0, requires_grad=True) * 1
    b.chunk(3)[2].zero_()


@_graph_case
def unbind_output_inplace(t):
    b = t.arange(12.0, requires_grad=True) * 1
    b.view(3, 4).unbind(1)[0].copy_(t.ones(3))


@_graph_case
def tensor_split_output_inplace_ok(t):
    a = t.arange(12.0, requires_grad=True)
    b = a * 1
    p = b.tensor_split(3)[1]
    p.mul_(2)
    b.sum().backward()
    return a.grad, type(p.grad_fn).__name__


@_graph_case
def split_output_inplace_no_grad_ok(t):
    b = t.arange(12.0, requires_grad=True) * 1
    with t.no_grad():
        b.split(4)[1].mul_(2)
    return b


@_graph_case
def split_of_plain_tensor_inplace_ok(t):
    b = t.arange(12.0)
    b.split(4)[1].mul_(2)
    return b


@_graph_case
def expanded_inplace(t):
    t.zeros(3).expand(2, 3).add_(1)


@_graph_case
def backward_twice(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = (a * a).sum()
    b.backward()
    b.backward()


@_graph_case
def backward_retain_graph(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = (a * a).sum()
    b.backward(retain_graph=True)
    b.backward()
    return a.grad


@_graph_case
def backward_nonscalar(t):
    (t.tensor([1.0, 2.0], requires_grad=True) * 2).backward()


@_graph_case
def backward_no_grad_fn(t):
    (t.tensor([1.0, 2.0]) * 2).sum().backward()


@_graph_case
def backward_inputs(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([3.0, 4.0], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    return a.grad, b.grad is None


@_graph_case
def backward_inputs_nonleaf(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    m = a * 3
    (m * m).sum().backward(inputs=[m])
    return m.grad, a.grad is None


@_graph_case
def backward_inputs_empty(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    (a * a).sum().backward(inputs=[])


@_graph_case
def backward_inputs_empty_before_output_check(t):
    t.tensor([1.0, 2.0]).backward(inputs=[])


@_graph_case
def backward_inputs_tensor(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    (a * a).sum().backward(inputs=a)
    return a.grad


@_graph_case
def backward_gradient_wrong_shape(t):
    (t.tensor([1.0, 2.0], requires_grad=True) * 2).backward(t.ones(3))


@_graph_case
def backward_gradient_float64(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    (a * 2).backward(t.ones(2, dtype=t.float64))
    return a.grad


@_graph_case
def grad_unused(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.grad((a * 2).sum(), [a, b])


@_graph_case
def grad_allow_unused(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([1.0, 2.0], requires_grad=True)
    ga, gb = t.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
    return ga, gb is None


@_graph_case
def grad_materialize(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([1.0, 2.0], requires_grad=True)
    return t.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)


@_graph_case
def grad_materialize_refuses_allow_unused_false(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.grad((a * 2).sum(), [a], allow_unused=False, materialize_grads=True)


@_graph_case
def grad_output_without_grad(t):
    a = t.tensor([1.0, 2.0])
    t.autograd.grad(a.sum(), a)


@_graph_case
def grad_input_without_grad(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.grad((a * 2).sum(), t.tensor([1.0]))


@_graph_case
def grad_empty_inputs(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.grad((a * 2).sum(), [])


@_graph_case
def grad_nonscalar(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.grad(a * 2, a)


@_graph_case
def grad_outputs_shape(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.grad(a * 2, a, grad_outputs=t.tensor([1.0, 5.0, 3.0]))


@_graph_case
def grad_graph_freed(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    y = (a**3).sum()
    t.autograd.grad(y, a)
    t.autograd.grad(y, a)


@_graph_case
def grad_create_graph(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    (g,) = t.autograd.grad((a**3).sum(), a, create_graph=True)
    (g2,) = t.autograd.grad(g.sum(), a)
    return g, g2, type(g.grad_fn).__name__


@_graph_case
def tensor_hook_replaces(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: g * 10)
    b.sum().backward()
    return a.grad


@_graph_case
def leaf_hook_replaces(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    a.register_hook(lambda g: g + 1)
    (a * 3).sum().backward()
    return a.grad


@_graph_case
def hook_returning_none(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    a.register_hook(lambda g: None)
    (a * 3).sum().backward()
    return a.grad


@_graph_case
def hook_on_tensor_without_grad(t):
    t.tensor([1.0, 2.0]).register_hook(lambda g: g)


@_graph_case
def hook_wrong_shape(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: g.sum())
    b.sum().backward()


@_graph_case
def node_hook_replaces(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a.exp()
    b.grad_fn.register_hook(lambda gi, go: (gi[0] * 0 + 7,))
    b.sum().backward()
    return a.grad


@_graph_case
def node_prehook_replaces(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.grad_fn.register_prehook(lambda go: (go[0] * 3,))
    b.sum().backward()
    return a.grad


@_graph_case
def retain_grad(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.retain_grad()
    c = b * b
    c.retain_grad()
    c.sum().backward()
    return b.grad, c.grad, b.retains_grad, a.retains_grad


@_graph_case
def retain_grad_then_hook(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.retain_grad()
    b.register_hook(lambda g: g * 5)
    b.sum().backward()
    return b.grad, a.grad


@_graph_case
def hook_then_retain_grad(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: g * 5)
    b.retain_grad()
    b.sum().backward()
    return b.grad, a.grad


@_graph_case
def retain_grad_without_grad(t):
    t.tensor([1.0, 2.0]).retain_grad()


@_graph_case
def grads_accumulate(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    (a * 2).sum().backward()
    (a * 3).sum().backward()
    return a.grad


@_graph_case
def int_requires_grad(t):
    t.tensor([1, 2]).requires_grad_()


@_graph_case
def nonleaf_requires_grad_false(t):
    (t.tensor([1.0, 2.0], requires_grad=True) * 2).requires_grad_(False)


@_graph_case
def anomaly_nan_in_backward(t):
    a = t.tensor([-1.0, 1.0], requires_grad=True)
    with t.autograd.detect_anomaly():
        a.sqrt().sum().backward()
    return a.grad


@_graph_case
def anomaly_flags(t):
    with t.autograd.detect_anomaly(check_nan=False):
        return t.is_anomaly_enabled(), t.is_anomaly_check_nan_enabled()


def _functions(t):
    """Custom autograd Functions, the same classes written against ``t``."""

    class Dirty(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x.mul_(2)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class NonDiff(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            return x * 3, idx

        @staticmethod
        def backward(ctx, g, gi):
            return g * 3

    class NoMaterialize(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return (g1 * 2 if g1 is not None else 0) + (g2 * 3 if g2 is not None else 100)

    class Materialize(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3 + (g2 == 0).float() * 100

    class Once(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        @t.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class WrongCount(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    class WrongShape(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    class Identity(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    class GradForNumber(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, g

    class SaveOutput(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    return locals()


@_graph_case
def function_mark_dirty(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = _functions(t)["Dirty"].apply(b)
    c.sum().backward()
    return c, a.grad, c is b, type(c.grad_fn).__name__


@_graph_case
def function_mark_dirty_leaf(t):
    _functions(t)["Dirty"].apply(t.tensor([1.0, 2.0], requires_grad=True))


@_graph_case
def function_mark_non_differentiable(t):
    a = t.tensor([1.0, 5.0, 2.0], requires_grad=True)
    y, i = _functions(t)["NonDiff"].apply(a)
    y.sum().backward()
    return a.grad, i, i.requires_grad, y.requires_grad


@_graph_case
def function_non_differentiable_backward(t):
    a = t.tensor([1.0, 5.0, 2.0], requires_grad=True)
    _, i = _functions(t)["NonDiff"].apply(a)
    i.sum().backward()


@_graph_case
def function_set_materialize_grads_false(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    y1, _ = _functions(t)["NoMaterialize"].apply(a)
    y1.sum().backward()
    return a.grad


@_graph_case
def function_materialized_zeros(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    y1, _ = _functions(t)["Materialize"].apply(a)
    y1.sum().backward()
    return a.grad


@_graph_case
def function_once_differentiable(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    (g,) = t.autograd.grad(_functions(t)["Once"].apply(a).sum(), a, create_graph=True)
    return g, g.requires_grad


@_graph_case
def function_once_differentiable_twice(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    (g,) = t.autograd.grad(_functions(t)["Once"].apply(a).sum(), a, create_graph=True)
    g.sum().backward()


@_graph_case
def function_wrong_gradient_count(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    _functions(t)["WrongCount"].apply(a, a).sum().backward()


@_graph_case
def function_wrong_gradient_shape(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    _functions(t)["WrongShape"].apply(a).sum().backward()


@_graph_case
def function_returns_input(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    y = _functions(t)["Identity"].apply(a)
    y.sum().backward()
    return a.grad, y is a, type(y.grad_fn).__name__


@_graph_case
def function_gradient_for_number(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    _functions(t)["GradForNumber"].apply(a, 3.0).sum().backward()


@_graph_case
def function_saved_output_modified(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    y = _functions(t)["SaveOutput"].apply(a)
    y.mul_(2)
    y.sum().backward()


@_graph_case
def function_node_name(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    return type(_functions(t)["SaveOutput"].apply(a).grad_fn).__name__


@_graph_case
def gradcheck_passes(t):
    a = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
    return t.autograd.gradcheck(lambda x: (x**2).sum(), (a,)), t.autograd.gradcheck(t.sin, a)


@_graph_case
def gradcheck_float32_warns_and_fails(t):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    return t.autograd.gradcheck(lambda x: (x**2).sum(), (a,))


@_graph_case
def gradcheck_wrong_backward(t):
    a = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
    t.autograd.gradcheck(_functions(t)["Identity"].apply, (a,))


@_graph_case
def gradcheck_wrong_backward_no_raise(t):
    a = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
    return t.autograd.gradcheck(_functions(t)["Identity"].apply, (a,), raise_exception=False)


@_graph_case
def gradcheck_no_input_requires_grad(t):
    t.autograd.gradcheck(lambda x: x * 2, (t.tensor([1.0, 2.0], dtype=t.float64),))


@_graph_case
def gradcheck_fast_mode(t):
    a = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
    return t.autograd.gradcheck(t.sin, (a,), fast_mode=True, eps=1e-6, atol=1e-5, rtol=1e-3)


@_graph_case
def gradgradcheck_passes(t):
    a = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
    return t.autograd.gradgradcheck(lambda x: x**3, (a,))


@pytest.mark.parametrize("name", list(_GRAPH_CASES))
def test_graph_case(name):
    fn = _GRAPH_CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_exc, e_exc = _exc(lambda: fn(torch)), _exc(lambda: fn(ember))
        assert (e_exc is None) == (t_exc is None), f"ember {e_exc} vs torch {t_exc}"
        if t_exc is not None:
            assert e_exc[0].__name__ == t_exc[0].__name__ or issubclass(e_exc[0], t_exc[0]), (
                e_exc,
                t_exc,
            )
            if e_exc[0].__name__ != "GradcheckError":  # its message shows random numbers
                assert e_exc[1].replace("ember", "torch") == t_exc[1]
            return
        assert_close(fn(ember), fn(torch))


def test_grad_checks_outputs_before_inputs():
    """``autograd.grad`` names an output without grad before an input without it, as torch."""
    for mod in (torch, ember):
        with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
            mod.autograd.grad(mod.ones(2).sum(), mod.ones(2))


@pytest.mark.parametrize("name", ["split", "split_sizes", "chunk", "unbind"])
def test_multi_output_view_setitem_refused(name):
    """A write through ``[]`` into one of several views is refused too (torch names the select
    view it goes through; the exception type is what is compared)."""
    make = {
        "split": lambda b: b.split(4),
        "split_sizes": lambda b: b.split([4, 8]),
        "chunk": lambda b: b.chunk(3),
        "unbind": lambda b: b.view(3, 4).unbind(),
    }[name]
    for mod in (torch, ember):
        b = mod.arange(12.0, requires_grad=True) * 1
        with pytest.raises(RuntimeError, match="is a view and is being modified inplace"):
            make(b)[1][0] = 5.0


_INFERENCE_WRITES = {
    "add_": lambda t, x: x.add_(1),
    "+=": lambda t, x: x.__iadd__(1),
    "mul_ tensor": lambda t, x: x.mul_(t.ones(3)),
    "setitem number": lambda t, x: x.__setitem__(0, 5.0),
    "setitem tensor": lambda t, x: x.__setitem__(slice(None), t.zeros(3)),
    "copy_": lambda t, x: x.copy_(t.zeros(3)),
    "zero_": lambda t, x: x.zero_(),
    "fill_": lambda t, x: x.fill_(2),
    "clamp_": lambda t, x: x.clamp_(0, 1),
    "exp_": lambda t, x: x.exp_(),
    "uniform_": lambda t, x: x.uniform_(),
}


@pytest.mark.parametrize("name", list(_INFERENCE_WRITES))
def test_inplace_on_inference_tensor_outside_inference_mode(name):
    """A tensor made under ``inference_mode`` cannot be written in place once outside it (it
    can inside it)."""

    def run(mod, inside):
        with mod.inference_mode():
            x = mod.ones(3)
        if inside:
            with mod.inference_mode():
                _INFERENCE_WRITES[name](mod, x)
        else:
            _INFERENCE_WRITES[name](mod, x)
        return x

    t_exc, e_exc = _exc(run, torch, False), _exc(run, ember, False)
    assert t_exc is not None and e_exc == t_exc
    assert _exc(run, ember, True) is None
    if name != "uniform_":  # random values
        assert_close(run(ember, True), run(torch, True))
