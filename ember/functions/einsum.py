"""``einsum`` as torch decomposes it: each operand permuted (diagonals for repeated subscripts,
unsqueezes for missing ones) to one common layout, then contracted left to right by ``mul`` or
by ``bmm`` between permutes and views, so the graph records torch's nodes."""

from __future__ import annotations

import math
import string

from .._tensor import Tensor

_LABELS = string.ascii_uppercase + string.ascii_lowercase  # torch's sublist numbering, 0..51


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation over ``operands``, as torch (also the sublist form)."""
    if isinstance(equation, Tensor):
        equation, operands = _sublist_equation((equation, *operands))
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    _check_characters(equation)
    eq = equation.replace(" ", "")
    _check_subscripts(eq, operands)
    ins, arrow, out = eq.partition("->")
    terms = ins.split(",")
    ell = max(
        (o.ndim - len(t.replace("...", "")) for t, o in zip(terms, operands) if "..." in t),
        default=0,
    )
    letters = ins.replace(",", "").replace(".", "")
    if arrow:
        _check_output(out, letters)
    place, n_out, width = _layout(ins, out if arrow else None, letters, ell)
    ops = [_lay_out(t, o, place, ell, width) for t, o in zip(terms, operands)]
    if len(ops) == 1:
        return ops[0].sum(list(range(n_out, width))) if width > n_out else ops[0]
    result = _contract(ops, n_out, width)
    if width > n_out:  # the contracted dims are all size 1 by now
        result = result.view(tuple(result.shape[:n_out]))
    return result


def _layout(ins: str, out: str | None, letters: str, ell: int) -> tuple[dict, int, int]:
    """Each subscript's position (``"."``: the ellipsis' first), the output's rank and the
    layout's: output dims first, then the contracted ones in torch's label order (A-Z, a-z)."""
    place: dict[str, int] = {}
    pos = 0
    if out is not None:
        for ch in out.replace("...", "."):
            place[ch] = pos
            pos += ell if ch == "." else 1
    else:
        if "..." in ins:
            place["."], pos = 0, ell
        for ch in sorted(set(letters)):
            if letters.count(ch) == 1:
                place[ch], pos = pos, pos + 1
    n_out = pos
    if "." not in place:
        place["."], pos = pos, pos + ell
    for ch in sorted(set(letters)):
        if ch not in place:
            place[ch], pos = pos, pos + 1
    return place, n_out, pos


def _contract(ops: list, n_out: int, width: int) -> Tensor:
    """The laid-out operands multiplied left to right; a contracted dim is summed (kept as
    size 1) by the product after which no other operand has it."""
    counts = [sum(op.shape[d] != 1 for op in ops) for d in range(width)]
    while len(ops) > 1:
        a, b = ops[0], ops[1]
        both, only_a, only_b = [], [], []
        for d in range(n_out, width):
            if a.shape[d] != 1 and b.shape[d] != 1:
                counts[d] -= 1
                if counts[d] == 1:
                    both.append(d)
                    counts[d] = 0
            elif counts[d] == 1:
                if a.shape[d] != 1:
                    only_a.append(d)
                    counts[d] = 0
                elif b.shape[d] != 1:
                    only_b.append(d)
                    counts[d] = 0
        # a subscript left in one operand only is summed before the product
        if only_a:
            a = a.sum(only_a, True)
        if only_b:
            b = b.sum(only_b, True)
        ops[:2] = [_sum_product(a, b, both)]
    return ops[0]


def _lay_out(term: str, t: Tensor, place: dict, ell: int, width: int) -> Tensor:
    """``t`` with one dim per layout position: diagonals, unsqueezes and one permute."""
    perm = [-1] * width
    dim = 0
    ndim = t.ndim
    for ch in term.replace("...", "."):
        if ch == ".":
            missing = ell - (ndim - len(term.replace("...", "")))
            for _ in range(missing):
                t = t.unsqueeze(dim)
            for j in range(ell):
                perm[place["."] + j] = dim
                dim += 1
        elif perm[place[ch]] != -1:  # a repeated subscript reads the diagonal
            prev = perm[place[ch]]
            t = t.diagonal(0, prev, dim).movedim(-1, prev)
        else:
            perm[place[ch]] = dim
            dim += 1
    for i, p in enumerate(perm):
        if p == -1:
            t = t.unsqueeze(-1)
            perm[i] = dim
            dim += 1
    return t.permute(perm)


def _sum_product(left: Tensor, right: Tensor, sum_dims: list) -> Tensor:
    """``(left * right).sum(sum_dims, keepdim=True)`` through one ``bmm``, as torch."""
    if not sum_dims:
        return left.mul(right)
    lro, lo, ro = [], [], []
    for i in range(left.ndim):
        sl, sr = left.shape[i], right.shape[i]
        if i in sum_dims:
            continue
        if sl != 1 and sr != 1:
            lro.append(i)
        elif sl != 1:
            lo.append(i)
        else:
            ro.append(i)
    if lo and ro and ro[-1] < lo[0]:  # as torch: swapped, bmm writes the output's dim order
        left, right, lo, ro = right, left, ro, lo
    out_size = [left.shape[d] for d in lro + lo] + [1] * len(sum_dims)
    out_size += [right.shape[d] for d in ro]
    order = lro + lo + sum_dims + ro
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    lro_n, sum_n = _numel(left, lro), _numel(left, sum_dims)
    left = left.permute(order).reshape(lro_n, _numel(left, lo), sum_n)
    right = right.permute(lro + sum_dims + ro + lo).reshape(lro_n, sum_n, _numel(right, ro))
    return left.bmm(right).view(out_size).permute(inverse)


def _numel(t: Tensor, dims: list) -> int:
    return math.prod(t.shape[d] for d in dims)


def _check_characters(equation: str) -> None:
    """torch's errors for a character that is no subscript, or a stray ``.``."""
    arrow = equation.find("->")
    for i, ch in enumerate(equation):
        if not (ch.isascii() and ch.isalpha() or ch in " ." or ch == "," and not 0 <= arrow < i):
            if not (arrow >= 0 and i in (arrow, arrow + 1)):
                raise RuntimeError(
                    f"einsum(): invalid subscript given at index {i} in the equation string, "
                    "subscripts must be in [a-zA-Z]"
                )
    ins, _, out = equation.partition("->")
    for name, term in [(f"operand {k}", t) for k, t in enumerate(ins.split(","))] + [
        ("output", out)
    ]:
        rest = term.replace(" ", "")
        head, found, tail = rest.partition("...")
        if "." in head:
            end = " (...)" if name == "output" else ""
            raise RuntimeError(
                f"einsum(): found '.' for {name} that is not part of any ellipsis{end}"
            )
        if found and "." in tail:
            raise RuntimeError(
                f"einsum(): found '.' for {name} for which an ellipsis was already found"
            )


def _check_output(out: str, letters: str) -> None:
    """torch's errors for an output subscript that is repeated or no input has."""
    seen = set()
    for ch in out.replace("...", ""):
        if ch not in letters:
            raise RuntimeError(
                f"einsum(): output subscript {ch} does not appear in the equation for any input "
                "operand"
            )
        if ch in seen:
            raise RuntimeError(
                f"einsum(): output subscript {ch} appears more than once in the output"
            )
        seen.add(ch)


def _sublist_equation(args: tuple):
    """The equation and operands of ``einsum(op1, sublist1, op2, sublist2, ..., [out])``."""

    def term(sublist) -> str:
        if any(i is not Ellipsis and not 0 <= i < 52 for i in sublist):
            raise ValueError(
                "einsum(): subscript in subscript list is not within the valid range [0, 52)"
            )
        return "".join("..." if i is Ellipsis else _LABELS[i] for i in sublist)

    pairs = args if len(args) % 2 == 0 else args[:-1]
    eq = ",".join(term(sub) for sub in pairs[1::2])
    if len(args) % 2:
        eq += "->" + term(args[-1])
    return eq, tuple(pairs[0::2])


def _check_subscripts(eq: str, operands) -> None:
    """torch's einsum errors for an equation that does not fit its operands."""
    terms = eq.split("->")[0].split(",")
    if len(operands) > len(terms):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(operands) < len(terms):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    for i, (t, o) in enumerate(zip(terms, operands)):
        n = len(t.replace("...", ""))
        if "..." in t:
            if n > o._data.ndim:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({n}) is more than the "
                    f"number of dimensions ({o._data.ndim}) for operand {i}"
                )
        elif n != o._data.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n}) does not match the "
                f"number of dimensions ({o._data.ndim}) for operand {i} and no ellipsis was given"
            )
    _check_subscript_sizes(terms, operands)


def _check_subscript_sizes(terms, operands) -> None:
    """torch's errors for a subscript whose sizes clash (size 1 broadcasts across operands)."""
    seen: dict[str, int] = {}
    for i, (t, o) in enumerate(zip(terms, operands)):
        head, _, tail = t.partition("...")
        shape = o._data.shape
        sizes = list(zip(head, shape)) + list(zip(tail, shape[len(shape) - len(tail) :]))
        mine: dict[str, int] = {}
        for ch, n in sizes:
            if ch in mine and mine[ch] != n:
                raise RuntimeError(
                    f"einsum(): subscript {ch} is repeated for operand {i} but the sizes don't "
                    f"match, {n} != {mine[ch]}"
                )
            mine[ch] = n
        for ch, n in mine.items():
            prev = seen.get(ch, n)
            if prev != n and prev != 1 and n != 1:
                raise RuntimeError(
                    f"einsum(): subscript {ch} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {prev}"
                )
            seen[ch] = n if prev == 1 else prev
