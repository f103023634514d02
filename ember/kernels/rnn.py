"""One LSTM layer over a whole sequence on NumPy arrays, and its backward through time.

The recurrence, per time step t (gates in torch's order i, f, g, o)::

    gates = x_t @ W_ih^T + b_ih + (h @ W_hh^T + b_hh)
    i, f, o = sigmoid(gates_i, gates_f, gates_o);  g = tanh(gates_g)
    c = f * c + i * g;  h = o * tanh(c)

The input projection of every step is one matrix product up front; the steps then cost one small
product and a handful of elementwise operations each. Backward walks the steps in reverse with the
activations the forward kept, then forms the weight gradients as two large products over all
steps at once. A reversed layer (the backward direction of a bidirectional LSTM) runs its steps
from the last to the first; nothing else changes.
"""

from __future__ import annotations

import numpy as np


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-a)) in place. exp overflows to inf below about -88, giving 0 where the true
    value is under 1e-38: a third of the cost of the two-branch form Tensor.sigmoid uses."""
    np.negative(a, out=a)
    with np.errstate(over="ignore"):
        np.exp(a, out=a)
    a += 1
    return np.reciprocal(a, out=a)


def lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse: bool = False):
    """``(out, h_n, c_n, saved)`` of one layer: x (T, N, I), h0/c0 (N, H) -> out (T, N, H).

    ``saved`` holds what ``lstm_backward`` needs: the activated gates, the cell states before
    each step, tanh of the cell states after it, and the hidden states before it.
    """
    steps, batch = x.shape[:2]
    hid = w_hh.shape[1]
    xp = np.matmul(x.reshape(steps * batch, -1), w_ih.T).reshape(steps, batch, 4 * hid)
    if b_ih is not None:
        xp += b_ih
    acts = np.empty_like(xp)
    c_prev = np.empty((steps, batch, hid), xp.dtype)
    h_prev = np.empty((steps, batch, hid), xp.dtype)
    tanh_c = np.empty((steps, batch, hid), xp.dtype)
    out = np.empty((steps, batch, hid), xp.dtype)
    # a contiguous W_hh^T: OpenBLAS multiplies small matrices by a transposed view up to 15x
    # slower with two threads (measured at 20 x 128 by 128 x 512)
    w_hh_t = np.ascontiguousarray(w_hh.T)
    h, c = h0, c0
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        a = acts[t]
        np.matmul(h, w_hh_t, out=a)
        if b_hh is not None:
            a += b_hh
        a += xp[t]
        g = np.tanh(a[:, 2 * hid : 3 * hid])
        _sigmoid_(a)
        a[:, 2 * hid : 3 * hid] = g
        h_prev[t], c_prev[t] = h, c
        c = a[:, hid : 2 * hid] * c
        c += a[:, :hid] * g
        np.tanh(c, out=tanh_c[t])
        h = np.multiply(a[:, 3 * hid :], tanh_c[t], out=out[t])
    return out, h.copy(), c, (acts, c_prev, tanh_c, h_prev)  # h: not a view of out


def lstm_backward(gout, gh, gc, x, w_ih, w_hh, saved, reverse: bool = False, has_bias=True):
    """Gradients ``(gx, gw_ih, gw_hh, gb, gh0, gc0)`` of one layer; ``gout`` (T, N, H) and the
    final-state gradients ``gh``/``gc`` (N, H) may each be None (no gradient reached them).
    ``gb`` serves both biases (they enter the gates as one sum)."""
    acts, c_prev, tanh_c, h_prev = saved
    steps, batch, hid = tanh_c.shape
    dt = acts.dtype
    dh = np.zeros((batch, hid), dt) if gh is None else gh.astype(dt)  # copies: updated in place
    dc = np.zeros((batch, hid), dt) if gc is None else gc.astype(dt)
    dgates = np.empty_like(acts)
    tmp = np.empty((batch, hid), dt)
    for t in range(steps) if reverse else range(steps - 1, -1, -1):
        if gout is not None:
            dh += gout[t]
        a, d = acts[t], dgates[t]
        i, f, g, o = (a[:, k * hid : (k + 1) * hid] for k in range(4))
        di, df, dg, do = (d[:, k * hid : (k + 1) * hid] for k in range(4))
        tc = tanh_c[t]
        np.multiply(dh, tc, out=do)  # do = dh * tanh(c) * o * (1 - o)
        np.multiply(tc, tc, out=tmp)  # dc += dh * o * (1 - tanh(c)^2)
        np.subtract(1, tmp, out=tmp)
        tmp *= o
        tmp *= dh
        dc += tmp
        np.subtract(1, o, out=tmp)
        tmp *= o
        do *= tmp
        np.subtract(1, i, out=tmp)  # di = dc * g * i * (1 - i)
        tmp *= i
        np.multiply(dc, g, out=di)
        di *= tmp
        np.subtract(1, f, out=tmp)  # df = dc * c_prev * f * (1 - f)
        tmp *= f
        np.multiply(dc, c_prev[t], out=df)
        df *= tmp
        np.multiply(g, g, out=tmp)  # dg = dc * i * (1 - g^2)
        np.subtract(1, tmp, out=tmp)
        tmp *= i
        np.multiply(dc, tmp, out=dg)
        dc *= f
        dh = np.matmul(d, w_hh)
    flat = dgates.reshape(steps * batch, 4 * hid)
    gx = (flat @ w_ih).reshape(x.shape)
    gw_ih = flat.T @ x.reshape(steps * batch, -1)
    gw_hh = flat.T @ h_prev.reshape(steps * batch, hid)
    gb = flat.sum(0) if has_bias else None
    return gx, gw_ih, gw_hh, gb, dh, dc
