"""``DataParallel`` on the CPU: a wrapper that runs its module once, as torch does with no GPUs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..modules.module import Module


class DataParallel(Module):
    """Run ``module`` on the batch as it is: without accelerators there is no device to split
    the batch over. ``device_ids`` is therefore ``[]`` (whatever was asked), as in torch on a CPU
    machine; ``dim`` and ``output_device`` are accepted and unused."""

    def __init__(
        self,
        module: Module,
        device_ids: Sequence[int | Any] | None = None,
        output_device: int | Any | None = None,
        dim: int = 0,
    ) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """``module(*inputs, **kwargs)``."""
        return self.module(*inputs, **kwargs)


def data_parallel(
    module: Module,
    inputs: Any,
    device_ids: Sequence[int | Any] | None = None,
    output_device: int | Any | None = None,
    dim: int = 0,
    module_kwargs: Any | None = None,
) -> Any:
    """The functional form of ``DataParallel``; like torch's, it needs an accelerator."""
    raise RuntimeError("device type could not be determined")
