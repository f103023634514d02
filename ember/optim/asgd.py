"""ASGD: averaged stochastic gradient descent."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from .optimizer import (
    Optimizer,
    _bump,
    _check_lr,
    _check_weight_decay,
    _grad_for_update,
    _increment,
    _params_with_grad,
    _real,
    _recorded_grads,
    _scalar,
    _step_tensor,
    _zeros_like,
)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD, as ``torch.optim.ASGD``.

    Args:
        params: parameters or parameter groups. lr: learning rate. lambd: decay term.
        alpha: power for the eta update. t0: the step at which averaging starts.
        weight_decay: L2 penalty. maximize: ascend the objective.
    """

    _capturable_refusal = (
        ("params, mus, etas, and state_steps", True),
        ("params, mus, etas, and state_steps", False),
    )

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_weight_decay(weight_decay)
        defaults: dict[str, Any] = dict(
            lr=lr,
            lambd=lambd,
            alpha=alpha,
            t0=t0,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """``p = p (1 - lambd eta) - eta g``; the average ``ax += mu (p - ax)``; then
        ``eta = lr / (1 + lambd lr t)^alpha`` and ``mu = 1 / max(1, t - t0)``."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, lambd, alpha, t0 = _scalar(group["lr"]), group["lambd"], group["alpha"], group["t0"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = self._state_of(p, lr)
                step = _increment(state["step"])
                g = _grad_for_update(p, g, group["weight_decay"], group["maximize"])
                eta, mu, ax = state["eta"]._data, state["mu"]._data, _real(state["ax"]._data)
                eta_value = float(eta)
                pd *= 1 - lambd * eta_value
                pd += -eta_value * g
                if mu != 1:
                    ax += (pd - ax) * mu
                else:
                    ax[...] = pd
                eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu[...] = 1 / max(1, step - t0)
                for t in (p, state["eta"], state["mu"], state["ax"]):
                    _bump(t)
        return loss

    def _state_of(self, p: Tensor, lr: float) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["eta"] = _make(np.array(lr, np.float32))
            state["mu"] = _make(np.ones((), np.float32))
            state["ax"] = _zeros_like(p)
        return state

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """The same update in Tensor operations, which autograd records (``differentiable``);
        ``eta`` and ``mu`` stay plain numbers of the step count."""
        lr, lambd, alpha, t0 = _scalar(group["lr"]), group["lambd"], group["alpha"], group["t0"]
        for p, g in _recorded_grads(self, group):
            state = self._state_of(p, lr)
            step = _increment(state["step"])
            if group["weight_decay"] != 0:
                g = g.add(p, alpha=group["weight_decay"])
            eta_value = float(state["eta"]._data)
            p.mul_(1 - lambd * eta_value)
            p.add_(g, alpha=-eta_value)
            ax, mu = state["ax"], state["mu"]
            if float(mu._data) != 1:
                ax.add_(p.sub(ax).mul_(mu))
            else:
                ax.copy_(p)
            state["eta"].fill_(lr / ((1 + lambd * lr * step) ** alpha))
            mu.fill_(1 / max(1, step - t0))
