"""A differential sweep of nn.utils against torch: clipping, conversion, norms, parametrize,
prune, rnn packing, stateless calls and fusion, written as PyTorch users write them."""

from __future__ import annotations

import math

import pytest
import torch

import ember
from tests.helpers import assert_close, check_raises


def both(fn):
    """``fn(lib)`` run on torch then ember (same seed before each); results compared."""
    torch.manual_seed(0)
    t = fn(torch)
    ember.manual_seed(0)
    e = fn(ember)
    assert_close(e, t)
    return e, t


def grads(lib, dtype=None):
    """Three parameters, two with gradients (a fixed function of torch's seeded randn)."""
    lib.manual_seed(0)
    dtype = dtype or lib.float32
    a = lib.randn(3, 4, dtype=dtype, requires_grad=True)
    b = lib.randn(5, dtype=dtype, requires_grad=True)
    c = lib.randn(2, dtype=dtype, requires_grad=True)
    ((a * 3).sum() + (b**2).sum()).backward()
    return a, b, c


# -- clip_grad ------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2, 1, math.inf, "inf", 3.5, 0.5, 0])
def test_clip_grad_norm_norm_types(norm_type):
    def fn(lib):
        a, b, c = grads(lib)
        total = lib.nn.utils.clip_grad_norm_([a, b, c], 1.0, norm_type=norm_type)
        return total, a.grad, b.grad

    both(fn)


@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm_float64_single_tensor_and_generator(foreach):
    def fn(lib):
        a, b, _ = grads(lib, lib.float64)
        single = lib.nn.utils.clip_grad_norm_(a, 0.5, foreach=foreach)
        gen = lib.nn.utils.clip_grad_norm_((p for p in [a, b]), 100.0, foreach=foreach)
        return single, gen, a.grad, b.grad

    both(fn)


def test_clip_grad_norm_without_grads_mixed_dtypes_and_module():
    def fn(lib):
        a, b, c = grads(lib)
        d = lib.randn(3, dtype=lib.float64, requires_grad=True)
        d.sum().backward()
        m = lib.nn.Linear(3, 2)
        m(lib.ones(4, 3)).sum().backward()
        return (
            lib.nn.utils.clip_grad_norm_([], 1.0),
            lib.nn.utils.clip_grad_norm_([c], 1.0),
            lib.nn.utils.clip_grad_norm_([a, d], 0.1),
            a.grad,
            d.grad,
            lib.nn.utils.clip_grad_norm_([d, b], 0.1, "inf"),
            lib.nn.utils.clip_grad_norm_(m.parameters(), 1),
            m.weight.grad,
        )

    e, _ = both(fn)
    assert not e[0].requires_grad and e[0].grad_fn is None


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_clip_grad_norm_nonfinite(bad):
    def fn(lib, error):
        a, b, _ = grads(lib)
        a.grad[0, 0] = bad
        try:
            total = lib.nn.utils.clip_grad_norm_([a, b], 1.0, error_if_nonfinite=error)
        except RuntimeError as ex:
            return str(ex), b.grad  # the gradients are left alone
        return total, b.grad

    e, t = fn(ember, True), fn(torch, True)
    assert_close(e, t)
    both(lambda lib: fn(lib, False))


def test_clip_grad_value_():
    def fn(lib):
        out = []
        for cv in [0.5, 2, -1]:
            a, b, c = grads(lib)
            out += [lib.nn.utils.clip_grad_value_([a, b, c], cv), a.grad, b.grad]
        a, b, c = grads(lib)
        lib.nn.utils.clip_grad_value_(a, 1.0, foreach=True)
        return out + [a.grad]

    both(fn)


def test_get_total_norm_and_clip_grads_with_norm_():
    def fn(lib):
        u = lib.nn.utils
        a, b, c = grads(lib)
        out = [u.get_total_norm([a.grad, b.grad], p) for p in (2, "inf", 1, 0)]
        out += [u.get_total_norm(a.grad), u.get_total_norm([])]
        u.clip_grads_with_norm_([a, b, c], 1.0, lib.tensor(50.0))
        out += [a.grad, b.grad]
        u.clip_grads_with_norm_(a, 1e4, lib.tensor(50.0, dtype=lib.float64))
        out += [a.grad, u.clip_grads_with_norm_([c], 1.0, 5.0)]
        return out

    both(fn)
    check_raises(
        lambda lib: lib.nn.utils.clip_grads_with_norm_(grads(lib)[:1], 1.0, 50.0),
    )


def test_clip_grad_argument_errors():
    for kwargs in [dict(max_norm="a"), dict(max_norm=1, norm_type="fro")]:
        check_raises(lambda lib, kw=kwargs: lib.nn.utils.clip_grad_norm_(grads(lib)[0], **kw))


# -- parameters_to_vector / vector_to_parameters -----------------------------------------------
def test_parameters_to_vector_roundtrip():
    def fn(lib):
        a, b, _ = grads(lib)
        vec = lib.nn.utils.parameters_to_vector(p for p in [a, b])
        lin = lib.nn.Linear(3, 2)
        v = lib.arange(8.0)
        lib.nn.utils.vector_to_parameters(v, lin.parameters())
        v[0] = 100.0  # the parameters view the vector, as in torch
        lib.nn.utils.vector_to_parameters(lib.arange(20.0), [lin.bias])
        return vec, type(vec.grad_fn).__name__, lin.weight, lin.bias, type(lin.weight).__name__

    both(fn)


def test_vector_to_parameters_errors():
    for vec in ([1, 2], 3.0, "arange"):

        def fn(lib, vec=vec):
            v = lib.arange(3.0) if vec == "arange" else vec  # too short
            lib.nn.utils.vector_to_parameters(v, lib.nn.Linear(3, 2).parameters())

        check_raises(fn)
    check_raises(lambda lib: lib.nn.utils.parameters_to_vector([]))
