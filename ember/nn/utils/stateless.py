"""``nn.utils.stateless``: call a module with some of its parameters and buffers swapped for given
tensors (the engine behind ``func.functional_call``)."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from ..._tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]

_MISSING = object()


def _owner(module: Module, path: str) -> tuple[Module, str]:
    """The submodule holding the dotted tensor name ``path``, and the tensor's own name."""
    *parents, name = path.split(".")
    for attr in parents:
        try:
            sub = getattr(module, attr)
        except AttributeError as ex:
            raise AttributeError(f"{module._get_name()} has no attribute `{attr}`") from ex
        if not isinstance(sub, Module):
            raise TypeError(f"submodule `{attr}`: {sub} is not an instance of torch.nn.Module")
        module = sub
    return module, name


def _swap_tensor(module: Module, path: str, tensor) -> Any:
    """Put ``tensor`` (or remove the attribute for ``_MISSING``) at ``path``; return what was
    there before (``_MISSING`` when nothing was)."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    module, name = _owner(module, path)
    if name in module._parameters:
        orig = module._parameters[name]
    elif name in module._buffers:
        orig = module._buffers[name]
    else:
        orig = getattr(module, name, _MISSING)
        if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
            raise TypeError(f"attribute `{name}`: {orig} is not an instance of torch.Tensor")
    if tensor is _MISSING:
        delattr(module, name)
    elif name in module._parameters:
        # written straight into the table: a plain tensor may stand in for a Parameter here
        module._parameters[name] = tensor
    elif name in module._buffers:
        module._buffers[name] = tensor
    else:
        setattr(module, name, tensor)
    return orig


def _swap_all(module: Module, named_tensors: dict) -> dict:
    swapped: dict = {}
    try:
        for name, tensor in named_tensors.items():
            swapped[name] = _swap_tensor(module, name, tensor)
    except Exception:
        for name, orig in swapped.items():
            _swap_tensor(module, name, orig)
        raise
    return swapped


def _untie(module: Module, parameters_and_buffers: dict) -> dict:
    """Extend the given tensors to every name tied to a given name (the same tensor registered
    under several names), refusing different values for one tied group."""
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    groups: dict[int, set] = {}
    for name, tensor in named.items():
        groups.setdefault(id(tensor), set()).add(name)
    untied = dict(parameters_and_buffers)
    for name, tensor in named.items():
        tied = groups[id(tensor)]
        given = [n for n in sorted(tied) if n in parameters_and_buffers]
        if len(tied) < 2 or not given:
            continue
        values = {id(parameters_and_buffers[n]) for n in given}
        if len(values) > 1:
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(given)}, which are tied. "
                "Consider using tie_weights=False"
            )
        untied[name] = parameters_and_buffers[given[0]]
    return untied


def _check_keys(module: Module, keys) -> None:
    valid = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    valid.update(n for n, _ in module.named_buffers(remove_duplicate=False))
    keys = set(keys)
    errors = []
    if keys - valid:
        errors.append(f"Unexpected key(s): {', '.join(map(repr, sorted(keys - valid)))}.")
    if valid - keys:
        errors.append(f"Missing key(s): {', '.join(map(repr, sorted(valid - keys)))}.")
    if errors:
        raise RuntimeError(
            "Error(s) in reparametrizing for {}:\n\t{}".format(
                module._get_name(), "\n\t".join(errors)
            )
        )


@contextlib.contextmanager
def _reparametrize_module(
    module: Module,
    parameters_and_buffers: dict,
    tie_weights: bool = False,
    strict: bool = False,
    stack_weights: bool = False,
):
    """Within the context, ``module`` sees the given tensors in place of its own (restored in
    reverse order with ``stack_weights``, so that tied names get their first tensor back)."""
    untied = _untie(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    if strict:  # a tensor given under one tied name counts for the others
        _check_keys(module, untied)
    originals = _swap_all(module, untied)
    try:
        yield
    finally:
        if stack_weights:
            originals = dict(reversed(originals.items()))
        current = _swap_all(module, originals)
        # in-place updates the call made to the module's tables (e.g. a BatchNorm's running
        # stats being reassigned) flow back to the caller's dict
        parameters_and_buffers.update(
            {k: v for k, v in current.items() if k in parameters_and_buffers}
        )


def _functional_call(
    module: Module,
    parameters_and_buffers: dict,
    args=None,
    kwargs: dict | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
):
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(
        module, parameters_and_buffers, tie_weights=tie_weights, strict=strict
    ):
        return module(*args, **kwargs)


def functional_call(
    module: Module,
    parameters_and_buffers: dict[str, Tensor],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """Deprecated (use ``func.functional_call``): call ``module`` with the given tensors in place
    of its parameters and buffers of the same names."""
    warnings.warn(
        "`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be "
        "removed in a future version of PyTorch. Please use `torch.func.functional_call` instead "
        "which is a drop-in replacement.",
        FutureWarning,
        stacklevel=2,
    )
    return _functional_call(
        module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict
    )
