"""Pooling and interpolation kernels on NumPy with torch's semantics, for any number of spatial
dims (the 1-D/2-D/3-D names are aliases of the N-d functions).

Pooling loops over the *kernel taps* (k_h * k_w strided slices of the padded input), never over
output positions: each tap is one vectorized op over the whole output, so a 2x2 pool costs four
passes over output-sized arrays. The slices and the outputs keep the input's memory layout, so a
channels-last view coming from a convolution stays channels-last (and fast) through the pool.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from . import _threads
from . import _work as W
from ._layout import to_first, to_last
from .pad import take_backward

__all__ = [
    "pool_output_size",
    "max_pool_forward",
    "max_pool_forward_offsets",
    "max_pool_backward",
    "tiled_window",
    "tiled_indices",
    "max_pool_values",
    "avg_pool_forward",
    "avg_pool_backward",
    "adaptive_avg_pool_forward",
    "adaptive_avg_pool_backward",
    "adaptive_max_pool_forward",
    "adaptive_max_pool_backward",
    "interpolate_forward",
    "interpolate_backward",
]


def _tuple(v, n: int) -> tuple[int, ...]:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(i) for i in v)
    return v * n if len(v) == 1 else v


def pool_output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling output length; with ceil_mode the last window must start inside the
    input or the left padding."""
    eff = d * (k - 1) + 1
    if ceil_mode:
        out = -(-(size + 2 * p - eff) // s) + 1
        if (out - 1) * s >= size + p:
            out -= 1
    else:
        out = (size + 2 * p - eff) // s + 1
    return out


def _empty_like_layout(x: np.ndarray, shape, dtype) -> np.ndarray:
    """Empty (N, C, *S') array, channels-last when x is (outputs then chain without copies)."""
    if x.ndim > 2 and not x.flags.c_contiguous and to_last(x).flags.c_contiguous:
        return to_first(W.empty((shape[0], *shape[2:], shape[1]), dtype))
    return W.empty(shape, dtype)


def _pool_args(name, shape, kernel_size, stride, padding, dilation, ceil_mode):
    nd = len(shape) - 2
    k = _tuple(kernel_size, nd)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else stride
    s, p, d = _tuple(s, nd), _tuple(padding, nd), _tuple(dilation, nd)
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in k):
        raise RuntimeError(
            "kernel size should be greater than zero, but got "
            + " ".join(f"k{a}: {v}" for a, v in zip("DHW"[-nd:], k))
        )
    if any(v <= 0 for v in d):
        raise RuntimeError(
            "dilation should be greater than zero, but got "
            + " ".join(f"dilation{a}: {v}" for a, v in zip("DHW"[-nd:], d))
        )
    for kk, pp, dd in zip(k, p, d):
        if pp > ((kk - 1) * dd + 1) // 2 or pp < 0:
            if name == "max_pool1d":
                raise RuntimeError(
                    f"max_pool1d() padding should be at most half of kernel size, but got "
                    f"padding={pp} and kernel_size={kk}"
                )
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={pp}, "
                f"kernel_size={kk} and dilation={dd}"
            )
    out = tuple(
        pool_output_size(shape[2 + i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(nd)
    )
    if any(o <= 0 for o in out):
        if name == "max_pool1d":
            raise RuntimeError(f"max_pool1d() Invalid computed output size: {out[0]}")
        # torch reports 1-D pools through their 2-D implementation, with a unit height
        shp = (shape[1], 1, *shape[2:]) if nd == 1 else shape[1:]
        oshp = (shape[1], 1, *out) if nd == 1 else (shape[1], *out)
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, shp))}). Calculated output size: "
            f"({'x'.join(map(str, oshp))}). Output size is too small"
        )
    return k, s, p, d, out


def _padded(x, k, s, p, d, out, fill):
    """x padded with ``fill`` so that every tap slice of every output window is in bounds."""
    nd = len(k)
    hi = [
        max(0, (out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - x.shape[2 + i] - p[i])
        for i in range(nd)
    ]
    if not any(p) and not any(hi):
        return x
    shape = (*x.shape[:2], *(x.shape[2 + i] + p[i] + hi[i] for i in range(nd)))
    xp = _empty_like_layout(x, shape, x.dtype)
    xp[...] = fill
    xp[(slice(None),) * 2 + tuple(slice(p[i], p[i] + x.shape[2 + i]) for i in range(nd))] = x
    return xp


def _tap(k, s, d, out):
    return (slice(None),) * 2 + tuple(
        slice(k[i] * d[i], k[i] * d[i] + s[i] * (out[i] - 1) + 1, s[i]) for i in range(len(out))
    )


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _running_max(x, values, out_shape, ksize, first_tap, position, offsets=None):
    """Max and flat argmax over kernel taps with torch's rule: a value replaces the running max
    if it is greater or NaN (NaN propagates and the *last* NaN wins; among equal maxima the first
    wins).

    ``values`` yields one output-shaped array per tap, taps in row-major order over ``ksize``.
    Masked copies are slow in NumPy, so the running max is np.maximum (which also propagates NaN)
    and the winner is tracked as a small tap number: taps come in increasing order, so "replace
    where updated" is np.maximum(tap, updated * k). Tap numbers become flat input indices once at
    the end. ``first_tap[i]`` is, per output position along dim i, the first tap inside the input
    (torch's index for an all -inf window); ``position(i, o, t)`` maps output and tap numbers
    along dim i to an input position; ``offsets``, when windows are translates of one another,
    is the flat offset of each tap from the window origin (a cheap gather instead).
    """
    nd = len(ksize)
    ktot = math.prod(ksize)
    tdt = np.uint8 if ktot < 256 else np.int64
    kstride = [math.prod(ksize[i + 1 :]) for i in range(nd)]
    y = _empty_like_layout(x, out_shape, x.dtype)
    y[...] = _lowest(x.dtype)
    tap = _empty_like_layout(x, out_shape, tdt)
    tap[...] = sum(_along(first_tap[i], i, nd) * kstride[i] for i in range(nd))
    upd = _empty_like_layout(x, out_shape, np.bool_)
    step = _empty_like_layout(x, out_shape, tdt)
    nan_aware = x.dtype.kind == "f" and x.size > 0 and bool(np.isnan(x.min()))
    for k, v in enumerate(values):
        np.greater(v, y, out=upd)
        if nan_aware:
            upd |= np.isnan(v)
        np.maximum(y, v, out=y)
        if k:
            np.multiply(upd, tdt(k), out=step)
            np.maximum(tap, step, out=tap)
    if offsets is not None:
        # windows of the same shape everywhere: index = window origin + the tap's offset
        origin = sum(
            _along(position(i, np.arange(out_shape[2 + i]), 0), i, nd) * math.prod(x.shape[3 + i :])
            for i in range(nd)
        )
        flat = np.take(offsets, tap)
        flat += origin
        return y, flat
    flat = 0
    for i in range(nd):
        t = (tap // kstride[i]) % ksize[i] if nd > 1 else tap
        pos = position(i, _along(np.arange(out_shape[2 + i]), i, nd), t.astype(np.int64))
        flat = flat * x.shape[2 + i] + pos
    return y, flat


def _along(a, i, nd):
    """1-D array shaped to broadcast along spatial dim i of an (N, C, *S) array."""
    shape = [1] * (nd + 2)
    shape[2 + i] = -1
    return np.asarray(a).reshape(shape)


# ----------------------------------------------------------------------------- max pooling
def max_pool_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """N-d max pooling: returns (y, indices), indices flat into each input plane (int64)."""
    return max_pool_forward_offsets(x, kernel_size, stride, padding, dilation, ceil_mode)[:2]


def max_pool_forward_offsets(
    x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, indices=True
) -> tuple:
    """(y, indices, offsets): offsets, when the windows tile the input, are each winner's flat
    offset in its window in a byte-sized type (else None), which spares the backward reading
    the int64 indices back (``max_pool_backward(..., offsets=)``). With ``indices=False`` and
    tiling windows, the int64 indices are not made (None; ``tiled_indices`` makes them from the
    offsets when needed): their write was a sixth of the seed's largest pool."""
    nd = x.ndim - 2
    k, s, p, d, out = _pool_args(
        f"max_pool{nd}d", x.shape, kernel_size, stride, padding, dilation, ceil_mode
    )
    if tiled_window(x.shape, k, s, p, d, ceil_mode) is not None:
        return _max_pool_tiled(x, k, out, indices)
    xp = _padded(x, k, s, p, d, out, _lowest(x.dtype))
    # first tap inside the input: step over the left padding in units of the dilation
    first = [np.maximum(0, -(-(p[i] - np.arange(out[i]) * s[i]) // d[i])) for i in range(nd)]
    values = (xp[_tap(t, s, d, out)] for t in itertools.product(*map(range, k)))
    offsets = sum(
        np.arange(k[i]).reshape([-1 if j == i else 1 for j in range(nd)])
        * (d[i] * math.prod(x.shape[3 + i :]))
        for i in range(nd)
    ).ravel()
    y, idx = _running_max(
        x,
        values,
        (*x.shape[:2], *out),
        k,
        first,
        lambda i, o, t: o * s[i] - p[i] + t * d[i],
        offsets.astype(np.int64),
    )
    return y, idx, None


def tiled_window(shape, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The kernel size when max-pool windows tile the input (stride = kernel, no padding or
    dilation, every window inside the input), else None: the common case with a fast path."""
    nd = len(shape) - 2
    k = _tuple(kernel_size, nd)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else stride
    s, p, d = _tuple(s, nd), _tuple(padding, nd), _tuple(dilation, nd)
    if s != k or any(p) or any(v != 1 for v in d) or any(v <= 0 for v in k):
        return None
    if ceil_mode and any(shape[2 + i] % k[i] for i in range(nd)):
        return None  # a last, partial window
    return k


def _tile_slices(t, k, out):
    return (slice(None),) * 2 + tuple(
        slice(t[i], t[i] + k[i] * out[i], k[i]) for i in range(len(k))
    )


def _tile_origins(k, out, spatial, offset=0):
    """Flat in-plane index of each window's first element, plus ``offset``: (1, 1, *out)."""
    flat = offset
    for i in range(len(k)):
        flat = flat + _along(np.arange(out[i]) * (k[i] * math.prod(spatial[i + 1 :])), i, len(k))
    return np.asarray(flat, np.int64)


def _batch_parallel(work, x) -> None:
    """work(a, b) over batch items [0, N), split over the kernel threads for large inputs
    (NumPy's ufuncs release the GIL, so the parts run at once)."""
    n = x.shape[0]
    if W.FAST.threads and x.size >= _MIN_PARALLEL:
        _threads.parallel(work, n, max(1, -(-_MIN_PARALLEL // max(1, x.size // max(n, 1)))))
    else:
        work(0, n)


_MIN_PARALLEL = 1 << 17  # elements per thread below which a second thread costs more than it saves


def max_pool_values(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The values alone of max pooling (``max_pool_forward``'s checks and y): what a forward
    that records nothing and drops the indices needs. Windows tiling the input take the same
    chain of np.maximum over the taps as ``_max_pool_tiled`` (so the same values, NaN
    included) without its winner tracking: a third of its passes."""
    nd = x.ndim - 2
    k, s, p, d, out = _pool_args(
        f"max_pool{nd}d", x.shape, kernel_size, stride, padding, dilation, ceil_mode
    )
    if tiled_window(x.shape, k, s, p, d, ceil_mode) is None:
        return max_pool_forward(x, k, s, p, d, ceil_mode)[0]
    return _max_pool_tiled_values(x, k, out)


def _max_pool_tiled_values(x, k, out) -> np.ndarray:
    taps = list(itertools.product(*map(range, k)))
    y = _empty_like_layout(x, (*x.shape[:2], *out), x.dtype)

    def work(a, e):
        xs, ys = x[a:e], y[a:e]
        if len(taps) == 1:
            ys[...] = xs[_tile_slices(taps[0], k, out)]
            return
        np.maximum(xs[_tile_slices(taps[0], k, out)], xs[_tile_slices(taps[1], k, out)], out=ys)
        for t in taps[2:]:
            np.maximum(ys, xs[_tile_slices(t, k, out)], out=ys)

    _batch_parallel(work, x)
    return y


def tiled_indices(offsets, window, input_shape) -> np.ndarray:
    """The int64 flat indices of tiled windows' winners from their in-window offsets."""
    return np.add(offsets, _tile_origins(tuple(window), offsets.shape[2:], input_shape[2:]))


def _max_pool_tiled(x, k, out, indices=True):
    """Max pooling over disjoint windows: one strided slice per tap, torch's tie/NaN rule.

    The winner is tracked as its flat offset from the window origin, in the smallest integer
    type that holds it: offsets grow with the tap number, so "replace where updated" is a
    maximum (masked copies are many times slower in NumPy), and the flat input index is that
    offset plus the window origin, one add at the end (skipped with ``indices=False``).

    The first two taps go straight into y and the offsets (no copy of the first tap, no zero
    fill): the tap slices are channels-last runs of C values, each pass over them paying
    NumPy's per-run overhead, so a pass saved is a sixth of the kernel."""
    nd = len(k)
    spatial = x.shape[2:]
    taps = list(itertools.product(*map(range, k)))
    offs = [sum(t[i] * math.prod(spatial[i + 1 :]) for i in range(nd)) for t in taps]
    odt = np.min_scalar_type(offs[-1])
    out_shape = (*x.shape[:2], *out)
    y = _empty_like_layout(x, out_shape, x.dtype)
    off = _empty_like_layout(x, out_shape, odt)
    upd = _empty_like_layout(x, out_shape, np.bool_)
    step = _empty_like_layout(x, out_shape, odt)
    idx = _empty_like_layout(x, out_shape, np.int64) if indices else None
    origins = _tile_origins(k, out, spatial)
    maybe_nan = x.dtype.kind in "fc"

    def work(a, e):
        xs, ys, offs_, upds, steps = x[a:e], y[a:e], off[a:e], upd[a:e], step[a:e]
        nan_aware = False
        while True:
            v0 = xs[_tile_slices(taps[0], k, out)]
            if len(taps) == 1:
                ys[...] = v0
                offs_[...] = 0
            for n, (t, o) in enumerate(zip(taps[1:], offs[1:])):
                v = xs[_tile_slices(t, k, out)]
                prev = v0 if n == 0 else ys
                np.greater(v, prev, out=upds)
                if nan_aware:
                    upds |= np.isnan(v)
                np.maximum(prev, v, out=ys)  # propagates NaN; where v wins, y becomes v
                if n == 0:  # offsets were 0: the first update is the offsets
                    np.multiply(upds, odt.type(o), out=offs_)
                else:
                    np.multiply(upds, odt.type(o), out=steps)
                    np.maximum(offs_, steps, out=offs_)
            # NaN reaches y from any window holding one: only then is the NaN rule needed
            if nan_aware or not maybe_nan or ys.size == 0 or not np.isnan(ys.min()):
                break
            nan_aware = True
        if idx is not None:
            np.add(offs_, origins, out=idx[a:e])

    _batch_parallel(work, x)
    return y, idx, off


def max_pool_backward(gy, indices, input_shape, window=None, offsets=None):
    """Scatter-add gy into the input positions recorded in indices (overlaps accumulate).

    ``window``: the kernel size when the windows tile the input (``tiled_window``); each tap is
    then one compare and one masked copy into a strided slice, no scatter. ``offsets``: the
    forward's in-window offsets of the winners (``max_pool_forward_offsets``), when at hand."""
    if window is not None:
        k = tuple(window)
        out = gy.shape[2:]
        gx = _empty_like_layout(gy, input_shape, gy.dtype)
        # rows and columns past the last window get no gradient
        covered = (slice(None),) * 2 + tuple(slice(0, k[i] * out[i]) for i in range(len(k)))
        if any(k[i] * out[i] != input_shape[2 + i] for i in range(len(k))):
            gx[...] = 0
        mask = _empty_like_layout(gy, gy.shape, np.bool_)
        spatial = input_shape[2:]
        taps = list(itertools.product(*map(range, k)))
        offs = [sum(t[i] * math.prod(spatial[i + 1 :]) for i in range(len(k))) for t in taps]
        # each winner's offset in its window, once, in a small type: the per-tap compares then
        # read a byte per position instead of an int64 index
        odt = np.min_scalar_type(offs[-1])
        given = offsets is not None and offsets.dtype == odt and offsets.shape == gy.shape
        code = offsets if given else _empty_like_layout(gy, gy.shape, odt)
        origins = _tile_origins(k, out, spatial)
        gxc = gx[covered]

        def work(a, e):
            gys, masks, codes = gy[a:e], mask[a:e], code[a:e]
            finite = bool(np.isfinite(gys).all())  # then g * mask is g or 0 (inf * 0: nan)
            if not given:
                np.subtract(indices[a:e], origins, out=codes, casting="unsafe")
            for t, o in zip(taps, offs):
                np.equal(codes, odt.type(o), out=masks)
                dst = gxc[a:e][_tile_slices(t, k, out)]
                if finite:
                    np.multiply(gys, masks, out=dst)
                else:
                    dst[...] = 0
                    np.copyto(dst, gys, where=masks)

        _batch_parallel(work, gx)
        return gx
    n, c = input_shape[:2]
    plane = math.prod(input_shape[2:])
    cl = gy.ndim > 2 and not gy.flags.c_contiguous and to_last(gy).flags.c_contiguous
    if cl:
        # channels-last gradient buffer, so the following conv backward reads it without a copy
        gyl = to_last(gy).reshape(n, -1, c)
        il = to_last(indices).reshape(n, -1, c)
        flat = (np.arange(n)[:, None, None] * plane + il) * c + np.arange(c)
        gx = np.zeros(n * plane * c, gy.dtype)
        np.add.at(gx, flat.ravel(), gyl.ravel())
        return to_first(gx.reshape(n, *input_shape[2:], c))
    flat = np.arange(n * c).reshape(n, c, *(1,) * (gy.ndim - 2)) * plane + indices
    gx = np.zeros(n * c * plane, gy.dtype)
    np.add.at(gx, flat.ravel(), np.ascontiguousarray(gy).ravel())
    return gx.reshape(input_shape)


# ----------------------------------------------------------------------------- average pooling
def _avg_divisor(spatial, k, s, p, out, count_include_pad, divisor_override):
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        return divisor_override
    div = 1
    for i in range(len(k)):
        start = np.arange(out[i]) * s[i] - p[i]
        end = np.minimum(start + k[i], spatial[i] + p[i])
        if count_include_pad:
            size = end - start
        else:
            size = np.minimum(end, spatial[i]) - np.maximum(start, 0)
        shape = [1] * len(k)
        shape[i] = -1
        div = div * size.reshape(shape)
    return div


def avg_pool_forward(
    x,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """N-d average pooling with torch's divisor rules."""
    nd = x.ndim - 2
    k, s, p, d, out = _pool_args(
        f"avg_pool{nd}d", x.shape, kernel_size, stride, padding, 1, ceil_mode
    )
    div = _avg_divisor(x.shape[2:], k, s, p, out, count_include_pad, divisor_override)
    xp = _padded(x, k, s, p, d, out, 0)
    y = _empty_like_layout(x, (*x.shape[:2], *out), x.dtype)
    taps = itertools.product(*map(range, k))
    np.copyto(y, xp[_tap(next(taps), s, d, out)])
    for t in taps:
        y += xp[_tap(t, s, d, out)]
    y /= np.asarray(div, dtype=x.dtype) if x.dtype.kind == "f" else div
    return y


def avg_pool_backward(
    gy,
    input_shape,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Each input element receives gy / divisor from every window that covers it."""
    nd = len(input_shape) - 2
    k, s, p, d, out = _pool_args(
        f"avg_pool{nd}d", input_shape, kernel_size, stride, padding, 1, ceil_mode
    )
    div = _avg_divisor(input_shape[2:], k, s, p, out, count_include_pad, divisor_override)
    g = gy / np.asarray(div, dtype=gy.dtype)
    hi = [max(0, (out[i] - 1) * s[i] + k[i] - input_shape[2 + i] - p[i]) for i in range(nd)]
    padded = (*input_shape[:2], *(input_shape[2 + i] + p[i] + hi[i] for i in range(nd)))
    gxp = np.zeros(padded, gy.dtype) if not _is_cl(gy) else _cl_zeros(padded, gy.dtype)
    for t in itertools.product(*map(range, k)):
        gxp[_tap(t, s, d, out)] += g
    return gxp[
        (slice(None),) * 2 + tuple(slice(p[i], p[i] + input_shape[2 + i]) for i in range(nd))
    ]


def _is_cl(a):
    return a.ndim > 2 and not a.flags.c_contiguous and to_last(a).flags.c_contiguous


def _cl_zeros(shape, dtype):
    return to_first(np.zeros((shape[0], *shape[2:], shape[1]), dtype))


# ----------------------------------------------------------------------------- adaptive pooling
def _adaptive_windows(size: int, out: int):
    o = np.arange(out)
    start = (o * size) // out
    end = -(-((o + 1) * size) // out)
    return start, end


def _adaptive_args(x_shape, output_size):
    nd = len(x_shape) - 2
    out = tuple(
        x_shape[2 + i] if o is None else int(o)
        for i, o in enumerate(
            (output_size,) * nd if isinstance(output_size, (int, np.integer)) else output_size
        )
    )
    if len(out) != nd:
        raise ValueError(f"adaptive pooling: output_size must have {nd} elements, got {out}")
    if any(o < 0 for o in out):
        raise RuntimeError("elements of output_size must be greater than or equal to 0")
    return out


def _avg_matrix(size, out, dtype):
    """(out, size) averaging matrix of adaptive windows along one axis."""
    start, end = _adaptive_windows(size, out)
    pos = np.arange(size)
    inside = (pos >= start[:, None]) & (pos < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _along_axes(a, mats):
    """Apply one (out, in) matrix per spatial axis: adaptive averaging is separable."""
    for i, m in enumerate(mats):
        a = np.moveaxis(np.moveaxis(a, 2 + i, -1) @ m.T, -1, 2 + i)
    return a


def adaptive_avg_pool_forward(x, output_size):
    """Adaptive average pooling: window i spans [floor(i*S/O), ceil((i+1)*S/O))."""
    out = _adaptive_args(x.shape, output_size)
    if all(o == 1 for o in out):
        return x.mean(axis=tuple(range(2, x.ndim)), keepdims=True, dtype=x.dtype)
    return _along_axes(x, [_avg_matrix(x.shape[2 + i], o, x.dtype) for i, o in enumerate(out)])


def adaptive_avg_pool_backward(gy, input_shape):
    out = gy.shape[2:]
    mats = [_avg_matrix(input_shape[2 + i], o, gy.dtype).T for i, o in enumerate(out)]
    return _along_axes(gy, mats)


def adaptive_max_pool_forward(x, output_size):
    """Adaptive max pooling: returns (y, indices) like torch (flat index into each plane)."""
    out = _adaptive_args(x.shape, output_size)
    nd = len(out)
    wins = [_adaptive_windows(x.shape[2 + i], out[i]) for i in range(nd)]
    kmax = [int((e - s).max()) if len(s) else 0 for s, e in wins]

    def values():
        for t in itertools.product(*map(range, kmax)):
            # taps past a short window repeat its last element: harmless for max and argmax
            pos = [np.minimum(wins[i][0] + t[i], wins[i][1] - 1) for i in range(nd)]
            yield x[(slice(None),) * 2 + np.ix_(*pos)]

    def position(i, o, t):
        start, end = _along(wins[i][0], i, nd), _along(wins[i][1], i, nd)
        return np.minimum(start + t, end - 1)

    first = [np.zeros(o, np.int64) for o in out]
    return _running_max(x, values(), (*x.shape[:2], *out), kmax, first, position)


adaptive_max_pool_backward = max_pool_backward


# ----------------------------------------------------------------------------- interpolation
def _nearest_index(n_in, n_out, scale, exact):
    if not exact and n_out == n_in:
        return np.arange(n_out)
    if not exact and n_out == 2 * n_in:
        return np.arange(n_out) >> 1
    # torch computes nearest source indices in float32 whatever the tensor's dtype
    sc = (
        np.float32(1.0 / scale)
        if scale is not None and scale > 0
        else np.float32(n_in) / np.float32(n_out)
    )
    dst = np.arange(n_out, dtype=np.float32) + (np.float32(0.5) if exact else np.float32(0))
    return np.minimum(np.floor(dst * sc).astype(np.int64), n_in - 1)


def _linear_weights(n_in, n_out, scale, align_corners, dtype):
    """Source indices i0, i1 and weights l0, l1 along one axis, in the tensor's float type."""
    ft = np.float64 if dtype == np.float64 else np.float32
    if align_corners:
        sc = ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)
        src = np.arange(n_out, dtype=ft) * sc
    else:
        sc = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n_in) / ft(n_out)
        src = np.maximum(sc * (np.arange(n_out, dtype=ft) + ft(0.5)) - ft(0.5), ft(0))
    i0 = src.astype(np.int64)
    l1 = np.clip(src - i0, 0, 1).astype(ft)
    i1 = np.where(i0 < n_in - 1, i0 + 1, i0)
    return i0, i1, (ft(1) - l1).astype(dtype), l1.astype(dtype)


def _interp_plan(in_spatial, output_size, mode, align_corners, scales):
    nd = len(in_spatial)
    scales = [None] * nd if scales is None else list(scales)
    if mode in ("nearest", "nearest-exact"):
        if align_corners:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
        return [
            (
                "take",
                _nearest_index(in_spatial[i], output_size[i], scales[i], mode == "nearest-exact"),
            )
            for i in range(nd)
        ]
    if mode in ("linear", "bilinear", "trilinear"):
        return [("lerp", (in_spatial[i], output_size[i], scales[i])) for i in range(nd)]
    raise NotImplementedError(f"interpolation mode {mode!r} is not implemented")


def interpolate_forward(x, output_size, mode="nearest", align_corners=None, scales=None):
    """Resample the spatial dims of x to output_size.

    Args: mode nearest | nearest-exact | linear | bilinear | trilinear (each is separable, so
    one gather per axis); scales: per-dim scale factors the caller was given (torch derives the
    source index from 1/scale when given, else from in/out).
    """
    output_size = _tuple(output_size, x.ndim - 2)
    for i, (kind, arg) in enumerate(
        _interp_plan(x.shape[2:], output_size, mode, align_corners, scales)
    ):
        ax = 2 + i
        if kind == "take":
            x = np.take(x, arg, axis=ax)
        else:
            i0, i1, l0, l1 = _linear_weights(*arg, bool(align_corners), x.dtype)
            shape = [1] * x.ndim
            shape[ax] = -1
            x = np.take(x, i0, axis=ax) * l0.reshape(shape) + np.take(x, i1, axis=ax) * l1.reshape(
                shape
            )
    return x


def interpolate_backward(gy, input_shape, mode="nearest", align_corners=None, scales=None):
    """Gradient of interpolate_forward: the per-axis gathers undone in reverse order."""
    plan = _interp_plan(input_shape[2:], gy.shape[2:], mode, align_corners, scales)
    for i in reversed(range(len(plan))):
        kind, arg = plan[i]
        ax, n = 2 + i, input_shape[2 + i]
        if kind == "take":
            gy = take_backward(gy, arg, ax, n)
        else:
            i0, i1, l0, l1 = _linear_weights(*arg, bool(align_corners), gy.dtype)
            gy = take_backward(gy, i0, ax, n, l0) + take_backward(gy, i1, ax, n, l1)
    return gy


# ----------------------------------------------------------------------------- fixed-rank names
max_pool1d_forward = max_pool2d_forward = max_pool3d_forward = max_pool_forward
max_pool1d_backward = max_pool2d_backward = max_pool3d_backward = max_pool_backward
avg_pool1d_forward = avg_pool2d_forward = avg_pool3d_forward = avg_pool_forward
avg_pool1d_backward = avg_pool2d_backward = avg_pool3d_backward = avg_pool_backward
adaptive_avg_pool1d_forward = adaptive_avg_pool2d_forward = adaptive_avg_pool_forward
adaptive_avg_pool1d_backward = adaptive_avg_pool2d_backward = adaptive_avg_pool_backward
adaptive_max_pool1d_forward = adaptive_max_pool2d_forward = adaptive_max_pool_forward
adaptive_max_pool1d_backward = adaptive_max_pool2d_backward = adaptive_max_pool_backward
