"""``ember.multiprocessing``: Python's :mod:`multiprocessing`, as ``torch.multiprocessing`` offers
it, plus ``spawn``/``start_processes`` to run ``fn(i, *args)`` in ``nprocs`` worker processes.

Tensors sent through a ``Queue`` or ``Pipe`` are pickled, so each process gets its own copy (Ember
tensors are NumPy arrays; there is no shared-memory storage). The sharing strategies torch offers
for its shared storages are accepted and recorded only.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable
from multiprocessing import *  # noqa: F403 - torch.multiprocessing re-exports it all

__all__ = [
    "set_sharing_strategy",
    "get_sharing_strategy",
    "get_all_sharing_strategies",
    *multiprocessing.__all__,
    "spawn",
    "start_processes",
    "ProcessContext",
    "SpawnContext",
    "ProcessException",
    "ProcessRaisedException",
    "ProcessExitedException",
    "init_reductions",
]

# torch's choices on Linux/macOS; "file_system" is the only one elsewhere.
_STRATEGIES = {"file_descriptor", "file_system"} if sys.platform != "win32" else {"file_system"}
_strategy = "file_descriptor" if sys.platform != "win32" else "file_system"


def get_all_sharing_strategies() -> set[str]:
    """The sharing strategies this platform supports."""
    return set(_STRATEGIES)


def get_sharing_strategy() -> str:
    """The strategy last set (``'file_descriptor'`` by default on Linux)."""
    return _strategy


def set_sharing_strategy(new_strategy: str) -> None:
    """Record ``new_strategy``; Ember pickles tensors between processes whichever it is."""
    global _strategy
    if new_strategy not in _STRATEGIES:
        raise AssertionError(
            f"invalid sharing strategy '{new_strategy}', expected one of {_STRATEGIES}"
        )
    _strategy = new_strategy


def init_reductions() -> None:
    """Nothing to register: Ember tensors pickle by value with Python's own reducers."""


class ProcessException(Exception):
    """A process started by ``spawn``/``start_processes`` failed."""

    def __init__(self, msg: str, error_index: int, error_pid: int) -> None:
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.pid = error_pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A process ended by an exception; the message holds its traceback."""


class ProcessExitedException(ProcessException):
    """A process exited with a non-zero code or was killed by a signal."""

    def __init__(
        self,
        msg: str,
        error_index: int,
        error_pid: int,
        exit_code: int,
        signal_name: str | None = None,
    ) -> None:
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        args = (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)
        return type(self), args


def _wrap(fn: Callable, i: int, args: tuple, error_file: str) -> None:
    """The worker's entry point: ``fn(i, *args)``, its traceback written (as text) on failure."""
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # the parent is stopping the workers; nothing to report
    except Exception:
        with open(error_file, "w", encoding="utf-8") as f:
            f.write(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """The processes started by ``start_processes(..., join=False)``; ``join`` waits for them."""

    def __init__(self, processes: list, error_files: list[str]) -> None:
        self.processes = processes
        self.error_files = error_files
        self.sentinels = {process.sentinel: index for index, process in enumerate(processes)}

    def pids(self) -> list[int]:
        """The process ids of the workers."""
        return [int(process.pid) for process in self.processes]

    def join(self, timeout: float | None = None, grace_period: float | None = None) -> bool:
        """Wait up to ``timeout`` s for a worker to end: True once all ended, False while some
        still run. When one fails, the others are stopped (SIGTERM, then after ``grace_period``
        SIGKILL) and its error is raised as :class:`ProcessRaisedException` (its exception) or
        :class:`ProcessExitedException` (an exit code or a signal)."""
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(list(self.sentinels), timeout=timeout)
        failed = None
        for sentinel in ready:
            index = self.sentinels.pop(sentinel)
            self.processes[index].join()
            if self.processes[index].exitcode != 0:
                failed = index
                break
        if failed is None:
            if not self.sentinels:
                self._remove_error_files()
            return not self.sentinels
        self._stop_others(grace_period)
        raise self._error(failed)

    def _stop_others(self, grace_period: float | None) -> None:
        alive = [p for p in self.processes if p.is_alive()]
        for process in alive:
            process.terminate()
        for process in alive:
            process.join(grace_period)
            if process.is_alive():
                process.kill()
                process.join()
        self.sentinels.clear()

    def _error(self, index: int) -> ProcessException:
        process = self.processes[index]
        try:
            with open(self.error_files[index], encoding="utf-8") as f:
                trace = f.read()
        except OSError:
            trace = None
        self._remove_error_files()
        if trace is not None:
            msg = f"\n\n-- Process {index} terminated with the following error:\n{trace}"
            return ProcessRaisedException(msg, index, process.pid)
        code = process.exitcode
        if code < 0:
            name = signal.Signals(-code).name
            return ProcessExitedException(
                f"process {index} terminated with signal {name}", index, process.pid, code, name
            )
        return ProcessExitedException(
            f"process {index} terminated with exit code {code}", index, process.pid, code
        )

    def _remove_error_files(self) -> None:
        for path in self.error_files:
            if os.path.exists(path):
                os.remove(path)


class SpawnContext(ProcessContext):
    """The context ``spawn(..., join=False)`` returned in old torch versions; a ProcessContext."""


def start_processes(
    fn: Callable,
    args: tuple = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """Run ``fn(i, *args)`` for ``i`` in ``range(nprocs)``, each in a new process started by
    ``start_method``. With ``join`` wait for all (None; a failure raises in the caller), else
    return the :class:`ProcessContext`. ``fn`` must be picklable (a module-level function) for
    ``'spawn'`` and ``'forkserver'``."""
    context = multiprocessing.get_context(start_method)
    processes, error_files = [], []
    for i in range(nprocs):
        fd, error_file = tempfile.mkstemp(prefix="ember-spawn-error-", suffix=".txt")
        os.close(fd)
        os.remove(error_file)  # the worker creates it only to report an error
        process = context.Process(target=_wrap, args=(fn, i, args, error_file), daemon=daemon)
        process.start()
        processes.append(process)
        error_files.append(error_file)
    process_context = ProcessContext(processes, error_files)
    if not join:
        return process_context
    while not process_context.join():
        pass
    return None


def spawn(
    fn: Callable,
    args: tuple = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """``start_processes`` with the ``'spawn'`` start method (another one warns, and is not
    used)."""
    if start_method != "spawn":
        warnings.warn(
            f"This method only supports start_method=spawn (got: {start_method}).\n"
            "To use a different start_method use:\n\t\t "
            f"{__name__}.start_processes(...)",
            FutureWarning,
            stacklevel=2,
        )
    return start_processes(fn, args, nprocs, join, daemon, start_method="spawn")
