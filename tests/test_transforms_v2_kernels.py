"""v2.functional's per-type kernels (``resize_image``, ``crop_mask``, ``rotate_bounding_boxes``,
...), the newer functionals it exports and ``register_kernel``, against torchvision 0.28."""

import enum
import inspect
import warnings

import numpy as np
import pytest
import torch
from conftest import import_torchvision
from test_transforms_v2 import assert_same

import ember
from ember.vision import tv_tensors as ETV
from ember.vision.transforms import v2 as E2
from ember.vision.transforms.v2 import functional as EF

tv = import_torchvision()
from torchvision import tv_tensors as TTV  # noqa: E402
from torchvision.transforms import v2 as T2  # noqa: E402
from torchvision.transforms.v2 import functional as TF  # noqa: E402

RNG = np.random.default_rng(3)
IMG = RNG.integers(0, 256, (3, 10, 13), dtype=np.uint8)
VIDEO = RNG.integers(0, 256, (2, 3, 7, 9), dtype=np.uint8)
MASK = RNG.integers(0, 4, (10, 13), dtype=np.uint8)
BOXES = np.array([[1, 2, 9, 7], [0, 0, 12, 9], [8, 5, 13, 10], [3, 3, 6, 5]], np.float32)
CANVAS = (10, 13)
# Ember has no KeyPoints TVTensor yet, so no keypoint kernels
KEYPOINT_NAMES = {n for n in dir(TF) if "keypoints" in n}


def both(arr):
    return ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


def _default(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, ember.dtype | torch.dtype):
        return str(value).split(".")[-1]
    return value


def _params(fn) -> list:
    return [
        (p.name, p.kind, _default(p.default)) for p in inspect.signature(fn).parameters.values()
    ]


def test_names_and_signatures():
    theirs = {n for n in dir(TF) if not n.startswith("_")}
    ours = {n for n in dir(EF) if not n.startswith("_")}
    assert theirs - ours == KEYPOINT_NAMES
    assert (theirs - KEYPOINT_NAMES) <= set(EF.__all__) | {"InterpolationMode"}
    for name in sorted(theirs - KEYPOINT_NAMES - {"InterpolationMode"}):
        assert _params(getattr(EF, name)) == _params(getattr(TF, name)), name


IMAGE_CASES = [
    ("resize_image", ([6, 9],), {}),
    ("resize_image", ([5],), {"interpolation": "nearest", "max_size": 7}),
    ("crop_image", (2, 3, 5, 7), {}),
    ("crop_image", (-1, 8, 6, 8), {}),
    ("center_crop_image", ([6, 5],), {}),
    ("resized_crop_image", (1, 2, 6, 7, [9, 4]), {}),
    ("horizontal_flip_image", (), {}),
    ("vertical_flip_image", (), {}),
    ("pad_image", ([1, 2, 3, 0],), {"fill": 7}),
    ("pad_image", ([2],), {"padding_mode": "reflect"}),
    ("rotate_image", (33.0,), {"expand": True, "fill": [1.0, 2.0, 3.0]}),
    ("affine_image", (10.0, [1, -2], 1.1, [5.0, 3.0]), {"center": [2.0, 3.0]}),
    (
        "perspective_image",
        ([[0, 0], [12, 0], [12, 9], [0, 9]], [[1, 2], [11, 0], [12, 8], [0, 9]]),
        {},
    ),  # fmt: skip
    (
        "perspective_image",
        (None, None),
        {
            "coefficients": [1.1, 0.1, -1.0, 0.05, 0.9, 0.5, 0.001, -0.002],
            "interpolation": "nearest",
        },
    ),  # fmt: skip
    ("five_crop_image", ([4, 5],), {}),
    ("ten_crop_image", ([4, 5],), {"vertical_flip": True}),
    ("adjust_brightness_image", (1.4,), {}),
    ("adjust_contrast_image", (0.6,), {}),
    ("adjust_saturation_image", (1.7,), {}),
    ("adjust_sharpness_image", (2.0,), {}),
    ("adjust_gamma_image", (0.7, 1.1), {}),
    ("autocontrast_image", (), {}),
    ("equalize_image", (), {}),
    ("invert_image", (), {}),
    ("posterize_image", (3,), {}),
    ("solarize_image", (0.5,), {}),
    ("rgb_to_grayscale_image", (3,), {}),
    ("permute_channels_image", ([2, 0, 1],), {}),
    ("get_dimensions_image", (), {}),
    ("get_size_image", (), {}),
    ("get_num_channels_image", (), {}),
]


APPROX = ("resize", "resized_crop", "perspective", "adjust", "rgb_to_grayscale")


def _run(fn, x, args, kwargs, dtype):
    if fn.__name__.startswith("solarize") and dtype == "uint8":
        args = (args[0] * 255,)
    return fn(x, *args, **kwargs)


def _compare(ours, theirs, atol):
    if isinstance(theirs, tuple | list) and isinstance(theirs[0], torch.Tensor):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs, strict=True):
            _compare(o, t, atol)
    elif isinstance(theirs, torch.Tensor):
        assert type(ours) is ember.Tensor  # kernels return plain tensors
        assert_same(ours, theirs, atol=atol)
    else:
        assert ours == theirs


@pytest.mark.parametrize("kind", ["image", "video"])
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_image_and_video_kernels(kind, dtype):
    arr = IMG if kind == "image" else VIDEO
    arr = arr if dtype == "uint8" else (arr / 255).astype(np.float32)
    e, t = both(arr)
    if kind == "image":
        e, t = ETV.Image(e), TTV.Image(t)  # kernels also take (and unwrap) typed images
    for name, args, kwargs in IMAGE_CASES:
        name = name.replace("_image", f"_{kind}")
        if not hasattr(TF, name):
            continue
        ours = _run(getattr(EF, name), e, args, kwargs, dtype)
        theirs = _run(getattr(TF, name), t, args, kwargs, dtype)
        # resampling and colour blends run float32 work in another order than torchvision's
        # v2 kernels (uint8 resize has its own integer path there): one level, or float32 ulps
        approx = name.startswith(APPROX) and kwargs.get("interpolation") != "nearest"
        _compare(ours, theirs, (1 if dtype == "uint8" else 2e-6) if approx else 0)


def _nearest_warps(mod, x) -> list:
    # coefficients whose grid has a tie that a product summed in another order rounds away
    coefficients = [1.01, 0.22, -1.34, -0.13, 0.94, 0.61, 0.0, -0.003]
    return [
        mod.perspective_image(x, None, None, "nearest", coefficients=coefficients),
        mod.affine_image(x, 0.0, [0, 0], 1.0, [16.7, 0.0], center=[0, 0]),
        mod.rotate_image(x, 41.0, expand=True),
    ]


@pytest.mark.parametrize("shape", [(3, 5, 6), (1, 10, 13), (2, 3, 12, 9)])
def test_warps_nearest_exact(shape):
    """The sampling grids are summed as torch's grid product sums them (fused multiply-adds
    from 67 output pixels), so nearest sampling picks torch's pixel, ties included."""
    e, t = both(np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8))
    for ours, theirs in zip(_nearest_warps(EF, e), _nearest_warps(TF, t), strict=True):
        assert_same(ours, theirs)


def test_normalize_to_dtype_erase_blur():
    e, t = both((IMG / 255).astype(np.float32))
    ue, ut = both(IMG)
    mean, std = [0.4, 0.5, 0.6], [0.2, 0.3, 0.25]
    assert_same(EF.normalize_image(e, mean, std), TF.normalize_image(t, mean, std))
    assert_same(EF.to_dtype_image(ue, ember.float64, scale=True),
                TF.to_dtype_image(ut, torch.float64, scale=True))  # fmt: skip
    assert_same(EF.to_dtype_video(e, ember.uint8, True), TF.to_dtype_video(t, torch.uint8, True))
    v_e, v_t = both(np.full((3, 2, 3), 0.25, np.float32))
    assert_same(EF.erase_image(e, 1, 2, 2, 3, v_e), TF.erase_image(t, 1, 2, 2, 3, v_t))
    assert_same(EF.gaussian_blur_image(e, [3, 5], [0.8, 1.2]),
                TF.gaussian_blur_image(t, [3, 5], [0.8, 1.2]), atol=1e-6)  # fmt: skip
    g_e, g_t = both(IMG[:1].copy())
    assert_same(EF.grayscale_to_rgb_image(g_e), TF.grayscale_to_rgb_image(g_t))


def test_video_frames_and_subsample():
    e, t = both(VIDEO)
    assert EF.get_num_frames_video(e) == TF.get_num_frames_video(t) == 2
    assert EF.get_num_frames(ETV.Video(e)) == TF.get_num_frames(TTV.Video(t))
    for n in (1, 3, 5):
        assert_same(EF.uniform_temporal_subsample_video(e, n),
                    TF.uniform_temporal_subsample_video(t, n))  # fmt: skip
        ours = EF.uniform_temporal_subsample(ETV.Video(e), n)
        assert type(ours) is ETV.Video
        assert_same(ours, TF.uniform_temporal_subsample(TTV.Video(t), n))


def test_jpeg_kernels():
    e, _ = both(IMG)
    # torchvision's libjpeg ops do not load here: compare with Ember's PIL round trip
    pil = EF.to_pil_image(e)
    ref = EF.pil_to_tensor(EF.jpeg(pil, 40))
    assert_same(EF.jpeg_image(e, 40), torch.from_numpy(ref.numpy()))
    video = ember.stack([e, e])
    assert_same(EF.jpeg_video(video, 40), torch.from_numpy(np.stack([ref.numpy()] * 2)))


MASK_CASES = [
    ("resize_mask", ([6, 9],), {}),
    ("resize_mask", ([7, 17],), {"interpolation": "nearest-exact"}),
    ("crop_mask", (2, 3, 5, 7), {}),
    ("center_crop_mask", ([6, 15],), {}),
    ("resized_crop_mask", (1, 2, 6, 7, [9, 4]), {}),
    ("horizontal_flip_mask", (), {}),
    ("vertical_flip_mask", (), {}),
    ("pad_mask", ([1, 2, 3, 0],), {}),
    ("pad_mask", ([1],), {"fill": 5}),
    ("rotate_mask", (33.0,), {"expand": True}),
    ("affine_mask", (10.0, [1, -2], 1.1, [5.0, 3.0]), {"fill": 9}),
    (
        "perspective_mask",
        (None, None),
        {"coefficients": [1.1, 0.1, -1.0, 0.05, 0.9, 0.5, 0.001, -0.002]},
    ),  # fmt: skip
    ("get_size_mask", (), {}),
]


@pytest.mark.parametrize("shape", [(10, 13), (1, 10, 13), (2, 10, 13)])
def test_mask_kernels(shape):
    e, t = both(np.broadcast_to(MASK, shape).copy())
    for name, args, kwargs in MASK_CASES:
        _compare(getattr(EF, name)(e, *args, **kwargs), getattr(TF, name)(t, *args, **kwargs), 0)
    disp = (RNG.standard_normal((1, 10, 13, 2)) * 0.2).astype(np.float32)
    d_e, d_t = both(disp)
    assert_same(EF.elastic_mask(e, d_e), TF.elastic_mask(t, d_t))


BOX_CASES = [
    ("horizontal_flip_bounding_boxes", (), {}),
    ("vertical_flip_bounding_boxes", (), {}),
    ("center_crop_bounding_boxes", ([6, 7],), {}),
    ("pad_bounding_boxes", ([1, 2, 3, 4],), {}),
    ("rotate_bounding_boxes", (30.0,), {"expand": True}),
    ("rotate_bounding_boxes", (-15.0,), {"center": [3.0, 4.0], "clamping_mode": None}),
    ("affine_bounding_boxes", (10.0, [1, -2], 1.1, [5.0, 3.0]), {}),
    (
        "perspective_bounding_boxes",
        ([[0, 0], [12, 0], [12, 9], [0, 9]], [[1, 2], [11, 0], [12, 8], [0, 9]]),
        {},
    ),  # fmt: skip
]


@pytest.mark.parametrize("fmt", ["XYXY", "XYWH", "CXCYWH"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_box_kernels(fmt, dtype):
    xyxy = torch.from_numpy(BOXES.copy())
    boxes = TF.convert_bounding_box_format(xyxy, "XYXY", fmt).numpy().astype(dtype)
    e, t = both(boxes)
    efmt, tfmt = ETV.BoundingBoxFormat[fmt], TTV.BoundingBoxFormat[fmt]
    atol = 1e-4 if dtype == np.float32 else 0
    for name, args, kwargs in BOX_CASES:
        ours = getattr(EF, name)(e, efmt, CANVAS, *args, **kwargs)
        theirs = getattr(TF, name)(t, tfmt, CANVAS, *args, **kwargs)
        if isinstance(theirs, tuple):
            assert ours[1] == theirs[1], name
            ours, theirs = ours[0], theirs[0]
        assert_same(ours, theirs, atol=atol)
    for name, args in (("crop_bounding_boxes", (2, 3, 5, 7)),
                       ("resized_crop_bounding_boxes", (1, 2, 6, 7, [9, 4]))):  # fmt: skip
        ours, theirs = getattr(EF, name)(e, efmt, *args), getattr(TF, name)(t, tfmt, *args)
        assert ours[1] == theirs[1]
        assert_same(ours[0], theirs[0], atol=atol)
    if dtype == np.float32:
        ours = EF.resize_bounding_boxes(e, CANVAS, [5], max_size=9, format=efmt)
        theirs = TF.resize_bounding_boxes(t, CANVAS, [5], max_size=9, format=tfmt)
        assert ours[1] == theirs[1]
        assert_same(ours[0], theirs[0], atol=atol)
        disp = (RNG.standard_normal((1, 10, 13, 2)) * 0.1).astype(np.float32)
        d_e, d_t = both(disp)
        assert_same(EF.elastic_bounding_boxes(e, efmt, CANVAS, d_e),
                    TF.elastic_bounding_boxes(t, tfmt, CANVAS, d_t), atol=atol)  # fmt: skip
    with pytest.raises(ValueError, match="Padding mode 'reflect' is not supported"):
        EF.pad_bounding_boxes(e, efmt, CANVAS, [1], padding_mode="reflect")


def test_sanitize_and_sizes():
    arr = np.array([[1, 2, 5, 6], [0, 0, 0.5, 3], [11, 9, 20, 20], [-5, -5, 0, 4]], np.float32)
    e, t = both(arr)
    for kw in ({}, {"min_size": 2.0, "min_area": 5.0}):
        ours = EF.sanitize_bounding_boxes(e, "XYXY", CANVAS, **kw)
        theirs = TF.sanitize_bounding_boxes(t, "XYXY", CANVAS, **kw)
        assert_same(ours[0], theirs[0])
        assert_same(ours[1], theirs[1])
    eb = ETV.BoundingBoxes(e, format="XYWH", canvas_size=CANVAS)
    tb = TTV.BoundingBoxes(t, format="XYWH", canvas_size=CANVAS)
    ours, theirs = EF.sanitize_bounding_boxes(eb), TF.sanitize_bounding_boxes(tb)
    assert type(ours[0]) is ETV.BoundingBoxes and ours[0].canvas_size == CANVAS
    assert_same(ours[0], theirs[0])
    assert EF.get_size_bounding_boxes(eb) == TF.get_size_bounding_boxes(tb) == list(CANVAS)
    ours = E2.SanitizeBoundingBoxes()({"boxes": eb, "labels": ember.tensor([1, 2, 3, 4])})
    theirs = T2.SanitizeBoundingBoxes()({"boxes": tb, "labels": torch.tensor([1, 2, 3, 4])})
    assert_same(ours["boxes"], theirs["boxes"])
    assert_same(ours["labels"], theirs["labels"])
    for mod, x, b in ((EF, e, eb), (TF, t, tb)):
        with pytest.raises(ValueError, match="format and canvas_size cannot be None"):
            mod.sanitize_bounding_boxes(x)
        with pytest.raises(ValueError, match="format and canvas_size must be None"):
            mod.sanitize_bounding_boxes(b, format="XYXY", canvas_size=CANVAS)
    assert EF.is_pure_tensor(e) and not EF.is_pure_tensor(eb)
    assert TF.is_pure_tensor(t) and not TF.is_pure_tensor(tb)


def test_perspective_coefficients_errors():
    e, t = both(IMG)
    points = [[0, 0], [12, 0], [12, 9], [0, 9]]
    bad = [
        ((None, None), {}, "Either the startpoints/endpoints or the coefficients"),
        ((points, points), {"coefficients": [1.0] * 8}, "shouldn't be defined concurrently"),
        ((None, None), {"coefficients": [1.0] * 7}, "should have 8 float values"),
        ((points[:3], points), {}, "Please provide exactly four corners, got 3 startpoints"),
    ]
    for mod, x in ((EF, e), (TF, t)):
        for args, kwargs, message in bad:
            with pytest.raises(ValueError, match=message):
                mod.perspective(x, *args, **kwargs)


def test_deprecated_names():
    e, t = both(IMG)
    for mod, x in ((EF, e), (TF, t)):
        with pytest.warns(UserWarning, match=r"`get_image_size\(...\)` is deprecated"):
            assert mod.get_image_size(x) == [13, 10]
        with pytest.warns(UserWarning, match=r"`to_tensor\(...\)` is deprecated"):
            out = mod.to_tensor(IMG.transpose(1, 2, 0).copy())
        assert tuple(out.shape) == (3, 10, 13)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(EF.to_tensor(IMG.transpose(1, 2, 0).copy()),
                    TF.to_tensor(IMG.transpose(1, 2, 0).copy()))  # fmt: skip


def test_register_kernel():
    class Ours(ETV.TVTensor):
        pass

    class Theirs(TTV.TVTensor):
        pass

    calls = []

    def kernel(x, *args, **kwargs):
        calls.append((type(x).__name__, args, kwargs))
        return x

    for mod, tvt, cls in ((EF, ETV, Ours), (TF, TTV, Theirs)):
        mod.register_kernel(mod.hflip, cls)(kernel)
        mod.register_kernel("resize", cls)(kernel)
        # (ember.Tensor has no as_subclass yet)
        x = cls._wrap(ember.zeros(3, 4)) if mod is EF else torch.zeros(3, 4).as_subclass(cls)
        assert mod.horizontal_flip(x) is x
        mod.resize(x, [2, 2], antialias=False)
        with pytest.raises(ValueError, match="already has a kernel registered for type"):
            mod.register_kernel(mod.horizontal_flip, cls)
        with pytest.raises(ValueError, match="can only be registered for subclasses of"):
            mod.register_kernel(mod.crop, int)
        with pytest.raises(ValueError, match="cannot be registered for the builtin tv_tensor"):
            mod.register_kernel(mod.crop, tvt.Image)
        with pytest.raises(ValueError, match="only be registered on functionals from the"):
            mod.register_kernel(lambda x: x, cls)
        with pytest.raises(TypeError, match="Functional F.crop supports inputs of type"):
            mod.crop(x, 0, 0, 1, 1)  # a custom type without a kernel is refused
    # the dispatcher passes every argument by keyword, defaults filled in
    resize_kwargs = {"size": [2, 2], "interpolation": "bilinear", "max_size": None,
                     "antialias": False}  # fmt: skip
    normalized = [(n, a, {k: _default(v) for k, v in kw.items()}) for n, a, kw in calls]
    assert normalized == [("Ours", (), {}), ("Ours", (), resize_kwargs),
                          ("Theirs", (), {}), ("Theirs", (), resize_kwargs)]  # fmt: skip
