"""``F.unfold`` and ``F.fold``: sliding blocks to columns (im2col) and back (col2im, summing).

Each checks its arguments as torch does, then records one primitive of
``autograd/primitives/nn.py``; unbatched inputs gain a batch dimension around it.
"""

from __future__ import annotations

from ..._tensor import Tensor, apply
from ...autograd.primitives import nn as P
from ...functions.reduce import _scalar_type_name
from .conv import _batched, _ntuple

__all__ = ["unfold", "fold"]


def _check_fold_args(x: Tensor, kernel: str, kernel_size, dilation, padding, stride) -> dict:
    """torch's checks of the block arguments of unfold and fold: two of each, kernel, dilation
    and stride positive, padding non-negative; and a float, complex or bool input."""
    args = {"kernel_size": kernel_size, "dilation": dilation, "padding": padding, "stride": stride}
    for arg, v in args.items():
        if isinstance(v, (list, tuple)) and len(v) != 2:
            raise RuntimeError(f"It is expected {arg} equals to 2, but got size {len(v)}")
        args[arg] = _ntuple(v, 2)
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = args.values()
    for bad, what, got in (
        (kh <= 0 or kw <= 0, "kernel size should be greater than zero", "kernel"),
        (dh <= 0 or dw <= 0, "dilation should be greater than zero", "dilation"),
        (ph < 0 or pw < 0, "padding should be non-negative", "pad"),
        (sh <= 0 or sw <= 0, "stride should be greater than zero", "stride"),
    ):
        if bad:
            h, w = args[{"kernel": "kernel_size", "pad": "padding"}.get(got, got)]
            raise RuntimeError(f"{what}, but got {got}_height: {h} {got}_width: {w}")
    if x._data.dtype.kind in "iu":
        name = _scalar_type_name(x.dtype)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")
    return args


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):  # noqa: A002
    """Sliding blocks as columns: (N, C, *S) -> (N, C*prod(k), L); (C, *S) -> (C*prod(k), L)."""
    if input.ndim not in (3, 4):
        if input.ndim < 3:  # torch reads a channel dim the input does not have
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-input.ndim}, "
                f"{input.ndim - 1}], but got 2)"
            )
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
            f"dimensions for input, but got: {list(input.shape)}"
        )
    x, unb = _batched(input, 2, "unfold")
    args = _check_fold_args(x, "im2col_out_cpu", kernel_size, dilation, padding, stride)
    y = apply(P.im2col, (x,), **args)
    return y.squeeze(0) if unb else y


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):  # noqa: A002
    """Sum columns back into an image: (N, C*prod(k), L) -> (N, C, *output_size), or unbatched."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    x, unb = _batched(input, 1, "fold")
    args = _check_fold_args(x, "col2im_out_cpu", kernel_size, dilation, padding, stride)
    y = apply(P.col2im_fwd, (x,), output_size=_ntuple(output_size, 2), **args)
    return y.squeeze(0) if unb else y
