"""Same seed, same numbers: ember's random functions reproduce torch's CPU streams bit for bit."""

import numpy as np
import pytest
import torch

import ember

SEEDS = [0, 1, 42, 2**32 + 5]
SIZES = [0, 1, 15, 16, 17, 100, 1000]


def same(e, t):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    en, tn = e.numpy(), t.numpy()
    assert np.array_equal(en.view(np.uint8), tn.view(np.uint8)), f"{en[:5]} vs {tn[:5]}"


CALLS = [
    ("rand", lambda m, n: m.rand(n)),
    ("rand64", lambda m, n: m.rand(n, dtype=m.float64)),
    ("randn", lambda m, n: m.randn(n)),
    ("randn64", lambda m, n: m.randn(n, dtype=m.float64)),
    ("randn2d", lambda m, n: m.randn(2, n)),
    ("randint", lambda m, n: m.randint(0, 10, (n,))),
    ("randint_big", lambda m, n: m.randint(-(2**40), 2**40, (n,))),
    ("randperm", lambda m, n: m.randperm(n)),
    ("uniform_", lambda m, n: m.empty(n).uniform_(-3, 5)),
    ("normal_", lambda m, n: m.empty(n).normal_(2.0, 0.5)),
    ("bernoulli_", lambda m, n: m.empty(n).bernoulli_(0.3)),
    ("bernoulli_t", lambda m, n: m.bernoulli(m.full((n,), 0.7))),
    ("exponential_", lambda m, n: m.empty(n).exponential_(2.0)),
    ("normal_t", lambda m, n: m.normal(m.zeros(n), m.ones(n) * 2)),
    ("rand_like", lambda m, n: m.rand_like(m.zeros(n, dtype=m.float64))),
    ("randn_like", lambda m, n: m.randn_like(m.zeros(n))),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name,fn", CALLS, ids=[c[0] for c in CALLS])
def test_global_stream(seed, name, fn):
    for n in SIZES:
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        same(fn(ember, n), fn(torch, n))


@pytest.mark.parametrize("seed", [0, 7])
def test_generator_argument_and_state(seed):
    ge, gt = ember.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    same(ember.rand(20, generator=ge), torch.rand(20, generator=gt))
    same(ember.randperm(30, generator=ge), torch.randperm(30, generator=gt))
    assert np.array_equal(ge.get_state().numpy(), gt.get_state().numpy())
    state = ge.get_state()
    a = ember.randn(50, generator=ge)
    ge.set_state(state)
    assert np.array_equal(a.numpy(), ember.randn(50, generator=ge).numpy())
    assert ge.initial_seed() == gt.initial_seed() == seed


def test_mixed_sequence_leaves_same_state():
    torch.manual_seed(3)
    ember.manual_seed(3)
    for m in (ember, torch):
        m.rand(5)
        m.randn(17)
        m.randint(0, 100, (9,))
        m.randperm(12)
        m.empty(33).uniform_()
    assert np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())
    same(ember.rand(4), torch.rand(4))


def test_rng_state_round_trip_crosses_libraries():
    torch.manual_seed(11)
    ember.set_rng_state(ember.tensor(torch.get_rng_state().numpy()))
    same(ember.randn(40), torch.randn(40))


def test_initial_seed_after_manual_seed():
    ember.manual_seed(123)
    assert ember.initial_seed() == 123


def test_randint_errors():
    with pytest.raises(RuntimeError):
        ember.randint(5, 5, (3,))
    with pytest.raises(RuntimeError):
        torch.randint(5, 5, (3,))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linspace_bit_exact(dtype):
    rng = np.random.default_rng(3)
    for _ in range(100):
        start, end = rng.uniform(-100, 100, 2)
        steps = int(rng.integers(0, 300))
        same(
            ember.linspace(start, end, steps, dtype=getattr(ember, dtype)),
            torch.linspace(start, end, steps, dtype=getattr(torch, dtype)),
        )
