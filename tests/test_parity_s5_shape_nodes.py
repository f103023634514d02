"""torch's own nodes for shape and sampling ops: grad_fn names, values, gradients and (where
torch has them) second derivatives of grid_sample, affine_grid, rot90, unfold, diag_embed,
diagflat, block_diag, narrow_copy, unsafe_split/unsafe_chunk and a 0-d transpose."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_op, to_ember


def _name(t) -> str:
    return type(t.grad_fn).__name__


def _same_node(fn, *arrays):
    """``fn(lib, *tensors)`` records the same node in both libraries; returns both results."""
    t_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    e_in = [to_ember(t) for t in t_in]
    t_out, e_out = fn(torch, *t_in), fn(ember, *e_in)
    for eo, to in zip(
        e_out if isinstance(e_out, tuple) else (e_out,),
        t_out if isinstance(t_out, tuple) else (t_out,),
    ):
        assert _name(eo) == _name(to)
    return e_out, t_out


def _second_order(fn, arrays, seed=0):
    """Gradients and second derivatives (of the gradients' cubes) of ``fn`` match torch's, in
    float64; inputs the first gradients do not depend on get None in both."""
    results, w = [], None
    for lib in (torch, ember):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *xs)
        if w is None:
            w = np.random.default_rng(seed).standard_normal(tuple(out.shape))
        grads = lib.autograd.grad((out * lib.tensor(w)).sum(), xs, create_graph=True)
        total = sum((g**3).sum() for g in grads if g.requires_grad)
        second = lib.autograd.grad(total, xs, allow_unused=True)
        results.append((out, grads, second))
    (t_out, t_g, t_s), (e_out, e_g, e_s) = results
    assert_close(e_out, t_out)
    assert_close(list(e_g), list(t_g))
    for e, t in zip(e_s, t_s):
        assert (e is None) == (t is None)
        if t is not None:
            assert_close(e, t, rtol=1e-7, atol=1e-7)


# --- grid_sample / affine_grid -------------------------------------------------------------
def _grid(shape, seed=1):
    # past [-1, 1] on purpose: every padding mode folds something
    return np.random.default_rng(seed).uniform(-1.3, 1.3, shape)


MODES = [("bilinear", 2), ("nearest", 2), ("bicubic", 2), ("bilinear", 3), ("nearest", 3)]


@pytest.mark.parametrize("mode,nd", MODES)
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_node_values_and_grads(mode, nd, padding_mode, align):
    x_shape = (2, 3, 4, 5) if nd == 2 else (2, 2, 3, 4, 3)
    g_shape = (2, 3, 4, 2) if nd == 2 else (2, 2, 3, 2, 3)
    x = np.random.default_rng(0).standard_normal(x_shape).astype(np.float32)
    g = _grid(g_shape).astype(np.float32)
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align)
    (e_out, t_out) = _same_node(lambda m, a, b: m.nn.functional.grid_sample(a, b, **kw), x, g)
    assert _name(t_out) == f"GridSampler{nd}DBackward0"
    check_op(lambda m, a, b: m.nn.functional.grid_sample(a, b, **kw), [x, g], atol=1e-4)


@pytest.mark.parametrize("mode,nd", MODES)
@pytest.mark.parametrize("padding_mode", ["zeros", "reflection"])
def test_grid_sample_second_derivatives(mode, nd, padding_mode):
    x_shape = (1, 2, 4, 5) if nd == 2 else (1, 2, 3, 4, 3)
    g_shape = (1, 3, 4, 2) if nd == 2 else (1, 2, 3, 2, 3)
    x = np.random.default_rng(0).standard_normal(x_shape)
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=False)
    _second_order(lambda m, a, b: m.nn.functional.grid_sample(a, b, **kw), [x, _grid(g_shape)])


@pytest.mark.parametrize("size", [(2, 1, 3, 4), (2, 1, 2, 3, 4)])
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_node(size, align):
    dims = len(size) - 2
    theta = np.random.default_rng(0).standard_normal((2, dims, dims + 1)).astype(np.float32)
    e_out, t_out = _same_node(
        lambda m, t: m.nn.functional.affine_grid(t, size, align_corners=align), theta
    )
    assert _name(t_out) == "AffineGridGeneratorBackward0"
    check_op(lambda m, t: m.nn.functional.affine_grid(t, size, align_corners=align), [theta])


def test_affine_grid_into_grid_sample_second_order():
    theta = np.array([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.2]]])
    x = np.random.default_rng(2).standard_normal((1, 2, 4, 4))

    def fn(m, t, a):
        grid = m.nn.functional.affine_grid(t, (1, 2, 3, 5), align_corners=False)
        return m.nn.functional.grid_sample(a, grid, align_corners=False)

    _second_order(fn, [theta, x])
