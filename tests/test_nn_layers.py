"""Layers against torch: forward, input/weight/bias gradients, buffers, reprs, grad_fn names."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import check_op, check_raises
from nn_helpers import check_module

import ember
import ember.nn.functional as F

CONV2D = [
    dict(),
    dict(stride=2),
    dict(padding=1),
    dict(padding=(2, 1), stride=(2, 1)),
    dict(padding=1, dilation=2),
    dict(groups=2),
    dict(bias=False),
    dict(padding="same"),
    dict(padding="same", dilation=2),
    dict(padding="valid"),
    dict(padding=1, padding_mode="reflect"),
    dict(padding=2, padding_mode="replicate"),
    dict(padding=1, padding_mode="circular"),
]


@pytest.mark.parametrize("kw", CONV2D, ids=str)
def test_conv2d(kw):
    k = (4, 3) if kw.get("padding") == "same" else 3
    _, _, e, _ = check_module(lambda nn: nn.Conv2d(4, 6, k, **kw), [(2, 4, 9, 8)])
    assert e.grad_fn.name() == "ConvolutionBackward0"


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(stride=2, padding=1),
        dict(dilation=2, groups=3),
        dict(padding="same"),
        dict(padding=2, padding_mode="reflect"),
    ],
    ids=str,
)
def test_conv1d(kw):
    check_module(lambda nn: nn.Conv1d(3, 6, 3, **kw), [(2, 3, 11)])


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(stride=2),
        dict(stride=2, padding=1, output_padding=1),
        dict(groups=2, dilation=2),
        dict(bias=False),
    ],
    ids=str,
)
def test_conv_transpose2d(kw):
    _, _, e, _ = check_module(lambda nn: nn.ConvTranspose2d(4, 6, 3, **kw), [(2, 4, 5, 6)])
    assert e.grad_fn.name() == "ConvolutionBackward0"


def test_conv_transpose2d_output_size():
    em, tm, _, _ = check_module(lambda nn: nn.ConvTranspose2d(2, 3, 3, stride=2), [(1, 2, 4, 4)])
    x = np.ones((1, 2, 4, 4), np.float32)
    assert (
        em(ember.tensor(x), output_size=[10, 10]).shape
        == tm(torch.tensor(x), output_size=[10, 10]).shape
    )


def test_conv_unbatched_and_errors():
    check_module(lambda nn: nn.Conv2d(2, 3, 3), [(2, 6, 6)])
    check_raises(lambda m: m.nn.functional.conv2d(m.ones(1, 3, 5, 5), m.ones(4, 2, 3, 3)))
    check_raises(lambda m: m.nn.Conv2d(4, 6, 3, groups=3))
    check_raises(lambda m: m.nn.Conv2d(4, 6, 3, stride=2, padding="same"))
    check_raises(lambda m: m.nn.Conv2d(4, 6, 3, padding_mode="bad"))


POOL = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, dilation=2),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0)),
]


@pytest.mark.parametrize("kw", POOL, ids=str)
def test_max_pool2d(kw):
    _, _, e, t = check_module(lambda nn: nn.MaxPool2d(**kw), [(2, 3, 9, 8)])
    assert e.grad_fn.name() == t.grad_fn.name() == "MaxPool2DWithIndicesBackward0"


def test_max_pool2d_return_indices():
    _, _, (ey, ei), (ty, ti) = check_module(
        lambda nn: nn.MaxPool2d(3, 2, 1, return_indices=True), [(2, 3, 9, 8)]
    )
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    assert ei.dtype == ember.int64


@pytest.mark.parametrize(
    "kw",
    [
        dict(kernel_size=2),
        dict(kernel_size=3, stride=2, padding=1),
        dict(kernel_size=3, ceil_mode=True, stride=2),
    ],
    ids=str,
)
def test_max_pool1d(kw):
    check_module(lambda nn: nn.MaxPool1d(**kw), [(2, 3, 11)])
    check_module(lambda nn: nn.MaxPool1d(**kw, return_indices=True), [(2, 3, 11)])


AVG = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=2, divisor_override=3),
]


@pytest.mark.parametrize("kw", AVG, ids=str)
def test_avg_pool2d(kw):
    _, _, e, t = check_module(lambda nn: nn.AvgPool2d(**kw), [(2, 3, 9, 8)])
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("kw", AVG[:5], ids=str)
def test_avg_pool1d(kw):
    _, _, e, t = check_module(lambda nn: nn.AvgPool1d(**kw), [(2, 3, 11)])
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("size", [1, 3, (2, 5), (None, 2)], ids=str)
def test_adaptive_pool2d(size):
    _, _, e, t = check_module(lambda nn: nn.AdaptiveAvgPool2d(size), [(2, 3, 7, 9)])
    assert e.grad_fn.name() == t.grad_fn.name()
    _, _, e, t = check_module(lambda nn: nn.AdaptiveMaxPool2d(size), [(2, 3, 7, 9)])
    assert e.grad_fn.name() == t.grad_fn.name()


def test_adaptive_pool1d():
    check_module(lambda nn: nn.AdaptiveAvgPool1d(4), [(2, 3, 10)])
    check_module(lambda nn: nn.AdaptiveMaxPool1d(4), [(2, 3, 10)])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", [(1, 2), (2, 1, 0, 3), (1, 1, 2, 2)], ids=str)
def test_pad(mode, pads):
    shape = (2, 3, 5, 6) if len(pads) == 4 else (2, 3, 6)
    e = check_op(lambda m, x: m.nn.functional.pad(x, pads, mode=mode), [shape])
    t = torch.nn.functional.pad(torch.ones(shape, requires_grad=True), pads, mode=mode)
    assert e.grad_fn.name() == t.grad_fn.name()


def test_pad_value_and_crop():
    check_op(lambda m, x: m.nn.functional.pad(x, (1, -1, 2, 0), value=3.5), [(2, 4, 5)])


@pytest.mark.parametrize(
    "cls,args",
    [
        ("ZeroPad2d", ((1, 2, 0, 1),)),
        ("ConstantPad1d", (2, 1.5)),
        ("ReflectionPad2d", (2,)),
        ("ReplicationPad1d", ((1, 2),)),
        ("CircularPad2d", (1,)),
        ("ReflectionPad1d", (2,)),
    ],
)
def test_pad_modules(cls, args):
    shape = (2, 3, 5, 6) if cls.endswith("2d") else (2, 3, 6)
    check_module(lambda nn: getattr(nn, cls)(*args), [shape])


@pytest.mark.parametrize(
    "kw",
    [
        dict(scale_factor=2),
        dict(size=(5, 7)),
        dict(scale_factor=2, mode="bilinear"),
        dict(size=(5, 7), mode="bilinear", align_corners=True),
        dict(scale_factor=1.5, mode="bilinear"),
    ],
    ids=str,
)
def test_upsample(kw):
    _, _, e, t = check_module(lambda nn: nn.Upsample(**kw), [(2, 3, 4, 5)])
    assert e.grad_fn.name() == t.grad_fn.name()


def test_interpolate_1d():
    check_op(
        lambda m, x: m.nn.functional.interpolate(x, scale_factor=2, mode="linear"), [(2, 3, 5)]
    )
    check_op(lambda m, x: m.nn.functional.interpolate(x, size=7), [(2, 3, 5)])


def test_unfold_fold():
    check_op(lambda m, x: m.nn.functional.unfold(x, (2, 3), padding=1, stride=2), [(2, 3, 6, 7)])
    check_op(lambda m, x: m.nn.functional.fold(x, (4, 5), 2), [(2, 12, 12)])


ACTS = [
    ("ReLU", ()),
    ("ReLU6", ()),
    ("LeakyReLU", (0.2,)),
    ("ELU", (0.7,)),
    ("SELU", ()),
    ("CELU", (1.3,)),
    ("GELU", ()),
    ("GELU", ("tanh",)),
    ("SiLU", ()),
    ("Mish", ()),
    ("Sigmoid", ()),
    ("Tanh", ()),
    ("Hardtanh", (-0.5, 1.5)),
    ("Hardsigmoid", ()),
    ("Hardswish", ()),
    ("Softplus", ()),
    ("Softplus", (2.0, 1.0)),
    ("Softsign", ()),
    ("Tanhshrink", ()),
    ("Threshold", (0.1, 20.0)),
    ("Softmax", (1,)),
    ("LogSoftmax", (1,)),
    ("Softmin", (1,)),
    ("GLU", ()),
    ("LogSigmoid", ()),
    ("Hardshrink", ()),
    ("Softshrink", ()),
    ("PReLU", ()),
    ("PReLU", (3,)),
]


@pytest.mark.parametrize("name,args", ACTS, ids=str)
def test_activation(name, args):
    _, _, e, t = check_module(lambda nn: getattr(nn, name)(*args), [(4, 3, 6)], low=-4, high=4)
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize(
    "name",
    [
        "ReLU",
        "ReLU6",
        "LeakyReLU",
        "ELU",
        "SELU",
        "CELU",
        "SiLU",
        "Mish",
        "Hardtanh",
        "Hardsigmoid",
        "Hardswish",
    ],
)
def test_activation_inplace(name):
    def fn(m, x):
        y = x * 1
        out = getattr(m.nn, name)(inplace=True)(y)
        assert out is y
        return y

    check_op(fn, [(4, 5)], low=-4, high=4)


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = F.softmax(ember.ones(2, 3))
    np.testing.assert_allclose(y.numpy(), torch.softmax(torch.ones(2, 3), 1).numpy())


def test_linear_grad_fns():
    for shape, bias in [((3, 5), True), ((3, 5), False), ((2, 3, 5), True), ((5,), True)]:
        _, _, e, t = check_module(lambda nn, b=bias: nn.Linear(5, 4, bias=b), [shape])
        assert e.grad_fn.name() == t.grad_fn.name(), shape


def test_bilinear_identity_flatten():
    check_module(lambda nn: nn.Bilinear(3, 4, 5), [(6, 3), (6, 4)])
    check_module(lambda nn: nn.Identity(54, unused=1), [(2, 3)])
    check_module(lambda nn: nn.Flatten(), [(2, 3, 4, 5)])
    check_module(lambda nn: nn.Flatten(0, 2), [(2, 3, 4, 5)])
    check_module(lambda nn: nn.Unflatten(1, (2, 6)), [(3, 12)])


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(momentum=None),
        dict(affine=False),
        dict(track_running_stats=False),
        dict(momentum=0.3, eps=1e-3),
    ],
    ids=str,
)
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm2d(kw, train):
    em, tm, e, t = check_module(lambda nn: nn.BatchNorm2d(3, **kw), [(4, 3, 5, 6)], train=train)
    assert e.grad_fn.name() == t.grad_fn.name() == "NativeBatchNormBackward0"
    if train:  # a second step: running stats and num_batches_tracked keep following torch's
        x = np.random.default_rng(1).standard_normal((4, 3, 5, 6)).astype(np.float32)
        em(ember.tensor(x))
        tm(torch.tensor(x))
        for (k, a), (_, b) in zip(em.state_dict().items(), tm.state_dict().items()):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def test_batchnorm1d():
    check_module(lambda nn: nn.BatchNorm1d(4), [(8, 4)])
    check_module(lambda nn: nn.BatchNorm1d(4), [(8, 4, 5)], train=False)
    check_raises(lambda m: m.nn.BatchNorm2d(3)(m.ones(2, 3)))


@pytest.mark.parametrize(
    "shape,kw",
    [((5,), {}), ((4, 5), {}), ((5,), dict(bias=False)), ((5,), dict(elementwise_affine=False))],
    ids=str,
)
def test_layernorm(shape, kw):
    em, tm, e, t = check_module(lambda nn: nn.LayerNorm(shape, **kw), [(3, 4, 5)])
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("groups,affine", [(1, True), (2, True), (6, False)])
def test_groupnorm(groups, affine):
    _, _, e, t = check_module(lambda nn: nn.GroupNorm(groups, 6, affine=affine), [(2, 6, 4, 3)])
    assert e.grad_fn.name() == t.grad_fn.name()


def test_norms_with_trained_affine():
    # non-trivial weight/bias: perturb torch's, load both
    for make in (
        lambda nn: nn.BatchNorm2d(3),
        lambda nn: nn.LayerNorm(6),
        lambda nn: nn.GroupNorm(3, 3),
    ):

        def build(nn, make=make):
            m = make(nn)
            if nn is torch.nn:
                with torch.no_grad():
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-1, 1)
            return m

        check_module(build, [(2, 3, 4, 6)])


def test_embedding():
    idx = np.array([[0, 2, 4], [4, 3, 1]], np.int64)
    _, _, e, t = check_module(lambda nn: nn.Embedding(6, 3), [idx])
    assert e.grad_fn.name() == t.grad_fn.name()
    em, tm, _, _ = check_module(lambda nn: nn.Embedding(6, 3, padding_idx=4), [idx])
    assert not em.weight.grad.numpy()[4].any()
    check_module(lambda nn: nn.Embedding(6, 3, max_norm=1.0), [idx])
    w = torch.randn(4, 2)
    em = ember.nn.Embedding.from_pretrained(ember.tensor(w.numpy()))
    tm = torch.nn.Embedding.from_pretrained(w)
    assert repr(em) == repr(tm) and em.weight.requires_grad is False
    check_raises(lambda m: m.nn.functional.embedding(m.tensor([7]), m.ones(5, 2)))


def test_dropout_matches_torch_stream():
    x = np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32)
    for p in (0.2, 0.5):
        torch.manual_seed(7)
        ember.manual_seed(7)
        check_op(lambda m, a, p=p: m.nn.functional.dropout(a, p), [x], seed=0)
    torch.manual_seed(3)
    ember.manual_seed(3)
    e = check_op(lambda m, a: m.nn.Dropout2d(0.4)(a), [(4, 5, 3, 3)])
    zeroed = (e.detach().numpy() == 0).all(axis=(2, 3))
    assert 0 < zeroed.sum() < 20  # whole channels dropped
    m = ember.nn.Dropout(0.5).eval()
    x = ember.ones(3, 3)
    assert m(x) is x


def test_functional_misc():
    idx = ember.tensor([0, 2, 1])
    assert F.one_hot(idx).tolist() == torch.nn.functional.one_hot(torch.tensor([0, 2, 1])).tolist()
    assert F.one_hot(idx, 5).shape == (3, 5)
    check_op(lambda m, x: m.nn.functional.normalize(x), [(3, 4)])
    check_op(lambda m, x: m.nn.functional.normalize(x, p=1, dim=0), [(3, 4)])
    check_op(lambda m, x, w: m.nn.functional.prelu(x, w), [(2, 3, 4), (3,)])


def test_conv_double_backward():
    for tr in (False, True):

        def fn(m, x, w, tr=tr):
            f = m.nn.functional.conv_transpose2d if tr else m.nn.functional.conv2d
            y = f(x, w, stride=2, padding=1)
            (gx, gw) = m.autograd.grad((y * y).sum(), (x, w), create_graph=True)
            return (gx * gx).sum() + (gw * gw).sum()

        check_op(fn, [(2, 3, 7, 6), (3, 3, 3, 3)], rtol=1e-3, atol=1e-3)


def test_pool_double_backward():
    def fn(m, x):
        y = m.nn.functional.max_pool2d(x, 2) + m.nn.functional.avg_pool2d(x, 3, 2, 1)
        (gx,) = m.autograd.grad((y * y).sum(), (x,), create_graph=True)
        return (gx * gx).sum()

    check_op(fn, [(2, 3, 6, 6)], rtol=1e-3, atol=1e-3)


def test_embedding_of_no_indices_has_a_zero_gradient():
    for m in (ember, torch):
        emb = m.nn.Embedding(5, 3)
        out = emb(m.zeros(2, 0, dtype=m.long))
        out.sum().backward()
        assert tuple(out.shape) == (2, 0, 3)
        assert emb.weight.grad.abs().sum().item() == 0.0
