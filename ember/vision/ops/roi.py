"""Region-of-interest pooling (torchvision.ops): ``roi_align`` and ``roi_pool`` with their
modules. The kernels find where each output bin reads; the values are gathered from the input
with differentiable indexing, so the gradient flows to the input as torchvision's (not to
the boxes, which torchvision does not differentiate either)."""

from __future__ import annotations

import numpy as np

import ember
import ember.nn as nn
from ember._tensor import Tensor
from ember.kernels import detection as K

__all__ = ["roi_align", "RoIAlign", "roi_pool", "RoIPool"]


def _pair(v) -> tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))


def _check_boxes(boxes) -> None:
    if isinstance(boxes, (list, tuple)):
        for t in boxes:
            if t.size(1) != 4:
                raise AssertionError(
                    "The shape of the tensor in the boxes list is not correct as List[Tensor[L, 4]]"
                )
    elif isinstance(boxes, Tensor):
        if boxes.size(1) != 5:
            raise AssertionError("The boxes tensor shape is not correct as Tensor[K, 5]")
    else:
        raise AssertionError("boxes is expected to be a Tensor[L, 5] or a List[Tensor[K, 4]]")


def _rois_array(boxes, dtype) -> np.ndarray:
    """(K, 5) rows of (batch index, x1, y1, x2, y2) from a Tensor[K, 5] or per-image boxes."""
    if isinstance(boxes, Tensor):
        return boxes.detach().numpy().astype(dtype, copy=False)
    rows = [
        np.concatenate([np.full((len(b), 1), i, dtype=dtype), b.detach().numpy().astype(dtype)], 1)
        for i, b in enumerate(boxes)
    ]
    return np.concatenate(rows, 0) if rows else np.zeros((0, 5), dtype=dtype)


def roi_align(
    input: Tensor,  # noqa: A002
    boxes,
    output_size,
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> Tensor:
    """Average of bilinearly sampled points in each of ``output_size`` bins of every box.

    Args: input (N, C, H, W); boxes Tensor[K, 5] of (batch index, x1, y1, x2, y2) or a list of
    per-image Tensor[L, 4]; spatial_scale maps box coordinates to the input's; sampling_ratio
    points per bin side (<= 0: ceil(box side / bins)); aligned shifts boxes by -0.5 pixel.
    Shape: -> (K, C, output_size[0], output_size[1]).
    """
    _check_boxes(boxes)
    ph, pw = _pair(output_size)
    n, c, h, w = input.shape
    dtype = input.detach().numpy().dtype
    rois = _rois_array(boxes, dtype)
    if rois.shape[0] == 0:
        return input.new_zeros((0, c, ph, pw))
    wy, wx = K.roi_align_weights(
        rois, (h, w), (ph, pw), spatial_scale, int(sampling_ratio), bool(aligned), dtype
    )
    batch = rois[:, 0].astype(np.int64)
    outs, order = [], []
    # one pair of matmuls per image: (K, 1, PH, H) @ (C, H, W) @ (K, 1, W, PW)
    for b in np.unique(batch):
        sel = np.nonzero(batch == b)[0]
        rows = ember.from_numpy(wy[sel]).unsqueeze(1)
        cols = ember.from_numpy(np.ascontiguousarray(wx[sel].transpose(0, 2, 1))).unsqueeze(1)
        outs.append(rows @ input[int(b)] @ cols)
        order.append(sel)
    out = ember.cat(outs, 0)
    if len(outs) == 1:
        return out
    inverse = np.empty(len(batch), dtype=np.int64)
    inverse[np.concatenate(order)] = np.arange(len(batch))
    return out[ember.from_numpy(inverse)]


def roi_pool(input: Tensor, boxes, output_size, spatial_scale: float = 1.0) -> Tensor:  # noqa: A002
    """Maximum over each of ``output_size`` bins of every box (Fast R-CNN's RoIPool); empty bins
    give 0. Boxes as in ``roi_align``; their coordinates are rounded to pixels."""
    _check_boxes(boxes)
    ph, pw = _pair(output_size)
    x = input.detach().numpy()
    idx, filled = K.roi_pool_values(x, _rois_array(boxes, x.dtype), (ph, pw), spatial_scale)
    vals = input.reshape(-1)[ember.from_numpy(idx.reshape(-1))].reshape(idx.shape)
    return vals * ember.from_numpy(filled.astype(x.dtype))


class RoIAlign(nn.Module):
    """Module form of ``roi_align``."""

    def __init__(
        self, output_size, spatial_scale: float, sampling_ratio: int, aligned: bool = False
    ) -> None:
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input: Tensor, rois) -> Tensor:  # noqa: A002
        return roi_align(
            input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned
        )

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(output_size={self.output_size}, "
            f"spatial_scale={self.spatial_scale}, sampling_ratio={self.sampling_ratio}, "
            f"aligned={self.aligned})"
        )


class RoIPool(nn.Module):
    """Module form of ``roi_pool``."""

    def __init__(self, output_size, spatial_scale: float) -> None:
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input: Tensor, rois) -> Tensor:  # noqa: A002
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(output_size={self.output_size}, "
            f"spatial_scale={self.spatial_scale})"
        )
