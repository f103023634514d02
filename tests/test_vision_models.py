"""ember.vision.models against torchvision.models 0.28: same module tree and repr, same
initialisation from the same seed, same outputs from the same weights."""

import numpy as np
import pytest
import torch
from conftest import import_torchvision
from helpers import assert_close

import ember
from ember.vision import models as em

tvm = import_torchvision().models


def build_both(name, seed=0, **kwargs):
    """The model ``name`` from each library, each built right after ``manual_seed(seed)``."""
    ember.manual_seed(seed)
    ours = getattr(em, name)(**kwargs)
    torch.manual_seed(seed)
    theirs = getattr(tvm, name)(**kwargs)
    return ours, theirs


def same_state_dict(ours, theirs):
    """Same keys in the same order, and bit-identical tensors (same seed, same draws)."""
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b)
    for k in b:
        x, y = a[k].numpy(), b[k].numpy()
        assert x.shape == y.shape and x.dtype == y.dtype, k
        assert np.array_equal(x, y), f"{k} differs"


def load_theirs(ours, theirs):
    """Copy torchvision's state into ours through load_state_dict."""
    state = {k: ember.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)


def perturb_bn(theirs, seed=1):
    """Non-trivial running statistics and affine parameters, so eval mode tests the BN path."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in theirs.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)


def build_alike(build):
    """``build(lib)`` for each library (it seeds ``lib``): same repr, bit-identical state."""
    ours, theirs = build(ember), build(torch)
    assert repr(ours) == repr(theirs)
    same_state_dict(ours, theirs)
    return ours, theirs


def same_outputs(ours, theirs, size=32, batch=2, seed=0, rtol=1e-4, msg=""):
    """Load torchvision's (BN-perturbed) state into ours; eval outputs must agree."""
    perturb_bn(theirs)
    load_theirs(ours, theirs)
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(seed).standard_normal((batch, 3, size, size)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x))
    with ember.no_grad():
        got = ours(ember.tensor(x))
    # Deep float32 stacks sum in a different order than torch: tolerance scaled to the logits.
    atol = 2e-5 * max(1.0, float(expected.abs().max()))
    assert_close(got, expected, rtol=rtol, atol=atol, msg=msg)


def check_model(name, size=32, batch=2, seed=0, rtol=1e-4, **kwargs):
    """Repr, parameter count, same-seed state_dict, and eval outputs after loading theirs."""
    ours, theirs = build_both(name, seed, **kwargs)
    assert repr(ours) == repr(theirs)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
    same_state_dict(ours, theirs)
    same_outputs(ours, theirs, size, batch, seed, rtol, msg=name)
    return ours, theirs


# ------------------------------------------------------------------------------------------------
# ResNet family
# ------------------------------------------------------------------------------------------------
def test_resnet18():
    check_model("resnet18", num_classes=10)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet18", "resnet34", "resnet50"])
def test_resnet_full_head(name):
    check_model(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2"])
def test_resnet_deep(name):
    check_model(name, num_classes=10)


# ------------------------------------------------------------------------------------------------
# VGG and AlexNet: their 4096-wide classifiers hold 60M-120M weights, slow to draw in Ember
# ------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", ["vgg11", "vgg11_bn"])
def test_vgg(name):
    check_model(name, num_classes=10)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["vgg13_bn", "vgg16", "vgg19_bn"])
def test_vgg_deeper_without_init(name):
    ours, theirs = build_both(name, init_weights=False, dropout=0.25)
    assert repr(ours) == repr(theirs)
    same_state_dict(ours, theirs)


@pytest.mark.slow
def test_alexnet():
    check_model("alexnet", size=64, num_classes=10, dropout=0.1)


# ------------------------------------------------------------------------------------------------
# MobileNets
# ------------------------------------------------------------------------------------------------
def test_mobilenet_v2():
    check_model("mobilenet_v2", num_classes=10)


@pytest.mark.slow
def test_mobilenet_v2_width():
    check_model("mobilenet_v2", num_classes=7, width_mult=0.5, dropout=0.1)


def test_mobilenet_v3_small():
    check_model("mobilenet_v3_small", num_classes=10)


@pytest.mark.slow
def test_mobilenet_v3_large():
    check_model("mobilenet_v3_large", num_classes=10)


@pytest.mark.slow
def test_mobilenet_v3_reduced_tail_dilated():
    check_model(
        "mobilenet_v3_small", num_classes=5, width_mult=0.75, reduced_tail=True, dilated=True
    )


# ------------------------------------------------------------------------------------------------
# SqueezeNet and DenseNet
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["squeezenet1_0", "squeezenet1_1"])
def test_squeezenet(name):
    check_model(name, size=64, num_classes=10)


@pytest.mark.slow
def test_densenet121():
    check_model("densenet121", num_classes=10)


def test_densenet_small_growth():
    def build(lib):
        lib.manual_seed(0)
        models = em if lib is ember else tvm
        return models.DenseNet(8, (2, 3, 2, 2), 16, bn_size=2, num_classes=6)

    ours, theirs = build_alike(build)
    same_outputs(ours, theirs, 32)


@pytest.mark.slow
def test_densenet_small_config_with_dropout():
    ours, theirs = check_model("densenet121", num_classes=4, drop_rate=0.2, bn_size=2)
    assert ours.features.denseblock1.denselayer1.drop_rate == 0.2


# ------------------------------------------------------------------------------------------------
# Constructor options and argument errors
# ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_resnet18_zero_init_residual():
    ours, theirs = build_both("resnet18", num_classes=3, zero_init_residual=True)
    same_state_dict(ours, theirs)
    for layer in (ours.layer1, ours.layer4):
        for block in layer:
            assert float(block.bn2.weight.abs().sum()) == 0.0
            assert float(block.bn1.weight.sum()) == block.bn1.num_features


@pytest.mark.slow
def test_resnet50_dilation_and_zero_init():
    check_model(
        "resnet50",
        num_classes=3,
        zero_init_residual=True,
        replace_stride_with_dilation=[False, True, True],
    )


def test_resnet_group_norm():
    ember.manual_seed(0)
    ours = em.ResNet(em.BasicBlock, [1, 1, 1, 1], 5, norm_layer=lambda c: ember.nn.GroupNorm(4, c))
    torch.manual_seed(0)
    theirs = tvm.ResNet(
        tvm.resnet.BasicBlock, [1, 1, 1, 1], 5, norm_layer=lambda c: torch.nn.GroupNorm(4, c)
    )
    assert repr(ours) == repr(theirs)
    same_state_dict(ours, theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    assert_close(ours(ember.tensor(x)), theirs(torch.from_numpy(x)), rtol=1e-4, atol=1e-4)


def raises_like(ours_fn, theirs_fn):
    """Same exception type and message from both libraries."""
    with pytest.raises(Exception) as theirs:
        theirs_fn()
    with pytest.raises(type(theirs.value)) as ours:
        ours_fn()
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("resnext50_32x4d", {"groups": 2}),
        ("wide_resnet50_2", {"width_per_group": 64}),
        ("resnet18", {"replace_stride_with_dilation": [True]}),
        ("resnet18", {"groups": 2}),
        ("resnet18", {"replace_stride_with_dilation": [False, False, True]}),
        ("mobilenet_v2", {"inverted_residual_setting": [[1, 16, 1]]}),
        ("resnet18", {"weights": "IMAGENET1K_V2"}),
    ],
)
def test_bad_arguments(name, kwargs):
    raises_like(lambda: getattr(em, name)(**kwargs), lambda: getattr(tvm, name)(**kwargs))


def test_bad_versions_and_strides():
    raises_like(lambda: em.SqueezeNet("2_0"), lambda: tvm.SqueezeNet("2_0"))
    raises_like(lambda: em.MobileNetV3([], 10), lambda: tvm.MobileNetV3([], 10))
    raises_like(lambda: em.MobileNetV3([1], 10), lambda: tvm.MobileNetV3([1], 10))
    raises_like(
        lambda: em.mobilenetv2.InvertedResidual(8, 8, 3, 1),
        lambda: tvm.mobilenetv2.InvertedResidual(8, 8, 3, 1),
    )
    raises_like(
        lambda: em.mobilenetv3._mobilenet_v3_conf("mobilenet_v3_tiny"),
        lambda: tvm.mobilenetv3._mobilenet_v3_conf("mobilenet_v3_tiny"),
    )


# ------------------------------------------------------------------------------------------------
# Weights enums and the registry
# ------------------------------------------------------------------------------------------------
BUILDERS = [
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
    "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
    "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "alexnet", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
    "squeezenet1_0", "squeezenet1_1", "densenet121", "densenet161", "densenet169", "densenet201",
    "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
    "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3",
    *[f"efficientnet_b{i}" for i in range(8)],
    "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l", "googlenet",
    "inception_v3", "convnext_tiny", "convnext_small", "convnext_base", "convnext_large",
    "vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32", "vit_h_14",
    *[f"regnet_{k}_{s}" for k in "xy" for s in ["400mf", "800mf", "1_6gf", "3_2gf", "8gf"]],
    *[f"regnet_{k}_{s}" for k in "xy" for s in ["16gf", "32gf"]], "regnet_y_128gf",
    "swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b", "maxvit_t",
]  # fmt: skip


def test_list_models():
    assert em.list_models() == sorted(BUILDERS)
    assert em.list_models(module=em) == sorted(BUILDERS)
    # Every classification builder of torchvision.models (detection, video etc. live elsewhere).
    assert em.list_models() == tvm.list_models(module=tvm)
    for include, exclude in [
        ("resnet*", None),
        ("vgg*", "*_bn"),
        (["dense*", "squeeze*", "mnas*", "shuffle*"], None),
        ("efficientnet*", "*v2*"),
        (["goog*", "incep*"], None),
        ("convnext*", None),
        ("vit*", "*_32"),
        ("regnet*", "*gf"),
        ("swin_*", None),
        ("maxvit*", None),
    ]:
        assert em.list_models(include=include, exclude=exclude) == tvm.list_models(
            include=include, exclude=exclude
        )


@pytest.mark.parametrize("name", BUILDERS)
def test_weights_enums(name):
    ours, theirs = em.get_model_weights(name), tvm.get_model_weights(name)
    assert ours.__name__ == theirs.__name__
    assert em.get_model_weights(getattr(em, name)) is ours
    assert [w.name for w in ours] == [w.name for w in theirs]
    assert ours.DEFAULT.name == theirs.DEFAULT.name
    assert repr(ours.DEFAULT) == repr(theirs.DEFAULT)
    for a, b in zip(ours, theirs):
        assert a.url == b.url and a.meta["num_params"] == b.meta["num_params"]
    assert ours.verify("DEFAULT") is ours.DEFAULT
    with pytest.raises(
        RuntimeError, match=rf"{ours.__name__}\.{ours.DEFAULT.name}.*cannot download"
    ):
        getattr(em, name)(weights="DEFAULT")
    with pytest.raises(RuntimeError, match="cannot download"):
        getattr(em, name)(weights=ours.DEFAULT)


def test_get_model():
    ember.manual_seed(3)
    ours = em.get_model("MobileNet_V3_Small", num_classes=4)
    torch.manual_seed(3)
    theirs = tvm.get_model("MobileNet_V3_Small", num_classes=4)
    same_state_dict(ours, theirs)
    raises_like(lambda: em.get_model("nonet"), lambda: tvm.get_model("nonet"))


def test_num_params_in_meta():
    ember.manual_seed(0)
    model = em.squeezenet1_1()
    assert (
        sum(p.numel() for p in model.parameters())
        == em.SqueezeNet1_1_Weights.DEFAULT.meta["num_params"]
    )


# ------------------------------------------------------------------------------------------------
# ShuffleNetV2 and MNASNet
# ------------------------------------------------------------------------------------------------
def test_shufflenet_v2_x0_5():
    check_model("shufflenet_v2_x0_5", num_classes=10)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0"])
def test_shufflenet_v2_wider(name):
    check_model(name, num_classes=10)


def test_mnasnet0_5():
    check_model("mnasnet0_5", num_classes=10)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mnasnet0_75", "mnasnet1_0", "mnasnet1_3"])
def test_mnasnet_wider(name):
    check_model(name, num_classes=10, dropout=0.1)


def test_shufflenet_mnasnet_errors():
    raises_like(lambda: em.ShuffleNetV2([4, 8], [1] * 5), lambda: tvm.ShuffleNetV2([4, 8], [1] * 5))
    raises_like(
        lambda: em.ShuffleNetV2([4] * 3, [1] * 4), lambda: tvm.ShuffleNetV2([4] * 3, [1] * 4)
    )
    raises_like(
        lambda: em.shufflenetv2.InvertedResidual(8, 24, 1),
        lambda: tvm.shufflenetv2.InvertedResidual(8, 24, 1),
    )
    raises_like(lambda: em.MNASNet(0.0), lambda: tvm.MNASNet(0.0))
    raises_like(
        lambda: em.mnasnet._InvertedResidual(8, 8, 7, 1, 3),
        lambda: tvm.mnasnet._InvertedResidual(8, 8, 7, 1, 3),
    )


# ------------------------------------------------------------------------------------------------
# EfficientNet
# ------------------------------------------------------------------------------------------------
def test_efficientnet_b0():
    ours, theirs = check_model("efficientnet_b0", num_classes=10)
    # Stochastic depth grows linearly with the block index: the last block's p is 0.2 * 14 / 16.
    assert ours.features[6][3].stochastic_depth.p == theirs.features[6][3].stochastic_depth.p


@pytest.mark.slow
@pytest.mark.parametrize("name", ["efficientnet_b1", "efficientnet_b5", "efficientnet_v2_s"])
def test_efficientnet_scaled(name):
    check_model(name, num_classes=10, dropout=0.1, stochastic_depth_prob=0.3)


def test_efficientnet_errors():
    raises_like(lambda: em.EfficientNet([], 0.2), lambda: tvm.EfficientNet([], 0.2))
    raises_like(lambda: em.EfficientNet([1], 0.2), lambda: tvm.EfficientNet([1], 0.2))
    raises_like(
        lambda: em.efficientnet._efficientnet_conf("efficientnet_v3"),
        lambda: tvm.efficientnet._efficientnet_conf("efficientnet_v3"),
    )
    with pytest.raises(TypeError):
        em.efficientnet_b5(norm_layer=ember.nn.BatchNorm2d)


# ------------------------------------------------------------------------------------------------
# GoogLeNet
# ------------------------------------------------------------------------------------------------
def test_googlenet_eval():
    check_model("googlenet", size=64, num_classes=10, init_weights=True, transform_input=True)


@pytest.mark.slow
def test_googlenet_training_outputs():
    ours, theirs = build_both("googlenet", num_classes=5, init_weights=True, dropout=0.0)
    ours.aux1.dropout.p = ours.aux2.dropout.p = theirs.aux1.dropout.p = theirs.aux2.dropout.p = 0
    x = np.random.default_rng(0).standard_normal((2, 3, 64, 64)).astype(np.float32)
    with ember.no_grad(), torch.no_grad():
        got, expected = ours(ember.tensor(x)), theirs(torch.from_numpy(x))
    assert type(got).__name__ == type(expected).__name__ == "GoogLeNetOutputs"
    assert got._fields == expected._fields
    assert_close(list(got), list(expected), rtol=1e-4, atol=1e-4)
    ours.aux_logits = theirs.aux_logits = False
    assert_close(ours(ember.tensor(x)), theirs(torch.from_numpy(x)), rtol=1e-4, atol=1e-4)


def test_googlenet_warns_and_checks_blocks():
    with pytest.warns(FutureWarning, match="init_weights=True"):
        ember.manual_seed(0)
        ours = em.googlenet(num_classes=3, aux_logits=False)
    torch.manual_seed(0)
    with pytest.warns(FutureWarning):
        theirs = tvm.googlenet(num_classes=3, aux_logits=False)
    assert repr(ours) == repr(theirs)
    same_state_dict(ours, theirs)
    raises_like(
        lambda: em.GoogLeNet(blocks=[1, 2], init_weights=False),
        lambda: tvm.GoogLeNet(blocks=[1, 2], init_weights=False),
    )


# ------------------------------------------------------------------------------------------------
# Inception v3 (27M weights; the auxiliary head needs 299x299 inputs)
# ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_inception_v3_eval():
    check_model("inception_v3", size=80, num_classes=10, init_weights=True, transform_input=True)


@pytest.mark.slow
def test_inception_v3_training_outputs():
    ours, theirs = build_both("inception_v3", num_classes=5, init_weights=True, dropout=0.0)
    # Batch statistics of 2 samples on 8x8 maps amplify float32 rounding past any fair
    # tolerance: the norms use running statistics while the rest runs in training mode.
    for model in (ours, theirs):
        for m in model.modules():
            if "BatchNorm" in type(m).__name__:
                m.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 299, 299)).astype(np.float32)
    with ember.no_grad(), torch.no_grad():
        got, expected = ours(ember.tensor(x)), theirs(torch.from_numpy(x))
    assert type(got).__name__ == type(expected).__name__ == "InceptionOutputs"
    assert got._fields == expected._fields
    assert_close(list(got), list(expected), rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_inception_v3_warns_and_checks_blocks():
    with pytest.warns(FutureWarning, match="init_weights=True"):
        em.inception_v3(aux_logits=False)
    raises_like(
        lambda: em.Inception3(inception_blocks=[1], init_weights=False),
        lambda: tvm.Inception3(inception_blocks=[1], init_weights=False),
    )


# ------------------------------------------------------------------------------------------------
# ConvNeXt
# ------------------------------------------------------------------------------------------------
def test_convnext_small_setting():
    def build(lib, seed=0):
        lib_models = em if lib is ember else tvm
        cfg = lib_models.convnext.CNBlockConfig
        lib.manual_seed(seed)
        setting = [cfg(16, 32, 1), cfg(32, 48, 2), cfg(48, None, 2)]
        return lib_models.ConvNeXt(setting, stochastic_depth_prob=0.3, num_classes=7)

    ours, theirs = build_alike(build)
    with torch.no_grad():
        for p in theirs.parameters():
            if p.ndim == 3:  # layer scales: 1e-6 would hide the blocks from the comparison
                p.fill_(0.5)
    same_outputs(ours, theirs, 32)


@pytest.mark.slow
def test_convnext_tiny():
    check_model("convnext_tiny", num_classes=10, stochastic_depth_prob=0.2)


def test_convnext_errors():
    raises_like(lambda: em.ConvNeXt([]), lambda: tvm.ConvNeXt([]))
    raises_like(lambda: em.ConvNeXt([1]), lambda: tvm.ConvNeXt([1]))


# ------------------------------------------------------------------------------------------------
# Vision Transformer
# ------------------------------------------------------------------------------------------------
def randomize_heads(theirs, seed=2):
    """The heads start at zero; random ones make the outputs depend on the whole network."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in theirs.heads.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)


def check_vit(stem, **kwargs):
    def build(lib):
        models = em if lib is ember else tvm
        lib.manual_seed(0)
        configs = None
        if stem:
            cfg = models.vision_transformer.ConvStemConfig
            configs = [cfg(8, 3, 2), cfg(12, 3, 2)]
        return models.VisionTransformer(conv_stem_configs=configs, **kwargs)

    ours, theirs = build_alike(build)
    randomize_heads(theirs)
    same_outputs(ours, theirs, 32)
    return ours, theirs


VIT_SMALL = dict(image_size=32, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=32)


def test_vit_small():
    check_vit(False, patch_size=8, num_classes=10, representation_size=12, **VIT_SMALL)


def test_vit_conv_stem():
    ours, theirs = check_vit(True, patch_size=4, num_classes=3, **VIT_SMALL)
    x = np.zeros((1, 3, 16, 16), np.float32)
    raises_like(lambda: ours(ember.tensor(x)), lambda: theirs(torch.from_numpy(x)))
    raises_like(
        lambda: em.VisionTransformer(30, 8, 1, 1, 8, 8),
        lambda: tvm.VisionTransformer(30, 8, 1, 1, 8, 8),
    )


@pytest.mark.slow
def test_vit_b_32():
    ours, theirs = build_both("vit_b_32", num_classes=10, image_size=64)
    assert repr(ours) == repr(theirs)
    same_state_dict(ours, theirs)
    randomize_heads(theirs)
    same_outputs(ours, theirs, 64)


# ------------------------------------------------------------------------------------------------
# RegNet
# ------------------------------------------------------------------------------------------------
REGNETS = [f"regnet_{k}_{s}" for k in "yx" for s in ["400mf", "800mf", "1_6gf", "3_2gf", "8gf"]]
REGNETS += [f"regnet_{k}_{s}" for k in "yx" for s in ["16gf", "32gf"]] + ["regnet_y_128gf"]


def test_regnet_block_params():
    """The float32 width rule gives torchvision's stages for every published configuration."""
    for name in REGNETS:
        depth, w_0, w_a, w_m, group_width, se_ratio = em.regnet._CONFIGS[name][0]
        args = (depth, w_0, w_a, w_m, group_width)
        ours = em.regnet.BlockParams.from_init_params(*args, se_ratio=se_ratio)
        theirs = tvm.regnet.BlockParams.from_init_params(*args, se_ratio=se_ratio)
        assert vars(ours) == vars(theirs), name
    raises_like(
        lambda: em.regnet.BlockParams.from_init_params(4, 20, 1.0, 2.0, 8),
        lambda: tvm.regnet.BlockParams.from_init_params(4, 20, 1.0, 2.0, 8),
    )


def test_regnet_y_400mf():
    check_model("regnet_y_400mf", num_classes=10)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["regnet_x_400mf", "regnet_y_1_6gf", "regnet_x_3_2gf"])
def test_regnet_larger(name):
    check_model(name, num_classes=10)


def test_get_weight_and_verify():
    for name in ["ResNet50_Weights.IMAGENET1K_V1", "RegNet_Y_16GF_Weights.IMAGENET1K_SWAG_E2E_V1"]:
        assert repr(em.get_weight(name)) == repr(tvm.get_weight(name))
    for name in ["ResNet50_Weights", "Nope_Weights.X", "ResNet50_Weights.NOPE"]:
        raises_like(lambda n=name: em.get_weight(n), lambda n=name: tvm.get_weight(n))
    raises_like(lambda: em.get_model_weights("nonet"), lambda: tvm.get_model_weights("nonet"))
    raises_like(lambda: em.ResNet50_Weights.verify(3), lambda: tvm.ResNet50_Weights.verify(3))
    w = em.ResNet50_Weights.verify("ResNet50_Weights.IMAGENET1K_V1")
    assert w is em.ResNet50_Weights.IMAGENET1K_V1
    with pytest.raises(RuntimeError, match="cannot download"):
        w.get_state_dict()


# ------------------------------------------------------------------------------------------------
# Swin Transformer
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("v2", [False, True])
def test_swin_small_padded_and_shifted(v2):
    """20x20 inputs in 2x2 patches: 10x10 then 5x5 maps, both padded to 4x4 windows."""

    def build(lib):
        models = em if lib is ember else tvm
        extra = {}
        if v2:
            sw = models.swin_transformer
            extra = {"block": sw.SwinTransformerBlockV2, "downsample_layer": sw.PatchMergingV2}
        lib.manual_seed(0)
        return models.SwinTransformer(
            [2, 2], 8, [2, 2], [2, 4], [4, 4], num_classes=5, stochastic_depth_prob=0.1, **extra
        )

    ours, theirs = build_alike(build)
    with torch.no_grad():
        theirs.head.weight.mul_(50)  # logits of a useful size for the comparison
    same_outputs(ours, theirs, 20)
    raises_like(
        lambda: em.swin_transformer.ShiftedWindowAttention(8, [4], [0, 0], 2),
        lambda: tvm.swin_transformer.ShiftedWindowAttention(8, [4], [0, 0], 2),
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["swin_t", "swin_v2_t"])
def test_swin_tiny(name):
    check_model(name, num_classes=10)


# ------------------------------------------------------------------------------------------------
# Gradients of every parameter through a whole network (eval mode: with batch statistics of a
# few samples on 1x1 or 2x2 maps, the deepest norms amplify float32 rounding past any tolerance)
# ------------------------------------------------------------------------------------------------
def check_gradients(name, size=32, **kwargs):
    ours, theirs = build_both(name, **kwargs)
    perturb_bn(theirs)
    load_theirs(ours, theirs)
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, size, size)).astype(np.float32)
    out_t = theirs(torch.from_numpy(x))
    cot = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(np.float32)
    (out_t * torch.from_numpy(cot)).sum().backward()
    out_e = ours(ember.tensor(x))
    (out_e * ember.tensor(cot)).sum().backward()
    assert_close(out_e, out_t, rtol=1e-4, atol=1e-4)
    ours_params = dict(ours.named_parameters())
    for k, p in theirs.named_parameters():
        g = p.grad
        assert_close(ours_params[k].grad, g, rtol=1e-3, atol=1e-4 * float(g.abs().max()), msg=k)


def test_squeezenet_gradients():
    check_gradients("squeezenet1_1", num_classes=10)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v3_small", "shufflenet_v2_x0_5"])
def test_gradients(name):
    check_gradients(name, size=64, num_classes=10)


def test_torchvision_checkpoint_file_loads(tmp_path):
    """The route the weights error suggests: a torchvision .pth, ember.load, load_state_dict."""
    torch.manual_seed(1)
    theirs = tvm.squeezenet1_1(num_classes=7)
    torch.save(theirs.state_dict(), tmp_path / "squeezenet.pth")
    ours = em.squeezenet1_1(num_classes=7)
    ours.load_state_dict(ember.load(tmp_path / "squeezenet.pth"))
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((1, 3, 64, 64)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x))
    assert_close(ours(ember.tensor(x)), expected, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------------------------
# MaxViT
# ------------------------------------------------------------------------------------------------
MAXVIT_SMALL = dict(
    input_size=(32, 32),
    stem_channels=8,
    partition_size=2,
    block_channels=[8, 16],
    block_layers=[1, 2],
    head_dim=4,
    stochastic_depth_prob=0.2,
    num_classes=5,
)


def test_maxvit_small():
    ember.manual_seed(0)
    ours = em.MaxVit(**MAXVIT_SMALL)
    torch.manual_seed(0)
    theirs = tvm.MaxVit(**MAXVIT_SMALL)
    assert repr(ours) == repr(theirs)
    same_state_dict(ours, theirs)
    perturb_bn(theirs)
    with torch.no_grad():
        theirs.classifier[-1].weight.mul_(100)  # N(0, 0.02) weights: logits of a useful size
    same_outputs(ours, theirs, 32)
    bad = dict(MAXVIT_SMALL, input_size=(36, 36), partition_size=4)
    raises_like(lambda: em.MaxVit(**bad), lambda: tvm.MaxVit(**bad))


@pytest.mark.slow
def test_maxvit_t_init():
    ours, theirs = build_both("maxvit_t", num_classes=10)
    assert repr(ours) == repr(theirs)
    same_state_dict(ours, theirs)
