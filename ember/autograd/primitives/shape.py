"""Shape primitives: views and rearrangements, each with the rule that puts the gradient back.

Views (``is_view=True``) return NumPy views of their input, so they share memory and version
counter with it, as torch's views do.
"""

from __future__ import annotations

import numpy as np

from ..engine import OpNode
from . import defop
from . import rule_ops as R


def _view(ctx, x, shape):
    return x.reshape(shape)


view = defop(
    "ViewBackward0",
    lambda x, shape: _as_view(x, shape),
    [lambda c, g: g.reshape(c.input_shape())],
    is_view=True,
    arrays=True,
)
unsafe_view = defop(
    "UnsafeViewBackward0",
    lambda x, shape: x.reshape(shape).copy(),
    [lambda c, g: g.reshape(c.input_shape())],
    arrays=True,
)

# torch's _unsafe_view of an op's own fresh result (matmul's folded product): no copy, as nothing
# else holds that array; the result is not a view of it (its own version counter)
fresh_view = defop(
    "UnsafeViewBackward0",
    lambda x, shape: x.reshape(shape),
    [lambda c, g: g.reshape(c.input_shape())],
    arrays=True,
)


def _as_view(x, shape):
    out = x.view()
    out.shape = shape  # raises AttributeError when a copy would be needed
    return out


def _permute(ctx, x, dims):
    ctx.dims = dims
    return np.transpose(x, dims)


permute = defop(
    "PermuteBackward0",
    _permute,
    [lambda c, g: R.permute(g, tuple(np.argsort(c.dims)))],
    needs_ctx=True,
    is_view=True,
    arrays=True,
)


def _transpose(ctx, x, d0, d1):
    ctx.d0, ctx.d1 = d0, d1
    return np.swapaxes(x, d0, d1)


transpose = defop(
    "TransposeBackward0",
    _transpose,
    [lambda c, g: R.transpose(g, c.d0, c.d1)],
    needs_ctx=True,
    is_view=True,
    arrays=True,
)
t = defop("TBackward0", lambda x: x.T, [lambda c, g: R.t(g)], is_view=True, arrays=True)


expand = defop(
    "ExpandBackward0", R.broadcast_array, [lambda c, g: g], is_view=True, arrays=True
)  # the engine's unbroadcast sums the copies
squeeze_all = defop(
    "SqueezeBackward0",
    lambda x: _as_view(x, tuple(s for s in x.shape if s != 1)),
    [lambda c, g: g.reshape(c.input_shape())],
    is_view=True,
    arrays=True,
)
squeeze_dim = defop(
    "SqueezeBackward1",
    lambda x, dim: np.squeeze(x, dim) if x.ndim and x.shape[dim] == 1 else x.view(),
    [lambda c, g: g.reshape(c.input_shape())],
    is_view=True,
    arrays=True,
)
squeeze_dims = defop(
    "SqueezeBackward2",
    lambda x, dims: np.squeeze(x, dims),
    [lambda c, g: g.reshape(c.input_shape())],
    is_view=True,
    arrays=True,
)


def _unsqueeze(ctx, x, dim):
    ctx.dim = dim
    return np.expand_dims(x, dim)


unsqueeze = defop(
    "UnsqueezeBackward0",
    _unsqueeze,
    [lambda c, g: R.squeeze(g, c.dim)],
    needs_ctx=True,
    is_view=True,
    arrays=True,
)


def _flip(ctx, x, dims):
    ctx.dims = dims
    return np.flip(x, dims).copy()  # torch's flip copies; a NumPy view would alias


flip = defop("FlipBackward0", _flip, [lambda c, g: R.flip(g, c.dims)], needs_ctx=True, arrays=True)


def _roll(ctx, x, shifts, dims):
    ctx.shifts, ctx.dims = shifts, dims
    if dims is None:
        return np.roll(x.reshape(-1), shifts).reshape(x.shape)
    return np.roll(x, shifts, dims)


roll = defop(
    "RollBackward0",
    _roll,
    [
        lambda c, g: g.roll(
            tuple(-s for s in c.shifts) if isinstance(c.shifts, tuple) else -c.shifts, c.dims
        )
    ],
    needs_ctx=True,
)


def _tri(fn):
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return fn(x, diagonal)

    return forward


tril = defop("TrilBackward0", _tri(np.tril), [lambda c, g: g.tril(c.diagonal)], needs_ctx=True)
triu = defop("TriuBackward0", _tri(np.triu), [lambda c, g: g.triu(c.diagonal)], needs_ctx=True)


def _repeat(ctx, x, repeats):
    ctx.repeats = repeats
    return np.tile(x.reshape((1,) * (len(repeats) - x.ndim) + x.shape), repeats)


def _repeat_rule(c, g):
    shape = (1,) * (len(c.repeats) - len(c.input_shape())) + tuple(c.input_shape())
    split = []
    for r, s in zip(c.repeats, shape):
        split += [r, s]
    summed = g.reshape(split).sum(tuple(range(0, 2 * len(shape), 2)))
    return summed.reshape(c.input_shape())


repeat = defop("RepeatBackward0", _repeat, [_repeat_rule], needs_ctx=True)


def _pad(ctx, x, pads, value):
    ctx.pads = pads
    widths = [(0, 0)] * (x.ndim - len(pads) // 2)
    for i in range(len(pads) // 2 - 1, -1, -1):
        widths.append((max(pads[2 * i], 0), max(pads[2 * i + 1], 0)))
    out = np.pad(x, widths, constant_values=value) if any(w != (0, 0) for w in widths) else x.copy()
    crop = _crop_key(pads, out.ndim, negative_only=True)
    return out[crop].copy() if crop is not None else out


def _crop_key(pads, ndim, negative_only=False):
    key = [slice(None)] * ndim
    changed = False
    for i in range(len(pads) // 2):
        d = ndim - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        if negative_only:
            lo, hi = -min(lo, 0), -min(hi, 0)
        else:
            lo, hi = max(lo, 0), max(hi, 0)
        if lo or hi:
            key[d] = slice(lo, -hi if hi else None)
            changed = True
    return tuple(key) if changed else None


def _pad_rule(c, g):
    # Undo the padding: crop what was added, and pad back with zeros what was cropped.
    pads = c.pads
    if any(p < 0 for p in pads):
        g = g._pad_constant(tuple(max(-p, 0) for p in pads), 0.0)
        pads = tuple(max(p, 0) for p in pads)
    key = _crop_key(pads, g.ndim)
    return g[key] if key is not None else g


pad_constant = defop("ConstantPadNdBackward0", _pad, [_pad_rule], needs_ctx=True)


class VariadicNode(OpNode):
    """A node over any number of inputs: one rule, told which input it is for."""

    __slots__ = ()

    def apply(self, grads):
        grad = grads[0]
        rule = self.rules[0]
        return tuple(
            rule(self, grad, i) if edge[0] is not None else None
            for i, edge in enumerate(self.next_functions)
        )


def _cat(ctx, *arrays, dim):
    ctx.dim = dim
    ctx.sizes = [0 if a.shape in ((), (0,)) else a.shape[dim] for a in arrays]  # (0,): skipped
    return np.concatenate(
        [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] or arrays, axis=dim
    )


def _cat_rule(c, g, i):
    if c.input_shape(i) == (0,):
        return g.new_zeros((0,))
    return g.narrow(c.dim, sum(c.sizes[:i]), c.sizes[i])


cat = defop("CatBackward0", _cat, [_cat_rule], needs_ctx=True)
cat.node = type("CatBackward0", (VariadicNode,), {"__slots__": (), "rules": (_cat_rule,)})


def _stack(ctx, *arrays, dim):
    ctx.dim = dim
    return np.stack(arrays, axis=dim)


stack = defop("StackBackward0", _stack, [lambda c, g, i: g.select(c.dim, i)], needs_ctx=True)
stack.node = type(
    "StackBackward0",
    (VariadicNode,),
    {"__slots__": (), "rules": (lambda c, g, i: g.select(c.dim, i),)},
)


def _split(ctx, x, sizes, dim):
    ctx.sizes, ctx.dim = sizes, dim
    offsets = np.cumsum(sizes)[:-1]
    return tuple(np.split(x, offsets, axis=dim))


def _gather_pieces(c, grads):
    pieces = []
    for g, size in zip(grads, c.sizes):
        if g is None:
            shape = list(c.input_shape())
            shape[c.dim] = size
            g = _any(grads).new_zeros(tuple(shape))
        pieces.append(g)
    out = pieces[0]
    for p in pieces[1:]:
        out = out._cat_with(p, c.dim)
    return out


def _any(grads):
    return next(g for g in grads if g is not None)


split = defop(
    "SplitBackward0", _split, [_gather_pieces], needs_ctx=True, is_view=True, num_outputs=-1
)
split_with_sizes = defop(
    "SplitWithSizesBackward0",
    _split,
    [_gather_pieces],
    needs_ctx=True,
    is_view=True,
    num_outputs=-1,
)


def _unbind(ctx, x, dim):
    ctx.dim = dim
    m = np.moveaxis(x, dim, 0)
    return tuple([m[i, ...] for i in range(len(m))])  # `...`: a 1-D input's pieces stay 0-d views


def _unbind_rule(c, grads):
    ref = _any(grads)
    parts = [g if g is not None else ref.new_zeros(ref.shape) for g in grads]
    return ref._stack_with(parts, c.dim)


unbind = defop(
    "UnbindBackward0", _unbind, [_unbind_rule], needs_ctx=True, is_view=True, num_outputs=-1
)


def _diagonal(ctx, x, offset, dim1, dim2):
    ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
    return np.diagonal(x, offset, dim1, dim2)


def _diagonal_rule(c, g):
    return g.new_zeros(c.input_shape())._diagonal_insert(g, c.offset, c.dim1, c.dim2)


diagonal = defop("DiagonalBackward0", _diagonal, [_diagonal_rule], needs_ctx=True, is_view=True)


def renamed(prim, name: str):
    """``prim`` under another node name: same forward and rules (torch names the in-place forms
    of its view ops apart, ``t_`` recording TBackward1 where ``t`` records TBackward0)."""
    return defop(
        name,
        prim.forward,
        prim.node.rules,
        prim.save,
        needs_ctx=prim.needs_ctx,
        is_view=prim.is_view,
        uses=prim.uses,
        arrays=prim.node.array_rules,
    )


t_ = renamed(t, "TBackward1")
transpose_ = renamed(transpose, "TransposeBackward1")
squeeze_all_ = renamed(squeeze_all, "SqueezeBackward3")
squeeze_dim_ = renamed(squeeze_dim, "SqueezeBackward4")
squeeze_dims_ = renamed(squeeze_dims, "SqueezeBackward5")
unsqueeze_ = renamed(unsqueeze, "UnsqueezeBackward1")
# the node each out-of-place view records -> the one its in-place form records
INPLACE_NODES = {
    p.node: q.node
    for p, q in (
        (t, t_),
        (transpose, transpose_),
        (squeeze_all, squeeze_all_),
        (squeeze_dim, squeeze_dim_),
        (squeeze_dims, squeeze_dims_),
        (unsqueeze, unsqueeze_),
    )
}
