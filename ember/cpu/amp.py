"""``ember.cpu.amp``: torch's deprecated CPU spellings of ``ember.amp``."""

from __future__ import annotations

from ..amp._deprecated import CpuAutocast as autocast
from ..amp._deprecated import CpuGradScaler as GradScaler

__all__ = ["autocast", "GradScaler"]
