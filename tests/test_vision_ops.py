"""ember.vision.ops vs torchvision 0.28: boxes, IoUs, losses, NMS, RoIAlign/RoIPool, blocks.

torchvision's compiled operators (nms, roi_align, roi_pool) cannot load here, so NMS is checked
against a greedy reference built on torchvision's own ``box_iou``, RoIAlign against
torchvision's pure-PyTorch ``_roi_align`` (identical to its kernel while every sample lies
within a pixel of the image) and RoIPool against a loop written from its documented rules.
"""

from __future__ import annotations

import importlib
import math
import warnings

import numpy as np
import pytest
import torch
from conftest import import_torchvision
from helpers import assert_close, check_raises, to_ember

import ember
from ember.vision import ops as eops

tv = import_torchvision()
tops = tv.ops
# the undecorated function: torchvision wraps it in torch.compile on first call (slow)
_roi_align_ref = importlib.import_module("torchvision.ops.roi_align")._roi_align.__wrapped__


def _boxes(n, seed=0, size=20.0, fmt="xyxy", dtype=torch.float32):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, size, (n, 2))
    wh = rng.uniform(1, size / 2, (n, 2))
    if fmt == "xyxy":
        arr = np.concatenate([xy, xy + wh], 1)
    elif fmt == "xywh":
        arr = np.concatenate([xy, wh], 1)
    else:
        arr = np.concatenate([xy + wh / 2, wh], 1)
    return torch.tensor(arr).to(dtype)


def _pair(t, requires_grad=False):
    t = t.clone().requires_grad_(requires_grad)
    return to_ember(t), t


def _check_grads(e_out, t_out, e_ins, t_ins, seed=3, rtol=1e-4, atol=1e-5):
    w = torch.tensor(np.random.default_rng(seed).standard_normal(tuple(t_out.shape))).to(
        t_out.dtype
    )
    (t_out * w).sum().backward()
    (e_out * to_ember(w)).sum().backward()
    for e, t in zip(e_ins, t_ins):
        assert_close(e.grad, t.grad, rtol=rtol, atol=atol, msg="grad")


# boxes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xyxy", "xywh", "cxcywh"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.float16])
def test_box_area_and_iou(fmt, dtype):
    b1, b2 = _boxes(5, 0, fmt=fmt, dtype=dtype), _boxes(4, 1, fmt=fmt, dtype=dtype)
    e1, e2 = to_ember(b1), to_ember(b2)
    assert_close(eops.box_area(e1, fmt), tops.box_area(b1, fmt))
    assert_close(eops.box_iou(e1, e2, fmt), tops.box_iou(b1, b2, fmt), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "name", ["box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou"]
)
def test_pairwise_ious_values_and_grads(name):
    b1, b2 = _boxes(5, 2), _boxes(6, 3)
    e1, t1 = _pair(b1, True)
    e2, t2 = _pair(b2, True)
    t_out = getattr(tops, name)(t1, t2)
    e_out = getattr(eops, name)(e1, e2)
    assert_close(e_out, t_out, rtol=1e-5, atol=1e-6)
    _check_grads(e_out, t_out, [e1, e2], [t1, t2])


def test_pairwise_ious_batched_and_int():
    b1 = torch.stack([_boxes(3, 4), _boxes(3, 5)])
    b2 = torch.stack([_boxes(2, 6), _boxes(2, 7)])
    for name in ("box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou"):
        assert_close(
            getattr(eops, name)(to_ember(b1), to_ember(b2)),
            getattr(tops, name)(b1, b2),
            rtol=1e-5,
            atol=1e-6,
        )
    bi1, bi2 = _boxes(4, 8, dtype=torch.int64), _boxes(3, 9, dtype=torch.int64)
    for name in ("box_iou", "generalized_box_iou"):
        assert_close(
            getattr(eops, name)(to_ember(bi1), to_ember(bi2)), getattr(tops, name)(bi1, bi2)
        )


@pytest.mark.parametrize(
    "i,o",
    [(a, b) for a in ("xyxy", "xywh", "cxcywh") for b in ("xyxy", "xywh", "cxcywh")]
    + [(a, b) for a in ("xywhr", "cxcywhr") for b in ("xywhr", "cxcywhr", "xyxyxyxy")],
)
def test_box_convert(i, o):
    rng = np.random.default_rng(0)
    width = 5 if i.endswith("r") else 4
    b = torch.tensor(rng.uniform(0, 10, (2, 3, width)).astype(np.float32))
    e, t = _pair(b, True)
    t_out, e_out = tops.box_convert(t, i, o), eops.box_convert(e, i, o)
    assert_close(e_out, t_out, rtol=1e-5, atol=1e-5)
    _check_grads(e_out, t_out, [e], [t], atol=1e-4)
    if o == "xyxyxyxy":
        back = tops.box_convert(t_out.detach(), o, i)
        assert_close(eops.box_convert(to_ember(t_out.detach()), o, i), back, atol=1e-4)


def test_box_errors():
    b = _boxes(3)
    check_raises(lambda m: _ops(m).box_convert(_b(m, b), "xyxy", "abc"))
    check_raises(lambda m: _ops(m).box_convert(_b(m, b), "xyxy", "xywhr"))
    check_raises(lambda m: _ops(m).box_area(_b(m, b), "xywhr"))
    check_raises(lambda m: _ops(m).box_iou(_b(m, b), _b(m, b), "nope"))
    check_raises(lambda m: _ops(m).sigmoid_focal_loss(_b(m, b), _b(m, b), alpha=2.0))
    check_raises(lambda m: _ops(m).sigmoid_focal_loss(_b(m, b), _b(m, b), reduction="x"))
    check_raises(lambda m: _ops(m).generalized_box_iou_loss(_b(m, b), _b(m, b), reduction="x"))


def _ops(m):
    return eops if m is ember else tops


def _b(m, t):
    return to_ember(t) if m is ember else t


def test_clip_remove_small_and_masks_to_boxes():
    b = torch.tensor(np.random.default_rng(1).uniform(-5, 25, (2, 6, 4)).astype(np.float32))
    e, t = _pair(b, True)
    t_out, e_out = tops.clip_boxes_to_image(t, (15, 18)), eops.clip_boxes_to_image(e, (15, 18))
    assert_close(e_out, t_out)
    _check_grads(e_out, t_out, [e], [t])
    small = _boxes(20, 4)
    for min_size in (0.5, 4.0, 8.0):
        assert_close(
            eops.remove_small_boxes(to_ember(small), min_size),
            tops.remove_small_boxes(small, min_size),
        )
    masks = torch.zeros(4, 7, 9, dtype=torch.uint8)
    masks[0, 2:5, 3:8] = 1
    masks[1, 6, 0] = 3
    masks[3, 1, 4] = 1
    masks[3, 5, 2] = 1
    assert_close(eops.masks_to_boxes(to_ember(masks)), tops.masks_to_boxes(masks))
    assert_close(eops.masks_to_boxes(to_ember(masks.bool())), tops.masks_to_boxes(masks.bool()))
    empty = torch.zeros(0, 3, 3)
    assert_close(eops.masks_to_boxes(to_ember(empty)), tops.masks_to_boxes(empty))


# losses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("alpha,gamma", [(0.25, 2), (-1, 1.5), (0.0, 0), (1.0, 3)])
def test_sigmoid_focal_loss(reduction, alpha, gamma):
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.normal(0, 2, (4, 5)).astype(np.float32))
    y = torch.tensor((rng.uniform(size=(4, 5)) > 0.6).astype(np.float32))
    e, t = _pair(x, True)
    t_out = tops.sigmoid_focal_loss(t, y, alpha, gamma, reduction)
    e_out = eops.sigmoid_focal_loss(e, to_ember(y), alpha, gamma, reduction)
    assert_close(e_out, t_out)
    _check_grads(e_out, t_out, [e], [t])


@pytest.mark.parametrize(
    "name", ["generalized_box_iou_loss", "distance_box_iou_loss", "complete_box_iou_loss"]
)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_box_losses(name, reduction):
    b1, b2 = _boxes(8, 5, size=8.0), _boxes(8, 6, size=8.0)
    b2[0] = b1[0]  # identical pair
    b2[1] = b1[1] + 30.0  # disjoint pair
    e1, t1 = _pair(b1, True)
    e2, t2 = _pair(b2, True)
    t_out = getattr(tops, name)(t1, t2, reduction=reduction, eps=1e-6)
    e_out = getattr(eops, name)(e1, e2, reduction=reduction, eps=1e-6)
    assert_close(e_out, t_out, rtol=1e-5, atol=1e-6)
    _check_grads(e_out, t_out, [e1, e2], [t1, t2])


def test_box_losses_empty_and_int():
    for name in ("generalized_box_iou_loss", "distance_box_iou_loss", "complete_box_iou_loss"):
        z = torch.zeros(0, 4, requires_grad=True)
        ez = to_ember(z)
        assert_close(
            getattr(eops, name)(ez, ez, reduction="mean"), getattr(tops, name)(z, z, "mean")
        )
        bi1, bi2 = _boxes(3, 1, dtype=torch.int64), _boxes(3, 2, dtype=torch.int64)
        assert_close(
            getattr(eops, name)(to_ember(bi1), to_ember(bi2)), getattr(tops, name)(bi1, bi2)
        )


# NMS ---------------------------------------------------------------------------------------


def _nms_ref(boxes, scores, thr):
    order = torch.argsort(scores, descending=True, stable=True)
    iou = tops.box_iou(boxes, boxes)
    keep, dead = [], torch.zeros(len(boxes), dtype=torch.bool)
    for i in order.tolist():
        if dead[i]:
            continue
        keep.append(i)
        dead |= iou[i] > thr
    return torch.tensor(keep, dtype=torch.int64)


def _batched_ref(boxes, scores, idxs, thr):
    keep = torch.zeros(len(boxes), dtype=torch.bool)
    for c in torch.unique(idxs):
        where = torch.where(idxs == c)[0]
        keep[where[_nms_ref(boxes[where], scores[where], thr)]] = True
    kept = torch.where(keep)[0]
    return kept[scores[kept].sort(descending=True)[1]]


@pytest.mark.parametrize("thr", [0.0, 0.1, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_nms_and_batched_nms(thr, dtype):
    boxes = _boxes(60, 7, size=30.0, dtype=dtype)
    scores = torch.tensor(np.random.default_rng(8).permutation(60) / 60.0).to(dtype)
    idxs = torch.tensor(np.random.default_rng(9).integers(0, 3, 60))
    keep = eops.nms(to_ember(boxes), to_ember(scores), thr)
    assert_close(keep, _nms_ref(boxes, scores, thr))
    assert_close(
        eops.batched_nms(to_ember(boxes), to_ember(scores), to_ember(idxs), thr),
        _batched_ref(boxes, scores, idxs, thr),
    )
    # the coordinate-offset trick torchvision uses for many boxes agrees too
    offsets = idxs.to(dtype)[:, None] * (boxes.max() + 1)
    assert_close(
        eops.batched_nms(to_ember(boxes), to_ember(scores), to_ember(idxs), thr),
        _nms_ref(boxes + offsets, scores, thr),
    )


def test_nms_empty_and_errors():
    e = eops.nms(ember.zeros(0, 4), ember.zeros(0), 0.5)
    assert e.shape == (0,) and e.dtype == ember.int64
    with pytest.raises(RuntimeError, match="boxes should have 4 elements in dimension 1"):
        eops.nms(ember.zeros(3, 5), ember.zeros(3), 0.5)
    with pytest.raises(RuntimeError, match="same number of elements in dimension 0"):
        eops.nms(ember.zeros(3, 4), ember.zeros(2), 0.5)
    with pytest.raises(RuntimeError, match="scores should be a 1d tensor"):
        eops.nms(ember.zeros(3, 4), ember.zeros(3, 1), 0.5)


# RoIAlign / RoIPool --------------------------------------------------------------------------


def _rois_inside():
    # every sample point within [0, size - 1], where torchvision's reference equals its kernel
    return torch.tensor(
        [
            [0, 1.2, 0.5, 7.3, 6.1],
            [1, 0.0, 3.0, 10.5, 8.5],
            [0, 3.0, 3.0, 3.2, 3.1],
            [1, 0.0, 0.0, 11.0, 9.0],
            [1, 5.5, 2.25, 9.75, 8.0],
        ]
    )


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sampling_ratio", [-1, 0, 1, 3])
@pytest.mark.parametrize("scale,out", [(1.0, (3, 4)), (0.5, 2), (1.0, (1, 1))])
def test_roi_align_values_and_grads(aligned, sampling_ratio, scale, out):
    x = torch.tensor(np.random.default_rng(0).standard_normal((2, 3, 10, 12)).astype(np.float32))
    e, t = _pair(x, True)
    rois = _rois_inside()
    o = out if isinstance(out, tuple) else (out, out)
    t_out = _roi_align_ref(t, rois, scale, o[0], o[1], sampling_ratio, aligned)
    e_out = eops.roi_align(e, to_ember(rois), out, scale, sampling_ratio, aligned)
    assert_close(e_out, t_out, rtol=1e-5, atol=1e-5)
    _check_grads(e_out, t_out, [e], [t])
    mod = eops.RoIAlign(out, scale, sampling_ratio, aligned)
    tmod = tops.RoIAlign(out, scale, sampling_ratio, aligned)
    assert repr(mod) == repr(tmod)
    assert_close(mod(e.detach(), to_ember(rois)), t_out, rtol=1e-5, atol=1e-5)


def test_roi_align_list_boxes_float64_and_outside():
    x = torch.tensor(np.random.default_rng(1).standard_normal((2, 2, 8, 9)))
    rois = torch.tensor([[0, 1.0, 1.0, 6.0, 5.0], [1, 0.5, 2.0, 7.5, 7.0], [1, 2, 2, 4, 6.0]])
    boxes = [rois[:1, 1:], rois[1:, 1:]]
    t_out = _roi_align_ref(x, rois.double(), 1.0, 2, 3, 2, True)
    e_out = eops.roi_align(to_ember(x), to_ember(boxes), (2, 3), 1.0, 2, True)
    assert_close(e_out, t_out)
    # samples more than a pixel outside the image read nothing (torchvision's kernel)
    far = ember.tensor([[0, 30.0, 30.0, 40.0, 40.0]], dtype=ember.float64)
    assert np.all(eops.roi_align(to_ember(x), far, 2).numpy() == 0)
    none = torch.zeros(0, 5, dtype=torch.float64)
    assert_close(
        eops.roi_align(to_ember(x), to_ember(none), 2),
        _roi_align_ref(x, none, 1.0, 2, 2, -1, False),
    )


def _roi_pool_ref(x, rois, ph, pw, scale):
    def rnd(v):  # C's round: halves away from zero
        return int(math.copysign(math.floor(abs(v) + 0.5), v))

    out = torch.zeros(len(rois), x.shape[1], ph, pw, dtype=x.dtype)
    h, w = x.shape[2:]
    for k, r in enumerate(rois.tolist()):
        x1, y1, x2, y2 = (rnd(v * scale) for v in r[1:])
        rh, rw = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)
        for i in range(ph):
            hs = min(max(math.floor(i * rh / ph) + y1, 0), h)
            he = min(max(math.ceil((i + 1) * rh / ph) + y1, 0), h)
            for j in range(pw):
                ws = min(max(math.floor(j * rw / pw) + x1, 0), w)
                we = min(max(math.ceil((j + 1) * rw / pw) + x1, 0), w)
                if he > hs and we > ws:
                    out[k, :, i, j] = x[int(r[0]), :, hs:he, ws:we].amax(dim=(1, 2))
    return out


@pytest.mark.parametrize("scale,out", [(1.0, (3, 2)), (0.5, 2), (0.25, (4, 4))])
def test_roi_pool(scale, out):
    x = torch.tensor(np.random.default_rng(2).standard_normal((2, 3, 10, 12)).astype(np.float32))
    rois = torch.tensor(
        [[0, 1.2, 0.5, 7.3, 6.1], [1, -3.0, 2.5, 14.0, 8.5], [0, 3, 3, 3, 3], [1, 20, 20, 30, 30]]
    )
    o = out if isinstance(out, tuple) else (out, out)
    ref = _roi_pool_ref(x, rois, o[0], o[1], scale)
    e = to_ember(x, requires_grad=True)
    e_out = eops.roi_pool(e, to_ember(rois), out, scale)
    assert_close(e_out, ref)
    # the gradient goes to each bin's maximum
    e_out.sum().backward()
    xt = x.clone().requires_grad_(True)
    _roi_pool_ref(xt, rois, o[0], o[1], scale).sum().backward()
    assert_close(e.grad, xt.grad)
    assert repr(eops.RoIPool(out, scale)) == repr(tops.RoIPool(out, scale))


def test_roi_box_shape_errors():
    x = ember.zeros(1, 1, 4, 4)
    with pytest.raises(AssertionError, match=r"Tensor\[K, 5\]"):
        eops.roi_align(x, ember.zeros(2, 4), 2)
    with pytest.raises(AssertionError, match=r"List\[Tensor\[L, 4\]\]"):
        eops.roi_pool(x, [ember.zeros(2, 5)], 2)


# modules -----------------------------------------------------------------------------------


def _same_weights(e_mod, t_mod):
    e_mod.load_state_dict({k: to_ember(v) for k, v in t_mod.state_dict().items()})


def test_frozen_batch_norm():
    t = tops.FrozenBatchNorm2d(3, eps=1e-3)
    rng = np.random.default_rng(0)
    sd = {k: torch.tensor(rng.uniform(0.5, 2, 3).astype(np.float32)) for k in t.state_dict()}
    sd["num_batches_tracked"] = torch.tensor(5)
    t.load_state_dict(sd)
    e = eops.FrozenBatchNorm2d(3, eps=1e-3)
    e.load_state_dict({k: to_ember(v) for k, v in sd.items()})
    assert repr(e) == repr(t) and not list(e.parameters())
    x = torch.randn(2, 3, 4, 4)
    assert_close(e(to_ember(x)), t(x))


@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(kernel_size=5, stride=2, dilation=2, groups=2),
        dict(kernel_size=(3, 1), dilation=(1, 2), norm_layer=None, inplace=None),
        dict(activation_layer=None, bias=True),
    ],
)
def test_conv2d_norm_activation(kw):
    t = tops.Conv2dNormActivation(4, 6, **kw).eval()
    e = eops.Conv2dNormActivation(4, 6, **kw).eval()
    assert repr(e) == repr(t) and e.out_channels == 6
    _same_weights(e, t)
    x = torch.randn(2, 4, 9, 9)
    assert_close(e(to_ember(x)), t(x), rtol=1e-4, atol=1e-5)


def test_conv3d_norm_activation_and_base_warning():
    t = tops.Conv3dNormActivation(2, 3, kernel_size=3).eval()
    e = eops.Conv3dNormActivation(2, 3, kernel_size=3).eval()
    assert repr(e) == repr(t)
    _same_weights(e, t)
    x = torch.randn(1, 2, 5, 5, 5)
    assert_close(e(to_ember(x)), t(x), rtol=1e-4, atol=1e-5)
    from ember.vision.ops.misc import ConvNormActivation

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ConvNormActivation(2, 3)
    assert any("Conv2dNormActivation" in str(x.message) for x in w)


def test_squeeze_excitation_mlp_permute():
    t = tops.SqueezeExcitation(6, 3)
    e = eops.SqueezeExcitation(6, 3)
    assert repr(e) == repr(t)
    _same_weights(e, t)
    x = torch.randn(2, 6, 5, 5, requires_grad=True)
    ex = to_ember(x)
    t_out, e_out = t(x), e(ex)
    assert_close(e_out, t_out, rtol=1e-4, atol=1e-5)
    _check_grads(e_out, t_out, [ex], [x], atol=1e-4)

    t = tops.MLP(5, [7, 4, 3], norm_layer=torch.nn.LayerNorm, inplace=False, dropout=0.2).eval()
    e = eops.MLP(5, [7, 4, 3], norm_layer=ember.nn.LayerNorm, inplace=False, dropout=0.2).eval()
    assert repr(e) == repr(t)
    _same_weights(e, t)
    x = torch.randn(4, 5)
    assert_close(e(to_ember(x)), t(x), rtol=1e-4, atol=1e-5)
    assert repr(eops.MLP(3, [2])) == repr(tops.MLP(3, [2]))

    x = torch.randn(2, 3, 4, 5)
    assert_close(eops.Permute([0, 2, 3, 1])(to_ember(x)), tops.Permute([0, 2, 3, 1])(x))


def test_stochastic_depth_properties():
    x = ember.ones(2000, 3)
    ember.manual_seed(0)
    out = eops.stochastic_depth(x, 0.3, "row")
    rows = out[:, 0].numpy()
    assert np.all((rows == 0) | np.isclose(rows, 1 / 0.7))
    assert np.all(out.numpy() == rows[:, None])  # whole rows dropped
    assert abs((rows == 0).mean() - 0.3) < 0.05
    b = eops.stochastic_depth(x, 0.5, "batch").numpy()
    assert np.unique(b).size == 1 and b.flat[0] in (0.0, 2.0)
    assert eops.stochastic_depth(x, 0.3, "row", training=False) is x
    assert np.all(eops.stochastic_depth(x, 1.0, "row").numpy() == 0)
    m = eops.StochasticDepth(0.2, "row")
    assert repr(m) == repr(tops.StochasticDepth(0.2, "row"))
    assert m.eval()(x) is x
    check_raises(lambda m: _ops(m).stochastic_depth(m.ones(2), 1.5, "row"))
    check_raises(lambda m: _ops(m).stochastic_depth(m.ones(2), 0.5, "col"))


def test_drop_block_properties():
    ember.manual_seed(0)
    x = ember.ones(4, 8, 16, 16, requires_grad=True)
    out = eops.drop_block2d(x, 0.2, 3)
    arr = out.detach().numpy()
    zero = arr == 0
    kept = arr[~zero]
    assert np.allclose(kept, kept[0]) and kept[0] > 1  # survivors share one rescale
    assert np.isclose(arr.mean(), 1.0, atol=1e-3)  # the rescale keeps the mean
    assert 0.08 < zero.mean() < 0.35
    # every dropped pixel lies in a fully dropped 3x3 block (clipped at the borders)
    pad = np.pad(zero, ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = np.lib.stride_tricks.sliding_window_view(pad, (3, 3), axis=(2, 3)).all(axis=(-1, -2))
    covered = np.zeros_like(zero)
    for dy in range(3):
        for dx in range(3):
            covered |= np.pad(win, ((0, 0), (0, 0), (1, 1), (1, 1)))[
                :, :, dy : dy + 16, dx : dx + 16
            ]
    interior = zero[:, :, 1:-1, 1:-1]
    assert np.all(covered[:, :, 1:-1, 1:-1][interior])
    out.sum().backward()
    assert np.allclose(x.grad.numpy(), arr)  # d(x * mask * scale)/dx = mask * scale
    y = ember.ones(1, 1, 5, 5)
    assert eops.drop_block2d(y, 0.5, 3, training=False) is y
    assert eops.drop_block2d(y, 0.0, 3) is y
    m = eops.DropBlock2d(0.1, 3, inplace=True)
    assert repr(m) == repr(tops.DropBlock2d(0.1, 3, inplace=True))
    z = ember.ones(2, 2, 7, 7)
    assert m(z) is z
    v = eops.drop_block3d(ember.ones(2, 2, 6, 6, 6), 0.3, 3)
    assert v.shape == (2, 2, 6, 6, 6)
    check_raises(lambda m: _ops(m).drop_block2d(m.ones(1, 1, 5, 5), 1.5, 3))
    check_raises(lambda m: _ops(m).drop_block2d(m.ones(1, 5, 5), 0.5, 3))
    check_raises(lambda m: _ops(m).drop_block2d(m.ones(1, 1, 5, 5), 0.5, 2))
    check_raises(lambda m: _ops(m).drop_block3d(m.ones(1, 5, 5), 0.5, 3))


# FeaturePyramidNetwork ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra,norm", [(None, False), ("pool", True), ("p6p7", False), ("p6p7_c5", True)]
)
def test_feature_pyramid_network(extra, norm):
    from torchvision.ops import feature_pyramid_network as tfpn

    from ember.vision.ops import feature_pyramid_network as efpn

    def build(mod, nn):
        blocks = {
            None: None,
            "pool": lambda: mod.LastLevelMaxPool(),
            "p6p7": lambda: mod.LastLevelP6P7(8, 8),
            "p6p7_c5": lambda: mod.LastLevelP6P7(16, 8),
        }[extra]
        return mod.FeaturePyramidNetwork(
            [4, 6, 16],
            8,
            extra_blocks=blocks() if blocks else None,
            norm_layer=nn.BatchNorm2d if norm else None,
        ).eval()

    t, e = build(tfpn, torch.nn), build(efpn, ember.nn)
    assert repr(e) == repr(t)
    _same_weights(e, t)
    rng = np.random.default_rng(0)
    shapes = {"c3": (2, 4, 16, 20), "c4": (2, 6, 8, 10), "c5": (2, 16, 3, 5)}
    xs = {k: torch.tensor(rng.standard_normal(s).astype(np.float32)) for k, s in shapes.items()}
    es = {k: to_ember(v, requires_grad=True) for k, v in xs.items()}
    ts = {k: v.clone().requires_grad_(True) for k, v in xs.items()}
    t_out, e_out = t(ts), e(es)
    assert list(e_out) == list(t_out)
    for k in t_out:
        assert_close(e_out[k], t_out[k], rtol=1e-4, atol=1e-4, msg=k)
    sum(v.sum() for v in t_out.values()).backward()
    sum(v.sum() for v in e_out.values()).backward()
    for k in xs:
        assert_close(es[k].grad, ts[k].grad, rtol=1e-4, atol=1e-4, msg=k)


def test_feature_pyramid_network_init_and_errors():
    fpn = eops.FeaturePyramidNetwork([3, 5], 4)
    w = fpn.layer_blocks[0][0].weight.detach().numpy()
    bound = math.sqrt(6 / ((1 + 1) * 4 * 9))  # kaiming_uniform_(a=1), fan_in = 4 * 3 * 3
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.all(fpn.inner_blocks[1][0].bias.detach().numpy() == 0)
    with pytest.raises(ValueError, match="in_channels=0"):
        eops.FeaturePyramidNetwork([3, 0], 4)
    with pytest.raises(TypeError, match="extra_blocks should be of type ExtraFPNBlock"):
        eops.FeaturePyramidNetwork([3], 4, extra_blocks=ember.nn.ReLU())
