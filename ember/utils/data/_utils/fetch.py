"""Fetchers: turn one key (or list of keys) from the sampler into one collated batch."""

from __future__ import annotations

from dataclasses import dataclass


class DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind: int, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        cls = MapDatasetFetcher if kind == DatasetKind.Map else IterableDatasetFetcher
        return cls(dataset, auto_collation, collate_fn, drop_last)


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """A worker's answer when its copy of an iterable dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers to start a new pass; echoed back as an acknowledgement."""


class MapDatasetFetcher:
    """``dataset[key]`` for each key (or ``dataset.__getitems__(keys)``), then ``collate_fn``."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self._getitems = getattr(dataset, "__getitems__", None)

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self._getitems:
            data = self._getitems(index)
        else:
            dataset = self.dataset
            data = [dataset[i] for i in index]
        return self.collate_fn(data)


class IterableDatasetFetcher:
    """The next sample (or the next ``len(keys)`` samples) of ``iter(dataset)``."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)
