"""``ember.set_num_threads`` / ``get_num_threads``: the threads Ember and its BLAS may use.

NumPy's matrix products (and so Ember's convolutions and linear layers) run in the BLAS library
NumPy loaded. Its thread count is set through ``threadpoolctl`` when installed, else directly
through OpenBLAS's ``*_set_num_threads`` entry point found among the loaded libraries; the usual
environment variables are set too, for libraries and worker processes started later.

The convolution and pooling kernels run their own threads instead (``parallel``): the batch is
split over ``get_num_threads()`` Python threads, each calling a single-threaded BLAS (NumPy
releases the GIL in matmul, copies and ufuncs, which BLAS threading alone would leave on one
core). Once they have run, BLAS stays on one thread (see ``_single_threaded_blas``): two thread
pools on the same cores fight, OpenBLAS's idle workers spinning where the kernel threads work.
Splitting large matrix products over the kernel threads while BLAS is held was measured and
dropped: on a quiet machine the MLP 784-256-10 Adam step took 1.63-1.89 ms split against
1.47-1.50 ms on BLAS's one thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from collections.abc import Callable, Sequence

_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_num_threads: int | None = None
_blas_fns: dict[str, object] | None = None  # OpenBLAS get/set entry points, found once
_blas_lock = threading.Lock()


def _openblas_fns() -> dict[str, object]:
    """OpenBLAS's ``get_num_threads``/``set_num_threads`` among the loaded libraries (cached)."""
    global _blas_fns
    if _blas_fns is not None:
        return _blas_fns
    import numpy  # noqa: F401  (its BLAS must be loaded before the maps are read)

    fns: dict[str, object] = {}
    with contextlib.suppress(OSError):
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        for path in sorted(paths):
            with contextlib.suppress(OSError):
                lib = ctypes.CDLL(path)
                for suffix in ("get_num_threads", "set_num_threads"):
                    for name in (
                        f"openblas_{suffix}",
                        f"scipy_openblas_{suffix}64_",
                        f"openblas_{suffix}64_",
                    ):
                        fn = getattr(lib, name, None)
                        if fn is not None and suffix not in fns:
                            fns[suffix] = fn
    _blas_fns = fns
    return fns


def _openblas_call(suffix: str, *args: int) -> int | None:
    fn = _openblas_fns().get(suffix)
    return None if fn is None else fn(*args)


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads for BLAS-backed ops (torch's ``set_num_threads``)."""
    global _num_threads
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    global _blas_pinned
    _num_threads = n
    _blas_pinned = False
    for var in _ENV_VARS:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        _openblas_call("set_num_threads", n)
    else:
        threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The thread count last set, else what the BLAS library started with, else the CPU count."""
    global _num_threads
    if _num_threads is None:
        # read once: inside a parallel region BLAS runs pinned to one thread
        n = _openblas_call("get_num_threads")
        _num_threads = n if n else (os.cpu_count() or 1)
    return _num_threads


# ----------------------------------------------------------------------------- kernel threads
_executor = None  # a concurrent.futures.ThreadPoolExecutor, made at first use (slow import)
_executor_size = 0
_in_parallel = threading.local()
_blas_pinned = False  # OpenBLAS held at one thread since the kernel threads last started


@contextlib.contextmanager
def _single_threaded_blas():
    """BLAS on one thread while the kernel threads run their own products, and after them.

    OpenBLAS's idle workers spin (yielding) for a long while after each threaded call, about
    0.1 s by default, on the very cores the kernel threads need. Restoring BLAS's threads after
    each region let the small products between regions (a CNN's linear layers) wake them once
    per step: at 2 threads the seed step then burnt 70-120 ms of CPU instead of the 44 it takes
    on one thread (46 with BLAS held at one thread). So once the kernel threads have run, BLAS
    stays on one thread, Ember's threads being the one pool; ``set_num_threads`` hands BLAS its
    threads back until the kernel threads next run.
    """
    global _blas_pinned
    fn = _openblas_fns().get("set_num_threads")
    if fn is None:
        with _threadpoolctl_single():
            yield
        return
    if not _blas_pinned:
        with _blas_lock:
            if not _blas_pinned:
                fn(1)
                _blas_pinned = True
    yield


def blas_single_threaded() -> bool:
    """Whether the kernel threads hold OpenBLAS at one thread now (``_single_threaded_blas``)."""
    return _blas_pinned


def _threadpoolctl_single():
    """Fallback for a BLAS other than OpenBLAS: threadpoolctl when installed, else nothing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def part_count(n: int, min_per_thread: int = 1) -> int:
    """How many parts ``parallel`` splits ``range(n)`` into (work buffers are made up front)."""
    threads = min(get_num_threads(), n // max(min_per_thread, 1))
    if threads <= 1 or getattr(_in_parallel, "active", False):
        return 1
    return threads


def parallel(fn: Callable[[int, int], object], n: int, min_per_thread: int = 1) -> list:
    """Run ``fn(start, stop)`` over ``range(n)`` split in contiguous parts, one per thread.

    Returns the results in order. Runs inline (one part) with one thread, inside another parallel
    region, or when there are fewer than ``min_per_thread`` items per thread.
    """
    global _executor, _executor_size
    threads = part_count(n, min_per_thread)
    if threads <= 1:
        return [fn(0, n)]
    bounds = [n * i // threads for i in range(threads + 1)]
    parts: Sequence[tuple[int, int]] = list(zip(bounds[:-1], bounds[1:]))
    if _executor is None or _executor_size < threads - 1:
        from concurrent.futures import ThreadPoolExecutor

        _executor = ThreadPoolExecutor(threads - 1, thread_name_prefix="ember-kernel")
        _executor_size = threads - 1

    def run(a: int, b: int):
        _in_parallel.active = True
        try:
            return fn(a, b)
        finally:
            _in_parallel.active = False

    with _single_threaded_blas():
        futures = [_executor.submit(run, a, b) for a, b in parts[1:]]
        first = run(*parts[0])
        return [first] + [f.result() for f in futures]
