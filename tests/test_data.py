"""ember.utils.data against torch.utils.data: collation, samplers, splits, DataLoader, workers."""

import collections
import gc
import math
import os
import pickle
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as td
from conftest import import_torchvision
from fixtures.vision_fixtures import write_cifar10

import ember
import ember.utils.data as ed
from ember.vision import datasets as evd
from ember.vision import transforms as ET


def to_np(x):
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def to_list(x):
    return to_np(x).tolist()


def assert_same_batch(ours, theirs):
    """Structures, types, dtypes and values equal (ember tensors standing for torch tensors)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ember.Tensor), type(ours)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(to_np(ours), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for k in theirs:
            assert_same_batch(ours[k], theirs[k])
    elif isinstance(theirs, list | tuple):
        assert type(ours).__name__ == type(theirs).__name__ and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same_batch(a, b)
    else:
        assert type(ours) is type(theirs) and ours == theirs


def same_error(fn_ours, fn_theirs, exc=Exception):
    with pytest.raises(exc) as theirs:
        fn_theirs()
    with pytest.raises(type(theirs.value)) as ours:
        fn_ours()
    assert str(ours.value).replace("ember", "torch") == str(theirs.value)


def seed_both(seed):
    ember.manual_seed(seed)
    torch.manual_seed(seed)


# -- the seed program's pipeline -----------------------------------------------------------------
@pytest.fixture(scope="module")
def cifar_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cifar")
    write_cifar10(root, n_per_batch=8, n_test=100)
    return root


def test_seed_pipeline_cifar10_batches(cifar_root):
    dataset = evd.CIFAR10(cifar_root, train=False, transform=ET.ToTensor(), download=False)
    loader = ed.DataLoader(dataset, batch_size=32)
    assert len(loader) == 4
    with open(cifar_root / "cifar-10-batches-py" / "test_batch", "rb") as f:
        entry = pickle.load(f, encoding="latin1")
    file_labels = list(entry["labels"])
    file_images = entry["data"].reshape(-1, 3, 32, 32)
    labels, offset = [], 0
    for imgs, label in loader:
        n = imgs.shape[0]
        assert tuple(imgs.shape) == (n, 3, 32, 32) and n == (32 if offset < 96 else 4)
        assert imgs.dtype == ember.float32 and label.dtype == ember.int64
        x = imgs.numpy()
        assert x.min() >= 0.0 and x.max() <= 1.0
        np.testing.assert_array_equal(x, file_images[offset : offset + n] / np.float32(255))
        labels += label.tolist()
        offset += n
    assert labels == file_labels


def test_seed_pipeline_matches_torchvision(cifar_root, monkeypatch):
    tv = import_torchvision()
    monkeypatch.setattr(tv.datasets.cifar, "check_integrity", lambda p, md5=None: os.path.isfile(p))
    ours = ed.DataLoader(evd.CIFAR10(cifar_root, train=False, transform=ET.ToTensor()), 32)
    theirs = td.DataLoader(
        tv.datasets.CIFAR10(cifar_root, train=False, transform=tv.transforms.ToTensor()), 32
    )
    for a, b in zip(ours, theirs, strict=True):
        assert_same_batch(a, b)


# -- collation ---------------------------------------------------------------------------------
Point = collections.namedtuple("Point", ["x", "y"])


def samples(lib):
    T = ember if lib == "ember" else torch
    return [
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        ["a", "b"],
        [b"a", b"b"],
        [np.float32(1.5), np.float32(2)],
        [np.int32(1), np.int32(4)],
        [np.bool_(True), np.bool_(False)],
        [np.arange(3, dtype=np.int16), np.arange(3, dtype=np.int16)],
        [np.zeros((2, 2)), np.ones((2, 2))],
        [T.tensor([1.0, 2.0]), T.tensor([3.0, 4.0])],
        [T.tensor(3), T.tensor(4)],
        [(1, "a", 2.0), (3, "b", 4.0)],
        [[1, 2], [3, 4]],
        [{"a": 1, "b": np.array([1.0])}, {"a": 2, "b": np.array([2.0])}],
        [Point(1, 2.0), Point(3, 4.0)],
        [{"nested": [(T.tensor([1]), {"k": 0.5})]}, {"nested": [(T.tensor([2]), {"k": 1.5})]}],
        [collections.OrderedDict(z=1, a=2), collections.OrderedDict(z=3, a=4)],
    ]


@pytest.mark.parametrize("i", range(len(samples("torch"))))
def test_default_collate_matches_torch(i):
    assert_same_batch(
        ed.default_collate(samples("ember")[i]), td.default_collate(samples("torch")[i])
    )


@pytest.mark.parametrize("i", range(len(samples("torch"))))
def test_default_convert_matches_torch(i):
    for a, b in zip(samples("ember")[i], samples("torch")[i]):
        assert_same_batch(ed.default_convert(a), td.default_convert(b))


def test_collate_errors_match_torch():
    same_error(lambda: ed.default_collate([[1, 2], [1]]), lambda: td.default_collate([[1, 2], [1]]))
    same_error(
        lambda: ed.default_collate([object(), object()]),
        lambda: td.default_collate([object(), object()]),
    )
    strings = [np.array(["a"]), np.array(["b"])]
    same_error(lambda: ed.default_collate(strings), lambda: td.default_collate(strings))
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        ed.default_collate([ember.zeros(2), ember.zeros(3)])
    objs = np.array([1, "a"], dtype=object)
    assert ed.default_convert(objs) is objs


# -- datasets ----------------------------------------------------------------------------------
def test_tensor_concat_subset_stack_datasets():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    ds = ed.TensorDataset(ember.from_numpy(x), ember.from_numpy(y))
    tds = td.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    assert len(ds) == len(tds) == 6
    assert_same_batch(ds[4], tds[4])
    same_error(
        lambda: ed.TensorDataset(ember.zeros(3), ember.zeros(4)),
        lambda: td.TensorDataset(torch.zeros(3), torch.zeros(4)),
    )
    cat, tcat = (
        ed.ConcatDataset([range(3), range(10, 14)]),
        td.ConcatDataset([range(3), range(10, 14)]),
    )
    assert cat.cumulative_sizes == tcat.cumulative_sizes
    assert [cat[i] for i in range(-7, 7)] == [tcat[i] for i in range(-7, 7)]
    same_error(lambda: cat[-8], lambda: tcat[-8])
    same_error(lambda: ed.ConcatDataset([]), lambda: td.ConcatDataset([]))
    assert list(ed.Subset(range(10), [3, 1, 4])) == [3, 1, 4]
    assert ed.Subset(list(range(10)), [3, 1, 4]).__getitems__([2, 0]) == [4, 3]
    st = ed.StackDataset(range(3), ["a", "b", "c"])
    assert st[1] == (1, "b") and st.__getitems__([0, 2]) == [(0, "a"), (2, "c")]
    assert ed.StackDataset(n=range(2), s="xy").__getitems__([1]) == [{"n": 1, "s": "y"}]
    same_error(
        lambda: ed.StackDataset(range(2), range(3)), lambda: td.StackDataset(range(2), range(3))
    )
    same_error(lambda: ed.StackDataset(), lambda: td.StackDataset())
    assert isinstance(ds + ds, ed.ConcatDataset) and len(ds + ds) == 12


def counting_dataset(lib):
    """An IterableDataset over range(start, end) that splits the range among the workers."""

    class Counting(lib.IterableDataset):
        def __init__(self, start, end):
            self.start, self.end = start, end

        def __iter__(self):
            info = lib.get_worker_info()
            if info is None:
                return iter(range(self.start, self.end))
            per = int(math.ceil((self.end - self.start) / info.num_workers))
            lo = self.start + info.id * per
            return iter(range(lo, min(lo + per, self.end)))

        def __len__(self):
            return self.end - self.start

    return Counting


Counting, TorchCounting = counting_dataset(ed), counting_dataset(td)


def test_chain_dataset():
    chain = ed.ChainDataset([Counting(0, 3), Counting(10, 12)])
    assert list(chain) == [0, 1, 2, 10, 11] and len(chain) == 5
    assert list(Counting(0, 2) + Counting(5, 6)) == [0, 1, 5]
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(ed.ChainDataset([range(3)]))


# -- samplers and random_split -----------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 123])
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"replacement": True}, {"num_samples": 25}, {"replacement": True, "num_samples": 70}],
)
def test_random_sampler_same_order(seed, kwargs):
    seed_both(seed)
    ours = [list(ed.RandomSampler(range(10), **kwargs)) for _ in range(2)]
    theirs = [list(td.RandomSampler(range(10), **kwargs)) for _ in range(2)]
    assert ours == theirs
    np.testing.assert_array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())
    g, tg = ember.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    assert list(ed.RandomSampler(range(7), generator=g, **kwargs)) == list(
        td.RandomSampler(range(7), generator=tg, **kwargs)
    )


def test_other_samplers_same_order():
    seed_both(5)
    assert list(ed.SubsetRandomSampler([10, 20, 30, 40])) == list(
        td.SubsetRandomSampler([10, 20, 30, 40])
    )
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    for replacement in (True, False):
        assert list(ed.WeightedRandomSampler(w, 5, replacement)) == list(
            td.WeightedRandomSampler(w, 5, replacement)
        )
    assert list(ed.SequentialSampler(range(4))) == [0, 1, 2, 3]
    for drop_last in (True, False):
        ours = list(ed.BatchSampler(ed.SequentialSampler(range(10)), 3, drop_last))
        assert ours == list(td.BatchSampler(td.SequentialSampler(range(10)), 3, drop_last))
        assert len(ed.BatchSampler(range(10), 3, drop_last)) == len(
            td.BatchSampler(range(10), 3, drop_last)
        )


def test_weighted_sampler_distribution():
    ember.manual_seed(0)
    draws = np.bincount(list(ed.WeightedRandomSampler([1, 2, 7], 20000)), minlength=3) / 20000
    np.testing.assert_allclose(draws, [0.1, 0.2, 0.7], atol=0.015)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.RandomSampler(range(3), replacement=1),
        lambda m: m.RandomSampler(range(3), num_samples=0),
        lambda m: m.RandomSampler([], num_samples=None),
        lambda m: m.WeightedRandomSampler([1, 2], 0),
        lambda m: m.WeightedRandomSampler([1, 2], 2, replacement=None),
        lambda m: m.WeightedRandomSampler([[1, 2]], 2),
        lambda m: m.BatchSampler(range(3), 0, False),
        lambda m: m.BatchSampler(range(3), True, False),
        lambda m: m.BatchSampler(range(3), 2, 1),
    ],
)
def test_sampler_errors_match(make):
    same_error(lambda: make(ed), lambda: make(td))


def test_random_split_same_as_torch():
    for lengths in ([3, 7], [0.3, 0.3, 0.4], [0.5, 0.5], [4, 0, 6]):
        g, tg = ember.Generator().manual_seed(7), torch.Generator().manual_seed(7)
        ours = [s.indices for s in ed.random_split(range(10), lengths, generator=g)]
        theirs = [s.indices for s in td.random_split(range(10), lengths, generator=tg)]
        assert ours == theirs
    seed_both(3)
    assert [s.indices for s in ed.random_split(range(5), [2, 3])] == [
        s.indices for s in td.random_split(range(5), [2, 3])
    ]
    same_error(lambda: ed.random_split(range(5), [2, 2]), lambda: td.random_split(range(5), [2, 2]))
    same_error(
        lambda: ed.random_split(range(5), [1.5, -0.5]),
        lambda: td.random_split(range(5), [1.5, -0.5]),
    )
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        ed.random_split(range(3), [0.9, 0.1])


# -- DataLoader in the main process ------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"num_workers": 1, "prefetch_factor": -1},
        {"persistent_workers": True},
        {"shuffle": True, "sampler": [0, 1]},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_size": None, "drop_last": True},
        {"multiprocessing_context": "fork"},
        {"num_workers": 1, "multiprocessing_context": "nope"},
        {"num_workers": 1, "multiprocessing_context": 3},
    ],
)
def test_dataloader_argument_errors_match(kwargs):
    same_error(lambda: ed.DataLoader(range(4), **kwargs), lambda: td.DataLoader(range(4), **kwargs))


def test_dataloader_iterable_argument_errors_match():
    for kwargs in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        same_error(
            lambda kw=kwargs: ed.DataLoader(Counting(0, 3), **kw),
            lambda kw=kwargs: td.DataLoader(TorchCounting(0, 3), **kw),
        )


def test_dataloader_frozen_attributes_and_len():
    loader = ed.DataLoader(range(10), batch_size=3)
    same_error(
        lambda: setattr(loader, "batch_size", 2),
        lambda: setattr(td.DataLoader(range(10)), "batch_size", 2),
    )
    loader.num_workers = 0  # not frozen
    for kwargs in (
        {},
        {"batch_size": 3},
        {"batch_size": 3, "drop_last": True},
        {"batch_size": None},
    ):
        assert len(ed.DataLoader(range(10), **kwargs)) == len(td.DataLoader(range(10), **kwargs))
        assert len(ed.DataLoader(Counting(0, 10), **kwargs)) == len(
            td.DataLoader(TorchCounting(0, 10), **kwargs)
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"batch_size": 4},
        {"batch_size": 4, "drop_last": True},
        {"batch_size": None},
        {"batch_size": 3, "shuffle": True},
        {"batch_sampler": [[3, 1], [0], [2, 4, 5]]},
        {"sampler": [5, 4, 3], "batch_size": 2},
        {"collate_fn": lambda b: b, "batch_size": 2},
    ],
)
def test_dataloader_batches_match_torch(kwargs):
    data = [(i, {"v": np.float32(i) / 2, "s": str(i)}) for i in range(10)]
    seed_both(11)
    for _ in range(2):  # two epochs: reshuffled identically
        ours, theirs = list(ed.DataLoader(data, **kwargs)), list(td.DataLoader(data, **kwargs))
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same_batch(a, b)
    np.testing.assert_array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())


def test_dataloader_generator_and_iterable():
    g, tg = ember.Generator().manual_seed(4), torch.Generator().manual_seed(4)
    ours = [b.tolist() for b in ed.DataLoader(range(9), batch_size=4, shuffle=True, generator=g)]
    theirs = [b.tolist() for b in td.DataLoader(range(9), batch_size=4, shuffle=True, generator=tg)]
    assert ours == theirs
    for kwargs in ({"batch_size": 4}, {"batch_size": 4, "drop_last": True}, {"batch_size": None}):
        ours = [to_list(b) for b in ed.DataLoader(Counting(0, 10), **kwargs)]
        theirs = [to_list(b) for b in td.DataLoader(TorchCounting(0, 10), **kwargs)]
        assert ours == theirs


def test_iterable_length_warning():
    class Liar(Counting):
        def __len__(self):
            return 2

    loader = ed.DataLoader(Liar(0, 4), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(loader)


def test_single_process_timeout_and_pin_memory():
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        iter(ed.DataLoader(range(3), timeout=1))
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true"):
        assert [b.tolist() for b in ed.DataLoader(range(2), pin_memory=True)] == [[0], [1]]


# -- worker processes --------------------------------------------------------------------------
def worker_report_dataset(lib, rand):
    """Each item says which worker made it and what that worker's generators give."""

    class WorkerReport(lib.Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            info = lib.get_worker_info()
            return {
                "i": i,
                "worker": info.id,
                "seed": info.seed,
                "num_workers": info.num_workers,
                "rand": float(rand(1).item()),
                "np": int(np.random.randint(0, 2**31)),
            }

    return WorkerReport


WorkerReport = worker_report_dataset(ed, ember.rand)
TorchWorkerReport = worker_report_dataset(td, torch.rand)


def test_workers_seeds_and_order_match_torch():
    seed_both(21)
    ours = list(ed.DataLoader(WorkerReport(), batch_size=2, num_workers=2))
    theirs = list(td.DataLoader(TorchWorkerReport(), batch_size=2, num_workers=2))
    assert [b["i"].tolist() for b in ours] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert [b["worker"].tolist() for b in ours] == [[0, 0], [1, 1], [0, 0], [1, 1]]
    for a, b in zip(ours, theirs):
        for key in ("i", "worker", "seed", "num_workers", "rand", "np"):
            assert a[key].tolist() == b[key].tolist(), key
    assert ed.get_worker_info() is None


def test_workers_shuffle_matches_torch_and_single_process():
    seed_both(2)
    ours = [b.tolist() for b in ed.DataLoader(range(20), batch_size=3, shuffle=True, num_workers=2)]
    theirs = [
        b.tolist() for b in td.DataLoader(range(20), batch_size=3, shuffle=True, num_workers=2)
    ]
    assert ours == theirs
    ember.manual_seed(2)
    assert ours == [b.tolist() for b in ed.DataLoader(range(20), batch_size=3, shuffle=True)]


def test_iterable_dataset_sharding_matches_torch():
    for kwargs in ({"batch_size": 3}, {"batch_size": None}, {"batch_size": 2, "drop_last": True}):
        ours = [to_list(b) for b in ed.DataLoader(Counting(0, 11), num_workers=2, **kwargs)]
        theirs = [to_list(b) for b in td.DataLoader(TorchCounting(0, 11), num_workers=2, **kwargs)]
        assert ours == theirs


class Failing(ed.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            raise KeyError("missing key 3")
        if i == 5:
            raise ValueError("item 5 is broken")
        return i


def test_worker_exception_reraised_with_traceback():
    it = iter(ed.DataLoader(Failing(), batch_size=2, num_workers=2))
    assert next(it).tolist() == [0, 1]
    with pytest.raises(KeyError) as e:
        next(it)
    msg = str(e.value)
    assert "Caught KeyError in DataLoader worker process 1." in msg
    assert "Original Traceback (most recent call last):" in msg
    assert "in __getitem__" in msg and "missing key 3" in msg
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 0"):
        next(it)


def test_worker_init_fn_error_and_call():
    def init(worker_id):
        if worker_id == 1:
            raise RuntimeError("init failed")

    it = iter(ed.DataLoader(range(4), num_workers=2, worker_init_fn=init))
    assert next(it).tolist() == [0]
    with pytest.raises(RuntimeError, match="init failed"):
        next(it)


class Slow(ed.Dataset):
    def __len__(self):
        return 1000

    def __getitem__(self, i):
        time.sleep(0.002)
        return i


def test_workers_shut_down_on_early_stop_and_del():
    loader = ed.DataLoader(Slow(), batch_size=4, num_workers=2)
    it = iter(loader)
    next(it)
    workers = list(it._workers)
    assert all(w.is_alive() for w in workers)
    del it
    gc.collect()
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)
    first = None
    for batch in loader:  # break out of a for loop: the iterator is dropped
        first = batch.tolist()
        break
    assert first == [0, 1, 2, 3]


def test_persistent_workers_and_timeout():
    loader = ed.DataLoader(range(7), batch_size=3, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    workers = list(loader._iterator._workers)
    second = [b.tolist() for b in loader]
    assert first == second == [[0, 1, 2], [3, 4, 5], [6]]
    assert workers == loader._iterator._workers and all(w.is_alive() for w in workers)
    loader._iterator._shutdown_workers()

    class Stuck(ed.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            time.sleep(1)
            return i

    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 seconds"):
        next(iter(ed.DataLoader(Stuck(), num_workers=1, timeout=0.3)))


class Dying(ed.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        os._exit(3)


def test_worker_death_detected():
    with pytest.raises(
        RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"
    ):
        list(ed.DataLoader(Dying(), num_workers=1))


def test_too_many_workers_warns():
    cpus = len(os.sched_getaffinity(0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ed.DataLoader(range(2), num_workers=cpus + 1)
        td.DataLoader(range(2), num_workers=cpus + 1)
    assert len(caught) == 2 and str(caught[0].message) == str(caught[1].message)
