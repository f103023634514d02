"""The ``ember.*`` twins of ``nn.functional`` ops, with torch's ``torch.*`` signatures.

``torch.dropout(input, p, train)``, ``torch.kl_div(input, target, reduction=1)``,
``torch.batch_norm(input, weight, bias, running_mean, running_var, ...)``: the same operations as
their ``nn.functional`` namesakes, spelled as ATen spells them (required positional flags, a loss
reduction as the integer enum 0 = none, 1 = mean, 2 = sum, by default none as torch's binding
does). Each delegates to the functional op.
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _make
from ...functions.inplace import copy_into_out
from .._reduction import get_enum
from . import layers as _layers
from . import loss as _loss
from .activation import threshold as _threshold
from .conv import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d
from .loss_margin import _triplet_margin_loss

# Any other integer reduces nothing, as in ATen. torch 2.13's Python binding documents Mean (1)
# as the default reduction but, called without one, reduces nothing: the defaults here are 0.
_REDUCTIONS = {1: "mean", 2: "sum"}


def _reduction(fn: str, reduction) -> str:
    """ATen's integer reduction as nn.functional's string."""
    if isinstance(reduction, bool) or not isinstance(reduction, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'reduction' must be int, not {type(reduction).__name__}")
    return _REDUCTIONS.get(int(reduction), "none")


# --- dropout ------------------------------------------------------------------------------------
def _check_p(p: float) -> None:
    # ATen's own check: a RuntimeError (nn.functional's is a ValueError), train or not
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_drop(input: Tensor, p: float, train: bool, inplace: bool) -> Tensor:  # noqa: A002
    _check_p(p)
    if p == 0 or not train or input.numel() == 0:
        return input
    if input.ndim < 2 and p != 1:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _layers._dropout(input, p, True, inplace, shape)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``nn.functional.dropout(input, p, train)``: zero with probability p, scale by 1/(1-p)."""
    _check_p(p)
    return _layers._dropout(input, p, train, False)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place ``dropout``."""
    _check_p(p)
    return _layers._dropout(input, p, train, True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """Dropout of whole channels: (N, C, 1, ...) noise over an input of at least 2 dims."""
    return _feature_drop(input, p, train, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place ``feature_dropout``."""
    return _feature_drop(input, p, train, True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``nn.functional.alpha_dropout(input, p, train)``: dropout keeping SELU's statistics."""
    _check_p(p)
    return _layers._alpha_dropout(input, p, train, False, feature=False)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place ``alpha_dropout``."""
    _check_p(p)
    return _layers._alpha_dropout(input, p, train, True, feature=False)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """``alpha_dropout`` of whole channels."""
    _check_p(p)
    return _layers._alpha_dropout(input, p, train, False, feature=True)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    """In-place ``feature_alpha_dropout``."""
    _check_p(p)
    return _layers._alpha_dropout(input, p, train, True, feature=True)


# --- normalization ------------------------------------------------------------------------------
def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
    cudnn_enable: bool = True,
) -> Tensor:
    """``nn.functional.layer_norm``; ``cudnn_enable`` is accepted and unused (CPU)."""
    return _layers.layer_norm(input, normalized_shape, weight, bias, eps)


def batch_norm(
    input: Tensor,  # noqa: A002
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``nn.functional.batch_norm`` with ATen's argument order (weight and bias first)."""
    # ATen's op: none of the Python layer's checks (batch size, eps)
    return _layers._batch_norm(
        input, running_mean, running_var, weight, bias, training, momentum, eps
    )


def instance_norm(
    input: Tensor,  # noqa: A002
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``nn.functional.instance_norm`` with ATen's argument order (weight and bias first)."""
    return _layers._instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def group_norm(
    input: Tensor,  # noqa: A002
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
    cudnn_enabled: bool = True,
) -> Tensor:
    """``nn.functional.group_norm``; ``cudnn_enabled`` is accepted and unused (CPU)."""
    return _layers.group_norm(input, num_groups, weight, bias, eps)


# --- embedding ----------------------------------------------------------------------------------
def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` at ``indices`` (weight first); a negative padding_idx means none."""
    # an index past the table cannot occur in valid indices: no row is padding then either
    pad = padding_idx if 0 <= padding_idx < weight.shape[0] else None
    return _layers.embedding(indices, weight, pad, None, 2.0, scale_grad_by_freq, sparse)


def embedding_bag(
    weight: Tensor,
    indices: Tensor,
    offsets: Tensor,
    scale_grad_by_freq: bool = False,
    mode: int = 0,
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``nn.functional.embedding_bag`` (mode 0 = sum, 1 = mean, 2 = max), as ATen returns it.

    Returns (output, offset2bag, bag_size, max_indices) like torch's CPU kernel: offset2bag is
    each index's bag (empty for sum without padding_idx), bag_size the non-padding count per bag
    (zeros for sum), max_indices the chosen rows for max (bag_size for mean, zeros for sum).
    """
    if not isinstance(offsets, Tensor):
        raise TypeError(
            f"embedding_bag(): argument 'offsets' (position 3) must be Tensor, not "
            f"{type(offsets).__name__}"
        )
    names = {0: "sum", 1: "mean", 2: "max"}
    if mode not in names:
        raise RuntimeError(f"mode has to be one of sum, mean or max, but got {mode}")
    output = _layers.embedding_bag(
        indices,
        weight,
        offsets,
        None,
        2,
        scale_grad_by_freq,
        names[mode],
        sparse,
        per_sample_weights,
        include_last_offset,
        padding_idx,
    )
    idx = indices._data.reshape(-1).astype(np.int64)
    offs = offsets._data.astype(np.int64)
    n_bags = output.shape[0]
    if mode == 0 and padding_idx is None:
        zeros = np.zeros(n_bags, np.int64)
        return output, _make(np.zeros(0, np.int64)), _make(zeros), _make(zeros.copy())
    bag_of = np.maximum(np.searchsorted(offs[:n_bags], np.arange(idx.size), side="right") - 1, 0)
    if mode == 0:
        zeros = np.zeros(n_bags, np.int64)
        return output, _make(bag_of), _make(zeros), _make(zeros.copy())
    counted = np.ones(idx.size, bool)
    if padding_idx is not None:
        counted = idx != (padding_idx % weight.shape[0])
    bag_size = np.bincount(bag_of[counted], minlength=n_bags).astype(np.int64)
    if mode == 1:
        return output, _make(bag_of), _make(bag_size), _make(bag_size.copy())
    w = weight._data
    max_indices = np.zeros(tuple(output.shape), np.int64)
    for b in range(n_bags):
        rows = idx[(bag_of == b) & counted]
        if rows.size:
            max_indices[b] = rows[np.argmax(w[rows], axis=0)]
    return output, _make(bag_of), _make(bag_size), _make(max_indices)


# --- activation, convolution --------------------------------------------------------------------
def threshold(input: Tensor, threshold: float, value: float, *, out=None) -> Tensor:  # noqa: A002
    """x where x > threshold, else value."""
    result = _threshold(input, threshold, value)
    return result if out is None else copy_into_out(out, result)


_CONV = {1: conv1d, 2: conv2d, 3: conv3d}
_CONV_T = {1: conv_transpose1d, 2: conv_transpose2d, 3: conv_transpose3d}


def convolution(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
    stride,
    padding,
    dilation,
    transposed: bool,
    output_padding,
    groups: int,
) -> Tensor:
    """The convolution (or transposed convolution) whose dimensionality the weight gives."""
    nd = weight.ndim - 2
    if nd not in _CONV:
        raise RuntimeError(
            f"Expected 3D, 4D or 5D weight for convolution, but got weight of size "
            f"{list(weight.shape)}"
        )
    if transposed:
        return _CONV_T[nd](input, weight, bias, stride, padding, output_padding, groups, dilation)
    return _CONV[nd](input, weight, bias, stride, padding, dilation, groups)


# --- losses -------------------------------------------------------------------------------------
def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    pos_weight: Tensor | None = None,
    reduction: int = 0,
) -> Tensor:
    """``nn.functional.binary_cross_entropy_with_logits`` with an integer reduction."""
    r = _reduction("binary_cross_entropy_with_logits", reduction)
    return _loss.binary_cross_entropy_with_logits(
        input, target, weight, reduction=r, pos_weight=pos_weight
    )


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 0
) -> Tensor:
    """``nn.functional.cosine_embedding_loss`` with an integer reduction."""
    r = _reduction("cosine_embedding_loss", reduction)
    return _loss.cosine_embedding_loss(input1, input2, target, margin, reduction=r)


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: int = 0,
    zero_infinity: bool = False,
) -> Tensor:
    """``nn.functional.ctc_loss`` with an integer reduction."""
    r = _reduction("ctc_loss", reduction)
    return _loss.ctc_loss(
        log_probs, targets, input_lengths, target_lengths, blank, r, zero_infinity
    )


def hinge_embedding_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    margin: float = 1.0,
    reduction: int = 0,
) -> Tensor:
    """``nn.functional.hinge_embedding_loss`` with an integer reduction."""
    r = _reduction("hinge_embedding_loss", reduction)
    return _loss.hinge_embedding_loss(input, target, margin, reduction=r)


def kl_div(
    input: Tensor,  # noqa: A002
    target: Tensor,
    reduction: int = 0,
    *,
    log_target: bool = False,
) -> Tensor:
    """KL divergence with an integer reduction (mean over all elements; no 'batchmean')."""
    r = _reduction("kl_div", reduction)
    # the elementwise loss from nn.functional, reduced here: its 'mean' warning is not ATen's
    loss = _loss.kl_div(input, target, reduction="none", log_target=log_target)
    return _loss._reduce(loss, get_enum(r))


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 0
) -> Tensor:
    """``nn.functional.margin_ranking_loss`` with an integer reduction."""
    r = _reduction("margin_ranking_loss", reduction)
    return _loss.margin_ranking_loss(input1, input2, target, margin, reduction=r)


def poisson_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    log_input: bool,
    full: bool,
    eps: float,
    reduction: int,
) -> Tensor:
    """``nn.functional.poisson_nll_loss``, every argument required, integer reduction."""
    r = _reduction("poisson_nll_loss", reduction)
    return _loss.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=r)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-06,
    swap: bool = False,
    reduction: int = 0,
) -> Tensor:
    """``nn.functional.triplet_margin_loss`` with an integer reduction."""
    r = get_enum(_reduction("triplet_margin_loss", reduction))
    # ATen's own: no check of the margin (nn.functional's)
    return _triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, r)
