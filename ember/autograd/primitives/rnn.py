"""A whole LSTM layer as one node, as torch's CPU LSTM records it (``MkldnnRnnLayerBackward0``).

Inputs: x (T, N, I), w_ih, w_hh, b_ih, b_hh (None without bias), h0 and c0 (N, H); outputs: the
layer's output (T, N, H), h_n and c_n. Composed of per-step Tensor operations, a 50-step layer
would record some 600 nodes, each a Python round trip in forward and backward; fused, the steps
are plain NumPy (``kernels/rnn.py``).

A plain backward runs the hand-written backward through time once for all inputs (the rules share
its result). Under ``create_graph=True`` the rules instead rebuild the layer from the saved inputs
with Tensor operations and differentiate that, so that gradients of gradients are exact.
"""

from __future__ import annotations

from ...kernels import rnn as KR
from . import defop, shape


def _forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse):
    out, h, c, saved = KR.lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse)
    ctx.reverse = reverse
    ctx.saved = saved
    return out, h, c


def _all_grads(ctx, grads, x, w_ih, w_hh, b_ih, b_hh, h0, c0) -> tuple:
    """Every input's gradient, computed once per backward (each input's rule asks)."""
    memo = ctx.__dict__.get("memo")
    if memo is not None and memo[0] is grads:
        return memo[1]
    if type(x).__module__.startswith("numpy"):
        gx, gw_ih, gw_hh, gb, gh0, gc0 = KR.lstm_backward(
            *grads, x, w_ih, w_hh, ctx.saved, ctx.reverse, b_ih is not None
        )
        result = (gx, gw_ih, gw_hh, gb, gb, gh0, gc0)
    else:
        result = _composed_grads(ctx, grads, (x, w_ih, w_hh, b_ih, b_hh, h0, c0))
    ctx.memo = (grads, result)
    return result


def _composed_grads(ctx, grads, inputs) -> tuple:
    """The vector-Jacobian product through the layer rebuilt from Tensor operations."""
    from ...autograd import grad as autograd_grad

    x, w_ih, w_hh, b_ih, b_hh, h, c = inputs
    hid = w_hh.shape[1]
    xp = x @ w_ih.T if b_ih is None else x @ w_ih.T + b_ih
    outs = [None] * x.shape[0]
    order = range(x.shape[0] - 1, -1, -1) if ctx.reverse else range(x.shape[0])
    for t in order:
        rec = h @ w_hh.T if b_hh is None else h @ w_hh.T + b_hh
        gates = xp[t] + rec
        i, f, o = (gates[:, k * hid : (k + 1) * hid].sigmoid() for k in (0, 1, 3))
        c = f * c + i * gates[:, 2 * hid : 3 * hid].tanh()
        h = outs[t] = o * c.tanh()
    out = _stack(outs)
    pairs = [(y, g) for y, g in zip((out, h, c), grads) if g is not None]
    wanted = [t for t in inputs if t is not None and t.requires_grad]
    got = autograd_grad(
        [y for y, _ in pairs], wanted, [g for _, g in pairs], create_graph=True, allow_unused=True
    )
    by_id = {id(t): g for t, g in zip(wanted, got)}
    return tuple(None if t is None else by_id.get(id(t)) for t in inputs)


def _stack(tensors):
    from ..._tensor import apply  # the Tensor layer sits above the rule table: import late

    return apply(shape.stack, tuple(tensors), dim=0)


def _rule(k):
    return lambda c, grads, *saved: _all_grads(c, grads, *saved)[k]


lstm_layer = defop(
    "MkldnnRnnLayerBackward0",
    _forward,
    [_rule(k) for k in range(7)],
    save=(0, 1, 2, 3, 4, 5, 6),
    needs_ctx=True,
    num_outputs=3,
    arrays=True,
)
