"""Image-grid helpers (torchvision.utils): ``make_grid`` and ``save_image``."""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..functions.shape import cat, stack

__all__ = ["make_grid", "save_image"]


def _norm_ip(img: Tensor, low: float, high: float) -> None:
    img.clamp_(min=low, max=high)
    img.sub_(low).div_(max(high - low, 1e-5))


def _norm_range(t: Tensor, value_range) -> None:
    if value_range is not None:
        _norm_ip(t, value_range[0], value_range[1])
    else:
        _norm_ip(t, float(t.min()), float(t.max()))


@no_grad()
def make_grid(
    tensor,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range=None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Tensor:
    """Tile a batch of images into one image, ``nrow`` per row, ``padding`` pixels apart.

    Args: tensor (B, C, H, W) or a list of (C, H, W) images (1-channel images become 3-channel);
    normalize shifts to [0, 1] by ``value_range`` (default: min/max, per image with scale_each).
    Shape: -> (C, rows * (H + padding) + padding, ncols * (W + padding) + padding).
    Runs without gradient recording, as torchvision's.
    """
    if not isinstance(tensor, Tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not isinstance(t, Tensor):
                    raise TypeError(f"tensor or list of tensors expected, got a list of {type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        tensor = stack(tensor, dim=0)
    if tensor.ndim == 2:  # a single (H, W) image
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 3:  # a single image
        if tensor.shape[0] == 1:  # gray to RGB
            tensor = cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 4 and tensor.shape[1] == 1:  # gray batch to RGB
        tensor = cat((tensor, tensor, tensor), 1)

    if normalize:
        tensor = tensor.clone()  # normalized in place below
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError(
                "value_range has to be a tuple (min, max) if specified. min and max are numbers"
            )
        if scale_each:
            for t in tensor:  # each image on its own range
                _norm_range(t, value_range)
        else:
            _norm_range(tensor, value_range)

    if not isinstance(tensor, Tensor):
        raise TypeError("tensor should be of type torch.Tensor")
    if tensor.shape[0] == 1:
        return tensor.squeeze(0)

    nmaps = tensor.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.shape[2] + padding), int(tensor.shape[3] + padding)
    num_channels = tensor.shape[1]
    grid = tensor.new_full(
        (num_channels, height * ymaps + padding, width * xmaps + padding), pad_value
    )
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            cell = grid.narrow(1, y * height + padding, height - padding)
            cell.narrow(2, x * width + padding, width - padding).copy_(tensor[k])
            k += 1
    return grid


def save_image(tensor, fp, format=None, **kwargs) -> None:  # noqa: A002
    """Write ``make_grid(tensor, **kwargs)`` as an image file (values in [0, 1] -> 0..255).

    Args: fp a file name or a binary file object; format (PNG, JPEG, ...) as Pillow's, needed
    for file objects without a name.
    """
    from PIL import Image

    with no_grad():
        grid = make_grid(tensor, **kwargs)
        # round half up to 0..255 as torchvision does: x * 255 + 0.5, clamped, truncated
        arr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).numpy()
    ndarr = np.ascontiguousarray(arr.astype(np.uint8))
    im = Image.fromarray(ndarr)
    im.save(fp, format=format)
