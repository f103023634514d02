"""Detection kernels on NumPy (torchvision.ops semantics): greedy non-maximum suppression, the
RoIPool arg-max search, and RoIAlign's sampling points with their bilinear weights.

RoIAlign and RoIPool return *where to read* (flat indices and weights); the caller gathers from
the input tensor with differentiable indexing, so their gradients need no rule of their own.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nms", "roi_pool_values", "roi_align_samples"]


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


def roi_align_samples(
    rois: np.ndarray,
    size: tuple[int, int],
    pooled: tuple[int, int],
    spatial_scale: float,
    sampling_ratio: int,
    aligned: bool,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """RoIAlign's reads: flat (b, y, x) indices into an (N*H*W) plane and bilinear weights, both
    (K, PH, PW, G, 4), G the largest sampling grid; the weights already divide by each RoI's
    own sample count, so a sum over (G, 4) gives each bin's average."""
    h, w = size
    ph_n, pw_n = pooled
    dt = np.dtype(dtype).type
    rois = rois.astype(dtype, copy=False)
    k = rois.shape[0]
    off = dt(0.5) if aligned else dt(0)
    scale = dt(spatial_scale)
    sx, sy = rois[:, 1] * scale - off, rois[:, 2] * scale - off
    roi_w, roi_h = rois[:, 3] * scale - off - sx, rois[:, 4] * scale - off - sy
    if not aligned:  # legacy: RoIs are at least one pixel wide
        roi_w, roi_h = np.maximum(roi_w, dt(1)), np.maximum(roi_h, dt(1))
    bin_h, bin_w = roi_h / dt(ph_n), roi_w / dt(pw_n)
    if sampling_ratio > 0:
        gh = np.full(k, sampling_ratio, dtype=np.int64)
        gw = gh.copy()
    else:
        gh = np.ceil(roi_h / dt(ph_n)).astype(np.int64)
        gw = np.ceil(roi_w / dt(pw_n)).astype(np.int64)
    mh, mw = max(int(gh.max(initial=1)), 1), max(int(gw.max(initial=1)), 1)
    iy, ix = np.arange(mh, dtype=dtype), np.arange(mw, dtype=dtype)
    # sample coordinates: (K, PH, 1, GH, 1) for y and (K, 1, PW, 1, GW) for x
    ph = np.arange(ph_n, dtype=dtype)[None, :, None, None, None]
    pw = np.arange(pw_n, dtype=dtype)[None, None, :, None, None]
    r = (slice(None), None, None, None, None)
    ghf, gwf = np.maximum(gh, 1).astype(dtype), np.maximum(gw, 1).astype(dtype)
    y = sy[r] + ph * bin_h[r] + (iy[None, None, None, :, None] + dt(0.5)) * bin_h[r] / ghf[r]
    x = sx[r] + pw * bin_w[r] + (ix[None, None, None, None, :] + dt(0.5)) * bin_w[r] / gwf[r]
    y, x = np.broadcast_arrays(y, x)
    valid = (iy[None, None, None, :, None] < gh[r]) & (ix[None, None, None, None, :] < gw[r])
    valid = valid & (y >= -1) & (y <= h) & (x >= -1) & (x <= w)
    y, x = np.maximum(y, dt(0)), np.maximum(x, dt(0))
    y_lo, x_lo = y.astype(np.int64), x.astype(np.int64)
    top, right = y_lo >= h - 1, x_lo >= w - 1
    y_lo, x_lo = np.where(top, h - 1, y_lo), np.where(right, w - 1, x_lo)
    y = np.where(top, y_lo.astype(dtype), y)
    x = np.where(right, x_lo.astype(dtype), x)
    y_hi, x_hi = np.where(top, y_lo, y_lo + 1), np.where(right, x_lo, x_lo + 1)
    ly, lx = y - y_lo.astype(dtype), x - x_lo.astype(dtype)
    hy, hx = dt(1) - ly, dt(1) - lx
    count = np.maximum(gh * gw, 1).astype(dtype)[r]
    weights = np.stack([hy * hx, hy * lx, ly * hx, ly * lx], axis=-1)
    weights = np.where(valid[..., None], weights / count[..., None], dt(0))
    base = (rois[:, 0].astype(np.int64) * (h * w))[r]
    idx = np.stack(
        [
            base + y_lo * w + x_lo,
            base + y_lo * w + x_hi,
            base + y_hi * w + x_lo,
            base + y_hi * w + x_hi,
        ],
        axis=-1,
    )
    idx = np.where(valid[..., None], idx, 0)
    g = mh * mw
    return idx.reshape(k, ph_n, pw_n, g, 4), weights.reshape(k, ph_n, pw_n, g, 4).astype(dtype)
