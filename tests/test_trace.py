"""ember.autograd.trace: per-node gradient figures against torch's, read with torch's node hooks."""

from collections import defaultdict

import numpy as np
import pytest
import torch

import ember
from ember.autograd import engine

RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 4)).astype(np.float32)
Y = RNG.standard_normal((5, 2)).astype(np.float32)
PARAMS = {
    "fc1.weight": RNG.standard_normal((4, 8)).astype(np.float32) * 3,
    "fc1.bias": RNG.standard_normal(8).astype(np.float32),
    "fc2.weight": RNG.standard_normal((8, 2)).astype(np.float32) * 0.1,
    "fc2.bias": RNG.standard_normal(2).astype(np.float32),
}


def mlp(lib, params):
    """A two-layer tanh network with a mean squared error, written the same in both libraries."""
    x, y = lib.tensor(X), lib.tensor(Y)
    h = lib.addmm(params["fc1.bias"], x, params["fc1.weight"]).tanh()
    out = lib.addmm(params["fc2.bias"], h, params["fc2.weight"])
    return ((out - y) ** 2).mean()


def make(lib):
    return {k: lib.tensor(v.copy(), requires_grad=True) for k, v in PARAMS.items()}


def _recorder(into: list):
    return lambda grad_outputs: into.append(float(grad_outputs[0].double().norm()))


def torch_node_norms(loss):
    """Node name -> sorted norms of the gradient flowing into each node of that name (torch)."""
    norms, seen, stack = defaultdict(list), set(), [loss.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        name = type(fn).__name__
        if name != "AccumulateGrad":
            fn.register_prehook(_recorder(norms[name]))
        stack.extend(f for f, _ in fn.next_functions)
    loss.backward()
    return {k: sorted(v) for k, v in norms.items()}


def test_trace_norms_match_torch():
    tp = make(torch)
    expected = torch_node_norms(mlp(torch, tp))
    ep = make(ember)
    loss = mlp(ember, ep)
    with ember.autograd.trace(ep) as t:
        loss.backward()
    got = defaultdict(list)
    for r in t:
        if not r.is_leaf:
            got[r.name].append(r.grad_output_norm)
    assert set(got) == set(expected)
    for name, norms in expected.items():
        np.testing.assert_allclose(sorted(got[name]), norms, rtol=1e-5, err_msg=name)
    # accumulations into the leaves: the norms of torch's .grad, under the parameter names
    leaf = t.leaf_norms()
    assert set(leaf) == set(PARAMS)
    for name, p in tp.items():
        np.testing.assert_allclose(leaf[name], float(p.grad.double().norm()), rtol=1e-5)


def test_trace_order_shapes_and_outgoing_norms():
    ep = make(ember)
    loss = mlp(ember, ep)
    with ember.autograd.trace(ep) as t:
        loss.backward()
    assert t[0].name == "MeanBackward0" and t[0].grad_output_shapes == [()]
    assert t[0].grad_output_norms == [1.0]
    names = [r.name for r in t]
    # a node runs after every node that feeds gradient into it
    pos = {id(r.node): r.step for r in t}
    for r in t:
        for child, _ in r.node.next_functions:
            if child is not None:
                assert pos[id(child)] > r.step
    assert names.count("AccumulateGrad") == 4
    by_step = {id(r.node): r for r in t}
    for r in t:
        if r.is_leaf:
            continue
        # what a node sends to an input is what that input's node receives (single consumer here)
        assert len(r.grad_input_shapes) == len(r.node.next_functions)
        for (child, _), shape, norm in zip(
            r.node.next_functions, r.grad_input_shapes, r.grad_input_norms
        ):
            if child is not None and type(child).__name__ == "AccumulateGrad":
                rec = by_step[id(child)]
                assert rec.grad_output_shapes[0] == shape
                assert rec.grad_output_norms[0] == pytest.approx(norm)
    # leaves: shapes of their parameters, after broadcasting is undone (bias: (8,), not (5, 8))
    shapes = {r.leaf: r.grad_output_shapes[0] for r in t.leaves()}
    assert shapes == {k: v.shape for k, v in PARAMS.items()}


def test_trace_table_and_repr():
    ep = make(ember)
    loss = mlp(ember, ep)
    with ember.autograd.trace(ep) as t:
        loss.backward()
    text = str(t)
    lines = text.splitlines()
    assert lines[0] == f"backward trace: {len(t)} nodes"
    assert len(lines) == 3 + len(t)
    assert "AccumulateGrad -> fc1.weight" in text
    assert "AddmmBackward0" in text and "TanhBackward0" in text
    row = next(line for line in lines if "MeanBackward0" in line)
    assert row.split()[:3] == ["0", "MeanBackward0", "[]"]
    assert "nodes" in repr(t)


def test_trace_hooks_removed_and_results_unchanged():
    ep = make(ember)
    loss = mlp(ember, ep)
    ref = make(ember)
    mlp(ember, ref).backward()
    with ember.autograd.trace() as t:
        assert engine.backward_observers
        loss.backward()
    assert not engine.backward_observers
    for r in t:
        assert not r.node._pre_hooks and not r.node._hooks
    for k in PARAMS:
        np.testing.assert_array_equal(ep[k].grad.numpy(), ref[k].grad.numpy())
    # without params the leaves are recorded with an empty name
    assert all(r.leaf == "" for r in t.leaves())


def test_trace_several_backwards():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.autograd.trace({"w": w}) as t:
        (w * w).sum().backward()
        (3 * w).sum().backward()
    assert {r.pass_index for r in t} == {0, 1}
    assert "over 2 backward passes" in str(t)
    # w.grad = 2w + 3 = [5, 7]; the two accumulations are [2, 4] and [3, 3]
    assert t.leaf_norms()["w"] == pytest.approx(np.sqrt(20 + 18))


def test_trace_to_dot_colours_by_norm():
    ep = make(ember)
    loss = mlp(ember, ep)
    with ember.autograd.trace(ep) as t:
        loss.backward()
    src = t.to_dot().source
    assert src.count("|grad| = ") == len(t)
    # the largest gradient is red (hue 0), the smallest blue (hue 0.667)
    assert 'fillcolor="0.000 0.450 1.000"' in src
    assert 'fillcolor="0.667 0.450 1.000"' in src
    assert "fc2.weight" in src
