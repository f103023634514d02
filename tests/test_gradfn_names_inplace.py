"""grad_fn names against torch for writes into tensors of a graph: ``t[key] = v`` (CopySlices for a
basic key, IndexPutBackward0 for an advanced one), ``copy_`` (CopyBackwards) and in-place ops on
views (CopySlices on the base, AsStridedBackward0 on the view). Each case compares the node names
two levels deep (grad_fn and its next_functions), and the values and gradients."""

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises, make_inputs
from test_grad_fn_names import check_named, graph

import ember


def _key(m, spec):
    """A key from a spec naming tensors by dtype, so that each library builds its own."""
    if isinstance(spec, tuple):
        return tuple(_key(m, s) for s in spec)
    if isinstance(spec, list):
        return m.tensor(spec)
    return spec


SETITEM_KEYS = [
    0,
    slice(1, 3),
    (0, 1),
    (slice(None), slice(1, 3)),
    (Ellipsis, 0),
    (None, 0),
    (1, Ellipsis),
    [0, 2],
    [True, False, True],
    (0, [1, 2]),
    (slice(1, None), [1, 2]),
    ([0, 1], slice(1, None)),
    ([0, 1], slice(None)),
    (slice(None), [0, 1]),
    (Ellipsis, [0, 1]),
    slice(None),
    Ellipsis,
    True,
]


@pytest.mark.parametrize("spec", SETITEM_KEYS, ids=str)
def test_setitem_number(spec):
    def fn(m, x):
        y = x * 1
        y[_key(m, spec)] = 5.0
        return y

    check_named(fn, [(3, 4)])


def test_setitem_0d_index_tensor_and_mask():
    def fn(m, x):
        y = x * 1
        y[m.tensor(1)] = 5.0
        y[y > 1] = 0.5
        return y

    check_named(fn, [(3, 4)], depth=3)


@pytest.mark.parametrize(
    "spec, vshape",
    [
        (0, (4,)),  # same shape: copy_
        (0, (1, 4)),  # leading 1s dropped: a view of the value
        (0, ()),  # 0-d value: fill_
        ((0, 1), ()),
        (slice(None), (4,)),  # broadcast: view, expand, copy_ on the tensor itself
        (slice(None), (3, 4)),
        ((slice(None), slice(None)), (3, 1)),
        ([0, 2], (4,)),  # advanced: index_put_ broadcasts itself
        ([0, 2], (1, 1, 4)),
        ((slice(1, None), [1, 2]), (2,)),
        (Ellipsis, ()),
    ],
    ids=str,
)
def test_setitem_tensor_value(spec, vshape):
    def fn(m, x, v):
        y = x * 1
        y[_key(m, spec)] = v * 2
        return y

    check_named(fn, [(3, 4), vshape], depth=3)


def test_setitem_value_of_another_dtype():
    e_in, t_in = make_inputs([(3, 4), (4,)])
    outs = []
    for x, v in (e_in, t_in):
        v64 = v.double().detach().requires_grad_()
        y = x * 1
        y[1] = v64
        y[2:] = v64.sum()
        (y * y).sum().backward()
        outs.append((y, x.grad, v64.grad))
    (ey, ex, ev), (ty, tx, tv) = outs
    assert graph(ey, 3) == graph(ty, 3)
    assert_close(ey, ty)
    assert_close(ex, tx)
    assert_close(ev, tv, rtol=1e-5, atol=1e-5)


def test_setitem_on_a_constant_with_a_graph_value():
    def fn(m, w):
        y = m.zeros(3, 4)
        y[0] = w
        y[1:, 1] = w[0] * 3
        return y

    check_named(fn, [(4,)], depth=3)


def test_setitem_through_a_view():
    # the written tensor is itself a view: its base gets the CopySlices, it reads from there
    def fn(m, x):
        y = x * 1
        row = y[1]
        row[1:3] = 7.0
        return row, y

    check_op(fn, [(3, 4)])
    e_in, t_in = make_inputs([(3, 4)])
    (er, ey), (tr, ty) = fn(ember, *e_in), fn(torch, *t_in)
    assert graph(er, 2) == graph(tr, 2)
    assert graph(ey, 2) == graph(ty, 2)


# --- copy_ ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sshape", [(3, 4), (4,), (1, 4), ()], ids=str)
def test_copy_(sshape):
    def fn(m, x, s):
        return (x * 1).copy_(s * 2)

    check_named(fn, [(3, 4), sshape], depth=3)


def test_copy_constant_cuts_the_old_values_off():
    # the old values get a zero gradient (torch's .grad is zeros, not None)
    def fn(m, x):
        return (x * 1).copy_(m.ones(3, 4))

    check_named(fn, [(3, 4)])


def test_copy_into_constant_and_other_dtype():
    e_in, t_in = make_inputs([(3, 4)])
    outs = []
    for m, (x,) in ((ember, e_in), (torch, t_in)):
        y = m.zeros(3, 4, dtype=m.float64)
        y.copy_(x * 3)
        (y * y).sum().backward()
        outs.append((y, x.grad))
    assert graph(outs[0][0], 3) == graph(outs[1][0], 3)
    assert_close(outs[0][0], outs[1][0])
    assert_close(outs[0][1], outs[1][1])


# --- in-place ops on views ----------------------------------------------------------------------
VIEW_OPS = {
    "mul_number": lambda m, v, w: v.mul_(2),
    "mul_tensor": lambda m, v, w: v.mul_(w),
    "add_": lambda m, v, w: v.add_(w),
    "sub_": lambda m, v, w: v.sub_(w * w),
    "div_": lambda m, v, w: v.div_(w),
    "zero_": lambda m, v, w: v.zero_(),
    "fill_": lambda m, v, w: v.fill_(2.5),
    "copy_": lambda m, v, w: v.copy_(w),
    "masked_fill_": lambda m, v, w: v.masked_fill_(w > 0, 1.0),
    "clamp_": lambda m, v, w: v.clamp_(-0.5, 0.5),
    "exp_": lambda m, v, w: v.exp_(),
    "relu_": lambda m, v, w: v.relu_(),
    "twice": lambda m, v, w: v.mul_(w).add_(1),
}
VIEWS = {
    "column": (lambda y: y[:, 0], (3,)),
    "row": (lambda y: y[1], (4,)),
    "t": (lambda y: y.t(), (4, 3)),
    "flat": (lambda y: y.view(12), (12,)),
    "strided": (lambda y: y[::2, 1:], (2, 3)),
}


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("op", VIEW_OPS)
def test_inplace_on_view(op, view):
    take, wshape = VIEWS[view]

    def fn(m, x, w):
        y = x * 1
        VIEW_OPS[op](m, take(y), w)
        return y

    check_named(fn, [(3, 4), wshape], depth=3)


@pytest.mark.parametrize("op", ["mul_tensor", "zero_", "copy_", "twice"])
def test_view_after_inplace_reads_the_base(op):
    # both the view and its base feed the loss: each gradient is counted once
    def fn(m, x, w):
        y = x * 1
        v = y[:, 1]
        VIEW_OPS[op](m, v, w)
        return v * 3, y

    check_op(fn, [(3, 4), (3,)])
    e_in, t_in = make_inputs([(3, 4), (3,)])
    (ev, ey), (tv, ty) = fn(ember, *e_in), fn(torch, *t_in)
    assert graph(ev, 3) == graph(tv, 3)
    assert graph(ey, 3) == graph(ty, 3)


def test_inplace_on_view_of_constant():
    def fn(m, w):
        y = m.zeros(3, 4)
        y[:, 0].mul_(w)
        y[:, 1].copy_(w)
        return y

    check_named(fn, [(3,)], depth=3)


def test_second_backward_through_copyslices_raises():
    for m in (ember, torch):
        x = m.ones(3, 4, requires_grad=True)
        y = x * 1
        y[:, 0].mul_(x[:, 1])
        y.sum().backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.sum().backward()


def test_retain_graph_through_copyslices():
    e_in, t_in = make_inputs([(3, 4)])
    grads = []
    for (x,) in (e_in, t_in):
        y = x * 1
        y[:, 0].mul_(x[:, 1])
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        grads.append(x.grad)
    assert_close(grads[0], grads[1])


def test_create_graph_through_copyslices():
    e_in, t_in = make_inputs([(3, 4)])
    out = []
    for m, (x,) in ((ember, e_in), (torch, t_in)):
        y = x * 1
        y[:, 0].mul_(x[:, 1])
        (g,) = m.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        out.append((g, gg))
    assert_close(out[0][0], out[1][0])
    assert_close(out[0][1], out[1][1])
    assert np.abs(out[1][1].numpy()).sum() > 0


# --- what goes wrong ------------------------------------------------------------------------------
ERRORS = [
    (5, ()),
    (0, (5,)),
    (slice(None), (2, 4)),
    (0, (2, 4)),
    ([0, 1], (3, 4)),
    ([True, False], ()),
]


@pytest.mark.parametrize(
    "via, spec, vshape",
    [("setitem", *case) for case in ERRORS]
    + [("index_put_", *case) for case in ERRORS if isinstance(case[0], list)],
    ids=str,
)
def test_setitem_errors(via, spec, vshape):
    def fn(m):
        y = m.ones(3, 4, requires_grad=True) * 1
        v = m.ones(vshape, requires_grad=True)
        if via == "setitem":
            y[_key(m, spec)] = v
        else:
            y.index_put_((_key(m, spec),), v)

    exc = check_raises(fn)
    with pytest.raises(type(exc)) as t_exc:
        fn(torch)
    assert str(exc) == str(t_exc.value)


def test_setitem_false_writes_nothing():
    for m in (ember, torch):
        x = m.ones(3, 4, requires_grad=True)
        y = x * 1
        y[False] = 5.0
        assert y._version == 0 and y.grad_fn.name() == "MulBackward0"
        assert y.sum().item() == 12
