"""The state-dict protocol of ``nn.Module``: saving, loading, extra state and their hooks.

``state_dict`` walks the tree calling each module's ``_save_to_state_dict(destination, prefix,
keep_vars)`` and records ``{"version": cls._version}`` per prefix in ``destination._metadata``.
``load_state_dict`` walks it calling ``_load_from_state_dict(state_dict, prefix, local_metadata,
strict, missing_keys, unexpected_keys, error_msgs)``, so subclasses can override either step (to
migrate old checkpoints, say) exactly as under torch. Unlike torch, a load that fails leaves the
model as it was: every write done by the default ``_load_from_state_dict`` is undone.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from ..._tensor import Tensor, _make
from ...autograd.engine import RemovableHandle, add_hook
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter, is_lazy

_EXTRA_STATE = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class _WrappedHook:
    """A load pre-hook as registered: called with its module first when ``with_module``."""

    def __init__(self, hook: Callable, module=None) -> None:
        self.hook = hook
        self.module = module

    def __call__(self, *args) -> Any:
        if self.module is None:
            return self.hook(*args)
        return self.hook(self.module, *args)


# The undo log of the load_state_dict in progress: one restoring callable per write.
_undo_log: ContextVar[list | None] = ContextVar("ember_load_state_dict_undo", default=None)


def _remember(undo: Callable[[], None]) -> None:
    log = _undo_log.get()
    if log is not None:
        log.append(undo)


def _restore_values(param: Tensor) -> Callable[[], None]:
    saved = _make(param.detach().numpy().copy())

    def undo() -> None:
        with no_grad():
            param.copy_(saved)

    return undo


def _restore_entry(module, name: str) -> Callable[[], None]:
    tables = (module._parameters, module._buffers)
    home = next(t for t in tables if name in t)
    old = home[name]

    def undo() -> None:
        for t in tables:
            if t is not home:
                t.pop(name, None)
        home[name] = old

    return undo


def _assign(module, name: str, param: Tensor, value: Tensor) -> None:
    """``assign=True``: the checkpoint's tensor replaces the module's, keeping its
    requires_grad for parameters."""
    if isinstance(param, Parameter):
        if isinstance(value, Parameter):
            value.requires_grad_(param.requires_grad)
        else:
            value = Parameter(value, requires_grad=param.requires_grad)
    undo = _restore_entry(module, name)
    setattr(module, name, value)
    _remember(undo)


def _key_list(keys: list[str]) -> str:
    return ", ".join(f'"{k}"' for k in keys)


class _StateDictMixin:
    """``nn.Module``'s state-dict methods (Module's only base; the tables are Module's)."""

    # -- saving ----------------------------------------------------------------------------------
    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        """Put this module's own parameters, persistent buffers and extra state in
        ``destination`` under ``prefix``; override to change what a module saves."""
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if type(self).get_extra_state is not _StateDictMixin.get_extra_state:
            destination[prefix + _EXTRA_STATE] = self.get_extra_state()

    def get_extra_state(self) -> Any:
        """Override (with ``set_extra_state``) to add extra state to ``state_dict``; base raises."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called."
        )

    def set_extra_state(self, state: Any) -> None:
        """Override (with ``get_extra_state``) to restore extra state; the base raises."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called."
        )

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ordered dict of every parameter, persistent buffer and extra state, keyed by
        dotted name, with ``_metadata`` (prefix -> ``{"version": ...}``)."""
        if args:
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead. Refer to "
                "https://pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.state_dict for details.",
                FutureWarning,
                stacklevel=2,
            )
            # keywords win over the positional (destination, prefix, keep_vars)
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, local_metadata)
            if getattr(hook, "_from_public_api", False):
                if result is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif result is not None:  # the private hooks may replace the result
                destination = result
        return destination

    # -- loading ---------------------------------------------------------------------------------
    def _load_from_state_dict(
        self,
        state_dict,
        prefix: str,
        local_metadata: dict,
        strict: bool,
        missing_keys: list,
        unexpected_keys: list,
        error_msgs: list,
    ) -> None:
        """Load this module's own entries (not its children's) from ``state_dict``, recording
        problems in the three lists; override to migrate old checkpoints."""
        for hook in self._load_state_dict_pre_hooks.values():
            hook(
                state_dict,
                prefix,
                local_metadata,
                strict,
                missing_keys,
                unexpected_keys,
                error_msgs,
            )
        local = {k: v for k, v in self._parameters.items() if v is not None}
        local.update(
            (k, v)
            for k, v in self._buffers.items()
            if v is not None and k not in self._non_persistent_buffers_set
        )
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(value)}"
                )
                continue
            lazy = is_lazy(param)
            if lazy and is_lazy(value) and not assign:
                continue  # two shapeless tensors: nothing to copy
            if not lazy and param.ndim == 0 and tuple(value.shape) == (1,):
                value = value[0]  # torch 0.3 saved scalars as one-element vectors
            if not lazy and value.shape != param.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {param.shape}."
                )
                continue
            try:
                with no_grad():
                    if assign:
                        _assign(self, name, param, value)
                    else:
                        undo = _restore_values(param)
                        param.copy_(value)
                        _remember(undo)
            except Exception as ex:  # noqa: BLE001 - reported with the others, as torch does
                error_msgs.append(
                    f'While copying the parameter named "{key}", whose dimensions in the model '
                    f"are {param.size()} and whose dimensions in the checkpoint are "
                    f"{value.size()}, an exception occurred : {ex.args}."
                )
        extra_key = prefix + _EXTRA_STATE
        if type(self).set_extra_state is not _StateDictMixin.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if not key.startswith(prefix) or key == extra_key:
                    continue
                head, dot, _ = key[len(prefix) :].partition(".")
                # a dotted rest must name a child module, a plain one a local tensor
                if head not in (self._modules if dot else local):
                    unexpected_keys.append(key)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ):
        """Copy (``assign=True``: put) parameters and buffers from ``state_dict`` into this
        module and its children; returns ``_IncompatibleKeys(missing_keys, unexpected_keys)``.

        A load that raises leaves the model unchanged.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys: list[str] = []
        unexpected_keys: list[str] = []
        error_msgs: list[str] = []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # hooks may edit it; the caller's stays as it was
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_state_dict, prefix: str = "") -> None:
            local_metadata = {} if metadata is None else metadata.get(prefix[:-1], {})
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(
                local_state_dict,
                prefix,
                local_metadata,
                True,  # always: the lists are filtered by ``strict`` once, at the end
                missing_keys,
                unexpected_keys,
                error_msgs,
            )
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state_dict = {
                        k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)
                    }
                    load(child, child_state_dict, child_prefix)
            incompatible = _IncompatibleKeys(missing_keys, unexpected_keys)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible) is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not "
                        "expected to return new values, if incompatible_keys need to be "
                        "modified, it should be done inplace."
                    )

        outer = _undo_log.get()
        log: list = []
        token = _undo_log.set(log)
        try:
            load(self, state_dict)
            if strict:
                if unexpected_keys:
                    error_msgs.insert(
                        0, f"Unexpected key(s) in state_dict: {_key_list(unexpected_keys)}. "
                    )
                if missing_keys:
                    error_msgs.insert(
                        0, f"Missing key(s) in state_dict: {_key_list(missing_keys)}. "
                    )
            if error_msgs:
                raise RuntimeError(
                    "Error(s) in loading state_dict for {}:\n\t{}".format(
                        type(self).__name__, "\n\t".join(error_msgs)
                    )
                )
        except BaseException:
            for undo in reversed(log):
                undo()
            raise
        finally:
            _undo_log.reset(token)
        if outer is not None:  # a load nested in another one is undone with it
            outer.extend(log)
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # -- hooks -----------------------------------------------------------------------------------
    def register_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Run ``hook(module, prefix, keep_vars)`` before ``state_dict`` collects this module."""
        return add_hook(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """Run ``hook(module, state_dict, prefix, local_metadata)`` after ``state_dict`` has
        collected this module; it may edit ``state_dict`` in place and must return None."""
        hook._from_public_api = True
        return add_hook(self._state_dict_hooks, hook)

    def _register_state_dict_hook(self, hook: Callable) -> RemovableHandle:
        # the private form: a non-None return replaces the state dict
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError(
                "Cannot register the same function as the state dict post hook that was "
                "previously registered via register_state_dict_post_hook"
            )
        return add_hook(self._state_dict_hooks, hook)

    def register_load_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Run ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before this module's entries are loaded."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(
        self, hook: Callable, with_module: bool = False
    ) -> RemovableHandle:
        handle = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[handle.id] = _WrappedHook(
            hook, self if with_module else None
        )
        return handle

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """Run ``hook(module, incompatible_keys)`` after this module and its children are
        loaded; it may edit ``incompatible_keys``' lists in place and must return None."""
        return add_hook(self._load_state_dict_post_hooks, hook)
