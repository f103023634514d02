"""ember.distributions.kl_divergence against torch's: every registered pair, dispatch, Bregman."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD
from distributions_helpers import (
    DTYPES,
    TOL,
    assert_same_error,
    build,
    compare_grads,
    lower_tril,
    make_case,
    real,
)
from helpers import assert_close, check_raises

import ember
import ember.distributions as ED

KL_PAIRS = [
    ("Normal", "Normal"),
    ("Bernoulli", "Bernoulli"),
    ("Bernoulli_logits", "Bernoulli"),
    ("Categorical", "Categorical_logits"),
    ("OneHotCategorical", "OneHotCategorical"),
    ("Uniform", "Uniform"),
    ("Exponential", "Exponential"),
    ("Laplace", "Laplace"),
    ("Gamma", "Gamma"),
    ("Beta", "Beta"),
    ("Dirichlet", "Dirichlet"),
    ("Poisson", "Poisson"),
    ("LogNormal", "LogNormal"),
    ("MultivariateNormal_tril", "MultivariateNormal_cov"),
    ("MultivariateNormal_prec", "MultivariateNormal_tril"),
    ("Cauchy", "Cauchy"),
    ("Geometric", "Geometric_logits"),
    ("Gumbel", "Gumbel"),
    ("HalfNormal", "HalfNormal"),
    ("Chi2", "Chi2"),
    ("Pareto", "Pareto"),
    ("ContinuousBernoulli", "ContinuousBernoulli_logits"),
    ("Chi2", "Gamma"),
    ("Exponential", "Gamma"),
    ("Gamma", "Exponential"),
    ("Uniform", "Normal"),
    ("Uniform", "Exponential"),
    ("Normal", "Laplace"),
]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("pair", KL_PAIRS, ids=lambda p: f"{p[0]}-{p[1]}")
def test_kl_divergence(pair, dt):
    ep, tp, ep_in, tp_in, _ = make_case(pair[0], dt, seed=5)
    eq, tq, eq_in, tq_in, _ = make_case(pair[1], dt, seed=6)
    r, a = TOL[dt]
    e_kl, t_kl = ED.kl_divergence(ep, eq), TD.kl_divergence(tp, tq)
    assert_close(e_kl, t_kl, r * 10, a * 10, msg=f"KL{pair}")
    if t_kl.requires_grad:
        compare_grads(e_kl, t_kl, ep_in + eq_in, tp_in + tq_in, dt, f"KL{pair}")


def test_kl_edge_cases():
    p = np.array([0.0, 0.3, 1.0, 0.5], np.float32)
    q = np.array([0.4, 0.0, 0.2, 1.0], np.float32)
    e = ED.kl_divergence(ED.Bernoulli(ember.tensor(p)), ED.Bernoulli(ember.tensor(q)))
    t = TD.kl_divergence(TD.Bernoulli(torch.tensor(p)), TD.Bernoulli(torch.tensor(q)))
    assert_close(e, t)
    cp = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]], np.float32)
    cq = np.array([[0.3, 0.0, 0.7], [0.2, 0.3, 0.5]], np.float32)
    e = ED.kl_divergence(ED.Categorical(ember.tensor(cp)), ED.Categorical(ember.tensor(cq)))
    t = TD.kl_divergence(TD.Categorical(torch.tensor(cp)), TD.Categorical(torch.tensor(cq)))
    assert_close(e, t)
    lo, hi = np.array([0.0, -1.0], np.float32), np.array([1.0, 2.0], np.float32)
    e = ED.kl_divergence(ED.Uniform(ember.tensor(lo), ember.tensor(hi)), ED.Uniform(0.0, 1.5))
    t = TD.kl_divergence(TD.Uniform(torch.tensor(lo), torch.tensor(hi)), TD.Uniform(0.0, 1.5))
    assert_close(e, t)
    n1, n2 = np.array([3.0, 5.0], np.float32), np.array([3.0, 4.0], np.float32)
    e = ED.kl_divergence(ED.Binomial(ember.tensor(n1), 0.3), ED.Binomial(ember.tensor(n2), 0.6))
    t = TD.kl_divergence(TD.Binomial(torch.tensor(n1), 0.3), TD.Binomial(torch.tensor(n2), 0.6))
    assert_close(e, t)
    check_raises(
        lambda m: m.distributions.kl_divergence(
            m.distributions.Binomial(2, 0.3), m.distributions.Binomial(3, 0.3)
        )
    )


def test_kl_independent_and_dispatch():
    r = np.random.default_rng(8)
    a, b, c, d = (real(r, (2, 3), "float64") for _ in range(4))
    e = ED.kl_divergence(
        ED.Independent(ED.Normal(ember.tensor(a), ember.tensor(b).exp()), 1),
        ED.Independent(ED.Normal(ember.tensor(c), ember.tensor(d).exp()), 1),
    )
    t = TD.kl_divergence(
        TD.Independent(TD.Normal(torch.tensor(a), torch.tensor(b).exp()), 1),
        TD.Independent(TD.Normal(torch.tensor(c), torch.tensor(d).exp()), 1),
    )
    assert_close(e, t)
    check_raises(
        lambda m: m.distributions.kl_divergence(
            m.distributions.Poisson(1.0), m.distributions.Normal(0.0, 1.0)
        )
    )
    check_raises(lambda m: m.distributions.register_kl("x", m.distributions.Normal))
    # exponential families of different types: torch's message for its Bregman fallback
    assert_same_error(
        lambda m: m.distributions.kl_divergence(
            m.distributions.Normal(0.0, 1.0), m.distributions.Bernoulli(0.5)
        )
    )

    class MyNormal(ED.Normal):
        pass

    # a subclass inherits its parents' registration, until one is registered for it
    assert_close(
        ED.kl_divergence(MyNormal(0.0, 1.0), ED.Normal(1.0, 2.0)),
        TD.kl_divergence(TD.Normal(0.0, 1.0), TD.Normal(1.0, 2.0)),
    )

    @ED.register_kl(MyNormal, ED.Normal)
    def _kl_mine(p, q):
        return ember.tensor(42.0)

    assert ED.kl_divergence(MyNormal(0.0, 1.0), ED.Normal(1.0, 2.0)).item() == 42.0
    assert ED.kl_divergence(ED.Normal(0.0, 1.0), MyNormal(1.0, 2.0)).item() != 42.0


def test_kl_multivariate_normal_event_shapes_differ():
    check_raises(
        lambda m: m.distributions.kl_divergence(
            m.distributions.MultivariateNormal(m.zeros(2), m.eye(2)),
            m.distributions.MultivariateNormal(m.zeros(3), m.eye(3)),
        )
    )


def _kl_params(name, r, dt):
    """A distribution of each registered family (batch shape (3,)) as (args, kwargs)."""
    u = lambda lo, hi: r.uniform(lo, hi, 3).astype(dt)  # noqa: E731
    table = {
        "Bernoulli": ((u(0.1, 0.9),), {}),
        "Binomial": ((5.0, u(0.1, 0.9)), {}),
        "Beta": ((u(0.5, 2), u(0.5, 2)), {}),
        "ContinuousBernoulli": ((u(0.1, 0.9),), {}),
        "Exponential": ((u(0.5, 2),), {}),
        "Gamma": ((u(0.5, 2), u(0.5, 2)), {}),
        "Gumbel": ((u(-1, 1), u(0.5, 2)), {}),
        "Laplace": ((u(-1, 1), u(0.5, 2)), {}),
        "Normal": ((u(-1, 1), u(0.5, 2)), {}),
        "Pareto": ((u(0.2, 0.5), u(2.5, 4)), {}),
        "Poisson": ((u(0.5, 2),), {}),
        "Uniform": ((u(0.0, 0.3), u(0.6, 1.0)), {}),
        "LowRankMultivariateNormal": (
            (real(r, (3, 2), dt), real(r, (2, 1), dt), u(0.5, 2)[:2]),
            {},
        ),
        "MultivariateNormal": ((real(r, (3, 2), dt),), {"scale_tril": lower_tril(r, (2, 2), dt)}),
    }
    return table.get(name)


def _registered_pairs():
    from torch.distributions.kl import _KL_REGISTRY

    pairs = []
    for tp, tq in _KL_REGISTRY:
        if _kl_params(tp.__name__, np.random.default_rng(0), "float64") is None:
            continue
        if _kl_params(tq.__name__, np.random.default_rng(0), "float64") is None:
            continue
        pairs.append((tp.__name__, tq.__name__))
    return sorted(pairs)


@pytest.mark.parametrize("pair", _registered_pairs(), ids=lambda p: f"{p[0]}-{p[1]}")
def test_kl_divergence_every_torch_pair(pair):
    r = np.random.default_rng(21)
    p_args, p_kw = _kl_params(pair[0], r, "float64")
    q_args, q_kw = _kl_params(pair[1], r, "float64")
    ep, tp, ep_in, tp_in = build(pair[0], p_args, p_kw)
    eq, tq, eq_in, tq_in = build(pair[1], q_args, q_kw)
    e_kl, t_kl = ED.kl_divergence(ep, eq), TD.kl_divergence(tp, tq)
    assert_close(e_kl, t_kl, 1e-7, 1e-9, msg=f"KL{pair}")
    if t_kl.requires_grad and bool(torch.isfinite(t_kl).all()):
        compare_grads(e_kl, t_kl, ep_in + eq_in, tp_in + tq_in, "float64", f"KL{pair}")


EXP_FAMILY = [
    lambda m, D: D.Normal(m.tensor([0.5, -1.0]), m.tensor([2.0, 0.7])),
    lambda m, D: D.Bernoulli(m.tensor([0.3, 0.9])),
    lambda m, D: D.Exponential(m.tensor([2.0, 0.4])),
    lambda m, D: D.Gamma(m.tensor([2.0, 0.5]), m.tensor([3.0, 1.5])),
    lambda m, D: D.ContinuousBernoulli(m.tensor([0.3, 0.8])),
]


@pytest.mark.parametrize("make", EXP_FAMILY, ids=range(len(EXP_FAMILY)))
def test_exponential_family_entropy_and_bregman_kl(make):
    e, t = make(ember, ED), make(torch, TD)
    for a, b in zip(e._natural_params, t._natural_params):
        assert_close(a, b)
    assert_close(e._log_normalizer(*e._natural_params), t._log_normalizer(*t._natural_params))
    # the generic entropy, from the log normalizer's gradient
    assert_close(ED.ExponentialFamily.entropy(e), TD.ExponentialFamily.entropy(t), 1e-4, 1e-5)
    eq, tq = type(e)(**_reversed_params(e)), type(t)(**_reversed_params(t))
    from torch.distributions.kl import _kl_expfamily_expfamily

    assert_close(e._bregman_kl(eq), _kl_expfamily_expfamily(t, tq), 1e-4, 1e-5)
    # and the registered closed form agrees with it
    np.testing.assert_allclose(
        e._bregman_kl(eq).detach().numpy(), ED.kl_divergence(e, eq).numpy(), rtol=1e-4
    )


def _reversed_params(d):
    """The same family with its parameters in reverse batch order."""
    names = [n for n in d.arg_constraints if n in d.__dict__]
    if "probs" in names:
        names = ["probs"]
    return {n: d.__dict__[n].flip(0) for n in names}


def test_user_exponential_family_uses_bregman_kl():
    def make(D, m):
        class Rayleighish(D.ExponentialFamily):
            """A toy member of the family: t(x) = x^2 with theta = -1 / (2 s^2)."""

            arg_constraints = {}

            def __init__(self, s):
                self.s = s
                super().__init__(s.shape)

            @property
            def _natural_params(self):
                return (-0.5 / self.s.pow(2),)

            def _log_normalizer(self, x):
                return -m.log(-2 * x)

            _mean_carrier_measure = 0

        return Rayleighish

    E, T = make(ED, ember), make(TD, torch)
    s1, s2 = np.array([0.5, 2.0]), np.array([1.5, 1.0])
    e_kl = ED.kl_divergence(E(ember.tensor(s1)), E(ember.tensor(s2)))
    t_kl = TD.kl_divergence(T(torch.tensor(s1)), T(torch.tensor(s2)))
    assert_close(e_kl, t_kl)
    assert_close(E(ember.tensor(s1)).entropy(), T(torch.tensor(s1)).entropy())
