"""Watching a backward pass node by node.

::

    with ember.autograd.trace(model) as t:
        loss.backward()
    print(t)          # one row per node, in the order the engine ran them
    t.to_dot()        # the graph, coloured from blue (small gradients) to red (large ones)

While the context is active, every backward hands its node order to the trace (the engine's
``backward_observers``); the trace puts a pre-hook (the gradient flowing into the node) and a
post-hook (the gradients it sends to its inputs) on each node, and takes them off on exit. Only
shapes and norms are kept, never the gradients themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import engine

__all__ = ["trace", "Trace", "NodeRecord"]


def _norm(g) -> float:
    if g is None:
        return float("nan")
    d = g._data
    if d.dtype.kind == "c":
        d = np.abs(d)
    return float(np.sqrt(np.sum(np.square(d, dtype=np.float64))))


def _shape(g) -> tuple | None:
    return None if g is None else tuple(g.shape)


@dataclass
class NodeRecord:
    """What one node did in a backward pass.

    ``grad_output`` is the gradient flowing into the node (with respect to its output), the
    ``grad_inputs`` are what it sent on to each input (after broadcasting is undone); ``leaf`` is
    the parameter name (or ``""``) when the node is a leaf's ``AccumulateGrad``.
    """

    step: int
    name: str
    pass_index: int
    grad_output_shapes: list = field(default_factory=list)
    grad_output_norms: list = field(default_factory=list)
    grad_input_shapes: list = field(default_factory=list)
    grad_input_norms: list = field(default_factory=list)
    leaf: str | None = None
    node: object = field(default=None, repr=False)

    @property
    def grad_output_norm(self) -> float:
        """The norm of all gradients flowing into the node together."""
        norms = [n for n in self.grad_output_norms if not math.isnan(n)]
        return math.sqrt(sum(n * n for n in norms)) if norms else float("nan")

    @property
    def is_leaf(self) -> bool:
        return self.leaf is not None


class Trace:
    """The record of the backward passes run inside ``with ember.autograd.trace():``."""

    def __init__(self, params=None) -> None:
        if params is not None and hasattr(params, "named_parameters"):
            params = dict(params.named_parameters())
        self.params = dict(params) if params is not None else {}
        self._names = {id(p): n for n, p in self.params.items()}
        self.records: list[NodeRecord] = []
        self._by_node: dict = {}
        self._handles: list = []
        self._hooked: set = set()
        self._roots: list = []
        self._passes = 0

    # -- recording -------------------------------------------------------------------------
    def __enter__(self) -> Trace:
        engine.backward_observers.append(self._observe)
        return self

    def __exit__(self, *exc) -> None:
        engine.backward_observers.remove(self._observe)
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self._hooked.clear()

    def _observe(self, order: list) -> None:
        self._passes += 1
        if order:
            self._roots.append(order[0])
        for node in order:
            if id(node) in self._hooked:
                continue
            self._hooked.add(id(node))
            self._handles.append(node.register_prehook(self._make_prehook(node)))
            if type(node) is not engine.AccumulateGrad:
                self._handles.append(node.register_hook(self._make_hook(node)))

    def _make_prehook(self, node):
        def prehook(grad_outputs):
            leaf = None
            if type(node) is engine.AccumulateGrad:
                leaf = self._names.get(id(node.variable), "")
            rec = NodeRecord(
                step=len(self.records),
                name=type(node).__name__,
                pass_index=self._passes - 1,
                grad_output_shapes=[_shape(g) for g in grad_outputs],
                grad_output_norms=[_norm(g) for g in grad_outputs],
                leaf=leaf,
                node=node,
            )
            self.records.append(rec)
            self._by_node[node] = rec

        return prehook

    def _make_hook(self, node):
        def hook(grad_inputs, grad_outputs):
            rec = self._by_node[node]
            metas = node._input_meta
            for i, (child, _) in enumerate(node.next_functions):
                g = grad_inputs[i] if child is not None and i < len(grad_inputs) else None
                if g is not None and i < len(metas) and tuple(g.shape) != metas[i][0]:
                    g = engine.unbroadcast(g.detach(), metas[i][0])
                rec.grad_input_shapes.append(_shape(g))
                rec.grad_input_norms.append(_norm(g))

        return hook

    # -- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def __getitem__(self, i):
        return self.records[i]

    def leaves(self) -> list[NodeRecord]:
        """The accumulations into leaf tensors, in the order they happened."""
        return [r for r in self.records if r.is_leaf]

    def leaf_norms(self) -> dict:
        """Parameter name to the norm of the gradient accumulated into it (summed over passes)."""
        out: dict = {}
        for r in self.leaves():
            key = r.leaf or f"leaf{r.step}"
            out[key] = math.sqrt(out.get(key, 0.0) ** 2 + r.grad_output_norm**2)
        return out

    def table(self) -> str:
        """One row per executed node: what flowed in, what went out to each input."""
        header = ("#", "node", "grad in", "|grad in|", "grads out", "|grads out|")
        rows = []
        multi = self._passes > 1
        for r in self.records:
            name = r.name + (f" -> {r.leaf}" if r.leaf else "")
            if multi:
                name = f"[{r.pass_index}] {name}"
            rows.append(
                (
                    str(r.step),
                    name,
                    _join(_fmt_shape(s) for s in r.grad_output_shapes),
                    _join(_fmt_norm(n) for n in r.grad_output_norms),
                    "(into .grad)"
                    if r.is_leaf
                    else _join(_fmt_shape(s) for s in r.grad_input_shapes),
                    "" if r.is_leaf else _join(_fmt_norm(n) for n in r.grad_input_norms),
                )
            )
        widths = [max(len(x) for x in col) for col in zip(header, *rows)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
        return "\n".join(lines)

    def __str__(self) -> str:
        n = len(self.records)
        head = f"backward trace: {n} node{'s' if n != 1 else ''}"
        if self._passes != 1:
            head += f" over {self._passes} backward passes"
        return head + "\n" + self.table()

    def __repr__(self) -> str:
        return f"<ember.autograd.Trace: {len(self.records)} nodes, {self._passes} backward(s)>"

    def to_dot(self, show_attrs: bool = False, show_saved: bool = False):
        """The traced graph, each node filled by the norm of its incoming gradient (log scale).

        Blue is the smallest norm of the trace, red the largest; the norm is written in the box.
        """
        # drawing belongs to a layer above autograd: imported only when a picture is asked for
        from ..viz import make_dot

        norms = {}
        for r in self.records:
            n = r.grad_output_norm
            if not math.isnan(n):
                norms[r.node] = n
        logs = [math.log10(n) for n in norms.values() if n > 0]
        lo, hi = (min(logs), max(logs)) if logs else (0.0, 0.0)
        colors, notes = {}, {}
        for node, n in norms.items():
            colors[node] = norm_color(n, lo, hi)
            notes[node] = f"|grad| = {n:.3g}"
        return make_dot(
            self._roots,
            params=self.params,
            show_attrs=show_attrs,
            show_saved=show_saved,
            node_colors=colors,
            node_notes=notes,
        )


def norm_color(norm: float, lo: float, hi: float) -> str:
    """A Graphviz HSV colour from blue (log10 norm ``lo``) to red (``hi``); grey for zero."""
    if norm <= 0:
        return "0.000 0.000 0.800"
    x = 0.5 if hi <= lo else (math.log10(norm) - lo) / (hi - lo)
    return f"{0.667 * (1 - x):.3f} 0.450 1.000"


def _fmt_shape(s) -> str:
    return "None" if s is None else "[" + ", ".join(str(d) for d in s) + "]"


def _fmt_norm(n: float) -> str:
    return "None" if math.isnan(n) else f"{n:.4g}"


def _join(items) -> str:
    return ", ".join(items)


def trace(params=None) -> Trace:
    """Record the backward passes run inside the ``with`` block.

    Args:
        params: a module or ``dict(model.named_parameters())``, to name the leaves.
    """
    return Trace(params)
