"""The kernels' fast paths (channels-last layout, reused work buffers, kernel threads, tiled
max-pooling) give the plain path's results and torch's, and never overwrite an array that a user
or a graph still references."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import check_op

import ember
from ember.kernels import _work as W
from ember.kernels import conv as KC
from ember.kernels import pool as KP

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from run_all import toy_model  # noqa: E402


@pytest.fixture
def two_threads():
    before = ember.get_num_threads()
    ember.set_num_threads(2)
    yield
    ember.set_num_threads(before)


def _pair(batch=8):
    torch.manual_seed(0)
    tm = toy_model(torch.nn)
    em = toy_model(ember.nn)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    return em, tm


def _batches(n, batch=8, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (rng.random((batch, 3, 32, 32), dtype=np.float32), rng.integers(0, 10, batch))
        for _ in range(n)
    ]


def _train(lib, model, batches):
    opt = lib.optim.SGD(model.parameters(), lr=0.05)
    crit = lib.nn.CrossEntropyLoss()
    losses = []
    for x, y in batches:
        xx = lib.tensor(x) if lib is ember else torch.from_numpy(x)
        yy = lib.tensor(y) if lib is ember else torch.from_numpy(y)
        loss = crit(model(xx), yy)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    grads = [p.grad.numpy().copy() for p in model.parameters()]
    return losses, grads


def test_training_fast_equals_plain_and_torch(two_threads):
    batches = _batches(3)
    em_fast, tm = _pair()
    em_plain, _ = _pair()
    fast = _train(ember, em_fast, batches)
    with W.plain():
        plain = _train(ember, em_plain, batches)
    ref = _train(torch, tm, batches)
    np.testing.assert_allclose(fast[0], plain[0], rtol=1e-5)
    np.testing.assert_allclose(fast[0], ref[0], rtol=1e-4)
    for gf, gp, gt in zip(fast[1], plain[1], ref[1]):
        np.testing.assert_allclose(gf, gp, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(gf, gt, rtol=1e-3, atol=1e-5)


def test_forward_channels_last_views_equal_torch(two_threads):
    em, tm = _pair()
    ((x, _),) = _batches(1)
    feats = em.model[:2] if hasattr(em, "model") else em[:2]
    with ember.no_grad():
        y = feats(ember.tensor(x))
    # the pool output is an NCHW view of a channels-last buffer, and reads as NCHW
    assert y.shape == (8, 32, 16, 16)
    assert not y.numpy().flags.c_contiguous
    assert np.moveaxis(y.numpy(), 1, -1).flags.c_contiguous
    with torch.no_grad():
        ref = tm[:2](torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-4, atol=1e-5)


def test_outputs_held_between_steps_are_never_overwritten(two_threads):
    em, tm = _pair()
    batches = _batches(4, seed=1)
    opt = ember.optim.SGD(em.parameters(), lr=0.05)
    crit = ember.nn.CrossEntropyLoss()
    x0 = ember.tensor(batches[0][0])
    held_out = em[0](x0)  # a conv output (a reused-buffer candidate), kept by the user
    held_pool, held_idx = ember.nn.functional.max_pool2d(held_out, 2, return_indices=True)
    held_view = em[0](x0)[1:3]  # only a view survives: its buffer is still in use
    snapshot = [t.detach().numpy().copy() for t in (held_out, held_pool, held_idx, held_view)]
    # a graph kept without backward (another model, the same shapes): the arrays it saved come
    # from the same buffer pool and must survive the steps below
    other, _ = _pair()
    kept_loss = crit(other(x0), ember.tensor(batches[0][1]))
    for x, y in batches[1:]:
        loss = crit(em(ember.tensor(x)), ember.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    for t, s in zip((held_out, held_pool, held_idx, held_view), snapshot):
        np.testing.assert_array_equal(t.detach().numpy(), s)
    kept_loss.backward()
    ref, _ = _pair()
    with W.plain():
        crit(ref(x0), ember.tensor(batches[0][1])).backward()
    for g, r in zip(other.parameters(), ref.parameters()):
        np.testing.assert_allclose(g.grad.numpy(), r.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_work_pool_hands_out_only_unreferenced_buffers():
    shape = (64, 64, 64)
    a = W.empty(shape, np.float32)
    b = W.empty(shape, np.float32)
    assert not np.shares_memory(a, b)
    a[...] = 1
    view = a[3:5]
    del a
    c = W.empty(shape, np.float32)  # a's memory is still seen through the view
    assert not np.shares_memory(c, view)
    assert not np.shares_memory(c, b)
    base = view.base
    del view, base
    d = W.empty(shape, np.float32)  # now some dropped buffer comes back
    assert any(d is x for lst in W._pools.values() for x in lst)
    with W.plain():
        e = W.empty(shape, np.float32)
    assert not any(e is x for lst in W._pools.values() for x in lst)


def test_zeros_border_is_zero_whoever_used_the_buffer_before():
    shape, inner = (8, 70, 70, 16), (slice(None), slice(2, 68), slice(3, 67))
    border = np.ones(shape, bool)
    border[inner] = False
    for dirty in (False, True, False, True):
        a = W.zeros_border(shape, np.float32, inner)
        assert not a[border].any()
        a[inner] = 7.0  # what the padding callers do: write only inside
        pooled = any(a is x for lst in W._pools.values() for x in lst)
        del a
        if dirty:  # handed out by empty(), written everywhere, dropped
            b = W.empty(shape, np.float32)
            b[...] = 5.0
            del b
    assert pooled
    other = (slice(None), slice(4, 60), slice(5, 60))  # another region: its own border
    c = W.zeros_border(shape, np.float32, other)
    mask = np.ones(shape, bool)
    mask[other] = False
    assert not c[mask].any()


@pytest.mark.parametrize(
    "cin,cout,size,k,pad,stride",
    [
        (3, 32, 32, 5, 2, 1),
        (32, 32, 16, 5, 2, 1),
        (32, 64, 8, 5, 2, 1),
        (16, 8, 9, 1, 0, 1),
        (8, 12, 11, 3, 1, 2),
    ],
)
def test_conv_threads_and_reuse_equal_plain(two_threads, cin, cout, size, k, pad, stride):
    rng = np.random.default_rng(0)
    x = np.moveaxis(rng.standard_normal((16, size, size, cin), dtype=np.float32), -1, 1)
    w = rng.standard_normal((cout, cin, k, k), dtype=np.float32)
    b = rng.standard_normal(cout, dtype=np.float32)
    y = KC.conv2d_forward(x, w, b, stride, pad)
    gy = np.moveaxis(
        np.ascontiguousarray(np.moveaxis(rng.standard_normal(y.shape, dtype=np.float32), 1, -1)),
        -1,
        1,
    )
    fast = [y.copy(), *(g.copy() for g in KC.conv2d_backward(gy, x, w, stride, pad))]
    with W.plain():
        y2 = KC.conv2d_forward(x, w, b, stride, pad)
        plain = [y2, *KC.conv2d_backward(gy, x, w, stride, pad)]
    tx = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_()
    tw = torch.from_numpy(w).requires_grad_()
    tb = torch.from_numpy(b).requires_grad_()
    ty = torch.nn.functional.conv2d(tx, tw, tb, stride, pad)
    ty.backward(torch.from_numpy(np.ascontiguousarray(gy)))
    ref = [ty.detach().numpy(), tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()]
    for f, p, r in zip(fast, plain, ref):
        scale = float(np.abs(r).max())  # float32 sums of hundreds of terms: relative to the max
        np.testing.assert_allclose(f, p, rtol=1e-5, atol=1e-5 * scale)
        np.testing.assert_allclose(f, r, rtol=1e-4, atol=1e-5 * scale)


@pytest.mark.parametrize("layout", ["channels_last", "contiguous"])
@pytest.mark.parametrize("case", ["random", "ties", "nan", "odd"])
def test_tiled_max_pool_equals_generic_and_torch(layout, case):
    rng = np.random.default_rng(0)
    size = 9 if case == "odd" else 8
    xl = rng.standard_normal((2, size, size, 3)).astype(np.float32)
    if case == "ties":
        xl = np.round(xl)  # many equal maxima: the first in a window wins
    if case == "nan":
        xl[0, 1, 1, 0] = xl[1, 4, 5, 2] = np.nan
    x = np.moveaxis(xl, -1, 1)
    if layout == "contiguous":
        x = np.ascontiguousarray(x)
    assert KP.tiled_window(x.shape, 2) == (2, 2)
    y, idx = KP.max_pool_forward(x, 2)
    ty, tidx = torch.nn.functional.max_pool2d(
        torch.from_numpy(np.ascontiguousarray(x)), 2, return_indices=True
    )
    np.testing.assert_array_equal(y, ty.numpy())
    np.testing.assert_array_equal(idx, tidx.numpy())
    gy = rng.standard_normal(y.shape).astype(np.float32)
    fast = KP.max_pool_backward(gy, idx, x.shape, (2, 2)).copy()
    generic = KP.max_pool_backward(gy, idx, x.shape)
    np.testing.assert_array_equal(fast, generic)
    # the forward's in-window offsets stand for the indices
    y2, idx2, offsets = KP.max_pool_forward_offsets(x, 2)
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(idx2, idx)
    np.testing.assert_array_equal(KP.max_pool_backward(gy, idx, x.shape, (2, 2), offsets), generic)
    gy[0, 0, 0, 0] = np.inf  # an infinite gradient lands only where the max was
    generic = KP.max_pool_backward(gy, idx, x.shape)
    np.testing.assert_array_equal(KP.max_pool_backward(gy, idx, x.shape, (2, 2)), generic)
    np.testing.assert_array_equal(KP.max_pool_backward(gy, idx, x.shape, (2, 2), offsets), generic)


def test_parallel_keeps_order_and_covers_range(two_threads):
    from ember.kernels import _threads

    parts = _threads.parallel(lambda a, b: list(range(a, b)), 10)
    assert [i for p in parts for i in p] == list(range(10))
    assert len(parts) == 2
    assert _threads.parallel(lambda a, b: (a, b), 1) == [(0, 1)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_bias_grad_of_channels_last_gradient_and_its_derivative(dtype):
    # max_pool2d hands the conv a channels-last gradient, whose bias gradient is summed by
    # folding rows together; the sum stays differentiable (create_graph)
    def fn(m, x, w, b):
        y = m.nn.functional.max_pool2d(m.nn.functional.conv2d(x, w, b, padding=2), 2)
        (gb,) = m.autograd.grad((y * y).sum(), (b,), create_graph=True)
        return (gb * gb).sum() + gb.sum()

    check_op(fn, [(3, 5, 12, 12), (6, 5, 5, 5), (6,)], dtype=dtype, rtol=1e-3, atol=1e-3)


def test_blas_stays_single_threaded_after_kernel_threads(two_threads):
    # two pools on the same cores fight: once the kernel threads have run, OpenBLAS keeps one
    # thread until set_num_threads hands it its threads back
    from ember.kernels import _threads

    if "get_num_threads" not in _threads._openblas_fns():
        pytest.skip("NumPy's BLAS is not OpenBLAS")
    ember.set_num_threads(2)
    assert _threads._openblas_call("get_num_threads") == 2
    assert _threads.parallel(lambda a, b: b - a, 4) == [2, 2]
    assert _threads._openblas_call("get_num_threads") == 1
    ember.set_num_threads(2)
    assert _threads._openblas_call("get_num_threads") == 2
