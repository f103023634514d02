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
    _lazy_state,
    _number_lr,
    _params_with_grad,
    _real,
    _recorded_grads,
    _scalar,
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
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, rho, eps = _scalar(group["lr"]), group["rho"], group["eps"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = _lazy_state(self, p, "square_avg", "acc_delta")
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

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """The same update in Tensor operations, which autograd records (``differentiable``)."""
        rho, eps = group["rho"], group["eps"]
        lr = _number_lr(group["lr"], "add_(): argument 'alpha'")
        for p, g in _recorded_grads(self, group):
            state = _lazy_state(self, p, "square_avg", "acc_delta")
            state["step"] += 1
            if group["weight_decay"] != 0:
                g = g.add(p, alpha=group["weight_decay"])
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            square_avg.mul_(rho).addcmul_(g, g, value=1 - rho)
            std = square_avg.add(eps).sqrt_()
            delta = acc_delta.add(eps).sqrt_().clone()
            delta.div_(std).mul_(g)
            acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
            p.add_(delta, alpha=-lr)
