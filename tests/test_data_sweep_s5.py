"""A differential sweep of ember.utils.data: small programs written as PyTorch users write them,
run once with torch and once with Ember; results, exceptions and warnings must agree."""

import collections
import importlib
import re
import types
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data  # noqa: F401  (torch.utils.data is reached as an attribute below)

import ember
import ember.utils.data  # noqa: F401


def normalize(x):
    """A library-neutral picture of a result: tensors as (dtype, shape, values)."""
    if isinstance(x, ember.Tensor | torch.Tensor):
        dtype = str(x.dtype).split(".")[-1]
        return ("Tensor", dtype, tuple(x.shape), x.detach().numpy().tolist())
    if isinstance(x, collections.abc.Mapping):
        return (type(x).__name__, [(k, normalize(v)) for k, v in x.items()])
    if isinstance(x, list | tuple | collections.deque):
        return (type(x).__name__, [normalize(v) for v in x])
    return x


def neutral(message) -> str:
    """A message with the library's name and object addresses taken out."""
    return re.sub(r" at 0x[0-9a-f]+", "", str(message).replace("ember", "torch"))


def outcome(prog, lib):
    """``prog(lib)``'s normalized result, or its exception; with the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = normalize(prog(lib))
        except Exception as exc:  # noqa: BLE001
            result = ("raised", type(exc).__name__, neutral(exc))
    return result, [(w.category.__name__, neutral(w.message)) for w in caught]


def same(prog, raises: bool = False):
    """Ember's outcome equals torch's; ``raises`` says whether torch raises (so a program that
    fails by mistake in both libraries does not pass unnoticed). Returns torch's result."""
    theirs, ours = outcome(prog, torch), outcome(prog, ember)
    assert ours == theirs
    assert (isinstance(theirs[0], tuple) and theirs[0][:1] == ("raised",)) == raises, theirs[0]
    return theirs[0]


# -- typing: the classes are generic as torch's are ----------------------------------------------
GENERIC_NAMES = [
    "DataLoader", "Dataset", "IterableDataset", "StackDataset", "ConcatDataset", "ChainDataset",
    "Subset", "Sampler", "DistributedSampler",
]  # fmt: skip
NON_GENERIC_NAMES = ["TensorDataset", "SequentialSampler", "RandomSampler", "BatchSampler"]


@pytest.mark.parametrize("name", GENERIC_NAMES + NON_GENERIC_NAMES)
def test_classes_subscriptable_like_torch(name):
    def prog(t):
        cls = getattr(t.utils.data, name)
        alias = cls[int]  # annotations such as ``DataLoader[Tensor]`` are evaluated at def time
        return [c.__name__ for c in cls.__mro__], len(cls.__parameters__), alias.__origin__.__name__

    same(prog, raises=name in NON_GENERIC_NAMES)


def test_generic_annotations_in_user_code():
    def prog(t):
        data = t.utils.data

        class Squares(data.IterableDataset[int]):
            def __iter__(self):
                return iter([i * i for i in range(5)])

        def batches(loader: data.DataLoader[int]) -> list:
            return [b.tolist() for b in loader]

        chained: data.ChainDataset[int] = data.ChainDataset([Squares(), Squares()])
        stacked = data.StackDataset[tuple](range(3), range(3, 6))
        return batches(data.DataLoader(chained, batch_size=4)), stacked[2]

    same(prog)


@pytest.mark.parametrize("module", ["dataloader", "dataset", "sampler", "distributed"])
def test_submodules_export_what_torch_does(module):
    """Programs import from the submodules too (``from torch.utils.data.dataloader import
    default_collate``): every name in torch's ``__all__`` there is the same object as Ember's."""
    theirs = importlib.import_module(f"torch.utils.data.{module}")
    ours = importlib.import_module(f"ember.utils.data.{module}")
    names = [n for n in theirs.__all__ if not isinstance(getattr(theirs, n), types.ModuleType)]
    assert names and all(n in vars(ours) for n in names), sorted(set(names) - set(vars(ours)))
    for n in set(names) & set(dir(ember.utils.data)):
        assert getattr(ours, n) is getattr(ember.utils.data, n), n


# The legacy DataPipes (torchdata's predecessor, deprecated in torch) are left out.
DATAPIPE_NAMES = {
    "DFIterDataPipe", "DataChunk", "IterDataPipe", "MapDataPipe", "argument_validation",
    "functional_datapipe", "guaranteed_datapipes_determinism", "non_deterministic",
    "runtime_validation", "runtime_validation_disabled",
}  # fmt: skip


def test_package_exports_what_torch_does():
    wanted = set(torch.utils.data.__all__) - DATAPIPE_NAMES
    assert wanted <= set(ember.utils.data.__all__), wanted - set(ember.utils.data.__all__)


def test_worker_internals_reexported_like_torch():
    def prog(t):
        internals = t.utils.data._utils
        kind = t.utils.data._DatasetKind
        return (
            internals.MP_STATUS_CHECK_INTERVAL,
            internals.ExceptionWrapper.__name__,
            [
                kind.Map,
                kind.Iterable,
                t.utils.data.dataloader._DatasetKind is kind,
            ],
        )

    same(prog)


# -- default_collate and default_convert ----------------------------------------------------------
Pair = collections.namedtuple("Pair", ["x", "y"])


class Tagged(list):
    """A list subclass: collated back into its own type."""


def collate(batch_of):
    """A program collating ``batch_of(t)`` with ``t``'s ``default_collate``."""
    return lambda t: t.utils.data.default_collate(batch_of(t))


def convert(sample_of):
    return lambda t: t.utils.data.default_convert(sample_of(t))


def with_float64_default(t, run):
    t.set_default_dtype(t.float64)
    try:
        return run()
    finally:
        t.set_default_dtype(t.float32)


COLLATE_OK = {
    "dicts": collate(lambda t: [{"a": 1, "b": 2.0, "c": "x"}, {"a": 3, "b": 4.0, "c": "y"}]),
    "dict key order from first": collate(lambda t: [{"b": 1, "a": 2}, {"a": 3, "b": 4}]),
    "namedtuples": collate(lambda t: [Pair(1, [2.0, 3.0]), Pair(3, [4.0, 5.0])]),
    "tuples of numpy arrays": collate(
        lambda t: [(np.array([1, 2]), np.array([1.5])), (np.array([3, 4]), np.array([2.5]))]
    ),
    "numpy float64 scalars": collate(lambda t: [np.float64(1), np.float64(2)]),
    "numpy float16 scalars": collate(lambda t: [np.float16(1), np.float16(2)]),
    "numpy int8 scalars": collate(lambda t: [np.int8(-1), np.int8(2)]),
    "numpy uint8 scalars": collate(lambda t: [np.uint8(1), np.uint8(200)]),
    "numpy bool arrays": collate(lambda t: [np.array([True]), np.array([False])]),
    "numpy 0-d arrays": collate(lambda t: [np.array(1.0), np.array(2.0)]),
    "numpy transposed arrays": collate(lambda t: [np.arange(6).reshape(2, 3).T] * 2),
    "numpy str_ scalars": collate(lambda t: [np.str_("a"), np.str_("b")]),
    "numpy float32 then Python float": collate(lambda t: [np.float32(1), 2.5]),
    "numpy int64 then Python float": collate(lambda t: [np.int64(1), 2.5]),
    "numpy int32 then Python int": collate(lambda t: [np.int32(1), 2]),
    "numpy float16 then Python int": collate(lambda t: [np.float16(1), 2]),
    "numpy int8 then Python bool": collate(lambda t: [np.int8(1), True]),
    "numpy float32 then Python complex": collate(lambda t: [np.float32(1), 1j]),
    "numpy int64 and float32": collate(lambda t: [np.int64(1), np.float32(2)]),
    "numpy uint8 and int8": collate(lambda t: [np.uint8(1), np.int8(-2)]),
    "numpy float64 and float32": collate(lambda t: [np.float64(1), np.float32(2)]),
    "numpy complex64 and float64": collate(lambda t: [np.complex64(1j), np.float64(1)]),
    "numpy int64 then Python float, float64 default": lambda t: with_float64_default(
        t, lambda: t.utils.data.default_collate([np.int64(1), 2.5])
    ),
    "strings": collate(lambda t: ["a", "b"]),
    "bytes": collate(lambda t: [b"a", b"b"]),
    "nested lists": collate(lambda t: [[[1, 2], [3]], [[4, 5], [6]]]),
    "lists of strings": collate(lambda t: [["a", "b"], ["c", "d"]]),
    "int then float": collate(lambda t: [1, 2.5]),
    "float then int": collate(lambda t: [1.5, 2]),
    "bool then int": collate(lambda t: [True, 2]),
    "negative ints": collate(lambda t: [-1, -(2**40)]),
    "float then numpy": collate(lambda t: [1.5, np.float64(2)]),
    "numpy array then tensor": collate(lambda t: [np.array([1]), t.tensor([2])]),
    "0-d tensors": collate(lambda t: [t.tensor(1), t.tensor(2)]),
    "float16 tensors": collate(lambda t: [t.tensor([1.5], dtype=t.float16)] * 2),
    "tensors needing grad": collate(lambda t: [t.ones(2, requires_grad=True)] * 2),
    "tuples become lists": collate(lambda t: [(1, t.zeros(2)), (2, t.ones(2))]),
    "list subclass kept": collate(lambda t: [Tagged([1, 2]), Tagged([3, 4])]),
    "ordered dicts": collate(lambda t: [collections.OrderedDict(z=1, a=2)] * 2),
    "defaultdicts": collate(lambda t: [collections.defaultdict(int, a=1)] * 2),
    "mapping proxies": collate(lambda t: [types.MappingProxyType({"a": 1})] * 2),
    "deques": collate(lambda t: [collections.deque([1, 2]), collections.deque([3, 4])]),
    "None with a custom map": lambda t: t.utils.data._utils.collate.collate(
        [None, None], collate_fn_map={type(None): lambda b, *, collate_fn_map=None: len(b)}
    ),
    "custom map inside dicts": lambda t: t.utils.data._utils.collate.collate(
        [{"a": 1.5, "b": t.tensor([1])}, {"a": 2.5, "b": t.tensor([2])}],
        collate_fn_map={
            **t.utils.data._utils.collate.default_collate_fn_map,
            float: lambda b, *, collate_fn_map=None: sum(b),
        },
    ),
    "convert dict": convert(lambda t: {"a": np.array([1, 2]), "b": (np.float32(1), 2)}),
    "convert namedtuple": convert(lambda t: Pair(np.array([1]), 2)),
    "convert tuple": convert(lambda t: (np.array([1]), "x")),
    "convert numpy scalars": convert(lambda t: [np.float32(1.5), np.int64(3), np.bool_(True)]),
    "convert numpy str_": convert(lambda t: np.str_("a")),
    "convert string array": convert(lambda t: np.array(["a"])),
    "convert str, bytes, int": convert(lambda t: ["abc", b"abc", 3, 1.5, None]),
    "convert tensor": convert(lambda t: t.tensor([1])),
    "convert deque": convert(lambda t: collections.deque([np.array([1])])),
    "convert list subclass": convert(lambda t: Tagged([np.array(1)])),
    "convert shares memory": lambda t: (
        lambda a: (t.utils.data.default_convert(a).__setitem__(0, 9), a.tolist())[1]
    )(np.zeros(2)),
}

COLLATE_RAISES = {
    "no samples": collate(lambda t: []),
    "tensors of different sizes": collate(lambda t: [t.zeros(2), t.zeros(3)]),
    "tensors of different ranks": collate(lambda t: [t.zeros(2), t.zeros(2, 1)]),
    "arrays of different sizes": collate(lambda t: [np.zeros(2), np.zeros(3)]),
    "lists of different lengths": collate(lambda t: [[1, 2], [3]]),
    "namedtuples of different lengths": collate(lambda t: [Pair(1, [2.0, 3.0]), Pair(3, [4.0])]),
    "dicts missing a key": collate(lambda t: [{"a": 1, "b": 2}, {"a": 3}]),
    "Nones": collate(lambda t: [None, None]),
    "sets": collate(lambda t: [{1}, {2}]),
    "complex numbers": collate(lambda t: [1j, 2j]),
    "int past int64": collate(lambda t: [2**63, 1]),
    "string arrays": collate(lambda t: [np.array(["a"])] * 2),
    "object arrays": collate(lambda t: [np.array([1, "a"], dtype=object)] * 2),
    "bytes arrays": collate(lambda t: [np.array([b"a"])] * 2),
    "datetimes": collate(lambda t: [np.datetime64("2020-01-01")] * 2),
    "numpy scalar then str": collate(lambda t: [np.float32(1), "a"]),
    "numpy scalar then None": collate(lambda t: [np.float32(1), None]),
}


# -- DataLoader in the main process ---------------------------------------------------------------
class Pairs:
    """A map-style dataset written against whichever library ``t`` is: item i is [i, 2i]."""

    def __init__(self, t, n=10):
        self.t, self.n = t, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.t.tensor([i, 2 * i])


def counting(t, n=7, length=None):
    """An IterableDataset of ``t`` over range(n), reporting ``length`` (None: no ``__len__``)."""
    data = t.utils.data
    body = {"__iter__": lambda self: iter(range(n))}
    if length is not None:
        body["__len__"] = lambda self: length
    return type("Counting", (data.IterableDataset,), body)()


def loader(t, dataset=None, **kwargs):
    return t.utils.data.DataLoader(Pairs(t) if dataset is None else dataset, **kwargs)


def epochs(make, n=2):
    """Build a loader with ``make(t)`` and list its batches for ``n`` epochs."""
    return lambda t: (lambda dl: [list(dl) for _ in range(n)])(make(t))


def seeded(seed, prog):
    """``prog`` after ``t.manual_seed(seed)``, then one draw showing where the global stream is."""
    return lambda t: (t.manual_seed(seed), prog(t), t.rand(2))[1:]


def gen(t, seed=42):
    return t.Generator().manual_seed(seed)


def iterable_lengths(t):
    out = []
    for bs in (1, 2, 3, None):
        for drop in (False, True) if bs else (False,):
            out.append(len(loader(t, counting(t, length=7), batch_size=bs, drop_last=drop)))
    return out


def map_lengths(t):
    return [
        len(loader(t, range(n), batch_size=bs, drop_last=drop))
        for n in (0, 1, 9, 10, 11)
        for bs in (1, 3, 10, None)
        for drop in ((False, True) if bs else (False,))
    ]


def attributes(t, **kwargs):
    dl = loader(t, **kwargs)
    names = ("batch_size", "drop_last", "num_workers", "timeout", "prefetch_factor", "pin_memory")
    names += ("persistent_workers", "in_order", "generator", "worker_init_fn")
    parts = [getattr(dl, n) for n in names] + [dl.collate_fn.__name__]
    return parts + [type(dl.sampler).__name__, type(dl.batch_sampler).__name__]


LOADER_OK = {
    "batch_size=None": lambda t: list(loader(t, batch_size=None)),
    "batch_size=None, shuffle": seeded(0, lambda t: list(loader(t, batch_size=None, shuffle=True))),
    "drop_last": lambda t: list(loader(t, batch_size=4, drop_last=True)),
    "last batch kept": lambda t: list(loader(t, batch_size=4)),
    "shuffle with generator, 3 epochs": epochs(
        lambda t: loader(t, batch_size=3, shuffle=True, generator=gen(t)), 3
    ),
    "shuffle, drop_last, generator": lambda t: list(
        loader(t, range(10), batch_size=3, drop_last=True, shuffle=True, generator=gen(t, 1))
    ),
    "shuffle on the global generator": seeded(
        3, epochs(lambda t: loader(t, batch_size=4, shuffle=True))
    ),
    "no shuffle still draws a seed": seeded(3, epochs(lambda t: loader(t, batch_size=4))),
    "generator advanced by an epoch": lambda t: (
        lambda g: (
            list(loader(t, range(5), batch_size=2, shuffle=True, generator=g)),
            t.rand(2, generator=g),
        )
    )(gen(t, 7)),
    "generator unused by shuffle=False": lambda t: (
        lambda g: (list(loader(t, range(5), batch_size=2, generator=g)), t.rand(2, generator=g))
    )(gen(t, 7)),
    "RandomSampler given as sampler": lambda t: list(
        loader(t, sampler=t.utils.data.RandomSampler(range(6), generator=gen(t)), batch_size=4)
    ),
    "batch_sampler list": lambda t: list(loader(t, batch_sampler=[[0, 1], [5]])),
    "batch_sampler with batch_size=1": lambda t: len(
        loader(t, batch_sampler=[[0, 1]], batch_size=1)
    ),
    "sampler with shuffle=False": lambda t: list(loader(t, sampler=[3, 1], shuffle=False)),
    "sampler of key lists, no batching": lambda t: list(
        loader(t, t.arange(5) * 10, sampler=[[0, 1], [2]], batch_size=None)
    ),
    "len of map-style loaders": map_lengths,
    "len of iterable loaders": iterable_lengths,
    "iterable batches": lambda t: list(loader(t, counting(t), batch_size=3)),
    "iterable drop_last": lambda t: list(loader(t, counting(t), batch_size=3, drop_last=True)),
    "iterable, no batching": lambda t: list(loader(t, counting(t), batch_size=None)),
    "iterable twice": epochs(lambda t: loader(t, counting(t), batch_size=4)),
    "map-style twice": epochs(lambda t: loader(t, range(5), batch_size=2)),
    "iterable longer than its len": lambda t: (lambda dl: (len(dl), list(dl)))(
        loader(t, counting(t, length=3), batch_size=2)
    ),
    "iterable longer than its len, drop_last": lambda t: (lambda dl: (len(dl), list(dl)))(
        loader(t, counting(t, length=3), batch_size=2, drop_last=True)
    ),
    "custom collate_fn": lambda t: list(
        loader(t, batch_size=2, collate_fn=lambda b: [x.sum().item() for x in b])
    ),
    "custom collate_fn, no batching": lambda t: list(
        loader(t, Pairs(t, 3), batch_size=None, collate_fn=lambda b: b.tolist())
    ),
    "collate_fn=None": lambda t: list(loader(t, range(3), batch_size=2, collate_fn=None)),
    "tensor as dataset": lambda t: list(loader(t, t.arange(7), batch_size=3)),
    "numpy array as dataset": lambda t: list(
        loader(t, np.arange(5, dtype=np.float32), batch_size=2)
    ),
    "list of tuples": lambda t: list(loader(t, [(1, "a"), (2, "b"), (3, "c")], batch_size=2)),
    "empty dataset": lambda t: list(loader(t, [], batch_size=2)),
    "dataset grows between epochs": lambda t: (
        lambda data, dl: (list(dl), data.append(9), len(dl), list(dl))[2:]
    )(*(lambda data: (data, loader(t, data, batch_size=2)))([1, 2, 3])),
    "pin_memory accepted": lambda t: list(loader(t, range(2), batch_size=2, pin_memory=True)),
    "prefetch_factor default with workers": lambda t: loader(t, num_workers=2).prefetch_factor,
    "worker_init_fn unused without workers": lambda t: list(
        loader(t, range(2), worker_init_fn=lambda i: 1 / 0)
    ),
    "attributes": attributes,
    "attributes without batching": lambda t: attributes(t, batch_size=None),
    "attributes of an iterable loader": lambda t: attributes(t, dataset=counting(t)),
    "num_workers may be set": lambda t: (
        lambda dl: (setattr(dl, "num_workers", 0), dl.num_workers)
    )(loader(t)),
    "iterator": lambda t: (lambda it: (iter(it) is it, len(it), list(it), next(it, "end")))(
        iter(loader(t, range(5), batch_size=2))
    ),
}


def xy(t):
    return t.utils.data.TensorDataset(t.arange(10.0), t.arange(10))


def perm(t, n=10):
    return t.randperm(n, generator=gen(t, 0))


LOADER_OK.update({
    "sampler=randperm": lambda t: list(loader(t, xy(t), sampler=perm(t), batch_size=4)),
    "sampler=randperm over a list": lambda t: list(
        loader(t, list(range(10)), sampler=perm(t), batch_size=4)
    ),
    "batch_sampler=randperm rows": lambda t: list(
        loader(t, xy(t), batch_sampler=perm(t).view(5, 2))
    ),
    "batch_sampler=randperm chunks": lambda t: list(
        loader(t, xy(t), batch_sampler=perm(t).split(3))
    ),
    "Subset of a randperm": lambda t: list(
        loader(t, t.utils.data.Subset(xy(t), perm(t)[:5]), batch_size=2)
    ),
    "Subset of a numpy index": lambda t: list(
        loader(t, t.utils.data.Subset(list(range(10)), np.array([1, 3, 5])), batch_size=2)
    ),
    "TensorDataset tensor and numpy keys": lambda t: [
        xy(t)[t.tensor(3)], xy(t)[np.int64(3)], xy(t)[t.tensor([3, 4])]
    ],
    "ConcatDataset shuffled": lambda t: list(
        loader(t, t.utils.data.ConcatDataset([xy(t), xy(t)]), batch_size=8, shuffle=True,
               generator=gen(t, 1))
    ),
    "random_split then loaders": lambda t: [
        list(loader(t, s, batch_size=4))
        for s in t.utils.data.random_split(xy(t), [0.8, 0.2], generator=gen(t, 2))
    ],
    "SubsetRandomSampler of tensor keys": lambda t: list(loader(
        t, xy(t), batch_size=3,
        sampler=t.utils.data.SubsetRandomSampler(t.arange(0, 10, 2), generator=gen(t)),
    )),
    "WeightedRandomSampler in a loader": lambda t: list(loader(
        t, xy(t), batch_size=3,
        sampler=t.utils.data.WeightedRandomSampler(t.linspace(0.1, 1, 10), 6, generator=gen(t)),
    )),
    "dicts of tensors": lambda t: list(
        loader(t, [{"x": t.ones(2) * i, "y": i} for i in range(4)], batch_size=3)
    ),
    "bool tensors": lambda t: list(
        loader(t, t.utils.data.TensorDataset(t.tensor([True, False, True])), batch_size=2)
    ),
})  # fmt: skip

LOADER_RAISES = {
    "sampler and shuffle": lambda t: loader(t, sampler=[0], shuffle=True),
    "batch_sampler and batch_size": lambda t: loader(t, batch_sampler=[[0, 1]], batch_size=2),
    "batch_sampler and batch_size=None": lambda t: loader(t, batch_sampler=[[0]], batch_size=None),
    "batch_sampler and shuffle": lambda t: loader(t, batch_sampler=[[0, 1]], shuffle=True),
    "batch_sampler and sampler": lambda t: loader(t, batch_sampler=[[0, 1]], sampler=[0]),
    "batch_sampler and drop_last": lambda t: loader(t, batch_sampler=[[0, 1]], drop_last=True),
    "batch_size=None and drop_last": lambda t: loader(t, batch_size=None, drop_last=True),
    "iterable and shuffle": lambda t: loader(t, counting(t), shuffle=True),
    "iterable and sampler": lambda t: loader(t, counting(t), sampler=[0]),
    "len of an iterable without len": lambda t: len(loader(t, counting(t), batch_size=2)),
    "len of a sampler iterator": lambda t: len(loader(t, sampler=iter([0, 1]))),
    "prefetch_factor without workers": lambda t: loader(t, prefetch_factor=2),
    "prefetch_factor=0 without workers": lambda t: loader(t, prefetch_factor=0),
    "negative prefetch_factor": lambda t: loader(t, num_workers=2, prefetch_factor=-1),
    "persistent_workers without workers": lambda t: loader(t, persistent_workers=True),
    "negative num_workers": lambda t: loader(t, num_workers=-1),
    "negative timeout": lambda t: loader(t, timeout=-1),
    "timeout without workers": lambda t: next(iter(loader(t, timeout=1))),
    "batch_size=0": lambda t: loader(t, batch_size=0),
    "batch_size=2.0": lambda t: loader(t, batch_size=2.0),
    "batch_size=True": lambda t: loader(t, batch_size=True),
    "drop_last=1": lambda t: loader(t, batch_size=2, drop_last=1),
    "set batch_size": lambda t: setattr(loader(t), "batch_size", 3),
    "set sampler": lambda t: setattr(loader(t), "sampler", [0]),
    "set dataset": lambda t: setattr(loader(t), "dataset", [0]),
    "set persistent_workers": lambda t: setattr(loader(t), "persistent_workers", True),
    "multiprocessing_context without workers": lambda t: setattr(
        loader(t), "multiprocessing_context", "fork"
    ),
    "dataset raises": lambda t: list(loader(t, [1, 2, 3], sampler=[0, 7])),
    "empty dataset, shuffled": lambda t: loader(t, [], batch_size=2, shuffle=True),
}


# -- datasets and random_split --------------------------------------------------------------------
class Streamed:
    """Builds ``t``'s IterableDataset over ``values`` (with a ``__len__``)."""

    @staticmethod
    def of(t, values):
        body = {"__iter__": lambda self: iter(values), "__len__": lambda self: len(values)}
        return type("Streamed", (t.utils.data.IterableDataset,), body)()


class Batched:
    """A map-style dataset with ``__getitems__`` returning one item too few (a broken one)."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return i

    def __getitems__(self, indices):
        return [i * 100 for i in indices][:-1]


def tensors(t):
    return t.utils.data.TensorDataset(t.arange(6).view(3, 2), t.arange(3))


def concat(t):
    return t.utils.data.ConcatDataset([range(3), range(10, 12), range(0), range(20, 24)])


def subset(t):
    return t.utils.data.Subset(list(range(10, 20)), [3, 1, 4, 1])


def stacked(t, **kw):
    return t.utils.data.StackDataset(**kw) if kw else t.utils.data.StackDataset(range(3), "abc")


def split(t, n, lengths, seed=5):
    return [s.indices for s in t.utils.data.random_split(range(n), lengths, generator=gen(t, seed))]


FRACTIONS = [
    [4, 7], [0.3, 0.7], [0.25, 0.25, 0.5], [0.1] * 10, [0.33, 0.33, 0.34], [1 / 3] * 3,
    [0.5, 0.5], [0.0, 1.0], [1.0], [0.05, 0.95], [0.9, 0.1], [0.999, 0.001], [0.5, 0.5, 0.0],
]  # fmt: skip

DATASET_OK = {
    "TensorDataset item": lambda t: tensors(t)[1],
    "TensorDataset slice": lambda t: tensors(t)[0:2],
    "TensorDataset list": lambda t: tensors(t)[[0, 2]],
    "TensorDataset negative index": lambda t: tensors(t)[-1],
    "TensorDataset len": lambda t: (len(tensors(t)), type(tensors(t).tensors).__name__),
    "ConcatDataset items": lambda t: [concat(t)[i] for i in range(-9, 9)],
    "ConcatDataset cumulative_sizes": lambda t: (concat(t).cumulative_sizes, len(concat(t))),
    "ConcatDataset.cumsum": lambda t: t.utils.data.ConcatDataset.cumsum([range(2), range(3)]),
    "ConcatDataset from a generator": lambda t: (
        t.utils.data.ConcatDataset(d for d in [range(2), range(3)]).cumulative_sizes
    ),
    "ConcatDataset numpy, tensor index": lambda t: (
        concat(t)[np.int64(4)],
        concat(t)[t.tensor(4)],
    ),
    "dataset + dataset": lambda t: (lambda d: (type(d).__name__, len(d), len(d.datasets), d[5]))(
        (tensors(t) + tensors(t)) + tensors(t)
    ),
    "ChainDataset": lambda t: list(
        t.utils.data.ChainDataset([Streamed.of(t, [0, 1]), Streamed.of(t, [5, 6])])
    ),
    "ChainDataset len": lambda t: len(
        t.utils.data.ChainDataset([Streamed.of(t, [0, 1]), Streamed.of(t, [5, 6, 7])])
    ),
    "iterable + iterable": lambda t: (lambda d: (type(d).__name__, list(d)))(
        Streamed.of(t, [1]) + Streamed.of(t, [2, 3])
    ),
    "ChainDataset in a DataLoader": lambda t: list(
        t.utils.data.DataLoader(
            t.utils.data.ChainDataset([Streamed.of(t, [0, 1, 2]), Streamed.of(t, [5, 6])]),
            batch_size=2,
        )
    ),
    "Subset items": lambda t: [subset(t)[i] for i in range(-4, 4)],
    "Subset __getitems__": lambda t: (subset(t).__getitems__([0, 2, 3]), len(subset(t))),
    "Subset of a TensorDataset": lambda t: (lambda s: (s[[0, 2]], s.__getitems__([0, 2])))(
        t.utils.data.Subset(t.utils.data.TensorDataset(t.arange(10)), [3, 5, 7])
    ),
    "Subset in a DataLoader": lambda t: list(
        t.utils.data.DataLoader(
            t.utils.data.Subset(t.utils.data.TensorDataset(t.arange(10)), [3, 5, 7]), batch_size=2
        )
    ),
    "Subset with tensor indices": lambda t: t.utils.data.Subset("abcdef", t.tensor([3, 5]))[1],
    "StackDataset tuples": lambda t: (stacked(t)[1], stacked(t).__getitems__([0, 2])),
    "StackDataset dicts": lambda t: (
        lambda d: (d[2], d.__getitems__([2, 0]), type(d.datasets).__name__)
    )(stacked(t, a=range(3), b="xyz")),
    "StackDataset in a DataLoader": lambda t: list(
        t.utils.data.DataLoader(stacked(t, x=range(3), y=[1.5, 2.5, 3.5]), batch_size=2)
    ),
    "StackDataset batches": lambda t: list(
        t.utils.data.DataLoader(t.utils.data.StackDataset(range(4), range(4)), batch_size=3)
    ),
    "random_split: fractions of 11": lambda t: [split(t, 11, f) for f in FRACTIONS],
    "random_split: fractions of 7": lambda t: split(t, 7, [0.2] * 5),
    "random_split: no items": lambda t: split(t, 0, [0.5, 0.5]),
    "random_split: 100000 items": lambda t: [sum(s) for s in split(t, 100000, [0.7, 0.2, 0.1], 1)],
    "random_split: global generator": seeded(
        9, lambda t: [s.indices for s in t.utils.data.random_split(range(8), [3, 5])]
    ),
    "random_split: default_generator": seeded(
        3,
        lambda t: [
            s.indices
            for s in t.utils.data.random_split(range(6), [0.5, 0.5], generator=t.default_generator)
        ],
    ),
    "random_split: numpy lengths": lambda t: (
        split(t, 10, np.array([3, 7])),
        split(t, 10, np.array([0.3, 0.7])),
    ),
    "random_split: tuple lengths, list dataset": lambda t: [
        list(s) for s in t.utils.data.random_split(list("abcdef"), (2, 4), generator=gen(t, 1))
    ],
    "random_split: sum close to 1": lambda t: split(t, 10, [0.3, 0.3, 0.39999999999]),
    "random_split: lengths 1": lambda t: split(t, 4, [1, 1, 1, 1]),
}

DATASET_RAISES = {
    "TensorDataset size mismatch": lambda t: t.utils.data.TensorDataset(t.zeros(3), t.zeros(4)),
    "TensorDataset out of range": lambda t: tensors(t)[3],
    "ConcatDataset index below -len": lambda t: concat(t)[-10],
    "ConcatDataset index past the end": lambda t: concat(t)[9],
    "ConcatDataset slice": lambda t: concat(t)[1:3],
    "ConcatDataset of nothing": lambda t: t.utils.data.ConcatDataset([]),
    "ConcatDataset of an iterable": lambda t: t.utils.data.ConcatDataset(
        [range(2), Streamed.of(t, [1])]
    ),
    "map dataset + iterable": lambda t: tensors(t) + Streamed.of(t, [1]),
    "ChainDataset of a map dataset": lambda t: list(t.utils.data.ChainDataset([range(2)])),
    "ChainDataset len of a map dataset": lambda t: len(t.utils.data.ChainDataset([range(2)])),
    "Dataset without __getitem__": lambda t: t.utils.data.Dataset()[0],
    "Dataset without __len__": lambda t: len(t.utils.data.Dataset()),
    "IterableDataset without __iter__": lambda t: iter(t.utils.data.IterableDataset()),
    "Subset out of range": lambda t: t.utils.data.Subset(range(3), [0, 5])[1],
    "Subset list index into a list": lambda t: subset(t)[[0, 2]],
    "StackDataset of args and kwargs": lambda t: t.utils.data.StackDataset(range(3), b="xyz"),
    "StackDataset of nothing": lambda t: t.utils.data.StackDataset(),
    "StackDataset size mismatch": lambda t: t.utils.data.StackDataset(range(3), range(4)),
    "StackDataset size mismatch, kwargs": lambda t: stacked(t, a=range(3), b=range(4)),
    "StackDataset broken __getitems__": lambda t: t.utils.data.StackDataset(
        Batched(), range(4)
    ).__getitems__([0, 1]),
    "random_split: sum too small": lambda t: split(t, 5, [2, 2]),
    "random_split: fractions over 1": lambda t: split(t, 5, [0.5, 0.6]),
    "random_split: negative fraction": lambda t: split(t, 5, [1.5, -0.5]),
    "random_split: fractions under 1": lambda t: split(t, 10, [0.3, 0.3]),
}


def test_random_split_float_lengths_refused_before_drawing():
    """Lengths such as ``[len * 0.8, len * 0.2]`` (floats) are a TypeError in both, and the
    global generator is left where it was."""
    ours, theirs = [], []
    for lib, out in ((ember, ours), (torch, theirs)):
        lib.manual_seed(0)
        with pytest.raises(TypeError) as info:
            lib.utils.data.random_split(range(10), [10 * 0.6, 10 * 0.4])
        out += [str(info.value).split(" - ")[0], lib.rand(3).tolist()]
    assert ours == theirs


# -- all the programs above, each run with both libraries -----------------------------------------
def named_programs(*tables):
    return {f"{section}: {name}": prog for section, table in tables for name, prog in table.items()}


OK = named_programs(("collate", COLLATE_OK), ("DataLoader", LOADER_OK), ("datasets", DATASET_OK))
RAISES = named_programs(
    ("collate", COLLATE_RAISES), ("DataLoader", LOADER_RAISES), ("datasets", DATASET_RAISES)
)


@pytest.mark.parametrize("name", OK)
def test_program_like_torch(name):
    same(OK[name])


@pytest.mark.parametrize("name", RAISES)
def test_error_like_torch(name):
    same(RAISES[name], raises=True)
