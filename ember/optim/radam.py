"""RAdam: Adam with a rectified (variance-controlled) adaptive learning rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import (
    Optimizer,
    _adam_moments_,
    _adam_weight_decay,
    _bump,
    _check_betas,
    _check_eps,
    _check_lr,
    _check_weight_decay,
    _increment,
    _lazy_state,
    _moment_coefs,
    _params_with_grad,
    _real,
    _recorded_adam_moments,
    _recorded_grads,
    _scalar,
)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam, as ``torch.optim.RAdam``.

    Args:
        params: parameters or parameter groups. lr: learning rate. betas: moment decay rates.
        eps: added to the denominator. weight_decay: L2 penalty (decoupled when
        ``decoupled_weight_decay``). maximize: ascend the objective.
    """

    _capturable_refusal = (("params and state_steps", True), ("params and state_steps", False))

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_eps(eps)
        _check_betas(betas)
        _check_weight_decay(weight_decay)
        defaults: dict[str, Any] = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Adam's moments; while the variance estimate is unreliable (``rho_t <= 5``) the step is
        plain momentum ``lr * m_hat``, afterwards ``lr * m_hat * r_t * sqrt(1-beta2^t) /
        (sqrt(v) + eps)`` with the rectification ``r_t``."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, eps = _scalar(group["lr"]), group["eps"]
            beta1, beta2 = map(_scalar, group["betas"])
            weight_decay = group["weight_decay"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = _lazy_state(self, p, "exp_avg", "exp_avg_sq")
                step = _increment(state["step"])
                if group["maximize"]:
                    g = -g
                g = _adam_weight_decay(p, g, lr, weight_decay, group["decoupled_weight_decay"])
                m, v = _real(state["exp_avg"]._data), _real(state["exp_avg_sq"]._data)
                _adam_moments_(m, v, g, _moment_coefs(beta1, beta2, m.dtype))
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                update = m / bias_correction1
                update *= lr
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    rect = (
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    ) ** 0.5
                    adaptive = np.sqrt(v)
                    adaptive += eps
                    update *= bias_correction2**0.5 / adaptive
                    update *= rect
                pd -= update
                for t in (p, state["exp_avg"], state["exp_avg_sq"]):
                    _bump(t)
        return loss

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """The same update in Tensor operations, which autograd records (``differentiable``)."""
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = map(_scalar, group["betas"])
        for p, g in _recorded_grads(self, group):
            state = _lazy_state(self, p, "exp_avg", "exp_avg_sq")
            step = _increment(state["step"])
            _recorded_adam_moments(p, g, state, group, beta1, beta2)
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            bias_correction2 = 1 - beta2**step
            update = exp_avg / (1 - beta1**step) * lr
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:
                rect = (rho_t - 4) * (rho_t - 2) * rho_inf
                rect = (rect / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                update = update * (bias_correction2**0.5 / (exp_avg_sq.sqrt() + eps)) * rect
            p.add_(update, alpha=-1.0)
