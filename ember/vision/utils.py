"""Image helpers (torchvision.utils): ``make_grid``, ``save_image`` and the drawing of boxes,
segmentation masks and keypoints on images (drawn with Pillow, as torchvision)."""

from __future__ import annotations

import math
import warnings

import numpy as np

import ember

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..functions.shape import cat, stack

__all__ = [
    "make_grid",
    "save_image",
    "draw_bounding_boxes",
    "draw_segmentation_masks",
    "draw_keypoints",
]


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


def _palette(num_objects: int) -> list[tuple[int, int, int]]:
    # torchvision's default colours: multiples of three large odd numbers, mod 255
    return [
        tuple((i * v) % 255 for v in (2**25 - 1, 2**15 - 1, 2**21 - 1)) for i in range(num_objects)
    ]


def _parse_colors(colors, num_objects: int, floating: bool = False) -> list[tuple]:
    from PIL import ImageColor

    if colors is None:
        colors = _palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError(
                "Number of colors must be equal or larger than the number of objects, but got "
                f"{len(colors)} < {num_objects}."
            )
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(
            f"colors must be a tuple or a string, or a list thereof, but got {colors}."
        )
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:  # one colour for every object
        colors = [colors] * num_objects
    colors = [ImageColor.getrgb(c) if isinstance(c, str) else tuple(c) for c in colors]
    if floating:  # [0, 255] -> [0, 1]
        colors = [tuple(v / 255 for v in c) for c in colors]
    return colors


def _check_image(image, rgb_only: bool, what: str = "The image must be a tensor") -> None:
    if not isinstance(image, Tensor):
        raise TypeError(f"{what}, got {type(image)}")
    if not (image.dtype == ember.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if rgb_only and image.shape[0] != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if not rgb_only and image.shape[0] not in (1, 3):
        raise ValueError("Only grayscale and RGB images are supported")


def _to_pil(image: Tensor):
    """A (3, H, W) uint8 or [0, 1] float image as a Pillow RGB image."""
    from PIL import Image

    from .transforms.functional import convert_image_dtype

    if image.is_floating_point():
        image = convert_image_dtype(image, ember.uint8)
    return Image.fromarray(np.ascontiguousarray(image.detach().numpy().transpose(1, 2, 0)))


def _from_pil(img, dtype) -> Tensor:
    from .transforms.functional import convert_image_dtype

    out = ember.from_numpy(np.ascontiguousarray(np.asarray(img).transpose(2, 0, 1)))
    return convert_image_dtype(out, dtype) if dtype != ember.uint8 else out


def _oriented_rectangle(draw, xy: list, color, width: int, fill) -> None:
    """A rotated box (x1, y1, ..., x4, y4): its first edge dashed (which marks the box's
    orientation), the other three solid, then the optional fill."""
    x, y = xy[0], xy[1]
    left = math.hypot(xy[2] - x, xy[3] - y)
    dash = True
    while left > 0:  # alternate 5-pixel dashes and gaps along the first edge
        step = min(left, 5)
        angle = math.atan2(xy[3] - y, xy[2] - x)
        ex, ey = x + math.cos(angle) * step, y + math.sin(angle) * step
        if dash:
            draw.line([(x, y), (ex, ey)], color, width, None)
        left -= step
        x, y, dash = ex, ey, not dash
    n = len(xy)
    for i in range(2, n, 2):
        draw.line(((xy[i], xy[i + 1]), (xy[(i + 2) % n], xy[(i + 3) % n])), width=width, fill=color)
    draw.polygon(xy, fill=fill, outline=None, width=0)


@no_grad()
def draw_bounding_boxes(
    image: Tensor,
    boxes: Tensor,
    labels: list[str] | None = None,
    colors=None,
    fill: bool | None = False,
    width: int = 1,
    font: str | None = None,
    font_size: int | None = None,
    label_colors=None,
    label_background_colors=None,
    fill_labels: bool = False,
) -> Tensor:
    """Draw (x1, y1, x2, y2) boxes, or rotated (x1, y1, ..., x4, y4) ones, optionally filled and
    labelled, on a (C, H, W) image (uint8, or float in [0, 1]); returns a new 3-channel image
    of the input's dtype.

    Labels use Pillow's default font unless ``font`` names a TrueType file.
    """
    from PIL import ImageDraw, ImageFont

    _check_image(image, rgb_only=False, what="Tensor expected")
    if boxes.shape[-1] == 4 and (
        bool((boxes[:, 0] > boxes[:, 2]).any()) or bool((boxes[:, 1] > boxes[:, 3]).any())
    ):
        raise ValueError(
            "Boxes need to be in (xmin, ymin, xmax, ymax) format. Use torchvision.ops.box_convert"
            " to convert them"
        )
    num_boxes = boxes.shape[0]
    if num_boxes == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn", stacklevel=2)
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(
            f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. Please specify "
            "labels for each box."
        )
    colors = _parse_colors(colors, num_boxes)
    if label_colors or fill_labels:
        label_colors = _parse_colors(label_colors if label_colors else "black", num_boxes)
    else:
        label_colors = list(colors)
    if fill_labels and label_background_colors:
        label_background_colors = _parse_colors(label_background_colors, num_boxes)
    else:
        label_background_colors = list(colors)
    if font is None:
        if font_size is not None:
            warnings.warn(
                "Argument 'font_size' will be ignored since 'font' is not set.", stacklevel=2
            )
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    dtype = image.dtype
    if image.shape[0] == 1:
        image = image.expand(3, -1, -1)
    pil = _to_pil(image)
    draw = ImageDraw.Draw(pil, "RGBA") if fill else ImageDraw.Draw(pil)
    rows = boxes.to(ember.int64).tolist()
    for bbox, color, label, lcolor, bg in zip(
        rows, colors, labels, label_colors, label_background_colors
    ):
        shade = (color + (100,)) if fill else None
        if len(bbox) > 4:
            _oriented_rectangle(draw, bbox, color, width, shade)
        else:
            draw.rectangle(bbox, width=width, outline=color, fill=shade)
        if label is not None:
            margin = width + 1  # the box line, then one pixel
            at = (bbox[0] + margin, bbox[1] + margin)
            if fill_labels:
                left, top, right, bottom = draw.textbbox(at, label, font=txt_font)
                draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=bg)
            draw.text(at, label, fill=lcolor, font=txt_font)
    return _from_pil(pil, dtype)


@no_grad()
def draw_segmentation_masks(
    image: Tensor, masks: Tensor, alpha: float = 0.8, colors=None
) -> Tensor:
    """Blend boolean masks (H, W) or (N, H, W) onto a (3, H, W) image: each mask's colour at
    ``alpha``; pixels under several masks turn black before blending."""
    _check_image(image, rgb_only=True)
    if masks.ndim == 2:
        masks = masks[None, :, :]
    if masks.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if masks.dtype != ember.bool:
        raise ValueError(f"The masks must be of dtype bool. Got {masks.dtype}")
    if tuple(masks.shape[-2:]) != tuple(image.shape[-2:]):
        raise ValueError("The image and the masks must have the same height and width")
    num_masks = masks.shape[0]
    if num_masks == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn", stacklevel=2)
        return image
    dtype = image.dtype
    m = masks.numpy()
    img = image.detach().numpy()
    colors = _parse_colors(colors, num_masks, floating=image.is_floating_point())
    painted = img.copy()
    for mask, color in zip(m, colors):
        painted[:, mask] = np.asarray(color, dtype=img.dtype)[:, None]
    painted[:, m.sum(axis=0) > 1] = 0
    # torch's type promotion: a uint8 image times a Python float computes in float32
    work = np.float32 if img.dtype == np.uint8 else img.dtype.type
    out = img.astype(work) * work(1 - alpha) + painted.astype(work) * work(alpha)
    return ember.from_numpy(out).to(dtype)


@no_grad()
def draw_keypoints(
    image: Tensor,
    keypoints: Tensor,
    connectivity: list[tuple[int, int]] | None = None,
    colors=None,
    radius: int = 2,
    width: int = 3,
    visibility: Tensor | None = None,
) -> Tensor:
    """Draw keypoints (N, K, 2) as discs of ``radius`` on a (3, H, W) image, joined by lines of
    ``width`` for the ``connectivity`` pairs; invisible points (``visibility`` False) are
    skipped with their lines."""
    from PIL import ImageDraw

    _check_image(image, rgb_only=True)
    if keypoints.ndim != 3:
        raise ValueError("keypoints must be of shape (num_instances, K, 2)")
    if visibility is None:
        visibility = ember.ones(tuple(keypoints.shape[:-1]), dtype=ember.bool)
    if visibility.ndim == 3:  # (N, K, 1), as split from predictions
        visibility = visibility.squeeze(-1)
    if visibility.ndim != 2:
        raise ValueError(
            f"visibility must be of shape (num_instances, K). Got ndim={visibility.ndim}"
        )
    if tuple(visibility.shape) != tuple(keypoints.shape[:-1]):
        raise ValueError(
            "keypoints and visibility must have the same dimensionality for num_instances and K. "
            f"Got visibility.shape={visibility.shape} and keypoints.shape={keypoints.shape}"
        )
    dtype = image.dtype
    pil = _to_pil(image)
    draw = ImageDraw.Draw(pil)
    for pts, vis in zip(keypoints.to(ember.int64).tolist(), visibility.bool().tolist()):
        for (x, y), seen in zip(pts, vis):
            if seen:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colors, width=0)
        for a, b in connectivity or ():
            if vis[a] and vis[b]:
                draw.line(((pts[a][0], pts[a][1]), (pts[b][0], pts[b][1])), width=width)
    return _from_pil(pil, dtype)
