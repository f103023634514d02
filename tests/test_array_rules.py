"""The derivative rules that also run on NumPy arrays give the same gradients both ways.

A plain ``backward()`` runs the rules of primitives declared ``arrays=True`` on arrays; under
``create_graph=True`` the same rules run on Tensors (see ember/autograd/primitives/rule_ops.py).
Each case here computes the gradients both ways and compares them; a last test checks that every
primitive declared ``arrays=True`` appears in some case. The values themselves are compared with
torch by the op tests.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import to_ember

import ember
from ember._tensor import apply
from ember.autograd import engine
from ember.autograd.primitives import (
    Primitive,
    attention,
    linalg,
    loss,
    math,
    norm,
    reduce,
    rnn,
    shape,
)

E = ember
F = ember.nn.functional


def _pos(x):
    return x.abs() + 0.5


def _unit(x):
    return x.tanh() * 0.9


def _inplace_views(b):
    b.t_().transpose_(0, 1).unsqueeze_(0).squeeze_(0)
    b.unsqueeze_(0).unsqueeze_(2).squeeze_()
    b.unsqueeze_(0).unsqueeze_(1).squeeze_((0, 1))
    return b * b


def _lstm(reverse):
    def run(x, w_ih, w_hh, b_ih, b_hh, h0, c0):
        out, h, c = apply(rnn.lstm_layer, (x, w_ih, w_hh, b_ih, b_hh, h0, c0), reverse=reverse)
        return out.sum(0) + h * c

    return run


_LSTM_SHAPES = [(4, 2, 3), (8, 3), (8, 2), (8,), (8,), (2, 2), (2, 2)]


def _norms(a, wc, bc, wl, bl):
    c = a.shape[1]
    rm, rv = E.linspace(-1, 1, c, dtype=a.dtype), E.linspace(0.5, 2, c, dtype=a.dtype)
    return (
        F.layer_norm(a, a.shape[2:], wl, bl)
        + F.group_norm(a, 2, wc, bc)
        + F.batch_norm(a, None, None, wc, bc, True)
        + F.batch_norm(a, rm, rv, wc, bc, False)
        + F.layer_norm(a, a.shape[1:])
    )


CASES = {
    "alpha": (lambda a, b: a.add(b, alpha=2.5) * a.sub(b, alpha=-0.5), [(3, 4), (4,)]),
    "fmax_fmin": (lambda a, b: a.fmax(b) * 2 + a.fmin(b.clamp(-0.5, 0.5)), [(3, 4), (4,)]),
    "norms": (_norms, [(3, 4, 5), (4,), (4,), (5,), (5,)]),
    "norms_large": (_norms, [(4, 6, 120), (6,), (6,), (120,), (120,)]),  # past einsum's threshold
    "lstm_layer": (_lstm(False), _LSTM_SHAPES),
    "lstm_layer_reverse": (_lstm(True), _LSTM_SHAPES),
    "arith": (lambda a, b: (a + b) * (a - b) / _pos(b) - (2.0 - a) + (-b), [(3, 4), (4,)]),
    "pow": (lambda a: a**3 + a**0 + _pos(a) ** 0.5, [(2, 3)]),
    "pow_tensor": (lambda a, b: _pos(a) ** b, [(2, 3), (2, 3)]),
    "exp_log": (
        lambda a: (
            a.exp()
            + a.exp2()
            + a.expm1()
            + _pos(a).log()
            + _pos(a).log2()
            + _pos(a).log10()
            + _pos(a).log1p()
        ),
        [(5,)],
    ),
    "roots": (lambda a: _pos(a).sqrt() + _pos(a).rsqrt() + _pos(a).reciprocal(), [(5,)]),
    "trig": (lambda a: a.sin() * a.cos() + a.tan() + a.atan(), [(2, 5)]),
    "inverse_trig": (lambda a: _unit(a).asin() + _unit(a).acos() + _unit(a).atanh(), [(2, 5)]),
    "hyperbolic": (
        lambda a: a.sinh() + a.cosh() + a.tanh() + a.asinh() + (_pos(a) + 1).acosh(),
        [(2, 5)],
    ),
    "erf": (lambda a: a.erf() + _unit(a).erfinv(), [(2, 5)]),
    "activations": (lambda a: a.sigmoid() + a.relu() + a.abs() + F.softmax(a, 1), [(3, 4)]),
    "log_softmax": (lambda a: F.log_softmax(a, 0), [(4, 3)]),
    "piecewise": (
        lambda a: (
            a.sign() + a.floor() + a.ceil() + a.trunc() + a.round() + a.round(decimals=1) + a.frac()
        ),
        [(6,)],
    ),
    "copies": (
        lambda a: a.clone() + a.to(E.float32).to(E.float64) + a.clone().fill_(2.0) + E.fill(a, 3.0),
        [(4,)],
    ),
    "zero": (lambda a: a.clone().zero_() + a, [(4,)]),
    "extremes": (
        lambda a, b: E.maximum(a, b) + E.minimum(a, b) + a.clamp(-0.5, 0.5) + a.clamp_min(0.1),
        [(3, 4), (3, 4)],
    ),
    "where_lerp": (
        lambda a, b: E.where(a > 0, a, b) + a.lerp(b, 0.3) + a.lerp(b, b.sigmoid()),
        [(3, 4), (3, 4)],
    ),
    "clamp_tensor": (lambda a, b, c: a.clamp(b, c), [(3, 4), (3, 4), (3, 4)]),
    "flash_attention": (
        lambda q, k, v: (
            F.scaled_dot_product_attention(q, k, v)
            + F.scaled_dot_product_attention(q, k, v, is_causal=True)
            + F.scaled_dot_product_attention(q, k, v, attn_mask=E.tensor([[True] * 5, [False] * 5]))
        ),
        [(1, 2, 2, 3), (1, 2, 5, 3), (1, 2, 5, 3)],
    ),
    "clamp_one_side": (
        lambda a, b: a.clamp_max(0.2) * a.clamp_min(b) + a.clamp_max(b),
        [(3, 4), (4,)],
    ),
    "reductions": (
        lambda a: (
            a.sum()
            + a.sum(1).sum()
            + a.mean()
            + a.mean(0, keepdim=True).sum()
            + a.amax(1).sum()
            + a.amin(0).sum()
            + a.max()
            + a.min()
            + a.logsumexp(1).sum()
        ),
        [(3, 4)],
    ),
    "shapes": (
        lambda a: (
            a.view(4, 3).t().reshape(12).unsqueeze(0).squeeze().sum()
            + a.permute(1, 0).transpose(0, 1).flip(0).expand(2, 3, 4).sum()
            + a.unsqueeze(2).squeeze(2).sum()
            + a.view(1, 3, 4).squeeze(0).sum()
            + a.view(1, 3, 1, 4).squeeze((0, 2)).sum()
            + a.mT.contiguous().view(-1).sum()
        ),
        [(3, 4)],
    ),
    "regression_losses": (
        lambda a, b: (
            F.mse_loss(a, b)
            + F.mse_loss(a, b, reduction="none").sum()
            + F.smooth_l1_loss(a, b, beta=0.5)
            + F.huber_loss(a, b, reduction="sum", delta=0.7)
        ),
        [(3, 4), (3, 4)],
    ),
    "inplace_views": (lambda a: _inplace_views(a.clone()), [(3, 4)]),
    "matrix": (
        lambda a, b, v, bias: (
            (a @ b).sum()
            + (a @ v).sum()
            + E.addmm(bias, a, b).sum()
            + E.bmm(a.unsqueeze(0), b.unsqueeze(0)).sum()
            + E.dot(v, v)
            + F.linear(a, b.t()).sum()
            + E.addmm(bias, a, b, beta=0.5, alpha=2.0).sum()
        ),
        [(3, 4), (4, 5), (4,), (5,)],
    ),
    "nll": (
        lambda a: (
            F.cross_entropy(a, E.tensor([0, 2, 1]))
            + F.nll_loss(F.log_softmax(a, 1), E.tensor([1, 1, 0]), reduction="none").sum()
            + F.nll_loss(a.view(3, 3, 1, 1), E.tensor([0, 1, 2]).view(3, 1, 1), reduction="sum")
            + F.cross_entropy(a, E.full((3, 3), 1 / 3, dtype=E.float64))
        ),
        [(3, 3)],
    ),
}


def _inputs(shapes, seed):
    rng = np.random.default_rng(seed)
    return [to_ember(torch.from_numpy(rng.uniform(-1.5, 1.5, s)), True) for s in shapes]


def _names(t) -> set:
    seen, stack, names = set(), [t.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        stack.extend(child for child, _ in node.next_functions)
    return names


@pytest.mark.parametrize("name", sorted(CASES))
def test_array_rules_match_tensor_rules(name):
    fn, shapes = CASES[name]
    xs = _inputs(shapes, seed=len(name))
    out = fn(*xs)
    cot = E.tensor(np.random.default_rng(1).uniform(0.5, 1.5, tuple(out.shape)))
    plain = E.autograd.grad(out, xs, cot, retain_graph=True, allow_unused=True)
    recorded = E.autograd.grad(out, xs, cot, create_graph=True, allow_unused=True)
    for i, (p, r) in enumerate(zip(plain, recorded)):
        assert (p is None) == (r is None), f"{name}: input {i}"
        if p is not None:
            assert p.dtype == r.dtype and p.shape == r.shape, f"{name}: input {i}"
            np.testing.assert_allclose(
                p.numpy(), r.detach().numpy(), rtol=1e-12, atol=1e-12, err_msg=f"{name}: {i}"
            )


def test_every_array_primitive_has_a_case():
    flagged = {
        p.name
        for module in (math, reduce, shape, linalg, loss, rnn, norm, attention)
        for p in vars(module).values()
        if isinstance(p, Primitive) and p.node.array_rules
    }
    covered = set()
    for fn, shapes in CASES.values():
        covered |= _names(fn(*_inputs(shapes, 0)))
    assert flagged - covered == set()


def test_leaves_sharing_a_gradient_get_their_own_grad():
    # An addition hands both inputs the same gradient array: each leaf must own its .grad.
    ts = [torch.ones(3, requires_grad=True) for _ in range(2)]
    es = [E.ones(3, requires_grad=True) for _ in range(2)]
    for _ in range(2):
        ((ts[0] + ts[1]) * 2.0).backward(torch.ones(3))
        ((es[0] + es[1]) * 2.0).backward(E.ones(3))
    assert es[0].grad is not es[1].grad
    for e, t in zip(es, ts):
        np.testing.assert_array_equal(e.grad.numpy(), t.grad.numpy())


def test_numpy_scalar_gradients_become_tensors():
    # 0-d arrays through NumPy ufuncs come back as NumPy scalars; leaves still get Tensors.
    x = E.tensor(2.0, requires_grad=True)
    (x * x).exp().backward()
    assert type(x.grad) is E.Tensor and type(x.grad._data) is np.ndarray
    np.testing.assert_allclose(x.grad.item(), 4 * np.exp(4.0), rtol=1e-6)


def test_hooks_see_tensors_in_a_plain_backward():
    seen = []
    x = E.ones(2, 3, requires_grad=True)
    y = x.exp()
    y.register_hook(lambda g: seen.append(type(g)) or g * 2)
    y.grad_fn.register_hook(lambda gi, go: seen.append(type(gi[0])))
    y.sum().backward()
    assert seen == [E.Tensor, E.Tensor]
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.e * np.ones((2, 3)), rtol=1e-6)
    assert engine.OpNode.array_rules is False  # a primitive opts in; others get Tensors
