"""Random tensors: ``rand``, ``randn``, ``randint``, ... drawn from torch-identical streams."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..kernels import random as K
from ._util import shape_arg, to_np_dtype


class Generator:
    """A random-number generator with torch's CPU stream (a Mersenne Twister of its own)."""

    def __init__(self, device="cpu") -> None:
        self._k = K.Generator()
        self.device = device

    def manual_seed(self, seed: int) -> Generator:
        self._k.manual_seed(int(seed))
        return self

    def seed(self) -> int:
        return self._k.seed()

    def initial_seed(self) -> int:
        return self._k.initial_seed()

    def get_state(self) -> Tensor:
        return _make(self._k.get_state())

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor):
            raise TypeError("expected a torch.ByteTensor, but got " + type(new_state).__name__)
        self._k.set_state(new_state._data)
        return self

    def __repr__(self) -> str:
        return f"<ember._C.Generator object at {hex(id(self))}>"


default_generator = Generator()
default_generator._k = K.default_generator


def _gen(generator) -> K.Generator:
    return default_generator._k if generator is None else generator._k


def manual_seed(seed) -> Generator:
    """Seed the global generator (torch's stream for the same seed)."""
    default_generator.manual_seed(int(seed))
    return default_generator


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _float_dt(dtype):
    dt = to_np_dtype(dtype) if dtype is not None else D.get_default_dtype().np
    return dt


def _done(arr, requires_grad):
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """Uniform samples in [0, 1)."""
    dt = _float_dt(dtype)
    if dt.kind != "f":
        raise RuntimeError(f'"check_uniform_bounds" not implemented for '
                           f"'{D._BY_NP[np.dtype(dt)].name}'")
    return _done(_gen(generator).uniform(shape_arg(size), dt), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False) -> Tensor:
    """Standard normal samples."""
    dt = _float_dt(dtype)
    return _done(_gen(generator).normal(shape_arg(size), dt), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False) -> Tensor:
    """Integers uniform in [low, high)."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    dt = to_np_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    return _done(_gen(generator).randint(int(low), int(high), shape_arg((size,)), dt),
                 requires_grad)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """A random permutation of ``0..n-1``."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = to_np_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    return _done(_gen(generator).randperm(int(n), dt), requires_grad)


def rand_like(input: Tensor, *, dtype=None, generator=None, **kw) -> Tensor:  # noqa: A002
    return rand(input._data.shape, dtype=dtype or input.dtype, generator=generator, **kw)


def randn_like(input: Tensor, *, dtype=None, generator=None, **kw) -> Tensor:  # noqa: A002
    return randn(input._data.shape, dtype=dtype or input.dtype, generator=generator, **kw)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, generator=None, **kw) -> Tensor:  # noqa: A002
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype,
                   generator=generator, **kw)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           requires_grad=False) -> Tensor:
    """Normal samples; ``mean`` and ``std`` may be tensors (broadcast together)."""
    g = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if isinstance(s, np.ndarray) and (s < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        ref = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        return _make(g.normal(shape, ref._data.dtype, m, s))
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _done(g.normal(shape_arg((size,)), _float_dt(dtype), mean, std), requires_grad)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:  # noqa: A002
    """0/1 samples with probabilities ``input`` (or the scalar ``p``)."""
    g = _gen(generator)
    if p is not None:
        return _make(g.bernoulli(float(p), input._data.shape, input._data.dtype))
    probs = input._data
    if probs.size and ((probs < 0).any() or (probs > 1).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return _make(g.bernoulli(probs, probs.shape, probs.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator=None, out=None) -> Tensor:
    return _make(_gen(generator).multinomial(input._data, num_samples, replacement))


def poisson(input: Tensor, generator=None) -> Tensor:  # noqa: A002
    rng = np.random.default_rng(int(_gen(generator).randint(0, 2**62, (1,), np.int64)[0]))
    return _make(rng.poisson(input._data).astype(input._data.dtype))


# -- in-place fills, used as Tensor methods ------------------------------------------------------
def _fill(t: Tensor, arr: np.ndarray) -> Tensor:
    from .inplace import write_inplace

    return write_inplace(t, arr)


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    return _fill(t, _gen(generator).uniform(t._data.shape, t._data.dtype, a, b))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    return _fill(t, _gen(generator).normal(t._data.shape, t._data.dtype, mean, std))


def bernoulli_(t: Tensor, p=0.5, *, generator=None) -> Tensor:
    g = _gen(generator)
    if isinstance(p, Tensor):
        return _fill(t, g.bernoulli(np.broadcast_to(p._data, t._data.shape),
                                    t._data.shape, t._data.dtype))
    return _fill(t, g.bernoulli(float(p), t._data.shape, t._data.dtype))


def exponential_(t: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    return _fill(t, _gen(generator).exponential(t._data.shape, t._data.dtype, lambd))


def random_(t: Tensor, from_=0, to=None, *, generator=None) -> Tensor:
    g = _gen(generator)
    if to is None and from_ == 0:
        arr = g.random_(t._data.shape, t._data.dtype)
    elif to is None:
        arr = g.random_(t._data.shape, t._data.dtype, from_)
    else:
        arr = g.random_(t._data.shape, t._data.dtype, from_, to)
    return _fill(t, arr)


def geometric_(t: Tensor, p: float, *, generator=None) -> Tensor:
    u = _gen(generator).uniform(t._data.shape, np.float64)
    return _fill(t, np.ceil(np.log1p(-u) / np.log1p(-p)))


def cauchy_(t: Tensor, median=0.0, sigma=1.0, *, generator=None) -> Tensor:
    u = _gen(generator).uniform(t._data.shape, t._data.dtype)
    return _fill(t, median + sigma * np.tan(np.pi * (u - 0.5)))


def log_normal_(t: Tensor, mean=1.0, std=2.0, *, generator=None) -> Tensor:
    return _fill(t, np.exp(_gen(generator).normal(t._data.shape, t._data.dtype, mean, std)))
