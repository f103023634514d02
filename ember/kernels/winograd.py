"""Winograd minimal filtering for 2-D stride-1 convolutions (Lavin and Gray, 2016).

F(m x m, r x r) computes an m x m tile of outputs from an a x a tile of input (a = m + r - 1) as

    Y = A^T [ (G g G^T) * (B^T d B) ] A

where ``*`` is elementwise per tile and, summed over input channels, a matrix product per tile
position: for each of the a*a positions, (tiles x C) @ (C x C_out). The products do
a*a / (m*m*r*r) of direct convolution's multiplications: 36/100 for F(2x2, 5x5), 36/144 for
F(4x4, 3x3). im2col's single large product on a seed CNN layer (N=32 output channels) runs BLAS
at a poor rate; it is the bulk of the layer, so fewer flops beat a better copy.

Layout: a few images at a time (in cache), split over the kernel threads. No copy gathers the
overlapping tiles: a chunk is held column-major, (Wp, Hp, k, C), so that each transform stage is
B^T times strided views of the previous stage's buffer (see ``_Geometry``), and per tile position
the channel product's (tiles, C) operand is contiguous. The output transform is two products by
A^T; the last copy scatters the tiles into the channels-last (N, Ho, Wo, C_out) output, adding
the bias.

Transform matrices come from Toom-Cook interpolation at the points 0, 1, -1, 1/2, -2 and
infinity (exact rationals; B^T scaled to small integers), as Barabasz et al. (2020, "Error
analysis and improving the accuracy of Winograd convolution") advise for 6 x 6 tiles. On the
seed's 5x5 layers (float32, against a float64 reference) the largest error relative to the
output's scale was 1.7e-6 with these points, 3.7e-6 with 0, +-1, +-2 and 2.8e-6 with 0, +-1,
+-1/2; im2col's was 6e-7. F(4x4, 5x5) would halve the products again but measured 4.9e-6 at best
(0, +-1, +-1/2, +-2): 8x im2col's error, too far from torch's numerics to take.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import _threads
from . import _work as W

__all__ = ["applies", "conv2d_cl", "transforms"]

# (r -> m): output tile per kernel size; both give 6 x 6 input tiles
_TILE = {3: 4, 5: 2}
_POINTS = (0, 1, -1, Fraction(1, 2), -2)
_MIN_CHANNELS = 16  # below, im2col's K = r*r*C is already small and the transforms dominate
_CHUNK_BYTES = 3 << 17  # a chunk's transformed tiles: one 16x16 image of 32 channels, in L2
_MIN_TILES_PER_THREAD = 64
_MIN_OUT = 4  # smaller outputs waste most of their tiles' padding
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# Off by default: with it on, training leaves torch's trajectory. On
# examples/seed_cnn_scheduler.py (digits, 48 SGD steps) im2col's per-step losses stay within 3e-7
# of torch's and print torch's digits; Winograd's drift from step 8 to 3e-4 (epoch 2 prints 1.615
# against torch's 1.616). Exact (float64) Winograd drifts as far, and so does im2col with its
# outputs perturbed by 1e-7, so this is the training's sensitivity, not Winograd's accuracy; why
# im2col, whose float32 outputs differ from torch's in most bits, keeps to torch's path is not
# understood. On: the fast path for whoever trades torch's last printed digits for speed.
ENABLED = False


def _inverse(m: list[list[Fraction]]) -> list[list[Fraction]]:
    n = len(m)
    a = [row[:] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(m)]
    for c in range(n):
        p = next(r for r in range(c, n) if a[r][c] != 0)
        a[c], a[p] = a[p], a[c]
        a[c] = [v / a[c][c] for v in a[c]]
        for r in range(n):
            if r != c and a[r][c] != 0:
                f = a[r][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return [row[n:] for row in a]


@functools.cache
def transforms(m: int, r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A^T (m, a), G (a, r), B^T (a, a)) in float64 for F(m, r), a = m + r - 1.

    Correlation is the transpose of polynomial multiplication: with E_k the evaluation of a
    polynomial of k coefficients at the points (and infinity: its leading coefficient) and V the
    a x a evaluation that interpolation inverts, y = E_m^T [(E_r g) * (V^-T d)]."""
    a = m + r - 1
    pts = [Fraction(p) for p in _POINTS[: a - 1]]
    if len(pts) != a - 1:
        raise ValueError(f"no points for F({m}, {r})")

    def evaluation(k):
        return [[p**j for j in range(k)] for p in pts] + [
            [Fraction(int(j == k - 1)) for j in range(k)]
        ]

    vinv = _inverse(evaluation(a))
    g = evaluation(r)
    bt = [[vinv[j][i] for j in range(a)] for i in range(a)]
    for i in range(a):  # B^T row i to integers, G row i scaled back
        s = math.lcm(*(v.denominator for v in bt[i]))
        bt[i] = [v * s for v in bt[i]]
        g[i] = [v / s for v in g[i]]
    at = [[row[i] for row in evaluation(m)] for i in range(m)]

    def arr(rows):
        return np.array([[float(v) for v in row] for row in rows])

    return arr(at), arr(g), arr(bt)


def applies(c: int, co: int, ksize, out, stride, dilation, groups: int, dtype=np.float32) -> bool:
    """Whether conv2d_cl handles this convolution, and is worth it over im2col. Half precision
    stays on im2col: the transforms' rounding would be 2^13 times coarser."""
    return (
        ENABLED
        and np.dtype(dtype) in _DTYPES
        and len(ksize) == 2
        and ksize[0] == ksize[1]
        and ksize[0] in _TILE
        and all(s == 1 for s in stride)
        and all(d == 1 for d in dilation)
        and groups == 1
        and min(c, co) >= _MIN_CHANNELS
        and min(out) >= _MIN_OUT
    )


@functools.cache
def _filter_kron(m: int, r: int, dtype) -> np.ndarray:
    g = transforms(m, r)[1]
    return np.kron(g, g).astype(dtype)


def weight_transform(w: np.ndarray, m: int, dtype) -> np.ndarray:
    """(C_out, C, r, r) -> (a*a, C, C_out): G w G^T per channel pair, as one product by G (x) G.

    In the working dtype: OpenBLAS's float64 product on this skinny shape ran 6x slower than
    float32's, and rounding G (x) G to float32 moved the seed layers' outputs by under 1e-7 of
    their scale, far below the transforms' own rounding."""
    co, c, r, _ = w.shape
    wt = np.empty((r * r, c, co), dtype)
    wt[...] = w.reshape(co, c, r * r).transpose(2, 1, 0)
    return (_filter_kron(m, r, np.dtype(dtype)) @ wt.reshape(r * r, -1)).reshape(-1, c, co)


def conv2d_cl(xl: np.ndarray, w: np.ndarray, pads, b=None) -> np.ndarray:
    """Stride-1 2-D convolution, channels-last: (N, H, W, C) -> contiguous (N, Ho, Wo, C_out).

    ``pads`` is ((top, bottom), (left, right)); ``b`` an optional bias. See ``applies``."""
    n, h, wd, c = xl.shape
    co, r = w.shape[0], w.shape[-1]
    m = _TILE[r]
    dtype = np.result_type(xl.dtype, w.dtype)
    ho = h + pads[0][0] + pads[0][1] - r + 1
    wo = wd + pads[1][0] + pads[1][1] - r + 1
    g = _Geometry(m, r, h, wd, c, co, ho, wo, pads, dtype)
    u = weight_transform(w, m, dtype)
    at_, _, bt_ = transforms(m, r)
    at, bt = at_.astype(dtype), bt_.astype(dtype)
    bias = None if b is None else b.astype(dtype, copy=False)
    y = W.empty((n, ho, wo, co), dtype)
    per = max(1, _CHUNK_BYTES // (g.a * g.a * g.t * max(c, co) * g.isz))
    parts = _threads.part_count(n, _min_images(g.t)) if W.FAST.threads else 1
    per = min(per, -(-n // parts))
    # each part's buffers for whole chunks, taken here so the pool sees one request per part
    bufs = [g.buffers(per, pooled=True) for _ in range(parts)]

    xt = xl.transpose(2, 1, 0, 3)  # (W, H, N, C), as the chunks hold it
    ys = g.tiled(y)

    def work(i0, i1):
        full = bufs.pop()
        for i in range(i0, i1, per):
            j = min(i + per, i1)
            k = j - i
            xin, s1_in, s1_out, s2_in, s2_out, v, mm, out = full if k == per else g.buffers(k)
            mm3, o1, o, o6 = out
            np.copyto(xin, xt[:, :, i:j])
            np.matmul(bt, s1_in, out=s1_out)  # tile columns, batched over (tx, padded row)
            np.matmul(bt, s2_in, out=s2_out)  # tile rows, batched over (ty, column of tile)
            np.matmul(v, u, out=mm3)  # channels, per tile position: (P, C) @ (C, C_out)
            np.matmul(at, mm, out=o1.reshape(m, -1))  # outputs' rows
            np.matmul(at, o1, out=o)  # and columns
            if ys is not None:
                dst = ys[:, :, :, :, i:j]
                np.copyto(dst, o6) if bias is None else np.add(o6, bias, out=dst)
            else:
                g.scatter(o6, y[i:j], bias)

    if parts > 1:
        _threads.parallel(work, n, _min_images(g.t))
    else:
        work(0, n)
    return y


class _Geometry:
    """Tile counts, padded sizes, and the strided views of one chunk's work buffers.

    A chunk of k images is held as (Wp, Hp, k, C): padded column, padded row, image, channel.
    Tile column tx reads padded columns m*tx .. m*tx+a-1, rows of (Hp*k*C) values a fixed
    stride apart, so the first stage is B^T times a strided (a, Hp*k*C) view, batched over tx
    (and over the padded rows, to keep its output's columns uniform). Its output, (Hp, a, tw,
    k*C), puts the rows outermost, so the second stage is again B^T times strided views, batched
    over the tile rows ty, and writes (a, a, th, tw*k*C): per tile position the (P, C) matrix of
    the channel products, P = th*tw*k tiles ordered (ty, tx, image). No copy gathers tiles."""

    def __init__(self, m, r, h, wd, c, co, ho, wo, pads, dtype):
        self.m, self.a, self.c, self.co, self.dtype = m, m + r - 1, c, co, np.dtype(dtype)
        self.isz = self.dtype.itemsize
        self.th, self.tw = -(-ho // m), -(-wo // m)
        self.t = self.th * self.tw
        # padded so that whole tiles cover the output; the extra zeros feed cropped outputs only
        self.hp, self.wp = self.th * m + r - 1, self.tw * m + r - 1
        (top, _), (left, _) = pads
        self.win = (slice(left, left + wd), slice(top, top + h))
        self.even = ho % m == 0 and wo % m == 0

    def buffers(self, k, pooled=False):
        """Views of one chunk's buffers (k images): the padded input's inside, each product's
        operands, the tile outputs (m, m, th, tw, k, C_out)."""
        a, m, c, th, tw, hp, wp = self.a, self.m, self.c, self.th, self.tw, self.hp, self.wp
        p, co, new = th * tw * k, self.co, W.empty if pooled else np.empty
        inner = self.win + (slice(None), slice(None))
        if pooled:
            xw = W.zeros_border((wp, hp, k, c), self.dtype, inner)
        else:
            xw = np.zeros((wp, hp, k, c), self.dtype)
        s1o = new((hp, a, tw, k * c), self.dtype)
        v = new((a, a, th, tw * k * c), self.dtype)
        mm = new((a, a * p * co), self.dtype)
        o1 = new((m, a, p * co), self.dtype)
        o = new((m, m, p * co), self.dtype)
        sw, sh = xw.strides[:2]
        s1_in = as_strided(xw, (tw, hp, a, k * c), (m * sw, sh, sw, self.isz), writeable=False)
        sh1, sj1 = s1o.strides[:2]
        s2_in = as_strided(s1o, (th, a, a, tw * k * c), (m * sh1, sj1, sh1, self.isz))
        return (
            xw[inner],
            s1_in,
            s1o.transpose(2, 0, 1, 3),
            s2_in,
            v.transpose(2, 1, 0, 3),
            v.reshape(a * a, p, c),
            mm,
            (mm.reshape(a * a, p, co), o1, o, o.reshape(m, m, th, tw, k, co)),
        )

    def tiled(self, y):
        """y (N, Ho, Wo, C_out) as (m, m, th, tw, N, C_out) when whole tiles cover it, else None."""
        if not self.even:
            return None
        m = self.m
        sn, sh, sw, sc = y.strides
        return as_strided(
            y, (m, m, self.th, self.tw, y.shape[0], y.shape[-1]), (sh, sw, m * sh, m * sw, sn, sc)
        )

    def scatter(self, o, y, bias):
        """Tiles (m, m, th, tw, k, C_out) into y (k, Ho, Wo, C_out) cut at the edge, plus bias."""
        m = self.m
        for p in range(m):
            for q in range(m):
                dst = y[:, p::m, q::m]
                _put(dst, o[p, q, : dst.shape[1], : dst.shape[2]].transpose(2, 0, 1, 3), bias)


def _put(dst, src, bias):
    if bias is None:
        np.copyto(dst, src)
    else:
        np.add(src, bias, out=dst)


def _min_images(tiles_per_image: int) -> int:
    return max(1, -(-_MIN_TILES_PER_THREAD // max(tiles_per_image, 1)))
