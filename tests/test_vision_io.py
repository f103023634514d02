"""ember.vision.io: PNG/JPEG decoding and encoding to uint8 (C, H, W) tensors.

torchvision's image extension (its libpng/libjpeg decoders) cannot load here, so its Python
layer serves only for the enum; pixel values are checked against the arrays the files were
made from (PNG is lossless: exactly what torchvision returns) and JPEG within a tolerance.
"""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
import torch
from conftest import import_torchvision
from PIL import Image

import ember
from ember.vision import io as eio

tvio = import_torchvision().io


def _png(arr):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def _rng_img(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _chw(arr):
    return arr.transpose(2, 0, 1) if arr.ndim == 3 else arr[None]


def test_image_read_mode_matches_torchvision():
    assert [(m.name, m.value) for m in eio.ImageReadMode] == [
        (m.name, m.value) for m in tvio.ImageReadMode
    ]
    assert eio.ImageReadMode.RGBA is eio.ImageReadMode.RGB_ALPHA


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 2), (5, 7, 3), (5, 7, 4)])
def test_decode_png_unchanged_exact(shape):
    arr = _rng_img(shape)
    out = eio.decode_png(_png(arr))
    assert out.dtype == ember.uint8 and out.shape == _chw(arr).shape
    np.testing.assert_array_equal(out.numpy(), _chw(arr))
    np.testing.assert_array_equal(eio.decode_image(_png(arr)).numpy(), _chw(arr))


def test_decode_png_modes():
    rgba = _rng_img((4, 6, 4), 1)
    data = _png(rgba)
    rgb = eio.decode_png(data, eio.ImageReadMode.RGB).numpy()
    np.testing.assert_array_equal(rgb, _chw(rgba[..., :3]))
    np.testing.assert_array_equal(eio.decode_png(data, "rgb_alpha").numpy(), _chw(rgba))
    gray = eio.decode_png(data, eio.ImageReadMode.GRAY).numpy()
    r, g, b = (rgba[..., i].astype(np.int64) for i in range(3))
    # libpng's default weights: 0.212671, 0.715160, 0.072169 in 1/32768ths, truncated
    want = (6968 * r + 23434 * g + 2366 * b) // 32768
    np.testing.assert_array_equal(gray, want[None])
    ga = eio.decode_png(data, eio.ImageReadMode.GRAY_ALPHA).numpy()
    np.testing.assert_array_equal(ga, np.stack([want, rgba[..., 3]]))
    # gray images grow to RGB and gain an opaque alpha
    g1 = _rng_img((3, 5), 2)
    np.testing.assert_array_equal(eio.decode_png(_png(g1), "RGB").numpy(), np.stack([g1] * 3))
    np.testing.assert_array_equal(
        eio.decode_png(_png(g1), "GRAY_ALPHA").numpy(), np.stack([g1, np.full_like(g1, 255)])
    )
    np.testing.assert_array_equal(eio.decode_png(_png(g1), "GRAY").numpy(), g1[None])


def test_decode_png_palette_bits_and_16bit():
    pal = Image.fromarray(_rng_img((4, 4, 3), 3)).quantize(8)
    buf = io.BytesIO()
    pal.save(buf, format="PNG")
    data = ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())
    want = np.asarray(pal.convert("RGB")).transpose(2, 0, 1)
    np.testing.assert_array_equal(eio.decode_png(data).numpy(), want)
    bits = _rng_img((6, 9), 4) > 127
    out = eio.decode_png(_png(bits))
    np.testing.assert_array_equal(out.numpy(), bits[None].astype(np.uint8) * 255)
    deep = np.random.default_rng(5).integers(0, 65536, (3, 4)).astype(np.uint16)
    with pytest.raises(RuntimeError, match="uint16"):  # Ember has no uint16 dtype
        eio.decode_png(_png(deep))


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("level", [0, 6, 9])
def test_encode_png_round_trip(channels, level, tmp_path):
    img = ember.from_numpy(_rng_img((channels, 8, 5), 6))
    data = eio.encode_png(img, level)
    assert data.dtype == ember.uint8 and data.dim() == 1
    decoded = np.asarray(Image.open(io.BytesIO(data.numpy().tobytes())))
    np.testing.assert_array_equal(_chw(decoded), img.numpy())
    path = tmp_path / "x.png"
    eio.write_png(img, str(path), level)
    np.testing.assert_array_equal(eio.read_image(path).numpy(), img.numpy())
    np.testing.assert_array_equal(eio.read_file(path).numpy(), data.numpy())


def _smooth(h=32, w=40):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 6, y * 7, (x + y) * 3], axis=-1).clip(0, 255).astype(np.uint8)


@pytest.mark.parametrize("quality", [50, 75, 95])
def test_jpeg_round_trip_within_tolerance(quality, tmp_path):
    rgb = _smooth()
    img = ember.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))
    data = eio.encode_jpeg(img, quality)
    assert bytes(data[:3].numpy()) == b"\xff\xd8\xff"
    out = eio.decode_jpeg(data)
    assert out.dtype == ember.uint8 and out.shape == (3, 32, 40)
    err = np.abs(out.numpy().astype(int) - img.numpy().astype(int))
    assert err.mean() < (4 if quality < 90 else 2)
    # the same decoder Pillow uses gives the same pixels
    ref = np.asarray(Image.open(io.BytesIO(data.numpy().tobytes()))).transpose(2, 0, 1)
    np.testing.assert_array_equal(out.numpy(), ref)
    gray = eio.decode_jpeg(data, eio.ImageReadMode.GRAY)
    assert gray.shape == (1, 32, 40)
    luma = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    assert np.abs(gray.numpy()[0] - luma).mean() < 4
    path = tmp_path / "x.jpg"
    eio.write_jpeg(img, path, quality)
    np.testing.assert_array_equal(eio.read_image(str(path)).numpy(), out.numpy())
    assert isinstance(eio.encode_jpeg([img, img]), list)
    assert len(eio.decode_jpeg([data, data])) == 2
    g1 = ember.from_numpy(np.ascontiguousarray(rgb[None, ..., 1]))
    one = eio.decode_jpeg(eio.encode_jpeg(g1, quality))
    assert one.shape == (1, 32, 40)
    assert eio.decode_jpeg(eio.encode_jpeg(g1), "RGB").shape == (3, 32, 40)


def test_read_write_file(tmp_path):
    data = ember.from_numpy(_rng_img((37,), 7))
    eio.write_file(str(tmp_path / "b.bin"), data)
    back = eio.read_file(tmp_path / "b.bin")
    assert back.dtype == ember.uint8
    np.testing.assert_array_equal(back.numpy(), data.numpy())


def test_errors():
    png = _png(_rng_img((3, 3, 3)))
    with pytest.raises(RuntimeError, match="Content is not png"):
        eio.decode_png(ember.from_numpy(np.arange(20, dtype=np.uint8)))
    with pytest.raises(RuntimeError, match="Not a JPEG file"):
        eio.decode_jpeg(png)
    with pytest.raises(RuntimeError, match="uint8"):
        eio.decode_png(png.float())
    with pytest.raises(RuntimeError, match="Unsupported image file"):
        eio.decode_image(ember.zeros(16, dtype=ember.uint8))
    img = ember.zeros(3, 4, 4, dtype=ember.uint8)
    with pytest.raises(RuntimeError, match="Compression level"):
        eio.encode_png(img, 10)
    with pytest.raises(ValueError, match="between 1 and 100"):
        eio.encode_jpeg(img, 0)
    with pytest.raises(ValueError, match="at least one input tensor"):
        eio.encode_jpeg([])
    with pytest.raises(RuntimeError, match="number of channels should be 1 or 3"):
        eio.encode_png(ember.zeros(2, 4, 4, dtype=ember.uint8))
    with pytest.raises(RuntimeError, match="dtype should be uint8"):
        eio.encode_jpeg(ember.zeros(3, 4, 4))
    with pytest.raises(RuntimeError, match="dimensions should be 3"):
        eio.encode_png(ember.zeros(4, 4, dtype=ember.uint8))
    jpg = eio.encode_jpeg(img)
    with pytest.raises(RuntimeError, match="not supported for JPEG"):
        eio.decode_jpeg(jpg, eio.ImageReadMode.RGB_ALPHA)
    with pytest.raises(KeyError):
        eio.decode_png(png, "CMYK")


def test_missing_pillow_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="needs Pillow"):
        eio.encode_png(ember.zeros(3, 2, 2, dtype=ember.uint8))


# drawing (ember.vision.utils) vs torchvision.utils: both draw with the same Pillow ------------

tv_utils = import_torchvision().utils


def _img(c=3, h=40, w=50, seed=0, floating=False):
    arr = _rng_img((c, h, w), seed)
    t = torch.from_numpy(arr.copy())
    return (
        (t.float() / 255, ember.from_numpy(arr).float() / 255)
        if floating
        else (
            t,
            ember.from_numpy(arr),
        )
    )


def _same(e, t):
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_array_equal(e.numpy(), t.numpy())


BOXES = [[2.0, 3.0, 20.0, 30.0], [10.5, 5.2, 45.9, 38.0], [0.0, 0.0, 5.0, 5.0]]


@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(colors="red", width=3),
        dict(colors=[(255, 0, 0), "blue", "#00ff00"], fill=True),
        dict(labels=["cat", "dog", "x"]),
        dict(labels=["cat", "dog", "x"], fill_labels=True, label_colors="white", width=2),
        dict(labels=["a", "b", "c"], fill_labels=True, label_background_colors=["red"] * 3),
    ],
)
@pytest.mark.parametrize("channels,floating", [(3, False), (1, False), (3, True)])
def test_draw_bounding_boxes(kw, channels, floating):
    t_img, e_img = _img(channels, floating=floating)
    boxes = torch.tensor(BOXES)
    t_out = tv_utils.draw_bounding_boxes(t_img, boxes, **kw)
    e_out = ember.vision.utils.draw_bounding_boxes(e_img, ember.tensor(BOXES), **kw)
    if floating:
        np.testing.assert_allclose(e_out.numpy(), t_out.numpy(), atol=1e-6)
        assert e_out.dtype == ember.float32
    else:
        _same(e_out, t_out)


@pytest.mark.parametrize("kw", [{}, dict(fill=True, width=2, labels=["r", "s"])])
def test_draw_rotated_bounding_boxes(kw):
    t_img, e_img = _img(3, 60, 60, seed=2)
    rot = [[5.0, 10.0, 40.0, 3.5, 47.0, 38.0, 12.0, 44.5], [30, 30, 50, 30, 50, 45, 30, 45.0]]
    t_out = tv_utils.draw_bounding_boxes(t_img, torch.tensor(rot), **kw)
    e_out = ember.vision.utils.draw_bounding_boxes(e_img, ember.tensor(rot), **kw)
    _same(e_out, t_out)


@pytest.mark.parametrize("floating", [False, True])
@pytest.mark.parametrize("alpha,colors", [(0.8, None), (0.3, "green"), (1.0, [(9, 8, 7), "red"])])
def test_draw_segmentation_masks(floating, alpha, colors):
    t_img, e_img = _img(3, 12, 15, seed=3, floating=floating)
    rng = np.random.default_rng(4)
    masks = rng.uniform(size=(2, 12, 15)) > 0.5
    t_out = tv_utils.draw_segmentation_masks(t_img, torch.from_numpy(masks), alpha, colors)
    e_out = ember.vision.utils.draw_segmentation_masks(e_img, ember.tensor(masks), alpha, colors)
    if floating:
        np.testing.assert_allclose(e_out.numpy(), t_out.numpy(), atol=1e-6)
    else:
        _same(e_out, t_out)
    one = masks[0]
    _same(
        ember.vision.utils.draw_segmentation_masks(_img(3, 12, 15)[1], ember.tensor(one)),
        tv_utils.draw_segmentation_masks(_img(3, 12, 15)[0], torch.from_numpy(one)),
    )


@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(colors="red", radius=4),
        dict(connectivity=[(0, 1), (1, 2)], colors=(0, 255, 0), width=2),
        dict(connectivity=[(0, 1), (1, 2)], visibility=[[True, False, True], [True] * 3]),
    ],
)
def test_draw_keypoints(kw):
    t_img, e_img = _img(3, 30, 30, seed=5)
    kp = [[[3.0, 4.0], [20.5, 10.2], [15.0, 25.0]], [[28.0, 2.0], [1.0, 29.0], [14.0, 14.0]]]
    kw_t, kw_e = dict(kw), dict(kw)
    if "visibility" in kw:
        kw_t["visibility"] = torch.tensor(kw["visibility"])
        kw_e["visibility"] = ember.tensor(kw["visibility"])
    t_out = tv_utils.draw_keypoints(t_img, torch.tensor(kp), **kw_t)
    e_out = ember.vision.utils.draw_keypoints(e_img, ember.tensor(kp), **kw_e)
    _same(e_out, t_out)


_BOX = [[0.0, 0, 1, 1]]
DRAW_ERRORS = [
    ("draw_bounding_boxes", 3, [[5.0, 0, 1, 1]], "float32", {}, False),
    ("draw_bounding_boxes", 2, _BOX, "float32", {}, False),
    ("draw_bounding_boxes", 3, _BOX, "float32", dict(labels=["a", "b"]), False),
    ("draw_bounding_boxes", 3, _BOX, "float32", dict(colors=[]), False),
    ("draw_bounding_boxes", 3, _BOX, "float32", {}, True),
    ("draw_segmentation_masks", 3, np.ones((8, 8)).tolist(), "float32", {}, False),
    ("draw_segmentation_masks", 3, np.ones((8, 7)).tolist(), "bool", {}, False),
    ("draw_keypoints", 3, [[0.0, 0.0], [1.0, 1.0]], "float32", {}, False),
    ("draw_keypoints", 2, [[[0.0, 0.0], [1.0, 1.0]]], "float32", {}, False),
]


@pytest.mark.parametrize("fn,channels,second,dtype,kw,int_image", DRAW_ERRORS)
def test_draw_errors(fn, channels, second, dtype, kw, int_image):
    def call(lib, utils):
        img = lib.from_numpy(_rng_img((channels, 8, 8)))
        img = img.int() if int_image else img
        return getattr(utils, fn)(img, lib.tensor(second, dtype=getattr(lib, dtype)), **kw)

    with pytest.raises(ValueError) as te:
        call(torch, tv_utils)
    with pytest.raises(ValueError) as ee:
        call(ember, ember.vision.utils)
    assert str(ee.value) == str(te.value).replace("torch.", "ember.")


def test_draw_nothing_warns():
    e3 = ember.zeros(3, 4, 4, dtype=ember.uint8)
    with pytest.warns(UserWarning, match="No box was drawn"):
        assert ember.vision.utils.draw_bounding_boxes(e3, ember.zeros(0, 4)) is e3


@pytest.mark.parametrize(
    "shape,kw",
    [((4, 3, 6, 5), dict(nrow=3, padding=1, normalize=True)), ((2, 1, 7, 7), dict(pad_value=0.7))],
)
def test_save_image_reads_back_as_torchvision_writes(shape, kw, tmp_path):
    x = np.random.default_rng(6).uniform(-0.2, 1.2, shape).astype(np.float32)
    tv_utils.save_image(torch.from_numpy(x), tmp_path / "t.png", **kw)
    ember.vision.utils.save_image(ember.from_numpy(x.copy()), tmp_path / "e.png", **kw)
    _same(
        eio.read_image(tmp_path / "e.png"),
        torch.from_numpy(np.asarray(Image.open(tmp_path / "t.png")).transpose(2, 0, 1).copy()),
    )
    _same(
        ember.vision.utils.make_grid(ember.from_numpy(x.copy()), **kw),
        tv_utils.make_grid(torch.from_numpy(x), **kw),
    )


def test_apply_exif_orientation():
    rgb = _smooth(8, 12)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", exif=exif)
    data = ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())
    np.testing.assert_array_equal(eio.decode_png(data).numpy(), rgb.transpose(2, 0, 1))
    turned = eio.decode_image(data, apply_exif_orientation=True).numpy()
    np.testing.assert_array_equal(turned, np.rot90(rgb, -1).transpose(2, 0, 1))
