"""Stochastic gradient descent, optionally with (Nesterov) momentum."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_fused,
    _check_lr,
    _check_weight_decay,
    _grad_for_update,
    _params_with_grad,
    _real,
    _recorded_grads,
    _scalar,
    _zeros_like,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Args:
        params: parameters or parameter groups to optimize.
        lr: learning rate. momentum: momentum factor. dampening: dampening for momentum.
        weight_decay: L2 penalty. nesterov: Nesterov momentum. maximize: ascend the objective.
    """

    _fused_kernel_refusal = (
        NotImplementedError,
        "\"fused_sgd_kernel\" not implemented for '{scalar_type}'",
    )

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr, nan_too=False)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        _check_weight_decay(weight_decay, nan_too=False)
        defaults: dict[str, Any] = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def step(self, closure=None):
        """One update: ``b = mu b + (1 - dampening) g``; ``p -= lr (g + mu b if nesterov else b)``
        (``g`` includes ``weight_decay * p``; the first ``b`` is ``g`` itself)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, momentum = _scalar(group["lr"]), group["momentum"]
            dampening, nesterov = group["dampening"], group["nesterov"]
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                g = _grad_for_update(p, g, _scalar(group["weight_decay"]), group["maximize"])
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:  # the first buffer is the gradient itself
                        buf = state["momentum_buffer"] = _zeros_like(p)
                        b = _real(buf._data)
                        b[...] = g
                    else:
                        b = _real(buf._data)
                        b *= momentum
                        b += (1 - dampening) * g
                        _bump(buf)
                    g = g + momentum * b if nesterov else b
                pd -= lr * g
                _bump(p)
        return loss

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """The same update in Tensor operations, which autograd records (``differentiable``):
        gradients flow to the parameters' sources, their ``.grad``, the momentum buffers from
        the second step on (the first is a detached copy of the gradient, as torch's) and a
        tensor ``lr``."""
        lr, momentum = group["lr"], group["momentum"]
        dampening, nesterov = group["dampening"], group["nesterov"]
        for p, g in _recorded_grads(self, group, complex_ok=True):
            if group["weight_decay"] != 0:
                g = g.add(p, alpha=group["weight_decay"])
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = g.clone().detach()
                else:
                    buf.mul_(momentum).add_(g, alpha=1 - dampening)
                g = g.add(buf, alpha=momentum) if nesterov else buf
            if isinstance(lr, Tensor):
                p.addcmul_(g, lr, value=-1)
            else:
                p.add_(g, alpha=-lr)
