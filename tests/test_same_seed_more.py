"""Same seed, same numbers for the samplers ``test_same_seed`` leaves out or covers thinly:
``cauchy_``, ``log_normal_``, ``geometric_``, ``poisson``, every form of ``random_``, the
``normal`` overloads with broadcasting, ``multinomial`` in both dtypes, and the in-place fills on
transposed views.  Results must be bit-identical and generator states byte-identical."""

import numpy as np
import pytest
import torch
from test_same_seed import check_generator, check_global, lin

import ember

SIZES = [1, 3, 15, 16, 17, 40, 700]
FLOATS = ["float32", "float64"]


def _f(m, dt):
    return getattr(m, dt)


CALLS = {
    "cauchy_": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).cauchy_(0.3, 1.7, generator=g),
    "log_normal_": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).log_normal_(
        0.31, 1.7, generator=g
    ),
    "log_normal_default": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).log_normal_(generator=g),
    "geometric_": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).geometric_(0.013, generator=g),
    "geometric_half": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).geometric_(0.5, generator=g),
    "poisson": lambda m, n, dt, g: m.poisson(lin(m, 0, 40, n, dtype=_f(m, dt)), generator=g),
    "poisson_large": lambda m, n, dt, g: m.poisson(lin(m, 9, 1e5, n, dtype=_f(m, dt)), generator=g),
    "random_": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).random_(generator=g),
    "random_to": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).random_(100, generator=g),
    "random_from_to": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).random_(-5, 9, generator=g),
    "random_from_none": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).random_(
        3, None, generator=g
    ),
    "bernoulli_default": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).bernoulli_(generator=g),
    "bernoulli_t32": lambda m, n, dt, g: m.empty(n, dtype=_f(m, dt)).bernoulli_(
        lin(m, 0, 1, n, dtype=m.float32), generator=g
    ),
    "bernoulli_p": lambda m, n, dt, g: lin(m, 0, 1, n, _f(m, dt)).bernoulli(0.3, generator=g),
    "normal_broadcast": lambda m, n, dt, g: m.normal(
        lin(m, -2, 2, n, dtype=_f(m, dt)).reshape(n, 1),
        lin(m, 0.5, 1, 3, dtype=_f(m, dt)),
        generator=g,
    ),
    "multinomial": lambda m, n, dt, g: m.multinomial(
        lin(m, 1, 5, n + 1, dtype=_f(m, dt)), min(n, 5), generator=g
    ),
    "multinomial_rep_2d": lambda m, n, dt, g: m.multinomial(
        lin(m, 1, 5, 2 * n, dtype=_f(m, dt)).reshape(2, n), 9, True, generator=g
    ),
    "multinomial_one": lambda m, n, dt, g: m.multinomial(
        lin(m, 1, 5, 2 * n, dtype=_f(m, dt)).reshape(2, n), 1, generator=g
    ),
}


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("name", CALLS)
def test_samplers(name, dt):
    fn = CALLS[name]
    for n in SIZES:
        check_global(lambda m, n=n: fn(m, n, dt, None), 5, f"{name} n={n} {dt}")
    check_generator(lambda m, g: fn(m, 33, dt, g), 2**32 + 5, f"{name} generator= {dt}")


@pytest.mark.parametrize("dt", ["int8", "uint8", "int16", "int32", "int64", "bool"])
def test_integer_fills(dt):
    """random_ (all forms), geometric_ and bernoulli_ on integer tensors."""

    def fn(m):
        e = lambda: m.empty(40, dtype=getattr(m, dt))  # noqa: E731
        out = [e().random_(), e().random_(2), e().bernoulli_(0.4), e().bernoulli_()]
        if dt != "bool":
            out += [e().random_(0, 2), e().random_(1, None), e().geometric_(0.2)]
        return out

    check_global(fn, 11, dt)


def test_wide_random_ranges():
    check_global(lambda m: m.empty(50, dtype=m.int64).random_(-(2**40), 2**40), 1, "2**41 range")
    check_global(lambda m: m.empty(50, dtype=m.int64).random_(-(2**63), None), 1, "int64 range")
    check_global(lambda m: m.randint(0, 2**40, (33,)), 1, "randint 2**40")


def test_poisson_edge_rates_and_layouts():
    """Zero and huge rates, float16, and non-contiguous rates (drawn in logical order)."""
    check_global(lambda m: m.poisson(m.tensor([0.0, 1e6, 3e9, 0.5])), 4, "edge rates")
    check_global(lambda m: m.poisson(lin(m, 0, 20, 50, m.float16)), 4, "float16")
    check_global(lambda m: m.poisson(lin(m, 0, 40, 300, m.float32).reshape(15, 20).t()), 4, "t()")
    check_global(lambda m: m.poisson(lin(m, 0, 40, 20, m.float32).expand(3, 20)), 4, "expand")


def test_poisson_bad_rates_raise_like_torch():
    for rates in ([-1.0], [float("nan")]):
        for m in (ember, torch):
            with pytest.raises(RuntimeError, match="invalid Poisson rate"):
                m.poisson(m.tensor(rates))
    for m in (ember, torch):
        with pytest.raises(NotImplementedError, match="poisson_cpu"):
            m.poisson(m.tensor([1, 2]))


@pytest.mark.parametrize("name", ["cauchy_", "log_normal_", "geometric_"])
def test_noncontiguous_fills(name):
    """On a transposed view the draws follow memory order, on both sides of 16 elements."""
    for n in [3, 5]:

        def fn(m, n=n):
            base = m.zeros(n, n + 1, dtype=m.float64)
            args = (0.25,) if name == "geometric_" else ()
            getattr(base.t(), name)(*args)
            return base

        check_global(fn, 2, f"{name} on a transposed {n}x{n + 1}")


def test_mixed_sequence_keeps_the_normal_cache():
    """log_normal_ shares normal_distribution's cached second value with later scalar normals."""

    def fn(m):
        return [
            m.empty(3).log_normal_(),
            m.empty(1, dtype=m.float64).normal_(),
            m.poisson(m.tensor([3.0, 30.0])),
            m.empty(5).cauchy_(),
            m.empty(1).log_normal_(),
        ]

    check_global(fn, 9, "mixed")
    assert np.isfinite(fn(ember)[0].numpy()).all()
