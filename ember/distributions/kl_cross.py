"""KL divergences between distributions of different families (registered on import).

Each finite one is ``KL(p || q) = -H(p) - E_p[log q(X)]``, with ``E_p[log q]`` written with the
moments of ``p`` that ``q``'s log-density needs (``E[X]``, ``Var X``, ``E[log X]``, ``E[e^tX]``).
Where ``p`` puts mass outside ``q``'s support the divergence is infinite.
"""

from __future__ import annotations

import math

import ember
from ember import Tensor

from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .continuous_bernoulli import ContinuousBernoulli
from .exponential import Exponential
from .gamma import Gamma
from .gumbel import Gumbel
from .kl import _inf_where, gaussian_kl, register_kl
from .laplace import Laplace
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .pareto import Pareto
from .poisson import Poisson
from .uniform import Uniform

# -- moments of p ------------------------------------------------------------------------------


def _uniform_mean_log(low: Tensor, high: Tensor) -> Tensor:
    """``E[log X]`` for X uniform on [low, high], 0 <= low."""
    return (ember.xlogy(high, high) - ember.xlogy(low, low)) / (high - low) - 1


def _mean_log(p) -> Tensor:
    """``E_p[log X]`` for the families with positive support."""
    if isinstance(p, Beta):
        return ember.digamma(p.concentration1) - ember.digamma(p.concentration1 + p.concentration0)
    if isinstance(p, Pareto):
        return p.scale.log() + p.alpha.reciprocal()
    if isinstance(p, Uniform):
        return _uniform_mean_log(p.low, p.high)
    raise NotImplementedError(type(p).__name__)


def _mean_log1m(p) -> Tensor:
    """``E_p[log(1 - X)]`` for the families on [0, 1]."""
    if isinstance(p, Uniform):
        return _uniform_mean_log(1 - p.high, 1 - p.low)
    raise NotImplementedError(type(p).__name__)


def _mgf(p, t: Tensor) -> Tensor:
    """``E_p[exp(t X)]``."""
    if isinstance(p, Exponential):
        return p.rate / (p.rate - t)
    if isinstance(p, Gamma):
        return (p.rate / (p.rate - t)).pow(p.concentration)
    if isinstance(p, Normal):
        return ember.exp(p.loc * t + 0.5 * p.scale.pow(2) * t.pow(2))
    if isinstance(p, Uniform):
        return (ember.exp(t * p.high) - ember.exp(t * p.low)) / (t * (p.high - p.low))
    raise NotImplementedError(type(p).__name__)


# -- E_p[log q] for each q -----------------------------------------------------------------------


def _cross_normal(p, q) -> Tensor:
    second_moment = p.variance + (p.mean - q.loc).pow(2)
    return -q.scale.log() - 0.5 * math.log(2 * math.pi) - second_moment / (2 * q.scale.pow(2))


def _cross_exponential(p, q) -> Tensor:
    return q.rate.log() - q.rate * p.mean


def _cross_gamma(p, q) -> Tensor:
    a, b = q.concentration, q.rate
    return ember.xlogy(a, b) + (a - 1) * _mean_log(p) - b * p.mean - ember.lgamma(a)


def _cross_gumbel(p, q) -> Tensor:
    # log q(x) = -log s + z - e^z with z = (loc - x) / s
    s = q.scale
    e_z = (q.loc - p.mean) / s
    e_exp_z = ember.exp(q.loc / s) * _mgf(p, -s.reciprocal())
    return -s.log() + e_z - e_exp_z


def _cross_beta(p, q) -> Tensor:
    a, b = q.concentration1, q.concentration0
    log_beta = ember.lgamma(a) + ember.lgamma(b) - ember.lgamma(a + b)
    return (a - 1) * _mean_log(p) + (b - 1) * _mean_log1m(p) - log_beta


def _cross_continuous_bernoulli(p, q) -> Tensor:
    # log q(x) = log(1 - probs) + x logits + log C(probs)
    return (-q.probs).log1p() + p.mean * q.logits + q._cont_bern_log_norm()


def _cross_pareto(p, q) -> Tensor:
    a = q.alpha
    return a.log() + a * q.scale.log() - (a + 1) * _mean_log(p)


def _kl_by_cross(cross):
    def kl(p, q) -> Tensor:
        return -p.entropy() - cross(p, q)

    return kl


def _register_cross(q_type, cross, p_types) -> None:
    kl = _kl_by_cross(cross)
    for p_type in p_types:
        register_kl(p_type, q_type)(kl)


_register_cross(
    Normal, _cross_normal, (Beta, ContinuousBernoulli, Exponential, Gamma, Gumbel, Laplace, Pareto)
)
_register_cross(Exponential, _cross_exponential, (Beta, ContinuousBernoulli, Pareto))
_register_cross(Gamma, _cross_gamma, (Beta, Pareto))
_register_cross(Gumbel, _cross_gumbel, (Exponential, Gamma, Normal))


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    return _inf_where(p.low < 0, -p.entropy() - _cross_gamma(p, q))


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    return -p.entropy() - _cross_gumbel(p, q)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    outside = (p.low < 0) | (p.high > 1)
    return _inf_where(outside, -p.entropy() - _cross_beta(p, q))


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    outside = (p.low < 0) | (p.high > 1)
    return _inf_where(outside, -p.entropy() - _cross_continuous_bernoulli(p, q))


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    return _inf_where(p.low < q.scale, -p.entropy() - _cross_pareto(p, q))


@register_kl(Beta, Uniform)
@register_kl(ContinuousBernoulli, Uniform)
def _kl_unit_interval_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    return _inf_where((q.low > 0) | (q.high < 1), result)


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return -p.entropy() - _cross_continuous_bernoulli(p, q)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    # log q(k) = k log(rate) - rate - log k!, and log k! = 0 for k in {0, 1}
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


# -- pairs whose divergence is always infinite (p's support is not inside q's) ------------------
def _infinite(param: str):
    def kl(p, q) -> Tensor:
        return ember.full_like(getattr(p, param), math.inf)

    return kl


_INFINITE = {
    (Beta, "concentration1"): (Pareto,),
    (ContinuousBernoulli, "probs"): (Pareto,),
    (Exponential, "rate"): (Beta, ContinuousBernoulli, Pareto, Uniform),
    (Gamma, "concentration"): (Beta, ContinuousBernoulli, Pareto, Uniform),
    (Gumbel, "loc"): (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform),
    (Laplace, "loc"): (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform),
    (Normal, "loc"): (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform),
    (Pareto, "scale"): (Beta, ContinuousBernoulli, Uniform),
    (Poisson, "rate"): (Bernoulli, Binomial),
}
for (_p_type, _param), _q_types in _INFINITE.items():
    for _q_type in _q_types:
        register_kl(_p_type, _q_type)(_infinite(_param))


# -- Gaussians with low-rank-plus-diagonal covariances --------------------------------------------
def _tril(d) -> Tensor:
    if isinstance(d, MultivariateNormal):
        return d._unbroadcasted_scale_tril
    return d.scale_tril


def _gaussian_pair(message: str):
    def kl(p, q) -> Tensor:
        if p.event_shape != q.event_shape:
            raise ValueError(message)
        return gaussian_kl(p.loc, _tril(p), q.loc, _tril(q))

    return kl


register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)(
    _gaussian_pair(
        "KL-divergence between two Low Rank Multivariate Normals with different event shapes "
        "cannot be computed"
    )
)
for _p_type, _q_type in (
    (LowRankMultivariateNormal, MultivariateNormal),
    (MultivariateNormal, LowRankMultivariateNormal),
):
    register_kl(_p_type, _q_type)(
        _gaussian_pair(
            "KL-divergence between two (Low Rank) Multivariate Normals with different event "
            "shapes cannot be computed"
        )
    )
