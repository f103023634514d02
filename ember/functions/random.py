"""Random tensors: ``rand``, ``randn``, ``randint``, ... drawn from torch-identical streams."""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._device import check_device
from .._tensor import Tensor, _make
from ..kernels import random as K
from ._util import shape_arg, to_np_dtype
from .creation import _into_out, _new_requiring_grad, _out_dtype, int_arg
from .inplace import check_out, copy_into_out


class Generator:
    """A random-number generator with torch's CPU stream (a Mersenne Twister of its own)."""

    def __init__(self, device="cpu") -> None:
        self._k = K.Generator()
        self.device = device

    def manual_seed(self, seed: int) -> Generator:
        self._k.manual_seed(_seed_int(seed))
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


def _seed_int(seed) -> int:
    """torch takes any int that fits in 64 bits, signed or unsigned."""
    seed = int(seed)
    if not -(2**63) <= seed < 2**64:
        raise ValueError("Overflow when unpacking long long")
    return seed


def _gen(generator) -> K.Generator:
    return default_generator._k if generator is None else generator._k


def manual_seed(seed) -> Generator:
    """Seed the global generator (torch's stream for the same seed)."""
    default_generator.manual_seed(seed)
    return default_generator


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _float_dt(dtype, kernel: str):
    """The floating dtype to draw in; torch names the kernel that has no integer version."""
    dt = to_np_dtype(dtype) if dtype is not None else D.get_default_dtype().np
    if dt.kind not in "fc":
        from .reduce import _scalar_type_name

        name = _scalar_type_name(D._BY_NP[np.dtype(dt)])
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")
    return dt


def _done(arr, requires_grad):
    t = _make(arr)
    return _new_requiring_grad(t) if requires_grad else t


def rand(
    *sizes,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Uniform samples in [0, 1)."""
    dt = _float_dt(_out_dtype(dtype, out, "rand"), "check_uniform_bounds")
    arr = _uniform(_gen(generator), shape_arg(sizes, size, "rand"), dt)
    return _into_out(_done(arr, requires_grad), out, "rand")


def _uniform(g, shape, dt: np.dtype) -> np.ndarray:
    if dt.kind == "c":  # real and imaginary parts drawn as one real tensor of shape (*size, 2)
        return _as_complex(g.uniform((*shape, 2), _real_of(dt)), dt)
    return g.uniform(shape, dt)


def _normal(g, shape, dt: np.dtype, vector: bool = True) -> np.ndarray:
    if dt.kind == "c":  # unit variance overall: each part has variance 1/2
        pairs = g.normal((*shape, 2), _real_of(dt), 0.0, 1 / math.sqrt(2), vector=vector)
        return _as_complex(pairs, dt)
    return g.normal(shape, dt, vector=vector)


def _real_of(dt: np.dtype) -> np.dtype:
    return np.dtype(np.float32 if dt == np.complex64 else np.float64)


def _as_complex(pairs: np.ndarray, dt: np.dtype) -> np.ndarray:
    return np.ascontiguousarray(pairs).view(dt)[..., 0]


def randn(
    *sizes,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Standard normal samples."""
    dt = _float_dt(_out_dtype(dtype, out, "randn"), "normal_kernel_cpu")
    arr = _normal(_gen(generator), shape_arg(sizes, size, "randn"), dt)
    return _into_out(_done(arr, requires_grad), out, "randn")


def randint(
    low=0,
    high=None,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """Integers uniform in [low, high)."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    dtype = _out_dtype(dtype, out, "randint")
    dt = to_np_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    values = _gen(generator).randint(int(low), int(high), shape_arg((size,)), dt)
    return _into_out(_done(values, requires_grad), out, "randint")


def randperm(
    n: int,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """A random permutation of ``0..n-1``."""
    n = int_arg(n, "randperm", "n", 1)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dtype = _out_dtype(dtype, out, "randperm")
    dt = to_np_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    return _into_out(_done(_gen(generator).randperm(int(n), dt), requires_grad), out, "randperm")


def _in_memory_order(layout: np.ndarray, draw) -> np.ndarray:
    """Values for an array shaped and strided like ``layout``, drawn in its memory order.

    torch fills a tensor element by element in memory order (a transposed view row by column),
    and only a contiguous tensor takes the vectorised 16-value normal path: ``draw(shape,
    contiguous)`` makes the values for the memory-ordered shape, which are moved back here.
    """
    if layout.flags.c_contiguous:
        return draw(layout.shape, True)
    order = _memory_axes(layout)
    values = draw(tuple(layout.shape[a] for a in order), False)
    return values.transpose(np.argsort(order))


def _dense(layout: np.ndarray) -> bool:
    """Whether the elements tile a block of memory exactly (no gaps, no overlaps)."""
    expected = layout.itemsize
    for a in sorted(range(layout.ndim), key=lambda a: abs(layout.strides[a])):
        if layout.shape[a] == 1:
            continue
        if layout.strides[a] != expected:
            return False
        expected *= layout.shape[a]
    return True


def _memory_axes(layout: np.ndarray) -> list[int]:
    """The axes of ``layout`` from outermost to innermost in memory."""
    if layout.flags.c_contiguous:
        return list(range(layout.ndim))
    return sorted(range(layout.ndim), key=lambda a: -abs(layout.strides[a]))


def _like(input: Tensor, dtype, generator, requires_grad, sample, kernel: str) -> Tensor:  # noqa: A002
    """A new tensor like ``input`` (torch's empty_like keeps its strides, so draws follow them):
    ``sample(generator, shape, dtype, contiguous)`` makes the values."""
    dt, g = _float_dt(dtype or input.dtype, kernel), _gen(generator)
    # torch's empty_like keeps only the strides of a non-overlapping, dense tensor
    layout = input._data if _dense(input._data) else np.empty(input._data.shape, np.int8)
    values = _in_memory_order(layout, lambda shape, c: sample(g, shape, dt, c))
    return _done(values, requires_grad)


def rand_like(input: Tensor, *, dtype=None, generator=None, requires_grad=False, **kw) -> Tensor:  # noqa: A002
    return _like(
        input,
        dtype,
        generator,
        requires_grad,
        lambda g, s, dt, _: _uniform(g, s, dt),
        "check_uniform_bounds",
    )


def randn_like(input: Tensor, *, dtype=None, generator=None, requires_grad=False, **kw) -> Tensor:  # noqa: A002
    return _like(
        input,
        dtype,
        generator,
        requires_grad,
        lambda g, s, dt, c: _normal(g, s, dt, vector=c),
        "normal_kernel_cpu",
    )


def randint_like(  # noqa: A002
    input: Tensor, low=0, high=None, *, dtype=None, generator=None, memory_format=None, **kw
) -> Tensor:
    """Random integers in [low, high) in ``input``'s shape (and dtype, by default)."""
    if high is None:
        low, high = 0, low
    return randint(
        low, high, input._data.shape, dtype=dtype or input.dtype, generator=generator, **kw
    )


def normal(
    mean=0.0,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
) -> Tensor:
    """Normal samples; ``mean`` and ``std`` may be tensors (broadcast together)."""
    check_device(device)
    g = _gen(generator)
    if out is not None:
        check_out(out, "normal")
        result = normal(mean, std, size, generator=generator, dtype=dtype or out.dtype)
        return copy_into_out(out, result, name="normal", dtype_rule="any")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if isinstance(s, np.ndarray) and (s < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        dt = (mean if isinstance(mean, Tensor) else std)._data.dtype
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        if not isinstance(std, Tensor):  # torch: normal_(0, std), then + mean
            return _make((g.normal(shape, dt, 0.0, float(s)) + m.astype(dt)).astype(dt))
        return _make(g.normal(shape, dt, m, s))
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = _float_dt(dtype, "normal_kernel_cpu")
    return _done(g.normal(shape_arg((size,)), dt, mean, std), requires_grad)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:  # noqa: A002
    """0/1 samples with probabilities ``input`` (or the scalar ``p``)."""
    if out is not None:
        result = bernoulli(input, p, generator=generator)
        return copy_into_out(out, result, name="bernoulli", dtype_rule="any")
    g = _gen(generator)
    if p is not None:
        return _make(g.bernoulli(float(p), input._data.shape, input._data.dtype))
    probs = input._data
    if probs.size and ((probs < 0).any() or (probs > 1).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    return _make(g.bernoulli(probs, probs.shape, probs.dtype))


def multinomial(
    input: Tensor,  # noqa: A002
    num_samples: int,
    replacement: bool = False,
    *,
    generator=None,
    out=None,
) -> Tensor:
    """``num_samples`` indices drawn from the rows of ``input`` (unnormalised probabilities)."""
    if out is not None and isinstance(out, Tensor) and out.dtype != D.int64:
        from .reduce import _scalar_type_name

        raise RuntimeError(
            f"multinomial expects Long tensor out, got: {_scalar_type_name(out.dtype)}"
        )
    if input._data.dtype.kind != "f":
        from .reduce import _scalar_type_name

        raise RuntimeError(
            "multinomial only supports floating-point dtypes for input, got: "
            f"{_scalar_type_name(input.dtype)}"
        )
    result = _make(_gen(generator).multinomial(input._data, num_samples, replacement))
    return result if out is None else copy_into_out(out, result, name="multinomial")


def poisson(input: Tensor, generator=None) -> Tensor:  # noqa: A002
    """Poisson counts with rates ``input``, in its dtype (torch's CPU sampler and stream)."""
    rates = input._data
    _float_dt(rates.dtype, "poisson_cpu")
    if not (rates >= 0).all():  # NaN fails too
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    # the result is a new contiguous tensor, filled in logical order whatever input's strides
    return _make(_gen(generator).poisson(rates).astype(rates.dtype))


# -- in-place fills, used as Tensor methods ------------------------------------------------------
def _fill(t: Tensor, draw) -> Tensor:
    """Fill ``t`` in place with ``draw(shape, contiguous)``, drawn in t's memory order."""
    from .inplace import write_inplace

    return write_inplace(t, _in_memory_order(t._data, draw))


def _from_keyword(value, kwargs: dict, fn: str):
    """torch's ``from=`` argument (a Python keyword, so it arrives in ``**kwargs``)."""
    extra = next((k for k in kwargs if k != "from"), None)
    if extra is not None:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{extra}'")
    return kwargs.get("from", value)


def uniform_(t: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None, **kwargs) -> Tensor:
    """Fill ``t`` in place with draws from U(from, to)."""
    a, b = _from_keyword(from_, kwargs, "uniform_"), to
    _float_dt(t.dtype, "check_uniform_bounds")
    if a > b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}"
        )
    g, dt = _gen(generator), t._data.dtype
    return _fill(t, lambda shape, _: g.uniform(shape, dt, a, b))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``t`` in place with draws from N(mean, std^2)."""
    _float_dt(t.dtype, "normal_kernel_cpu")
    if not std >= 0.0:  # NaN fails too
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    g, dt = _gen(generator), t._data.dtype
    return _fill(t, lambda shape, contiguous: g.normal(shape, dt, mean, std, vector=contiguous))


def bernoulli_(t: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill ``t`` in place with 0/1 draws, 1 with probability ``p`` (a number or a tensor)."""
    if not isinstance(p, Tensor) and not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    g, dt = _gen(generator), t._data.dtype
    if isinstance(p, Tensor):
        probs = np.broadcast_to(p._data, t._data.shape).transpose(_memory_axes(t._data))
        return _fill(t, lambda shape, _: g.bernoulli(probs, shape, dt))
    return _fill(t, lambda shape, _: g.bernoulli(float(p), shape, dt))


def exponential_(t: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``t`` in place with draws from Exp(lambd)."""
    _continuous(t, "Exponential")
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    g, dt = _gen(generator), t._data.dtype
    return _fill(t, lambda shape, _: g.exponential(shape, dt, lambd))


_NO_TO = object()  # random_(from) means random_(to=from); random_(from, None) runs to the max


def random_(t: Tensor, from_=None, to=_NO_TO, *, generator=None, **kwargs) -> Tensor:
    """Fill ``t`` in place with integers drawn uniformly from [from, to)."""
    from_ = _from_keyword(from_, kwargs, "random_")
    if from_ is None and to is not _NO_TO and to is not None:  # random_(to=n): from 0
        from_ = 0
    g, dt = _gen(generator), t._data.dtype
    if from_ is None and to is _NO_TO:  # random_(): the dtype's whole range
        return _fill(t, lambda shape, _: g.random_(shape, dt))
    if to is _NO_TO:  # random_(to)
        return _fill(t, lambda shape, _: g.random_(shape, dt, 0, from_))
    if to is None:  # random_(from, None): up to the largest value of the dtype
        to = K._dtype_max(np.dtype(dt)) + 1
    return _fill(t, lambda shape, _: g.random_(shape, dt, from_, to))


def geometric_(t: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill ``t`` in place with the number of Bernoulli(p) trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    g, dt = _gen(generator), t._data.dtype
    return _fill(t, lambda shape, _: g.geometric(shape, dt, p))


def _continuous(t: Tensor, name: str, c_name: bool = False) -> None:
    if t._data.dtype.kind != "f":
        from .inplace import _C_TYPE_NAMES
        from .reduce import _scalar_type_name

        dt = t._data.dtype
        shown = _C_TYPE_NAMES[dt.name] if c_name else _scalar_type_name(t.dtype)
        raise RuntimeError(
            f"{name} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {shown}"
        )


def cauchy_(t: Tensor, median=0.0, sigma=1.0, *, generator=None) -> Tensor:
    """Fill ``t`` in place with draws from Cauchy(median, sigma)."""
    _continuous(t, "Cauchy", c_name=True)
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    g, dt = _gen(generator), t._data.dtype
    return _fill(t, lambda shape, _: g.cauchy(shape, dt, median, sigma))


def log_normal_(t: Tensor, mean=1.0, std=2.0, *, generator=None) -> Tensor:
    """Fill ``t`` in place with exp of draws from N(mean, std^2)."""
    _float_dt(t.dtype, "log_normal_cpu")
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    g, dt = _gen(generator), t._data.dtype
    return _fill(t, lambda shape, _: g.log_normal(shape, dt, mean, std))
