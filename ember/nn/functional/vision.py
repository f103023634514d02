"""Spatial layers of ``nn.functional``: pixel/channel shuffles, local response norm, and the
spatial-transformer pair ``affine_grid`` / ``grid_sample``.

The pixel shuffles are one node each, as torch records them (PixelShuffleBackward0); the rest are
compositions of differentiable Tensor operations, but for ``affine_grid`` and ``grid_sample``,
one node each as torch's (``autograd/primitives/grid_sampler.py``).
"""

from __future__ import annotations

import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor import apply
from ...autograd.primitives import grid_sampler as G
from ...autograd.primitives import nn_named as PN
from ...functions.creation import linspace
from ...functions.reduce import _scalar_type_name
from .conv import pad

__all__ = [
    "pixel_shuffle",
    "pixel_unshuffle",
    "channel_shuffle",
    "native_channel_shuffle",
    "local_response_norm",
    "affine_grid",
    "grid_sample",
]


def pixel_shuffle(input, upscale_factor: int):  # noqa: A002
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    return apply(PN.pixel_shuffle, (input,), None, r=r)


def pixel_unshuffle(input, downscale_factor: int):  # noqa: A002
    """(*, C, H r, W r) -> (*, C r^2, H, W), the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={h} is not divisible by {r}"
        )
    if w % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={w} is not divisible by {r}"
        )
    return apply(PN.pixel_unshuffle, (input,), None, r=r)


def channel_shuffle(input, groups: int):  # noqa: A002
    """(N, g*k, *) -> the channels regrouped as (k, g): channel i*k+j moves to j*g+i."""
    g = int(groups)
    if g <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{g}"
        )
    if input.ndim <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    c = input.shape[1]
    if c % g:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {g} groups."
        )
    return apply(PN.channel_shuffle, (input,), None, groups=g)


native_channel_shuffle = channel_shuffle


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):  # noqa: A002
    """x / (k + alpha/size * sum of x^2 over ``size`` neighbouring channels)^beta.

    The window covers channels c - size//2 .. c + (size-1)//2, zero beyond the edges.
    """
    if input.ndim < 3:
        raise ValueError(
            # torch's message carries the indentation of its source line
            f"Expected 3D or higher dimensionality{' ' * 26}input (got {input.ndim} dimensions)"
        )
    if input.numel() == 0:
        return input
    sq = input * input
    c = input.shape[1]
    before, after = size // 2, (size - 1) // 2
    widths = [0, 0] * (input.ndim - 2) + [before, after]
    padded = pad(sq, widths)
    total = padded.narrow(1, 0, c)
    for i in range(1, size):
        total = total + padded.narrow(1, i, c)
    div = (total / size * alpha + k).pow(beta)
    return input / div


# --- bicubic resampling (F.interpolate(mode="bicubic")) ---------------------------------------
def _cubic_matrix(n_in: int, n_out: int, align_corners: bool, scale, dtype) -> np.ndarray:
    """The (n_out, n_in) linear map of 1-D bicubic resampling; taps past an edge repeat it."""
    if align_corners:
        ratio = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = np.arange(n_out) * ratio
    else:
        ratio = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        src = (np.arange(n_out) + 0.5) * ratio - 0.5  # not clamped at 0 for cubic, as torch
    src = src.astype(dtype)
    base = np.floor(src)
    w = G.cubic_weights((src - base).astype(np.float64))
    m = np.zeros((n_out, n_in), np.float64)
    rows = np.arange(n_out)
    for k in range(4):
        idx = np.clip(base.astype(np.int64) - 1 + k, 0, n_in - 1)
        np.add.at(m, (rows, idx), w[k])
    return m.astype(dtype)


def bicubic_resize(input, out_size, align_corners: bool, scales=None):  # noqa: A002
    """(N, C, H, W) -> (N, C, *out_size) by separable cubic convolution (two matmuls, so the
    gradient is the transposed maps)."""
    h, w = input.shape[-2:]
    dt = input._data.dtype
    sh, sw = scales if scales is not None else (None, None)
    mh = _cubic_matrix(h, out_size[0], align_corners, sh, dt)
    mw = _cubic_matrix(w, out_size[1], align_corners, sw, dt)
    return apply(PN.upsample_bicubic2d, (input,), None, mh=mh, mw=mw)


# --- spatial transformer ------------------------------------------------------------------------
_ALIGN_WARNING = (
    "Default {} behavior has changed to align_corners=False since 1.3.0. Please specify "
    "align_corners=True if the old behavior is desired. See the documentation of {} for details."
)


def _base_coords(n: int, align_corners: bool, dtype) -> np.ndarray:
    """The n normalized pixel-centre coordinates in [-1, 1] (corner pixels' centres at +-1 when
    align_corners, else their outer edges at +-1), rounded as torch's: a linspace in ``dtype``,
    then ``* (n - 1) / n`` in that dtype."""
    if n <= 1:
        return np.zeros(max(n, 0), dtype)
    a = linspace(-1.0, 1.0, n, dtype=D._BY_NP[np.dtype(dtype)])._data
    if not align_corners:
        a = (a * dtype.type(n - 1)) / dtype.type(n)
    return a


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of a batch of affine maps: theta (N, 2, 3) for size (N, C, H, W) gives
    (N, H, W, 2); theta (N, 3, 4) for (N, C, D, H, W) gives (N, D, H, W, 3); xy(z) order."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING.format("affine_grid", "affine_grid"), stacklevel=2)
        align_corners = False
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    shown = size  # torch's messages print the size as it was given
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(
                "Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                f"{shown}. Got {theta.shape}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(
                "Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                f"{shown}. Got {theta.shape}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {shown}."
        )
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {shown}")
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            stacklevel=2,
        )
    if theta.shape[0] != size[0]:  # torch's batched matmul refuses it
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{size[0]}, {len(spatial) + 1}] but got: [{theta.shape[0]}, {len(spatial) + 1}]."
        )
    dt = theta._data.dtype
    axes = [_base_coords(s, align_corners, dt) for s in reversed(spatial)]  # x, y(, z)
    mesh = np.meshgrid(*axes[::-1], indexing="ij")  # (z,) y, x grids over (D,) H, W
    base = np.stack([*mesh[::-1], np.ones_like(mesh[0])], axis=-1)  # [..., (x, y, (z,) 1)]
    return apply(G.affine_grid, (theta,), None, base=base)


def _check_grid_sample(input, grid, mode: str) -> None:  # noqa: A002
    """torch's checks of grid_sample's input and grid, in its order."""
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, but "
            f"got grid with sizes {list(grid.shape)}"
        )
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        raise RuntimeError(
            f"grid_sampler(): expected {4 if input.ndim == 4 else 5}D input and grid with same "
            f"number of dimensions, but got input with sizes {list(input.shape)} and grid with "
            f"sizes {list(grid.shape)}"
        )
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    for d in range(2, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but input "
                f"has sizes {list(input.shape)} with dimension {d} being empty"
            )
    if mode == "bicubic" and input.ndim != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.dtype.is_floating_point:
        kernel = "grid_sampler_2d_cpu_kernel_impl" if input.ndim == 4 else "grid_sampler3d_cpu"
        name = _scalar_type_name(input.dtype)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")
    if input.dtype != grid.dtype:
        raise RuntimeError(
            f"expected scalar type {_scalar_type_name(input.dtype)} but found "
            f"{_scalar_type_name(grid.dtype)}"
        )


def grid_sample(
    input,  # noqa: A002
    grid,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners=None,
):
    """Sample ``input`` (N, C, H, W) at ``grid`` (N, Ho, Wo, 2) normalized (x, y) locations, or
    (N, C, D, H, W) at (N, Do, Ho, Wo, 3) (x, y, z) ones.

    Args: mode "bilinear" (trilinear on 5-D input), "nearest" or "bicubic" (4-D only);
    padding_mode "zeros", "border" or "reflection" for locations outside [-1, 1]; align_corners
    as in affine_grid. Shape: -> (N, C, *grid.shape[1:-1]).
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING.format("grid_sample", "grid_sample"), stacklevel=2)
        align_corners = False
    _check_grid_sample(input, grid, mode)
    prim = G.grid_sampler_2d if input.ndim == 4 else G.grid_sampler_3d
    return apply(
        prim,
        (input, grid),
        None,
        mode=mode,
        padding_mode=padding_mode,
        align_corners=align_corners,
    )
