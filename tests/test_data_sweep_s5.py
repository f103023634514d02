"""A differential sweep of ember.utils.data: small programs written as PyTorch users write them,
run once with torch and once with Ember; results, exceptions and warnings must agree."""

import warnings

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
    if isinstance(x, dict):
        return (type(x).__name__, [(k, normalize(v)) for k, v in x.items()])
    if isinstance(x, list | tuple):
        return (type(x).__name__, [normalize(v) for v in x])
    return x


def outcome(prog, lib):
    """``prog(lib)``'s normalized result, or its exception; with the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = normalize(prog(lib))
        except Exception as exc:  # noqa: BLE001
            result = ("raised", type(exc).__name__, str(exc).replace("ember", "torch"))
    said = [(w.category.__name__, str(w.message).replace("ember", "torch")) for w in caught]
    return result, said


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
