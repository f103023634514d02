"""``ember.version``: the build description torch scripts read (``torch.version.cuda`` is None on
a CPU build, as Ember always is)."""

from __future__ import annotations

from . import __version__  # the one version string, set in ember/__init__.py

__all__ = ["__version__", "debug", "cuda", "git_version", "hip", "rocm", "xpu"]

debug = False
cuda: str | None = None
git_version = "Unknown"
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
