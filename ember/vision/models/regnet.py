"""RegNetX and RegNetY (torchvision.models.regnet)."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

import ember
from ember import nn
from ember._tensor import Tensor
from ember.vision.ops.misc import Conv2dNormActivation, SqueezeExcitation

from ._api import WeightsEnum, _weights, handle_weights, register_model
from ._ops import make_divisible

_NAMES = [f"regnet_y_{s}" for s in ("400mf", "800mf", "1_6gf", "3_2gf", "8gf", "16gf", "32gf")]
_NAMES += ["regnet_y_128gf"]
_NAMES += [f"regnet_x_{s}" for s in ("400mf", "800mf", "1_6gf", "3_2gf", "8gf", "16gf", "32gf")]


def _enum_name(name: str) -> str:
    parts = name.split("_")
    return f"RegNet_{parts[1].upper()}_{'_'.join(parts[2:]).upper()}_Weights"


__all__ = ["RegNet", *(_enum_name(n) for n in _NAMES), *_NAMES]


class SimpleStemIN(Conv2dNormActivation):
    """The stem: a strided 3x3 conv, norm and activation."""

    def __init__(
        self,
        width_in: int,
        width_out: int,
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
    ) -> None:
        super().__init__(
            width_in,
            width_out,
            kernel_size=3,
            stride=2,
            norm_layer=norm_layer,
            activation_layer=activation_layer,
        )


class BottleneckTransform(nn.Sequential):
    """1x1, grouped 3x3 (strided), optional squeeze-excitation, 1x1."""

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
        group_width: int,
        bottleneck_multiplier: float,
        se_ratio: float | None,
    ) -> None:
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        w_b = int(round(width_out * bottleneck_multiplier))
        g = w_b // group_width
        conv = partial(Conv2dNormActivation, norm_layer=norm_layer)
        layers["a"] = conv(width_in, w_b, kernel_size=1, activation_layer=activation_layer)
        layers["b"] = conv(
            w_b, w_b, kernel_size=3, stride=stride, groups=g, activation_layer=activation_layer
        )
        if se_ratio:
            # Squeeze width relative to the block's input width, as in the RegNet paper.
            layers["se"] = SqueezeExcitation(
                input_channels=w_b,
                squeeze_channels=int(round(se_ratio * width_in)),
                activation=activation_layer,
            )
        layers["c"] = conv(w_b, width_out, kernel_size=1, activation_layer=None)
        super().__init__(layers)


class ResBottleneckBlock(nn.Module):
    """Bottleneck transform plus the input (projected when the shape changes)."""

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
        group_width: int = 1,
        bottleneck_multiplier: float = 1.0,
        se_ratio: float | None = None,
    ) -> None:
        super().__init__()
        self.proj = None
        if width_in != width_out or stride != 1:
            self.proj = Conv2dNormActivation(
                width_in,
                width_out,
                kernel_size=1,
                stride=stride,
                norm_layer=norm_layer,
                activation_layer=None,
            )
        self.f = BottleneckTransform(
            width_in,
            width_out,
            stride,
            norm_layer,
            activation_layer,
            group_width,
            bottleneck_multiplier,
            se_ratio,
        )
        self.activation = activation_layer(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        shortcut = x if self.proj is None else self.proj(x)
        return self.activation(shortcut + self.f(x))


class AnyStage(nn.Sequential):
    """``depth`` blocks of one width; the first one strides."""

    def __init__(
        self,
        width_in: int,
        width_out: int,
        stride: int,
        depth: int,
        block_constructor: Callable[..., nn.Module],
        norm_layer: Callable[..., nn.Module],
        activation_layer: Callable[..., nn.Module],
        group_width: int,
        bottleneck_multiplier: float,
        se_ratio: float | None = None,
        stage_index: int = 0,
    ) -> None:
        super().__init__()
        for i in range(depth):
            block = block_constructor(
                width_in if i == 0 else width_out,
                width_out,
                stride if i == 0 else 1,
                norm_layer,
                activation_layer,
                group_width,
                bottleneck_multiplier,
                se_ratio,
            )
            self.add_module(f"block{stage_index}-{i}", block)


class BlockParams:
    """Per-stage depths, widths, group widths, bottleneck ratios and strides."""

    def __init__(
        self,
        depths: list[int],
        widths: list[int],
        group_widths: list[int],
        bottleneck_multipliers: list[float],
        strides: list[int],
        se_ratio: float | None = None,
    ) -> None:
        self.depths = depths
        self.widths = widths
        self.group_widths = group_widths
        self.bottleneck_multipliers = bottleneck_multipliers
        self.strides = strides
        self.se_ratio = se_ratio

    @classmethod
    def from_init_params(
        cls,
        depth: int,
        w_0: int,
        w_a: float,
        w_m: float,
        group_width: int,
        bottleneck_multiplier: float = 1.0,
        se_ratio: float | None = None,
        **kwargs: Any,
    ) -> BlockParams:
        """The stages of the quantised linear width rule ``w_j = w_0 + w_a * j`` of "Designing
        Network Design Spaces"."""
        quant, stride = 8, 2
        if w_a < 0 or w_0 <= 0 or w_m <= 1 or w_0 % 8 != 0:
            raise ValueError("Invalid RegNet settings")
        # float32 throughout, as torchvision computes it with default-dtype tensors.
        f32 = np.float32
        widths_cont = np.arange(depth).astype(f32) * f32(w_a) + f32(w_0)
        block_capacity = np.round(np.log(widths_cont / f32(w_0)) / f32(math.log(w_m)))
        powers = np.power(f32(w_m), block_capacity.astype(f32))
        block_widths = (np.round(f32(w_0) * powers / f32(quant)) * f32(quant)).astype(np.int32)
        block_widths = block_widths.tolist()
        num_stages = len(set(block_widths))
        # A new stage starts wherever the width changes.
        splits = [
            w != wp or r != rp
            for w, wp, r, rp in zip(
                block_widths + [0], [0] + block_widths, block_widths + [0], [0] + block_widths
            )
        ]
        stage_widths = [w for w, t in zip(block_widths, splits[:-1]) if t]
        stage_depths = np.diff([d for d, t in enumerate(splits) if t]).astype(int).tolist()
        strides = [stride] * num_stages
        multipliers = [bottleneck_multiplier] * num_stages
        group_widths = [group_width] * num_stages
        stage_widths, group_widths = cls._adjust_widths_groups_compatibilty(
            stage_widths, multipliers, group_widths
        )
        return cls(
            depths=stage_depths,
            widths=stage_widths,
            group_widths=group_widths,
            bottleneck_multipliers=multipliers,
            strides=strides,
            se_ratio=se_ratio,
        )

    def _get_expanded_params(self):
        return zip(
            self.widths, self.strides, self.depths, self.group_widths, self.bottleneck_multipliers
        )

    @staticmethod
    def _adjust_widths_groups_compatibilty(
        stage_widths: list[int], bottleneck_ratios: list[float], group_widths: list[int]
    ) -> tuple[list[int], list[int]]:
        """Make each bottleneck width a multiple of its (possibly reduced) group width."""
        widths = [int(w * b) for w, b in zip(stage_widths, bottleneck_ratios)]
        group_widths_min = [min(g, w_bot) for g, w_bot in zip(group_widths, widths)]
        ws_bot = [make_divisible(w_bot, g) for w_bot, g in zip(widths, group_widths_min)]
        stage_widths = [int(w_bot / b) for w_bot, b in zip(ws_bot, bottleneck_ratios)]
        return stage_widths, group_widths_min


class RegNet(nn.Module):
    """RegNet from "Designing Network Design Spaces"."""

    def __init__(
        self,
        block_params: BlockParams,
        num_classes: int = 1000,
        stem_width: int = 32,
        stem_type: Callable[..., nn.Module] | None = None,
        block_type: Callable[..., nn.Module] | None = None,
        norm_layer: Callable[..., nn.Module] | None = None,
        activation: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__()
        stem_type = stem_type or SimpleStemIN
        norm_layer = norm_layer or nn.BatchNorm2d
        block_type = block_type or ResBottleneckBlock
        activation = activation or nn.ReLU
        self.stem = stem_type(3, stem_width, norm_layer, activation)
        current_width = stem_width
        blocks = []
        for i, (width_out, stride, depth, group_width, multiplier) in enumerate(
            block_params._get_expanded_params()
        ):
            stage = AnyStage(
                current_width,
                width_out,
                stride,
                depth,
                block_type,
                norm_layer,
                activation,
                group_width,
                multiplier,
                block_params.se_ratio,
                stage_index=i + 1,
            )
            blocks.append((f"block{i + 1}", stage))
            current_width = width_out
        self.trunk_output = nn.Sequential(OrderedDict(blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(in_features=current_width, out_features=num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, mean=0.0, std=math.sqrt(2.0 / fan_out))
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.trunk_output(self.stem(x)))
        return self.fc(ember.flatten(x, start_dim=1))


# name: (depth, w_0, w_a, w_m, group_width, se_ratio), weights files and parameter count.
_CONFIGS: dict[str, tuple[tuple, list[str], int]] = {
    "regnet_y_400mf": ((16, 48, 27.89, 2.09, 8, 0.25), ["c65dace8", "e6988f5f"], 4344144),
    "regnet_y_800mf": ((14, 56, 38.84, 2.4, 16, 0.25), ["1b27b58c", "58fc7688"], 6432512),
    "regnet_y_1_6gf": ((27, 48, 20.71, 2.65, 24, 0.25), ["b11a554e", "0d7bc02a"], 11202430),
    "regnet_y_3_2gf": ((21, 80, 42.63, 2.66, 24, 0.25), ["b5a9779c", "9180c971"], 19436338),
    "regnet_y_8gf": ((17, 192, 76.82, 2.19, 56, 0.25), ["d0d0e4a8", "dc2b1b54"], 39381472),
    "regnet_y_16gf": ((18, 200, 106.23, 2.48, 112, 0.25), ["9e6ed7dd", "3e4a00f9"], 83590140),
    "regnet_y_32gf": ((20, 232, 115.89, 2.53, 232, 0.25), ["4dee3f7a", "8db6d4b5"], 145046770),
    "regnet_y_128gf": ((27, 456, 160.83, 2.52, 264, 0.25), [], 644812894),
    "regnet_x_400mf": ((22, 24, 24.48, 2.54, 16, None), ["adf1edd5", "62229a5f"], 5495976),
    "regnet_x_800mf": ((16, 56, 35.73, 2.28, 16, None), ["ad17e45c", "94a99ebd"], 7259656),
    "regnet_x_1_6gf": ((18, 80, 34.01, 2.25, 24, None), ["e3633e7f", "a12f2b72"], 9190136),
    "regnet_x_3_2gf": ((25, 88, 26.31, 2.25, 48, None), ["f342aeae", "7071aa85"], 15296552),
    "regnet_x_8gf": ((23, 80, 49.56, 2.88, 120, None), ["03ceed89", "2b70d774"], 39572648),
    "regnet_x_16gf": ((22, 216, 55.59, 2.1, 128, None), ["2007eb11", "ba3796d7"], 54278536),
    "regnet_x_32gf": ((23, 320, 69.86, 2.0, 168, None), ["9d47f8d0", "6eb8fdc6"], 107811560),
}

# The 16/32/128 GF RegNetY also have SWAG checkpoints (end-to-end and linear-probe).
_SWAG = {
    "regnet_y_16gf": ("43afe44d", "f3ec0043"),
    "regnet_y_32gf": ("04fdfa75", "e1583746"),
    "regnet_y_128gf": ("c8ce3e52", "cbe8ce12"),
}


def _make_enum(name: str) -> type[WeightsEnum]:
    _, hashes, num_params = _CONFIGS[name]
    members: dict[str, Any] = {}
    for i, h in enumerate(hashes):
        members[f"IMAGENET1K_V{i + 1}"] = _weights(f"{name}-{h}.pth", num_params)
    if name in _SWAG:
        e2e, linear = _SWAG[name]
        members["IMAGENET1K_SWAG_E2E_V1"] = _weights(f"{name}_swag-{e2e}.pth", num_params)
        members["IMAGENET1K_SWAG_LINEAR_V1"] = _weights(f"{name}_lc_swag-{linear}.pth", num_params)
    # DEFAULT: the V2 recipe where there is one, else the first checkpoint; an equal value
    # makes it an alias, not a member of its own.
    members["DEFAULT"] = members.get("IMAGENET1K_V2", next(iter(members.values())))
    return WeightsEnum(_enum_name(name), members, module=__name__)


def _regnet(name: str, weights_enum: type[WeightsEnum], weights: Any, kwargs: dict) -> RegNet:
    handle_weights(weights_enum, weights)
    depth, w_0, w_a, w_m, group_width, se_ratio = _CONFIGS[name][0]
    params = BlockParams.from_init_params(
        depth=depth, w_0=w_0, w_a=w_a, w_m=w_m, group_width=group_width, se_ratio=se_ratio
    )
    norm_layer = kwargs.pop("norm_layer", partial(nn.BatchNorm2d, eps=1e-05, momentum=0.1))
    return RegNet(params, norm_layer=norm_layer, **kwargs)


def _builder(name: str) -> Callable[..., RegNet]:
    enum = _make_enum(name)
    globals()[enum.__name__] = enum

    def build(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> RegNet:
        return _regnet(name, enum, weights, kwargs)

    build.__name__ = build.__qualname__ = name
    build.__module__ = __name__
    build.__doc__ = f'{name} from "Designing Network Design Spaces".'
    build.__annotations__ = {"weights": enum, "return": RegNet}
    return register_model(name)(build)


for _name in _NAMES:
    globals()[_name] = _builder(_name)
