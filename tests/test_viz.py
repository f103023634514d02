"""ember.viz.make_dot: the DOT text against the graph it draws, and torch's node names."""

import os
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import torch

import ember
from ember.viz import DotGraph, GraphvizMissingError, build_dot, graph_nodes, has_dot, make_dot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RNG = np.random.default_rng(1)
ARRAYS = {
    "weight": RNG.standard_normal((4, 3)).astype(np.float32),
    "bias": RNG.standard_normal(3).astype(np.float32),
}
X = RNG.standard_normal((2, 4)).astype(np.float32)


def forward(lib, p):
    x = lib.tensor(X)
    h = lib.addmm(p["bias"], x, p["weight"]).relu()
    return (h * h).sum(1).mean()


def params(lib):
    return {k: lib.tensor(v.copy(), requires_grad=True) for k, v in ARRAYS.items()}


NODE = re.compile(r"^\t(\S+) \[label=(\"(?:[^\"\\]|\\.)*\"|\S+)(.*)\]$")
EDGE = re.compile(r"^\t(\S+) -> (\S+)(?: \[(.*)\])?$")


def parse(source: str):
    """(nodes: id -> (label, attributes text), edges: list of (tail, head, attributes text))."""
    nodes, edges = {}, []
    for line in source.splitlines():
        if m := EDGE.match(line):
            edges.append((m[1], m[2], m[3] or ""))
        elif m := NODE.match(line):
            label = m[2].strip('"').replace("\\n", "\n")
            nodes[m[1]] = (label, m[3])
    return nodes, edges


def test_dot_structure_matches_graph():
    p = params(ember)
    y = forward(ember, p)
    dot = build_dot(y, params=p)
    nodes, edges = parse(dot.source)
    graph = graph_nodes([y.grad_fn])
    # one box per autograd node, named by its type, plus one per leaf and the output
    for n in graph:
        assert nodes[str(id(n))][0] == type(n).__name__
    assert len(nodes) == len(graph) + len(p) + 1
    # one edge per entry of next_functions (h * h: two edges from ReluBackward0 to MulBackward0)
    expected = Counter((str(id(c)), str(id(n))) for n in graph for c, _ in n.next_functions if c)
    expected.update((str(id(n.variable)), str(id(n))) for n in graph if hasattr(n, "variable"))
    expected[(str(id(y.grad_fn)), str(id(y)))] += 1
    assert Counter((t, h) for t, h, _ in edges) == expected
    assert max(expected.values()) == 2
    # leaves: parameter name and shape, light blue; output: its shape, green
    assert nodes[str(id(p["weight"]))] == ("weight\n (4, 3)", " fillcolor=lightblue")
    assert nodes[str(id(p["bias"]))] == ("bias\n (3)", " fillcolor=lightblue")
    assert nodes[str(id(y))] == ("()", " fillcolor=darkolivegreen1")
    # torchviz's node style
    assert "\tnode [style=filled shape=box align=left fontsize=10 ranksep=0.1 height=0.2 " in (
        dot.source
    )


def test_node_names_are_torchs():
    def names(root):
        seen, stack, out = set(), [root], Counter()
        while stack:
            fn = stack.pop()
            if fn is None or fn in seen:
                continue
            seen.add(fn)
            out[type(fn).__name__] += 1
            stack.extend(f for f, _ in fn.next_functions)
        return out

    ember_names = Counter(
        type(n).__name__ for n in graph_nodes([forward(ember, params(ember)).grad_fn])
    )
    assert ember_names == names(forward(torch, params(torch)).grad_fn)
    labels = [lab for lab, _ in parse(build_dot(forward(ember, params(ember))).source)[0].values()]
    for name in ("AddmmBackward0", "ReluBackward0", "MulBackward0", "SumBackward1"):
        assert name in labels


def test_show_saved_and_attrs():
    p = params(ember)
    y = forward(ember, p)
    nodes, edges = parse(build_dot(y, params=p, show_saved=True).source)
    saved = {k: v for k, v in nodes.items() if "orange" in v[1]}
    # addmm saves x and weight; relu its output, which mul saves twice: one box, three edges
    assert sorted(v[0] for v in saved.values()) == ["(2, 3)", "(2, 4)", "(4, 3)"]
    (h,) = [k for k, v in saved.items() if v[0] == "(2, 3)"]
    assert sum(t == h for t, _, _ in edges) == 3
    assert all(a == "dir=none" for t, _, a in edges if t in saved)
    mean_label = parse(build_dot(y, show_attrs=True).source)[0][str(id(y.grad_fn))][0]
    assert mean_label == "MeanBackward0"  # the whole tensor's mean keeps no attributes
    short = parse(build_dot(y, show_attrs=True, max_attr_chars=4).source)[0]
    sum_label = short[str(id(y.grad_fn.next_functions[0][0]))][0]
    assert "dim    : (1,)" in sum_label


def test_leaf_output_and_multiple_outputs():
    w = ember.ones(2, requires_grad=True)
    nodes, edges = parse(build_dot(w, params={"w": w}).source)
    assert nodes[str(id(w))] == ("w\n (2)", " fillcolor=darkolivegreen1")
    a, b = (w * 2).sum(), (w * 3).sum()
    nodes, edges = parse(build_dot([a, b]).source)
    assert sum("darkolivegreen1" in v[1] for v in nodes.values()) == 2
    # the leaf's AccumulateGrad is shared: drawn once
    assert sum(v[0] == "AccumulateGrad" for v in nodes.values()) == 1


def test_without_graphviz_source_is_there_and_render_explains(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    y = forward(ember, params(ember))
    dot = make_dot(y)
    assert isinstance(dot, DotGraph)
    assert dot.source.startswith("digraph {") and "AddmmBackward0" in dot.source
    with pytest.raises(GraphvizMissingError, match="pip install graphviz"):
        dot.render(str(tmp_path / "g"))
    assert not has_dot()
    assert open(dot.save(str(tmp_path / "g.dot"))).read() == dot.source


@pytest.mark.skipif(not has_dot(), reason="needs the graphviz package and the dot program")
def test_render_png(tmp_path):
    p = params(ember)
    g = make_dot(forward(ember, p), params=p)
    assert type(g).__name__ == "Digraph"
    assert parse(g.source)[0]  # graphviz's text parses the same way
    out = g.render(str(tmp_path / "graph"), format="png")
    with open(out, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_viz_command_writes_one_step_graph(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import torch\n"
        "from torch import nn\n"
        "model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(),\n"
        "                      nn.Linear(64, 10))\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.01)\n"
        "for i in range(5):\n"
        "    loss = nn.CrossEntropyLoss()(model(torch.randn(2, 3, 8, 8)), torch.tensor([1, 3]))\n"
        "    opt.zero_grad()\n"
        "    loss.backward()\n"
        "    print('step', i)\n"
        "    opt.step()\n"
    )
    # in a fresh interpreter: ``import torch`` must resolve to Ember, and torch is loaded here
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "ember", "viz", "-o", "g", str(script)]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "step 0" in out and "step 1" not in out  # stopped after the first step
    nodes, edges = parse((tmp_path / "g.dot").read_text())
    labels = Counter(label for label, _ in nodes.values())
    for name in (
        "ConvolutionBackward0",
        "MaxPool2DWithIndicesBackward0",
        "AddmmBackward0",
        "LogSoftmaxBackward0",
        "NllLossBackward0",
    ):
        assert labels[name] == 1, name
    assert labels["AccumulateGrad"] == 4
    assert "0.weight\n (4, 3, 3, 3)" in labels and "3.bias\n (10)" in labels
    assert (tmp_path / "g.png").exists() == has_dot()
