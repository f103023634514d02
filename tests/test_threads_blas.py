"""Adam's update on the kernel threads holds BLAS at one thread, as the convolution kernels do;
large products then split over those threads (Ember's threads being the one pool)."""

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


@pytest.mark.parametrize("shape", [(300, 500), (300, 200)])
def test_adam_leaves_blas_its_threads(openblas_two_threads, shape):
    # the update runs on the calling thread: BLAS keeps its threads for the step's products
    assert not _threads.blas_single_threaded()
    p = ember.zeros(*shape, requires_grad=True)
    p.grad = ember.ones(*shape)
    ember.optim.Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.detach().numpy(), -0.1, rtol=1e-6)
    assert not _threads.blas_single_threaded()
    assert _threads._openblas_call("get_num_threads") == 2
