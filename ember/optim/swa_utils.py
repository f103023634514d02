"""Weight averaging, as ``torch.optim.swa_utils``: ``AveragedModel`` (SWA and EMA), the ``SWALR``
schedule that anneals to a constant rate, and ``update_bn`` to recompute BatchNorm statistics for
the averaged weights."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any, Literal

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..functions.creation import tensor
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = [
    "AveragedModel",
    "update_bn",
    "SWALR",
    "get_ema_multi_avg_fn",
    "get_swa_multi_avg_fn",
    "get_ema_avg_fn",
    "get_swa_avg_fn",
]


def _is_float(t: Tensor) -> bool:
    return t.is_floating_point() or t.is_complex()


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """An in-place exponential moving average over lists: ``ema += (1 - decay) (model - ema)``."""

    def ema_update(ema_param_list: list, current_param_list: list, _) -> None:
        with no_grad():
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                if _is_float(ema_param_list[0]):
                    p_ema.lerp_(p_model, 1 - decay)
                else:  # integer buffers: torch rounds the float blend into the integer tensor
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """An in-place running mean over lists: ``avg += (model - avg) / (n_averaged + 1)``."""

    def swa_update(averaged_param_list: list, current_param_list: list, num_averaged) -> None:
        with no_grad():
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                if _is_float(averaged_param_list[0]):
                    p_avg.lerp_(p_model, 1 / (num_averaged + 1))
                elif isinstance(num_averaged, Tensor):
                    p_avg.addcdiv_(p_model - p_avg, num_averaged + 1)
                else:
                    p_avg.add_(p_model - p_avg, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """The exponential moving average of one tensor: ``decay * ema + (1 - decay) * model``."""

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    """The running mean of one tensor: ``avg + (model - avg) / (num_averaged + 1)``."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _by_dtype(averaged: list, current: list) -> list[tuple[list, list]]:
    """Pairs of lists of one dtype each (torch groups by device and dtype; Ember has one device)."""
    groups: dict = {}
    for a, c in zip(averaged, current):
        lists = groups.setdefault(a.dtype, ([], []))
        lists[0].append(a)
        lists[1].append(c)
    return list(groups.values())


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are an average of the ones it is updated with.

    Args:
        model: the model to average (deep-copied; the copy is ``self.module``).
        device: where to keep the averaged copy.
        avg_fn: ``avg_fn(averaged, current, num_averaged)`` returning the new average of one tensor.
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, num_averaged)``, in place.
        use_buffers: average the buffers too (else they are copied from ``model`` on each update).

    Without either function the average is the plain mean (SWA). ``n_averaged`` counts updates.
    """

    n_averaged: Tensor

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: Callable | None = None,
        multi_avg_fn: Callable | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=D.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Run the averaged copy."""
        return self.module(*args, **kwargs)

    def _tracked(self, model: Module):
        if self.use_buffers:
            return itertools.chain(model.parameters(), model.buffers())
        return model.parameters()

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters (and buffers with ``use_buffers``) into the average.

        The first update copies them.
        """
        with no_grad():
            averaged, current = [], []
            for p_avg, p_model in zip(self._tracked(self.module), self._tracked(model)):
                averaged.append(p_avg.detach())
                current.append(p_model.detach().to(p_avg.device))
            n = self.n_averaged
            if int(n) == 0:
                for a, c in zip(averaged, current):
                    a.copy_(c)
            elif self.avg_fn is not None:
                for a, c in zip(averaged, current):
                    a.copy_(self.avg_fn(a, c, n))
            else:
                for group_avg, group_cur in _by_dtype(averaged, current):
                    if self.multi_avg_fn is not None:
                        self.multi_avg_fn(group_avg, group_cur, n)
                    else:  # torch's CPU path: the per-tensor mean, not the list update
                        avg_fn = get_swa_avg_fn()
                        for a, c in zip(group_avg, group_cur):
                            a.copy_(avg_fn(a, c, n))
            if not self.use_buffers:
                # buffers are not averaged: keep the copy's in sync with the model's
                for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                    b_avg.detach().copy_(b_model.detach().to(b_avg.device))
            self.n_averaged += 1


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``.

    The statistics restart from scratch and become the plain mean over the batches (momentum
    ``None``); the momenta and ``model``'s training mode are restored afterwards. A batch that
    is a list or tuple contributes its first element.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's rate from its current value to ``swa_lr`` over ``anneal_epochs``
    steps (cosine or linear), then hold it there.

    Args:
        optimizer: the optimizer whose rates are scheduled.
        swa_lr: the final rate, one for all groups or a list with one per group.
        anneal_epochs: steps the annealing takes (0 jumps to ``swa_lr`` at the first step).
        anneal_strategy: ``'cos'`` or ``'linear'``.
        last_epoch: index of the last epoch; ``-1`` starts a new schedule.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float,
        anneal_epochs: int = 10,
        anneal_strategy: Literal["cos", "linear"] = "cos",
        last_epoch: int = -1,
    ) -> None:
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._anneal_strategy = anneal_strategy
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @property
    def anneal_func(self) -> Callable[[float], float]:
        """The annealing curve: ``t -> t`` (linear) or ``t -> (1 - cos(pi t)) / 2`` (cos)."""
        # a property, so that state_dict holds only the strategy's name, as torch's does
        return self._cosine_anneal if self._anneal_strategy == "cos" else self._linear_anneal

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list:
        """The rates of this step: the start rate recovered from the current one, then blended
        toward ``swa_lr`` by the curve at the new point."""
        self._warn_if_called_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        groups = self.optimizer.param_groups
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        start = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        alpha = self.anneal_func(max(0, min(1, step / span)))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, start)]
