"""Image files as tensors (torchvision.io): read, decode and encode PNG and JPEG as uint8
(C, H, W) tensors. Decoding and encoding go through Pillow (``pip install ember[vision]``)."""

from __future__ import annotations

import io as _io
import os
from enum import Enum

import numpy as np

import ember
from ember._tensor import Tensor

__all__ = [
    "ImageReadMode",
    "read_file",
    "write_file",
    "decode_png",
    "encode_png",
    "write_png",
    "decode_jpeg",
    "encode_jpeg",
    "write_jpeg",
    "decode_image",
    "read_image",
]


class ImageReadMode(Enum):
    """Channels to decode to: UNCHANGED keeps the file's; GRAY, GRAY_ALPHA, RGB, RGB_ALPHA."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


def _pil():
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:
        raise ImportError(
            "ember.vision.io needs Pillow to decode and encode images: pip install 'ember[vision]'"
            " (or pip install pillow)"
        ) from exc
    return Image, ImageOps


def read_file(path) -> Tensor:
    """The bytes of a file as a one-dimensional uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return ember.from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data: Tensor) -> None:
    """Write a one-dimensional uint8 tensor's bytes to ``filename``."""
    _check_bytes(data)
    with open(os.fspath(filename), "wb") as f:
        f.write(data.numpy().tobytes())


def _check_bytes(data) -> None:
    if not isinstance(data, Tensor):
        raise TypeError(f"Expected a Tensor, got {type(data)}")
    if data.dtype != ember.uint8:
        raise RuntimeError("Expected a torch.uint8 tensor")
    if data.dim() != 1 or data.numel() == 0:
        raise RuntimeError("Expected a non empty 1-dimensional tensor")


def _mode(mode) -> ImageReadMode:
    return ImageReadMode[mode.upper()] if isinstance(mode, str) else mode


def _gray_png(rgb: np.ndarray) -> np.ndarray:
    # libpng's rgb_to_gray with its default (sRGB) weights in 1/32768ths, truncated
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    return ((6968 * r + 23434 * g + 2366 * b) >> 15).astype(rgb.dtype)


def _to_chw(img, mode: ImageReadMode, is_jpeg: bool) -> Tensor:
    """Pillow image -> (C, H, W) tensor with the channels ``mode`` asks for."""
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif img.mode == "1":
        img = img.convert("L")
    elif img.mode == "PA":
        img = img.convert("RGBA")
    elif img.mode == "CMYK":
        img = img.convert("RGB")
    if img.mode.startswith("I") or img.mode == "F":
        # torchvision gives 16-bit PNGs as uint16, a dtype Ember does not have
        raise RuntimeError(
            f"Ember cannot decode {img.mode} images: 16-bit PNGs decode to uint16 in torchvision, "
            "which Ember has no dtype for"
        )
    arr = np.asarray(img)
    if arr.ndim == 2:
        arr = arr[..., None]
    color = arr.shape[2] >= 3
    alpha = arr.shape[2] in (2, 4)
    if mode == ImageReadMode.UNCHANGED:
        out = arr
    else:
        if is_jpeg and mode in (ImageReadMode.GRAY_ALPHA, ImageReadMode.RGB_ALPHA):
            raise RuntimeError("The provided mode is not supported for JPEG files")
        if mode in (ImageReadMode.GRAY, ImageReadMode.GRAY_ALPHA):
            gray = (_gray_png(arr) if color else arr[..., 0])[..., None]
            parts = [gray]
        else:
            rgb = arr[..., :3] if color else np.repeat(arr[..., :1], 3, axis=2)
            parts = [rgb]
        if mode in (ImageReadMode.GRAY_ALPHA, ImageReadMode.RGB_ALPHA):
            full = np.iinfo(arr.dtype).max
            parts.append(arr[..., -1:] if alpha else np.full(arr.shape[:2] + (1,), full, arr.dtype))
        out = np.concatenate(parts, axis=2)
    return ember.from_numpy(np.ascontiguousarray(out.transpose(2, 0, 1)))


def _open(data: Tensor, exif: bool):
    Image, ImageOps = _pil()
    img = Image.open(_io.BytesIO(data.numpy().tobytes()))
    img.load()
    return ImageOps.exif_transpose(img) if exif else img


def _is_png(raw: bytes) -> bool:
    return raw[:8] == b"\x89PNG\r\n\x1a\n"


def _is_jpeg(raw: bytes) -> bool:
    return raw[:3] == b"\xff\xd8\xff"


def decode_png(
    input: Tensor,  # noqa: A002
    mode: ImageReadMode = ImageReadMode.UNCHANGED,
    apply_exif_orientation: bool = False,
) -> Tensor:
    """Decode PNG bytes (a 1-D uint8 tensor) to a (C, H, W) uint8 tensor (8-bit PNGs only)."""
    _check_bytes(input)
    if not _is_png(input[:8].numpy().tobytes()):
        raise RuntimeError("Content is not png")
    return _to_chw(_open(input, apply_exif_orientation), _mode(mode), is_jpeg=False)


def decode_jpeg(
    input,  # noqa: A002
    mode: ImageReadMode = ImageReadMode.UNCHANGED,
    device="cpu",
    apply_exif_orientation: bool = False,
):
    """Decode JPEG bytes (a 1-D uint8 tensor, or a list of them) to (C, H, W) uint8 tensors."""
    if str(device) != "cpu":
        raise RuntimeError("Ember decodes JPEG on the CPU only")
    if isinstance(input, list):
        if len(input) == 0:
            raise ValueError("Input list must contain at least one element")
        if not all(isinstance(t, Tensor) for t in input):
            raise ValueError("All elements of the input list must be tensors.")
        return [decode_jpeg(t, mode, device, apply_exif_orientation) for t in input]
    _check_bytes(input)
    mode = _mode(mode)
    raw = input[:3].numpy().tobytes()
    if not _is_jpeg(raw):
        raise RuntimeError(f"Not a JPEG file: starts with 0x{raw[0]:02x} 0x{raw[1]:02x}")
    img = _open(input, apply_exif_orientation)
    if mode == ImageReadMode.GRAY and img.mode != "L":
        # the decoder's own grayscale output (the luma plane), as libjpeg's
        img = _open_draft_gray(input, apply_exif_orientation)
    return _to_chw(img, mode, is_jpeg=True)


def _open_draft_gray(data: Tensor, exif: bool):
    Image, ImageOps = _pil()
    img = Image.open(_io.BytesIO(data.numpy().tobytes()))
    img.draft("L", img.size)
    img.load()
    return ImageOps.exif_transpose(img) if exif else img


def _check_image(input: Tensor) -> np.ndarray:  # noqa: A002
    if input.dtype != ember.uint8:
        raise RuntimeError("Input tensor dtype should be uint8")
    if input.dim() != 3:
        raise RuntimeError("Input tensor dimensions should be 3")
    channels = input.shape[0]
    if channels not in (1, 3):
        raise RuntimeError(f"The number of channels should be 1 or 3, got: {channels}")
    arr = np.ascontiguousarray(input.detach().numpy().transpose(1, 2, 0))
    return arr[..., 0] if channels == 1 else arr


def _encode(arr: np.ndarray, fmt: str, **options) -> Tensor:
    Image, _ = _pil()
    buf = _io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt, **options)
    return ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:  # noqa: A002
    """Encode a (C, H, W) uint8 image (1 or 3 channels) as PNG bytes (1-D uint8 tensor)."""
    if compression_level < 0 or compression_level > 9:
        raise RuntimeError("Compression level should be between 0 and 9")
    return _encode(_check_image(input), "PNG", compress_level=int(compression_level))


def write_png(input: Tensor, filename, compression_level: int = 6) -> None:  # noqa: A002
    """Encode a (C, H, W) uint8 image as PNG and write it to ``filename``."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality: int = 75):  # noqa: A002
    """Encode (C, H, W) uint8 images (1 or 3 channels; a tensor or a list) as JPEG bytes."""
    if quality < 1 or quality > 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if isinstance(input, list):
        if not input:
            raise ValueError("encode_jpeg requires at least one input tensor when a list is passed")
        return [encode_jpeg(t, quality) for t in input]
    return _encode(_check_image(input), "JPEG", quality=int(quality))


def write_jpeg(input: Tensor, filename, quality: int = 75) -> None:  # noqa: A002
    """Encode a (C, H, W) uint8 image as JPEG and write it to ``filename``."""
    write_file(filename, encode_jpeg(input, quality))


def decode_image(
    input,  # noqa: A002
    mode: ImageReadMode = ImageReadMode.UNCHANGED,
    apply_exif_orientation: bool = False,
) -> Tensor:
    """Decode image bytes (or the file at a path) to a (C, H, W) uint8 tensor: PNG and JPEG,
    and GIF/WebP through Pillow."""
    if not isinstance(input, Tensor):
        input = read_file(input)  # noqa: A001
    _check_bytes(input)
    raw = input[:12].numpy().tobytes()
    if _is_png(raw):
        return decode_png(input, mode, apply_exif_orientation)
    if _is_jpeg(raw):
        return decode_jpeg(input, mode, apply_exif_orientation=apply_exif_orientation)
    if raw[:4] == b"GIF8" or (raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"):
        return _to_chw(_open(input, False), _mode(mode), is_jpeg=False)
    raise RuntimeError(
        "Unsupported image file. Only jpeg, png, webp and gif are currently supported."
    )


def read_image(
    path,
    mode: ImageReadMode = ImageReadMode.UNCHANGED,
    apply_exif_orientation: bool = False,
) -> Tensor:
    """Read and decode the image file at ``path`` (see ``decode_image``)."""
    return decode_image(read_file(path), mode, apply_exif_orientation=apply_exif_orientation)
