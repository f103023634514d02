"""Rprop: resilient backpropagation, per-coordinate step sizes driven by gradient signs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_lr,
    _increment,
    _number_lr,
    _params_with_grad,
    _real,
    _recorded_grads,
    _step_tensor,
    _zeros_like,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop, as ``torch.optim.Rprop``.

    Args:
        params: parameters or parameter groups. lr: initial step size. etas: (etaminus,
        etaplus), the factors shrinking/growing the step size. step_sizes: (min, max) step size.
        maximize: ascend the objective.
    """

    _capturable_refusal = (("params and state_steps", True), ("params and state_steps", True))

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults: dict[str, Any] = dict(
            lr=lr,
            etas=etas,
            step_sizes=step_sizes,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Where ``g`` kept its sign the step size grows by etaplus, where it flipped it shrinks
        by etaminus (and that coordinate skips this update); ``p -= sign(g) * step_size``."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = self._state_of(p, group)
                _increment(state["step"])
                g = np.array(-g if group["maximize"] else g)  # a copy, 0-d as an array
                prev, step_size = _real(state["prev"]._data), _real(state["step_size"]._data)
                sign = np.array(np.sign(g * prev))
                sign[sign > 0] = etaplus
                sign[sign < 0] = etaminus
                sign[sign == 0] = 1
                step_size *= sign
                np.clip(step_size, step_size_min, step_size_max, out=step_size)
                g[sign == etaminus] = 0
                pd -= np.sign(g) * step_size
                prev[...] = g
                for t in (p, state["prev"], state["step_size"]):
                    _bump(t)
        return loss

    def _state_of(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["prev"] = _zeros_like(p)
            lr = _number_lr(group["lr"], "full_like(): argument 'fill_value' (position 2)")
            state["step_size"] = _zeros_like(p, lr)
        return state

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """The same update in Tensor operations, which autograd records (``differentiable``):
        the step follows the gradient's sign, so only the parameter's own path carries a
        gradient."""
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for p, g in _recorded_grads(self, group):
            state = self._state_of(p, group)
            _increment(state["step"])
            prev, step_size = state["prev"], state["step_size"]
            sign = g.mul(prev.clone()).sign()
            sign[sign.gt(0)] = etaplus
            sign[sign.lt(0)] = etaminus
            sign[sign.eq(0)] = 1
            step_size.mul_(sign).clamp_(step_size_min, step_size_max)
            g = g.clone()
            g[sign.eq(etaminus)] = 0
            p.addcmul_(g.sign(), step_size, value=-1)
            prev.copy_(g)
