"""Differential tests: Ember's random kernel against torch's CPU generator, bit for bit."""

import numpy as np
import pytest
import torch

from ember.kernels.random import Generator, default_generator

SEEDS = [0, 1, 42, 2**32 + 5]
SIZES = [0, 1, 2, 15, 16, 17, 100, 1000, 2**16 + 3]
FLOATS = {np.float32: torch.float32, np.float64: torch.float64}


def pair(seed):
    return torch.Generator().manual_seed(seed), Generator().manual_seed(seed)


def assert_same(ours: np.ndarray, theirs: torch.Tensor):
    theirs = theirs.numpy()
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if ours.dtype.kind == "f":
        assert np.array_equal(ours, theirs, equal_nan=True)
        bits = {2: np.uint16, 4: np.uint32, 8: np.uint64}[ours.dtype.itemsize]
        mismatched = np.flatnonzero(ours.view(bits) != theirs.view(bits))
        assert mismatched.size == 0, f"{mismatched.size} elements differ, first at {mismatched[:5]}"
    else:
        assert np.array_equal(ours, theirs)


def assert_same_state(tg, eg):
    assert np.array_equal(eg.get_state(), tg.get_state().numpy())


# ------------------------------------------------------------------------------------------------
# generator state
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS + [2**64 - 1, -1, 12345678901234567890])
def test_seed_state_matches_torch(seed):
    tg, eg = pair(seed)
    assert eg.initial_seed() == tg.initial_seed()
    assert_same_state(tg, eg)


def test_state_round_trip_and_torch_interchange():
    tg, eg = pair(7)
    torch.randn(5, generator=tg)  # leaves a cached Box-Muller value in the state
    eg.normal(5, np.float32)
    state = eg.get_state()
    assert state.dtype == np.uint8 and state.shape == (5056,)
    assert_same_state(tg, eg)
    a = eg.uniform(10, np.float64)
    eg.set_state(state)
    assert np.array_equal(eg.uniform(10, np.float64), a)
    # torch's bytes load into Ember and Ember's into torch
    other = Generator().set_state(tg.get_state().numpy())
    assert_same(other.normal(3, np.float64), torch.randn(3, generator=tg, dtype=torch.float64))
    tg.set_state(torch.from_numpy(other.get_state()))
    assert_same(other.uniform(700, np.float32), torch.rand(700, generator=tg))


def test_set_state_rejects_bad_sizes():
    with pytest.raises(RuntimeError, match="THGeneratorStateNew of size 5056"):
        Generator().set_state(np.zeros(10, np.uint8))
    with pytest.raises(RuntimeError):
        torch.Generator().set_state(torch.zeros(10, dtype=torch.uint8))


def test_seed_and_default_generator():
    g = Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2**64
    assert np.array_equal(g.get_state(), Generator().manual_seed(s).get_state())
    assert isinstance(default_generator, Generator)


# ------------------------------------------------------------------------------------------------
# uniform and normal: every size threshold, both float widths
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_rand_randn(seed, n, dtype):
    tg, eg = pair(seed)
    td = FLOATS[dtype]
    assert_same(eg.uniform((n,), dtype), torch.rand(n, generator=tg, dtype=td))
    assert_same(eg.normal((n,), dtype), torch.randn(n, generator=tg, dtype=td))
    assert_same(
        eg.uniform(n, dtype, -2.5, 0.3), torch.empty(n, dtype=td).uniform_(-2.5, 0.3, generator=tg)
    )
    assert_same(
        eg.normal(n, dtype, 0.7, 3.3), torch.empty(n, dtype=td).normal_(0.7, 3.3, generator=tg)
    )
    assert_same_state(tg, eg)


@pytest.mark.parametrize("dtype", FLOATS)
def test_shapes_and_odd_scalar_normal_counts(dtype):
    tg, eg = pair(3)
    td = FLOATS[dtype]
    for shape in [(3, 5), (2, 3, 4), (1,), (4, 4), ()]:
        assert_same(eg.normal(shape, dtype), torch.randn(shape, generator=tg, dtype=td))
        assert_same(eg.uniform(shape, dtype), torch.rand(shape, generator=tg, dtype=td))
        assert_same_state(tg, eg)


def test_kaiming_uniform_bounds():
    # nn.init.kaiming_uniform_ is uniform_(-bound, bound) on the weight
    tg, eg = pair(0)
    bound = 1 / np.sqrt(3 * 27)
    w = torch.empty(16, 3, 3, 3)
    w.uniform_(-bound, bound, generator=tg)
    assert_same(eg.uniform((16, 3, 3, 3), np.float32, -bound, bound), w)


@pytest.mark.parametrize("n", [5, 40])
def test_normal_with_array_mean_std(n):
    tg, eg = pair(11)
    mean = np.linspace(-3, 3, n).astype(np.float32)
    std = np.linspace(0.1, 2, n).astype(np.float32)
    expected = torch.normal(torch.from_numpy(mean), torch.from_numpy(std), generator=tg)
    assert_same(eg.normal((n,), np.float32, mean, std), expected)
    assert_same_state(tg, eg)
