"""Adam: adaptive moment estimation (with AMSGrad and decoupled weight decay options)."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ._adam_update import adam_coefs, adam_update_
from .optimizer import (
    Optimizer,
    _adam_weight_decay,
    _bump,
    _check_betas,
    _check_eps,
    _check_fused,
    _check_lr,
    _check_weight_decay,
    _div,
    _increment,
    _lazy_state,
    _params_with_grad,
    _pow,
    _real,
    _recorded_adam_moments,
    _recorded_grads,
    _scalar,
)

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``.

    Args:
        params: parameters or parameter groups. lr: learning rate. betas: decay rates of the
            first and second moment averages. eps: added to the denominator. weight_decay: L2
            penalty (decoupled, as AdamW, when ``decoupled_weight_decay``). amsgrad: use the
            running maximum of the second moment. maximize: ascend the objective.
    """

    _capturable_refusal = (("params and state_steps", True), ("params and state_steps", False))

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError(
                "lr as a Tensor is not supported for capturable=False and foreach=True"
            )
        _check_lr(lr)
        _check_eps(eps)
        _check_betas(betas)
        _check_weight_decay(weight_decay)
        if not (
            all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, beta in enumerate(betas):
            if isinstance(beta, Tensor):
                if foreach and not capturable:
                    raise ValueError(
                        f"betas[{i}] as a Tensor is not supported for capturable=False and "
                        "foreach=True"
                    )
                if beta.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        defaults: dict[str, Any] = dict(
            lr=lr,
            # tensor betas are kept as 0-d tensors (the step reads their values)
            betas=tuple(b.reshape(()) if isinstance(b, Tensor) else b for b in betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (
                ("amsgrad", False),
                ("maximize", False),
                ("foreach", None),
                ("capturable", False),
                ("differentiable", False),
                ("decoupled_weight_decay", False),
                ("fused", None),
            ):
                group.setdefault(key, value)

    def step(self, closure=None):
        """One Adam update per parameter with a gradient (see torch.optim.Adam's algorithm)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_update(group)
                continue
            lr, eps, amsgrad = _scalar(group["lr"]), group["eps"], group["amsgrad"]
            beta1, beta2 = map(_scalar, group["betas"])
            weight_decay = _scalar(group["weight_decay"])
            maximize, decoupled = group["maximize"], group["decoupled_weight_decay"]
            names = _adam_state(amsgrad)
            coefs = {}  # (dtype, step) -> adam_coefs: the parameters at one step share them
            for p, g in _params_with_grad(group):
                pd = _real(p._data)
                state = _lazy_state(self, p, *names)
                step = _increment(state["step"])
                if maximize:
                    g = -g
                g = _adam_weight_decay(p, g, lr, weight_decay, decoupled)
                key = (pd.dtype, step)
                c = coefs.get(key)
                if c is None:
                    c = coefs[key] = adam_coefs(
                        pd.dtype, lr=lr, beta1=beta1, beta2=beta2, eps=eps, step=step
                    )
                adam_update_(
                    pd,
                    g,
                    _real(state["exp_avg"]._data),
                    _real(state["exp_avg_sq"]._data),
                    _real(state["max_exp_avg_sq"]._data) if amsgrad else None,
                    c,
                )
                _bump(p)
                for name in names:
                    _bump(state[name])
        return loss

    def _recorded_update(self, group: dict[str, Any]) -> None:
        """torch's differentiable route, in Tensor operations that autograd records: the bias
        corrections are float32 tensors of the step count, and ``p += m / d`` with
        ``d = sqrt(v) / (sqrt(bc2) * -step_size) + eps / -step_size`` (its float32 roundings)."""
        lr, eps, amsgrad = group["lr"], group["eps"], group["amsgrad"]
        beta1, beta2 = group["betas"]
        for p, g in _recorded_grads(self, group):
            state = _lazy_state(self, p, *_adam_state(amsgrad))
            step = state["step"]
            step += 1
            _recorded_adam_moments(p, g, state, group, beta1, beta2)
            exp_avg, v = state["exp_avg"], state["exp_avg_sq"]
            if amsgrad:
                v = state["max_exp_avg_sq"].copy_(state["max_exp_avg_sq"].clone().maximum(v))
            step_size_neg = -_div(lr, 1 - _pow(beta1, step))
            bias_correction2_sqrt = (1 - _pow(beta2, step)).sqrt()
            denom = v.sqrt() / (bias_correction2_sqrt * step_size_neg)
            denom.add_(_div(eps, step_size_neg))
            p.addcdiv_(exp_avg.clone(), denom)


def _adam_state(amsgrad: bool) -> tuple[str, ...]:
    return ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if amsgrad else ("exp_avg", "exp_avg_sq")
