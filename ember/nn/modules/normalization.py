"""Normalization layers: BatchNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm."""

from __future__ import annotations

import numbers

from ... import _dtype as D
from ...functions.creation import empty, ones, tensor, zeros
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm", "RMSNorm"]


def _affine_params(module: Module, shape, affine: bool, bias: bool, dtype) -> None:
    """Register ``weight`` and ``bias`` of ``shape``: None when not ``affine`` (bias: ``bias``)."""
    for name, wanted in (("weight", affine), ("bias", affine and bias)):
        module.register_parameter(name, Parameter(empty(shape, dtype=dtype)) if wanted else None)


def _reset_affine(module: Module) -> None:
    """Weight to ones and bias to zeros: the identity transform, as torch starts norm layers."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


def _trailing_shape_options(module: Module, normalized_shape, eps, elementwise_affine) -> None:
    """Set LayerNorm's and RMSNorm's options; an int ``normalized_shape`` means one dim."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    module.normalized_shape = tuple(normalized_shape)
    module.eps = eps
    module.elementwise_affine = elementwise_affine


def _default_num_batches_tracked(module, state_dict, prefix, local_metadata, *_) -> None:
    """A state_dict from before num_batches_tracked (no version 2) loads keeping the module's."""
    key = prefix + "num_batches_tracked"
    version = local_metadata.get("version")
    if (version is None or version < 2) and module.track_running_stats and key not in state_dict:
        nbt = module.num_batches_tracked
        state_dict[key] = nbt if nbt is not None else tensor(0, dtype=D.int64)


class _BatchNorm(Module):
    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features", "affine"]
    _dims: tuple = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum=0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_params(self, num_features, affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=D.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        # it reads track_running_stats at load time (the lazy layers set it after this)
        self._register_load_state_dict_pre_hook(_default_num_batches_tracked, with_module=True)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Reset running_mean to 0, running_var to 1 and num_batches_tracked to 0."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, then weight to ones and bias to zeros."""
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input) -> None:  # noqa: A002
        if input.dim() not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {input.dim()}D input)")

    def forward(self, input):  # noqa: A002
        """Normalise ``input`` per channel, then scale by ``weight`` and shift by ``bias``.

        Training uses the batch's statistics (and updates the running ones); eval uses the running
        statistics when they are tracked, else the batch's.
        """
        self._check_input_dim(input)
        # each buffer and parameter read once: Module.__getattr__ is a lookup in three dicts
        mean, var, count = self.running_mean, self.running_var, self.num_batches_tracked
        training, momentum = self.training, self.momentum
        factor = 0.0 if momentum is None else momentum
        if training and self.track_running_stats and count is not None:
            count._data += 1  # count.add_(1) without its dispatch: an integer buffer, no graph
            count._vc[0] += 1
            if momentum is None:  # a cumulative moving average over the batches seen
                factor = 1.0 / float(count)
        use_running = not training or self.track_running_stats
        return F.batch_norm(
            input,
            mean if use_running else None,
            var if use_running else None,
            self.weight,
            self.bias,
            training or (mean is None and var is None),
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        """The repr's arguments: num_features, eps, momentum, affine, bias, track_running_stats."""
        return (
            "{num_features}, eps={eps}, momentum={momentum}, affine={affine}, bias={use_bias}, "
            "track_running_stats={track_running_stats}"
        ).format(**self.__dict__, use_bias=self.bias is not None)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over (N, C) or (N, C, L) input."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization over (N, C, H, W): per-channel statistics of the batch in training,
    running estimates in eval."""

    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization over (N, C, D, H, W): batch statistics in training, running in eval."""

    _dims = (5,)


class LayerNorm(Module):
    """Normalize over the trailing ``normalized_shape`` dims, with elementwise affine."""

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        _trailing_shape_options(self, normalized_shape, eps, elementwise_affine)
        _affine_params(self, self.normalized_shape, elementwise_affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set weight to ones and bias to zeros."""
        _reset_affine(self)

    def forward(self, input):  # noqa: A002
        """Normalise ``input`` over its trailing ``normalized_shape`` dims, then scale and shift."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """The repr's arguments: normalized_shape, eps, elementwise_affine, bias."""
        return (
            "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}, "
            "bias={use_bias}"
        ).format(**self.__dict__, use_bias=self.bias is not None)


class GroupNorm(Module):
    """Normalize over groups of channels."""

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_params(self, num_channels, affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set weight to ones and bias to zeros."""
        _reset_affine(self)

    def forward(self, input):  # noqa: A002
        """Normalise ``input`` within each group of channels, then scale and shift per channel."""
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """The repr's arguments: num_groups, num_channels, eps, affine, bias."""
        return ("{num_groups}, {num_channels}, eps={eps}, affine={affine}, bias={use_bias}").format(
            **self.__dict__, use_bias=self.bias is not None
        )


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing ``normalized_shape`` dims, then a weight.

    Args: normalized_shape (int or shape), eps (None: the input dtype's machine epsilon),
    elementwise_affine (learn a weight, initialised to ones).
    Shape: (*, *normalized_shape) -> the same.
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(
        self,
        normalized_shape,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        _trailing_shape_options(self, normalized_shape, eps, elementwise_affine)
        shape = self.normalized_shape
        weight = Parameter(empty(shape, dtype=dtype)) if elementwise_affine else None
        self.register_parameter("weight", weight)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set weight to ones."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x):
        """Divide ``x`` by its root mean square over the normalized dims, then scale by weight."""
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        """The repr's arguments: normalized_shape, eps, elementwise_affine."""
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}".format(
            **self.__dict__
        )
