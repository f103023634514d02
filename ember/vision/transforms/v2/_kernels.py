"""torchvision's per-type v2 kernels for images, videos and masks (``resize_image``,
``crop_mask``, ``adjust_hue_video``, ...), and the functionals of the newer v2 modules.

A kernel takes a plain tensor and returns one; each runs the v2 dispatcher's path for its type
(an image kernel the plain-tensor path, a mask kernel the ``Mask`` path), so both compute alike.
A video kernel is its image kernel, its input named ``video``.
"""

from __future__ import annotations

import warnings
from typing import Any

import ember
from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.tv_tensors import Mask

from .. import functional as _F
from ..functional import InterpolationMode
from . import functional as F
from ._geometry_extra import elastic, perspective
from ._misc_extra import jpeg, permute_channels, uniform_temporal_subsample

_NEAREST = InterpolationMode.NEAREST
_BILINEAR = InterpolationMode.BILINEAR


def _plain(t: Tensor) -> Tensor:
    return F._plain(t)


# -- images ----------------------------------------------------------------------------------
def adjust_brightness_image(image: Tensor, brightness_factor: float) -> Tensor:
    """Scale the brightness of a tensor image."""
    return F.adjust_brightness(_plain(image), brightness_factor)


def adjust_contrast_image(image: Tensor, contrast_factor: float) -> Tensor:
    """Blend a tensor image with its mean grey."""
    return F.adjust_contrast(_plain(image), contrast_factor)


def adjust_gamma_image(image: Tensor, gamma: float, gain: float = 1.0) -> Tensor:
    """``gain * v ** gamma`` on a tensor image."""
    return F.adjust_gamma(_plain(image), gamma, gain)


def adjust_hue_image(image: Tensor, hue_factor: float) -> Tensor:
    """Shift the hue of a tensor image."""
    return F.adjust_hue(_plain(image), hue_factor)


def adjust_saturation_image(image: Tensor, saturation_factor: float) -> Tensor:
    """Blend a tensor image with its greyscale."""
    return F.adjust_saturation(_plain(image), saturation_factor)


def adjust_sharpness_image(image: Tensor, sharpness_factor: float) -> Tensor:
    """Blend a tensor image with its smoothed version."""
    return F.adjust_sharpness(_plain(image), sharpness_factor)


def autocontrast_image(image: Tensor) -> Tensor:
    """Stretch each channel of a tensor image to the full value range."""
    return F.autocontrast(_plain(image))


def gaussian_blur_image(image: Tensor, kernel_size: list[int], sigma=None) -> Tensor:
    """Gaussian blur of a tensor image."""
    return F.gaussian_blur(_plain(image), kernel_size, sigma)


def gaussian_noise_image(image: Tensor, mean: float = 0.0, sigma: float = 0.1,
                         clip: bool = True) -> Tensor:  # fmt: skip
    """Add Gaussian noise to a tensor image."""
    return F.gaussian_noise(_plain(image), mean, sigma, clip)


def grayscale_to_rgb_image(image: Tensor) -> Tensor:
    """Repeat a one-channel tensor image to three channels."""
    return F.grayscale_to_rgb(_plain(image))


def rgb_to_grayscale_image(image: Tensor, num_output_channels: int = 1) -> Tensor:
    """The luma of an RGB tensor image, on 1 or 3 channels."""
    return F.rgb_to_grayscale(_plain(image), num_output_channels)


def normalize_image(image: Tensor, mean: list[float], std: list[float],
                    inplace: bool = False) -> Tensor:  # fmt: skip
    """``(image - mean) / std`` per channel of a float tensor image."""
    return F.normalize(_plain(image), mean, std, inplace)


def erase_image(image: Tensor, i: int, j: int, h: int, w: int, v: Tensor,
                inplace: bool = False) -> Tensor:  # fmt: skip
    """Overwrite the ``h x w`` region at ``(i, j)`` of a tensor image with ``v``."""
    return F.erase(_plain(image), i, j, h, w, v, inplace)


def to_dtype_image(image: Tensor, dtype=ember.float32, scale: bool = False) -> Tensor:
    """A tensor image as ``dtype``, its values rescaled to the new range when ``scale``."""
    return F.to_dtype(_plain(image), dtype, scale)


def permute_channels_image(image: Tensor, permutation: list[int]) -> Tensor:
    """The channels of a tensor image in the order ``permutation``."""
    return permute_channels(_plain(image), permutation)


def jpeg_image(image: Tensor, quality: int) -> Tensor:
    """A JPEG round trip of a uint8 tensor image at ``quality``."""
    return jpeg(_plain(image), quality)


def affine_image(image: Tensor, angle: int | float, translate: list[float], scale: float,
                 shear: list[float], interpolation=_NEAREST, fill=None,
                 center=None) -> Tensor:  # fmt: skip
    """Rotate, translate, scale and shear a tensor image about ``center``."""
    return F.affine(_plain(image), angle, translate, scale, shear, interpolation, fill, center)


def center_crop_image(image: Tensor, output_size: list[int]) -> Tensor:
    """The central ``output_size`` region of a tensor image."""
    return F.center_crop(_plain(image), output_size)


def crop_image(image: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """The ``height x width`` region of a tensor image at ``(top, left)``."""
    return F.crop(_plain(image), top, left, height, width)


def elastic_image(image: Tensor, displacement: Tensor, interpolation=_BILINEAR,
                  fill=None) -> Tensor:  # fmt: skip
    """Sample each pixel of a tensor image at its position plus ``displacement``."""
    return elastic(_plain(image), displacement, interpolation, fill)


def five_crop_image(image: Tensor, size: list[int]) -> tuple:
    """The four corner crops and the central crop of a tensor image."""
    return F.five_crop(_plain(image), size)


def ten_crop_image(image: Tensor, size: list[int], vertical_flip: bool = False) -> tuple:
    """``five_crop_image`` of a tensor image and of its mirror."""
    return F.ten_crop(_plain(image), size, vertical_flip)


def horizontal_flip_image(image: Tensor) -> Tensor:
    """Mirror a tensor image left-right."""
    return F.horizontal_flip(_plain(image))


def vertical_flip_image(image: Tensor) -> Tensor:
    """Mirror a tensor image top-bottom."""
    return F.vertical_flip(_plain(image))


def pad_image(image: Tensor, padding: list[int], fill=None,
              padding_mode: str = "constant") -> Tensor:  # fmt: skip
    """Pad the borders of a tensor image."""
    return F.pad(_plain(image), padding, fill, padding_mode)


def perspective_image(image: Tensor, startpoints, endpoints, interpolation=_BILINEAR, fill=None,
                      coefficients=None) -> Tensor:  # fmt: skip
    """Warp a tensor image by a homography (from point pairs or ``coefficients``)."""
    return perspective(_plain(image), startpoints, endpoints, interpolation, fill, coefficients)


def resize_image(image: Tensor, size, interpolation=_BILINEAR, max_size=None,
                 antialias: bool | None = True) -> Tensor:  # fmt: skip
    """Resize a tensor image to ``size``."""
    return F.resize(_plain(image), size, interpolation, max_size, antialias)


def resized_crop_image(image: Tensor, top: int, left: int, height: int, width: int,
                       size: list[int], interpolation=_BILINEAR,
                       antialias: bool | None = True) -> Tensor:  # fmt: skip
    """Crop a tensor image, then resize the crop to ``size``."""
    return F.resized_crop(_plain(image), top, left, height, width, size, interpolation, antialias)


def rotate_image(image: Tensor, angle: float, interpolation=_NEAREST, expand: bool = False,
                 center=None, fill=None) -> Tensor:  # fmt: skip
    """Rotate a tensor image counter-clockwise by ``angle`` degrees."""
    return F.rotate(_plain(image), angle, interpolation, expand, center, fill)


def get_dimensions_image(image: Tensor) -> list[int]:
    """``[channels, height, width]`` of a tensor image."""
    return F.get_dimensions(_plain(image))


def get_num_channels_image(image: Tensor) -> int:
    """The channel count of a tensor image."""
    return F.get_num_channels(_plain(image))


def get_size_image(image: Tensor) -> list[int]:
    """``[height, width]`` of a tensor image."""
    return F.get_size(_plain(image))


# -- videos ----------------------------------------------------------------------------------
def _video_kernel(image_kernel):
    """``image_kernel`` on a video ``[..., T, C, H, W]``: the image kernels run over any leading
    dims, so only the input's name changes."""

    def kernel(video, *args, **kwargs):
        return image_kernel(video, *args, **kwargs)

    kernel.__signature__ = F._signature_as(image_kernel, "video")
    kernel.__name__ = kernel.__qualname__ = image_kernel.__name__.replace("_image", "_video")
    kernel.__doc__ = f"``{image_kernel.__name__}`` on each frame of a video."
    return kernel


adjust_brightness_video = _video_kernel(adjust_brightness_image)
adjust_contrast_video = _video_kernel(adjust_contrast_image)
adjust_gamma_video = _video_kernel(adjust_gamma_image)
adjust_hue_video = _video_kernel(adjust_hue_image)
adjust_saturation_video = _video_kernel(adjust_saturation_image)
adjust_sharpness_video = _video_kernel(adjust_sharpness_image)
affine_video = _video_kernel(affine_image)
autocontrast_video = _video_kernel(autocontrast_image)
center_crop_video = _video_kernel(center_crop_image)
crop_video = _video_kernel(crop_image)
elastic_video = _video_kernel(elastic_image)
equalize_video = _video_kernel(F.equalize_image)
erase_video = _video_kernel(erase_image)
five_crop_video = _video_kernel(five_crop_image)
gaussian_blur_video = _video_kernel(gaussian_blur_image)
gaussian_noise_video = _video_kernel(gaussian_noise_image)
get_dimensions_video = _video_kernel(get_dimensions_image)
get_num_channels_video = _video_kernel(get_num_channels_image)
get_size_video = _video_kernel(get_size_image)
horizontal_flip_video = _video_kernel(horizontal_flip_image)
invert_video = _video_kernel(F.invert_image)
jpeg_video = _video_kernel(jpeg_image)
normalize_video = _video_kernel(normalize_image)
pad_video = _video_kernel(pad_image)
permute_channels_video = _video_kernel(permute_channels_image)
perspective_video = _video_kernel(perspective_image)
posterize_video = _video_kernel(F.posterize_image)
resize_video = _video_kernel(resize_image)
resized_crop_video = _video_kernel(resized_crop_image)
rotate_video = _video_kernel(rotate_image)
solarize_video = _video_kernel(F.solarize_image)
ten_crop_video = _video_kernel(ten_crop_image)
to_dtype_video = _video_kernel(to_dtype_image)
vertical_flip_video = _video_kernel(vertical_flip_image)


def get_num_frames_video(video: Tensor) -> int:
    """The frame count ``T`` of a video ``[..., T, C, H, W]``."""
    return video.shape[-4]


def get_num_frames(inpt: Tensor) -> int:
    """The frame count of a video (a ``Video`` or a plain ``[..., T, C, H, W]`` tensor)."""
    if isinstance(inpt, tv_tensors.Video) or F.is_pure_tensor(inpt):
        return get_num_frames_video(inpt)
    raise TypeError(f"get_num_frames() supports videos and plain tensors, but got {type(inpt)}")


def uniform_temporal_subsample_video(video: Tensor, num_samples: int) -> Tensor:
    """``num_samples`` equispaced frames of a video."""
    return uniform_temporal_subsample(_plain(video), num_samples)


# -- masks -----------------------------------------------------------------------------------
def _on_mask(dispatcher, mask: Tensor, *args, **kwargs) -> Tensor:
    """The dispatcher's ``Mask`` path (nearest sampling, channel dim added for ``[H, W]``)."""
    return _plain(dispatcher(tv_tensors._as_subclass(_plain(mask), Mask), *args, **kwargs))


def affine_mask(mask: Tensor, angle: int | float, translate: list[float], scale: float,
                shear: list[float], fill=None, center=None) -> Tensor:  # fmt: skip
    """Rotate, translate, scale and shear a mask (nearest sampling)."""
    return _on_mask(F.affine, mask, angle, translate, scale, shear, fill=fill, center=center)


def center_crop_mask(mask: Tensor, output_size: list[int]) -> Tensor:
    """The central ``output_size`` region of a mask."""
    return _on_mask(F.center_crop, mask, output_size)


def crop_mask(mask: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """The ``height x width`` region of a mask at ``(top, left)``."""
    return _on_mask(F.crop, mask, top, left, height, width)


def elastic_mask(mask: Tensor, displacement: Tensor, fill=None) -> Tensor:
    """Sample each pixel of a mask at its position plus ``displacement`` (nearest)."""
    return _on_mask(elastic, mask, displacement, fill=fill)


def horizontal_flip_mask(mask: Tensor) -> Tensor:
    """Mirror a mask left-right."""
    return _on_mask(F.horizontal_flip, mask)


def vertical_flip_mask(mask: Tensor) -> Tensor:
    """Mirror a mask top-bottom."""
    return _on_mask(F.vertical_flip, mask)


def pad_mask(mask: Tensor, padding: list[int], fill=None,
             padding_mode: str = "constant") -> Tensor:  # fmt: skip
    """Pad the borders of a mask (with 0 unless ``fill``)."""
    return _on_mask(F.pad, mask, padding, fill, padding_mode)


def perspective_mask(mask: Tensor, startpoints, endpoints, fill=None,
                     coefficients=None) -> Tensor:  # fmt: skip
    """Warp a mask by a homography (nearest sampling)."""
    return _on_mask(perspective, mask, startpoints, endpoints, fill=fill,
                    coefficients=coefficients)  # fmt: skip


def resize_mask(mask: Tensor, size, interpolation=_BILINEAR, max_size=None) -> Tensor:
    """Resize a mask: nearest-exact when asked for, nearest for every other mode."""
    if F._mode(interpolation) != InterpolationMode.NEAREST_EXACT:
        return _on_mask(F.resize, mask, size, max_size=max_size)
    out = F._output_size(*mask.shape[-2:], size, max_size)
    exact = InterpolationMode.NEAREST_EXACT
    return F._on_mask(lambda x: _F.resize(x, out, exact, None, False), mask)


def resized_crop_mask(mask: Tensor, top: int, left: int, height: int, width: int,
                      size: list[int]) -> Tensor:  # fmt: skip
    """Crop a mask, then resize the crop to ``size`` (nearest)."""
    return _on_mask(F.resized_crop, mask, top, left, height, width, size)


def rotate_mask(mask: Tensor, angle: float, expand: bool = False, center=None,
                fill=None) -> Tensor:  # fmt: skip
    """Rotate a mask counter-clockwise by ``angle`` degrees (nearest sampling)."""
    return _on_mask(F.rotate, mask, angle, expand=expand, center=center, fill=fill)


def get_size_mask(mask: Tensor) -> list[int]:
    """``[height, width]`` of a mask."""
    return list(mask.shape[-2:])


# -- deprecated names ------------------------------------------------------------------------
def to_tensor(inpt: Any) -> Tensor:
    """Deprecated: v1 ``to_tensor``."""
    warnings.warn(
        "The function `to_tensor(...)` is deprecated and will be removed in a future release. "
        "Instead, please use `to_image(...)` followed by `to_dtype(..., dtype=torch.float32, "
        "scale=True)`.",
        stacklevel=2,
    )
    return _F.to_tensor(inpt)


def get_image_size(inpt: Tensor) -> list[int]:
    """Deprecated: ``[width, height]`` (``get_size`` gives ``[height, width]``)."""
    warnings.warn(
        "The function `get_image_size(...)` is deprecated and will be removed in a future "
        "release. Instead, please use `get_size(...)` which returns `[h, w]` instead of `[w, h]`.",
        stacklevel=2,
    )
    return F.get_size(inpt)[::-1]


elastic_transform = elastic

__all__ = [
    "adjust_brightness_image",
    "adjust_brightness_video",
    "adjust_contrast_image",
    "adjust_contrast_video",
    "adjust_gamma_image",
    "adjust_gamma_video",
    "adjust_hue_image",
    "adjust_hue_video",
    "adjust_saturation_image",
    "adjust_saturation_video",
    "adjust_sharpness_image",
    "adjust_sharpness_video",
    "affine_image",
    "affine_mask",
    "affine_video",
    "autocontrast_image",
    "autocontrast_video",
    "center_crop_image",
    "center_crop_mask",
    "center_crop_video",
    "crop_image",
    "crop_mask",
    "crop_video",
    "elastic",
    "elastic_image",
    "elastic_mask",
    "elastic_transform",
    "elastic_video",
    "equalize_video",
    "erase_image",
    "erase_video",
    "five_crop_image",
    "five_crop_video",
    "gaussian_blur_image",
    "gaussian_blur_video",
    "gaussian_noise_image",
    "gaussian_noise_video",
    "get_dimensions_image",
    "get_dimensions_video",
    "get_image_size",
    "get_num_channels_image",
    "get_num_channels_video",
    "get_num_frames",
    "get_num_frames_video",
    "get_size_image",
    "get_size_mask",
    "get_size_video",
    "grayscale_to_rgb_image",
    "horizontal_flip_image",
    "horizontal_flip_mask",
    "horizontal_flip_video",
    "invert_video",
    "jpeg",
    "jpeg_image",
    "jpeg_video",
    "normalize_image",
    "normalize_video",
    "pad_image",
    "pad_mask",
    "pad_video",
    "permute_channels",
    "permute_channels_image",
    "permute_channels_video",
    "perspective",
    "perspective_image",
    "perspective_mask",
    "perspective_video",
    "posterize_video",
    "resize_image",
    "resize_mask",
    "resize_video",
    "resized_crop_image",
    "resized_crop_mask",
    "resized_crop_video",
    "rgb_to_grayscale_image",
    "rotate_image",
    "rotate_mask",
    "rotate_video",
    "solarize_video",
    "ten_crop_image",
    "ten_crop_video",
    "to_dtype_image",
    "to_dtype_video",
    "to_tensor",
    "uniform_temporal_subsample",
    "uniform_temporal_subsample_video",
    "vertical_flip_image",
    "vertical_flip_mask",
    "vertical_flip_video",
]
