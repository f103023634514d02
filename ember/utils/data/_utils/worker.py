"""What runs inside a DataLoader worker process: seeding, ``get_worker_info``, the fetch loop,
and the wrapper that carries an exception (with its traceback text) back to the main process."""

from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _rng
from .fetch import DatasetKind, IterableDatasetStopIteration, ResumeIteration

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

# How often (seconds) a blocked worker checks that its parent is still alive, and how often the
# main process checks that its workers are.
MP_STATUS_CHECK_INTERVAL = 5.0
# How often an idle worker wakes to check the done event and its parent.
_POLL_INTERVAL = 0.1


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Information about the current DataLoader worker process.

    Attributes:
        id: this worker's index, ``0 .. num_workers - 1``.
        num_workers: the number of workers.
        seed: the seed of this worker's global generator (``base_seed + id``).
        dataset: this process's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The ``WorkerInfo`` of the current DataLoader worker; None in the main process."""
    return _worker_info


class KeyErrorMessage(str):
    """A KeyError message that prints as itself, not as its ``repr``."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception's type and formatted traceback, picklable, to re-raise in another process."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise ``exc_type`` with "Caught X in DataLoader worker process N." and the original
        traceback as its message (``RuntimeError`` if the type cannot take one string)."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


def _numpy_seed(base_seed: int, worker_id: int) -> np.ndarray:
    """The NumPy legacy-generator seed torch gives worker ``worker_id``: NumPy's SeedSequence
    over the words ``[worker_id, low 32 bits, high 32 bits of base_seed, 0]``, 4 words out."""
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(words).generate_state(4)


def _seed_worker(base_seed: int, worker_id: int) -> int:
    seed = base_seed + worker_id
    random.seed(seed)
    _rng.manual_seed_global(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))
    return seed


class _ParentWatchdog:
    """Tells a worker whether the process that started it is still alive."""

    def __init__(self) -> None:
        self.parent = os.getppid()

    def is_alive(self) -> bool:
        return os.getppid() == self.parent


def worker_loop(
    dataset_kind: int,
    dataset,
    index_queue,
    data_queue,
    done_event,
    auto_collation: bool,
    collate_fn,
    drop_last: bool,
    base_seed: int,
    init_fn,
    worker_id: int,
    num_workers: int,
    persistent_workers: bool,
) -> None:
    """Fetch the batches whose keys arrive on ``index_queue`` and put ``(task_id, batch)`` on
    ``data_queue``, until a ``None`` task arrives. Failures travel as ``ExceptionWrapper``; an
    exhausted iterable dataset answers with ``IterableDatasetStopIteration`` once and then
    ignores tasks until the main process resumes or stops it."""
    global _worker_info
    try:
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = DatasetKind.create_fetcher(
                dataset_kind, dataset, auto_collation, collate_fn, drop_last
            )
        except Exception:
            init_error = ExceptionWrapper(where=where)

        iteration_end = False
        watchdog = _ParentWatchdog()
        while watchdog.is_alive():
            try:
                task = index_queue.get(timeout=_POLL_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    # Shutting down but no None arrived: when the loader iterator is collected
                    # as part of a reference cycle, its queues may be closed before it sends one.
                    break
                continue
            if isinstance(task, ResumeIteration):
                data_queue.put((task, None))
                iteration_end = False
                if dataset_kind == DatasetKind.Iterable:  # a fresh pass over the stream
                    fetcher = DatasetKind.create_fetcher(
                        dataset_kind, dataset, auto_collation, collate_fn, drop_last
                    )
                continue
            if task is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # shutting down, or nothing left to give this pass
            task_id, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind != DatasetKind.Iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put((task_id, data))
            del data, task_id, index, task  # drop references before blocking again
    except KeyboardInterrupt:
        pass  # the main process handles the interrupt and shuts the workers down
    if done_event.is_set():
        # The main process no longer reads: do not block at exit flushing unread results.
        data_queue.cancel_join_thread()
        data_queue.close()
