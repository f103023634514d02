"""RMSprop: gradients scaled by a running root mean square (optionally centered, with momentum)."""

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
    _lerp_,
    _number_lr,
    _params_with_grad,
    _real,
    _recorded_grads,
    _scalar,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``.

    Args:
        params: parameters or parameter groups. lr: learning rate. alpha: smoothing constant.
        eps: added to the denominator. weight_decay: L2 penalty. momentum: momentum factor.
        centered: normalize by the estimated variance instead of the second moment.
        maximize: ascend the objective.
    """

    _capturable_refusal = (("params and state_steps", True), ("params and state_steps", True))

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_eps(eps)
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        _check_weight_decay(weight_decay)
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults: dict[str, Any] = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """``v = alpha v + (1-alpha) g^2``; ``d = sqrt(v - gbar^2 if centered else v) + eps``;
        ``b = mu b + g / d; p -= lr b`` (momentum) or ``p -= lr g / d``."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, alpha, eps = _scalar(group["lr"]), group["alpha"], group["eps"]
            momentum, centered = group["momentum"], group["centered"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = _lazy_state(self, p, *_rmsprop_state(group))
                _increment(state["step"])
                g = _grad_for_update(p, g, group["weight_decay"], group["maximize"])
                v = _real(state["square_avg"]._data)
                v *= alpha
                v += (1 - alpha) * g * g
                if centered:
                    gbar = _real(state["grad_avg"]._data)
                    _lerp_(gbar, g, 1 - alpha)
                    avg = np.sqrt(v - gbar * gbar)
                    _bump(state["grad_avg"])
                else:
                    avg = np.sqrt(v)
                avg += eps
                if momentum > 0:
                    buf = _real(state["momentum_buffer"]._data)
                    buf *= momentum
                    buf += g / avg
                    pd += -lr * buf
                    _bump(state["momentum_buffer"])
                else:
                    pd += (-lr * g) / avg
                _bump(p)
                _bump(state["square_avg"])
        return loss

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """The same update in Tensor operations, which autograd records (``differentiable``)."""
        alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
        for p, g in _recorded_grads(self, group):
            state = _lazy_state(self, p, *_rmsprop_state(group))
            state["step"] += 1
            if group["weight_decay"] != 0:
                g = g.add(p, alpha=group["weight_decay"])
            square_avg = state["square_avg"]
            square_avg.mul_(alpha).addcmul_(g, g, value=1 - alpha)
            if group["centered"]:
                grad_avg = state["grad_avg"]
                grad_avg.lerp_(g, 1 - alpha)
                avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
            else:
                avg = square_avg.sqrt()
            avg = avg.add(eps)
            if momentum > 0:
                lr = _number_lr(group["lr"], "add_(): argument 'alpha'")
                buf = state["momentum_buffer"]
                buf.mul_(momentum).addcdiv_(g, avg)
                p.add_(buf, alpha=-lr)
            else:
                p.addcdiv_(g, avg, value=-_number_lr(group["lr"], "addcdiv_(): argument 'value'"))


def _rmsprop_state(group: dict[str, Any]) -> tuple[str, ...]:
    names = ["square_avg"]
    if group["momentum"] > 0:
        names.append("momentum_buffer")
    if group["centered"]:
        names.append("grad_avg")
    return tuple(names)
