"""``einsum`` as torch decomposes it: the recorded graph (node names through ``next_functions``),
values, dtypes, gradients and second derivatives, for the usual equations, the sublist form,
broadcasting, and torch's errors for malformed equations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_op, check_raises

CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("bhqk,bhkd->bhqd", [(2, 3, 4, 6), (2, 3, 6, 5)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->j", [(3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii->", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("bij->bji", [(2, 3, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 5)]),
    ("...ij,jk->...ik", [(2, 3, 4), (4, 5)]),
    ("i...->...", [(2, 3, 4)]),
    ("a...a->...", [(2, 3, 2)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    ("ij,ij->", [(3, 4), (1, 4)]),
    ("ij,jk,kl->il", [(3, 4), (4, 5), (5, 6)]),
    ("ij,j,jk->ik", [(2, 3), (3,), (3, 4)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,jk->bik", [(2, 3, 4), (4, 5)]),
    ("ij,kj->ik", [(3, 4), (1, 4)]),
    ("ab,cd->abcd", [(1, 2), (3, 1)]),
    ("ijk->ik", [(2, 3, 4)]),
    ("iij->j", [(3, 3, 2)]),
    ("jii->ij", [(2, 3, 3)]),
    ("iji->j", [(2, 3, 2)]),
    ("ii,ii->i", [(3, 3), (3, 3)]),
    ("Ab,bC->AC", [(2, 3), (3, 4)]),
    ("ij,k->i", [(3, 4), (2,)]),
    ("ij,jk->ik", [(3, 0), (0, 4)]),
]


def _graph(fn, depth=0):
    """The node names under ``fn``, depth first, each with its depth."""
    if fn is None:
        return []
    out = [(depth, type(fn).__name__)]
    for f, _ in fn.next_functions:
        out += _graph(f, depth + 1)
    return out


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    t = [torch.tensor(a, requires_grad=True) for a in arrays]
    e = [ember.tensor(a, requires_grad=True) for a in arrays]
    return e, t


@pytest.mark.parametrize("eq,shapes", CASES, ids=[f"{eq}:{s}" for eq, s in CASES])
def test_graph_values_and_gradients(eq, shapes):
    e_in, t_in = _inputs(shapes)
    t_out, e_out = torch.einsum(eq, *t_in), ember.einsum(eq, *e_in)
    assert _graph(e_out.grad_fn) == _graph(t_out.grad_fn)
    check_op(lambda m, *xs: m.einsum(eq, *xs), shapes)


@pytest.mark.parametrize(
    "eq,shapes",
    [
        ("ij,jk->ik", [(3, 4), (4, 5)]),
        ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
        ("i,j->ij", [(3,), (4,)]),
        ("ii->", [(3, 3)]),
        ("ij,ij->i", [(3, 4), (3, 4)]),
        ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ],
)
def test_second_derivatives(eq, shapes):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in shapes]
    results = []
    for lib in (torch, ember):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = lib.einsum(eq, *xs)
        grads = lib.autograd.grad((out**2).sum(), xs, create_graph=True)
        second = lib.autograd.grad(sum((g**3).sum() for g in grads), xs, allow_unused=True)
        results.append((grads, second))
    (tg, ts), (eg, es) = results
    assert_close(list(eg), list(tg))
    for e, t in zip(es, ts):
        assert (e is None) == (t is None)
        if t is not None:
            assert_close(e, t)


def test_non_contiguous_operands():
    e_in, t_in = _inputs([(4, 3), (5, 4)])
    t_out = torch.einsum("ij,jk->ik", t_in[0].t(), t_in[1].t())
    e_out = ember.einsum("ij,jk->ik", e_in[0].t(), e_in[1].t())
    assert _graph(e_out.grad_fn) == _graph(t_out.grad_fn)
    assert_close(e_out, t_out)


def test_sublist_form():
    e_in, t_in = _inputs([(3, 4), (4, 5)])
    for args in ([0, 1], [1, 2], [0, 2]), ([30, 1], [1, 2]), ([..., 1], [1, 0], [..., 0]):
        t_out = torch.einsum(t_in[0], args[0], t_in[1], *args[1:])
        e_out = ember.einsum(e_in[0], args[0], e_in[1], *args[1:])
        assert _graph(e_out.grad_fn) == _graph(t_out.grad_fn)
        assert_close(e_out, t_out)
    check_raises(lambda m: m.einsum(m.ones(2), [52]))


def test_operand_list_and_dtypes():
    a, b = np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2)
    outs = [lib.einsum("ij,jk", [lib.tensor(a), lib.tensor(b)]) for lib in (ember, torch)]
    assert_close(*outs)  # int64 through bmm
    check_op(lambda m, x, y: m.einsum("ij,jk->ik", x, y), [(2, 3), (3, 4)], dtype=np.float64)
    # mixed dtypes: the product promotes, the contraction (bmm) refuses as torch
    outs = [
        lib.einsum("ij,ij->ij", lib.ones(2, 3), lib.ones(2, 3, dtype=lib.float64))
        for lib in (ember, torch)
    ]
    assert_close(*outs)
    exc = check_raises(lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(3, 2, dtype=m.float64)))
    assert str(exc) == "expected scalar type Float but found Double"


@pytest.mark.parametrize(
    "eq,n",
    [
        ("i j,1", 2),
        ("ij->i1", 1),
        ("ij-i", 1),
        ("ij,jk->ik,k", 2),
        ("i..j->i", 1),
        ("ij->i.", 1),
        ("i...j...->i", 1),
        ("ij->k", 1),
        ("ij->ii", 1),
        ("ij", 2),
        ("ij,jk", 1),
    ],
)
def test_malformed_equations(eq, n):
    def run(m):
        return m.einsum(eq, *[m.ones(2, 2)] * n)

    exc = check_raises(run)
    with pytest.raises(RuntimeError) as t_exc:
        run(torch)
    assert str(exc) == str(t_exc.value)


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(2, 3), (4, 2)]), ("ii->i", [(2, 3)])])
def test_size_errors(eq, shapes):
    exc = check_raises(lambda m: m.einsum(eq, *[m.ones(*s) for s in shapes]))
    with pytest.raises(RuntimeError) as t_exc:
        torch.einsum(eq, *[torch.ones(*s) for s in shapes])
    assert str(exc) == str(t_exc.value)
