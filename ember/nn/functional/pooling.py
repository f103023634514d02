"""The rarer pooling functionals: power-average, max-unpooling, 3-D adaptive and fractional pooling.

Each composes existing differentiable ops (the pools of ``conv.py``, ``pow``, ``scatter``,
``gather``); only the index bookkeeping (which input position each output reads) runs on arrays.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..._dtype import int64
from ..._tensor import Tensor, apply
from ...autograd.primitives import nn as P
from ...autograd.primitives import nn_named as PN
from ...functions.creation import from_numpy
from ...functions.random import rand
from ...functions.reduce import _scalar_type_name
from .activation import relu
from .conv import (
    _adaptive_size,
    _batched,
    _max_pool,
    _ntuple,
    adaptive_max_pool1d_with_indices,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool3d,
)

__all__ = [
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "max_pool3d_with_indices",
    "adaptive_avg_pool3d",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "fractional_max_pool2d",
    "fractional_max_pool3d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices",
]


# --- power-average pooling ----------------------------------------------------------------------
def _lp_pool(x, norm_type, kernel_size, stride, ceil_mode, nd, avg, mx):
    if nd > 1 and isinstance(kernel_size, (list, tuple)) and len(kernel_size) != nd:
        # torch unpacks the 2-D and 3-D kernel sizes in Python
        n = len(kernel_size)
        got = (
            f"too many values to unpack (expected {nd})"
            if n > nd
            else (f"not enough values to unpack (expected {nd}, got {n})")
        )
        raise ValueError(got)
    if isinstance(norm_type, (int, float)) and math.isinf(norm_type):
        if norm_type > 0:
            return mx(x.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -mx(-x.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg(x.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # sign * relu(|out|) is out itself, but its gradient is zero (not nan) where a window's sum
    # of powers is zero and pow(1/p) has an infinite slope
    k = math.prod(_ntuple(kernel_size, nd))
    return (out.sign() * relu(out.abs())).mul(k).pow(1.0 / norm_type)


def _named(fn, name: str, doc: str):
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _lp_pool_fn(nd: int, avg, mx):
    def lp_pool(
        input: Tensor,  # noqa: A002
        norm_type: float,
        kernel_size,
        stride=None,
        ceil_mode: bool = False,
    ) -> Tensor:
        return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nd, avg, mx)

    return _named(
        lp_pool,
        f"lp_pool{nd}d",
        f"{nd}-D power-average pooling: (sum over each window of x**p) ** (1/p); "
        "p = inf is max pooling of |x|.",
    )


lp_pool1d = _lp_pool_fn(1, avg_pool1d, max_pool1d)
lp_pool2d = _lp_pool_fn(2, avg_pool2d, max_pool2d)
lp_pool3d = _lp_pool_fn(3, avg_pool3d, max_pool3d)


# --- max-unpooling ------------------------------------------------------------------------------
def _unpool_size(x: Tensor, k, s, p, output_size) -> list[int]:
    """The spatial output size: the pooling's input size, or ``output_size`` if it fits."""
    nd = len(k)
    default = [(x.shape[-nd + d] - 1) * s[d] + k[d] - 2 * p[d] for d in range(nd)]
    if output_size is None:
        size = default
    else:
        size = list(output_size)
        if len(size) == nd + 2:
            size = size[2:]
        if len(size) != nd:
            raise ValueError(
                f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it "
                f"has a length of '{len(size)}'"
            )
        for d in range(nd):
            lo, hi = default[d] - s[d], default[d] + s[d]
            if not lo < size[d] < hi:
                raise ValueError(
                    f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})'
                )
    for d in range(nd):
        if size[d] < 0:
            raise ValueError(
                "max_unpooling: output_size must contain non-negative spatial dimensions, but "
                f"got output_size[{d}]={size[d]}"
            )
    return size


def _max_unpool(x: Tensor, indices: Tensor, size: list[int], kind: int) -> Tensor:
    """Scatter ``x`` into zeros of spatial ``size`` at the flat ``indices`` (per plane)."""
    nd = len(size)
    if indices.dtype != int64:
        but = f" but got: {_scalar_type_name(indices.dtype)}" if kind == 2 else ""
        raise RuntimeError(f"elements in indices should be type int64{but}")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Input to max_unpooling{kind}d should be a {nd + 1}d or {nd + 2}d Tensor, but got a "
            f"tensor with {x.ndim} dimensions."
        )
    if tuple(indices.shape) != tuple(x.shape):
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({list(x.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    if not x.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"max_unpool{kind}d\" not implemented for '{_scalar_type_name(x.dtype)}'"
        )
    plane = math.prod(size)
    idx = indices.detach().numpy()
    bad = (idx < 0) | (idx >= plane)
    if bad.any():
        raise RuntimeError(
            f"Found an invalid max index: {int(idx[bad].flat[0])} (output volumes are of size "
            f"{'x'.join(map(str, size))})"
        )
    return apply(PN.max_unpool(kind), (x,), None, indices=idx, size=tuple(size))


def _max_unpool_fn(nd: int):
    def max_unpool(
        input: Tensor,  # noqa: A002
        indices: Tensor,
        kernel_size,
        stride=None,
        padding=0,
        output_size=None,
    ) -> Tensor:
        k = _ntuple(kernel_size, nd)
        s = k if stride is None else _ntuple(stride, nd)
        size = _unpool_size(input, k, s, _ntuple(padding, nd), output_size)
        if nd == 1:  # checked and reported as 2-D unpooling over a unit width, as torch runs it
            out = _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), [*size, 1], 2)
            return out.squeeze(-1)
        if nd == 3 and any(v <= 0 for v in s):
            raise RuntimeError(f"strides should be greater than zero, but got stride: {list(s)}")
        return _max_unpool(input, indices, size, nd)

    return _named(
        max_unpool,
        f"max_unpool{nd}d",
        f"Partial inverse of ``max_pool{nd}d``: each value back at its index, zeros elsewhere.",
    )


max_unpool1d = _max_unpool_fn(1)
max_unpool2d = _max_unpool_fn(2)
max_unpool3d = _max_unpool_fn(3)


# --- 3-D max and adaptive pooling ---------------------------------------------------------------
def max_pool3d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """3-D max pooling; always returns (values, flat D*H*W indices of the maxima)."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode)


def _adaptive3d(x: Tensor, output_size, name: str, got: str, size_msg: str):
    """The output size after torch's checks for 3-D adaptive pools."""
    if isinstance(x, Tensor) and x.ndim not in (4, 5):
        raise RuntimeError(f"{name}(): Expected 4D or 5D tensor, but got{got} {list(x.shape)}")
    out = _adaptive_size(x, output_size, 3, name, size_msg)
    if not x.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"{name}_cpu\" not implemented for '{_scalar_type_name(x.dtype)}'"
        )
    return out


def _check_nonempty(x: Tensor, name: str) -> None:
    for d in range(x.ndim - 4, x.ndim):
        if x.shape[d] == 0:
            raise RuntimeError(
                f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {list(x.shape)} with dimension {d} being empty"
            )


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:  # noqa: A002
    """Average over adaptive windows so that the (D, H, W) output has ``output_size``."""
    out = _adaptive3d(
        input, output_size, "adaptive_avg_pool3d", "", "adaptive_avg_pool3d: output_size must be 3"
    )
    if any(o < 0 for o in out):
        raise RuntimeError(
            "adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but "
            f"received {{{out[0]}, {out[1]},{out[2]}}}"
        )
    _check_nonempty(input, "adaptive_avg_pool3d")
    if out == (1, 1, 1):
        return input.mean((-3, -2, -1), keepdim=True)  # torch reduces with mean here too
    return apply(PN.for_rank(P.adaptive_avg_pool(3), input.ndim, 3), (input,), output_size=out)


def adaptive_max_pool3d_with_indices(
    input: Tensor,  # noqa: A002
    output_size,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """Adaptive 3-D max pooling; always returns (values, flat D*H*W indices)."""
    out = _adaptive3d(
        input,
        output_size,
        "adaptive_max_pool3d",
        ":",
        "adaptive_max_pool3d(): internal error: output_size.size() must be 3",
    )
    _check_nonempty(input, "adaptive_max_pool3d")
    neg = [o for o in out if o < 0]
    if neg:
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {neg[0]}: "
            f"{list(input.shape[:-3]) + list(out)}"
        )
    return apply(PN.for_rank(P.adaptive_max_pool(3), input.ndim, 3), (input,), output_size=out)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):  # noqa: A002
    """Max over adaptive windows so that the (D, H, W) output has ``output_size``."""
    y, idx = adaptive_max_pool3d_with_indices(input, output_size)
    return (y, idx) if return_indices else y


# --- fractional max pooling ---------------------------------------------------------------------
def _fractional_starts(u: np.ndarray, n_in: int, n_out: int, k: int) -> np.ndarray:
    """Window starts along one axis for each sample ``u`` in [0, 1): shape ``(*u.shape, n_out)``.

    Pseudo-random steps of floor or ceil of ``(n_in - k) / (n_out - 1)``, the last window flush
    with the end; computed in the samples' precision, truncating as torch does.
    """
    last = np.full((*u.shape, min(n_out, 1)), n_in - k, np.int64)
    if n_out <= 1:
        return last
    alpha = u.dtype.type(n_in - k) / u.dtype.type(n_out - 1)
    u = u[..., None]
    steps = np.arange(n_out - 1, dtype=u.dtype)
    starts = ((steps + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    return np.concatenate([starts, last], -1)


def _fractional(x, kernel_size, output_size, output_ratio, samples, nd):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        # torch's 2-D functional takes len() of the ratio: a bare number is its TypeError
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(
                f"{name} requires output_ratio to either be a single Int or tuple of Ints."
            )
        ratio = output_ratio if isinstance(output_ratio, (list, tuple)) else (output_ratio,) * nd
        output_size = [int(x.shape[-nd + i] * ratio[i]) for i in range(nd)]
    if samples is None:
        if not x.dtype.is_floating_point:
            raise NotImplementedError(
                f"\"check_uniform_bounds\" not implemented for '{_scalar_type_name(x.dtype)}'"
            )
        samples = rand(1 if x.ndim == nd + 1 else x.size(0), x.size(-nd - 1), nd, dtype=x.dtype)
    sizes = {"kernel_size": kernel_size, "output_size": output_size}
    for what, v in sizes.items():
        if isinstance(v, (list, tuple)) and len(v) not in (1, nd):
            raise RuntimeError(
                f"{name}: {what} must either be a single Int or tuple of {'three ' * (nd == 3)}Ints"
            )
    k, out = _ntuple(kernel_size, nd), _ntuple(output_size, nd)
    if any(v <= 0 for v in k):  # torch reads outside the input here; refuse instead
        raise RuntimeError(
            f"{name}(): kernel_size must be greater than zero, but got kernel_size={list(k)}"
        )
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    if samples.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    where = name if nd == 2 else f"{name}_out"
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{where}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(x.shape)}"
        )
    for d in range(x.ndim - nd - 1, x.ndim):
        if x.shape[d] == 0:
            raise RuntimeError(
                f"{where}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"got{list(x.shape)} with dimension {d} being empty."
            )
    xb, unb = _batched(x, nd, name)
    n, c, spatial = xb.shape[0], xb.shape[1], tuple(xb.shape[2:])
    if samples.shape[0] < n:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != c:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}."
        )
    axes = ("time", "height", "width")[-nd:]
    for d in range(nd):
        # the 3-D pool also refuses windows that would exactly cover the input
        if out[d] + k[d] - 1 > spatial[d] - (nd == 3):
            raise RuntimeError(
                f"{where}(): pool {axes[d]} {k[d]} too large relative to input {axes[d]} "
                f"{spatial[d]}"
            )
    for d in range(nd):
        if out[d] < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {out[d]}: "
                f"{list(x.shape[:-nd]) + list(out)}"
            )
    a = x.detach().numpy().reshape(n, c, *spatial)
    idx = _fractional_winners(a, samples.detach().numpy()[:n], k, out)
    lead = tuple(x.shape[: x.ndim - nd])
    y = apply(PN.fractional_max_pool(nd), (x,), None, indices=idx.reshape(*lead, *out), nd=nd)
    idx_t = from_numpy(idx)
    return (y, idx_t.squeeze(0)) if unb else (y, idx_t)


def _fractional_winners(a: np.ndarray, u: np.ndarray, k, out) -> np.ndarray:
    """Flat in-plane index of each window's maximum: (N, C, *out) for ``a`` of (N, C, *spatial).

    The first maximum of a window wins, unless it holds a NaN: then its last NaN does.
    """
    n, c, spatial = a.shape[0], a.shape[1], a.shape[2:]
    nd = len(spatial)
    # sample 0 drives the width in 2-D, the time axis in 3-D
    order = (1, 0) if nd == 2 else (0, 1, 2)
    plane = [math.prod(spatial[d + 1 :]) for d in range(nd)]
    origin = np.zeros((n, c, *(1,) * nd), np.int64)
    for d in range(nd):
        starts = _fractional_starts(u[..., order[d]], spatial[d], out[d], k[d])
        shape = [n, c] + [1] * nd
        shape[2 + d] = out[d]
        origin = origin + starts.reshape(shape) * plane[d]
    # offsets into the whole array, so that each tap is one flat ``take``
    planes = np.arange(n * c, dtype=np.int64).reshape(n, c, *(1,) * nd) * math.prod(spatial)
    origin = np.ascontiguousarray(np.broadcast_to(origin + planes, (n, c, *out)))
    flat = np.ascontiguousarray(a).reshape(-1)
    nan_aware = flat.dtype.kind == "f" and bool(np.isnan(flat).any())
    taps = [sum(t * p for t, p in zip(tap, plane)) for tap in itertools.product(*map(range, k))]
    idx = origin + taps[0]
    best = flat.take(idx)
    pos, v = np.empty_like(idx), np.empty_like(best)
    wins = np.empty(best.shape, np.bool_)
    for off in taps[1:]:
        np.add(origin, off, out=pos)
        flat.take(pos, out=v)
        np.greater(v, best, out=wins)
        if nan_aware:
            wins |= np.isnan(v)
        np.copyto(best, v, where=wins)
        np.copyto(idx, pos, where=wins)
    return idx - planes


def _fractional_fn(nd: int, with_indices: bool):
    def fractional_max_pool(
        input: Tensor,  # noqa: A002
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices: bool = False,
        _random_samples: Tensor | None = None,
    ):
        y, idx = _fractional(input, kernel_size, output_size, output_ratio, _random_samples, nd)
        return (y, idx) if with_indices or return_indices else y

    suffix = "_with_indices" if with_indices else ""
    return _named(
        fractional_max_pool,
        f"fractional_max_pool{nd}d{suffix}",
        f"{nd}-D fractional max pooling (Graham, 2014) to ``output_size`` or ``output_ratio``"
        f"{'; always (values, indices)' if with_indices else ''}.\n\n"
        f"Windows of ``kernel_size`` start at pseudo-random steps set by ``_random_samples`` "
        f"(N, C, {nd}) in [0, 1), drawn from Ember's generator when None.",
    )


fractional_max_pool2d = _fractional_fn(2, False)
fractional_max_pool3d = _fractional_fn(3, False)
fractional_max_pool2d_with_indices = _fractional_fn(2, True)
fractional_max_pool3d_with_indices = _fractional_fn(3, True)


# --- torch.* spellings (``ember.adaptive_max_pool1d`` returns values and indices) ---------------
def _torch_adaptive_max_pool1d(input: Tensor, output_size) -> tuple[Tensor, Tensor]:  # noqa: A002
    """``torch.adaptive_max_pool1d``: (values, indices)."""
    return adaptive_max_pool1d_with_indices(input, output_size)


def _torch_max_pool1d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size,
    stride=(),
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
) -> tuple[Tensor, Tensor]:
    """``torch.max_pool1d_with_indices``: (values, indices)."""
    return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
