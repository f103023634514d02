"""Building blocks of torchvision's models (torchvision.ops.misc and friends): frozen batch
norm, conv-norm-activation blocks, squeeze-and-excitation, MLP, Permute, stochastic depth and
DropBlock."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember._tensor import Tensor

__all__ = [
    "FrozenBatchNorm2d",
    "Conv2dNormActivation",
    "Conv3dNormActivation",
    "SqueezeExcitation",
    "MLP",
    "Permute",
    "stochastic_depth",
    "StochasticDepth",
    "drop_block2d",
    "DropBlock2d",
    "drop_block3d",
    "DropBlock3d",
]


def _drop_num_batches_tracked(module, state_dict, prefix, *args) -> None:
    # checkpoints of a trainable BatchNorm2d load into the frozen one
    state_dict.pop(prefix + "num_batches_tracked", None)


class FrozenBatchNorm2d(nn.Module):
    """BatchNorm2d with fixed statistics and affine parameters (all buffers, none trained)."""

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", ember.ones(num_features))
        self.register_buffer("bias", ember.zeros(num_features))
        self.register_buffer("running_mean", ember.zeros(num_features))
        self.register_buffer("running_var", ember.ones(num_features))
        self.register_load_state_dict_pre_hook(_drop_num_batches_tracked)

    def forward(self, x: Tensor) -> Tensor:
        w, b = self.weight.reshape(1, -1, 1, 1), self.bias.reshape(1, -1, 1, 1)
        rv, rm = self.running_var.reshape(1, -1, 1, 1), self.running_mean.reshape(1, -1, 1, 1)
        scale = w * (rv + self.eps).rsqrt()
        return x * scale + (b - rm * scale)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.weight.shape[0]}, eps={self.eps})"


class ConvNormActivation(nn.Sequential):
    """Convolution, then an optional norm layer, then an optional activation."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size=3,
        stride=1,
        padding=None,
        groups: int = 1,
        norm_layer: Callable[..., nn.Module] | None = nn.BatchNorm2d,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        dilation=1,
        inplace: bool | None = True,
        bias: bool | None = None,
        conv_layer: Callable[..., nn.Module] = nn.Conv2d,
    ) -> None:
        if padding is None:  # "same" size for odd kernels at stride 1
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                dims = len(kernel_size) if isinstance(kernel_size, Sequence) else len(dilation)
                ks = (
                    tuple(kernel_size)
                    if isinstance(kernel_size, Sequence)
                    else (kernel_size,) * dims
                )
                dl = tuple(dilation) if isinstance(dilation, Sequence) else (dilation,) * dims
                padding = tuple((ks[i] - 1) // 2 * dl[i] for i in range(dims))
        if bias is None:  # a norm layer's shift makes the conv's bias redundant
            bias = norm_layer is None
        layers = [
            conv_layer(
                in_channels,
                out_channels,
                kernel_size,
                stride,
                padding,
                dilation=dilation,
                groups=groups,
                bias=bias,
            )
        ]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(**({} if inplace is None else {"inplace": inplace})))
        super().__init__(*layers)
        self.out_channels = out_channels
        if self.__class__ == ConvNormActivation:
            warnings.warn(
                "Don't use ConvNormActivation directly, please use Conv2dNormActivation and "
                "Conv3dNormActivation instead.",
                stacklevel=2,
            )


def _conv_norm_activation(name: str, conv: type, norm: type, doc: str) -> type:
    """A ConvNormActivation subclass for one conv type: the 2-D and 3-D blocks differ only in
    their conv layer and default norm layer."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size=3,
        stride=1,
        padding=None,
        groups: int = 1,
        norm_layer: Callable[..., nn.Module] | None = norm,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        dilation=1,
        inplace: bool | None = True,
        bias: bool | None = None,
    ) -> None:
        ConvNormActivation.__init__(
            self,
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            groups,
            norm_layer,
            activation_layer,
            dilation,
            inplace,
            bias,
            conv,
        )

    cls = type(name, (ConvNormActivation,), {"__init__": __init__, "__doc__": doc})
    cls.__module__ = __name__
    return cls


Conv2dNormActivation = _conv_norm_activation(
    "Conv2dNormActivation",
    nn.Conv2d,
    nn.BatchNorm2d,
    "Conv2d, then BatchNorm2d (or ``norm_layer``), then ReLU (or ``activation_layer``).",
)
Conv3dNormActivation = _conv_norm_activation(
    "Conv3dNormActivation",
    nn.Conv3d,
    nn.BatchNorm3d,
    "Conv3d, then BatchNorm3d (or ``norm_layer``), then ReLU (or ``activation_layer``).",
)


class SqueezeExcitation(nn.Module):
    """Squeeze-and-Excitation: channels rescaled by gates computed from their global average."""

    def __init__(
        self,
        input_channels: int,
        squeeze_channels: int,
        activation: Callable[..., nn.Module] = nn.ReLU,
        scale_activation: Callable[..., nn.Module] = nn.Sigmoid,
    ) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input: Tensor) -> Tensor:  # noqa: A002
        scale = self.activation(self.fc1(self.avgpool(input)))
        return self.scale_activation(self.fc2(scale))

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self._scale(input) * input


class MLP(nn.Sequential):
    """Linear layers of ``hidden_channels`` widths, each but the last followed by an optional
    norm layer, the activation and Dropout; the last followed by Dropout."""

    def __init__(
        self,
        in_channels: int,
        hidden_channels: list[int],
        norm_layer: Callable[..., nn.Module] | None = None,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
        inplace: bool | None = None,
        bias: bool = True,
        dropout: float = 0.0,
    ) -> None:
        params = {} if inplace is None else {"inplace": inplace}
        layers = []
        in_dim = in_channels
        for hidden_dim in hidden_channels[:-1]:
            layers.append(nn.Linear(in_dim, hidden_dim, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(hidden_dim))
            layers.append(activation_layer(**params))
            layers.append(nn.Dropout(dropout, **params))
            in_dim = hidden_dim
        layers.append(nn.Linear(in_dim, hidden_channels[-1], bias=bias))
        layers.append(nn.Dropout(dropout, **params))
        super().__init__(*layers)


class Permute(nn.Module):
    """Permutes the input's dimensions to ``dims``."""

    def __init__(self, dims: list[int]) -> None:
        super().__init__()
        self.dims = dims

    def forward(self, x: Tensor) -> Tensor:
        return ember.permute(x, self.dims)


def _check_p(p: float, end: str = "") -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}{end}")


def stochastic_depth(input: Tensor, p: float, mode: str, training: bool = True) -> Tensor:  # noqa: A002
    """Zero whole samples (``mode='row'``) or the whole batch (``'batch'``) with probability
    ``p`` while training, scaling the survivors by 1 / (1 - p)."""
    _check_p(p)
    if mode not in ("batch", "row"):
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival = 1.0 - p
    size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    noise = ember.empty(size, dtype=input.dtype).bernoulli_(survival)
    if survival > 0.0:
        noise.div_(survival)
    return input * noise


class StochasticDepth(nn.Module):
    """Module form of ``stochastic_depth`` (active in training mode only)."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p}, mode={self.mode})"


def _drop_block(input: Tensor, p: float, block_size: int, inplace: bool, eps: float, training):  # noqa: A002
    nd = input.ndim - 2
    if not training or p == 0.0:
        return input
    spatial = tuple(input.shape[2:])
    block_size = min(block_size, *spatial)
    if block_size % 2 == 0:
        raise ValueError(f"block size should be odd. Got {block_size} which is even.")
    valid = math.prod(s - block_size + 1 for s in spatial)
    total = math.prod(spatial)
    # seeds fall where a whole block fits; each seed then grows into a block_size cube
    gamma = (p * total) / ((block_size**nd) * valid)
    seeds = tuple(s - block_size + 1 for s in spatial)
    noise = ember.empty((*input.shape[:2], *seeds), dtype=input.dtype).bernoulli_(gamma)
    half = block_size // 2
    noise = F.pad(noise, [half] * (2 * nd), value=0)
    pool = F.max_pool2d if nd == 2 else F.max_pool3d
    noise = 1 - pool(noise, stride=1, kernel_size=block_size, padding=half)
    scale = noise.numel() / (eps + noise.sum())
    if inplace:
        return input.mul_(noise).mul_(scale)
    return input * noise * scale


def drop_block2d(
    input: Tensor,  # noqa: A002
    p: float,
    block_size: int,
    inplace: bool = False,
    eps: float = 1e-06,
    training: bool = True,
) -> Tensor:
    """DropBlock: zero random block_size x block_size squares of (N, C, H, W) feature maps while
    training (a fraction ``p`` of positions on average) and rescale what is left."""
    _check_p(p, ".")
    if input.ndim != 4:
        raise ValueError(f"input should be 4 dimensional. Got {input.ndim} dimensions.")
    return _drop_block(input, p, block_size, inplace, eps, training)


def drop_block3d(
    input: Tensor,  # noqa: A002
    p: float,
    block_size: int,
    inplace: bool = False,
    eps: float = 1e-06,
    training: bool = True,
) -> Tensor:
    """DropBlock on (N, C, D, H, W) volumes: random cubes zeroed, the rest rescaled."""
    _check_p(p, ".")
    if input.ndim != 5:
        raise ValueError(f"input should be 5 dimensional. Got {input.ndim} dimensions.")
    return _drop_block(input, p, block_size, inplace, eps, training)


class DropBlock2d(nn.Module):
    """Module form of ``drop_block2d`` (active in training mode only)."""

    def __init__(self, p: float, block_size: int, inplace: bool = False, eps: float = 1e-06):
        super().__init__()
        self.p = p
        self.block_size = block_size
        self.inplace = inplace
        self.eps = eps

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return drop_block2d(input, self.p, self.block_size, self.inplace, self.eps, self.training)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(p={self.p}, block_size={self.block_size}, "
            f"inplace={self.inplace})"
        )


class DropBlock3d(DropBlock2d):
    """Module form of ``drop_block3d`` (active in training mode only)."""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return drop_block3d(input, self.p, self.block_size, self.inplace, self.eps, self.training)
