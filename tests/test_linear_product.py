"""Linear's product ``x @ W.t()`` (run as ``W @ x.T`` when the batch is the smaller side):
values, gradients and a contiguous output, as torch's."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import ember


# (batch, in, out): batch below, equal to and above the output width
@pytest.mark.parametrize("shape", [(8, 40, 24), (2, 7, 3), (24, 40, 24), (64, 30, 10)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(shape, dtype, bias):
    n, k, m = shape
    shapes = [(n, k), (m, k)] + ([(m,)] if bias else [])

    def fn(M, x, w, *b):
        y = M.nn.functional.linear(x, w, *b)
        return y, y.is_contiguous(), y.stride()

    out = check_op(fn, shapes, dtype=dtype)
    assert out[1] is True and out[2] == (m, 1)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_transposed_product_equals_plain_product(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 50)).astype(dtype)
    w = rng.standard_normal((20, 50)).astype(dtype)
    if dtype == np.complex64:
        x = x + 1j * rng.standard_normal(x.shape).astype(np.float32)
    y = ember.mm(ember.tensor(x), ember.tensor(w).t())
    assert y.is_contiguous()
    np.testing.assert_allclose(y.numpy(), x @ w.T, rtol=1e-5, atol=1e-5)


@pytest.fixture
def kernel_threads_hold_blas():
    from ember.kernels import _threads

    before = ember.get_num_threads()
    ember.set_num_threads(2)
    _threads.parallel(lambda a, b: None, 2)  # as after a convolution: BLAS held at one thread
    assert _threads.blas_single_threaded()
    yield
    ember.set_num_threads(before)


# forward, input and weight gradients while the kernel threads hold BLAS at one thread
@pytest.mark.parametrize("shape", [(64, 784, 256), (300, 200, 100)])
def test_linear_while_blas_is_held_matches_torch(shape, kernel_threads_hold_blas):
    n, k, m = shape

    def fn(M, x, w, b):
        y = M.nn.functional.linear(x, w, b)
        return y, y.is_contiguous()

    out = check_op(fn, [(n, k), (m, k), (m,)], rtol=1e-4, atol=1e-4)
    assert out[1] is True
