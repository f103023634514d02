"""EfficientNet B0-B7 and EfficientNetV2 S/M/L (torchvision.models.efficientnet)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import ember
from ember import nn
from ember._tensor import Tensor
from ember.vision.ops.misc import Conv2dNormActivation, SqueezeExcitation, StochasticDepth

from ._api import WeightsEnum, _weights, handle_weights, register_model
from ._ops import make_divisible

__all__ = [
    "EfficientNet",
    "EfficientNet_B0_Weights",
    "EfficientNet_B1_Weights",
    "EfficientNet_B2_Weights",
    "EfficientNet_B3_Weights",
    "EfficientNet_B4_Weights",
    "EfficientNet_B5_Weights",
    "EfficientNet_B6_Weights",
    "EfficientNet_B7_Weights",
    "EfficientNet_V2_S_Weights",
    "EfficientNet_V2_M_Weights",
    "EfficientNet_V2_L_Weights",
    "efficientnet_b0",
    "efficientnet_b1",
    "efficientnet_b2",
    "efficientnet_b3",
    "efficientnet_b4",
    "efficientnet_b5",
    "efficientnet_b6",
    "efficientnet_b7",
    "efficientnet_v2_s",
    "efficientnet_v2_m",
    "efficientnet_v2_l",
]


@dataclass
class _MBConvConfig:
    expand_ratio: float
    kernel: int
    stride: int
    input_channels: int
    out_channels: int
    num_layers: int
    block: Callable[..., nn.Module]

    @staticmethod
    def adjust_channels(channels: int, width_mult: float, min_value: int | None = None) -> int:
        """``channels * width_mult`` rounded to a multiple of 8."""
        return make_divisible(channels * width_mult, 8, min_value)


class MBConvConfig(_MBConvConfig):
    """One stage of MBConv blocks, scaled by the width and depth multipliers."""

    def __init__(
        self,
        expand_ratio: float,
        kernel: int,
        stride: int,
        input_channels: int,
        out_channels: int,
        num_layers: int,
        width_mult: float = 1.0,
        depth_mult: float = 1.0,
        block: Callable[..., nn.Module] | None = None,
    ) -> None:
        input_channels = self.adjust_channels(input_channels, width_mult)
        out_channels = self.adjust_channels(out_channels, width_mult)
        num_layers = self.adjust_depth(num_layers, depth_mult)
        if block is None:
            block = MBConv
        super().__init__(
            expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block
        )

    @staticmethod
    def adjust_depth(num_layers: int, depth_mult: float) -> int:
        """``num_layers * depth_mult`` rounded up."""
        return int(math.ceil(num_layers * depth_mult))


class FusedMBConvConfig(_MBConvConfig):
    """One stage of FusedMBConv blocks (EfficientNetV2's early stages)."""

    def __init__(
        self,
        expand_ratio: float,
        kernel: int,
        stride: int,
        input_channels: int,
        out_channels: int,
        num_layers: int,
        block: Callable[..., nn.Module] | None = None,
    ) -> None:
        if block is None:
            block = FusedMBConv
        super().__init__(
            expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block
        )


class _Residual(nn.Module):
    """The blocks' shared forward: ``block``, plus the input through stochastic depth."""

    def forward(self, input: Tensor) -> Tensor:
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result


class MBConv(_Residual):
    """Expand (1x1), depthwise, squeeze-excite, project (1x1), all with SiLU."""

    def __init__(
        self,
        cnf: MBConvConfig,
        stochastic_depth_prob: float,
        norm_layer: Callable[..., nn.Module],
        se_layer: Callable[..., nn.Module] = SqueezeExcitation,
    ) -> None:
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        conv = partial(Conv2dNormActivation, norm_layer=norm_layer, activation_layer=nn.SiLU)
        layers: list[nn.Module] = []
        if expanded != cnf.input_channels:
            layers.append(conv(cnf.input_channels, expanded, kernel_size=1))
        layers.append(
            conv(expanded, expanded, kernel_size=cnf.kernel, stride=cnf.stride, groups=expanded)
        )
        squeeze_channels = max(1, cnf.input_channels // 4)
        layers.append(
            se_layer(expanded, squeeze_channels, activation=partial(nn.SiLU, inplace=True))
        )
        layers.append(conv(expanded, cnf.out_channels, kernel_size=1, activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels


class FusedMBConv(_Residual):
    """A full (not depthwise) expanding conv, then a 1x1 projection."""

    def __init__(
        self,
        cnf: FusedMBConvConfig,
        stochastic_depth_prob: float,
        norm_layer: Callable[..., nn.Module],
    ) -> None:
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        conv = partial(Conv2dNormActivation, norm_layer=norm_layer, activation_layer=nn.SiLU)
        if expanded != cnf.input_channels:
            layers = [
                conv(cnf.input_channels, expanded, kernel_size=cnf.kernel, stride=cnf.stride),
                conv(expanded, cnf.out_channels, kernel_size=1, activation_layer=None),
            ]
        else:
            layers = [
                conv(
                    cnf.input_channels, cnf.out_channels, kernel_size=cnf.kernel, stride=cnf.stride
                )
            ]
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels


class EfficientNet(nn.Module):
    """EfficientNet from "EfficientNet: Rethinking Model Scaling for Convolutional Neural
    Networks" (and V2 from "EfficientNetV2: Smaller Models and Faster Training")."""

    def __init__(
        self,
        inverted_residual_setting: Sequence[MBConvConfig | FusedMBConvConfig],
        dropout: float,
        stochastic_depth_prob: float = 0.2,
        num_classes: int = 1000,
        norm_layer: Callable[..., nn.Module] | None = None,
        last_channel: int | None = None,
    ) -> None:
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (
            isinstance(inverted_residual_setting, Sequence)
            and all(isinstance(s, _MBConvConfig) for s in inverted_residual_setting)
        ):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        layers: list[nn.Module] = [
            Conv2dNormActivation(
                3,
                inverted_residual_setting[0].input_channels,
                kernel_size=3,
                stride=2,
                norm_layer=norm_layer,
                activation_layer=nn.SiLU,
            )
        ]
        total_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
        block_id = 0
        for cnf in inverted_residual_setting:
            stage: list[nn.Module] = []
            for _ in range(cnf.num_layers):
                block_cnf = copy.copy(cnf)
                if stage:
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1
                # Deeper blocks are dropped more often: the probability grows linearly.
                sd_prob = stochastic_depth_prob * float(block_id) / total_blocks
                stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                block_id += 1
            layers.append(nn.Sequential(*stage))
        lastconv_input = inverted_residual_setting[-1].out_channels
        lastconv_output = last_channel if last_channel is not None else 4 * lastconv_input
        layers.append(
            Conv2dNormActivation(
                lastconv_input,
                lastconv_output,
                kernel_size=1,
                norm_layer=norm_layer,
                activation_layer=nn.SiLU,
            )
        )
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout, inplace=True), nn.Linear(lastconv_output, num_classes)
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                init_range = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -init_range, init_range)
                nn.init.zeros_(m.bias)

    def _forward_impl(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(ember.flatten(x, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self._forward_impl(x)


def _efficientnet_conf(
    arch: str, **kwargs: Any
) -> tuple[Sequence[MBConvConfig | FusedMBConvConfig], int | None]:
    if arch.startswith("efficientnet_b"):
        conf = partial(
            MBConvConfig, width_mult=kwargs.pop("width_mult"), depth_mult=kwargs.pop("depth_mult")
        )
        setting = [
            conf(1, 3, 1, 32, 16, 1),
            conf(6, 3, 2, 16, 24, 2),
            conf(6, 5, 2, 24, 40, 2),
            conf(6, 3, 2, 40, 80, 3),
            conf(6, 5, 1, 80, 112, 3),
            conf(6, 5, 2, 112, 192, 4),
            conf(6, 3, 1, 192, 320, 1),
        ]
        return setting, None
    fused, mb = FusedMBConvConfig, MBConvConfig
    if arch.startswith("efficientnet_v2_s"):
        setting = [
            fused(1, 3, 1, 24, 24, 2),
            fused(4, 3, 2, 24, 48, 4),
            fused(4, 3, 2, 48, 64, 4),
            mb(4, 3, 2, 64, 128, 6),
            mb(6, 3, 1, 128, 160, 9),
            mb(6, 3, 2, 160, 256, 15),
        ]
    elif arch.startswith("efficientnet_v2_m"):
        setting = [
            fused(1, 3, 1, 24, 24, 3),
            fused(4, 3, 2, 24, 48, 5),
            fused(4, 3, 2, 48, 80, 5),
            mb(4, 3, 2, 80, 160, 7),
            mb(6, 3, 1, 160, 176, 14),
            mb(6, 3, 2, 176, 304, 18),
            mb(6, 3, 1, 304, 512, 5),
        ]
    elif arch.startswith("efficientnet_v2_l"):
        setting = [
            fused(1, 3, 1, 32, 32, 4),
            fused(4, 3, 2, 32, 64, 7),
            fused(4, 3, 2, 64, 96, 7),
            mb(4, 3, 2, 96, 192, 10),
            mb(6, 3, 1, 192, 224, 19),
            mb(6, 3, 2, 224, 384, 25),
            mb(6, 3, 1, 384, 640, 7),
        ]
    else:
        raise ValueError(f"Unsupported model type {arch}")
    return setting, 1280


class EfficientNet_B0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b0_rwightman-7f5810bc.pth", 5288548)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B1_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b1_rwightman-bac287d4.pth", 7794184)
    IMAGENET1K_V2 = _weights("efficientnet_b1-c27df63c.pth", 7794184)
    DEFAULT = IMAGENET1K_V2


class EfficientNet_B2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b2_rwightman-c35c1473.pth", 9109994)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B3_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b3_rwightman-b3899882.pth", 12233232)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B4_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b4_rwightman-23ab8bcd.pth", 19341616)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B5_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b5_lukemelas-1a07897c.pth", 30389784)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B6_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b6_lukemelas-24a108a5.pth", 43040704)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B7_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b7_lukemelas-c5b4e57e.pth", 66347960)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_S_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_v2_s-dd5fe13b.pth", 21458488)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_M_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_v2_m-dc08266a.pth", 54139356)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_L_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_v2_l-59c71312.pth", 118515272)
    DEFAULT = IMAGENET1K_V1


# The B5-B7 ports (from lukemelas) and V2 use TensorFlow's batch-norm epsilon (and momentum).
_BN_TF = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
_BN_V2 = partial(nn.BatchNorm2d, eps=1e-03)


def _efficientnet(
    arch: str,
    weights_enum: type[WeightsEnum],
    weights: Any,
    dropout: float,
    conf: dict[str, float],
    kwargs: dict[str, Any],
    norm_layer: Callable[..., nn.Module] | None = None,
) -> EfficientNet:
    handle_weights(weights_enum, weights)
    setting, last_channel = _efficientnet_conf(arch, **conf)
    if norm_layer is not None:
        if "norm_layer" in kwargs:
            raise TypeError(f"{arch}() got multiple values for keyword argument 'norm_layer'")
        kwargs = {"norm_layer": norm_layer, **kwargs}
    return EfficientNet(
        setting, kwargs.pop("dropout", dropout), last_channel=last_channel, **kwargs
    )


def _scaled(width: float, depth: float) -> dict[str, float]:
    return {"width_mult": width, "depth_mult": depth}


@register_model()
def efficientnet_b0(
    *, weights: EfficientNet_B0_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet B0."""
    args = (EfficientNet_B0_Weights, weights, 0.2, _scaled(1.0, 1.0), kwargs)
    return _efficientnet("efficientnet_b0", *args)


@register_model()
def efficientnet_b1(
    *, weights: EfficientNet_B1_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet B1."""
    args = (EfficientNet_B1_Weights, weights, 0.2, _scaled(1.0, 1.1), kwargs)
    return _efficientnet("efficientnet_b1", *args)


@register_model()
def efficientnet_b2(
    *, weights: EfficientNet_B2_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet B2."""
    args = (EfficientNet_B2_Weights, weights, 0.3, _scaled(1.1, 1.2), kwargs)
    return _efficientnet("efficientnet_b2", *args)


@register_model()
def efficientnet_b3(
    *, weights: EfficientNet_B3_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet B3."""
    args = (EfficientNet_B3_Weights, weights, 0.3, _scaled(1.2, 1.4), kwargs)
    return _efficientnet("efficientnet_b3", *args)


@register_model()
def efficientnet_b4(
    *, weights: EfficientNet_B4_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet B4."""
    args = (EfficientNet_B4_Weights, weights, 0.4, _scaled(1.4, 1.8), kwargs)
    return _efficientnet("efficientnet_b4", *args)


@register_model()
def efficientnet_b5(
    *, weights: EfficientNet_B5_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet B5."""
    args = (EfficientNet_B5_Weights, weights, 0.4, _scaled(1.6, 2.2), kwargs, _BN_TF)
    return _efficientnet("efficientnet_b5", *args)


@register_model()
def efficientnet_b6(
    *, weights: EfficientNet_B6_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet B6."""
    args = (EfficientNet_B6_Weights, weights, 0.5, _scaled(1.8, 2.6), kwargs, _BN_TF)
    return _efficientnet("efficientnet_b6", *args)


@register_model()
def efficientnet_b7(
    *, weights: EfficientNet_B7_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNet B7."""
    args = (EfficientNet_B7_Weights, weights, 0.5, _scaled(2.0, 3.1), kwargs, _BN_TF)
    return _efficientnet("efficientnet_b7", *args)


@register_model()
def efficientnet_v2_s(
    *, weights: EfficientNet_V2_S_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNetV2-S."""
    args = (EfficientNet_V2_S_Weights, weights, 0.2, {}, kwargs, _BN_V2)
    return _efficientnet("efficientnet_v2_s", *args)


@register_model()
def efficientnet_v2_m(
    *, weights: EfficientNet_V2_M_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNetV2-M."""
    args = (EfficientNet_V2_M_Weights, weights, 0.3, {}, kwargs, _BN_V2)
    return _efficientnet("efficientnet_v2_m", *args)


@register_model()
def efficientnet_v2_l(
    *, weights: EfficientNet_V2_L_Weights | None = None, progress: bool = True, **kwargs: Any
) -> EfficientNet:
    """EfficientNetV2-L."""
    args = (EfficientNet_V2_L_Weights, weights, 0.4, {}, kwargs, _BN_V2)
    return _efficientnet("efficientnet_v2_l", *args)
