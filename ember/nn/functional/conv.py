"""Convolution, pooling, padding, resampling and unfold/fold as ``nn.functional`` functions.

Each checks and normalises its arguments as torch does, then records one primitive of
``autograd/primitives/nn.py``. Unbatched inputs gain a batch dimension around the primitive.
"""

from __future__ import annotations

import numbers
import warnings

from ..._tensor import Tensor, apply
from ...amp._state import AUTOCAST, full_precision, lower_precision
from ...autograd.primitives import nn as P
from ...autograd.primitives import nn_named as PN
from ...functions.inplace import _C_TYPE_NAMES
from ...functions.reduce import _scalar_type_name
from ...kernels.pool import pool_output_size
from . import _pool_args as PA
from ._pool_args import (
    _check_adaptive,
    _check_avg_pool_rank,
    _check_pool_nonempty,
    _check_rank_1d,
)

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "pad",
]


def _ntuple(v, n: int, name: str = "") -> tuple:
    if isinstance(v, (list, tuple)):
        v = tuple(int(i) for i in v)
        return v * n if len(v) == 1 else v
    return (int(v),) * n


def _check_input(x, name: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}"
        )


def _batched(x: Tensor, nd: int, name: str):
    """(input with a batch dim, whether one was added) for an nd-spatial op."""
    _check_input(x, name)
    if x.ndim == nd + 1:
        return x.unsqueeze(0), True
    return x, False


# --- convolution --------------------------------------------------------------------------------
def _check_same_dtype(x: Tensor, weight: Tensor, bias=None) -> None:
    if bias is not None and bias.dtype != x.dtype:  # torch checks the bias first
        xn, bn = (_C_TYPE_NAMES.get(t.dtype.name, t.dtype.name) for t in (x, bias))
        raise RuntimeError(f"Input type ({xn}) and bias type ({bn}) should be the same")
    if x.dtype != weight.dtype:
        raise RuntimeError(
            f"expected scalar type {_scalar_type_name(x.dtype)} but found "
            f"{_scalar_type_name(weight.dtype)}"
        )


def _check_arg_lengths(weight: Tensor, args: dict, nd: int) -> None:
    """Each of stride, padding, ... (an int counting as ``nd`` of them, as torch's parser reads
    it) one per spatial dim of the weight."""
    k = weight.ndim - 2
    for arg, v in args.items():
        if isinstance(v, str):
            continue
        v = _ntuple(v, nd)
        if len(v) not in (1, k):
            raise RuntimeError(
                f"expected {arg} to be a single integer value or a list of {k} values to match "
                f"the convolution dimensions, but got {arg}={list(v)}"
            )


def _check_conv_args(x, weight, stride, padding, dilation, groups, nd: int, name: str) -> None:
    """torch's refusals of convolution arguments that its kernels would not catch."""
    args = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    for arg, v in args.items():
        elems = v if isinstance(v, (list, tuple)) and arg != "groups" else [v]
        if arg == "padding" and isinstance(v, str):
            continue
        if not all(isinstance(e, numbers.Integral) for e in elems):
            raise TypeError(
                f"{name}() received an invalid combination of arguments - got (Tensor, Tensor, "
                f"{arg}={type(v).__name__}), but expected one of:"
            )
    del args["groups"]
    _check_arg_lengths(weight, args, nd)
    d = _ntuple(dilation, nd)
    if any(v <= 0 for v in d):
        got = f", but got {list(d)}" if min(d) == 0 else ""
        raise RuntimeError(f"dilation should be greater than zero{got}")
    if weight.shape[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but "
            f"got weight of size {list(weight.shape)} instead"
        )
    k = tuple(weight.shape[2:])
    k = (1, *k) if len(k) == 1 else k  # 1-D runs as 2-D, of height 1
    if not all(k):
        if nd == 3:
            got = f": {k[0]} x {k[1]} x {k[2]} (TxHxW)"
        else:
            got = f" kernel_height: {k[-2]} kernel_width: {k[-1]}"
        raise RuntimeError(f"kernel size should be greater than zero, but got{got}")
    if x.dtype.name == "bool":
        kernel = "compute_columns3d" if nd == 3 else "slow_conv2d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _conv(x, weight, bias, stride, padding, dilation, groups, nd, name):
    if AUTOCAST.on:  # on torch's CPU autocast list, as are the transposed ones
        x, weight, bias = lower_precision(x, weight, bias)
    x, unb = _batched(x, nd, name)
    if x.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: [{', '.join(map(str, x.shape))}]"
        )
    _check_same_dtype(x, weight, bias)
    _check_conv_args(x, weight, stride, padding, dilation, groups, nd, name)
    stride, dilation = _ntuple(stride, nd), _ntuple(dilation, nd)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [dilation[i] * (weight.shape[2 + i] - 1) for i in range(nd)]
            padding = tuple(t // 2 for t in total)
            extra = [t - 2 * (t // 2) for t in total]
            if any(extra):  # asymmetric: the odd row goes on the high side, as torch pads it
                warnings.warn(
                    "Using padding='same' with even kernel lengths and odd dilation may require a "
                    "zero-padded copy of the input be created",
                    stacklevel=3,
                )
                pads = []
                for e in reversed(extra):
                    pads += [0, e]
                x = pad(x, pads)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _ntuple(padding, nd)
    out = apply(
        P.convolution,
        (x, weight, bias),
        stride=stride,
        padding=padding,
        dilation=dilation,
        transposed=False,
        output_padding=(0,) * nd,
        groups=groups,
    )
    return out.squeeze(0) if unb else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """1-D convolution over (N, C_in, L) with weight (C_out, C_in/groups, k)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """2-D convolution over (N, C_in, H, W) with weight (C_out, C_in/groups, kH, kW).

    padding: int, tuple, 'valid' or 'same' (stride 1 only).
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """3-D convolution over (N, C_in, D, H, W) with weight (C_out, C_in/groups, kD, kH, kW)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _check_int_tuple(v, name: str, arg: str, pos: int) -> None:
    """torch's argument parser: an int or a sequence of ints (a string is neither)."""
    seq = isinstance(v, (list, tuple))
    bad = [e for e in v if not isinstance(e, numbers.Integral)] if seq else [v]
    if not bad or isinstance(v, numbers.Integral):
        return
    if seq and isinstance(bad[0], str):  # torch names the element only for a string
        raise TypeError(
            f"{name}(): argument '{arg}' (position {pos}) must be tuple of ints, but found "
            f"element of type str at pos {v.index(bad[0])}"
        )
    raise TypeError(f"{name}(): argument '{arg}' must be tuple of ints, not {type(v).__name__}")


def _conv_t(x, weight, bias, stride, padding, output_padding, groups, dilation, nd, name):
    if AUTOCAST.on:
        x, weight, bias = lower_precision(x, weight, bias)
    x, unb = _batched(x, nd, name)
    if x.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: [{', '.join(map(str, x.shape))}]"
        )
    _check_same_dtype(x, weight)
    args = {"stride": stride, "padding": padding, "output_padding": output_padding}
    for pos, (arg, v) in enumerate((*args.items(), ("dilation", dilation)), 4):
        _check_int_tuple(v, name, arg, pos + (arg == "dilation"))
    _check_arg_lengths(weight, {**args, "dilation": dilation}, nd)
    if x.dtype.name == "bool":
        kernel = f"slow_conv_transpose{max(nd, 2)}d_out_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    out = apply(
        P.convolution,
        (x, weight, bias),
        stride=_ntuple(stride, nd),
        padding=_ntuple(padding, nd),
        dilation=_ntuple(dilation, nd),
        transposed=True,
        output_padding=_ntuple(output_padding, nd),
        groups=groups,
    )
    return out.squeeze(0) if unb else out


def conv_transpose1d(
    input,  # noqa: A002
    weight,
    bias=None,
    stride=1,
    padding=0,
    output_padding=0,
    groups=1,
    dilation=1,
):
    """Transposed 1-D convolution over (N, C_in, L); weight (C_in, C_out/groups, k)."""
    return _conv_t(
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        1,
        "conv_transpose1d",
    )


def conv_transpose2d(
    input,  # noqa: A002
    weight,
    bias=None,
    stride=1,
    padding=0,
    output_padding=0,
    groups=1,
    dilation=1,
):
    """Transposed 2-D convolution; weight (C_in, C_out/groups, kH, kW)."""
    return _conv_t(
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        2,
        "conv_transpose2d",
    )


def conv_transpose3d(
    input,  # noqa: A002
    weight,
    bias=None,
    stride=1,
    padding=0,
    output_padding=0,
    groups=1,
    dilation=1,
):
    """Transposed 3-D convolution over (N, C_in, D, H, W); weight (C_in, C_out/groups, *k)."""
    return _conv_t(
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        3,
        "conv_transpose3d",
    )


# --- pooling ------------------------------------------------------------------------------------
def _stride(stride, kernel_size):
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        return kernel_size
    return stride


def _check_pool_stride(stride, kernel_size, nd: int) -> None:
    """torch's message for a negative stride (a zero one is the kernel's own error)."""
    if stride is None or (isinstance(stride, (list, tuple)) and not stride):
        return
    s = _ntuple(stride, nd)
    if any(v < 0 for v in s) and not any(v == 0 for v in s):
        raise RuntimeError(
            "stride should be greater than zero, but got "
            + " ".join(f"d{a}: {v}" for a, v in zip("THW"[-nd:], s))
        )


def _check_pool_padding(padding, kernel_size, dilation, nd: int) -> None:
    """torch's padding checks that the pooling kernel does not make: non-negative, and (with a
    dilation) at most half the kernel itself, not only half the dilated window."""
    p, k, d = _ntuple(padding, nd), _ntuple(kernel_size, nd), _ntuple(dilation, nd)
    if any(v < 0 for v in p):
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    fits = all(pp <= ((kk - 1) * dd + 1) // 2 for pp, kk, dd in zip(p, k, d))
    if fits and any(pp > kk // 2 for pp, kk in zip(p, k)):
        if nd == 2:
            got = f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}"
        else:
            got = f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}"
        raise RuntimeError(
            f"pad should be smaller than or equal to half of kernel size, but got {got}"
        )


def _check_max_args(name, nd, kernel_size, stride, padding, dilation, ceil_mode) -> None:
    args = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    PA.check_int_args(name, args)
    PA.check_flags(name, ceil_mode, True)
    if nd == 1 and name == "max_pool1d":
        PA.check_max_pool1d_lengths(args)
    else:
        PA.check_lengths(name.replace("_with_indices", ""), nd, args)


def _max_pool(x, nd, kernel_size, stride, padding, dilation, ceil_mode, indices=True):
    """(values, indices); with ``indices=False`` the caller drops the indices output, which
    then holds no real indices (tiled pools skip making them)."""
    _check_pool_stride(stride, kernel_size, nd)
    if AUTOCAST.on and nd == 3:  # torch's CPU autocast runs the 3-D pools in float32
        (x,) = full_precision(x)
    if isinstance(x, Tensor) and x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input"
        )
    _check_input(x, f"max_pool{nd}d")
    _check_pool_nonempty(x, nd, "max_pool3d_with_indices_out_cpu_template")
    _check_pool_padding(padding, kernel_size, dilation, nd)
    if x.dtype.name == "bool":
        raise NotImplementedError(f"\"max_pool{nd}d\" not implemented for 'Bool'")
    return apply(
        PN.for_rank(P.max_pool(nd), x.ndim, nd),
        (x,),
        kernel_size=PA.plain(kernel_size),
        stride=PA.plain(_stride(stride, kernel_size)),
        padding=PA.plain(padding),
        dilation=PA.plain(dilation),
        ceil_mode=ceil_mode,
        **({} if indices else {"indices": False}),
    )


def max_pool2d_with_indices(
    input,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
):
    """2-D max pooling; always returns (values, flat H*W indices of the maxima)."""
    _check_max_args("max_pool2d_with_indices", 2, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(
    input,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
):
    """2-D max pooling; stride defaults to kernel_size. With return_indices, (values, indices)."""
    name = "max_pool2d_with_indices" if return_indices else "max_pool2d"
    _check_max_args(name, 2, kernel_size, stride, padding, dilation, ceil_mode)
    y, idx = _max_pool(
        input, 2, kernel_size, stride, padding, dilation, ceil_mode, bool(return_indices)
    )
    return (y, idx) if return_indices else y


def max_pool3d(
    input,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
):
    """3-D max pooling; stride defaults to kernel_size. With return_indices, (values, indices)."""
    name = "max_pool3d_with_indices" if return_indices else "max_pool3d"
    _check_max_args(name, 3, kernel_size, stride, padding, dilation, ceil_mode)
    y, idx = _max_pool(
        input, 3, kernel_size, stride, padding, dilation, ceil_mode, bool(return_indices)
    )
    return (y, idx) if return_indices else y


def max_pool1d_with_indices(
    input,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
):
    """1-D max pooling; always returns (values, indices of the maxima along L)."""
    _check_max_args("max_pool1d_with_indices", 1, kernel_size, stride, padding, dilation, ceil_mode)
    if isinstance(input, Tensor) and input.ndim not in (2, 3):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
            f"input, but got:{list(input.shape)}"
        )
    # torch runs 1-D pooling as 2-D pooling over a unit height
    k = _ntuple(kernel_size, 1)
    s = _ntuple(_stride(stride, kernel_size), 1)
    y, idx = _max_pool(
        input.unsqueeze(-2),
        2,
        (1, k[0]),
        (1, s[0]),
        (0, _ntuple(padding, 1)[0]),
        (1, _ntuple(dilation, 1)[0]),
        ceil_mode,
    )
    return y.squeeze(-2), idx.squeeze(-2)


def _check_max_pool1d(x, kernel_size, stride, padding, dilation, ceil_mode) -> None:
    """The checks and messages of torch's ``max_pool1d`` without indices."""
    _check_input(x, "max_pool1d")
    if x.ndim not in (2, 3) or not all(x.shape[-2:]):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
            f"input, but got:{list(x.shape)}"
        )
    (k,), (p,), (d,) = (_ntuple(v, 1) for v in (kernel_size, padding, dilation))
    (s,) = _ntuple(_stride(stride, kernel_size), 1)
    for what, v in (("kernel_size", k), ("stride", s)):
        if v <= 0:
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {v}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(
            "max_pool1d() padding should be at most half of kernel size, but got "
            f"padding={p} and kernel_size={k}"
        )
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    out = pool_output_size(x.shape[-1], k, s, p, d, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    if not x.dtype.is_floating_point:
        name = _scalar_type_name(x.dtype)
        raise NotImplementedError(f"\"max_pool1d_impl\" not implemented for '{name}'")


def max_pool1d(
    input,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
):
    """1-D max pooling over (N, C, L); stride defaults to kernel_size; indices if asked."""
    if not return_indices:  # torch's own 1-D path (the indices come from the 2-D one)
        _check_max_args("max_pool1d", 1, kernel_size, stride, padding, dilation, ceil_mode)
        _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    y, idx = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (y, idx) if return_indices else y


def _check_avg_args(name, nd, kernel_size, stride, padding, ceil_mode, **flags) -> None:
    args = {"kernel_size": kernel_size, "stride": stride, "padding": padding}
    PA.check_int_args(name, args)
    PA.check_flags(name, ceil_mode, False, **flags)
    PA.check_lengths(name, nd, args, avg=True)


def _avg_pool(x, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    _check_pool_stride(stride, kernel_size, nd)
    if AUTOCAST.on and nd == 3:
        (x,) = full_precision(x)
    _check_input(x, f"avg_pool{nd}d")
    _check_avg_pool_rank(x, nd)
    _check_pool_nonempty(x, nd, "avg_pool3d")
    _check_pool_padding(padding, kernel_size, 1, nd)
    if x._data.dtype.kind in "biu":
        if x._data.dtype.kind != "i":
            raise NotImplementedError(
                f"\"avg_pool{nd}d\" not implemented for '{_scalar_type_name(x.dtype)}'"
            )
        # torch divides integer sums truncating toward zero, in the input's dtype
        args = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
        return _avg_pool(x.double(), nd, *args).trunc().to(x.dtype)
    return apply(
        PN.for_rank(P.avg_pool(nd), x.ndim, nd),
        (x,),
        kernel_size=PA.plain(kernel_size),
        stride=PA.plain(_stride(stride, kernel_size)),
        padding=PA.plain(padding),
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def avg_pool2d(
    input,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """2-D average pooling; stride defaults to kernel_size."""
    flags = {"count_include_pad": count_include_pad, "divisor_override": divisor_override}
    _check_avg_args("avg_pool2d", 2, kernel_size, stride, padding, ceil_mode, **flags)
    return _avg_pool(
        input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool3d(
    input,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """3-D average pooling; stride defaults to kernel_size."""
    flags = {"count_include_pad": count_include_pad, "divisor_override": divisor_override}
    _check_avg_args("avg_pool3d", 3, kernel_size, stride, padding, ceil_mode, **flags)
    return _avg_pool(
        input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool1d(
    input,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
):
    """1-D average pooling over (N, C, L); stride defaults to kernel_size."""
    flags = {"count_include_pad": count_include_pad}
    _check_avg_args("avg_pool1d", 1, kernel_size, stride, padding, ceil_mode, **flags)
    _check_rank_1d(input, "avg_pool1d")
    k = _ntuple(kernel_size, 1)[0]
    s = _ntuple(_stride(stride, kernel_size), 1)[0]
    y = _avg_pool(
        input.unsqueeze(-2),
        2,
        (1, k),
        (1, s),
        (0, _ntuple(padding, 1)[0]),
        ceil_mode,
        count_include_pad,
        None,
    )
    return y.squeeze(-2)


def _out_size(output_size, nd):
    if isinstance(output_size, (list, tuple)):
        if len(output_size) == 1:
            output_size = tuple(output_size) * nd
        return tuple(output_size)
    return (output_size,) * nd


def _int_elements(v, name: str, arg: str = "output_size", pos: int = 2) -> None:
    """torch's argument parser on a list of ints: every element an int (or an integer Tensor)."""
    for i, o in enumerate(v):
        integer = isinstance(o, Tensor) and not o.dtype.is_floating_point
        if not (integer or isinstance(o, numbers.Integral)):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {pos}) must be tuple of ints, but found "
                f"element of type {type(o).__name__} at pos {i}"
            )


def _adaptive_size(x: Tensor, output_size, nd: int, name: str, size_msg: str) -> tuple:
    """An adaptive pool's output size as torch reads it: an int for every dim, or a list whose
    None entries keep the input's size (1-D takes exactly one int, no None)."""
    if nd == 1:
        if isinstance(output_size, numbers.Integral):
            return (int(output_size),)
        if not isinstance(output_size, (list, tuple)):
            raise TypeError(
                f"{name}(): argument 'output_size' (position 2) must be tuple of ints, not "
                f"{type(output_size).__name__}"
            )
        _int_elements(output_size, name)
        if len(output_size) != 1:
            raise RuntimeError(
                f"{name}() argument 'output_size' should contain one int (got {len(output_size)})"
            )
        return (int(output_size[0]),)
    if isinstance(output_size, numbers.Integral):
        return (int(output_size),) * nd
    n = len(output_size)  # None or a float: torch's TypeError from len()
    if x.ndim <= n:
        raise ValueError(f"Input dimension should be at least {n + 1}")
    out = tuple(d if o is None else o for o, d in zip(output_size, x.shape[x.ndim - n :]))
    _int_elements(out, name)
    if n != nd:
        raise RuntimeError(size_msg)
    return tuple(int(o) for o in out)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002
    """Average over adaptive windows so that the output has ``output_size``."""
    if isinstance(input, Tensor) and input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    _check_input(input, "adaptive_avg_pool2d")
    out = _adaptive_size(
        input, output_size, 2, "adaptive_avg_pool2d", "adaptive_avg_pool2d: output_size must be 2"
    )
    _check_adaptive(input, out, 2, "adaptive_avg_pool2d")
    if out == (1, 1):
        return input.mean((-1, -2), keepdim=True)  # torch reduces with mean here (MeanBackward1)
    PA.check_float_input(input, "adaptive_avg_pool2d")
    return apply(PN.for_rank(P.adaptive_avg_pool(2), input.ndim, 2), (input,), output_size=out)


def adaptive_avg_pool1d(input, output_size):  # noqa: A002
    """Average over adaptive windows of (N, C, L) so that L becomes ``output_size``."""
    _check_input(input, "adaptive_avg_pool1d")
    (o,) = _adaptive_size(input, output_size, 1, "adaptive_avg_pool1d", "")
    _check_rank_1d(input, "adaptive_avg_pool1d")
    # torch runs it as 2-D pooling over a unit height, and reports that shape
    shown = [*input.shape[:-1], 1, input.shape[-1]]
    _check_adaptive(input, (1, o), 2, "adaptive_avg_pool2d", shown)
    if o == 1:  # torch reduces with mean here (MeanBackward1)
        return input.unsqueeze(-2).mean((-1, -2), keepdim=True).squeeze(-2)
    PA.check_float_input(input, "adaptive_avg_pool2d")
    prim = PN.for_rank(P.adaptive_avg_pool(2), input.ndim + 1, 2)
    return apply(prim, (input.unsqueeze(-2),), output_size=(1, o)).squeeze(-2)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):  # noqa: A002
    """Adaptive 2-D max pooling; always returns (values, flat H*W indices)."""
    _check_input(input, "adaptive_max_pool2d")
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}"
        )
    msg = "adaptive_max_pool2d(): internal error: output_size.size() must be 2"
    out = _adaptive_size(input, output_size, 2, "adaptive_max_pool2d", msg)
    _check_adaptive(input, out, 2, "adaptive_max_pool2d")
    PA.check_float_input(input, "adaptive_max_pool2d")
    return apply(PN.for_rank(P.adaptive_max_pool(2), input.ndim, 2), (input,), output_size=out)


def adaptive_max_pool2d(input, output_size, return_indices=False):  # noqa: A002
    """Max over adaptive windows so that the output has ``output_size``; indices if asked."""
    y, idx = adaptive_max_pool2d_with_indices(input, output_size)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):  # noqa: A002
    """Adaptive 1-D max pooling; always returns (values, indices along L)."""
    _check_input(input, "adaptive_max_pool1d")
    (o,) = _adaptive_size(input, output_size, 1, "adaptive_max_pool1d", "")
    _check_rank_1d(input, "adaptive_max_pool1d")
    shown = [*input.shape[:-1], 1, input.shape[-1]]
    _check_adaptive(input, (1, o), 2, "adaptive_max_pool1d", shown)
    PA.check_float_input(input, "adaptive_max_pool2d")
    prim = PN.for_rank(P.adaptive_max_pool(2), input.ndim + 1, 2)
    y, idx = apply(prim, (input.unsqueeze(-2),), output_size=(1, o))
    return y.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):  # noqa: A002
    """Max over adaptive windows of (N, C, L) so that L becomes ``output_size``."""
    y, idx = adaptive_max_pool1d_with_indices(input, output_size)
    return (y, idx) if return_indices else y


# --- padding ------------------------------------------------------------------------------------
def pad(input, pad, mode: str = "constant", value=None):  # noqa: A002
    """Pad the last dims: ``pad`` = (last_lo, last_hi, prev_lo, prev_hi, ...); negative crops.

    mode: 'constant' (with value), 'reflect', 'replicate' or 'circular'.
    """
    if not isinstance(pad, (list, tuple)):
        raise TypeError(
            f"pad(): argument 'pad' (position 2) must be tuple of ints, not {PA.type_name(pad)}"
        )
    _int_elements(pad, "pad", "pad")
    if isinstance(value, Tensor) and value.numel() == 1 and value.ndim == 0:
        value = value.item()  # a 0-dim tensor is a number to torch's parser
    if not isinstance(mode, str):
        raise TypeError(
            f"pad(): argument 'mode' (position 3) must be str, not {type(mode).__name__}"
        )
    pads = tuple(int(p) for p in pad)
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and not isinstance(value, numbers.Real):
        raise TypeError(
            f"pad(): argument 'value' (position 4) must be float, not {PA.type_name(value)}"
        )
    if value is not None and mode != "constant":
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    nd = max(len(pads) // 2, 1)
    if mode == "constant":
        return apply(P.pad("constant", nd), (input,), pads=pads, mode=mode, value=value)
    if mode != "circular" and input.dtype.name == "bool":
        kernel = f"{'reflection' if mode == 'reflect' else 'replication'}_pad{nd}d"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if AUTOCAST.on and (mode == "replicate" or mode == "reflect" and nd < 3):
        (input,) = full_precision(input)  # torch's CPU autocast pads these in float32
    # the kernel pads the last nd dims of a batched or an unbatched input alike
    return apply(P.pad(mode, nd), (input,), pads=pads, mode=mode, value=value)
