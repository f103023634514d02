"""The random draws the data pipeline and the vision transforms make, on Ember's generators.

Each helper names the torch call whose draws it reproduces, so that with the same seed Ember's
samplers and transforms make the same choices as torch's. ``generator`` is an
``ember.Generator`` or None for the global generator.
"""

from __future__ import annotations

import math
import struct

import numpy as np

from ember.kernels import random as _kr

_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")


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


def _float32(x: float) -> float:
    return _F32.unpack(_F32.pack(x))[0]


def _unit32(gen: _kr.Generator) -> float:
    """One float32 uniform in [0, 1): the low 24 bits of a 32-bit draw, as torch makes it."""
    return (int(gen._words(1)[0]) & 0xFFFFFF) * 2.0**-24


def _fma32(x: float, scale: float, low: float) -> float:
    """float32 ``x * scale + low`` with one rounding (torch's fused multiply-add), for float32
    inputs given as Python floats: the product is exact in double; the sum's rounding error is
    folded in by rounding to odd, so the final rounding to float32 is the only one."""
    p = x * scale
    s = p + low
    bb = s - p
    err = (p - (s - bb)) + (low - bb)  # s + err == p + low exactly (Knuth's two-sum)
    if err != 0 and not int.from_bytes(_F64.pack(s), "little") & 1:
        s = math.nextafter(s, math.inf if err > 0 else -math.inf)
    return _float32(s)


def rand(generator=None) -> float:
    """``torch.rand(1).item()`` (a float32 uniform in [0, 1))."""
    return _unit32(kernel_generator(generator))


def uniform(low: float, high: float, generator=None) -> float:
    """``torch.empty(1).uniform_(low, high).item()`` (float32)."""
    lo, hi = _float32(low), _float32(high)
    x = _unit32(kernel_generator(generator))
    if (lo, hi) == (0.0, 1.0):
        return x
    out = _fma32(x, float(np.float32(hi) - np.float32(lo)), lo)
    # torch keeps the interval half-open: a draw that rounds up to ``high`` becomes ``low``
    return lo if out >= hi else out


def normal(shape, generator=None) -> np.ndarray:
    """``torch.empty(shape, dtype=torch.float32).normal_()``."""
    return kernel_generator(generator).normal(tuple(shape), np.float32)


def multinomial(weights: np.ndarray, num_samples: int, replacement: bool, generator=None):
    """``torch.multinomial(weights, num_samples, replacement, generator=generator).tolist()``."""
    return kernel_generator(generator).multinomial(weights, num_samples, replacement).tolist()


def manual_seed_global(seed: int) -> None:
    """``torch.manual_seed(seed)``: re-seed the global generator."""
    kernel_generator(None).manual_seed(seed)
