"""Nested containers of tensors (pytrees): tuples, lists and dicts, flattened to their leaves.

A spec records the containers: ``None`` for a leaf, else ``(type, keys, child specs)`` where
``keys`` is the dict's keys (in order) or the sequence's length. Namedtuples keep their type.
"""

from __future__ import annotations

from typing import Any


def _is_node(x) -> bool:
    return isinstance(x, (tuple, list, dict))


def _children(x) -> tuple[Any, list]:
    if isinstance(x, dict):
        keys = tuple(x)
        return keys, [x[k] for k in keys]
    return len(x), list(x)


def tree_flatten(tree) -> tuple[list, Any]:
    """``(leaves, spec)``: the leaves in order and the structure to rebuild ``tree`` from them."""
    leaves: list = []

    def walk(node):
        if not _is_node(node):
            leaves.append(node)
            return None
        keys, kids = _children(node)
        return (type(node), keys, tuple(walk(k) for k in kids))

    return leaves, walk(tree)


def tree_unflatten(leaves, spec):
    """Rebuild the tree that ``spec`` describes with ``leaves`` in order."""
    it = iter(leaves)

    def build(s):
        if s is None:
            return next(it)
        kind, keys, kids = s
        values = [build(k) for k in kids]
        if issubclass(kind, dict):
            return kind(zip(keys, values))
        if issubclass(kind, tuple) and hasattr(kind, "_fields"):
            return kind(*values)
        return kind(values)

    return build(spec)


def tree_map(fn, tree):
    """``tree`` with ``fn`` applied to every leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def structure_str(tree) -> str:
    """The tree with ``*`` for each leaf: ``(*, [*, *])``, ``{'a': *}``."""
    if not _is_node(tree):
        return "*"
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{k!r}: {structure_str(v)}" for k, v in tree.items()) + "}"
    inner = ", ".join(structure_str(v) for v in tree)
    if isinstance(tree, list):
        return f"[{inner}]"
    return f"({inner},)" if len(tree) == 1 else f"({inner})"


def treespec_str(tree, indent: int = 0) -> str:
    """The tree's structure as torch prints a pytree spec: ``TreeSpec(tuple, None, [*,\n  *])``
    (each child after the first on its own line, two spaces deeper per level)."""
    if not _is_node(tree):
        return "*"
    if isinstance(tree, dict):
        kind, context = type(tree).__name__, repr(list(tree))
    elif isinstance(tree, tuple) and hasattr(tree, "_fields"):
        kind, context = "namedtuple", repr(type(tree))
    else:
        kind, context = type(tree).__name__, "None"
    kids = [treespec_str(k, indent + 2) for k in _children(tree)[1]]
    return f"TreeSpec({kind}, {context}, [" + (",\n" + " " * (indent + 2)).join(kids) + "])"


def broadcast_prefix(prefix, tree) -> list | None:
    """One entry of ``prefix`` per leaf of ``tree``; a leaf of ``prefix`` (an int or None)
    covers the whole subtree under it. None when the structures do not match."""
    out: list = []

    def walk(p, t) -> bool:
        if not _is_node(p):
            out.extend([p] * len(tree_flatten(t)[0]))
            return True
        if type(p) is not type(t):
            return False
        if isinstance(t, dict):
            return set(p) == set(t) and all(walk(p[k], t[k]) for k in t)
        return len(p) == len(t) and all(walk(a, b) for a, b in zip(p, t))

    return out if walk(prefix, tree) else None
