"""``ember.cuda.amp``: torch's deprecated CUDA spellings of ``ember.amp`` (disabled: no CUDA)."""

from __future__ import annotations

from ..amp._deprecated import CudaAutocast as autocast
from ..amp._deprecated import CudaGradScaler as GradScaler
from ..amp._deprecated import cuda_custom_bwd as custom_bwd
from ..amp._deprecated import cuda_custom_fwd as custom_fwd

__all__ = ["amp_definitely_not_available", "autocast", "custom_bwd", "custom_fwd", "GradScaler"]


def amp_definitely_not_available() -> bool:
    """True: Ember has neither CUDA nor XLA."""
    return True
