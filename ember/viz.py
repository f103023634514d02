"""Drawing the autograd graph, in the style of torchviz.

``make_dot(loss, params=dict(model.named_parameters()))`` walks ``loss.grad_fn`` through
``next_functions`` and draws one box per node: grey for the backward functions, named as torch names
them (``AddmmBackward0``), light blue for the leaves (parameter name and shape), green for the
output, orange for saved tensors (``show_saved=True``). The DOT text is always available as
``.source``; rendering to PNG/SVG needs the ``graphviz`` package (``pip install graphviz``) and
Graphviz's ``dot`` program.
"""

from __future__ import annotations

import re
import shutil

from .autograd.engine import AccumulateGrad, Node, SavedOutput
from .autograd.graph import graph_nodes

__all__ = ["make_dot", "DotGraph", "GraphvizMissingError"]

# torchviz's look: filled boxes, monospace labels, compact ranks.
NODE_ATTR = {
    "style": "filled",
    "shape": "box",
    "align": "left",
    "fontsize": "10",
    "ranksep": "0.1",
    "height": "0.2",
    "fontname": "monospace",
}
OUTPUT_COLOR = "darkolivegreen1"
PARAM_COLOR = "lightblue"
SAVED_COLOR = "orange"


class GraphvizMissingError(RuntimeError):
    """Rendering was asked for but the graphviz package or the ``dot`` program is missing."""


_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def _quote(s: str) -> str:
    """A DOT identifier: bare when it is a name or a number (as graphviz writes it), else quoted."""
    if _BARE.fullmatch(s) and s.lower() not in _KEYWORDS:
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(attrs: dict) -> str:
    return " ".join(f"{k}={_quote(str(v))}" for k, v in attrs.items())


class DotGraph:
    """A directed graph with the basics of ``graphviz.Digraph``: ``node``, ``edge``, ``source``.

    ``make_dot`` returns ``to_graphviz()`` of this when the graphviz package is installed.
    """

    def __init__(self, node_attr: dict | None = None, graph_attr: dict | None = None) -> None:
        self.node_attr = dict(node_attr or {})
        self.graph_attr = dict(graph_attr or {})
        self.nodes: list[tuple[str, str, dict]] = []
        self.edges: list[tuple[str, str, dict]] = []
        self.format = "pdf"

    def node(self, name: str, label: str, **attrs) -> None:
        self.nodes.append((name, label, attrs))

    def edge(self, tail: str, head: str, **attrs) -> None:
        self.edges.append((tail, head, attrs))

    def attr(self, kw: str = "graph", **attrs) -> None:
        (self.graph_attr if kw == "graph" else self.node_attr).update(attrs)

    @property
    def source(self) -> str:
        lines = ["digraph {"]
        if self.graph_attr:
            lines.append(f"\tgraph [{_attrs(self.graph_attr)}]")
        if self.node_attr:
            lines.append(f"\tnode [{_attrs(self.node_attr)}]")
        for name, label, attrs in self.nodes:
            lines.append(f"\t{name} [{_attrs({'label': label, **attrs})}]")
        for tail, head, attrs in self.edges:
            extra = f" [{_attrs(attrs)}]" if attrs else ""
            lines.append(f"\t{tail} -> {head}{extra}")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.source

    def save(self, filename: str) -> str:
        with open(filename, "w", encoding="utf-8") as f:
            f.write(self.source)
        return filename

    def to_graphviz(self):
        """The same graph as a ``graphviz.Digraph``."""
        try:
            import graphviz
        except ImportError:
            raise GraphvizMissingError(
                "rendering the graph needs the graphviz Python package (pip install graphviz) "
                "and Graphviz's dot program; the DOT text is available as .source"
            ) from None
        g = graphviz.Digraph(node_attr=self.node_attr, graph_attr=self.graph_attr)
        for name, label, attrs in self.nodes:
            g.node(name, label, **attrs)
        for tail, head, attrs in self.edges:
            g.edge(tail, head, **attrs)
        g.format = self.format
        return g

    def render(self, filename: str | None = None, format: str | None = None, **kw) -> str:
        """Render with Graphviz; raises ``GraphvizMissingError`` when it is not installed."""
        g = self.to_graphviz()
        return g.render(filename, format=format or self.format, **kw)

    def pipe(self, format: str | None = None) -> bytes:
        return self.to_graphviz().pipe(format=format or self.format)


def has_dot() -> bool:
    """Whether pictures can be rendered: the graphviz package and the ``dot`` program."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def _shape(t) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def _attr_text(value, max_chars: int) -> str:
    s = str(value)
    return s if len(s) <= max_chars else s[: max_chars - 3] + "..."


def node_label(node, show_attrs: bool = False, max_attr_chars: int = 50) -> str:
    """``AddmmBackward0``, with the node's recorded attributes under it when asked for."""
    name = type(node).__name__
    if not show_attrs:
        return name
    attrs = {k: v for k, v in getattr(node, "__dict__", {}).items() if not k.startswith("_")}
    saved = node._saved if isinstance(node._saved, tuple) else ()
    for i, value in enumerate(saved):
        is_tensor = type(value) is SavedOutput or hasattr(value, "_data")
        attrs[f"saved_{i}"] = "[saved tensor]" if is_tensor else value
    if not attrs:
        return name
    width = max(len(k) for k in attrs)
    rows = [f"{k.ljust(width)}: {_attr_text(v, max_attr_chars)}" for k, v in attrs.items()]
    return name + "\n" + "-" * max(len(name), 20) + "\n" + "\n".join(rows)


def make_dot(
    var,
    params=None,
    show_attrs: bool = False,
    show_saved: bool = False,
    max_attr_chars: int = 50,
    node_colors: dict | None = None,
    node_notes: dict | None = None,
):
    """Draw the autograd graph that produced ``var`` (a tensor or a sequence of tensors).

    Args:
        var: output tensor(s), each drawn green above its ``grad_fn``; graph nodes are accepted.
        params: ``dict(model.named_parameters())``: leaves are labelled with these names.
        show_attrs: list each node's recorded attributes (dims, scalars) under its name.
        show_saved: draw the tensors each node saved for backward, in orange.
        max_attr_chars: attribute values longer than this are cut.
        node_colors, node_notes: per-node fill colour and extra label line, keyed by node
            (``ember.autograd.trace`` uses them to colour by gradient norm).

    Returns:
        a ``graphviz.Digraph`` when the graphviz package is installed, else a ``DotGraph``; both
        have ``.source`` (the DOT text) and ``.render()``.
    """
    dot = build_dot(var, params, show_attrs, show_saved, max_attr_chars, node_colors, node_notes)
    try:
        return dot.to_graphviz()
    except GraphvizMissingError:
        return dot


def build_dot(
    var,
    params=None,
    show_attrs=False,
    show_saved=False,
    max_attr_chars=50,
    node_colors=None,
    node_notes=None,
) -> DotGraph:
    """``make_dot`` without the conversion to graphviz: always a ``DotGraph``."""
    outputs = list(var) if isinstance(var, (tuple, list)) else [var]
    param_names = {id(v): k for k, v in (params or {}).items()}
    node_colors, node_notes = node_colors or {}, node_notes or {}
    dot = DotGraph(node_attr=NODE_ATTR, graph_attr={"size": "12,12"})

    def leaf_label(t) -> str:
        return f"{param_names.get(id(t), '')}\n {_shape(t)}"

    roots = []
    for out in outputs:
        if isinstance(out, Node):  # a graph node itself (``Trace.to_dot``): no output box
            roots.append(out)
            continue
        root = (
            out.grad_fn
            if out.grad_fn is not None
            else (out._grad_accumulator() if out.requires_grad else None)
        )
        dot.node(
            str(id(out)),
            leaf_label(out) if id(out) in param_names else _shape(out),
            fillcolor=OUTPUT_COLOR,
        )
        if root is not None:
            roots.append(root)
            dot.edge(str(id(root)), str(id(out)))

    saved_seen = set()
    for node in graph_nodes(roots):
        label = node_label(node, show_attrs, max_attr_chars)
        if node in node_notes:
            label += "\n" + node_notes[node]
        extra = {"fillcolor": node_colors[node]} if node in node_colors else {}
        dot.node(str(id(node)), label, **extra)
        if type(node) is AccumulateGrad:
            leaf = node.variable
            if not any(leaf is out for out in outputs):  # else drawn already, as the output
                dot.node(str(id(leaf)), leaf_label(leaf), fillcolor=PARAM_COLOR)
            dot.edge(str(id(leaf)), str(id(node)))
        for child, _ in node.next_functions:
            if child is not None:
                dot.edge(str(id(child)), str(id(node)))
        if show_saved and isinstance(node._saved, tuple):
            for value in node._saved:
                t = value.tensor if type(value) is SavedOutput else value
                if not hasattr(t, "_data"):
                    continue
                key = f"saved{id(t._data)}"
                if key not in saved_seen:
                    saved_seen.add(key)
                    dot.node(key, _shape(t), fillcolor=SAVED_COLOR)
                dot.edge(key, str(id(node)), dir="none")
    rows = len(dot.nodes)
    side = max(12.0, 0.15 * rows)  # grow the page with the graph so big graphs stay legible
    dot.graph_attr["size"] = f"{side:g},{side:g}"
    return dot
