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


@pytest.mark.parametrize("seed", SEEDS)
def test_float16_uniform_and_small_normal(seed):
    tg, eg = pair(seed)
    half = torch.float16
    assert_same(eg.uniform(2**16 + 3, np.float16), torch.rand(2**16 + 3, generator=tg, dtype=half))
    expected = torch.empty(1000, dtype=half).uniform_(-3, 2, generator=tg)
    assert_same(eg.uniform(1000, np.float16, -3, 2), expected)
    assert_same(eg.normal(15, np.float16), torch.randn(15, generator=tg, dtype=half))
    assert_same_state(tg, eg)


def test_kaiming_uniform_bounds():
    # nn.init.kaiming_uniform_ is uniform_(-bound, bound) on the weight
    tg, eg = pair(0)
    bound = 1 / np.sqrt(3 * 27)
    w = torch.empty(16, 3, 3, 3)
    w.uniform_(-bound, bound, generator=tg)
    assert_same(eg.uniform((16, 3, 3, 3), np.float32, -bound, bound), w)


def test_linear_init_and_dropout_streams():
    # nn.Linear: kaiming_uniform_(a=sqrt(5)) on the weight, then uniform_ on the bias, from the
    # global generator; F.dropout(p) draws bernoulli_(1 - p) and scales by 1 / (1 - p)
    torch.manual_seed(0)
    layer = torch.nn.Linear(20, 30)
    dropped = torch.nn.functional.dropout(torch.ones(1000), 0.3)
    eg = Generator().manual_seed(0)
    bound = np.sqrt(3.0) * np.sqrt(2.0 / 6) / np.sqrt(20)
    assert_same(eg.uniform((30, 20), np.float32, -bound, bound), layer.weight.detach())
    assert_same(eg.uniform(30, np.float32, -1 / np.sqrt(20), 1 / np.sqrt(20)), layer.bias.detach())
    mask = eg.bernoulli(0.7, (1000,), np.float32)
    assert_same(mask * np.float32(1 / 0.7), dropped)
    assert np.array_equal(eg.get_state(), torch.get_rng_state().numpy())


@pytest.mark.parametrize("n", [5, 40])
def test_normal_with_array_mean_std(n):
    tg, eg = pair(11)
    mean = np.linspace(-3, 3, n).astype(np.float32)
    std = np.linspace(0.1, 2, n).astype(np.float32)
    expected = torch.normal(torch.from_numpy(mean), torch.from_numpy(std), generator=tg)
    assert_same(eg.normal((n,), np.float32, mean, std), expected)
    assert_same_state(tg, eg)


# ------------------------------------------------------------------------------------------------
# integers, permutations, bernoulli, exponential, multinomial
# ------------------------------------------------------------------------------------------------
INTS = {
    np.int64: torch.int64,
    np.int32: torch.int32,
    np.int16: torch.int16,
    np.int8: torch.int8,
    np.uint8: torch.uint8,
    np.float16: torch.float16,
    np.float32: torch.float32,
    np.float64: torch.float64,
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_randint_and_random_(seed, n):
    tg, eg = pair(seed)
    for dtype, td in INTS.items():
        low = 0 if dtype is np.uint8 else -3
        expected = torch.randint(low, 100, (n,), generator=tg, dtype=td)
        assert_same(eg.randint(low, 100, (n,), dtype), expected)
        assert_same(eg.random_((n,), dtype), torch.empty(n, dtype=td).random_(generator=tg))
        assert_same(eg.random_((n,), dtype, 7), torch.empty(n, dtype=td).random_(7, generator=tg))
    assert_same(eg.random_((n,), np.bool_), torch.empty(n, dtype=torch.bool).random_(generator=tg))
    # ranges of 2**28 and more take 64-bit draws (except float32)
    for low, high in [(0, 2**28 - 1), (0, 2**28), (-(2**40), 2**40)]:
        expected = torch.randint(low, high, (n,), generator=tg)
        assert_same(eg.randint(low, high, (n,), np.int64), expected)
    expected = torch.empty(n, dtype=torch.int32).random_(5, None, generator=tg)
    assert_same(eg.random_((n,), np.int32, 5, 2**31), expected)
    expected = torch.empty(n, dtype=torch.int64).random_(-(2**63), None, generator=tg)
    assert_same(eg.random_((n,), np.int64, -(2**63), 2**63), expected)
    assert_same_state(tg, eg)


def test_random_bounds_errors():
    g = Generator()
    cases = [(np.uint8, -1, 5), (np.int16, 0, 2**16), (np.int32, 0, 2**32), (np.int64, 5, 3)]
    for dtype, low, high in cases:
        with pytest.raises(RuntimeError) as ours:
            g.random_((2,), dtype, low, high)
        with pytest.raises(RuntimeError) as theirs:
            torch.empty(2, dtype=INTS[dtype]).random_(low, high)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_randperm(seed, n):
    tg, eg = pair(seed)
    assert_same(eg.randperm(n), torch.randperm(n, generator=tg))
    assert_same(eg.randperm(n, np.int32), torch.randperm(n, generator=tg, dtype=torch.int32))
    assert_same_state(tg, eg)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_bernoulli_exponential(seed, n):
    tg, eg = pair(seed)
    # Dropout draws its mask with bernoulli_(1 - p) on a float tensor
    assert_same(eg.bernoulli(0.3, (n,), np.float32), torch.empty(n).bernoulli_(0.3, generator=tg))
    expected = torch.empty(n, dtype=torch.float64).bernoulli_(0.7, generator=tg)
    assert_same(eg.bernoulli(0.7, (n,), np.float64), expected)
    for dtype, td in FLOATS.items():
        p = np.linspace(0, 1, n).astype(dtype)
        assert_same(eg.bernoulli(p), torch.bernoulli(torch.from_numpy(p), generator=tg))
        expected = torch.empty(n, dtype=td).exponential_(1.7, generator=tg)
        assert_same(eg.exponential((n,), dtype, 1.7), expected)
    assert_same_state(tg, eg)


@pytest.mark.parametrize("n", [1, 2, 17, 1000, 2**16 + 3])
@pytest.mark.parametrize("seed", [0, 42])
def test_multinomial(seed, n):
    tg, eg = pair(seed)
    weights = np.random.default_rng(n).random((3, n)).astype(np.float32)
    if n > 1:
        weights[:, 0] = 0  # a zero weight is never drawn
    for k, replacement in [(1, False), (1, True), (min(n, 5), False), (7, True)]:
        for w in (weights, weights[0].astype(np.float64)):
            expected = torch.multinomial(torch.from_numpy(w), k, replacement, generator=tg)
            assert_same(eg.multinomial(w, k, replacement), expected)
    assert_same_state(tg, eg)


def test_multinomial_errors():
    for w in ([0.0, 0.0], [1.0, -1.0], [1.0, np.nan]):
        with pytest.raises(RuntimeError) as ours:
            Generator().multinomial(np.array(w, np.float32), 1)
        with pytest.raises(RuntimeError) as theirs:
            torch.multinomial(torch.tensor(w), 1)
        assert str(ours.value) == str(theirs.value)


# ------------------------------------------------------------------------------------------------
# consumption order across mixed calls
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_mixed_call_sequence(seed):
    tg, eg = pair(seed)
    f64 = torch.float64
    calls = [
        (lambda: eg.normal(3, np.float64), lambda: torch.randn(3, generator=tg, dtype=f64)),
        (lambda: eg.normal(1, np.float32), lambda: torch.randn(1, generator=tg)),  # the cache
        (
            lambda: eg.uniform((5, 7), np.float32, -0.2, 0.2),
            lambda: torch.empty(5, 7).uniform_(-0.2, 0.2, generator=tg),
        ),
        (lambda: eg.randperm(30), lambda: torch.randperm(30, generator=tg)),
        (lambda: eg.normal(5, np.float32), lambda: torch.randn(5, generator=tg)),  # caches
        (lambda: eg.normal(33, np.float32), lambda: torch.randn(33, generator=tg)),  # keeps it
        (
            lambda: eg.bernoulli(0.5, (10,), np.float32),
            lambda: torch.empty(10).bernoulli_(0.5, generator=tg),
        ),
        (
            lambda: eg.randint(0, 10, (4,), np.int64),
            lambda: torch.randint(0, 10, (4,), generator=tg),
        ),
        (lambda: eg.normal(2, np.float64), lambda: torch.randn(2, generator=tg, dtype=f64)),
        (lambda: eg.uniform(623, np.float64), lambda: torch.rand(623, generator=tg, dtype=f64)),
        (lambda: eg.exponential(3, np.float32), lambda: torch.empty(3).exponential_(generator=tg)),
        (
            lambda: eg.normal(16, np.float64, 2.0, 0.5),
            lambda: torch.empty(16, dtype=f64).normal_(2.0, 0.5, generator=tg),
        ),
    ]
    for ours, theirs in calls:
        assert_same(ours(), theirs())
        assert_same_state(tg, eg)
    assert_same(eg.uniform(1, np.float32), torch.rand(1, generator=tg))


# ------------------------------------------------------------------------------------------------
# the fast paths against their slow references
# ------------------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:overflow encountered in cast")
def test_fast_fma32_equals_round_to_odd_everywhere():
    from ember.kernels.random import _fma32, _round_to_odd, _two_sum

    rng = np.random.default_rng(0)
    n = 200_000
    a = (rng.standard_normal(n) * 10.0 ** rng.integers(-40, 30, n)).astype(np.float32)
    b = (rng.standard_normal(n) * 10.0 ** rng.integers(-40, 30, n)).astype(np.float32)
    c = (rng.standard_normal(n) * 10.0 ** rng.integers(-45, 30, n)).astype(np.float32)
    near = (-(a.astype(np.float64) * b)).astype(np.float32)  # sums near 0 and near halfway cases
    # (1 + m 2**-12)**2 = 1 + m 2**-11 + m**2 2**-24 is halfway between two floats for odd m; a
    # tiny c moves the exact value off it, but the double sum rounds back onto it
    half = np.float32(1) + np.float32(2**-12) * np.arange(1, 2001, 2, dtype=np.float32)
    tiny = np.where(np.arange(1000) % 2 == 0, np.float32(2**-80), np.float32(-(2**-80)))
    naive = (half.astype(np.float64) ** 2 + tiny).astype(np.float32)
    assert np.count_nonzero(naive != _fma32(half, half, tiny)) > 100  # the cases are real
    with np.errstate(all="ignore"):
        for x, y, z in [(a, b, c), (a, b, near), (a, np.float32(3.7), c), (half, half, tiny)]:
            exact = _round_to_odd(
                *_two_sum(
                    np.broadcast_to(x.astype(np.float64) * np.float64(y), np.shape(x)),
                    np.broadcast_to(
                        np.float64(z) if np.ndim(z) == 0 else z.astype(np.float64), np.shape(x)
                    ),
                )
            ).astype(np.float32)
            assert np.array_equal(_fma32(x, y, z).view(np.int32), exact.view(np.int32))


@pytest.mark.parametrize("n", [1, 2, 3, 10, 100, 5000])
def test_swept_permutation_equals_the_swap_loop(n):
    from ember.kernels.random import _swept

    rng = np.random.default_rng(n)
    for kind in ("uniform", "self", "repeat"):
        steps = np.arange(n)
        if kind == "uniform":
            targets = steps + rng.integers(0, n - steps)
        elif kind == "self":  # many no-op swaps
            targets = np.where(rng.random(n) < 0.7, steps, steps + rng.integers(0, n - steps))
        else:  # many steps aiming at the same late positions
            targets = np.maximum(steps, n - 1 - rng.integers(0, 3, n))
        items = list(range(n))
        for i, t in enumerate(targets.tolist()):
            items[i], items[t] = items[t], items[i]
        assert _swept(targets.astype(np.int64)).tolist() == items
