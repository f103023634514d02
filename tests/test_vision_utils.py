"""ember.vision.utils (make_grid, save_image) vs torchvision 0.28; ember.onnx."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from conftest import import_torchvision
from helpers import assert_close, to_ember
from PIL import Image

import ember
from ember.vision.utils import make_grid, save_image

tv_utils = import_torchvision().utils


def _images(shape, seed=0, low=-1.0, high=2.0):
    return torch.tensor(np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32))


GRID_CASES = [
    ((5, 3, 4, 6), {}),
    ((5, 3, 4, 6), dict(nrow=2, padding=1, pad_value=0.5)),
    ((7, 1, 5, 5), dict(nrow=3)),
    ((4, 3, 3, 3), dict(padding=0)),
    ((6, 3, 4, 4), dict(normalize=True)),
    ((6, 3, 4, 4), dict(normalize=True, scale_each=True, nrow=4)),
    ((6, 3, 4, 4), dict(normalize=True, value_range=(-0.5, 0.5))),
    ((6, 3, 4, 4), dict(normalize=True, value_range=(0.0, 1.0), scale_each=True)),
    ((6, 4, 4, 4), dict(nrow=10, padding=3)),
    ((1, 3, 4, 5), {}),
    ((1, 1, 4, 5), dict(normalize=True)),
    ((3, 4, 5), {}),
    ((1, 4, 5), {}),
    ((4, 5), {}),
    ((9, 2, 3, 3), dict(nrow=4, pad_value=1.0)),
]


@pytest.mark.parametrize("shape,kw", GRID_CASES, ids=str)
def test_make_grid_matches_torchvision(shape, kw):
    t = _images(shape)
    assert_close(make_grid(to_ember(t), **kw), tv_utils.make_grid(t, **kw), atol=0, rtol=0)


def test_make_grid_list_input_and_input_untouched():
    ts = [_images((3, 4, 4), seed=i) for i in range(3)]
    es = [to_ember(t) for t in ts]
    assert_close(
        make_grid(es, nrow=2, normalize=True),
        tv_utils.make_grid(ts, nrow=2, normalize=True),
        atol=0,
        rtol=0,
    )
    for e, t in zip(es, ts):  # normalize works on a copy
        assert_close(e, t, atol=0, rtol=0)


def test_make_grid_float64_records_no_graph():
    t = _images((3, 3, 2, 2)).double().requires_grad_()
    e = to_ember(t)
    tg = tv_utils.make_grid(t, nrow=2, padding=1)
    eg = make_grid(e, nrow=2, padding=1)
    assert_close(eg, tg)
    assert eg.requires_grad is tg.requires_grad is False


def test_make_grid_errors():
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(ember.zeros(2, 3, 4, 4), normalize=True, value_range=[0, 1])


def _pixels(fn, tensor, **kw):
    buf = io.BytesIO()
    fn(tensor, buf, format="PNG", **kw)
    buf.seek(0)
    return np.asarray(Image.open(buf))


@pytest.mark.parametrize(
    "shape,kw",
    [
        ((6, 3, 5, 5), {}),
        ((4, 1, 6, 6), dict(nrow=2)),
        ((3, 5, 5), {}),
        ((8, 3, 4, 4), dict(normalize=True, padding=1)),
    ],
    ids=str,
)
def test_save_image_pixels_match_torchvision(shape, kw):
    t = _images(shape, low=-0.2, high=1.2)  # values outside [0, 1] test the clamping
    ep = _pixels(save_image, to_ember(t), **kw)
    tp = _pixels(tv_utils.save_image, t, **kw)
    assert ep.dtype == tp.dtype == np.uint8
    np.testing.assert_array_equal(ep, tp)


def test_save_image_to_path_with_requires_grad(tmp_path):
    t = _images((4, 3, 4, 4), low=0, high=1)
    e = to_ember(t).requires_grad_()
    save_image(e, tmp_path / "e.png")
    tv_utils.save_image(t, tmp_path / "t.png")
    e_img = np.asarray(Image.open(tmp_path / "e.png"))
    np.testing.assert_array_equal(e_img, np.asarray(Image.open(tmp_path / "t.png")))
    assert e_img.shape == (8, 26, 3)  # one row of four 4x4 images, 2 px apart
    save_image(e, tmp_path / "e.jpg")
    assert Image.open(tmp_path / "e.jpg").format == "JPEG"


def test_vision_utils_reachable_as_torchvision_utils():
    import ember.vision

    assert ember.vision.utils.make_grid is make_grid


def test_onnx_import_and_export_message():
    import ember.onnx

    assert ember.onnx.is_in_onnx_export() is False
    with pytest.raises(NotImplementedError, match=r"ember\.save.*safetensors"):
        ember.onnx.export(ember.nn.Linear(2, 2), (ember.randn(1, 2),), "model.onnx")
