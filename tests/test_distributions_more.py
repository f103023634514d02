"""ember.distributions: mixtures, matrix distributions, and parameter broadcasting."""

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
    leaves,
    lower_tril,
    make_case,
    pos,
    probs,
    real,
    simplex,
    spd,
)
from helpers import assert_close, check_raises

import ember
import ember.distributions as ED


@pytest.mark.parametrize("event", [False, True], ids=["scalar", "vector"])
def test_mixture_same_family(event):
    r = np.random.default_rng(13)
    w = simplex(r, (2, 3), "float64")
    loc = real(r, (2, 3, 4) if event else (2, 3), "float64")
    scale = pos(r, loc.shape, "float64")
    (ew, el, es), (tw, tl, ts) = leaves([w, loc, scale])

    def make(D, w, loc, scale):
        comp = D.Normal(loc, scale)
        return D.MixtureSameFamily(D.Categorical(w), D.Independent(comp, 1) if event else comp)

    e, t = make(ED, ew, el, es), make(TD, tw, tl, ts)
    assert e.batch_shape == tuple(t.batch_shape) and e.event_shape == tuple(t.event_shape)
    assert repr(e).replace("ember.", "torch.") == repr(t)
    assert repr(e.support) == repr(t.support)
    assert_close(e.mean, t.mean)
    assert_close(e.variance, t.variance)
    v = real(r, (5,) + tuple(t.batch_shape) + tuple(t.event_shape), "float64")
    e_lp, t_lp = e.log_prob(ember.tensor(v)), t.log_prob(torch.tensor(v))
    assert_close(e_lp, t_lp)
    compare_grads(e_lp, t_lp, [ew, el, es], [tw, tl, ts], "float64", "mixture log_prob")
    if not event:
        assert_close(e.cdf(ember.tensor(v)), t.cdf(torch.tensor(v)))
    ember.manual_seed(4)
    torch.manual_seed(4)
    assert_close(e.sample((6,)), t.sample((6,)), 0, 0)
    ex, tx = e.expand((3, 2)), t.expand((3, 2))
    assert_close(ex.mean, tx.mean)


def test_mixture_same_family_errors():
    assert_same_error(
        lambda m: m.distributions.MixtureSameFamily(
            m.distributions.Normal(0.0, 1.0), m.distributions.Normal(m.zeros(2), 1.0)
        )
    )
    assert_same_error(
        lambda m: m.distributions.MixtureSameFamily(m.distributions.Categorical(m.ones(2)), 3)
    )
    assert_same_error(
        lambda m: m.distributions.MixtureSameFamily(
            m.distributions.Categorical(m.ones(3)), m.distributions.Normal(m.zeros(2), 1.0)
        )
    )
    assert_same_error(
        lambda m: m.distributions.MixtureSameFamily(
            m.distributions.Categorical(m.ones(3, 2)), m.distributions.Normal(m.zeros(4, 2), 1.0)
        )
    )


def test_von_mises_samples():
    loc, kappa = np.array([0.5, -2.0, 3.0]), np.array([0.05, 2.0, 30.0])
    e = ED.VonMises(ember.tensor(loc), ember.tensor(kappa))
    t = TD.VonMises(torch.tensor(loc), torch.tensor(kappa))
    ember.manual_seed(0)
    x = e.sample((20000,)).numpy()
    assert ((x >= -np.pi) & (x < np.pi)).all()
    # the mean resultant vector: direction loc, length I1(kappa) / I0(kappa) = 1 - variance
    resultant = np.exp(1j * x).mean(0)
    np.testing.assert_allclose(np.abs(resultant), 1 - t.variance.numpy(), atol=0.02)
    close = kappa > 1
    np.testing.assert_allclose(np.angle(resultant)[close], loc[close], atol=0.05)


def test_generalized_pareto_outside_support_without_validation():
    # torch extrapolates or gives NaN there (no masking); so does Ember
    params = [[0.0, 1.0, 0.0, -1.0, 0.5], [1.0, 2.0, 0.5, 1.0, 1.0], [0.0, 0.3, -0.4, 1.2, 0.6]]
    e = ED.GeneralizedPareto(*[ember.tensor(p) for p in params], validate_args=False)
    t = TD.GeneralizedPareto(*[torch.tensor(p) for p in params], validate_args=False)
    for v in ([0.5, 1.5, 2.0, 0.0, 3.0], [-1.0, 0.0, 1.5, -2.0, 0.0]):
        assert_close(e.log_prob(ember.tensor(v)), t.log_prob(torch.tensor(v)))
        assert_close(e.cdf(ember.tensor(v)), t.cdf(torch.tensor(v)))
    for name in ("mean", "variance", "mode"):
        assert_close(getattr(e, name), getattr(t, name))
    assert repr(e.support) == repr(t.support)


def test_generalized_pareto_float64():
    # torch's float64 log_prob/cdf raise, so Ember's float64 is checked against torch's float32
    e, _, _, _, v = make_case("GeneralizedPareto", "float64")
    _, t, _, _, _ = make_case("GeneralizedPareto", "float32")
    v32 = torch.tensor(v.astype("float32"))
    for name in ("log_prob", "cdf"):
        ours = getattr(e, name)(ember.tensor(v)).detach().numpy()
        np.testing.assert_allclose(ours, getattr(t, name)(v32).detach().numpy(), rtol=1e-5)
    assert e.log_prob(ember.tensor(v)).dtype == ember.float64


def test_gamma_cdf_gradients():
    c, rate, v = np.array([0.3, 2.0, 30.0]), np.array([1.0, 2.0, 0.5]), np.array([0.2, 3.0, 55.0])
    (er, ev), (tr, tv) = leaves([rate, v])
    e_c = ED.Gamma(ember.tensor(c), er).cdf(ev)
    t_c = TD.Gamma(torch.tensor(c), tr).cdf(tv)
    assert_close(e_c, t_c, 1e-8, 1e-9)
    compare_grads(e_c, t_c, [er, ev], [tr, tv], "float64", "Gamma cdf")
    # torch has no derivative in the concentration; neither has Ember
    assert_same_error(
        lambda m: (
            m.distributions.Gamma(m.tensor(c, requires_grad=True), 1.0)
            .cdf(m.tensor(v))
            .sum()
            .backward()
        )
    )


@pytest.mark.parametrize("dim", [2, 3, 5])
def test_lkj_cholesky(dim):
    eta = np.array([0.5, 1.0, 3.0])
    (ec,), (tc,) = leaves([eta])
    e, t = ED.LKJCholesky(dim, ec), TD.LKJCholesky(dim, tc)
    assert e.batch_shape == tuple(t.batch_shape) and e.event_shape == tuple(t.event_shape)
    torch.manual_seed(0)
    value = t.sample((4,))
    e_lp, t_lp = e.log_prob(ember.tensor(value.numpy())), t.log_prob(value)
    assert_close(e_lp, t_lp)
    compare_grads(e_lp, t_lp, [ec], [tc], "float64", "LKJCholesky log_prob")
    ember.manual_seed(0)
    x = e.sample((20000,)).numpy()
    assert bool(e.support.check(ember.tensor(x)).all())
    # each correlation's marginal is Beta(a, a) on (-1, 1), a = eta - 1 + dim / 2: E[r^2] is
    # 1 / (2a + 1) (torch's own sampler is off for the rows below the second)
    r = x @ np.swapaxes(x, -1, -2)
    rows, cols = np.tril_indices(dim, -1)
    a = eta - 1 + dim / 2
    np.testing.assert_allclose(
        (r[..., rows, cols] ** 2).mean(0),
        np.broadcast_to((1 / (2 * a + 1))[:, None], (3, len(rows))),
        atol=0.01,
    )
    assert tuple(e.expand((2, 3)).sample().shape) == (2, 3, dim, dim)
    # a bad concentration fails in the Beta of the row lengths (whose parameters differ)
    check_raises(lambda m: m.distributions.LKJCholesky(dim, -1.0))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("param", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart(param, dt):
    r = np.random.default_rng(31)
    matrix = lower_tril(r, (2, 3, 3), dt) if param == "scale_tril" else spd(r, (2, 3, 3), dt)
    df = np.array([3.5, 6.0], dt)
    (edf, em), (tdf, tm) = leaves([df, matrix])
    e, t = ED.Wishart(edf, **{param: em}), TD.Wishart(tdf, **{param: tm})
    assert repr(e).replace("ember.", "torch.") == repr(t)
    assert e.batch_shape == tuple(t.batch_shape) and e.event_shape == tuple(t.event_shape)
    rt, at = TOL[dt]
    for name in ("mean", "mode", "variance"):
        assert_close(getattr(e, name), getattr(t, name), rt * 10, at * 10, msg=name)
    torch.manual_seed(1)
    x = t.sample((4,)).detach()
    e_out = e.log_prob(ember.tensor(x.numpy())) + e.entropy()
    t_out = t.log_prob(x) + t.entropy()
    assert_close(e_out, t_out, rt * 10, at * 10)
    compare_grads(e_out, t_out, [edf, em], [tdf, tm], dt, "Wishart log_prob + entropy")


def test_wishart_sampling_and_errors():
    cov = spd(np.random.default_rng(2), (3, 3), "float64")
    e = ED.Wishart(ember.tensor(7.0, dtype=ember.float64), ember.tensor(cov))
    ember.manual_seed(0)
    x = e.sample((20000,)).numpy()
    np.testing.assert_allclose(x.mean(0), 7.0 * cov, rtol=0.03)
    assert bool(e.support.check(ember.tensor(x[:50])).all())
    df = ember.tensor(5.0, dtype=ember.float64, requires_grad=True)
    ED.Wishart(df, ember.tensor(cov)).rsample().trace().backward()
    assert df.grad is not None and df.grad.item() != 0
    S = [[2.0, 0.5], [0.5, 1.0]]
    for make in [
        lambda m: m.distributions.Wishart(3.0),
        lambda m: m.distributions.Wishart(3.0, m.tensor(S), scale_tril=m.tensor(S).tril()),
        lambda m: m.distributions.Wishart(3.0, m.ones(2)),
        lambda m: m.distributions.Wishart(0.5, m.tensor(S)),
        lambda m: m.distributions.Wishart(3.0, m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    ]:
        assert_same_error(make)


def test_independent():
    r = np.random.default_rng(3)
    loc, scale = real(r, (2, 3, 4), "float64"), pos(r, (2, 3, 4), "float64")
    e = ED.Independent(ED.Normal(ember.tensor(loc), ember.tensor(scale)), 2)
    t = TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 2)
    assert e.batch_shape == tuple(t.batch_shape) and e.event_shape == tuple(t.event_shape)
    v = real(r, (5, 2, 3, 4), "float64")
    assert_close(e.log_prob(ember.tensor(v)), t.log_prob(torch.tensor(v)))
    assert_close(e.entropy(), t.entropy())
    assert repr(e.support) == repr(t.support)
    assert e.has_rsample and not e.has_enumerate_support
    check_raises(
        lambda m: m.distributions.Independent(
            m.distributions.Bernoulli(m.ones(2) / 2), 1
        ).enumerate_support()
    )


def test_bernoulli_gradients_at_even_odds():
    # probs 0.5 is logits 0 exactly, where a kinked softplus would give the wrong derivative
    for kind in ("probs", "logits"):
        v = np.array([0.5, 0.0, 0.5, 0.0], np.float32) if kind == "probs" else np.zeros(4, "f")
        (e_p,), (t_p,) = leaves([v])
        e, t = ED.Bernoulli(**{kind: e_p}), TD.Bernoulli(**{kind: t_p})
        x = np.array([0.0, 0.0, 1.0, 1.0], np.float32)
        e_out = e.log_prob(ember.tensor(x)) + e.entropy()
        t_out = t.log_prob(torch.tensor(x)) + t.entropy()
        e_kl = ED.kl_divergence(e, ED.Bernoulli(ember.tensor([0.3, 0.5, 0.5, 0.9])))
        t_kl = TD.kl_divergence(t, TD.Bernoulli(torch.tensor([0.3, 0.5, 0.5, 0.9])))
        assert_close(e_out + e_kl, t_out + t_kl)
        compare_grads(e_out + e_kl, t_out + t_kl, [e_p], [t_p], "float32", kind)


BROADCAST = [
    ("Normal", lambda r: (real(r, (3, 1), "f"), pos(r, (1, 4), "f")), 0.3),
    ("Laplace", lambda r: (real(r, (3, 1), "f"), pos(r, (4,), "f")), 0.3),
    ("Gamma", lambda r: (pos(r, (4,), "f"), pos(r, (3, 1), "f")), 0.5),
    ("Beta", lambda r: (pos(r, (3, 1), "f"), pos(r, (4,), "f")), 0.5),
    ("Uniform", lambda r: (-pos(r, (3, 1), "f"), pos(r, (1, 4), "f")), 0.0),
    ("StudentT", lambda r: (pos(r, (3, 1), "f", 2, 5), real(r, (4,), "f"), 1.5), 0.3),
    ("Binomial", lambda r: (np.array([[3.0], [5.0], [9.0]], "f"), probs(r, (4,), "f")), 1.0),
]


@pytest.mark.parametrize("name,params,inside", BROADCAST, ids=[b[0] for b in BROADCAST])
def test_parameter_and_value_broadcasting(name, params, inside):
    r = np.random.default_rng(17)
    e, t, e_in, t_in = build(name, params(r))
    assert e.batch_shape == tuple(t.batch_shape) == (3, 4)
    # values that broadcast against the batch shape, and a stack of samples
    values = [np.full((1, 4), inside, "f"), np.full((2, 3, 1), inside, "f")]
    values.append(t.sample((5,)).numpy())
    for v in values:
        e_lp, t_lp = e.log_prob(ember.tensor(v)), t.log_prob(torch.tensor(v))
        assert_close(e_lp, t_lp, 1e-4, 1e-5, msg=f"{name} log_prob{v.shape}")
    compare_grads(e_lp, t_lp, e_in, t_in, "float32", f"{name} broadcast log_prob")
