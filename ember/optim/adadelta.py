"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import (
    Optimizer,
    _bump,
    _check_eps,
    _check_lr,
    _check_weight_decay,
    _grad_for_update,
    _increment,
    _params_with_grad,
    _real,
    _scalar,
    _step_tensor,
    _zeros_like,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta``.

    Args:
        params: parameters or parameter groups. lr: scale of the delta. rho: decay of the running
        averages. eps: added inside the square roots. weight_decay: L2 penalty.
        maximize: ascend the objective.
    """

    _capturable_refusal = (("params and state_steps", False), ("params and state_steps", False))

    def __init__(
        self,
        params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_eps(eps)
        _check_weight_decay(weight_decay)
        defaults: dict[str, Any] = dict(
            lr=lr,
            rho=rho,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            capturable=capturable,
            foreach=foreach,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """``v = rho v + (1-rho) g^2``; ``d = sqrt(u + eps) / sqrt(v + eps) * g``;
        ``u = rho u + (1-rho) d^2``; ``p -= lr * d``."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, rho, eps = _scalar(group["lr"]), group["rho"], group["eps"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(p)
                    state["acc_delta"] = _zeros_like(p)
                _increment(state["step"])
                g = _grad_for_update(p, g, group["weight_decay"], group["maximize"])
                v, u = _real(state["square_avg"]._data), _real(state["acc_delta"]._data)
                v *= rho
                v += (1 - rho) * g * g
                std = np.sqrt(v + eps)
                delta = np.sqrt(u + eps)
                delta /= std
                delta *= g
                u *= rho
                u += (1 - rho) * delta * delta
                pd += -lr * delta
                _bump(p)
                _bump(state["square_avg"])
                _bump(state["acc_delta"])
        return loss
