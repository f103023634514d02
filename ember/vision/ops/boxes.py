"""Box utilities (torchvision.ops.boxes): areas, IoU variants, format conversion, clipping,
filtering, non-maximum suppression and boxes around masks."""

from __future__ import annotations

import math

import numpy as np

import ember
from ember._tensor import Tensor
from ember.kernels import detection as K

__all__ = [
    "nms",
    "batched_nms",
    "remove_small_boxes",
    "clip_boxes_to_image",
    "box_convert",
    "box_area",
    "box_iou",
    "generalized_box_iou",
    "complete_box_iou",
    "distance_box_iou",
    "masks_to_boxes",
]

_AXIS_FMTS = ("xyxy", "xywh", "cxcywh")


def _upcast(t: Tensor) -> Tensor:
    # half-precision products overflow, so IoUs are computed in at least float32 / int32
    if t.is_floating_point():
        return t if t.dtype in (ember.float32, ember.float64) else t.float()
    return t if t.dtype in (ember.int32, ember.int64) else t.int()


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Indices (int64, by decreasing score) of the boxes kept by greedy non-maximum suppression:
    a box is dropped when its IoU with a higher-scoring kept box exceeds ``iou_threshold``."""
    _check_nms_args(boxes, scores)
    keep = K.nms(boxes.detach().numpy(), scores.detach().numpy(), float(iou_threshold))
    return ember.from_numpy(keep)


def _check_nms_args(boxes: Tensor, scores: Tensor) -> None:
    if boxes.dim() != 2:
        raise RuntimeError(f"boxes should be a 2d tensor, got {boxes.dim()}D")
    if boxes.size(1) != 4:
        raise RuntimeError(f"boxes should have 4 elements in dimension 1, got {boxes.size(1)}")
    if scores.dim() != 1:
        raise RuntimeError(f"scores should be a 1d tensor, got {scores.dim()}D")
    if boxes.size(0) != scores.size(0):
        raise RuntimeError(
            "boxes and scores should have same number of elements in dimension 0, got "
            f"{boxes.size(0)} and {scores.size(0)}"
        )


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """NMS within each category of ``idxs``: boxes of different categories never suppress each
    other. Returns the kept indices by decreasing score."""
    _check_nms_args(boxes, scores)
    keep = K.nms(
        boxes.detach().numpy(),
        scores.detach().numpy(),
        float(iou_threshold),
        labels=idxs.detach().numpy(),
    )
    return ember.from_numpy(keep)


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """Indices of the (x1, y1, x2, y2) boxes whose width and height are both >= ``min_size``."""
    ws, hs = boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]
    keep = (ws >= min_size) & (hs >= min_size)
    return ember.where(keep)[0]


def clip_boxes_to_image(boxes: Tensor, size: tuple[int, int]) -> Tensor:
    """Clamp (x1, y1, x2, y2) boxes into an image of ``size`` = (height, width)."""
    height, width = size
    xs = boxes[..., 0::2].clamp(min=0, max=width)
    ys = boxes[..., 1::2].clamp(min=0, max=height)
    return ember.stack((xs, ys), dim=boxes.dim()).reshape(boxes.shape)


def _split(boxes: Tensor) -> list[Tensor]:
    return list(boxes.unbind(-1))


def _to_xyxy(boxes: Tensor, fmt: str) -> Tensor:
    a, b, c, d = _split(boxes)
    if fmt == "xywh":
        return ember.stack((a, b, a + c, b + d), dim=-1)
    # cxcywh
    return ember.stack((a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d), dim=-1)


def _from_xyxy(boxes: Tensor, fmt: str) -> Tensor:
    x1, y1, x2, y2 = _split(boxes)
    if fmt == "xywh":
        return ember.stack((x1, y1, x2 - x1, y2 - y1), dim=-1)
    # cxcywh
    return ember.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def _cxcywhr_to_xywhr(boxes: Tensor) -> Tensor:
    cx, cy, w, h, r = _split(boxes)
    rad = r * (math.pi / 180.0)
    cos, sin = rad.cos(), rad.sin()
    # the top-left corner rotated about the centre (r counter-clockwise, y down)
    x1 = cx - w / 2 * cos - h / 2 * sin
    y1 = cy + w / 2 * sin - h / 2 * cos
    return ember.stack((x1, y1, w, h, r), dim=-1)


def _xywhr_to_cxcywhr(boxes: Tensor) -> Tensor:
    x1, y1, w, h, r = _split(boxes)
    rad = r * (math.pi / 180.0)
    cos, sin = rad.cos(), rad.sin()
    cx = x1 + w / 2 * cos + h / 2 * sin
    cy = y1 - w / 2 * sin + h / 2 * cos
    return ember.stack((cx, cy, w, h, r), dim=-1)


def _xywhr_to_xyxyxyxy(boxes: Tensor) -> Tensor:
    x1, y1, w, h, r = _split(boxes)
    rad = r * (math.pi / 180.0)
    cos, sin = rad.cos(), rad.sin()
    x2, y2 = x1 + w * cos, y1 - w * sin
    x3, y3 = x2 + h * sin, y2 + h * cos
    x4, y4 = x1 + h * sin, y1 + h * cos
    return ember.stack((x1, y1, x2, y2, x3, y3, x4, y4), dim=-1)


def _xyxyxyxy_to_xywhr(boxes: Tensor) -> Tensor:
    x1, y1, x2, y2, x3, y3, _, _ = _split(boxes)
    r = ember.atan2(y1 - y2, x2 - x1) * (180.0 / math.pi)
    w = ((x2 - x1) ** 2 + (y1 - y2) ** 2).sqrt()
    h = ((x3 - x2) ** 2 + (y3 - y2) ** 2).sqrt()
    return ember.stack((x1, y1, w, h, r), dim=-1)


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Convert boxes between 'xyxy', 'xywh', 'cxcywh' (4 numbers) and the rotated formats
    'xywhr', 'cxcywhr' (5) and 'xyxyxyxy' (8). Rotated and axis-aligned formats do not mix."""
    allowed = ("xyxy", "xywh", "cxcywh", "xywhr", "cxcywhr", "xyxyxyxy")
    if in_fmt not in allowed or out_fmt not in allowed:
        raise ValueError(
            f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and out_fmt {out_fmt}"
        )
    if in_fmt == out_fmt:
        return boxes.clone()
    if in_fmt in _AXIS_FMTS and out_fmt in _AXIS_FMTS:
        xyxy = boxes if in_fmt == "xyxy" else _to_xyxy(boxes, in_fmt)
        return xyxy if out_fmt == "xyxy" else _from_xyxy(xyxy, out_fmt)
    if in_fmt in _AXIS_FMTS or out_fmt in _AXIS_FMTS:
        raise NotImplementedError(
            f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and out_fmt {out_fmt}"
        )
    # rotated: through xywhr
    if in_fmt == "cxcywhr":
        boxes = _cxcywhr_to_xywhr(boxes)
    elif in_fmt == "xyxyxyxy":
        boxes = _xyxyxyxy_to_xywhr(boxes)
    if out_fmt == "cxcywhr":
        return _xywhr_to_cxcywhr(boxes)
    if out_fmt == "xyxyxyxy":
        return _xywhr_to_xyxyxyxy(boxes)
    return boxes


def box_area(boxes: Tensor, fmt: str = "xyxy") -> Tensor:
    """Areas of boxes (..., 4) in ``fmt`` ('xyxy', 'xywh' or 'cxcywh')."""
    if fmt not in _AXIS_FMTS:
        raise ValueError(f"Unsupported Bounding Box area for given format {fmt}")
    boxes = _upcast(boxes)
    if fmt == "xyxy":
        return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return boxes[..., 2] * boxes[..., 3]


def _corners(boxes: Tensor, fmt: str) -> tuple[Tensor, Tensor]:
    """Top-left and bottom-right corners, (..., 2) each."""
    if fmt == "xyxy":
        return boxes[..., :2], boxes[..., 2:]
    if fmt == "xywh":
        return boxes[..., :2], boxes[..., :2] + boxes[..., 2:]
    return boxes[..., :2] - boxes[..., 2:] / 2, boxes[..., :2] + boxes[..., 2:] / 2


def _inter_union(boxes1: Tensor, boxes2: Tensor, fmt: str = "xyxy") -> tuple[Tensor, Tensor]:
    area1, area2 = box_area(boxes1, fmt=fmt), box_area(boxes2, fmt=fmt)
    lt1, rb1 = _corners(boxes1, fmt)
    lt2, rb2 = _corners(boxes2, fmt)
    lt = ember.max(lt1.unsqueeze(-2), lt2.unsqueeze(-3))  # (..., N, M, 2)
    rb = ember.min(rb1.unsqueeze(-2), rb2.unsqueeze(-3))
    wh = _upcast(rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter, area1.unsqueeze(-1) + area2.unsqueeze(-2) - inter


def box_iou(boxes1: Tensor, boxes2: Tensor, fmt: str = "xyxy") -> Tensor:
    """Pairwise intersection-over-union, (..., N, M), of boxes (..., N, 4) and (..., M, 4)."""
    if fmt in _AXIS_FMTS:
        inter, union = _inter_union(boxes1, boxes2, fmt)
        return inter / union
    rotated = ("cxcywhr", "xywhr", "xyxyxyxy")
    if fmt in rotated:
        raise NotImplementedError(f"box_iou of rotated boxes ({fmt}) is not supported by Ember")
    raise ValueError(
        f"Unsupported format '{fmt}'. Supported axis-aligned formats: {_AXIS_FMTS}. "
        f"Supported rotated formats: {rotated}."
    )


def _enclosing_wh(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Width and height (..., N, M, 2) of the smallest box enclosing each pair."""
    lt = ember.min(boxes1[..., :2].unsqueeze(-2), boxes2[..., :2].unsqueeze(-3))
    rb = ember.max(boxes1[..., 2:].unsqueeze(-2), boxes2[..., 2:].unsqueeze(-3))
    return _upcast(rb - lt).clamp(min=0)


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Pairwise generalized IoU: IoU minus the enclosing box's share not covered by the union."""
    inter, union = _inter_union(boxes1, boxes2)
    whi = _enclosing_wh(boxes1, boxes2)
    area = whi[..., 0] * whi[..., 1]
    return inter / union - (area - union) / area


def _diou_iou(boxes1: Tensor, boxes2: Tensor, eps: float) -> tuple[Tensor, Tensor]:
    iou = box_iou(boxes1, boxes2)
    whi = _enclosing_wh(boxes1, boxes2)
    diag2 = whi[..., 0] ** 2 + whi[..., 1] ** 2 + eps
    cx1, cy1 = (boxes1[..., 0] + boxes1[..., 2]) / 2, (boxes1[..., 1] + boxes1[..., 3]) / 2
    cx2, cy2 = (boxes2[..., 0] + boxes2[..., 2]) / 2, (boxes2[..., 1] + boxes2[..., 3]) / 2
    dist2 = _upcast(cx1.unsqueeze(-1) - cx2.unsqueeze(-2)) ** 2 + (
        _upcast(cy1.unsqueeze(-1) - cy2.unsqueeze(-2)) ** 2
    )
    return iou - dist2 / diag2, iou


def distance_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """Pairwise distance IoU: IoU minus squared centre distance over the enclosing diagonal^2."""
    return _diou_iou(_upcast(boxes1), _upcast(boxes2), eps)[0]


def aspect_penalty(w1: Tensor, h1: Tensor, w2: Tensor, h2: Tensor) -> Tensor:
    """CIoU's aspect-ratio consistency term v = 4 / pi^2 * (atan(w1 / h1) - atan(w2 / h2))^2."""
    return (4 / (math.pi**2)) * ((w1 / h1).atan() - (w2 / h2).atan()) ** 2


def complete_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """Pairwise complete IoU: distance IoU minus an aspect-ratio consistency term."""
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    diou, iou = _diou_iou(boxes1, boxes2, eps)
    w1 = (boxes1[..., 2] - boxes1[..., 0]).unsqueeze(-1)
    h1 = (boxes1[..., 3] - boxes1[..., 1]).unsqueeze(-1)
    w2 = (boxes2[..., 2] - boxes2[..., 0]).unsqueeze(-2)
    h2 = (boxes2[..., 3] - boxes2[..., 1]).unsqueeze(-2)
    v = aspect_penalty(w1, h1, w2, h2)
    with ember.no_grad():  # the trade-off weight is a constant in CIoU's gradient
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


def masks_to_boxes(masks: Tensor) -> Tensor:
    """(x1, y1, x2, y2) float boxes (N, 4) around the nonzero pixels of masks (N, H, W); an
    empty mask gives zeros."""
    if masks.numel() == 0:
        return ember.zeros((0, 4), dtype=ember.float32)
    m = masks.detach().numpy().astype(bool)
    n, h, w = m.shape
    rows, cols = m.any(axis=2), m.any(axis=1)
    y1, x1 = rows.argmax(axis=1), cols.argmax(axis=1)
    y2 = (h - 1) - rows[:, ::-1].argmax(axis=1)
    x2 = (w - 1) - cols[:, ::-1].argmax(axis=1)
    out = np.stack([x1, y1, x2, y2], axis=1).astype(np.float32)
    out[~rows.any(axis=1)] = 0
    return ember.from_numpy(out)
