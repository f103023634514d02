"""grad_fn names of pooling over inputs without a batch dim against torch: the 2-D and 3-D pools
record their own node alone, the 1-D ones the 2-D pool between an unsqueeze and a squeeze, as for
batched inputs. Values, gradients (and second derivatives) are compared too."""

import pytest
import torch
from helpers import assert_close, make_inputs
from test_grad_fn_names import check_named

import ember

POOLS = {
    "max_pool1d": (lambda F, x: F.max_pool1d(x, 2), 1),
    "max_pool1d_indices": (lambda F, x: F.max_pool1d(x, 3, 2, 1, return_indices=True), 1),
    "avg_pool1d": (lambda F, x: F.avg_pool1d(x, 2), 1),
    "adaptive_avg_pool1d": (lambda F, x: F.adaptive_avg_pool1d(x, 3), 1),
    "adaptive_avg_pool1d_one": (lambda F, x: F.adaptive_avg_pool1d(x, 1), 1),
    "adaptive_max_pool1d": (lambda F, x: F.adaptive_max_pool1d(x, 3, return_indices=True), 1),
    "max_pool2d": (lambda F, x: F.max_pool2d(x, 2), 2),
    "max_pool2d_indices": (lambda F, x: F.max_pool2d(x, 3, 2, 1, return_indices=True), 2),
    "max_pool2d_overlap": (lambda F, x: F.max_pool2d(x, 3, 1, dilation=2), 2),
    "avg_pool2d": (lambda F, x: F.avg_pool2d(x, 2), 2),
    "avg_pool2d_pad": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), 2),
    "adaptive_avg_pool2d": (lambda F, x: F.adaptive_avg_pool2d(x, (3, 2)), 2),
    "adaptive_avg_pool2d_one": (lambda F, x: F.adaptive_avg_pool2d(x, 1), 2),
    "adaptive_max_pool2d": (lambda F, x: F.adaptive_max_pool2d(x, 3, return_indices=True), 2),
    "lp_pool2d": (lambda F, x: F.lp_pool2d(x, 2, 2), 2),
    "max_pool3d": (lambda F, x: F.max_pool3d(x, 2), 3),
    "avg_pool3d": (lambda F, x: F.avg_pool3d(x, 2), 3),
    "adaptive_avg_pool3d": (lambda F, x: F.adaptive_avg_pool3d(x, 2), 3),
    "adaptive_max_pool3d": (lambda F, x: F.adaptive_max_pool3d(x, 2, return_indices=True), 3),
}
SPATIAL = {1: (8,), 2: (6, 6), 3: (4, 4, 4)}


@pytest.mark.parametrize("batched", [False, True], ids=["unbatched", "batched"])
@pytest.mark.parametrize("name", POOLS)
def test_pool_graph(name, batched):
    pool, nd = POOLS[name]
    shape = ((2,) if batched else ()) + (3,) + SPATIAL[nd]
    check_named(lambda m, x: pool(m.nn.functional, x * 1), [shape], depth=3)


@pytest.mark.parametrize("name", ["max_pool2d_indices", "avg_pool2d_pad", "adaptive_max_pool3d"])
def test_unbatched_pool_second_derivative(name):
    pool, nd = POOLS[name]
    e_in, t_in = make_inputs([(3,) + SPATIAL[nd]])
    out = []
    for m, (x,) in ((ember, e_in), (torch, t_in)):
        y = pool(m.nn.functional, x * x)
        y = y[0] if isinstance(y, tuple) else y
        (g,) = m.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        out.append((g, gg))
    assert_close(out[0][0], out[1][0])
    assert_close(out[0][1], out[1][1])


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_unbatched_max_unpool_of_a_pool(nd):
    def fn(m, x):
        F = m.nn.functional
        y, idx = getattr(F, f"max_pool{nd}d")(x * 1, 2, return_indices=True)
        return getattr(F, f"max_unpool{nd}d")(y * 2, idx, 2)

    check_named(fn, [(3,) + SPATIAL[nd]], depth=4)
