"""Convolution kernels on NumPy: N-d convolution, transposed convolution, unfold and fold.

All functions take and return arrays with PyTorch's shapes, ``(N, C, *spatial)``, but work
internally in a channels-last layout, ``(N, *spatial, C)``:

* im2col is a strided window view of the padded input; its copy into a ``(rows, K*C)`` matrix
  moves whole runs of ``kw*C`` contiguous values when C is the fastest axis, so the copy runs at
  memory speed and the convolution becomes one large matmul.
* The matmul produces ``(N*out_positions, C_out)``, i.e. channels-last output for free. The result
  is returned as an NCHW-shaped *view* of that buffer (no transpose copy); a following
  convolution or pooling reads it back channels-last at no cost.

Arrays keep their dtype throughout (float32 stays float32).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from . import _threads, winograd
from . import _work as W
from ._layout import to_first, to_last

__all__ = [
    "conv_forward",
    "conv_backward",
    "conv1d_forward",
    "conv1d_backward",
    "conv2d_forward",
    "conv2d_backward",
    "conv3d_forward",
    "conv3d_backward",
    "conv_transpose_forward",
    "conv_transpose_backward",
    "conv_transpose1d_forward",
    "conv_transpose1d_backward",
    "conv_transpose2d_forward",
    "conv_transpose2d_backward",
    "conv_output_size",
    "unfold",
    "unfold_backward",
    "fold",
    "fold_backward",
]

IntOrSeq = int | Sequence[int]


# ----------------------------------------------------------------------------- argument helpers
def _tuple(v: IntOrSeq, n: int, name: str = "") -> tuple[int, ...]:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise ValueError(f"expected {name} to be a single integer or a tuple of {n}, got {v}")
    return v


def _pairs(padding, n: int) -> tuple[tuple[int, int], ...]:
    """Padding as (before, after) per spatial dim: an int, n ints (symmetric) or n pairs."""
    if isinstance(padding, (int, np.integer)):
        return ((int(padding), int(padding)),) * n
    padding = list(padding)
    if len(padding) == n and all(not isinstance(p, (int, np.integer)) for p in padding):
        return tuple((int(a), int(b)) for a, b in padding)
    p = _tuple(padding, n, "padding")
    return tuple((i, i) for i in p)


def _fmt(shape) -> str:
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def conv_output_size(size: int, k: int, s: int, lo: int, hi: int, d: int) -> int:
    """Output length of a convolution along one dim (torch's floor rule)."""
    return (size + lo + hi - d * (k - 1) - 1) // s + 1


def _check_common(op, x, nd, stride, pads, dilation, groups):
    """Checks shared by convolution and transposed convolution, in torch's order."""
    if x.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}{nd}d, "
            f"but got input of size: {_fmt(x.shape)}"
        )
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _check_conv(x, w, b, stride, pads, dilation, groups):
    nd = w.ndim - 2
    _check_common("conv", x, nd, stride, [p for pp in pads for p in pp], dilation, groups)
    if w.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{_fmt(w.shape)}] instead"
        )
    if x.shape[1] != w.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {_fmt(w.shape)}, expected input"
            f"{_fmt(x.shape)} to have {w.shape[1] * groups} channels, but got {x.shape[1]} "
            "channels instead"
        )
    if b is not None and (b.ndim != 1 or b.shape[0] != w.shape[0]):
        raise RuntimeError(
            f"Given weight of size {_fmt(w.shape)}, expected bias to be 1-dimensional with "
            f"{w.shape[0]} elements, but got bias of size {_fmt(b.shape)} instead"
        )
    padded = [x.shape[2 + i] + pads[i][0] + pads[i][1] for i in range(nd)]
    eff = [dilation[i] * (w.shape[2 + i] - 1) + 1 for i in range(nd)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(
            "Calculated padded input size per channel: ("
            + " x ".join(map(str, padded))
            + "). Kernel size: ("
            + " x ".join(map(str, eff))
            + "). Kernel size can't be greater than actual input size"
        )


# ----------------------------------------------------------------------------- layout helpers
def _channels_last(x: np.ndarray) -> np.ndarray:
    """(N, C, *S) -> contiguous (N, *S, C); free when x is already a view of such a buffer."""
    return np.ascontiguousarray(to_last(x))


def _channels_first(xl: np.ndarray) -> np.ndarray:
    """(N, *S, C) -> (N, C, *S) as a view: the buffer stays channels-last."""
    return to_first(xl)


def _pad_cl(xl: np.ndarray, pads) -> np.ndarray:
    """The zero-padded channels-last input, all images at once (see ``_padded_parts``)."""
    if not any(lo or hi for lo, hi in pads):
        return np.ascontiguousarray(xl)
    xp, fill = _padded_parts(xl, pads)
    fill(0, xl.shape[0])
    return xp


def _padded_parts(xl: np.ndarray, pads):
    """``(xp, fill)``: the zero-padded input's buffer, and ``fill(a, b)`` copying images [a, b)
    into it. Each kernel thread fills its own images before building their columns, so the copy
    is not a serial step before the threads start (as ``_pad_cl``'s is)."""
    if not any(lo or hi for lo, hi in pads) and xl.flags.c_contiguous:
        return xl, lambda a, b: None
    spatial = xl.shape[1:-1]
    shape = (xl.shape[0],) + tuple(s + lo + hi for s, (lo, hi) in zip(spatial, pads))
    inner = tuple(slice(lo, lo + s) for s, (lo, _) in zip(spatial, pads))
    xp = W.zeros_border(shape + (xl.shape[-1],), xl.dtype, (slice(None),) + inner)

    def fill(a: int, b: int) -> None:
        xp[(slice(a, b),) + inner] = xl[a:b]

    return xp, fill


def _windows(xp: np.ndarray, ksize, out, stride, dilation, groups: int) -> np.ndarray:
    """Strided view (G, N, *out, *k, C/G) of a padded channels-last array; no copy."""
    n, c = xp.shape[0], xp.shape[-1]
    sp = xp.strides
    sc = sp[-1]
    cg = c // groups
    shape = (groups, n, *out, *ksize, cg)
    strides = (
        cg * sc,
        sp[0],
        *(sp[1 + i] * stride[i] for i in range(len(out))),
        *(sp[1 + i] * dilation[i] for i in range(len(out))),
        sc,
    )
    return np.lib.stride_tricks.as_strided(xp, shape, strides, writeable=False)


def _im2col(xp, ksize, out, stride, dilation, groups) -> np.ndarray:
    """(G, N*prod(out), prod(k)*C/G) columns, rows ordered like channels-last output."""
    win = _windows(xp, ksize, out, stride, dilation, groups)
    rows = xp.shape[0] * math.prod(out)
    return win.reshape(groups, rows, -1)


def _kmajor(c: int, ksize) -> bool:
    """Whether columns are better built K-major, one row per (channel, tap).

    Channels-last columns copy runs of ``k_last * C`` contiguous values; with few channels (a
    first layer on RGB input: 15 values for 5x5) those runs are short and the copy is slow.
    K-major rows copy runs of a whole output row from a channels-first padded input instead,
    and BLAS takes the transposed operand as it is."""
    return c * ksize[-1] < 32


def _cf_windows(xl, ksize, out, stride, pads, dilation) -> np.ndarray:
    """(C, *k, N, *out) strided view of xl zero-padded in a channels-first buffer; no copy
    beyond the padding."""
    n, c, nd = xl.shape[0], xl.shape[-1], len(ksize)
    spatial = xl.shape[1:-1]
    shape = (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip(spatial, pads))
    inner = (slice(None),) * 2 + tuple(slice(lo, lo + s) for s, (lo, _) in zip(spatial, pads))
    xp = W.zeros_border(shape, xl.dtype, inner)
    xp[inner] = to_first(xl)
    sp = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp,
        (c, *ksize, n, *out),
        (
            sp[1],
            *(sp[2 + i] * dilation[i] for i in range(nd)),
            sp[0],
            *(sp[2 + i] * stride[i] for i in range(nd)),
        ),
        writeable=False,
    )


def _wmat(w: np.ndarray, groups: int) -> np.ndarray:
    """(C_out, C/G, *k) weight as (G, prod(k)*C/G, C_out/G), matching the column layout."""
    co, cg = w.shape[:2]
    nd = w.ndim - 2
    wg = w.reshape(groups, co // groups, cg, *w.shape[2:])
    perm = (0, *range(3, 3 + nd), 2, 1)
    return wg.transpose(perm).reshape(groups, -1, co // groups)


def _group_matmul(cols: np.ndarray, wm: np.ndarray) -> np.ndarray:
    """(G, M, K) @ (G, K, Co/G) -> (M, Co), channels of group g contiguous at g*Co/G."""
    if cols.shape[0] == 1:
        return cols[0] @ wm[0]
    y = np.matmul(cols, wm)
    return np.ascontiguousarray(y.transpose(1, 0, 2)).reshape(y.shape[1], -1)


def _add_taps(dst, tap, ksize, out, stride, dilation) -> None:
    """col2im: dst[..., k*d + s*o] += tap(k)[..., o] for every kernel tap k (trailing dims)."""
    nd = len(ksize)
    lead = (slice(None),) * (dst.ndim - nd)
    for k in itertools.product(*(range(kk) for kk in ksize)):
        idx = tuple(
            slice(k[i] * dilation[i], k[i] * dilation[i] + stride[i] * (out[i] - 1) + 1, stride[i])
            for i in range(nd)
        )
        dst[lead + idx] += tap(k)


# ----------------------------------------------------------------------------- channels-last cores
_CHUNK_BYTES = 1 << 20  # im2col columns built and multiplied a few images at a time, in cache
_MIN_ROWS_PER_THREAD = 256  # below this, a second thread costs more than it saves


def _conv_cl(xl, w, stride, pads, dilation, groups, b=None, keep=None):
    """Channels-last convolution: (N, *S, C) -> (N, *O, C_out), bias added when given.

    ``keep``, a list, receives the padded input's window view the columns were built from (see
    ``_conv_weight_grad``'s ``padded``), where there is one.

    With one group the im2col columns are built a few images at a time into a small buffer and
    multiplied while still in cache (against one big column matrix: fewer cache misses, no
    page faults), the batch split over the kernel threads. A 1x1 stride-1 unpadded convolution
    multiplies the input itself. With ``winograd.ENABLED`` (off by default: see there), 3x3 and
    5x5 stride-1 ones with enough channels go to Winograd, whose products do a third of the
    multiplications.
    """
    ksize = w.shape[2:]
    nd = len(ksize)
    n, c = xl.shape[0], xl.shape[-1]
    out = tuple(
        conv_output_size(xl.shape[1 + i], ksize[i], stride[i], *pads[i], dilation[i])
        for i in range(nd)
    )
    co = w.shape[0]
    if groups != 1:
        cols = _im2col(_pad_cl(xl, pads), ksize, out, stride, dilation, groups)
        y = _group_matmul(cols, _wmat(w, groups))
        if b is not None:
            y += b
        return y.reshape(n, *out, co)
    dtype = np.result_type(xl.dtype, w.dtype)
    if winograd.applies(c, co, ksize, out, stride, dilation, groups, dtype):
        return winograd.conv2d_cl(xl, w, pads, b)
    m = math.prod(out)
    y = W.empty((n * m, co), dtype)
    pointwise = all(k == 1 for k in ksize) and all(st == 1 for st in stride)
    if pointwise and not any(lo or hi for lo, hi in pads):
        cols = np.ascontiguousarray(xl).reshape(n * m, c)

        def work_1x1(a, e):
            np.matmul(cols[a * m : e * m], _wmat(w, 1)[0], out=y[a * m : e * m])
            if b is not None:
                y[a * m : e * m] += b

        _run(work_1x1, n, m)
        return y.reshape(n, *out, co)
    kdim = c * math.prod(ksize)
    kmajor = _kmajor(c, ksize)
    fill = None
    if kmajor:  # weight rows (c, *k), as the K-major columns
        wm, win = w.reshape(co, kdim).T, _cf_windows(xl, ksize, out, stride, pads, dilation)
    else:
        xp, fill = _padded_parts(xl, pads)
        wm, win = _wmat(w, 1)[0], _windows(xp, ksize, out, stride, dilation, 1)[0]
    if keep is not None:  # whole once the threads below have each padded their images
        keep.append(_Padded(win, xl.shape, xl.dtype, ksize, stride, pads, dilation))
    # the bias rides in the product: a row of ones in the columns against a row b in the weight
    kb = kdim + (b is not None)
    wm = np.concatenate([wm, b[None].astype(dtype)]) if b is not None else np.ascontiguousarray(wm)
    per = max(1, _CHUNK_BYTES // max(1, m * kdim * xl.itemsize))

    bufs = _part_buffers(n, m, per, lambda r: (kb, r) if kmajor else (r, kb), xl.dtype)

    def work(a, e):
        if fill is not None:
            fill(a, e)
        buf = bufs.pop()
        if b is not None:
            (buf[kdim] if kmajor else buf[:, kdim])[...] = 1
        for i in range(a, e, per):
            j = min(i + per, e)
            r = (j - i) * m
            if kmajor:
                src = buf[:, :r]
                np.copyto(
                    src[:kdim].reshape(c, *ksize, j - i, *out),
                    win[(slice(None),) * (1 + nd) + (slice(i, j),)],
                )
                src = src.T
            else:
                src = buf[:r]
                np.copyto(src[:, :kdim].reshape(j - i, *out, *ksize, c), win[i:j])
            np.matmul(src, wm, out=y[i * m : j * m])

    _run(work, n, m)
    return y.reshape(n, *out, co)


class _Padded:
    """A forward's window view of its padded input, for the weight gradient of the same
    convolution (``_conv_weight_grad(padded=)``): the backward then pads the input again only
    when the view does not match. The forward's buffer stays held while the view is, so no
    other use is handed it (``_work``), and the input cannot change unseen (autograd's version
    check on the saved input)."""

    __slots__ = ("win", "key")

    def __init__(self, win, shape, dtype, ksize, stride, pads, dilation):
        self.win = win
        self.key = (tuple(shape), dtype, tuple(ksize), tuple(stride), tuple(pads), tuple(dilation))

    def get(self, xl, ksize, stride, pads, dilation):
        key = (xl.shape, xl.dtype, tuple(ksize), tuple(stride), tuple(pads), tuple(dilation))
        return self.win if key == self.key else None


def _min_items(rows_per_item):
    return max(1, -(-_MIN_ROWS_PER_THREAD // max(rows_per_item, 1)))


def _run(work, n, rows_per_item):
    """work(a, b) over items [0, n), split over the kernel threads when worth it."""
    if W.FAST.threads:
        _threads.parallel(work, n, _min_items(rows_per_item))
    else:
        work(0, n)


def _part_buffers(n, m, per, shape, dtype) -> list:
    """One work buffer per part of [0, n) that _run/_sum_parts will hand a thread, each part
    popping its own. Taken from the pool here, in one thread and in one go: taken inside the
    threads, how many a step needs at once would depend on their timing, and the pool would
    grow by one now and then."""
    parts = _threads.part_count(n, _min_items(m)) if W.FAST.threads else 1
    rows = min(per, -(-n // parts)) * m
    return [W.empty(shape(rows), dtype) for _ in range(parts)]


def fold_rows(rows: int, c: int) -> int:
    """How many rows of a (rows, C) matrix to fold into one before summing down axis 0.

    NumPy sums down axis 0 only C values at a time; summing a (rows/k, k*C) view instead makes
    the inner loop k*C long (several times faster for C = 32, and the pairwise summation stays
    as accurate), then the (k, C) partial sums are summed."""
    k = max(1, min(rows, 1024 // max(c, 1)))
    while rows % k:
        k -= 1
    return k


def _bias_grad(gyl: np.ndarray) -> np.ndarray:
    """Sum of a channels-last gradient over all but its channel axis (see fold_rows)."""
    c = gyl.shape[-1]
    rows = gyl.size // max(c, 1)
    if not rows or not gyl.flags.c_contiguous:
        return gyl.reshape(-1, c).sum(0)
    k = fold_rows(rows, c)
    return gyl.reshape(-1, k * c).sum(0).reshape(k, c).sum(0)


def _sum_parts(work, n, rows_per_item):
    """Sum of work(a, b) over parts of [0, n), split over the kernel threads when worth it."""
    if W.FAST.threads:
        parts = _threads.parallel(work, n, _min_items(rows_per_item))
    else:
        parts = [work(0, n)]
    total = parts[0]
    for p in parts[1:]:
        total += p
    return total


def _conv_weight_grad(xl, gyl, wshape, stride, pads, dilation, groups, padded=None):
    """dL/dw = columns^T @ grad_out, per group; (C_out, C/G, *k).

    The columns are rebuilt a few images at a time, each chunk multiplied while in cache: this
    measured as fast as keeping the forward's columns (whose write to memory costs as much),
    with none of their memory. ``padded``: the forward's padded input (``_Padded``), used
    when it matches instead of padding the input again.
    """
    win = None if padded is None else padded.get(xl, wshape[2:], stride, pads, dilation)
    ksize = wshape[2:]
    nd = len(ksize)
    out = gyl.shape[1:-1]
    co = wshape[0]
    if groups != 1:
        cols = _im2col(_pad_cl(xl, pads), ksize, out, stride, dilation, groups)
        gy2 = gyl.reshape(-1, groups, co // groups)
        # (G, K*Cg, Co/G): row index is (k..., c) as in _wmat
        gw = np.matmul(cols.transpose(0, 2, 1), gy2.transpose(1, 0, 2))
    elif _kmajor(wshape[1], ksize):
        n, c = gyl.shape[0], wshape[1]
        m = math.prod(out)
        kdim = math.prod(ksize) * c
        gy2 = gyl.reshape(n * m, co)
        dtype = np.result_type(xl.dtype, gyl.dtype)
        if win is None:
            win = _cf_windows(xl, ksize, out, stride, pads, dilation)
        per = max(1, _CHUNK_BYTES // max(1, m * kdim * xl.itemsize))
        bufs = _part_buffers(n, m, per, lambda r: (kdim, r), xl.dtype)

        def work_k(a, e):
            acc = np.zeros((kdim, co), dtype)
            tmp = np.empty((kdim, co), dtype)
            buf = bufs.pop()
            for i in range(a, e, per):
                j = min(i + per, e)
                src = buf[:, : (j - i) * m]
                np.copyto(
                    src.reshape(c, *ksize, j - i, *out),
                    win[(slice(None),) * (1 + nd) + (slice(i, j),)],
                )
                np.matmul(src, gy2[i * m : j * m], out=tmp)
                acc += tmp
            return acc

        gw = _sum_parts(work_k, n, m)  # rows (c, *k)
        gw = gw.reshape(c, *ksize, co)
        return np.ascontiguousarray(np.moveaxis(gw, -1, 0))
    else:
        n, c = gyl.shape[0], wshape[1]
        m = math.prod(out)
        kdim = math.prod(ksize) * c
        gy2 = gyl.reshape(n * m, co)
        dtype = np.result_type(xl.dtype, gyl.dtype)
        if win is None:
            xp, fill = _padded_parts(xl, pads)
            win = _windows(xp, ksize, out, stride, dilation, 1)[0]
        else:
            fill = None
        per = max(1, _CHUNK_BYTES // max(1, m * kdim * xl.itemsize))
        bufs = _part_buffers(n, m, per, lambda r: (r, kdim), xl.dtype)

        def work(a, e):
            if fill is not None:
                fill(a, e)
            acc = np.zeros((kdim, co), dtype)
            tmp = np.empty((kdim, co), dtype)
            buf = bufs.pop()
            for i in range(a, e, per):
                j = min(i + per, e)
                src = buf[: (j - i) * m]
                np.copyto(src.reshape(j - i, *out, *ksize, c), win[i:j])
                np.matmul(src.T, gy2[i * m : j * m], out=tmp)
                acc += tmp
            return acc

        gw = _sum_parts(work, n, m)[None]
    gw = gw.reshape(groups, *ksize, wshape[1], co // groups)
    perm = (0, nd + 2, nd + 1, *range(1, nd + 1))
    return np.ascontiguousarray(gw.transpose(perm)).reshape(wshape)


def _conv_input_grad(gyl, w, in_spatial, stride, pads, dilation, groups):
    """dL/dx of a convolution (= transposed convolution of gyl), channels-last in and out."""
    nd = w.ndim - 2
    ksize = w.shape[2:]
    n = gyl.shape[0]
    co, cg = w.shape[:2]
    if all(s == 1 for s in stride) and co // groups <= 2 * cg:
        # Stride 1: the input gradient is a plain ("full") convolution of the zero-padded output
        # gradient with the spatially flipped, channel-transposed kernel. One im2col + one
        # matmul, with no scatter-adds. Its columns hold prod(k)*C_out/G values per input
        # position, against prod(k)*C/G (written, then read and added) for col2im below, so it
        # wins unless C_out/G is much larger than C/G (e.g. a first layer on RGB input).
        wt = w.reshape(groups, co // groups, cg, *ksize).swapaxes(1, 2)
        wt = wt.reshape(groups * cg, co // groups, *ksize)[
            (Ellipsis,) + (slice(None, None, -1),) * nd
        ]
        full = []
        src = [slice(None)] * (nd + 2)
        for i in range(nd):
            e = dilation[i] * (ksize[i] - 1)
            lo, hi = e - pads[i][0], e - pads[i][1]
            # rows beyond the last output window never reach the output: their gradient is 0,
            # which the extra padding on the high side supplies.
            hi += in_spatial[i] + pads[i][0] + pads[i][1] - (gyl.shape[1 + i] - 1) - e - 1
            if lo < 0 or hi < 0:
                # padding wider than the kernel reach: those output rows see only padding
                a, b = max(-lo, 0), gyl.shape[1 + i] - max(-hi, 0)
                src[1 + i] = slice(a, b)
                lo, hi = max(lo, 0), max(hi, 0)
            full.append((lo, hi))
        g = gyl[tuple(src)]
        return _conv_cl(np.ascontiguousarray(g), wt, (1,) * nd, full, dilation, groups)
    # col2im (strided, or few input channels). Each kernel tap's contribution is a strided slice
    # of the padded input gradient: prod(k) vectorized adds, no per-element scatter. The
    # accumulator is channels-first, (G, C/G, N, *P), so each add runs along W rather than along
    # a short channel axis; the result is handed back as a channels-last view.
    out = gyl.shape[1:-1]
    gy3 = gyl.reshape(-1, groups, co // groups).transpose(1, 2, 0)  # (G, Co/G, M)
    gcols = np.matmul(_wmat(w, groups), gy3)  # (G, prod(k)*Cg, M)
    gcols = gcols.reshape(groups, *ksize, cg, n, *out)
    padded = tuple(in_spatial[i] + pads[i][0] + pads[i][1] for i in range(nd))
    gxp = np.zeros((groups, cg, n, *padded), gyl.dtype)
    _add_taps(gxp, lambda k: gcols[(slice(None),) + k], ksize, out, stride, dilation)
    gxp = gxp.reshape(groups * cg, n, *padded)
    crop = (slice(None),) * 2 + tuple(slice(p[0], p[0] + s) for p, s in zip(pads, in_spatial))
    return np.moveaxis(gxp[crop], 0, -1)


# ----------------------------------------------------------------------------- public: convolution
def conv_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, keep=None):
    """N-d convolution (cross-correlation) with torch semantics.

    Args: x (N, C, *S); w (C_out, C/groups, *k); b (C_out,) or None; stride, dilation ints or
    per-dim; padding int, per-dim ints or per-dim (before, after) pairs of zero padding;
    keep: a list receiving the padded input for the weight gradient (``_conv_cl``).
    Returns y (N, C_out, *O), possibly a channels-last view.
    """
    nd = w.ndim - 2
    stride, dilation = _tuple(stride, nd, "stride"), _tuple(dilation, nd, "dilation")
    pads = _pairs(padding, nd)
    _check_conv(x, w, b, stride, pads, dilation, groups)
    # x goes in as a channels-last view: the column builders copy from any layout
    return _channels_first(_conv_cl(to_last(x), w, stride, pads, dilation, groups, b, keep))


def conv_backward(gy, x, w, stride=1, padding=0, dilation=1, groups=1, needs=(True, True, True)):
    """Gradients (gx, gw, gb) of conv_forward; entries not in ``needs`` are None."""
    nd = w.ndim - 2
    stride, dilation = _tuple(stride, nd, "stride"), _tuple(dilation, nd, "dilation")
    pads = _pairs(padding, nd)
    gyl = _channels_last(gy)
    gx = gw = gb = None
    if needs[0]:
        gx = _channels_first(_conv_input_grad(gyl, w, x.shape[2:], stride, pads, dilation, groups))
    if needs[1]:
        gw = _conv_weight_grad(to_last(x), gyl, w.shape, stride, pads, dilation, groups)
    if len(needs) > 2 and needs[2]:
        gb = _bias_grad(gyl)
    return gx, gw, gb


def conv1d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution, (N, C, L) -> (N, C_out, L_out); see conv_forward."""
    return conv_forward(x, w, b, stride, padding, dilation, groups)


def conv1d_backward(gy, x, w, stride=1, padding=0, dilation=1, groups=1, needs=(True,) * 3):
    return conv_backward(gy, x, w, stride, padding, dilation, groups, needs)


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution, (N, C, H, W) -> (N, C_out, H_out, W_out); see conv_forward."""
    return conv_forward(x, w, b, stride, padding, dilation, groups)


def conv2d_backward(gy, x, w, stride=1, padding=0, dilation=1, groups=1, needs=(True,) * 3):
    return conv_backward(gy, x, w, stride, padding, dilation, groups, needs)


def conv3d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return conv_forward(x, w, b, stride, padding, dilation, groups)


def conv3d_backward(gy, x, w, stride=1, padding=0, dilation=1, groups=1, needs=(True,) * 3):
    return conv_backward(gy, x, w, stride, padding, dilation, groups, needs)


# ----------------------------------------------------------------------------- transposed conv
def _transpose_out(x, w, stride, padding, output_padding, dilation):
    nd = w.ndim - 2
    return tuple(
        (x.shape[2 + i] - 1) * stride[i]
        - 2 * padding[i]
        + dilation[i] * (w.shape[2 + i] - 1)
        + output_padding[i]
        + 1
        for i in range(nd)
    )


def _transpose_args(x, w, b, stride, padding, output_padding, dilation, groups):
    nd = w.ndim - 2
    stride, dilation = _tuple(stride, nd, "stride"), _tuple(dilation, nd, "dilation")
    padding = _tuple(padding, nd, "padding")
    output_padding = _tuple(output_padding, nd, "output_padding")
    _check_common("conv_transpose", x, nd, stride, padding, dilation, groups)
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)) or any(
        op < 0 for op in output_padding
    ):
        names = "height width" if nd == 2 else " ".join(f"dim{i}" for i in range(nd))
        parts = []
        for key, vals in (
            ("output_padding", output_padding),
            ("stride", stride),
            ("dilation", dilation),
        ):
            parts += [f"{key}_{n}: {v}" for n, v in zip(names.split(), vals)]
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            + " ".join(parts)
        )
    if w.shape[0] % groups or x.shape[1] != w.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {_fmt(w.shape)}, expected input{_fmt(x.shape)} "
            f"to have {w.shape[0]} channels, but got {x.shape[1]} channels instead"
        )
    cout = w.shape[1] * groups
    if b is not None and (b.ndim != 1 or b.shape[0] != cout):
        raise RuntimeError(
            f"Given transposed=1, weight of size {_fmt(w.shape)}, expected bias to be "
            f"1-dimensional with {cout} elements, but got bias of size {_fmt(b.shape)} instead"
        )
    out = _transpose_out(x, w, stride, padding, output_padding, dilation)
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated "
            f"output size per channel: ({' x '.join(map(str, out))}). Output size is too small"
        )
    return stride, tuple((p, p) for p in padding), dilation, out


def conv_transpose_forward(
    x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> np.ndarray:
    """N-d transposed convolution (torch's argument order: ..., output_padding, groups, dilation).

    Args: x (N, C_in, *S); w (C_in, C_out/groups, *k); b (C_out,) or None.
    It is the input gradient of conv_forward with the same weight, so both share one kernel.
    """
    stride, pads, dilation, out = _transpose_args(
        x, w, b, stride, padding, output_padding, dilation, groups
    )
    yl = _conv_input_grad(_channels_last(x), w, out, stride, pads, dilation, groups)
    yl = np.ascontiguousarray(yl)
    if b is not None:
        yl += b
    return _channels_first(yl)


def conv_transpose_backward(
    gy, x, w, stride=1, padding=0, output_padding=0, groups=1, dilation=1, needs=(True,) * 3
):
    """Gradients (gx, gw, gb) of conv_transpose_forward."""
    stride, pads, dilation, _ = _transpose_args(
        x, w, None, stride, padding, output_padding, dilation, groups
    )
    gyl = _channels_last(gy)
    gx = gw = gb = None
    if needs[0]:
        gxl = _conv_cl(gyl, w, stride, pads, dilation, groups)
        # output_padding rows of gy give extra conv outputs beyond x: they are not part of x
        gx = _channels_first(gxl[(slice(None),) + tuple(slice(0, s) for s in x.shape[2:])])
    if needs[1]:
        # w plays the convolution weight of shape (C_in, C_out/G, *k) mapping gy -> x
        gw = _conv_weight_grad(gyl, _channels_last(x), w.shape, stride, pads, dilation, groups)
    if len(needs) > 2 and needs[2]:
        gb = _bias_grad(gyl)
    return gx, gw, gb


def conv_transpose1d_forward(
    x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    return conv_transpose_forward(x, w, b, stride, padding, output_padding, groups, dilation)


def conv_transpose1d_backward(
    gy, x, w, stride=1, padding=0, output_padding=0, groups=1, dilation=1, needs=(True,) * 3
):
    return conv_transpose_backward(
        gy, x, w, stride, padding, output_padding, groups, dilation, needs
    )


conv_transpose2d_forward = conv_transpose1d_forward
conv_transpose2d_backward = conv_transpose1d_backward
conv_transpose3d_forward = conv_transpose1d_forward
conv_transpose3d_backward = conv_transpose1d_backward


# ----------------------------------------------------------------------------- unfold / fold
def _block_args(nd, kernel_size, dilation, padding, stride):
    return (
        _tuple(kernel_size, nd, "kernel_size"),
        _tuple(dilation, nd, "dilation"),
        _tuple(padding, nd, "padding"),
        _tuple(stride, nd, "stride"),
    )


def _blocks(spatial, k, d, p, s):
    return tuple((spatial[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(len(k)))


def unfold(x, kernel_size, dilation=1, padding=0, stride=1) -> np.ndarray:
    """im2col as F.unfold: (N, C, *S) -> (N, C*prod(k), L), rows ordered (c, *k)."""
    nd = x.ndim - 2
    k, d, p, s = _block_args(nd, kernel_size, dilation, padding, stride)
    out = _blocks(x.shape[2:], k, d, p, s)
    if any(o < 1 for o in out):
        raise RuntimeError(
            f"Given input with spatial size {tuple(x.shape[2:])}, kernel_size={k}, dilation={d}, "
            f"padding={p}, calculated shape of the array of sliding blocks as {out}, but its "
            "components must be at least one."
        )
    n, c = x.shape[:2]
    xp = np.zeros((n, c, *(x.shape[2 + i] + 2 * p[i] for i in range(nd))), x.dtype)
    xp[(slice(None),) * 2 + tuple(slice(p[i], p[i] + x.shape[2 + i]) for i in range(nd))] = x
    st = xp.strides
    win = np.lib.stride_tricks.as_strided(
        xp,
        (n, c, *k, *out),
        (
            st[0],
            st[1],
            *(st[2 + i] * d[i] for i in range(nd)),
            *(st[2 + i] * s[i] for i in range(nd)),
        ),
        writeable=False,
    )
    return win.reshape(n, c * math.prod(k), math.prod(out))


def fold(cols, output_size, kernel_size, dilation=1, padding=0, stride=1) -> np.ndarray:
    """col2im as F.fold (sums overlapping blocks): (N, C*prod(k), L) -> (N, C, *output_size)."""
    seqs = [v for v in (output_size, kernel_size) if not isinstance(v, (int, np.integer))]
    nd = len(seqs[0]) if seqs else 2
    size = _tuple(output_size, nd, "output_size")
    k, d, p, s = _block_args(nd, kernel_size, dilation, padding, stride)
    kk = math.prod(k)
    if cols.shape[1] % kk:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={cols.shape[1]} and kernel_size={k}."
        )
    out = _blocks(size, k, d, p, s)
    if math.prod(out) != cols.shape[2] or any(o < 1 for o in out):
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
            "expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {' * '.join(map(str, out))} = {math.prod(out)}, but got "
            f"input.size(2)={cols.shape[2]}."
        )
    n, c = cols.shape[0], cols.shape[1] // kk
    blocks = cols.reshape(n, c, *k, *out)
    dst = np.zeros((n, c, *(size[i] + 2 * p[i] for i in range(nd))), cols.dtype)
    _add_taps(dst, lambda t: blocks[(slice(None),) * 2 + t], k, out, s, d)
    return dst[(slice(None),) * 2 + tuple(slice(p[i], p[i] + size[i]) for i in range(nd))]


def unfold_backward(gy, input_shape, kernel_size, dilation=1, padding=0, stride=1):
    """Gradient of unfold: fold the column gradient back onto the input."""
    return fold(gy, tuple(input_shape[2:]), kernel_size, dilation, padding, stride)


def fold_backward(gy, kernel_size, dilation=1, padding=0, stride=1):
    """Gradient of fold: unfold the output gradient."""
    return unfold(gy, kernel_size, dilation, padding, stride)
