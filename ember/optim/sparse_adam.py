"""SparseAdam: Adam for sparse gradients, which Ember does not have."""

from __future__ import annotations

from typing import Any

from .optimizer import Optimizer, _check_betas, _scalar

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """``torch.optim.SparseAdam``'s interface. Ember has no sparse tensors, so ``step`` raises
    a clear error (as torch does for a dense gradient); use ``Adam`` instead."""

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        maximize: bool = False,
    ) -> None:
        if hasattr(lr, "numel") and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < _scalar(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        defaults: dict[str, Any] = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)
        complex_at = [
            [i, j]
            for i, group in enumerate(self.param_groups)
            for j, p in enumerate(group["params"])
            if p.is_complex()
        ]
        if complex_at:
            raise ValueError(
                f"Complex params at indices {complex_at}: SparseAdam does not support complex "
                "parameters"
            )

    def step(self, closure=None):
        """Raises: Ember's gradients are always dense."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    raise RuntimeError(
                        "SparseAdam does not support dense gradients, please consider Adam instead"
                    )
        return loss
