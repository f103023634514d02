"""Adagrad: per-coordinate learning rates from the accumulated squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import (
    Optimizer,
    _bump,
    _check_eps,
    _check_fused,
    _check_lr,
    _check_weight_decay,
    _grad_for_update,
    _increment,
    _number_lr,
    _params_with_grad,
    _real,
    _recorded_grads,
    _scalar,
    _step_tensor,
    _zeros_like,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``.

    Args:
        params: parameters or parameter groups. lr: learning rate. lr_decay: learning-rate decay.
        weight_decay: L2 penalty. initial_accumulator_value: starting value of the sum of
        squared gradients. eps: added to the denominator. maximize: ascend the objective.
    """

    _fused_kernel_refusal = (RuntimeError, "`fused` does not support sparse grad or complex param")

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        _check_weight_decay(weight_decay)
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        _check_eps(eps)
        defaults: dict[str, Any] = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        # As torch, Adagrad creates its state up front (the accumulator has a starting value).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, initial_accumulator_value)

    def _init_state(self, p, initial_accumulator_value: float) -> None:
        state = self.state[p]
        state["step"] = _step_tensor()
        state["sum"] = _zeros_like(p, initial_accumulator_value)

    def step(self, closure=None):
        """``sum += g^2``; ``p -= lr / (1 + (t-1) lr_decay) * g / (sqrt(sum) + eps)``."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, lr_decay, eps = _scalar(group["lr"]), group["lr_decay"], group["eps"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = self.state[p]
                if len(state) == 0:
                    self._init_state(p, group["initial_accumulator_value"])
                step = _increment(state["step"])
                g = _grad_for_update(p, g, group["weight_decay"], group["maximize"])
                clr = lr / (1 + (step - 1) * lr_decay)
                s = _real(state["sum"]._data)
                s += g * g
                std = np.sqrt(s)
                std += eps
                pd += (-clr * g) / std
                _bump(p)
                _bump(state["sum"])
        return loss

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """The same update in Tensor operations, which autograd records (``differentiable``)."""
        lr = _number_lr(group["lr"], "addcdiv_(): argument 'value'")
        for p, g in _recorded_grads(self, group):
            state = self.state[p]
            if len(state) == 0:
                self._init_state(p, group["initial_accumulator_value"])
            step = _increment(state["step"])
            if group["weight_decay"] != 0:
                g = g.add(p, alpha=group["weight_decay"])
            clr = lr / (1 + (step - 1) * group["lr_decay"])
            state["sum"].addcmul_(g, g, value=1)
            std = state["sum"].sqrt() + group["eps"]  # (sqrt saves its result: not in place)
            p.addcdiv_(g, std, value=-clr)
