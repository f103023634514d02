"""``ember.set_num_threads`` / ``get_num_threads``: the threads Ember and its BLAS may use.

NumPy's matrix products (and so Ember's convolutions and linear layers) run in the BLAS library
NumPy loaded. Its thread count is set through ``threadpoolctl`` when installed, else directly
through OpenBLAS's ``*_set_num_threads`` entry point found among the loaded libraries; the usual
environment variables are set too, for libraries and worker processes started later.
"""

from __future__ import annotations

import contextlib
import ctypes
import os

_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_num_threads: int | None = None


def _openblas_libs() -> list[ctypes.CDLL]:
    libs = []
    with contextlib.suppress(OSError):
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        for path in sorted(paths):
            with contextlib.suppress(OSError):
                libs.append(ctypes.CDLL(path))
    return libs


def _openblas_call(suffix: str, *args: int) -> int | None:
    for lib in _openblas_libs():
        for name in (f"openblas_{suffix}", f"scipy_openblas_{suffix}64_", f"openblas_{suffix}64_"):
            fn = getattr(lib, name, None)
            if fn is not None:
                return fn(*args)
    return None


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads for BLAS-backed ops (torch's ``set_num_threads``)."""
    global _num_threads
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _num_threads = n
    for var in _ENV_VARS:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        _openblas_call("set_num_threads", n)
    else:
        threadpool_limits(limits=n, user_api="blas")


def get_num_threads() -> int:
    """The thread count last set, else what the BLAS library uses, else the CPU count."""
    if _num_threads is not None:
        return _num_threads
    n = _openblas_call("get_num_threads")
    return n if n else (os.cpu_count() or 1)
