"""Detection kernels on NumPy (torchvision.ops semantics): greedy non-maximum suppression, the
RoIPool arg-max search, and RoIAlign's bilinear weights.

RoIAlign and RoIPool return *how to read* the input (weight matrices, arg-max indices); the
caller applies them to the input tensor with differentiable ops (matmul, indexing), so their
gradients need no rule of their own.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nms", "roi_pool_values", "roi_align_weights"]


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float, labels=None) -> np.ndarray:
    """Indices of the boxes kept by greedy NMS, by decreasing score; boxes of different
    ``labels`` never suppress each other. IoU in the boxes' dtype, as torchvision's kernel."""
    n = boxes.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = (boxes[order, i] for i in range(4))
    areas = (x2 - x1) * (y2 - y1)
    lab = None if labels is None else labels[order]
    suppressed = np.zeros(n, dtype=bool)
    keep = []
    for i in range(n):
        if suppressed[i]:
            continue
        keep.append(order[i])
        rest = slice(i + 1, n)
        w = np.maximum(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0)
        h = np.maximum(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0)
        inter = w * h
        with np.errstate(divide="ignore", invalid="ignore"):
            over = inter / (areas[i] + areas[rest] - inter) > iou_threshold
        if lab is not None:
            over &= lab[rest] == lab[i]
        suppressed[rest] |= over
    return np.asarray(keep, dtype=np.int64)


def roi_pool_values(
    x: np.ndarray, rois: np.ndarray, pooled: tuple[int, int], spatial_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices into ``x`` (N, C, H, W) of each RoIPool bin's first maximum (row-major), as
    (K, C, PH, PW), and a (K, 1, PH, PW) mask, False for empty bins (whose output is 0)."""
    n, c, h, w = x.shape
    ph_n, pw_n = pooled
    k = rois.shape[0]
    idx = np.zeros((k, c, ph_n, pw_n), dtype=np.int64)
    filled = np.zeros((k, 1, ph_n, pw_n), dtype=bool)
    dt = x.dtype.type if x.dtype.kind == "f" else np.float32
    chan = np.arange(c) * (h * w)
    for r in range(k):
        b = int(rois[r, 0])
        # std::round rounds halves away from zero; np.round would round them to even
        sx, sy, ex, ey = (
            int(np.sign(v) * np.floor(abs(v) + 0.5))
            for v in (dt(rois[r, j]) * dt(spatial_scale) for j in range(1, 5))
        )
        roi_h, roi_w = max(ey - sy + 1, 1), max(ex - sx + 1, 1)
        bin_h, bin_w = dt(roi_h) / dt(ph_n), dt(roi_w) / dt(pw_n)
        for i in range(ph_n):
            hs = min(max(int(np.floor(dt(i) * bin_h)) + sy, 0), h)
            he = min(max(int(np.ceil(dt(i + 1) * bin_h)) + sy, 0), h)
            for j in range(pw_n):
                ws = min(max(int(np.floor(dt(j) * bin_w)) + sx, 0), w)
                we = min(max(int(np.ceil(dt(j + 1) * bin_w)) + sx, 0), w)
                if he <= hs or we <= ws:
                    continue
                win = x[b, :, hs:he, ws:we].reshape(c, -1)
                arg = np.argmax(win, axis=1)
                yy, xx = np.divmod(arg, we - ws)
                idx[r, :, i, j] = b * c * h * w + chan + (yy + hs) * w + (xx + ws)
                filled[r, 0, i, j] = True
    return idx, filled


def _axis_weights(start, length, bins: int, grid, size: int, dtype) -> np.ndarray:
    """(K, bins, size) weights of one axis: each bin's bilinear weights of its ``grid`` sample
    points over the pixels, averaged over the samples; samples more than a pixel outside the
    image weigh nothing."""
    dt = np.dtype(dtype).type
    k = start.shape[0]
    bin_sz = length / dt(bins)
    g = max(int(grid.max(initial=1)), 1)
    gridf = np.maximum(grid, 1).astype(dtype)[:, None, None]
    i = np.arange(g, dtype=dtype)[None, None, :]
    p = np.arange(bins, dtype=dtype)[None, :, None]
    pos = (
        start[:, None, None]
        + p * bin_sz[:, None, None]
        + (i + dt(0.5)) * bin_sz[:, None, None] / gridf
    )
    valid = (i < grid[:, None, None]) & (pos >= -1) & (pos <= size)
    pos = np.maximum(pos, dt(0))
    lo = pos.astype(np.int64)
    edge = lo >= size - 1
    lo = np.where(edge, size - 1, lo)
    hi = np.where(edge, lo, lo + 1)
    frac = np.where(edge, dt(0), pos - lo.astype(dtype))
    w = np.zeros((k, bins, size), dtype=dtype)
    kk, pp, _ = np.indices(pos.shape)
    np.add.at(w, (kk, pp, lo), np.where(valid, (dt(1) - frac) / gridf, dt(0)))
    np.add.at(w, (kk, pp, hi), np.where(valid, frac / gridf, dt(0)))
    return w


def roi_align_weights(
    rois: np.ndarray,
    size: tuple[int, int],
    pooled: tuple[int, int],
    spatial_scale: float,
    sampling_ratio: int,
    aligned: bool,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """RoIAlign as two matrices per RoI: (K, PH, H) row weights and (K, PW, W) column weights,
    so that bin (i, j) of RoI k is ``wy[k, i] @ image @ wx[k, j]``. Bilinear sampling, the
    out-of-image rule and the per-RoI sample count all factor into y and x parts."""
    h, w = size
    ph, pw = pooled
    dt = np.dtype(dtype).type
    rois = rois.astype(dtype, copy=False)
    off = dt(0.5) if aligned else dt(0)
    scale = dt(spatial_scale)
    sx, sy = rois[:, 1] * scale - off, rois[:, 2] * scale - off
    roi_w, roi_h = rois[:, 3] * scale - off - sx, rois[:, 4] * scale - off - sy
    if not aligned:  # legacy: RoIs are at least one pixel wide
        roi_w, roi_h = np.maximum(roi_w, dt(1)), np.maximum(roi_h, dt(1))
    if sampling_ratio > 0:
        gh = gw = np.full(rois.shape[0], sampling_ratio, dtype=np.int64)
    else:  # adaptive: about one sample per pixel
        gh = np.ceil(roi_h / dt(ph)).astype(np.int64)
        gw = np.ceil(roi_w / dt(pw)).astype(np.int64)
    return _axis_weights(sy, roi_h, ph, gh, h, dtype), _axis_weights(sx, roi_w, pw, gw, w, dtype)
