"""The random draws the data pipeline and the vision transforms make, on Ember's generators.

Each helper names the torch call whose draws it reproduces, so that with the same seed Ember's
samplers and transforms make the same choices as torch's. ``generator`` is an
``ember.Generator`` or None for the global generator.
"""

from __future__ import annotations

import numpy as np

from ember.kernels import random as _kr


def kernel_generator(generator=None) -> _kr.Generator:
    """The mt19937 stream behind ``generator`` (the global one for None)."""
    if generator is None:
        import ember

        return ember.default_generator._k
    if isinstance(generator, _kr.Generator):
        return generator
    inner = getattr(generator, "_k", None)
    if not isinstance(inner, _kr.Generator):
        raise TypeError(f"expected an ember.Generator, got {type(generator).__name__}")
    return inner


def seed_draw(generator=None) -> int:
    """``torch.empty((), dtype=torch.int64).random_(generator=generator).item()``."""
    return int(kernel_generator(generator).random_((), np.int64)[()])


def fresh_generator(seed: int) -> _kr.Generator:
    """``torch.Generator().manual_seed(seed)``, as a private stream."""
    return _kr.Generator(seed)


def randperm(n: int, generator=None) -> list[int]:
    """``torch.randperm(n, generator=generator).tolist()``."""
    return kernel_generator(generator).randperm(n).tolist()


def randint(low: int, high: int, size: int, generator=None) -> list[int]:
    """``torch.randint(low, high, (size,), generator=generator).tolist()``."""
    return kernel_generator(generator).randint(low, high, (size,)).tolist()


def rand(generator=None) -> float:
    """``torch.rand(1).item()`` (a float32 uniform in [0, 1))."""
    return float(kernel_generator(generator).uniform((1,), np.float32)[0])


def uniform(low: float, high: float, generator=None) -> float:
    """``torch.empty(1).uniform_(low, high).item()`` (float32)."""
    return float(kernel_generator(generator).uniform((1,), np.float32, low, high)[0])


def normal(shape, generator=None) -> np.ndarray:
    """``torch.empty(shape, dtype=torch.float32).normal_()``."""
    return kernel_generator(generator).normal(tuple(shape), np.float32)


def multinomial(weights: np.ndarray, num_samples: int, replacement: bool, generator=None):
    """``torch.multinomial(weights, num_samples, replacement, generator=generator).tolist()``."""
    return kernel_generator(generator).multinomial(weights, num_samples, replacement).tolist()


def manual_seed_global(seed: int) -> None:
    """``torch.manual_seed(seed)``: re-seed the global generator."""
    kernel_generator(None).manual_seed(seed)
