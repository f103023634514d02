"""``autograd.graph`` and the smaller ``torch.autograd`` names against torch: Node, gradient
edges, increment_version, multi-grad hooks, saved-tensor hook guards, Variable, anomaly_mode,
multithreading switches, gradcheck's module and function, Function's defaults."""

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember
from ember.autograd import engine


def _graph(m):
    a = m.tensor([1.0, 2.0], requires_grad=True)
    b = m.tensor([3.0, -1.0], requires_grad=True)
    c = a * b
    return a, b, c, (c * c).sum()


def _cube(m):
    class Cube(m.autograd.Function):  # torch 2 style: forward without ctx, then setup_context
        @staticmethod
        def forward(t, k):
            return t**3 * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            t, k = inputs
            ctx.save_for_backward(t, output)
            ctx.k = k

        @staticmethod
        def backward(ctx, g):
            t, o = ctx.saved_tensors
            return g * 3 * t * t * ctx.k, None

    return Cube


def test_every_grad_fn_is_a_node():
    for m in (ember, torch):
        a, b, c, d = _graph(m)
        Node = m.autograd.graph.Node
        nodes = [c.grad_fn, d.grad_fn, c.grad_fn.next_functions[0][0]]
        if m is ember:
            nodes.append(_cube(m).apply(a, 2.0).grad_fn)
            assert issubclass(engine.AccumulateGrad, Node) and issubclass(engine.Node, Node)
        assert all(isinstance(n, Node) for n in nodes)
        assert not isinstance(a, Node) and not isinstance(None, Node)
        with pytest.raises(TypeError):
            Node()  # abstract


def test_node_methods():
    out = {}
    for m in (ember, torch):
        a, b, c, d = _graph(m)
        node = c.grad_fn
        assert node.metadata == {} and node.metadata is node.metadata
        node.metadata["tag"] = 7
        assert c.grad_fn.metadata == {"tag": 7}
        names = [node.name(), [n.name() for n, _ in node.next_functions]]
        seen = []
        pre = node.register_prehook(lambda gouts: (gouts[0] * 10,))
        post = node.register_hook(lambda gins, gouts, seen=seen: seen.append(len(gins)))
        d.backward(retain_graph=True)
        grads = [a.grad.clone(), b.grad.clone()]
        pre.remove()
        post.remove()
        a.grad = b.grad = None
        d.backward()
        out[m] = (names, seen, grads, [a.grad, b.grad])
    assert out[ember][:2] == out[torch][:2]
    assert_close(out[ember][2:], out[torch][2:])


def test_gradient_edges():
    for m in (ember, torch):
        a, b, c, d = _graph(m)
        G = m.autograd.graph
        leaf = G.get_gradient_edge(a)
        assert isinstance(leaf, G.GradientEdge) and isinstance(leaf, tuple)
        assert G.GradientEdge._fields == ("node", "output_nr", "ownership_token")
        assert leaf.node.name() == "torch::autograd::AccumulateGrad" and leaf.output_nr == 0
        assert leaf.node is c.grad_fn.next_functions[0][0]
        assert G.get_gradient_edge(c) == (c.grad_fn, 0, None)
        x, y = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).unbind(0)
        edge = G.get_gradient_edge(y)
        assert edge.node is y.grad_fn and edge.output_nr == 1
    e = check_raises(lambda m: m.autograd.graph.get_gradient_edge(m.ones(2)))
    assert str(e) == (
        "It is not possible to get the gradient edge for a Tensor that does not require gradients"
    )


def test_increment_version():
    for m in (ember, torch):
        a = m.ones(3, requires_grad=True)
        y = a.clone()
        v = y.view(3)
        m.autograd.graph.increment_version(y)
        assert (y._version, v._version, a._version) == (1, 1, 0)
        m.autograd.graph.increment_version([a, y])
        assert (y._version, a._version) == (2, 1)

    def saved_then_bumped(m):
        a = m.ones(3, requires_grad=True)
        y = a.clone()
        z = (y * y).sum()  # saves y
        m.autograd.graph.increment_version(y)
        z.backward()

    assert "modified by an inplace operation" in str(check_raises(saved_then_bumped))


def _multi_hook_log(m, mode):
    a, b, c, d = _graph(m)
    e = c * 1
    f = (e * 2).sum()
    calls = []
    G = m.autograd.graph
    log = []

    def record(grads):
        # a copy: a leaf's .grad may take the very tensor a hook saw, and grow in place later
        clone = [None if g is None else g.clone() for g in grads] if mode == "all" else None
        calls.append(grads.clone() if clone is None else clone)

    def step(run) -> None:
        run()
        log.append(list(calls))
        calls.clear()

    h = G.register_multi_grad_hook((a, b, c), record, mode=mode)
    step(lambda: (a * 2).sum().backward())
    step(lambda: d.backward(retain_graph=True))
    h.remove()
    step(lambda: d.backward(retain_graph=True))
    h = G.register_multi_grad_hook((c, e), record, mode=mode)
    step(lambda: m.autograd.grad(f, [c], retain_graph=True))
    step(lambda: d.backward(retain_graph=True))
    h.remove()
    # a hook's return value changes nothing
    h = G.register_multi_grad_hook((a, b), lambda gs: [g * 0 for g in gs], mode=mode)
    a.grad = None
    d.backward()
    log.append([a.grad])
    h.remove()
    return log


@pytest.mark.parametrize("mode", ["all", "any"])
def test_register_multi_grad_hook(mode):
    e, t = _multi_hook_log(ember, mode), _multi_hook_log(torch, mode)
    assert len(e) == len(t)
    for i, (ei, ti) in enumerate(zip(e, t)):
        assert len(ei) == len(ti), f"backward {i}: {ei} vs {ti}"
        for eg, tg in zip(ei, ti):
            if isinstance(tg, list):
                assert isinstance(eg, list) and [g is None for g in eg] == [g is None for g in tg]
                assert_close([g for g in eg if g is not None], [g for g in tg if g is not None])
            else:
                assert_close(eg, tg)
    assert engine.backward_observers == []  # every handle removed: backward pays nothing


def test_register_multi_grad_hook_errors():
    e = check_raises(
        lambda m: m.autograd.graph.register_multi_grad_hook(
            (m.ones(2, requires_grad=True),), print, mode="every"
        )
    )
    assert str(e) == "Expects mode to be one of ('all', 'any') but got every"
    check_raises(
        lambda m: m.autograd.graph.register_multi_grad_hook(
            (m.ones(2, requires_grad=True), m.ones(2)), print
        )
    )


def _saved_hooks_run(m):
    G = m.autograd.graph
    packs, unpacks = [], []

    def pack(t):
        packs.append(tuple(t.shape))
        return ("packed", t * 1)

    def unpack(p):
        unpacks.append(p[0])
        return p[1]

    x = m.tensor([0.5, 1.0, 2.0], requires_grad=True)
    w = m.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], requires_grad=True)
    with G.saved_tensors_hooks(pack, unpack):
        z = ((w @ x).exp() ** 2).sum() + x.sin().sum()
    z.backward()
    a = x.detach().clone()
    a.requires_grad_()
    with G.save_on_cpu():
        q = (a * a).sum()
    with m.no_grad():
        a.add_(1)  # no version check on hooked tensors, as torch
    q.backward()
    with G.saved_tensors_hooks(lambda t: t, lambda t: t):  # an output saved, twice differentiated
        e = x.exp().sum()
    (g,) = m.autograd.grad(e, x, create_graph=True)
    return len(packs), len(unpacks), x.grad, w.grad, a.grad, m.autograd.grad(g.sum(), x)[0]


def test_saved_tensors_hooks():
    e, t = _saved_hooks_run(ember), _saved_hooks_run(torch)
    assert e[:2] == t[:2]
    assert_close(e[2:], t[2:])


def test_disable_saved_tensors_hooks():
    def nested(m, outer, inner=None):
        G = m.autograd.graph
        with G.disable_saved_tensors_hooks(outer):
            if inner is not None:
                with G.disable_saved_tensors_hooks(inner):
                    with G.save_on_cpu():
                        pass
            with G.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass

    assert str(check_raises(lambda m: nested(m, "outer", "inner"))) == "inner"
    assert str(check_raises(lambda m: nested(m, "outer"))) == "outer"
    for m in (ember, torch):  # the guard is lifted on exit
        with m.autograd.graph.disable_saved_tensors_hooks("x"):
            pass
        with m.autograd.graph.disable_saved_tensors_hooks("y"):
            pass


def test_multithreading_switch():
    for m in (ember, torch):
        A = m.autograd
        assert A.is_multithreading_enabled() is True
        guard = A.set_multithreading_enabled(False)  # takes effect at once
        assert A.is_multithreading_enabled() is False
        with guard:
            pass
        assert A.is_multithreading_enabled() is True
        with A.set_multithreading_enabled(False):
            assert A.is_multithreading_enabled() is False
        assert A.is_multithreading_enabled() is True
    e = check_raises(lambda m: m.autograd.set_multithreading_enabled(1))
    assert str(e).endswith("must be bool, not int")


def test_variable():
    for m in (ember, torch):
        from_module = __import__(f"{m.__name__}.autograd.variable", fromlist=["Variable"])
        V = m.autograd.Variable
        assert from_module.Variable is V
        a = m.ones(2)
        v = V(a, requires_grad=True)
        assert v is not a and v.requires_grad and not a.requires_grad and v.is_leaf
        v.data[0] = 5  # shares a's memory
        assert a.tolist() == [5.0, 1.0]
        b = a * 2
        assert V(b).grad_fn is None and not V(b).requires_grad
        assert isinstance(a, V) and not isinstance([1.0], V)
        assert V().shape == (0,)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            V(a, volatile=True)
        assert "volatile was removed" in str(w[0].message)
    check_raises(lambda m: m.autograd.Variable([1.0, 2.0]))
    e = check_raises(lambda m: m.autograd.variable(m.ones(2)))
    assert "autograd.variable(...) is deprecated" in str(e)


def test_submodules_and_function_names():
    import torch.autograd.gradcheck as t_gc

    import ember.autograd.gradcheck as e_gc

    assert callable(e_gc) and callable(t_gc)  # the function over the module, as torch
    assert ember.autograd.gradcheck is e_gc
    from ember.autograd.gradcheck import GradcheckError, gradgradcheck

    assert issubclass(GradcheckError, RuntimeError)
    assert gradgradcheck is ember.autograd.gradgradcheck
    for m in (ember, torch):
        from_module = __import__(f"{m.__name__}.autograd.anomaly_mode", fromlist=["x"])
        assert from_module.detect_anomaly is m.autograd.detect_anomaly
        assert from_module.set_detect_anomaly is m.autograd.set_detect_anomaly
        assert m.autograd.forward_ad.dual_level and m.autograd.graph.Node


def test_function_defaults():
    for name in ("jvp", "vmap"):
        e = check_raises(lambda m, n=name: getattr(m.autograd.Function, n)(None, None, None))
        t = None
        try:
            getattr(torch.autograd.Function, name)(None, None, None)
        except NotImplementedError as exc:
            t = exc
        assert str(e) == str(t)
    assert ember.autograd.Function.generate_vmap_rule is torch.autograd.Function.generate_vmap_rule
    assert ember.autograd.Function.vjp is ember.autograd.Function.backward


def test_setup_context_style_function():
    x = np.array([0.5, -1.0, 2.0])
    out = {}
    for m in (ember, torch):
        t = m.tensor(x, requires_grad=True)
        y = _cube(m).apply(t, 2.0)
        y.sum().backward()
        out[m] = (y, t.grad, y.grad_fn.name())
    assert out[ember][2] == out[torch][2] == "CubeBackward"
    assert_close(out[ember][:2], out[torch][:2])
