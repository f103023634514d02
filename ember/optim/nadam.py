"""NAdam: Adam with Nesterov momentum (and optional decoupled weight decay)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from .optimizer import (
    Optimizer,
    _adam_moments_,
    _adam_weight_decay,
    _bump,
    _check_betas,
    _check_eps,
    _check_lr,
    _check_weight_decay,
    _div,
    _increment,
    _moment_coefs,
    _params_with_grad,
    _real,
    _recorded_adam_moments,
    _recorded_grads,
    _scalar,
    _step_tensor,
    _zeros_like,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``.

    Args:
        params: parameters or parameter groups. lr: learning rate. betas: moment decay rates.
        eps: added to the denominator. weight_decay: L2 penalty (decoupled when
        ``decoupled_weight_decay``). momentum_decay: the schedule of the momentum factor mu_t.
        maximize: ascend the objective.
    """

    _capturable_refusal = (
        ("params, mu_products and state_steps", True),
        ("params, mu_products, and state_steps", False),
    )

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults: dict[str, Any] = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """``mu_t = beta1 (1 - 0.96^(t psi) / 2)``; the update mixes the current gradient and
        the next step's momentum: ``p -= lr (1-mu_t)/(1-prod mu) g/d + lr mu_{t+1}/(1-prod
        mu_{t+1}) m/d`` with ``d = sqrt(v / (1-beta2^t)) + eps``."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, eps = _scalar(group["lr"]), group["eps"]
            beta1, beta2 = map(_scalar, group["betas"])
            weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = self._state_of(p)
                step = _increment(state["step"])
                if group["maximize"]:
                    g = -g
                bias_correction2 = 1 - beta2**step
                g = _adam_weight_decay(p, g, lr, weight_decay, group["decoupled_weight_decay"])
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product_t = state["mu_product"]
                mu_product_t._data *= mu  # kept in float32, as torch
                mu_product = float(mu_product_t._data)
                m, v = _real(state["exp_avg"]._data), _real(state["exp_avg_sq"]._data)
                _adam_moments_(m, v, g, _moment_coefs(beta1, beta2, m.dtype))
                denom = np.sqrt(v / bias_correction2)
                denom += eps
                mu_product_next = mu_product * mu_next
                pd += (-lr * (1.0 - mu) / (1.0 - mu_product) * g) / denom
                pd += ((-lr * mu_next) / (1.0 - mu_product_next) * m) / denom
                for t in (p, mu_product_t, state["exp_avg"], state["exp_avg_sq"]):
                    _bump(t)
        return loss

    def _state_of(self, p: Tensor) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["mu_product"] = _make(np.ones((), np.float32))
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
        return state

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """torch's differentiable route in Tensor operations that autograd records: the
        momentum product stays a float32 tensor, so the two coefficients are float32 too."""
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = map(_scalar, group["betas"])
        momentum_decay = group["momentum_decay"]
        for p, g in _recorded_grads(self, group):
            state = self._state_of(p)
            step = _increment(state["step"])
            g = _recorded_adam_moments(p, g, state, group, beta1, beta2)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            mu_product = state["mu_product"]
            mu_product *= mu
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            denom = exp_avg_sq.div(1 - beta2**step).sqrt().add(eps)
            p.addcdiv_(g * _div(-lr * (1.0 - mu), 1.0 - mu_product), denom)
            p.addcdiv_(exp_avg * _div(-lr * mu_next, 1.0 - mu_product * mu_next), denom)
