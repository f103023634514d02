"""Module hooks: the global forward-hook registries and the backward-hook machinery that
``Module.__call__`` (``ember/nn/modules/module.py``) wraps around a module's inputs and outputs."""

from __future__ import annotations

import warnings
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING

from ..._tensor import Tensor
from ..._warn import user_stacklevel
from ...autograd.engine import add_hook

if TYPE_CHECKING:
    from .module import Module

__all__ = ["register_module_forward_hook", "register_module_forward_pre_hook"]

_global_forward_hooks: dict = OrderedDict()
_global_forward_pre_hooks: dict = OrderedDict()


def register_module_forward_pre_hook(hook):
    """A forward pre-hook run for every module."""
    return add_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook):
    """A forward hook run for every module."""
    return add_hook(_global_forward_hooks, hook)


_OUTPUT_ONLY = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details."
)


class _BackwardHook:
    """Module backward hooks: identity nodes around the module's tensor inputs and outputs.

    The output-side node sees the outputs' gradients (grad_output); the input-side node then sees
    the inputs' gradients (grad_input) and hands both to the module's hooks.
    """

    def __init__(self, module: Module) -> None:
        self.module = weakref.ref(module)
        self.grad_output = None
        self.n_inputs = 0
        self.input_node = None

    def _identity(self, tensors):
        from ...autograd.primitives.nn import _apply, hook_identity

        return _apply(hook_identity(len(tensors)), tensors)

    def setup_input(self, args):
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        self.n_inputs = sum(isinstance(a, Tensor) for a in args)
        if not idx:
            return args
        outs = self._identity([args[i] for i in idx])
        outs = outs if isinstance(outs, tuple) else (outs,)
        self.input_node = outs[0].grad_fn
        self.input_node.register_hook(self._on_input_grads)
        args = list(args)
        for i, o in zip(idx, outs):
            args[i] = o
        return tuple(args)

    def setup_output(self, result):
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple):
            return result
        idx = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not idx:
            return result
        new = self._identity([outs[i] for i in idx])
        new = new if isinstance(new, tuple) else (new,)
        new[0].grad_fn.register_prehook(self._on_output_grads)
        outs = list(outs)
        for i, o in zip(idx, new):
            outs[i] = o
        return outs[0] if single else tuple(outs)

    def _on_output_grads(self, grad_outputs):
        module = self.module()
        for hook in module._backward_pre_hooks.values():
            res = hook(module, tuple(grad_outputs))
            if res is not None:
                grad_outputs = tuple(res)
        self.grad_output = tuple(grad_outputs)
        if self.input_node is None:  # no input needs grad: the hooks run now, as torch's do
            if module._backward_hooks:
                warnings.warn(_OUTPUT_ONLY, UserWarning, stacklevel=user_stacklevel())
            for hook in module._backward_hooks.values():
                hook(module, (None,) * max(self.n_inputs, 1), self.grad_output)
        return grad_outputs

    def _on_input_grads(self, grad_inputs, grad_outputs):
        module = self.module()
        for hook in module._backward_hooks.values():
            res = hook(module, tuple(grad_inputs), self.grad_output)
            if res is not None:
                grad_inputs = tuple(res)
        return grad_inputs


# The public module, as torch's: reprs, pickling and `ember run`'s torch-name mapping see it.
register_module_forward_hook.__module__ = "ember.nn.modules.module"
register_module_forward_pre_hook.__module__ = "ember.nn.modules.module"
