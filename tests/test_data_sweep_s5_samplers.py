"""The differential sweep of ember.utils.data, continued (see test_data_sweep_s5.py): samplers,
DistributedSampler and worker processes, each program run with torch and with Ember."""

import math

import numpy as np
import pytest
import torch
from test_data_sweep_s5 import Pairs, gen, same, seeded

import ember


# -- samplers -------------------------------------------------------------------------------------
def drawn(sampler):
    """The keys a sampler gives over two passes."""
    return [list(sampler), list(sampler)]


def weighted(t, weights, n, replacement=True, seed=42):
    data = t.utils.data
    return list(data.WeightedRandomSampler(weights, n, replacement, generator=gen(t, seed)))


def distributed(t, n=10, replicas=3, **kw):
    data = t.utils.data
    return [list(data.DistributedSampler(range(n), replicas, r, **kw)) for r in range(replicas)]


SIZES = [1, 2, 3, 17, 100, 1000, 10000, 100000]

SAMPLER_OK = {
    "SequentialSampler": lambda t: (lambda s: (list(s), len(s)))(
        t.utils.data.SequentialSampler(range(4))
    ),
    "RandomSampler permutations, by size": lambda t: [
        sum(i * k for k, i in enumerate(t.utils.data.RandomSampler(range(n), generator=gen(t))))
        for n in SIZES
    ],
    "RandomSampler with replacement, by size": lambda t: [
        list(t.utils.data.RandomSampler(range(n), True, 40, generator=gen(t)))[-8:] for n in SIZES
    ],
    "RandomSampler with replacement from 2**33": lambda t: list(
        t.utils.data.RandomSampler(range(2**33), True, 10, generator=gen(t))
    ),
    "RandomSampler, more samples than items": lambda t: drawn(
        t.utils.data.RandomSampler(range(5), num_samples=12, generator=gen(t))
    ),
    "RandomSampler, fewer samples than items": lambda t: drawn(
        t.utils.data.RandomSampler(range(5), num_samples=3, generator=gen(t))
    ),
    "RandomSampler on the global generator": seeded(
        1, lambda t: drawn(t.utils.data.RandomSampler(range(6)))
    ),
    "RandomSampler with replacement, global": seeded(
        1, lambda t: drawn(t.utils.data.RandomSampler(range(6), True, 70))
    ),
    "RandomSampler attributes": lambda t: (
        lambda s: (len(s), s.num_samples, s.replacement, s.generator)
    )(t.utils.data.RandomSampler(range(3), num_samples=7)),
    "SubsetRandomSampler, by size": lambda t: [
        list(t.utils.data.SubsetRandomSampler(range(n), generator=gen(t)))[:5] for n in SIZES[:6]
    ],
    "SubsetRandomSampler on the global generator": seeded(
        2, lambda t: drawn(t.utils.data.SubsetRandomSampler([10, 20, 30]))
    ),
    "SubsetRandomSampler of a tensor": lambda t: list(
        t.utils.data.SubsetRandomSampler(t.tensor([5, 6, 7]), generator=gen(t))
    ),
    "WeightedRandomSampler": lambda t: [
        weighted(t, t.arange(1.0, 11.0), n, r) for n in (1, 5, 10) for r in (True, False)
    ],
    "WeightedRandomSampler, 100 draws": lambda t: weighted(t, t.arange(1.0, 11.0), 100),
    "WeightedRandomSampler float32 weights": lambda t: weighted(
        t, t.rand(20, generator=gen(t, 3)), 30
    ),
    "WeightedRandomSampler tiny weight": lambda t: weighted(t, [0.25] * 4 + [1e-9], 30),
    "WeightedRandomSampler int weights": lambda t: [
        weighted(t, [1, 2, 3], 8),
        weighted(t, t.tensor([1, 2, 3]), 8),
        weighted(t, (1, 2, 3), 8),
    ],
    "WeightedRandomSampler on the global generator": seeded(
        4, lambda t: drawn(t.utils.data.WeightedRandomSampler([1, 2, 3, 4], 6))
    ),
    "WeightedRandomSampler weights attribute": lambda t: [
        t.utils.data.WeightedRandomSampler(w, 2).weights
        for w in ([1, 2], t.tensor([1.0, 2.0]), np.array([1, 2], dtype=np.float32))
    ],
    "WeightedRandomSampler weights needing grad": lambda t: (
        lambda w: (weighted(t, w, 4), t.utils.data.WeightedRandomSampler(w, 4).weights)
    )(t.tensor([1.0, 2.0, 3.0], requires_grad=True)),
    "WeightedRandomSampler shares float64 weights": lambda t: [
        (lambda s: (w.mul_(0), s.weights.tolist())[1])(t.utils.data.WeightedRandomSampler(w, 2))
        for w in (t.tensor([1.0, 2.0], dtype=t.float64), t.tensor([1.0, 2.0]))
    ],
    "BatchSampler": lambda t: [
        list(t.utils.data.BatchSampler(range(10), 3, drop)) for drop in (False, True)
    ],
    "BatchSampler lengths": lambda t: [
        len(t.utils.data.BatchSampler(range(n), b, d))
        for n in (0, 1, 9, 10)
        for b in (1, 3, 10)
        for d in (False, True)
    ],
    "BatchSampler of a generator": lambda t: list(
        t.utils.data.BatchSampler((i for i in range(5)), 2, False)
    ),
    "BatchSampler by keyword": lambda t: (
        lambda b: (list(b), b.batch_size, b.drop_last, b.sampler)
    )(t.utils.data.BatchSampler(sampler=range(3), batch_size=2, drop_last=False)),
    "BatchSampler sees its sampler grow": lambda t: (
        lambda keys, b: (keys.append(3), len(b), list(b))[1:]
    )(*(lambda keys: (keys, t.utils.data.BatchSampler(keys, 2, False)))([0, 1, 2])),
    "DistributedSampler": lambda t: distributed(t),
    "DistributedSampler, no shuffle": lambda t: distributed(t, shuffle=False),
    "DistributedSampler, drop_last": lambda t: distributed(t, drop_last=True),
    "DistributedSampler, drop_last, no shuffle": lambda t: distributed(
        t, drop_last=True, shuffle=False
    ),
    "DistributedSampler, fewer items than replicas": lambda t: [
        distributed(t, 2, 5, shuffle=False),
        distributed(t, 3, 4, drop_last=True),
    ],
    "DistributedSampler lengths": lambda t: [
        len(t.utils.data.DistributedSampler(range(n), 4, 0, drop_last=d))
        for n in (0, 1, 3, 4, 5, 9)
        for d in (False, True)
    ],
    "DistributedSampler epochs and seed": lambda t: (
        lambda s: [(s.set_epoch(e), list(s))[1] for e in range(3)]
    )(t.utils.data.DistributedSampler(range(10), num_replicas=2, rank=1, seed=7)),
    "DistributedSampler attributes": lambda t: (
        lambda s: (s.num_samples, s.total_size, s.num_replicas, s.rank, s.seed, s.shuffle, s.epoch)
    )(t.utils.data.DistributedSampler(range(10), num_replicas=3, rank=2)),
    "DistributedSampler in a DataLoader": lambda t: list(
        t.utils.data.DataLoader(
            range(10), batch_size=2, sampler=t.utils.data.DistributedSampler(range(10), 2, 0)
        )
    ),
}

SAMPLER_RAISES = {
    "RandomSampler of nothing": lambda t: t.utils.data.RandomSampler([]),
    "RandomSampler num_samples=0": lambda t: t.utils.data.RandomSampler(range(3), num_samples=0),
    "RandomSampler num_samples=-1": lambda t: t.utils.data.RandomSampler(range(3), num_samples=-1),
    "RandomSampler num_samples=2.0": lambda t: t.utils.data.RandomSampler(range(3), False, 2.0),
    "RandomSampler replacement=1": lambda t: t.utils.data.RandomSampler(range(3), replacement=1),
    "RandomSampler over an empty dataset": lambda t: list(
        t.utils.data.RandomSampler([], num_samples=3)
    ),
    "WeightedRandomSampler num_samples=0": lambda t: weighted(t, [1, 2], 0),
    "WeightedRandomSampler num_samples=2.0": lambda t: weighted(t, [1, 2], 2.0),
    "WeightedRandomSampler num_samples=True": lambda t: weighted(t, [1, 2], True),
    "WeightedRandomSampler replacement=1": lambda t: weighted(t, [1, 2], 2, 1),
    "WeightedRandomSampler 2-d weights": lambda t: weighted(t, [[1, 2]], 2),
    "WeightedRandomSampler scalar weight": lambda t: weighted(t, 1.0, 2),
    "WeightedRandomSampler all zero": lambda t: weighted(t, [0, 0], 4),
    "WeightedRandomSampler string weights": lambda t: weighted(t, ["a", "b"], 4),
    "WeightedRandomSampler too many without replacement": lambda t: weighted(t, [1, 2], 3, False),
    "BatchSampler batch_size=0": lambda t: t.utils.data.BatchSampler(range(3), 0, False),
    "BatchSampler batch_size=-2": lambda t: t.utils.data.BatchSampler(range(3), -2, False),
    "BatchSampler batch_size=2.0": lambda t: t.utils.data.BatchSampler(range(3), 2.0, False),
    "BatchSampler batch_size=True": lambda t: t.utils.data.BatchSampler(range(3), True, False),
    "BatchSampler batch_size=None": lambda t: t.utils.data.BatchSampler(range(3), None, False),
    "BatchSampler numpy batch_size": lambda t: t.utils.data.BatchSampler(range(3), np.int64(2), 0),
    "BatchSampler drop_last=1": lambda t: t.utils.data.BatchSampler(range(3), 2, 1),
    "BatchSampler drop_last=None": lambda t: t.utils.data.BatchSampler(range(3), 2, None),
    "BatchSampler len of a generator": lambda t: len(
        t.utils.data.BatchSampler((i for i in range(5)), 2, False)
    ),
    "Sampler without __iter__": lambda t: iter(t.utils.data.Sampler()),
    "Sampler(data_source)": lambda t: t.utils.data.Sampler(range(3)),
    "Sampler without __len__": lambda t: len(t.utils.data.Sampler()),
    "DistributedSampler rank too large": lambda t: t.utils.data.DistributedSampler(range(3), 3, 3),
    "DistributedSampler negative rank": lambda t: t.utils.data.DistributedSampler(range(3), 3, -1),
    "DistributedSampler without a process group": lambda t: t.utils.data.DistributedSampler(
        range(3)
    ),
    "DistributedSampler with only a rank": lambda t: t.utils.data.DistributedSampler(
        range(3), rank=0
    ),
}

# every sampler program, with whether torch raises on it
SAMPLER_CASES = {name: (prog, False) for name, prog in SAMPLER_OK.items()}
SAMPLER_CASES.update({name: (prog, True) for name, prog in SAMPLER_RAISES.items()})
assert len(SAMPLER_CASES) == len(SAMPLER_OK) + len(SAMPLER_RAISES)


@pytest.mark.parametrize("name", SAMPLER_CASES)
def test_sampler_like_torch(name):
    prog, raises = SAMPLER_CASES[name]
    same(prog, raises=raises)


# -- worker processes -----------------------------------------------------------------------------
class Reporting(Pairs):
    """Each item tells which worker made it and what that worker's random streams give."""

    def __getitem__(self, i):
        info = self.t.utils.data.get_worker_info()
        return {
            "i": i,
            "worker": info.id,
            "of": info.num_workers,
            "seed": info.seed,
            "dataset": type(info.dataset).__name__,
            "draw": self.t.randint(0, 1000, (2,)),
            "np": int(np.random.randint(0, 1000)),
        }


class Sharded:
    """An iterable dataset over range(n) that splits itself among the workers."""

    @staticmethod
    def of(t, n):
        def shard(self):
            info = t.utils.data.get_worker_info()
            if info is None:
                return iter(range(n))
            return iter(range(info.id, n, info.num_workers))

        return type("Sharded", (t.utils.data.IterableDataset,), {"__iter__": shard})()


def reseed_numpy(worker_id):
    """A worker_init_fn seeding NumPy from the worker's seed, as the torch docs suggest."""
    np.random.seed((int(np.random.get_state()[1][0]) + worker_id) % 2**32)


def test_workers_init_fn_info_and_generator_like_torch():
    def prog(t):
        t.manual_seed(5)
        data = t.utils.data
        plain = data.DataLoader(
            Reporting(t, 6), batch_size=2, num_workers=2, worker_init_fn=reseed_numpy
        )
        g = gen(t, 3)
        seeded_by_g = data.DataLoader(Reporting(t, 6), batch_size=3, num_workers=2, generator=g)
        return list(plain), list(seeded_by_g), list(seeded_by_g), t.rand(1, generator=g), t.rand(2)

    same(prog)


def test_persistent_workers_and_partial_epochs_like_torch():
    def prog(t):
        t.manual_seed(0)
        data = t.utils.data
        dl = data.DataLoader(
            Reporting(t, 12), batch_size=2, num_workers=2, persistent_workers=True, shuffle=True
        )
        it = iter(dl)
        started = [next(it), next(it)]  # an epoch left unfinished, then two whole ones
        return started, list(dl), list(dl), t.rand(2)

    same(prog)


def test_iterable_sharding_and_loader_options_like_torch():
    def prog(t):
        data = t.utils.data
        sharded = Sharded.of(t, 11)
        return [
            list(data.DataLoader(sharded, batch_size=3, num_workers=2)),
            list(data.DataLoader(sharded, batch_size=None, num_workers=2)),
            list(data.DataLoader(sharded, batch_size=2, num_workers=2, drop_last=True)),
            list(data.DataLoader(sharded, batch_size=2, num_workers=2, persistent_workers=True)),
            list(data.DataLoader(range(6), batch_size=2, num_workers=1, timeout=5)),
            list(data.DataLoader(range(6), num_workers=2, prefetch_factor=1, pin_memory=True)),
            sorted(x.item() for x in data.DataLoader(range(6), num_workers=2, in_order=False)),
            len(iter(data.DataLoader(range(6), batch_size=4, num_workers=1))),
        ]

    same(prog)


class Ranged:
    """The torch docs' IterableDataset over [start, end), split by a worker_init_fn."""

    @staticmethod
    def of(t, start, end):
        body = {"__iter__": lambda self: iter(range(self.start, self.end))}
        dataset = type("Ranged", (t.utils.data.IterableDataset,), body)()
        dataset.start, dataset.end = start, end
        return dataset


def split_range(worker_id):
    """The docs' worker_init_fn: each worker narrows its copy of the dataset to its own share."""
    import torch

    info = torch.utils.data.get_worker_info() or ember.utils.data.get_worker_info()
    dataset = info.dataset
    per_worker = int(math.ceil((dataset.end - dataset.start) / float(info.num_workers)))
    start = dataset.start + worker_id * per_worker
    dataset.start, dataset.end = start, min(start + per_worker, dataset.end)


def test_worker_init_fn_sharding_from_the_docs_like_torch():
    def prog(t):
        dataset = Ranged.of(t, 3, 10)
        return [
            list(t.utils.data.DataLoader(dataset, num_workers=n, worker_init_fn=split_range))
            for n in (1, 2)
        ]

    two_workers = same(prog)[1][1][1]  # each batch normalized: ("Tensor", dtype, shape, values)
    assert [batch[3][0] for batch in two_workers] == [3, 7, 4, 8, 5, 9, 6]  # shares interleaved


# -- the draws behind samplers and transforms -----------------------------------------------------
RANGES = [(0.0, 1.0), (0.08, 1.0), (3 / 4, 4 / 3), (-10.0, 10.0), (-1e-3, 1e5), (1.0, 1.0)]
RANGES += [(0.5, 0.5000001), (-2.0, -1.9999999)]  # one float32 step wide: draws round to high


def test_uniform_draws_are_torchs_and_never_high():
    """``ember.utils.data._rng.uniform`` (the random transforms' draw) is torch's
    ``torch.empty(1).uniform_(low, high)``, half-open: a draw rounding up to ``high`` is ``low``."""
    from ember.utils.data import _rng

    ours, theirs = [], []
    for seed in range(40):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        ours += [_rng.uniform(lo, hi) for lo, hi in RANGES]
        theirs += [torch.empty(1).uniform_(lo, hi).item() for lo, hi in RANGES]
    assert ours == theirs
    narrow = [x for x, (lo, hi) in zip(ours, RANGES * 40) if (lo, hi) == (0.5, 0.5000001)]
    assert set(narrow) == {0.5, float(np.nextafter(np.float32(0.5), np.float32(1)))}
