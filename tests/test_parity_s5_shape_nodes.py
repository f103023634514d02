"""torch's own nodes for shape and sampling ops: grad_fn names, values, gradients and (where
torch has them) second derivatives of grid_sample, affine_grid, rot90, unfold, diag_embed,
diagflat, block_diag, narrow_copy, unsafe_split/unsafe_chunk and a 0-d transpose."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_op, check_raises, to_ember


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


# --- rot90 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [-3, -1, 0, 1, 2, 3, 4, 7])
@pytest.mark.parametrize("dims", [[0, 1], [2, 0], [-1, -2]])
def test_rot90_node(k, dims):
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    e_out, t_out = _same_node(lambda m, a: m.rot90(a, k, dims), x)
    assert _name(t_out) == "Rot90Backward0"
    assert e_out._base is None  # a copy, as torch's
    check_op(lambda m, a: m.rot90(a, k, dims), [x])
    check_op(lambda m, a: a.rot90(k, dims), [x.astype(np.float64)])


def test_rot90_second_order_and_integers():
    x = np.random.default_rng(3).standard_normal((3, 4))
    _second_order(lambda m, a: m.rot90(a, 1, [0, 1]) ** 2, [x])
    ints = np.arange(12).reshape(3, 4)
    assert_close(ember.rot90(ember.tensor(ints), 3), torch.rot90(torch.tensor(ints), 3))
    # the gradient of the gradient is rot90 again, under torch's name
    for lib in (torch, ember):
        a = lib.tensor(x, requires_grad=True)
        w = lib.ones(4, 3, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(lib.rot90(a), a, w, create_graph=True)
        assert _name(g) == "Rot90Backward0"


# --- Tensor.unfold ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape,dim,size,step",
    [
        ((3, 7), 1, 3, 2),
        ((3, 7), 1, 3, 1),
        ((4, 5, 2), 0, 2, 3),
        ((6,), -1, 6, 1),
        ((2, 5), 1, 0, 2),
    ],
)
def test_unfold_node(shape, dim, size, step):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    e_out, t_out = _same_node(lambda m, a: a.unfold(dim, size, step), x)
    assert _name(t_out) == "UnfoldBackward0"
    check_op(lambda m, a: a.unfold(dim, size, step), [x])
    _second_order(lambda m, a: a.unfold(dim, size, step) ** 2, [x.astype(np.float64)])


@pytest.mark.parametrize("size", [0, 1])
def test_unfold_of_a_0d_tensor(size):
    e_out, t_out = _same_node(lambda m, a: a.unfold(0, size, 1), np.array(2.5, np.float32))
    assert_close(e_out, t_out)
    check_op(lambda m, a: a.unfold(0, size, 1), [()])


def test_unfold_is_a_view_and_its_gradient_adds_windows_back():
    for lib in (torch, ember):
        base = lib.arange(7.0)
        windows = base.unfold(0, 3, 2)
        assert windows._base is base
        windows[1, 0] = 100.0  # writes through to the base, as torch's view
        assert base[2].item() == 100.0
    x = np.random.default_rng(1).standard_normal((2, 6))
    for lib in (torch, ember):
        a = lib.tensor(x, requires_grad=True)
        w = lib.ones(2, 4, 3, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(a.unfold(1, 3, 1), a, w, create_graph=True)
        assert _name(g) == "UnfoldBackwardBackward0"
        assert g.detach().numpy().tolist() == [[1, 2, 3, 3, 2, 1]] * 2
    # in place through non-overlapping windows: the base's graph takes the change (CopySlices)

    def scale_windows(m, a):
        b = a * 1
        b.unfold(1, 3, 3).mul_(a[:, None, :3])
        return b

    check_op(scale_windows, [(2, 6)])


# --- diag_embed / diagflat -------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape,offset,dim1,dim2",
    [((3,), 0, -2, -1), ((2, 3), 1, -2, -1), ((2, 3), -1, 2, 0), ((2, 2, 3), 2, 1, 3)],
)
def test_diag_embed_node(shape, offset, dim1, dim2):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    e_out, t_out = _same_node(lambda m, a: m.diag_embed(a, offset, dim1, dim2), x)
    assert _name(t_out) == "DiagEmbedBackward0"
    assert e_out.is_contiguous() and e_out.stride() == t_out.stride()
    check_op(lambda m, a: m.diag_embed(a, offset, dim1, dim2), [x])
    _second_order(lambda m, a: m.diag_embed(a, offset, dim1, dim2) ** 2, [x.astype(np.float64)])
    ints = np.arange(6).reshape(2, 3)
    assert_close(
        ember.diag_embed(ember.tensor(ints), offset), torch.diag_embed(torch.tensor(ints), offset)
    )


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
@pytest.mark.parametrize("offset", [0, 2, -1])
def test_diagflat_node(shape, offset):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    e_out, t_out = _same_node(lambda m, a: m.diagflat(a, offset), x)
    assert _name(t_out) == "DiagEmbedBackward0"
    flat = [type(n).__name__ for n, _ in e_out.grad_fn.next_functions]
    assert flat == [type(n).__name__ for n, _ in t_out.grad_fn.next_functions]
    check_op(lambda m, a: m.diagflat(a, offset), [x])
    # a non-contiguous input is copied before flattening (CloneBackward0, then ViewBackward0)
    check_op(lambda m, a: m.diagflat(a.t(), offset), [(2, 3)])


# --- block_diag ------------------------------------------------------------------------------
def test_block_diag_node():
    shapes = [(2, 3), (4,), (), (0, 2), (1, 1)]
    arrays = [
        np.random.default_rng(i).standard_normal(s).astype(np.float32) for i, s in enumerate(shapes)
    ]
    e_out, t_out = _same_node(lambda m, *xs: m.block_diag(*xs), *arrays)
    assert _name(t_out) == "BlockDiagBackward0"
    check_op(lambda m, *xs: m.block_diag(*xs), arrays)
    _second_order(
        lambda m, a, b: m.block_diag(a, b, a[0]) ** 2,
        [arrays[0].astype(np.float64), arrays[1].astype(np.float64)],
    )


def test_block_diag_promotes_and_skips_integer_inputs():
    x = np.random.default_rng(0).standard_normal((2, 2))
    ints = np.arange(3)
    e_out, t_out = _same_node(lambda m, a, b: m.block_diag(b, a), x, ints)
    assert_close(e_out, t_out)
    check_op(lambda m, a: m.block_diag(m.ones(2, 2, dtype=m.int64), a), [(2, 3)])
    assert_close(ember.block_diag(), torch.block_diag())


# --- narrow_copy -----------------------------------------------------------------------------
@pytest.mark.parametrize("dim,start,length", [(1, 1, 2), (0, 1, 2), (1, 0, 0), (-1, 3, 1)])
def test_narrow_copy_node(dim, start, length):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    e_out, t_out = _same_node(lambda m, a: m.narrow_copy(a, dim, start, length), x)
    assert _name(t_out) == "NarrowCopyBackward0" and e_out._base is None
    check_op(lambda m, a: a.narrow_copy(dim, start, length), [x])
    _second_order(lambda m, a: m.narrow_copy(a, dim, start, length) ** 2, [x.astype(np.float64)])


def test_narrow_copy_negative_start():
    # torch's own backward fails for a negative start (its gradient is not put back at the
    # normalized start); Ember's is the gradient of the same values at start 1
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    e_out, t_out = _same_node(lambda m, a: m.narrow_copy(a, 0, -2, 2), x)
    assert_close(e_out, t_out)
    with pytest.raises(RuntimeError):
        t_out.sum().backward()
    check_op(
        lambda m, a: a.narrow_copy(0, -2, 2), [x], torch_fn=lambda m, a: a.narrow_copy(0, 1, 2)
    )


@pytest.mark.parametrize("dim,start,length", [(2, 0, 1), (1, 0, -1), (1, 3, -1), (-3, 0, 1)])
def test_narrow_copy_errors(dim, start, length):
    e = check_raises(lambda m: m.narrow_copy(m.zeros(2, 3), dim, start, length))
    with pytest.raises(type(e)) as t_exc:
        torch.narrow_copy(torch.zeros(2, 3), dim, start, length)
    assert str(e) == str(t_exc.value)


# --- unsafe_split / unsafe_chunk / unsafe_split_with_sizes -----------------------------------
UNSAFE = [
    ("UnsafeSplitBackward0", lambda m, a: m.unsafe_split(a, 2, 1)),
    ("UnsafeSplitBackward0", lambda m, a: a.unsafe_split(3, 1)),
    ("UnsafeSplitBackward0", lambda m, a: m.unsafe_chunk(a, 2, -1)),
    ("UnsafeSplitWithSizesBackward0", lambda m, a: m.unsafe_split_with_sizes(a, [1, 0, 4], 1)),
    ("UnsafeSplitWithSizesBackward0", lambda m, a: a.unsafe_split_with_sizes([2, 1], 0)),
]


@pytest.mark.parametrize("name,fn", UNSAFE)
def test_unsafe_split_nodes(name, fn):
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    e_out, t_out = _same_node(fn, x)
    assert _name(t_out[0]) == name
    assert all(p._base is None for p in e_out)  # not views, as torch's
    check_op(fn, [x])
    check_op(lambda m, a: fn(m, a)[-1] * 2, [x])  # the other pieces get zeros
    _second_order(lambda m, a: fn(m, a)[0] ** 2, [x.astype(np.float64)])


def test_unsafe_pieces_share_memory_but_not_versions():
    e_out, t_out = [], []
    for lib, out in ((torch, t_out), (ember, e_out)):
        x = lib.arange(6.0)
        piece = lib.unsafe_split(x, 2)[1]
        piece.add_(10)
        out.append((x, x._version, piece._version))
    assert_close(e_out[0][0], t_out[0][0])
    assert e_out[0][1:] == t_out[0][1:]
    empty = np.zeros((2, 0), np.float32)
    e_out, t_out = _same_node(lambda m, a: m.unsafe_chunk(a, 3, 1), empty)
    assert _name(t_out[0]) == "UnsafeSplitWithSizesBackward0" and len(e_out) == len(t_out)
    check_raises(lambda m: m.unsafe_split(m.zeros(4), 2.0))
    check_raises(lambda m: m.unsafe_split(m.zeros(4), True))
    check_raises(lambda m: m.unsafe_chunk(m.zeros(4), 0))
    check_raises(lambda m: m.unsafe_split_with_sizes(m.zeros(4), [1, 2]))


# --- transpose of a 0-d tensor -------------------------------------------------------------
@pytest.mark.parametrize("dims", [(0, 0), (0, -1), (-1, -1)])
def test_transpose_of_a_0d_tensor(dims):
    x = np.array(1.5, np.float32)
    for fn in (lambda m, a: a.transpose(*dims), lambda m, a: m.swapaxes(a, *dims)):
        e_out, t_out = _same_node(fn, x)
        assert _name(t_out) == "TransposeBackward0"
        assert e_out._base is not None and t_out._base is not None
        check_op(fn, [x])

    def in_place(m, a):
        b = a * 2
        b.transpose_(*dims)
        return b

    e_out, t_out = _same_node(in_place, x)
    assert _name(t_out) == "TransposeBackward1"
    check_op(in_place, [x])
    check_raises(lambda m: m.tensor(1.0).transpose(0, 1))


@pytest.mark.parametrize(
    "mode,nd", [("bilinear", 2), ("bicubic", 2), ("nearest", 2), ("bilinear", 3)]
)
def test_grid_sample_gradient_node_and_third_order(mode, nd):
    x_shape = (1, 2, 3, 4) if nd == 2 else (1, 2, 2, 3, 2)
    g_shape = (1, 2, 3, 2) if nd == 2 else (1, 2, 2, 1, 3)
    x = np.random.default_rng(0).standard_normal(x_shape)
    grid = _grid(g_shape)
    w = np.random.default_rng(4).standard_normal((1, 2, *g_shape[1:-1]))
    found = []
    for lib in (torch, ember):
        xs = [lib.tensor(a, requires_grad=True) for a in (x, grid, w)]
        out = lib.nn.functional.grid_sample(
            xs[0], xs[1], mode=mode, padding_mode="reflection", align_corners=True
        )
        gi, gg = lib.autograd.grad((out * xs[2]).sum(), xs[:2], create_graph=True)
        assert _name(gi) == f"GridSampler{nd}DBackwardBackward0" and gg.grad_fn is gi.grad_fn
        second = lib.autograd.grad(
            (gi**3).sum() + (gg**3).sum(), xs, create_graph=True, allow_unused=True
        )
        total = sum((s**2).sum() for s in second if s is not None and s.requires_grad)
        third = lib.autograd.grad(total, xs, allow_unused=True)
        found.append([gi, gg, *second, *third])
    for t, e in zip(*found):
        assert (e is None) == (t is None)
        if t is not None:
            assert_close(e, t, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize(
    "x_shape,g_shape",
    [
        ((1, 2, 3, 3), (1, 0, 3, 2)),
        ((1, 0, 3, 3), (1, 2, 2, 2)),
        ((0, 2, 3, 3), (0, 2, 2, 2)),
        ((2, 1, 1, 1), (2, 2, 2, 2)),
    ],
)
def test_grid_sample_empty_and_single_pixel(x_shape, g_shape):
    for mode in ("bilinear", "nearest", "bicubic"):

        def fn(m, a, b, mode=mode):
            kw = dict(mode=mode, padding_mode="border", align_corners=True)
            return m.nn.functional.grid_sample(a, b, **kw)

        check_op(fn, [x_shape, g_shape])


def _chain(t) -> list:
    """The node names from ``t`` back along each node's first input."""
    names, node = [], t.grad_fn
    while node is not None:
        names.append(type(node).__name__)
        node = next((f for f, _ in node.next_functions if f is not None), None)
    return names


GRADIENT_CHAINS = [
    (lambda m, a: m.rot90(a, 1), (3, 4)),
    (lambda m, a: a.unfold(1, 2, 1), (3, 4)),
    (lambda m, a: m.diag_embed(a, 1, 0, 2), (3, 4)),
    (lambda m, a: m.diagflat(a), (3, 4)),
    (lambda m, a: m.block_diag(a, m.ones(2, 2, dtype=m.float64)), (3, 4)),
    (lambda m, a: m.narrow_copy(a, 1, 1, 2), (3, 4)),
    (lambda m, a: m.unsafe_split(a, 2, 1)[1], (3, 4)),
    (lambda m, a: m.unsafe_split_with_sizes(a, [1, 3], 1)[0], (3, 4)),
    (lambda m, a: a.sum().transpose(0, 0), (3, 4)),
    # torch's affine_grid gradient: the base points' bmm with it, transposed
    (lambda m, t: m.nn.functional.affine_grid(t, (2, 1, 3, 4), align_corners=False), (2, 2, 3)),
    (lambda m, t: m.nn.functional.affine_grid(t, (2, 1, 2, 3, 4), align_corners=True), (2, 3, 4)),
]


@pytest.mark.parametrize("fn,shape", GRADIENT_CHAINS)
def test_gradients_under_create_graph_record_torchs_nodes(fn, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    found = []
    for lib in (torch, ember):
        a = lib.tensor(x, requires_grad=True)
        out = fn(lib, a)
        w = lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(tuple(out.shape)))
        (g,) = lib.autograd.grad(out, a, w.requires_grad_(), create_graph=True)
        (gw,) = lib.autograd.grad((g**2).sum(), w)
        found.append((_chain(g), g, gw))
    (t_chain, t_g, t_gw), (e_chain, e_g, e_gw) = found
    assert e_chain == t_chain
    assert_close(e_g, t_g)
    assert_close(e_gw, t_gw)


NON_FINITE = [np.nan, 0.2, np.inf, -0.3, -np.inf, 0.5, 0.1, np.nan, 3.0, 0.0, -2.5, 0.2]


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_at_non_finite_locations(mode, align):
    x = np.arange(24, dtype=np.float32).reshape(2, 1, 3, 4)
    grid = np.array(NON_FINITE, np.float32).reshape(2, 1, 3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's cast and fmod warnings stay inside
        # zeros padding: the values, and both gradients (no input position gets a NaN)
        check_op(_sampler(mode, "zeros", align), [x, grid])
        # border and reflection fold NaN to 0 as torch's kernels (whose backward may crash)
        for padding_mode in ("border", "reflection"):
            check_op(_sampler(mode, padding_mode, align), [x, grid], grad=False)


def _sampler(mode: str, padding_mode: str, align: bool):
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align)
    return lambda m, a, b: m.nn.functional.grid_sample(a, b, **kw)
