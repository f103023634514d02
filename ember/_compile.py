"""What ``ember.compile`` hands back for a Module: torch's ``OptimizedModule`` wrapper, minus the
compiler.

torch wraps a compiled module so that ``compiled.state_dict()`` keys carry the ``_orig_mod.``
prefix and every attribute not found on the wrapper is read from the original module; programs
save and reload checkpoints with that layout, so Ember keeps it. Calling the wrapper calls the
original module (Ember has no compiler: the eager code runs).
"""

from __future__ import annotations

from .nn.modules.module import Module


class OptimizedModule(Module):
    """A module returned by ``ember.compile``: runs ``_orig_mod`` unchanged."""

    def __init__(self, mod: Module) -> None:
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._orig_mod, name)
