"""Walking the autograd graph: the nodes reachable from some roots, for the tools built on it.

``ember.viz`` draws these nodes and the pitfall checks measure them; the walk lives here, beside
the engine, so neither has to import the other.
"""

from __future__ import annotations

__all__ = ["graph_nodes"]


def graph_nodes(roots) -> list:
    """Every node reachable from ``roots`` through ``next_functions`` (depth first, each once)."""
    seen, out, stack = set(), [], list(reversed(roots))
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        stack.extend(c for c, _ in reversed(node.next_functions) if c is not None)
    return out
