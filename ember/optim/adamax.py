"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions.shape import cat
from .optimizer import (
    Optimizer,
    _bump,
    _check_betas,
    _check_eps,
    _check_lr,
    _check_weight_decay,
    _grad_for_update,
    _increment,
    _lazy_state,
    _lerp_,
    _number_lr,
    _params_with_grad,
    _real,
    _recorded_grads,
    _scalar,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax, as ``torch.optim.Adamax``.

    Args:
        params: parameters or parameter groups. lr: learning rate. betas: decay of the first
        moment and of the infinity norm. eps: added to the norm. weight_decay: L2 penalty.
        maximize: ascend the objective.
    """

    _capturable_refusal = (("params and state_steps", True), ("params and state_steps", False))

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
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
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """``m = lerp(m, g, 1-beta1)``; ``u = max(beta2 u, |g| + eps)``;
        ``p -= lr / (1 - beta1^t) * m / u``."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, eps = _scalar(group["lr"]), group["eps"]
            beta1, beta2 = map(_scalar, group["betas"])
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = _lazy_state(self, p, "exp_avg", "exp_inf")
                step = _increment(state["step"])
                g = _grad_for_update(p, g, group["weight_decay"], group["maximize"])
                m, u = _real(state["exp_avg"]._data), _real(state["exp_inf"]._data)
                _lerp_(m, g, 1 - beta1)
                u *= beta2
                norm = np.abs(g)
                norm += eps
                np.maximum(u, norm, out=u)
                clr = lr / (1 - beta1**step)
                pd += (-clr * m) / u
                _bump(p)
                _bump(state["exp_avg"])
                _bump(state["exp_inf"])
        return loss

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """The same update in Tensor operations, which autograd records (``differentiable``);
        the infinity norm is an ``amax`` over the pair (ties share the gradient, as torch's)."""
        eps = group["eps"]
        beta1, beta2 = group["betas"]
        lr = _number_lr(group["lr"], "addcdiv_(): argument 'value'")
        for p, g in _recorded_grads(self, group):
            state = _lazy_state(self, p, "exp_avg", "exp_inf")
            step = _increment(state["step"])
            if group["weight_decay"] != 0:
                g = g.add(p, alpha=group["weight_decay"])
            exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
            exp_avg.lerp_(g, 1 - beta1)
            pair = cat([exp_inf.mul_(beta2).unsqueeze(0), g.abs().add_(eps).unsqueeze_(0)], 0)
            exp_inf.copy_(pair.amax(0))
            p.addcdiv_(exp_avg, exp_inf, value=-(lr / (1 - _scalar(beta1) ** step)))
