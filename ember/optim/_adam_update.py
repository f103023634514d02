"""Adam's update of one parameter on its arrays, in cache-sized blocks.

One step is thirteen elementwise NumPy passes in the order of torch's single-tensor Adam, each
a float32 rounding of its own, so no two can merge without changing the result. What can change
is how they meet the memory: over a whole 784x256 weight the six arrays a step touches (4.8 MB)
outgrow a core's L2 cache and every pass streams them from L3 (a product written to a third
array ran three times slower than one in place); in blocks of at most ``_BLOCK`` elements, with
two scratch arrays kept from step to step, they stay in L2 (one thread: 590 -> about 500 us).
The update runs on the calling thread. Splitting it over the kernel threads (which then hold
BLAS at one thread, so that no idle OpenBLAS worker spins on their cores) measured slower on a
quiet machine, the 784-256-10 MLP step at 2 threads 1.25 -> 1.59 ms: the update itself did not
gain (0.54 -> 0.62 ms), and the step's products lost BLAS's own threads.
"""

from __future__ import annotations

import threading

import numpy as np

from .optimizer import _adam_moments_, _coef, _moment_coefs

_BLOCK = 1 << 16
_scratch = threading.local()  # per thread: the parts of one step run concurrently


def adam_coefs(
    dtype: np.dtype, *, lr: float, beta1: float, beta2: float, eps: float, step: float
) -> tuple:
    """The numbers of one Adam step for ``adam_update_`` on arrays of ``dtype`` (shared by the
    parameters at the same step): the moments' coefficients, ``sqrt(1 - beta2**step)``, ``eps``
    and ``-lr / (1 - beta1**step)``, as 0-d arrays (see ``optimizer._coef``)."""
    bias_correction1 = 1 - beta1**step
    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
    return (
        _moment_coefs(beta1, beta2, dtype),
        _coef(bias_correction2_sqrt, dtype),
        _coef(eps, dtype),
        _coef(-(lr / bias_correction1), dtype),
    )


def adam_update_(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    max_exp_avg_sq: np.ndarray | None,
    coefs: tuple,
) -> None:
    """One Adam step in place: the moments, then ``param -= lr / bc1 * m / (sqrt(v) / sqrt(bc2)
    + eps)``, with ``v`` the running maximum ``max_exp_avg_sq`` (updated too) for AMSGrad;
    ``coefs`` is ``adam_coefs(param.dtype, ...)``."""
    arrays = (param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
    n = param.size
    if n > _BLOCK and all(
        a is None or (a.flags.c_contiguous and a.dtype == param.dtype) for a in arrays
    ):
        flat = [None if a is None else a.reshape(-1) for a in arrays]
        size = -(-n // -(-n // _BLOCK))  # even blocks of <= _BLOCK
        scratch = _scratch_pair(size, param.dtype)
        for a in range(0, n, size):
            b = min(a + size, n)
            parts = [None if x is None else x[a:b] for x in flat]
            _update(*parts, scratch[0, : b - a], scratch[1, : b - a], *coefs)
    elif n <= _BLOCK:  # whole, in scratch
        scratch = _scratch_pair(n, exp_avg.dtype)
        shape = exp_avg.shape
        _update(*arrays, scratch[0, :n].reshape(shape), scratch[1, :n].reshape(shape), *coefs)
    else:  # a large parameter with a strided array: whole, in fresh arrays
        _update(*arrays, np.empty_like(exp_avg), np.empty_like(exp_avg), *coefs)


def _update(p, g, m, v, vmax, t, d, moments, bias_correction2_sqrt, eps, neg_step_size):
    """The thirteen passes over one block; ``t`` and ``d`` are scratch arrays of its shape."""
    _adam_moments_(m, v, g, moments, out=t)
    if vmax is not None:
        v = np.maximum(vmax, v, out=vmax)
    denom = np.sqrt(v, out=d)
    denom /= bias_correction2_sqrt
    denom += eps
    np.multiply(m, neg_step_size, out=t)
    t /= denom
    p += t


def _scratch_pair(n: int, dtype: np.dtype) -> np.ndarray:
    """A ``(2, n)`` scratch array of this thread, kept for the next steps (fresh pages of a
    large array cost page faults at every step)."""
    cache = getattr(_scratch, "arrays", None)
    if cache is None:
        cache = _scratch.arrays = {}
    buf = cache.get(dtype)
    if buf is None or buf.shape[1] < n:
        buf = cache[dtype] = np.empty((2, n), dtype)
    return buf
