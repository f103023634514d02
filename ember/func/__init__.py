"""``ember.func``: composable function transforms (torch.func).

``grad``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd`` and ``hessian`` are built on Ember's
reverse-mode autograd (``jacfwd`` too: Ember has no forward mode); ``vmap`` loops over the batch
and stacks the results. They nest: ``vmap(grad(f))`` gives per-sample gradients,
``jacrev(jacrev(f))`` a Hessian.
"""

from __future__ import annotations

from ._module import (
    functional_call,
    functionalize,
    replace_all_batch_norm_modules_,
    stack_module_state,
)
from ._transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, linearize, vjp
from ._vmap import vmap

__all__ = [
    "grad",
    "grad_and_value",
    "vmap",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "vjp",
    "functional_call",
    "stack_module_state",
    "linearize",
    "functionalize",
    "replace_all_batch_norm_modules_",
]
