"""Shared pieces of the ember.distributions tests: parameter sets in both libraries, gradient
comparison, and one constructor per distribution case."""

from __future__ import annotations

import numpy as np
import torch
import torch.distributions as TD
from helpers import assert_close, check_raises

import ember
import ember.distributions as ED

DTYPES = ["float32", "float64"]


TOL = {"float32": (2e-4, 2e-5), "float64": (1e-9, 1e-10)}


def leaves(arrays, grad=True):
    """The same arrays as ember and torch leaf tensors (float ones requiring grad)."""
    e, t = [], []
    for a in arrays:
        if not isinstance(a, np.ndarray):
            e.append(a)
            t.append(a)
            continue
        rg = grad and a.dtype.kind == "f"
        e.append(ember.tensor(a.copy(), requires_grad=rg))
        t.append(torch.tensor(a.copy(), requires_grad=rg))
    return e, t


def build(name, args, kwargs=None):
    """``name(*args, **kwargs)`` in both libraries, with ember/torch versions of the tensors."""
    kwargs = kwargs or {}
    keys = list(kwargs)
    e_all, t_all = leaves(list(args) + [kwargs[k] for k in keys])
    n = len(args)
    e = getattr(ED, name)(*e_all[:n], **dict(zip(keys, e_all[n:])))
    t = getattr(TD, name)(*t_all[:n], **dict(zip(keys, t_all[n:])))
    return e, t, e_all, t_all


def compare_grads(e_out, t_out, e_in, t_in, dt, msg):
    """Backpropagate the same random cotangent through both outputs; compare every input's grad."""
    w = np.random.default_rng(7).standard_normal(tuple(t_out.shape)).astype(dt)
    (t_out * torch.from_numpy(w)).sum().backward()
    (e_out * ember.from_numpy(w.copy())).sum().backward()
    r, a = TOL[dt]
    for i, (ei, ti) in enumerate(zip(e_in, t_in)):
        if not isinstance(ti, torch.Tensor) or not ti.requires_grad:
            continue
        assert (ei.grad is None) == (ti.grad is None), f"{msg}: grad presence of input {i}"
        if ti.grad is not None:
            assert_close(ei.grad, ti.grad, r * 10, a * 10, msg=f"{msg}: grad of input {i}")


def pos(rng, shape, dt, low=0.5, high=2.0):
    return rng.uniform(low, high, shape).astype(dt)


def real(rng, shape, dt):
    return rng.standard_normal(shape).astype(dt)


def probs(rng, shape, dt):
    return rng.uniform(0.05, 0.95, shape).astype(dt)


def simplex(rng, shape, dt):
    p = rng.uniform(0.1, 1.0, shape)
    return (p / p.sum(-1, keepdims=True)).astype(dt)


def lower_tril(rng, shape, dt):
    n = shape[-1]
    m = rng.standard_normal(shape) * 0.3
    m = np.tril(m, -1) + np.eye(n) * rng.uniform(0.5, 1.5, shape[:-1])[..., None]
    return m.astype(dt)


def spd(rng, shape, dt):
    m = rng.standard_normal(shape)
    return (m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dt)


# Each case: name, constructor args and kwargs (made from an rng and dtype), and a value in the
# support of shape ``value_shape`` (batch shape (2, 3) unless the parameters say otherwise).
def _cases():
    B = (2, 3)
    return {
        "Normal": (lambda r, d: ((real(r, B, d), pos(r, B, d)), {}), lambda r, d: real(r, B, d)),
        "Normal_scalar_scale": (
            lambda r, d: ((real(r, B, d), 0.7), {}),
            lambda r, d: real(r, B, d),
        ),
        "Bernoulli": (lambda r, d: ((probs(r, B, d),), {}), lambda r, d: _bits(r, B, d)),
        "Bernoulli_logits": (
            lambda r, d: ((), {"logits": real(r, B, d)}),
            lambda r, d: _bits(r, B, d),
        ),
        "Categorical": (
            lambda r, d: ((simplex(r, (2, 3, 4), d) * 3,), {}),
            lambda r, d: r.integers(0, 4, B),
        ),
        "Categorical_logits": (
            lambda r, d: ((), {"logits": real(r, (2, 3, 4), d)}),
            lambda r, d: r.integers(0, 4, B),
        ),
        "OneHotCategorical": (
            lambda r, d: ((simplex(r, (2, 3, 4), d),), {}),
            lambda r, d: np.eye(4, dtype=d)[r.integers(0, 4, B)],
        ),
        "Uniform": (
            lambda r, d: ((-(real(r, B, d) ** 2) - 0.5, real(r, B, d) ** 2 + 0.5), {}),
            lambda r, d: r.uniform(-0.2, 0.2, B).astype(d),
        ),
        "Exponential": (lambda r, d: ((pos(r, B, d),), {}), lambda r, d: pos(r, B, d, 0, 3)),
        "Laplace": (lambda r, d: ((real(r, B, d), pos(r, B, d)), {}), lambda r, d: real(r, B, d)),
        "Gamma": (lambda r, d: ((pos(r, B, d), pos(r, B, d)), {}), lambda r, d: pos(r, B, d, 0.1)),
        "Beta": (lambda r, d: ((pos(r, B, d), pos(r, B, d)), {}), lambda r, d: probs(r, B, d)),
        "Dirichlet": (lambda r, d: ((pos(r, (2, 4), d),), {}), lambda r, d: simplex(r, (2, 4), d)),
        "Poisson": (
            lambda r, d: ((pos(r, B, d, 0.5, 4),), {}),
            lambda r, d: r.integers(0, 6, B).astype(d),
        ),
        "Binomial": (
            lambda r, d: ((r.integers(3, 8, B).astype(d), probs(r, B, d)), {}),
            lambda r, d: r.integers(0, 3, B).astype(d),
        ),
        "Binomial_logits": (
            lambda r, d: ((6,), {"logits": real(r, B, d)}),
            lambda r, d: r.integers(0, 7, B).astype(d),
        ),
        "LogNormal": (
            lambda r, d: ((real(r, B, d), pos(r, B, d)), {}),
            lambda r, d: pos(r, B, d, 0.1, 3),
        ),
        "Cauchy": (lambda r, d: ((real(r, B, d), pos(r, B, d)), {}), lambda r, d: real(r, B, d)),
        "HalfNormal": (lambda r, d: ((pos(r, B, d),), {}), lambda r, d: pos(r, B, d, 0.0, 3.0)),
        "Geometric": (
            lambda r, d: ((probs(r, B, d),), {}),
            lambda r, d: r.integers(0, 6, B).astype(d),
        ),
        "Geometric_logits": (
            lambda r, d: ((), {"logits": real(r, B, d)}),
            lambda r, d: r.integers(0, 6, B).astype(d),
        ),
        "Multinomial": (
            lambda r, d: ((5, simplex(r, (2, 4), d)), {}),
            lambda r, d: np.array([[1, 0, 3, 1], [0, 0, 0, 5]], d),
        ),
        "Multinomial_logits": (
            lambda r, d: ((4,), {"logits": real(r, (3, 2), d)}),
            lambda r, d: np.array([[1, 3], [0, 4], [2, 2]], d),
        ),
        "Chi2": (lambda r, d: ((pos(r, B, d, 0.5, 5),), {}), lambda r, d: pos(r, B, d, 0.1, 4)),
        "StudentT": (
            lambda r, d: ((pos(r, B, d, 0.5, 5), real(r, B, d), pos(r, B, d)), {}),
            lambda r, d: real(r, B, d) * 3,
        ),
        "Gumbel": (lambda r, d: ((real(r, B, d), pos(r, B, d)), {}), lambda r, d: real(r, B, d)),
        "HalfCauchy": (lambda r, d: ((pos(r, B, d),), {}), lambda r, d: pos(r, B, d, 0.0, 3.0)),
        "Pareto": (
            lambda r, d: ((pos(r, B, d, 0.5, 1.0), pos(r, B, d, 0.5, 4.0)), {}),
            lambda r, d: pos(r, B, d, 1.0, 3.0),
        ),
        "Weibull": (
            lambda r, d: ((pos(r, B, d), pos(r, B, d)), {}),
            lambda r, d: pos(r, B, d, 0.1),
        ),
        "InverseGamma": (
            lambda r, d: ((pos(r, B, d, 0.5, 4.0), pos(r, B, d)), {}),
            lambda r, d: pos(r, B, d, 0.1),
        ),
        "Kumaraswamy": (
            lambda r, d: ((pos(r, B, d), pos(r, B, d)), {}),
            lambda r, d: probs(r, B, d),
        ),
        "NegativeBinomial": (
            lambda r, d: ((pos(r, B, d, 0.5, 5.0), probs(r, B, d)), {}),
            lambda r, d: r.integers(0, 6, B).astype(d),
        ),
        "NegativeBinomial_logits": (
            lambda r, d: ((pos(r, B, d, 0.5, 5.0),), {"logits": real(r, B, d)}),
            lambda r, d: r.integers(0, 6, B).astype(d),
        ),
        "RelaxedBernoulli": (
            lambda r, d: ((np.array(0.7, d), probs(r, B, d)), {}),
            lambda r, d: probs(r, B, d),
        ),
        "RelaxedBernoulli_logits": (
            lambda r, d: ((np.array(1.3, d),), {"logits": real(r, B, d)}),
            lambda r, d: probs(r, B, d),
        ),
        "RelaxedOneHotCategorical": (
            lambda r, d: ((np.array(0.6, d), simplex(r, (2, 4), d)), {}),
            lambda r, d: simplex(r, (2, 4), d),
        ),
        "OneHotCategoricalStraightThrough": (
            lambda r, d: ((simplex(r, (2, 3, 4), d),), {}),
            lambda r, d: np.eye(4, dtype=d)[r.integers(0, 4, B)],
        ),
        "ContinuousBernoulli": (
            lambda r, d: ((np.array([[0.1, 0.4995, 0.7], [0.5, 0.93, 0.3]], d),), {}),
            lambda r, d: probs(r, B, d),
        ),
        "ContinuousBernoulli_logits": (
            lambda r, d: ((), {"logits": real(r, B, d)}),
            lambda r, d: probs(r, B, d),
        ),
        "FisherSnedecor": (
            lambda r, d: ((pos(r, B, d, 1.0, 9.0), pos(r, B, d, 1.0, 9.0)), {}),
            lambda r, d: pos(r, B, d, 0.1, 3.0),
        ),
        "LogisticNormal": (
            lambda r, d: ((real(r, (2, 3), d), pos(r, (2, 3), d)), {}),
            lambda r, d: simplex(r, (2, 4), d),
        ),
        "LowRankMultivariateNormal": (
            lambda r, d: ((real(r, (2, 3), d), real(r, (3, 2), d), pos(r, (2, 3), d)), {}),
            lambda r, d: real(r, (4, 2, 3), d),
        ),
        "GeneralizedPareto": (
            lambda r, d: ((real(r, B, d), pos(r, B, d), r.uniform(-0.2, 0.4, B).astype(d)), {}),
            lambda r, d: np.full(B, 2.0, d),
        ),
        "VonMises": (
            lambda r, d: ((real(r, B, d), pos(r, B, d, 0.2, 6.0)), {}),
            lambda r, d: r.uniform(-3.1, 3.1, B).astype(d),
        ),
        "MultivariateNormal_tril": (
            lambda r, d: ((real(r, (2, 3), d),), {"scale_tril": lower_tril(r, (2, 3, 3), d)}),
            lambda r, d: real(r, (2, 3), d),
        ),
        "MultivariateNormal_cov": (
            lambda r, d: ((real(r, (2, 3), d),), {"covariance_matrix": spd(r, (3, 3), d)}),
            lambda r, d: real(r, (4, 2, 3), d),
        ),
        "MultivariateNormal_prec": (
            lambda r, d: ((real(r, (3,), d),), {"precision_matrix": spd(r, (2, 3, 3), d)}),
            lambda r, d: real(r, (2, 3), d),
        ),
    }


def _bits(r, shape, d):
    return r.integers(0, 2, shape).astype(d)


CASES = _cases()


# torch's GeneralizedPareto compares float64 parameters with a float32 zero and raises
FLOAT32_ONLY = {"GeneralizedPareto"}


def make_case(key, dt, seed=0):
    params, value = CASES[key]
    r = np.random.default_rng(seed)
    args, kwargs = params(r, dt)
    e, t, e_in, t_in = build(key.split("_")[0], args, kwargs)
    v = value(r, dt)
    return e, t, e_in, t_in, v


def assert_same_error(make):
    """Both raise the same exception type with the same message (Ember's names for torch's)."""
    e_exc = check_raises(make)
    try:
        make(torch)
    except Exception as t_exc:  # noqa: BLE001
        assert str(e_exc).replace("ember.", "torch.") == str(t_exc)
