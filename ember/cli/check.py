"""``ember run --check script.py``: list the torch APIs a script uses that Ember lacks, statically.

The script is parsed, never run. Names bound by ``import torch``, ``import torch.nn as nn``,
``from torch import nn``, ``from torch.optim import SGD`` (and the same for torchvision) are
followed through attribute chains (``torch.fft.rfft``, ``nn.functional.gelu``) and each chain is
looked up in Ember with :func:`ember.compat.resolve`. Methods called on tensors are dynamic and
not checked.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field

from ..compat import ROOTS, resolve


@dataclass
class Finding:
    """One missing torch API and the places (line, column) that use it."""

    name: str
    places: list[tuple[int, int]] = field(default_factory=list)


def _chain(node: ast.AST) -> tuple[str, list[str]] | None:
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return node.id, attrs[::-1]
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        self.uses: list[tuple[str, int, int]] = []

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            if a.name.partition(".")[0] not in ROOTS:
                continue
            self.uses.append((a.name, node.lineno, node.col_offset))
            if a.asname:
                self.aliases[a.asname] = a.name
            else:
                root = a.name.partition(".")[0]
                self.aliases[root] = root

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module or node.module.partition(".")[0] not in ROOTS:
            return
        for a in node.names:
            if a.name == "*":
                continue
            full = f"{node.module}.{a.name}"
            self.uses.append((full, node.lineno, node.col_offset))
            self.aliases[a.asname or a.name] = full

    def visit_Attribute(self, node: ast.Attribute) -> None:
        found = _chain(node)
        if found is not None and found[0] in self.aliases:
            dotted = ".".join([self.aliases[found[0]], *found[1]])
            self.uses.append((dotted, node.lineno, node.col_offset))
            return  # the inner chain is a prefix of this one
        self.generic_visit(node)


def check_source(source: str, filename: str = "<script>") -> list[Finding]:
    """The torch/torchvision APIs used in ``source`` that Ember does not implement."""
    tree = ast.parse(source, filename=filename)
    visitor = _Visitor()
    visitor.visit(tree)
    findings: dict[str, Finding] = {}
    cache: dict[str, tuple[bool, str]] = {}
    for dotted, line, col in visitor.uses:
        if dotted not in cache:
            cache[dotted] = resolve(dotted)
        ok, missing = cache[dotted]
        if not ok:
            findings.setdefault(missing, Finding(missing)).places.append((line, col + 1))
    return sorted(findings.values(), key=lambda f: f.places[0])


def main(path: str) -> int:
    """Print the findings for the script at ``path``; exit status 1 if anything is missing."""
    try:
        with open(path, "rb") as f:
            source = f.read().decode("utf-8")
        findings = check_source(source, path)
    except OSError as e:
        print(f"ember run --check: can't open file '{path}': {e}", file=sys.stderr)
        return 2
    except SyntaxError as e:
        print(f"ember run --check: {path}:{e.lineno}: syntax error: {e.msg}", file=sys.stderr)
        return 2
    for f in findings:
        where = ", ".join(f"{line}:{col}" for line, col in f.places)
        print(f"{path}:{where}: ember does not implement {f.name}")
    if findings:
        print(
            f"{len(findings)} torch API{'s' if len(findings) > 1 else ''} used by {path} "
            "not implemented by Ember"
        )
        return 1
    print(f"{path}: every torch API it uses by name is implemented by Ember")
    return 0
