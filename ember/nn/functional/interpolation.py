"""``F.interpolate`` (and its deprecated ``upsample*`` aliases): resampling of the spatial dims.

The arguments are read and checked as torch reads them (its Python layer, then its argument
parser, then the kernel's size and dtype checks); nearest and linear modes record one primitive
of ``autograd/primitives/nn.py``, bicubic and the anti-aliased modes fixed separable maps, area
the adaptive average pools.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ..._tensor import Tensor, apply
from ...autograd.primitives import nn as P
from ...functions.reduce import _scalar_type_name
from .conv import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3, "lanczos": 2}
_TORCH_MODES = ("nearest", "nearest-exact", "area")  # with _MODE_DIMS: torch's modes
_ANTIALIAS_MODES = ("bilinear", "bicubic", "lanczos")


def _op_name(mode: str, nd: int, antialias: bool) -> str:
    """The aten op torch's interpolate calls for ``mode`` (named in its argument errors)."""
    if mode == "area":
        return f"adaptive_avg_pool{nd}d"
    if mode == "nearest-exact":
        return f"_upsample_nearest_exact{nd}d"
    return f"{'_' if antialias else ''}upsample_{mode}{nd}d{'_aa' if antialias else ''}"


def _bad_arguments(op: str, got: tuple) -> TypeError:
    """torch's argument parser refusing an interpolate call (a float size, a Tensor scale)."""
    names = ", ".join(type(g).__name__ if g is not None else "NoneType" for g in got)
    return TypeError(
        f"{op}() received an invalid combination of arguments - got (Tensor, {names}), but "
        "expected one of:\n * (Tensor input, tuple of ints output_size, tuple of floats "
        "scale_factors)"
    )


def _check_dtype(x: Tensor, mode: str, nd: int, antialias: bool) -> None:
    """torch resamples floating inputs; uint8 in its nearest modes and 2-D filters only."""
    kind = x._data.dtype.kind
    if kind in "fc":
        return
    uint8 = x._data.dtype.name == "uint8"
    if mode == "area":
        kernel = "adaptive_avg_pool2d" if nd < 3 else "adaptive_avg_pool3d_cpu"
    elif antialias:
        kernel = None if uint8 else "compute_index_ranges_weights"
    elif mode in ("nearest", "nearest-exact"):
        channels_last = "upsample_nearest2d_channels_last"
        kernel = None if uint8 else channels_last if nd == 2 else "compute_indices_weights_nearest"
    elif mode == "bilinear":
        kernel = None if uint8 else "upsample_bilinear2d_channels_last"
    elif mode == "bicubic":
        kernel = None if uint8 else "compute_indices_weights_cubic"
    else:
        kernel = "compute_indices_weights_linear"
    if kernel is not None:
        name = _scalar_type_name(x.dtype)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def _check_sizes(x: Tensor, out: tuple, nd: int) -> None:
    """torch's kernels refuse an empty input or output (area pooling excepted)."""
    names = "DHW"[3 - nd :]
    if all(x.shape[2:]) and all(o > 0 for o in out):
        if x.shape[1] == 0:
            raise RuntimeError(
                f"Non-empty {nd + 2}D data tensor expected but got a tensor with sizes "
                f"{list(x.shape)}"
            )
        return
    src = ", ".join(f"{a}: {n}" for a, n in zip(names, x.shape[2:]))
    dst = ", ".join(f"{a}: {n}" for a, n in zip(names, out))
    joint = " and" if nd == 1 else ""
    raise RuntimeError(
        f"Input and output sizes should be greater than 0, but got input ({src}){joint} "
        f"output ({dst})"
    )


def _check_mode(input: Tensor, mode: str, align_corners, antialias: bool) -> None:  # noqa: A002
    if mode in _TORCH_MODES and align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")


def _is_integer(v) -> bool:
    """An int, or a Tensor of an integer dtype (torch takes ``x.shape`` entries and ints alike)."""
    if isinstance(v, Tensor):
        return not v.dtype.is_floating_point and not v.dtype.is_complex
    return isinstance(v, numbers.Integral)


def _dims_error(input: Tensor, other: str, got: str, what: str, letter: str) -> ValueError:  # noqa: A002
    """A size or scale_factor whose length is not the input's number of spatial dims."""
    return ValueError(
        f"Input and {other} must have the same number of spatial dimensions, but got input with "
        f"spatial dimensions of {list(input.shape[2:])} and {got}. Please provide input tensor "
        f"in (N, C, d1, d2, ...,dK) format and {what} in ({letter}1, {letter}2, ...,"
        f"{letter}K) format."
    )


def _output_size(input: Tensor, size, scale_factor, nd: int, op: str):  # noqa: A002
    """(output size or None, scale factors or None) as torch's interpolate reads them."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise _dims_error(input, "output", f"output size of {size}", "output size", "o")
            if not all(_is_integer(s) for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    "Tuple[int, int, int], but got size with types "
                    f"{[type(s) for s in size]}"
                )
            return tuple(int(s) for s in size), None
        if not isinstance(size, numbers.Integral):
            raise _bad_arguments(op, ([size] * nd, None))
        return (int(size),) * nd, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != nd:
            got = f"scale_factor of shape {scale_factor}"
            raise _dims_error(input, "scale_factor", got, "scale_factor", "s")
        factors = list(scale_factor)
    else:
        factors = [scale_factor] * nd
    if not all(isinstance(f, numbers.Real) for f in factors):
        raise _bad_arguments(op, (None, factors))
    return None, tuple(float(f) for f in factors)


def interpolate(
    input: Tensor,  # noqa: A002
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resample the spatial dims to ``size`` or by ``scale_factor``.

    mode: nearest | nearest-exact | area | linear | bilinear | bicubic | trilinear | lanczos;
    ``antialias`` (bilinear/bicubic/lanczos on 4-D input) widens the filter when downscaling.
    """
    nd = input.ndim - 2
    _check_mode(input, mode, align_corners, antialias)
    op = _op_name(mode, nd, antialias)
    out, scales = _output_size(input, size, scale_factor, nd, op)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if scales is not None:
        out = tuple(int(math.floor(float(n) * s)) for n, s in zip(input.shape[2:], scales))
        if recompute_scale_factor or mode == "area":  # the sizes, not the factors, rule then
            scales = None
    if antialias and (mode not in _ANTIALIAS_MODES or input.ndim != 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input"
        )
    bicubic_off = mode == "bicubic" and input.ndim != 4  # torch has no message of its own here
    if input.ndim not in (3, 4, 5) or mode not in (*_TORCH_MODES, *_MODE_DIMS) or bicubic_off:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})"
        )
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != nd:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {_MODE_DIMS[mode] + 2}D input"
        )
    if mode == "area":  # area resampling is exactly adaptive average pooling
        _check_dtype(input, mode, nd, antialias)
        if nd == 1:
            return adaptive_avg_pool1d(input, out)
        if nd == 2:
            return adaptive_avg_pool2d(input, out)
        from .pooling import adaptive_avg_pool3d

        return adaptive_avg_pool3d(input, out)
    _check_sizes(input, out, nd)
    _check_dtype(input, mode, nd, antialias)
    if input._data.dtype.name == "uint8" and mode not in ("nearest", "nearest-exact"):
        # torch resamples uint8 images in fixed point; in float32 then rounded, Ember lands
        # within 1 of it (bilinear, antialiased bicubic)
        args = (size, scale_factor, mode, align_corners, recompute_scale_factor, antialias)
        return interpolate(input.float(), *args).round().clamp(0, 255).to(input.dtype)
    if mode in _MODE_DIMS and align_corners is None:
        align_corners = False
    if antialias:
        from ._antialias import antialias_resize

        return antialias_resize(input, out, mode, align_corners, scales)
    if mode == "bicubic":
        from .vision import bicubic_resize

        return bicubic_resize(input, out, align_corners, scales)
    return apply(
        P.interpolate(mode, nd),
        (input,),
        output_size=out,
        mode=mode,
        align_corners=align_corners,
        scales=scales,
    )


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):  # noqa: A002
    """Deprecated alias of ``interpolate`` (warns)."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):  # noqa: A002
    """Deprecated: ``interpolate`` with mode='nearest' (warns)."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):  # noqa: A002
    """Deprecated: ``interpolate`` with mode='bilinear', align_corners=True (warns)."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
