"""Adafactor: Adam-like steps with a factored (row x column) second-moment estimate."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import _make
from .optimizer import (
    Optimizer,
    _bump,
    _increment,
    _params_with_grad,
    _scalar,
    _step_tensor,
    _zeros_like,
)

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor, as ``torch.optim.Adafactor``.

    Args:
        params: parameters or parameter groups. lr: the cap of the relative step size.
        beta2_decay: the decay rate of beta2 (``1 - beta2_t = t^beta2_decay``). eps: (eps1,
        eps2): the floor of the second moment (default: the dtype's eps) and of the parameter
        scale. d: clipping threshold of the update's RMS. weight_decay: decoupled weight decay.
        maximize: ascend the objective.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if hasattr(lr, "numel") and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= _scalar(lr):
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults: dict[str, Any] = dict(
            lr=lr,
            beta2_decay=beta2_decay,
            eps=eps,
            d=d,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Relative step ``rho_t = min(lr, 1/sqrt(t))`` scaled by the parameter RMS; the second
        moment of a matrix gradient is the outer product of its row and column means."""
        loss = self._closure_loss(closure)
        if any(p.is_complex() for group in self.param_groups for p, _ in _params_with_grad(group)):
            raise RuntimeError("Adafactor does not support complex parameters")
        for group in self.param_groups:
            lr, beta2_decay, d = _scalar(group["lr"]), group["beta2_decay"], group["d"]
            eps1, eps2 = group["eps"]
            weight_decay = group["weight_decay"]
            for p, g in _params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    if g.ndim > 1:
                        state["row_var"] = _make(np.zeros(g.shape[:-1] + (1,), g.dtype))
                        state["col_var"] = _make(
                            np.zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype)
                        )
                    else:
                        state["variance"] = _zeros_like(p)
                if group["maximize"]:
                    g = -g
                e1 = np.finfo(p._data.dtype).eps if eps1 is None else eps1
                step = _increment(state["step"])
                one_minus_beta2_t = step**beta2_decay
                rho_t = min(lr, 1 / (step**0.5))
                alpha = max(eps2, float(_norm(p._data)) / (p._data.size**0.5)) * rho_t
                if weight_decay != 0:
                    p._data *= 1 - lr * weight_decay
                if g.ndim > 1:
                    row_var, col_var = state["row_var"]._data, state["col_var"]._data
                    row_mean = np.square(_norm(g, -1)) / g.shape[-1]
                    row_var += one_minus_beta2_t * (row_mean - row_var)
                    col_mean = np.square(_norm(g, -2)) / g.shape[-2]
                    col_var += one_minus_beta2_t * (col_mean - col_var)
                    var_estimate = row_var @ col_var
                    var_estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), e1)
                    _bump(state["row_var"])
                    _bump(state["col_var"])
                else:
                    variance = state["variance"]._data
                    variance += one_minus_beta2_t * (g * g - variance)
                    var_estimate = variance.copy()
                    _bump(state["variance"])
                update = 1 / np.sqrt(np.maximum(var_estimate, e1 * e1))
                update *= g
                denom = max(1.0, float(_norm(update)) / ((update.size**0.5) * d))
                p._data += (-alpha / denom) * update
                _bump(p)
        return loss


def _norm(x: np.ndarray, axis: int | None = None) -> np.ndarray:
    """The 2-norm (over ``axis``, kept as a size-1 dimension), accumulated in the array's dtype."""
    if axis is None:
        return np.sqrt(np.sum(x * x))
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=True))
