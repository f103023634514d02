"""Detection losses (torchvision.ops): sigmoid focal loss and the IoU-based box regression
losses (generalized, distance and complete IoU) on matched box pairs."""

from __future__ import annotations

import ember
import ember.nn.functional as F
from ember._tensor import Tensor

from .boxes import aspect_penalty

__all__ = [
    "sigmoid_focal_loss",
    "generalized_box_iou_loss",
    "distance_box_iou_loss",
    "complete_box_iou_loss",
]


def _reduce(loss: Tensor, reduction: str, empty_ok: bool) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        # the box losses give an empty batch a zero loss that still reaches the graph
        return loss.sum() * 0.0 if empty_ok and loss.numel() == 0 else loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(
        f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction modes: "
        "'none', 'mean', 'sum'"
    )


def sigmoid_focal_loss(
    inputs: Tensor,
    targets: Tensor,
    alpha: float = 0.25,
    gamma: float = 2,
    reduction: str = "none",
) -> Tensor:
    """RetinaNet's focal loss: binary cross-entropy on logits scaled by (1 - p_t) ** gamma and
    weighted by ``alpha`` for positives (``alpha=-1`` disables the weighting)."""
    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(
            f"Invalid alpha value: {alpha}. alpha must be in the range [0,1] or -1 for ignore."
        )
    p = ember.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return _reduce(loss, reduction, empty_ok=False)


def _float(t: Tensor) -> Tensor:
    return t if t.dtype in (ember.float32, ember.float64) else t.float()


def _pair_terms(boxes1: Tensor, boxes2: Tensor, eps: float):
    """IoU (with eps in the union), union, and the enclosing box's corners of matched pairs."""
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    iw = ember.min(x2, x2g) - ember.max(x1, x1g)
    ih = ember.min(y2, y2g) - ember.max(y1, y1g)
    # disjoint pairs get an exact zero intersection (and no gradient through it)
    inter = ember.where((iw > 0) & (ih > 0), iw * ih, ember.zeros_like(iw))
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter
    iou = inter / (union + eps)
    enclosing = (ember.min(x1, x1g), ember.min(y1, y1g), ember.max(x2, x2g), ember.max(y2, y2g))
    return iou, union, enclosing


def generalized_box_iou_loss(
    boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7
) -> Tensor:
    """1 - GIoU of matched (x1, y1, x2, y2) box pairs (..., 4)."""
    iou, union, (xc1, yc1, xc2, yc2) = _pair_terms(_float(boxes1), _float(boxes2), eps)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    loss = 1 - (iou - (area_c - union) / (area_c + eps))
    return _reduce(loss, reduction, empty_ok=True)


def _diou_loss(boxes1: Tensor, boxes2: Tensor, eps: float) -> tuple[Tensor, Tensor]:
    iou, _, (xc1, yc1, xc2, yc2) = _pair_terms(boxes1, boxes2, eps)
    diag2 = (xc2 - xc1) ** 2 + (yc2 - yc1) ** 2 + eps
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    dist2 = ((x2 + x1) / 2 - (x1g + x2g) / 2) ** 2 + ((y2 + y1) / 2 - (y1g + y2g) / 2) ** 2
    return 1 - iou + dist2 / diag2, iou


def distance_box_iou_loss(
    boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7
) -> Tensor:
    """1 - DIoU of matched box pairs: 1 - IoU + squared centre distance / enclosing diagonal^2."""
    loss, _ = _diou_loss(_float(boxes1), _float(boxes2), eps)
    return _reduce(loss, reduction, empty_ok=True)


def complete_box_iou_loss(
    boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7
) -> Tensor:
    """1 - CIoU of matched box pairs: the DIoU loss plus an aspect-ratio consistency term."""
    boxes1, boxes2 = _float(boxes1), _float(boxes2)
    # torchvision computes the DIoU part with the default eps whatever ``eps`` is
    diou, iou = _diou_loss(boxes1, boxes2, 1e-7)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    v = aspect_penalty(x2g - x1g, y2g - y1g, x2 - x1, y2 - y1)
    with ember.no_grad():
        alpha = v / (1 - iou + v + eps)
    return _reduce(diou + alpha * v, reduction, empty_ok=True)
