"""Batch, layer, group and instance norm against torch along each path of the shared primitive.

The forward and the plain backward take shortcuts (sums over a canonical layout, einsum above a
size threshold, per-channel factors for batch norm, the normalized input kept for the backward);
create_graph recomputes from x with Tensor operations. Each is compared with torch here: small
and large inputs, every subset of inputs needing a gradient, evaluation statistics, half and
double precision, gradients of gradients, and outputs changed in place after the forward.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, check_raises, make_inputs

import ember


def _layer(shape):
    return lambda m, x, *wb: m.nn.functional.layer_norm(x, shape, *wb)


def _group(groups):
    return lambda m, x, *wb: m.nn.functional.group_norm(x, groups, *wb)


# Small cases run np.add.reduce; those past 2048 elements run einsum (see _Reduction).
FUNCTIONAL = {
    "layer_small": (_layer((5,)), [(3, 4, 5), (5,), (5,)]),
    "layer_large": (_layer((64,)), [(4, 16, 64), (64,), (64,)]),
    "layer_two_dims": (_layer((8, 32)), [(12, 8, 32), (8, 32), (8, 32)]),
    "layer_plain": (_layer((40,)), [(70, 40)]),
    "layer_bias_only": (
        lambda m, x, b: m.nn.functional.layer_norm(x, (40,), None, b),
        [(70, 40), (40,)],
    ),
    "layer_one_row": (_layer((9,)), [(9,), (9,)]),
    "layer_whole": (_layer((50, 60)), [(50, 60), (50, 60), (50, 60)]),
    "group_small": (_group(2), [(2, 6, 3), (6,), (6,)]),
    "group_large": (_group(4), [(4, 8, 10, 12), (8,), (8,)]),
    "group_2d": (_group(2), [(300, 12), (12,)]),
    "group_plain": (_group(1), [(3, 8, 100)]),
    "group_per_channel": (_group(6), [(1, 6, 50), (6,), (6,)]),
    "instance": (
        lambda m, x, w, b: m.nn.functional.instance_norm(x, weight=w, bias=b),
        [(3, 5, 12, 14), (5,), (5,)],
    ),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_functional_norms(name):
    fn, shapes = FUNCTIONAL[name]
    check_op(fn, shapes, rtol=1e-4, atol=1e-5)


def _bn(train, running=True):
    def fn(m, x, w, b):
        c = x.shape[1]
        rm = m.linspace(-0.5, 0.5, c, dtype=x.dtype) if running else None
        rv = m.linspace(0.5, 2.0, c, dtype=x.dtype) if running else None
        y = m.nn.functional.batch_norm(x, rm, rv, w, b, train, 0.3, 1e-3)
        return (y, rm, rv) if running else y

    return fn


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("shape", [(6, 4), (40, 64), (5, 3, 7), (8, 16, 6, 5), (1, 32, 9, 9)])
def test_batch_norm(shape, train):
    check_op(_bn(train), [shape, shape[1:2], shape[1:2]], rtol=1e-4, atol=1e-5)


def test_batch_norm_without_running_stats():
    check_op(_bn(True, running=False), [(16, 8, 20), (8,), (8,)], rtol=1e-4, atol=1e-5)


_NEEDS = [(True, False, False), (False, True, False), (False, False, True), (False, True, True)]


# each kind of norm with weight and bias, past einsum's threshold
AFFINE = {
    "layer": (_layer((32,)), [(70, 32), (32,), (32,)]),
    "group": (_group(2), [(3, 4, 300), (4,), (4,)]),
    "batch_train": (_bn(True, running=False), [(20, 6, 30), (6,), (6,)]),
    "batch_eval": (lambda m, x, w, b: _bn(False)(m, x, w, b)[0], [(20, 6, 30), (6,), (6,)]),
}


@pytest.mark.parametrize("needs", _NEEDS, ids=str)
@pytest.mark.parametrize("fn,shapes", AFFINE.values(), ids=AFFINE.keys())
def test_each_subset_of_gradients(fn, shapes, needs):
    e_in, t_in = make_inputs(shapes, seed=3)
    for e, t, need in zip(e_in, t_in, needs):
        e.requires_grad_(need)
        t.requires_grad_(need)
    g = np.random.default_rng(4).standard_normal(shapes[0]).astype(np.float32)
    fn(torch, *t_in).backward(torch.tensor(g))
    fn(ember, *e_in).backward(ember.tensor(g))
    for e, t in zip(e_in, t_in):
        assert (e.grad is None) == (t.grad is None)
        if t.grad is not None:
            assert_close(e.grad, t.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fn,shapes", AFFINE.values(), ids=AFFINE.keys())
def test_gradients_of_gradients(fn, shapes):
    e_in, t_in = make_inputs(shapes, dtype=np.float64, seed=5)
    g = np.random.default_rng(6).standard_normal(shapes[0])
    results = []
    for m, ins in ((torch, t_in), (ember, e_in)):
        gs = m.autograd.grad(fn(m, *ins), ins, m.tensor(g), create_graph=True)
        second = m.autograd.grad(sum((q * q).sum() for q in gs), ins, allow_unused=True)
        results.append((gs, second))
    (tg, t2), (eg, e2) = results
    assert_close(list(eg), list(tg), rtol=1e-9, atol=1e-10)
    assert [q is None for q in e2] == [q is None for q in t2] == [False, False, True]
    assert_close(list(e2[:2]), list(t2[:2]), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float16, np.float64])
def test_half_and_double(dtype):
    # half: torch's weight and bias gradients carry some ulps of their sums (ember sums in float32,
    # closer to a float64 reference)
    tol = 3e-2 if dtype == np.float16 else 1e-10
    for fn, shapes in (FUNCTIONAL["layer_large"], FUNCTIONAL["group_large"]):
        check_op(fn, shapes, dtype=dtype, rtol=tol, atol=tol)
    check_op(_bn(True, running=False), [(8, 4, 70), (4,), (4,)], dtype=dtype, rtol=tol, atol=tol)


def test_far_from_zero_mean():
    # the variance comes from the centred values: an offset of 1000 costs no precision
    x = np.random.default_rng(7).standard_normal((64, 128)).astype(np.float32) + 1000
    check_op(_layer((128,)), [x], rtol=1e-3, atol=1e-3)
    bn_inputs = [x.reshape(64, 128, 1), (128,), (128,)]
    check_op(_bn(True, running=False), bn_inputs, rtol=1e-3, atol=1e-3)


def test_output_changed_in_place_keeps_gradients():
    # without an affine, the output must not share memory with what the backward kept
    e_in, t_in = make_inputs([(40, 60)], seed=8)
    grads = []
    for m, (x,) in ((torch, t_in), (ember, e_in)):
        y = m.nn.functional.layer_norm(x, (60,))
        y.mul_(3.0).add_(1.0)
        y.sin().sum().backward()
        grads.append((y, x.grad))
    assert_close(grads[1][0], grads[0][0])
    assert_close(grads[1][1], grads[0][1], rtol=1e-4, atol=1e-5)


def test_retain_graph_twice_and_names():
    e_in, t_in = make_inputs([(6, 50, 40), (50,), (50,)], seed=9)
    for m, (x, w, b) in ((torch, t_in), (ember, e_in)):
        y = m.nn.functional.batch_norm(x, None, None, w, b, True)
        y.backward(m.ones_like(y) * 0.5, retain_graph=True)
        y.backward(m.linspace(-1, 1, 40).expand(6, 50, 40))
    for e, t in zip(e_in, t_in):
        assert_close(e.grad, t.grad, rtol=1e-4, atol=1e-5)
    x = ember.randn(4, 6, 5, requires_grad=True)
    names = {
        "NativeLayerNormBackward0": ember.nn.functional.layer_norm(x, (5,)),
        "NativeGroupNormBackward0": ember.nn.functional.group_norm(x, 2),
        "NativeBatchNormBackward0": ember.nn.functional.batch_norm(x, None, None, training=True),
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name


def test_modules_train_and_eval_steps():
    # running statistics after several steps, eval outputs and their gradients, as torch
    for make, shape in (
        (lambda nn: nn.BatchNorm2d(8, momentum=None), (6, 8, 5, 7)),
        (lambda nn: nn.BatchNorm1d(16), (30, 16)),
        (lambda nn: nn.InstanceNorm2d(4, affine=True, track_running_stats=True), (3, 4, 6, 6)),
    ):
        tm, em = make(torch.nn), make(ember.nn)
        rng = np.random.default_rng(10)
        for _ in range(3):
            x = rng.standard_normal(shape).astype(np.float32) * 2 + 0.5
            assert_close(em(ember.tensor(x)), tm(torch.tensor(x)), rtol=1e-4, atol=1e-5)
        for (k, a), (_, b) in zip(em.state_dict().items(), tm.state_dict().items()):
            assert_close(a, b, rtol=1e-5, atol=1e-6, msg=k)
        tm.eval()
        em.eval()
        e_in, t_in = make_inputs([shape], seed=11)
        em(e_in[0]).sum().backward()
        tm(t_in[0]).sum().backward()
        assert_close(e_in[0].grad, t_in[0].grad, rtol=1e-4, atol=1e-5)
        assert_close(em.weight.grad, tm.weight.grad, rtol=1e-4, atol=1e-4)


def test_empty_batch_leaves_running_statistics():
    tm, em = torch.nn.BatchNorm1d(5), ember.nn.BatchNorm1d(5)
    t, e = tm(torch.randn(0, 5)), em(ember.randn(0, 5))
    assert tuple(e.shape) == tuple(t.shape) == (0, 5)
    assert_close(em.running_mean, tm.running_mean)
    assert_close(em.running_var, tm.running_var)
    y = ember.nn.functional.layer_norm(ember.randn(3, 0), [0])
    assert tuple(y.shape) == (3, 0)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.nn.functional.layer_norm(m.ones(2, 3, dtype=m.int64), (3,)),
        lambda m: m.nn.functional.group_norm(m.ones(2, 4, dtype=m.int32), 2),
        lambda m: m.nn.functional.batch_norm(
            m.ones(2, 3, dtype=m.int64), None, None, None, None, True
        ),
    ],
)
def test_integer_input_is_refused(fn):
    e = check_raises(fn)
    with pytest.raises(NotImplementedError) as t:
        fn(torch)
    assert str(e) == str(t.value)


@pytest.mark.parametrize("fn,shapes", AFFINE.values(), ids=AFFINE.keys())
def test_strided_input_and_broadcast_gradient(fn, shapes):
    # x a transposed view; y.sum()'s gradient reaches the norm as a zero-stride array
    e_in, t_in = make_inputs([shapes[0][::-1], *shapes[1:]], seed=12)
    for m, (x, w, b) in ((torch, t_in), (ember, e_in)):
        y = fn(m, x.permute(*range(x.ndim - 1, -1, -1)), w, b)
        y.sum().backward()
    for e, t in zip(e_in, t_in):
        assert_close(e.grad, t.grad, rtol=1e-4, atol=1e-4)
