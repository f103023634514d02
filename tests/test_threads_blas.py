"""Kernel threads that make no BLAS call (``parallel(blas=False)``, Adam's update) leave BLAS
its threads; those that do hold it at one thread."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.kernels import _threads


@pytest.fixture
def openblas_two_threads():
    if "get_num_threads" not in _threads._openblas_fns():
        pytest.skip("NumPy's BLAS is not OpenBLAS")
    before = ember.get_num_threads()
    ember.set_num_threads(2)
    yield
    ember.set_num_threads(before)


def test_parallel_without_blas_leaves_blas_threads(openblas_two_threads):
    parts = _threads.parallel(lambda a, b: (a, b), 10, blas=False)
    assert parts == [(0, 5), (5, 10)]
    assert _threads._openblas_call("get_num_threads") == 2
    _threads.parallel(lambda a, b: (a, b), 10)
    assert _threads._openblas_call("get_num_threads") == 1


def test_adam_step_on_a_large_parameter_leaves_blas_threads(openblas_two_threads):
    p = ember.zeros(300, 500, requires_grad=True)
    p.grad = ember.ones(300, 500)
    ember.optim.Adam([p], lr=0.1).step()
    assert _threads._openblas_call("get_num_threads") == 2
    np.testing.assert_allclose(p.detach().numpy(), -0.1, rtol=1e-6)
