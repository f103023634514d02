"""grad_fn names of ``a @ b`` against torch for every rank pair: torch folds a batch into one
``mm``/``mv`` when it can (or when the smaller operand needs a gradient), squeezes a batch of one
that needs a gradient, and otherwise expands both batches and flattens them into one ``bmm``.
Each case compares the graph's names five levels deep, the values and the gradients."""

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises, make_inputs
from test_grad_fn_names import graph

import ember

SHAPES = [
    ((3, 4), (4, 5)),
    ((4,), (4,)),
    ((3, 4), (4,)),
    ((4,), (4, 5)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (4,)),
    ((1, 3, 4), (4, 5)),
    ((1, 1, 3, 4), (4, 5)),
    ((4,), (2, 4, 5)),
    ((3, 4), (2, 4, 5)),
    ((3, 4), (1, 4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((1, 3, 4), (1, 4, 5)),
    ((2, 3, 4), (1, 4, 5)),
    ((1, 3, 4), (2, 4, 5)),
    ((2, 2, 3, 4), (2, 2, 4, 5)),
    ((2, 2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (2, 2, 4, 5)),
    ((2, 1, 3, 4), (1, 2, 4, 5)),
    ((2, 3, 4), (1, 1, 4, 5)),
    ((0, 3, 4), (4, 5)),
]
GRADS = [(True, True), (False, True), (True, False)]


def _run(m, a, b, layout):
    if layout == "transposed":  # a batch whose rows cannot fold without a copy
        a = a.transpose(0, 1)
    return a @ b


def _compare(sa, sb, rga, rgb, layout="plain", depth=3):
    e_in, t_in = make_inputs([sa, sb], requires_grad=False)
    outs = []
    for m, (a, b) in ((ember, e_in), (torch, t_in)):
        a.requires_grad_(rga)
        b.requires_grad_(rgb)
        out = _run(m, a, b, layout)
        (out * out).sum().backward()
        outs.append((out, a.grad, b.grad))
    (eo, ea, eb), (to, ta, tb) = outs
    assert graph(eo, depth) == graph(to, depth)
    assert_close(eo, to)
    for eg, tg in ((ea, ta), (eb, tb)):
        assert (eg is None) == (tg is None)
        if tg is not None:
            assert_close(eg, tg)


@pytest.mark.parametrize("rg", GRADS, ids=str)
@pytest.mark.parametrize("sa, sb", SHAPES, ids=str)
def test_matmul_graph(sa, sb, rg):
    _compare(sa, sb, *rg, depth=5)


@pytest.mark.parametrize("rg", GRADS, ids=str)
@pytest.mark.parametrize("sb", [(4, 5), (4,)], ids=str)
def test_matmul_graph_noncontiguous_batch(sb, rg):
    _compare((3, 2, 4), sb, *rg, layout="transposed", depth=5)


def test_matmul_no_grad_mode():
    e_in, t_in = make_inputs([(2, 3, 4), (2, 4, 5)])
    with ember.no_grad():
        e = e_in[0] @ e_in[1]
    with torch.no_grad():
        t = t_in[0] @ t_in[1]
    assert e.grad_fn is None and not e.requires_grad
    assert_close(e, t)


def test_matmul_float64_batch_values():
    e_in, t_in = make_inputs([(2, 1, 3, 4), (3, 4, 2)], dtype=np.float64)
    assert_close(e_in[0] @ e_in[1], t_in[0] @ t_in[1])


@pytest.mark.parametrize(
    "sa, sb",
    [
        ((2, 3, 4), (5, 6)),
        ((2, 3, 4), (5,)),
        ((5,), (2, 4, 6)),
        ((3, 5), (2, 4, 6)),
        ((2, 3, 4), (2, 5, 6)),
        ((2, 3, 4), (3, 4, 6)),
        ((2, 3, 4), (1, 5, 6)),
        ((1, 3, 4), (2, 5, 6)),
    ],
    ids=str,
)
@pytest.mark.parametrize("rg", [False, True])
def test_matmul_shape_errors(sa, sb, rg):
    # which product torch picks decides the message (mm's, mv's or bmm's)
    e_in, t_in = make_inputs([sa, sb], requires_grad=rg)
    exc = check_raises(
        lambda m: (e_in if m is ember else t_in)[0] @ (e_in if m is ember else t_in)[1]
    )
    with pytest.raises(RuntimeError) as t_exc:
        t_in[0] @ t_in[1]
    assert str(exc) == str(t_exc.value)
