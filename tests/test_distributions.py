"""ember.distributions against torch.distributions: densities, moments, sampling, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.distributions as TD
from distributions_helpers import (
    CASES,
    DTYPES,
    FLOAT32_ONLY,
    TOL,
    assert_same_error,
    build,
    compare_grads,
    make_case,
)
from helpers import assert_close, check_raises

import ember
import ember.distributions as ED


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("key", sorted(CASES))
def test_log_prob_values_and_grads(key, dt):
    if key in FLOAT32_ONLY and dt == "float64":
        pytest.skip("torch raises here; see test_generalized_pareto_float64")
    e, t, e_in, t_in, v = make_case(key, dt)
    assert e.batch_shape == tuple(t.batch_shape) and e.event_shape == tuple(t.event_shape)
    r, a = TOL[dt]
    e_lp, t_lp = e.log_prob(ember.tensor(v)), t.log_prob(torch.tensor(v))
    assert_close(e_lp, t_lp, r, a, msg=f"{key} log_prob")
    compare_grads(e_lp, t_lp, e_in, t_in, dt, f"{key} log_prob")


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("key", sorted(CASES))
def test_entropy_and_moments(key, dt):
    e, t, e_in, t_in, _ = make_case(key, dt, seed=1)
    r, a = TOL[dt]
    for name in ("mean", "variance", "stddev", "mode"):
        try:
            expected = getattr(t, name)
        except NotImplementedError:
            with pytest.raises(NotImplementedError):
                getattr(e, name)
            continue
        assert_close(getattr(e, name), expected, r, a, msg=f"{key}.{name}")
    try:
        t_h = t.entropy()
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            e.entropy()
        return
    e_h = e.entropy()
    assert_close(e_h, t_h, r, a, msg=f"{key} entropy")
    if t_h.requires_grad:
        compare_grads(e_h, t_h, e_in, t_in, dt, f"{key} entropy")


@pytest.mark.parametrize("key", sorted(CASES))
def test_sample_shapes_and_dtypes(key):
    e, t, *_ = make_case(key, "float64")
    for shape in [(), (5,), (2, 1)]:
        es, ts = e.sample(shape), t.sample(shape)
        assert tuple(es.shape) == tuple(ts.shape), f"{key} sample{shape}"
        assert str(es.dtype)[6:] == str(ts.dtype)[6:], f"{key} sample dtype"
        assert not es.requires_grad
        assert bool(e.support.check(es).all()), f"{key}: a sample outside the support"
        if t.has_rsample:
            er, tr = e.rsample(shape), t.rsample(shape)
            assert tuple(er.shape) == tuple(tr.shape) and er.requires_grad == tr.requires_grad
    assert e.has_rsample == t.has_rsample
    if not t.has_rsample:
        check_raises(lambda m: (e if m is ember else t).rsample())
    assert e.has_enumerate_support == t.has_enumerate_support


@pytest.mark.parametrize("key", sorted(CASES))
def test_expand(key):
    e, t, *_ = make_case(key, "float32")
    shape = (5,) + tuple(t.batch_shape)
    ex, tx = e.expand(shape), t.expand(shape)
    assert ex.batch_shape == tuple(tx.batch_shape) and ex.event_shape == tuple(tx.event_shape)
    assert type(ex) is type(e)
    try:
        expected = tx.mean
    except NotImplementedError:  # relaxed distributions have no closed-form mean
        expected = tx.sample()
        assert_close(ex.sample().shape, expected.shape)
    else:
        assert_close(ex.mean, expected, msg=f"{key} expanded mean")
    assert tuple(ex.sample().shape) == tuple(tx.sample().shape)


@pytest.mark.parametrize("key", ["Bernoulli", "Categorical", "OneHotCategorical", "Binomial"])
def test_enumerate_support(key):
    if key == "Binomial":
        e, t, *_ = build(key, (4, np.array([0.2, 0.7], np.float32)))
    else:
        e, t, *_ = make_case(key, "float32")
    for expand in (True, False):
        assert_close(e.enumerate_support(expand), t.enumerate_support(expand))


def test_binomial_inhomogeneous_count_errors():
    e, t, *_ = make_case("Binomial", "float32")
    check_raises(lambda m: (e if m is ember else t).entropy())
    check_raises(lambda m: (e if m is ember else t).enumerate_support())


NO_ICDF = {"Gamma", "Chi2", "InverseGamma"}


CDF_CASES = [
    "Normal",
    "Gamma",
    "Chi2",
    "InverseGamma",
    "GeneralizedPareto",
    "ContinuousBernoulli",
    "Uniform",
    "Exponential",
    "Laplace",
    "LogNormal",
    "Cauchy",
    "HalfNormal",
    "HalfCauchy",
    "Pareto",
    "Weibull",
    "Kumaraswamy",
]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("key", CDF_CASES)
def test_cdf_icdf(key, dt):
    if key in FLOAT32_ONLY and dt == "float64":
        pytest.skip("torch raises here; see test_generalized_pareto_float64")
    e, t, e_in, t_in, v = make_case(key, dt, seed=2)
    r, a = TOL[dt]
    e_c, t_c = e.cdf(ember.tensor(v)), t.cdf(torch.tensor(v))
    assert_close(e_c, t_c, r * 10, a * 10, msg=f"{key} cdf")
    q = np.random.default_rng(3).uniform(0.05, 0.95, tuple(t.batch_shape)).astype(dt)
    if key in NO_ICDF:
        # no derivative in the concentration (see test_gamma_cdf_gradients), and no icdf
        check_raises(lambda m: (e if m is ember else t).icdf(m.tensor(q)))
        return
    compare_grads(e_c, t_c, e_in, t_in, dt, f"{key} cdf")
    e, t, e_in, t_in, _ = make_case(key, dt, seed=2)
    e_q, t_q = e.icdf(ember.tensor(q)), t.icdf(torch.tensor(q))
    assert_close(e_q, t_q, r * 10, a * 10, msg=f"{key} icdf")
    compare_grads(e_q, t_q, e_in, t_in, dt, f"{key} icdf")


RSAMPLE_SAME_NOISE = [
    "Normal",
    "Cauchy",
    "HalfCauchy",
    "GeneralizedPareto",
    "ContinuousBernoulli",
    "LogisticNormal",
    "LowRankMultivariateNormal",
    "Pareto",
    "Weibull",
    "Kumaraswamy",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "OneHotCategoricalStraightThrough",
    "HalfNormal",
    "Gumbel",
    "Uniform",
    "Exponential",
    "Laplace",
    "LogNormal",
    "MultivariateNormal_tril",
    "MultivariateNormal_cov",
]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("key", RSAMPLE_SAME_NOISE)
def test_rsample_same_seed_values_and_grads(key, dt):
    e, t, e_in, t_in, _ = make_case(key, dt, seed=9)
    ember.manual_seed(3)
    torch.manual_seed(3)
    es, ts = e.rsample((5,)), t.rsample((5,))
    r, a = TOL[dt]
    assert_close(es, ts, r, a, msg=f"{key} rsample")
    f_e, f_t = (es * es).sin(), (ts * ts).sin()  # a deterministic function of the sample
    compare_grads(f_e, f_t, e_in, t_in, dt, f"{key} rsample")


def test_normal_rsample_gradients_are_the_noise():
    loc = ember.zeros(4, requires_grad=True)
    scale = ember.ones(4, requires_grad=True)
    ember.manual_seed(11)
    x = ED.Normal(loc, scale).rsample()
    x.sum().backward()
    assert np.array_equal(loc.grad.numpy(), np.ones(4, np.float32))
    np.testing.assert_allclose(scale.grad.numpy(), x.detach().numpy())  # eps, since loc = 0


def test_gamma_rsample_gradient_is_implicit_reparameterization():
    alpha = np.array([0.3, 0.9, 1.5, 4.0, 20.0, 150.0])
    rate = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0])
    a = ember.tensor(alpha, requires_grad=True)
    b = ember.tensor(rate, requires_grad=True)
    ember.manual_seed(1)
    x = ED.Gamma(a, b).rsample()
    x.sum().backward()
    z = x.detach().numpy() * rate  # the standard-gamma draws
    dz = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(z)).numpy()
    np.testing.assert_allclose(a.grad.numpy(), dz / rate, rtol=1e-3)
    np.testing.assert_allclose(b.grad.numpy(), -x.detach().numpy() / rate, rtol=1e-10)


def test_beta_and_dirichlet_rsample_are_differentiable():
    c = ember.tensor([0.5, 2.0, 3.0], requires_grad=True)
    x = ED.Dirichlet(c).rsample((50,))
    assert x.requires_grad
    (x[:, 0]).sum().backward()
    # raising the first concentration moves mass to the first coordinate, on average
    assert c.grad[0].item() > 0 and c.grad[1].item() < 0 and c.grad[2].item() < 0
    c1 = ember.tensor(2.0, requires_grad=True)
    y = ED.Beta(c1, ember.tensor(3.0)).rsample((100,))
    y.sum().backward()
    assert c1.grad.item() > 0


# Samples that are the very same floats (the rest apply exp, log or a matrix product to the same
# noise, so they may differ in the last bit)
EXACT_SAMPLES = (
    "Normal",
    "Bernoulli",
    "Categorical",
    "OneHotCategorical",
    "Uniform",
    "Exponential",
    "Geometric",
    "Multinomial",
    "HalfNormal",
)


# the reparameterized ones, and those sampled by torch's bernoulli/multinomial/normal
SAME_SEED = RSAMPLE_SAME_NOISE + [
    "Normal_scalar_scale",
    "Bernoulli",
    "Bernoulli_logits",
    "Categorical",
    "Categorical_logits",
    "OneHotCategorical",
    "MultivariateNormal_prec",
    "VonMises",
    "Geometric",
    "Geometric_logits",
    "Multinomial",
    "Multinomial_logits",
]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("key", SAME_SEED)
def test_sample_same_seed_as_torch(key, dt):
    e, t, *_ = make_case(key, dt, seed=12)
    for seed in (0, 123):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        es, ts = e.sample((40,)), t.sample((40,))
        if not key.startswith(EXACT_SAMPLES):
            # the same noise, then a matrix product, exp or log: equal up to rounding
            assert_close(es, ts, *TOL[dt], msg=key)
        else:
            assert_close(es, ts, 0, 0, msg=key)
        assert np.array_equal(ember.get_rng_state().numpy(), torch.get_rng_state().numpy())


STATS = [
    ("Gamma", lambda D, m: D.Gamma(m.tensor([0.4, 2.0, 9.0]), m.tensor([1.0, 0.5, 3.0]))),
    ("Beta", lambda D, m: D.Beta(m.tensor([0.5, 2.0, 5.0]), m.tensor([0.7, 2.0, 1.0]))),
    ("Dirichlet", lambda D, m: D.Dirichlet(m.tensor([0.3, 1.0, 4.0]))),
    ("Poisson", lambda D, m: D.Poisson(m.tensor([0.5, 3.0, 20.0]))),
    ("Binomial", lambda D, m: D.Binomial(m.tensor([1.0, 5.0, 30.0]), m.tensor([0.3, 0.5, 0.9]))),
    ("Categorical", lambda D, m: D.Categorical(m.tensor([0.1, 0.2, 0.7]))),
    ("Exponential", lambda D, m: D.Exponential(m.tensor([0.5, 4.0]))),
    ("StudentT", lambda D, m: D.StudentT(m.tensor([7.0, 9.0]), m.tensor([1.0, -2.0]))),
    ("Chi2", lambda D, m: D.Chi2(m.tensor([1.0, 4.0]))),
    ("Pareto", lambda D, m: D.Pareto(m.tensor([1.0, 2.0]), m.tensor([5.0, 6.0]))),
    ("Weibull", lambda D, m: D.Weibull(m.tensor([1.0, 2.0]), m.tensor([0.8, 3.0]))),
    ("InverseGamma", lambda D, m: D.InverseGamma(m.tensor([5.0, 7.0]), m.tensor([1.0, 2.0]))),
    ("Kumaraswamy", lambda D, m: D.Kumaraswamy(m.tensor([0.5, 2.0]), m.tensor([3.0, 1.0]))),
    ("NegativeBinomial", lambda D, m: D.NegativeBinomial(m.tensor([2.0, 7.5]), 0.3)),
    ("Cauchy_median", lambda D, m: D.Cauchy(m.tensor([1.0, -2.0]), m.tensor([0.5, 2.0]))),
    ("Laplace", lambda D, m: D.Laplace(m.tensor([0.5, -4.0]), m.tensor([1.0, 0.2]))),
]


@pytest.mark.parametrize("name,make", STATS, ids=[s[0] for s in STATS])
def test_sample_statistics(name, make):
    ember.manual_seed(0)
    e, t = make(ED, ember), make(TD, torch)
    n = 20000
    x = e.sample((n,)).double().numpy()
    if name == "Categorical":
        freq = np.bincount(x.astype(int), minlength=3) / n
        np.testing.assert_allclose(freq, t.probs.numpy(), atol=0.015)
        return
    if name == "Cauchy_median":  # no moments: the quartiles instead
        q = np.quantile(x, [0.25, 0.5, 0.75], axis=0)
        expected = [t.icdf(torch.tensor(p)).numpy() for p in (0.25, 0.5, 0.75)]
        np.testing.assert_allclose(q, expected, atol=0.1)
        return
    mean, var = t.mean.double().numpy(), t.variance.double().numpy()
    # five standard errors of the mean, and of the variance (via a generous 4th-moment bound)
    np.testing.assert_allclose(x.mean(0), mean, atol=5 * np.sqrt(var.max() / n) + 1e-3)
    np.testing.assert_allclose(x.var(0), var, rtol=0.1, atol=1e-3)
    assert bool(e.support.check(ember.tensor(x).to(e.mean.dtype)).all())


BAD_PARAMS = [
    lambda m: m.distributions.Normal(0.0, -1.0),
    lambda m: m.distributions.Normal(m.tensor([0.0, float("nan")]), 1.0),
    lambda m: m.distributions.Bernoulli(1.5),
    lambda m: m.distributions.Bernoulli(0.5, logits=0.0),
    lambda m: m.distributions.Bernoulli(),
    lambda m: m.distributions.Categorical(m.tensor([0.5, -0.1])),
    lambda m: m.distributions.Categorical(m.tensor(1.0)),
    lambda m: m.distributions.Categorical(logits=m.tensor(1.0)),
    lambda m: m.distributions.Uniform(1.0, 0.0),
    lambda m: m.distributions.Exponential(m.tensor([-1.0])),
    lambda m: m.distributions.Laplace(0.0, 0.0),
    lambda m: m.distributions.Gamma(-1.0, 1.0),
    lambda m: m.distributions.Beta(1.0, -2.0),
    lambda m: m.distributions.Dirichlet(m.tensor([1.0, -1.0])),
    lambda m: m.distributions.Dirichlet(m.tensor(1.0)),
    lambda m: m.distributions.Poisson(-0.5),
    lambda m: m.distributions.Binomial(2.5, 0.5),
    lambda m: m.distributions.Binomial(3, probs=1.5),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), scale_tril=-m.eye(2)),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2)),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.eye(2), scale_tril=m.eye(2)),
    lambda m: m.distributions.MultivariateNormal(m.tensor(0.0), m.eye(2)),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.ones(2)),
    lambda m: m.distributions.Independent(m.distributions.Normal(m.zeros(2), 1.0), 2),
    lambda m: m.distributions.Normal("a", 1.0),
    lambda m: m.distributions.Geometric(m.tensor([0.0, 0.5])),
    lambda m: m.distributions.Geometric(1.5),
    lambda m: m.distributions.Multinomial(m.tensor(3), m.ones(2)),
    lambda m: m.distributions.Multinomial(3, m.tensor([0.5, -0.5])),
    lambda m: m.distributions.StudentT(-1.0),
    lambda m: m.distributions.StudentT(2.0, 0.0, -1.0),
    lambda m: m.distributions.Cauchy(0.0, -1.0),
    lambda m: m.distributions.Chi2(m.tensor([-1.0])),
    lambda m: m.distributions.HalfNormal(-1.0),
    lambda m: m.distributions.Gumbel(0.0, -1.0),
    lambda m: m.distributions.HalfCauchy(-1.0),
    lambda m: m.distributions.VonMises(0.0, -1.0),
    lambda m: m.distributions.LKJCholesky(1),
    lambda m: m.distributions.GeneralizedPareto(0.0, -1.0, 0.5),
    lambda m: m.distributions.transforms.CatTransform([3]),
    lambda m: m.distributions.ContinuousBernoulli(1.5, validate_args=True),
    lambda m: m.distributions.FisherSnedecor(1.0, -1.0),
    lambda m: m.distributions.LogisticNormal(m.zeros(2), -1.0),
    lambda m: m.distributions.LowRankMultivariateNormal(m.tensor(0.0), m.ones(2, 1), m.ones(2)),
    lambda m: m.distributions.LowRankMultivariateNormal(m.zeros(2), m.ones(2), m.ones(2)),
    lambda m: m.distributions.LowRankMultivariateNormal(m.zeros(2), m.ones(3, 1), m.ones(2)),
    lambda m: m.distributions.LowRankMultivariateNormal(m.zeros(2), m.ones(2, 1), m.ones(3)),
    lambda m: m.distributions.LowRankMultivariateNormal(m.zeros(3, 2), m.ones(4, 2, 1), m.ones(2)),
    lambda m: m.distributions.transforms.ReshapeTransform((2, 3), (5,)),
    lambda m: m.distributions.Pareto(1.0, -1.0),
    lambda m: m.distributions.Weibull(-1.0, 1.0),
    lambda m: m.distributions.InverseGamma(1.0, -1.0),
    lambda m: m.distributions.Kumaraswamy(-1.0, 1.0),
    lambda m: m.distributions.NegativeBinomial(-1.0, 0.5),
    lambda m: m.distributions.NegativeBinomial(2.0, 1.0),
    lambda m: m.distributions.RelaxedBernoulli(m.tensor(0.5), 1.5),
    lambda m: m.distributions.RelaxedOneHotCategorical(m.tensor(0.5), m.tensor([0.5, -0.5])),
]


@pytest.mark.parametrize("make", BAD_PARAMS, ids=range(len(BAD_PARAMS)))
def test_invalid_parameters_raise_like_torch(make):
    assert_same_error(make)


BAD_VALUES = [
    lambda m: m.distributions.Normal(0.0, 1.0).log_prob(1.0),
    lambda m: m.distributions.Normal(m.zeros(3), 1.0).log_prob(m.zeros(2)),
    lambda m: m.distributions.Bernoulli(0.5).log_prob(m.tensor([0.5])),
    lambda m: m.distributions.Categorical(m.ones(3)).log_prob(m.tensor([3])),
    lambda m: m.distributions.Categorical(m.ones(3)).log_prob(m.tensor([1.5])),
    lambda m: m.distributions.Uniform(0.0, 1.0).log_prob(m.tensor(2.0)),
    lambda m: m.distributions.Exponential(1.0).log_prob(m.tensor(-1.0)),
    lambda m: m.distributions.Gamma(1.0, 1.0).log_prob(m.tensor(-1.0)),
    lambda m: m.distributions.Beta(1.0, 1.0).log_prob(m.tensor(1.5)),
    lambda m: m.distributions.Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.5, 0.5])),
    lambda m: m.distributions.Dirichlet(m.ones(3)).log_prob(m.tensor([0.5, 0.5])),
    lambda m: m.distributions.Poisson(1.0).log_prob(m.tensor(1.5)),
    lambda m: m.distributions.Binomial(3, 0.5).log_prob(m.tensor(4.0)),
    lambda m: m.distributions.OneHotCategorical(m.ones(3)).log_prob(m.tensor([1.0, 1.0, 0.0])),
    lambda m: m.distributions.LogNormal(0.0, 1.0).log_prob(m.tensor(-1.0)),
    lambda m: m.distributions.HalfNormal(1.0).log_prob(m.tensor(-1.0)),
    lambda m: m.distributions.GeneralizedPareto(0.0, 1.0, -0.5).log_prob(m.tensor(2.5)),
    lambda m: m.distributions.Pareto(1.0, 2.0).log_prob(m.tensor(0.5)),
    lambda m: m.distributions.Kumaraswamy(1.0, 2.0).log_prob(m.tensor(1.5)),
    lambda m: m.distributions.NegativeBinomial(2.0, 0.5).log_prob(m.tensor(0.5)),
    lambda m: m.distributions.RelaxedOneHotCategorical(m.tensor(0.5), m.ones(3)).log_prob(
        m.tensor([0.5, 0.6, 0.0])
    ),
    lambda m: m.distributions.Geometric(0.5).log_prob(m.tensor(-1.0)),
    lambda m: m.distributions.Multinomial(3, m.ones(2)).log_prob(m.tensor([3.0, 1.0])),
    lambda m: m.distributions.Multinomial(3, m.ones(2)).log_prob(m.tensor([-1.0, 1.0])),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.eye(2)).log_prob(m.zeros(3)),
    lambda m: m.distributions.Independent(m.distributions.Normal(m.zeros(2), 1.0), 1).log_prob(
        m.tensor([0.0, float("nan")])
    ),
]


@pytest.mark.parametrize("make", BAD_VALUES, ids=range(len(BAD_VALUES)))
def test_out_of_support_values_raise_like_torch(make):
    assert_same_error(make)


def test_parameter_errors_before_validation():
    # probs are clamped into (0, 1) before the check unless validate_args is given
    assert_close(ED.ContinuousBernoulli(1.5).probs, TD.ContinuousBernoulli(1.5).probs)
    # a negative diagonal fails the capacitance Cholesky factorisation before validation
    for m in (ember, torch):
        with pytest.raises(RuntimeError, match="not positive-definite"):
            m.distributions.LowRankMultivariateNormal(m.zeros(2), m.ones(2, 1), -m.ones(2))


def test_validate_args_switches():
    assert ED.Distribution._validate_args is TD.Distribution._validate_args is True
    e = ED.Normal(0.0, -1.0, validate_args=False)  # no check at all
    assert math.isnan(e.log_prob(ember.tensor(0.0)).item())
    try:
        ED.Distribution.set_default_validate_args(False)
        ED.Normal(0.0, -1.0)
        assert ED.Uniform(0.0, 1.0).log_prob(ember.tensor(2.0)).item() == -math.inf
    finally:
        ED.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ED.Normal(0.0, -1.0)
    check_raises(lambda m: m.distributions.Distribution.set_default_validate_args(3))


REPRS = [
    lambda m: m.distributions.Normal(0.0, 1.0),
    lambda m: m.distributions.Normal(m.zeros(3), 1.0),
    lambda m: m.distributions.Normal(m.zeros(1), 2.5),
    lambda m: m.distributions.Bernoulli(logits=m.zeros(2)),
    lambda m: m.distributions.Bernoulli(0.25),
    lambda m: m.distributions.Categorical(m.ones(3)),
    lambda m: m.distributions.Beta(1.0, 2.0),
    lambda m: m.distributions.LogNormal(0.0, 1.0),
    lambda m: m.distributions.Independent(m.distributions.Normal(m.zeros(2), 1.0), 1),
    lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.eye(2)),
    lambda m: m.distributions.Gamma(1.0, 2.0),
    lambda m: m.distributions.Binomial(3, 0.5),
    lambda m: m.distributions.Uniform(0.0, 1.0),
    lambda m: m.distributions.Dirichlet(m.ones(3)),
    lambda m: m.distributions.Geometric(0.3),
    lambda m: m.distributions.Chi2(3.0),
    lambda m: m.distributions.StudentT(3.0),
    lambda m: m.distributions.Gumbel(0.0, 1.0),
    lambda m: m.distributions.HalfNormal(1.0),
    lambda m: m.distributions.Cauchy(m.zeros(2), 1.0),
    lambda m: m.distributions.Multinomial(3, m.ones(2)),
    lambda m: m.distributions.HalfCauchy(1.0),
    lambda m: m.distributions.VonMises(m.zeros(2), 1.0),
    lambda m: m.distributions.LKJCholesky(3, m.tensor([0.5, 2.0])),
    lambda m: m.distributions.GeneralizedPareto(0.0, 1.0, 0.0),
    lambda m: m.distributions.ContinuousBernoulli(0.3),
    lambda m: m.distributions.FisherSnedecor(2.0, 3.0),
    lambda m: m.distributions.LogisticNormal(m.zeros(2), 1.0),
    lambda m: m.distributions.LowRankMultivariateNormal(m.zeros(2), m.ones(2, 1), m.ones(2)),
    lambda m: m.distributions.Pareto(1.0, 2.0),
    lambda m: m.distributions.Weibull(1.0, 2.0),
    lambda m: m.distributions.InverseGamma(1.0, 2.0),
    lambda m: m.distributions.Kumaraswamy(1.0, 2.0),
    lambda m: m.distributions.NegativeBinomial(2.0, 0.5),
    lambda m: m.distributions.RelaxedBernoulli(m.tensor(0.5), 0.5),
    lambda m: m.distributions.RelaxedOneHotCategorical(m.tensor(0.5), m.ones(3)),
    lambda m: m.distributions.OneHotCategoricalStraightThrough(m.ones(3)),
]


@pytest.mark.parametrize("make", REPRS, ids=range(len(REPRS)))
def test_repr(make):
    assert repr(make(ember)).replace("ember.", "torch.") == repr(make(torch))


def test_support_and_arg_constraints_reprs():
    for make in REPRS:
        e, t = make(ember), make(torch)
        assert repr(e.support) == repr(t.support)
        assert {k: repr(v) for k, v in e.arg_constraints.items()} == {
            k: repr(v) for k, v in t.arg_constraints.items()
        }


def test_lazy_parameters_and_probs_logits():
    p = np.array([0.0, 0.2, 1.0], np.float32)
    e, t = ED.Bernoulli(ember.tensor(p)), TD.Bernoulli(torch.tensor(p))
    assert "logits" not in e.__dict__
    assert_close(e.logits, t.logits)
    assert "logits" in e.__dict__
    assert_close(e.entropy(), t.entropy(), 0, 0)  # rounded as torch's at p = 0 and 1
    logits = np.array([[1.0, -2.0, 30.0], [0.0, 0.0, 0.0]], np.float32)
    e, t = ED.Categorical(logits=ember.tensor(logits)), TD.Categorical(logits=torch.tensor(logits))
    assert_close(e.logits, t.logits)  # normalised: logsumexp 0
    assert_close(e.probs, t.probs)
    assert e.param_shape == tuple(t.param_shape)
    assert e.support.upper_bound == t.support.upper_bound == 2


def test_perplexity_and_sample_n():
    e, t = ED.Normal(ember.tensor([0.0, 1.0]), 2.0), TD.Normal(torch.tensor([0.0, 1.0]), 2.0)
    assert_close(e.perplexity(), t.perplexity())
    with pytest.warns(UserWarning):
        assert tuple(e.sample_n(3).shape) == (3, 2)


def test_module_layout():
    assert ember.distributions is ED
    for name in ["Normal", "Categorical", "kl_divergence", "register_kl", "constraints"]:
        assert hasattr(TD, name) and hasattr(ED, name)
    from ember.distributions.normal import Normal  # torch's module path

    assert Normal is ED.Normal
    assert issubclass(ED.Normal, ED.ExponentialFamily)
    assert issubclass(ED.LogNormal, ED.TransformedDistribution)


def test_binomial_large_counts_and_reproducible_samples():
    d = ED.Binomial(ember.tensor([1e6, 3.0]), ember.tensor([0.5, 0.2]))
    ember.manual_seed(5)
    x = d.sample((2000,))
    np.testing.assert_allclose(x.numpy().mean(0), [5e5, 0.6], rtol=0.01)
    ember.manual_seed(5)
    assert np.array_equal(d.sample((2000,)).numpy(), x.numpy())
