"""Padding kernels with F.pad's semantics: constant, reflect, replicate and circular.

``pads`` follows torch: ``(last_lo, last_hi, second_last_lo, second_last_hi, ...)``; negative
amounts crop. Non-constant modes are one gather per padded axis with an index map (output
position -> input position), so the backward is the matching scatter-add of that map.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["pad", "pad_backward", "take_backward"]

MODES = ("constant", "reflect", "replicate", "circular")


def _fmt(shape) -> str:
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def _axes(pads: Sequence[int], ndim: int) -> list[tuple[int, int, int]]:
    """(axis, lo, hi) per padded axis, from torch's last-dim-first pairs."""
    pads = [int(p) for p in pads]
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pads)} and input of dimension {ndim}"
        )
    return [(ndim - 1 - i, pads[2 * i], pads[2 * i + 1]) for i in range(len(pads) // 2)]


def _index_map(mode: str, n: int, lo: int, hi: int) -> np.ndarray:
    """Input position feeding each output position along one axis."""
    if mode == "circular":
        # torch crops negative amounts first, then wraps around what is left
        start = max(-lo, 0)
        m = n - start - max(-hi, 0)
        q = np.arange(m + max(lo, 0) + max(hi, 0)) - max(lo, 0)
        return start + q % m
    # reflect and replicate index the original axis, negative amounts just drop output positions
    q = np.arange(n + lo + hi) - lo
    if mode == "replicate":
        return np.clip(q, 0, n - 1)
    q = np.abs(q)
    return np.where(q > n - 1, 2 * (n - 1) - q, q)


def _check(x_shape, pads, mode, value):
    if mode not in MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    axes = _axes(pads, len(x_shape))
    if mode == "constant":
        for ax, lo, hi in axes:
            if x_shape[ax] + lo + hi < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return axes
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    npad, nd = len(axes), len(x_shape)
    if npad not in (1, 2, 3) or nd not in (npad + 1, npad + 2):
        raise NotImplementedError(
            f"Padding size {len(pads)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    if any(s == 0 for s in x_shape[nd - npad - 1 :]):
        raise RuntimeError(
            f"Expected {npad + 1}D or {npad + 2}D (batch mode) tensor with possibly 0 batch size "
            f"and other non-zero dimensions for input, but got: {_fmt(x_shape)}"
        )
    for i, (ax, lo, hi) in enumerate(axes):
        n = x_shape[ax]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({lo}, {hi}) at dimension {ax} of input "
                f"{_fmt(x_shape)}"
            )
        if mode == "circular":
            m = n - max(-lo, 0) - max(-hi, 0)
            if lo > m or hi > m:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if m + max(lo, 0) + max(hi, 0) <= 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
    return axes


def pad(x: np.ndarray, pads: Sequence[int], mode: str = "constant", value=None) -> np.ndarray:
    """F.pad on an array. Args: pads last-dim-first (lo, hi) pairs, negative crops."""
    axes = _check(x.shape, pads, mode, value)
    if mode == "constant":
        out_shape = list(x.shape)
        src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
        for ax, lo, hi in axes:
            n = x.shape[ax]
            out_shape[ax] = n + lo + hi
            src[ax] = slice(max(-lo, 0), n - max(-hi, 0))
            dst[ax] = slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0))
        out = np.full(out_shape, 0 if value is None else value, dtype=x.dtype)
        out[tuple(dst)] = x[tuple(src)]
        return out
    for ax, lo, hi in axes:
        x = np.take(x, _index_map(mode, x.shape[ax], lo, hi), axis=ax)
    return x


def pad_backward(
    gy: np.ndarray, pads: Sequence[int], mode: str, input_shape: Sequence[int]
) -> np.ndarray:
    """Gradient of pad: each input element collects the gradients of the outputs it fed."""
    input_shape = tuple(input_shape)
    axes = _axes(pads, len(input_shape))
    if mode == "constant":
        gx = np.zeros(input_shape, gy.dtype)
        src, dst = [slice(None)] * gy.ndim, [slice(None)] * gy.ndim
        for ax, lo, hi in axes:
            n = input_shape[ax]
            dst[ax] = slice(max(-lo, 0), n - max(-hi, 0))
            src[ax] = slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0))
        gx[tuple(dst)] = gy[tuple(src)]
        return gx
    # undo the per-axis gathers in reverse order
    for ax, lo, hi in reversed(axes):
        n = input_shape[ax]
        idx = _index_map(mode, n, lo, hi)
        gy = take_backward(gy, idx, ax, n)
    return gy


def take_backward(gy: np.ndarray, idx: np.ndarray, axis: int, n: int, weights=None) -> np.ndarray:
    """Gradient of ``np.take(x, idx, axis) [* weights along axis]`` w.r.t. x of length n there."""
    shape = list(gy.shape)
    shape[axis] = n
    g = np.zeros(shape, gy.dtype)
    src = np.moveaxis(gy, axis, 0)
    if weights is not None:
        src = src * weights.reshape((-1,) + (1,) * (src.ndim - 1))
    np.add.at(np.moveaxis(g, axis, 0), idx, src)
    return g
