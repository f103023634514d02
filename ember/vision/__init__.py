"""Vision datasets and transforms (Ember's torchvision); submodules load on first access."""

import importlib

__all__ = ["datasets", "transforms", "utils"]


def __getattr__(name: str):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
