"""The connectionist temporal classification loss of ``ember.nn.functional`` (``ctc_loss``):
torch's argument checks in torch's order over the log-space kernel of the CTC primitive."""

from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor, apply
from ...autograd.primitives import loss as P
from .._reduction import MEAN, NONE
from ._amp import float32_under_autocast as _float32_under_autocast
from .loss import _enum, _lengths, _reduce


@_float32_under_autocast
def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """Connectionist Temporal Classification loss of (T, N, C) (or (T, C)) log-probabilities.

    ``targets`` are padded (N, S) or concatenated (sum(target_lengths),); the mean reduction
    divides each sample's loss by its target length before averaging over the batch. As torch,
    an unbatched (T, C) input takes its targets as they are: (S,) is the concatenated form
    (S must equal the target length), (1, S) the padded one.
    """
    enum = _enum(None, None, reduction)
    _ctc_length_types(input_lengths, target_lengths, blank, zero_infinity)
    for name, lengths in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if isinstance(lengths, Tensor) and lengths._data.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
    batched = log_probs.ndim == 3
    where = "(while checking arguments for ctc_loss_allocate_outputs)"
    if not batched:  # as torch's kernel sees it, unbatched input unsqueezed
        kernel_dim = log_probs.ndim + 1
        if kernel_dim != 3:
            raise RuntimeError(
                f"Expected 3-dimensional tensor, but got {kernel_dim}-dimensional tensor for "
                f"argument #1 'log_probs' {where}"
            )
    tg_ndim = targets.ndim if isinstance(targets, Tensor) else np.ndim(targets)
    if not 1 <= tg_ndim <= 2:
        raise RuntimeError(
            f"Expected 1 to 2 dimensions, but got {tg_ndim}-dimensional tensor for argument #2 "
            f"'targets' {where}"
        )
    tmax, n_classes = log_probs.shape[0], log_probs.shape[-1]
    n = log_probs.shape[1] if batched else 1
    il, tl = _lengths(input_lengths).reshape(-1), _lengths(target_lengths)
    tl_flat = tl.reshape(-1)
    tg = np.asarray(targets._data if isinstance(targets, Tensor) else targets).astype(np.int64)
    if not 0 <= blank < n_classes:
        raise RuntimeError("blank must be in label range")
    if il.size != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl_flat.size != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    if (tl_flat < 0).any():
        bad = int(tl_flat[tl_flat < 0][0])
        raise RuntimeError(
            f"Expected target_lengths to have value at least 0, but got value {bad} {where}"
        )
    if tg.ndim == 1:
        if tg.shape[0] != tl_flat.sum():
            raise RuntimeError(
                f"Expected tensor to have size {tl_flat.sum()} at dimension 0, but got size "
                f"{tg.shape[0]} for argument #2 'targets' {where}"
            )
    elif tl_flat.size and tg.shape[-1] < tl_flat.max():
        raise RuntimeError(
            f"Expected tensor to have size at least {tl_flat.max()} at dimension "
            f"{tg.ndim - 1}, but got size {tg.shape[-1]} for argument #2 'targets' {where}"
        )
    if (il > tmax).any():
        raise RuntimeError(
            f"Expected input_lengths to have value at most {tmax}, but got value "
            f"{int(il[il > tmax][0])} {where}"
        )
    # torch's graph: the unbatched input unsqueezed to a batch of one, the kernel's losses (inf
    # kept, only their gradient zeroed), zero_infinity's where, the reduction, then the squeeze
    lp = log_probs if batched else log_probs.unsqueeze(1)
    losses = apply(
        P.ctc_loss,
        (lp,),
        None,
        targets=tg,
        input_lengths=il,
        target_lengths=tl_flat,
        blank=blank,
        zero_infinity=zero_infinity,
    )
    if zero_infinity:
        losses = losses.where(losses != math.inf, 0.0)
    if enum == MEAN:  # each sample's loss per target label first
        per = np.maximum(tl_flat, 1).astype(log_probs._data.dtype)
        losses = losses / log_probs.new_tensor(per)
    out = _reduce(losses, enum)
    return out.squeeze(0) if not batched and enum == NONE else out


def _ctc_length_types(input_lengths, target_lengths, blank, zero_infinity) -> None:
    """torch's TypeError for lengths that are neither both tensors nor both int sequences."""
    if isinstance(input_lengths, Tensor) == isinstance(target_lengths, Tensor):
        return

    def kind(x) -> str:
        if isinstance(x, Tensor):
            return "Tensor"
        if isinstance(x, (tuple, list)):
            inner = ", ".join(type(v).__name__ for v in x)
            return f"tuple of ({inner})" if isinstance(x, tuple) else f"list of [{inner}]"
        return type(x).__name__

    lengths = (input_lengths, target_lengths)
    rest = f"!{type(blank).__name__}!, !int!, !{type(zero_infinity).__name__}!"
    as_ints = ", ".join(f"!{kind(x)}!" for x in lengths)
    as_tensors = ", ".join("Tensor" if isinstance(x, Tensor) else f"!{kind(x)}!" for x in lengths)
    got = ", ".join("Tensor" if isinstance(x, Tensor) else type(x).__name__ for x in lengths)
    mismatch = "      didn't match because some of the arguments have invalid types: "
    raise TypeError(
        "ctc_loss() received an invalid combination of arguments - got (Tensor, Tensor, "
        f"{got}, {type(blank).__name__}, int, {type(zero_infinity).__name__}), but expected "
        "one of:\n"
        " * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints "
        "target_lengths, int blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity "
        "= False)\n"
        f"{mismatch}(Tensor, Tensor, {as_ints}, {rest})\n"
        " * (Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, int "
        "blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity = False)\n"
        f"{mismatch}(Tensor, Tensor, {as_tensors}, {rest})\n"
    )
