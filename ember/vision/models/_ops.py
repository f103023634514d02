"""Helpers shared by the models: the MobileNets' channel rounding and torchvision's common
initialisation; the building blocks themselves live in ``ember.vision.ops``."""

from __future__ import annotations

from ember import nn
from ember.vision.ops.misc import Conv2dNormActivation, SqueezeExcitation


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """Round ``v`` to a multiple of ``divisor``, never going more than 10% below ``v``."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def init_conv_bn_linear(model: nn.Module, linear_std: float | None) -> None:
    """torchvision's common init: He-normal (fan_out) convs, unit norms, N(0, linear_std) linears.

    Biases become zero; linears keep their default init when ``linear_std`` is None.
    """
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear) and linear_std is not None:
            nn.init.normal_(m.weight, 0, linear_std)
            nn.init.zeros_(m.bias)


__all__ = ["Conv2dNormActivation", "SqueezeExcitation", "init_conv_bn_linear", "make_divisible"]
