"""``Optimizer``: the base class holding ``param_groups``, ``defaults`` and per-parameter ``state``.

Each optimizer subclass checks its hyperparameters, then implements ``step`` as one loop over the
parameters that have a gradient. Steps run without recording a graph and update the NumPy arrays
behind the parameters and the state tensors in place (a few NumPy calls per parameter), in the
float32 order of torch's single-tensor implementations, so trajectories agree to float32 rounding.
A complex parameter is updated as its real view, as torch's. With ``differentiable=True`` a group
steps in Tensor operations instead (each optimizer's ``_recorded_update``), which autograd records.

``state_dict()`` / ``load_state_dict()`` use torch's layout: ``state`` keyed by parameter index,
``param_groups`` with ``params`` as those indices.
"""

from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from copy import deepcopy
from itertools import chain
from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.engine import RemovableHandle, add_hook
from ..autograd.grad_mode import _state as _grad_state
from ..autograd.grad_mode import enable_grad

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_pre_hooks: OrderedDict = OrderedDict()
_global_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register a pre hook ``hook(optimizer, args, kwargs)`` run before every optimizer's step."""
    return add_hook(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register a post hook ``hook(optimizer, args, kwargs)`` run after every optimizer's step."""
    return add_hook(_global_post_hooks, hook)


def _hooked_step(step, without_grad: bool):
    """Wrap a subclass's ``step``: step hooks around it; for Ember's own optimizers, no graph
    recorded inside it (unless ``differentiable``). A user's subclass manages grad mode itself,
    as in torch (where the built-in steps carry the no-grad decorator)."""

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]
        for hook in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                        f"{result}."
                    )
        if without_grad:
            prev = _grad_state.enabled
            _grad_state.enabled = bool(self.defaults.get("differentiable", False))
            try:
                out = step(*args, **kwargs)
            finally:
                _grad_state.enabled = prev
        else:
            out = step(*args, **kwargs)
        for hook in chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts defining
            parameter groups.
        defaults: default values of the optimization options (used when a parameter group does
            not specify them).
    """

    # torch's refusal of ``capturable=True`` for CPU tensors (see ``_refuse_capturable``): the
    # tensors its message names and whether it lists 'xla', for the single-tensor and the
    # foreach implementation; None where the optimizer has no ``capturable`` option.
    _capturable_refusal: tuple[tuple[str, bool], tuple[str, bool]] | None = None
    # torch's refusal of a ``fused`` step for a complex parameter ({dtype} filled in). Where
    # torch checks the dtype of the first parameter with a gradient of the first fused step
    # only, its kernel refuses the others: that exception type and message ({scalar_type}).
    _fused_refusal = (
        "`fused=True` requires all the params to be floating point Tensors of supported devices: "
        "['mps', 'cuda', 'xpu', 'hpu', 'cpu', 'mtia', 'privateuseone'] but {dtype} and cpu"
    )
    _fused_kernel_refusal: tuple[type[Exception], str] | None = None
    _fused_checked = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hooked_step(step, cls.__module__.startswith("ember.optim."))

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                "but got " + params.type()
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "step_pre",
            "step_post",
            "state_dict_pre",
            "state_dict_post",
            "load_state_dict_pre",
            "load_state_dict_post",
        ):
            self.__dict__.setdefault(f"_optimizer_{name}_hooks", OrderedDict())
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # -- parameter groups ------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``params`` and optional options) to the optimizer."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
                )
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p._retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    + name
                )
            param_group.setdefault(name, default)
        if len(params) != len(set(map(id, params))):
            import warnings

            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(map(id, group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(map(id, params)):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and steps ---------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to ``None`` by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        if g._base is not None:  # a view cannot be detached in place (torch)
                            g = p._grad = g.detach()
                        else:
                            g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    def step(self, closure: Callable[[], Any] | None = None):
        """Perform a single optimization step; returns ``closure()``'s loss when given."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        """Run ``closure`` (with grad enabled), then check every gradient of every group, so a
        step that must fail fails before any parameter or state has changed."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        _check_grads(self.param_groups)
        _refuse_capturable(self)
        _refuse_leaf_recording(self)
        _refuse_fused(self)
        return loss

    # -- hooks -----------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None or (args, kwargs)``, run before ``step``."""
        return add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None``, run after ``step``."""
        return add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(optimizer)``, run before ``state_dict`` builds its result."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(optimizer, state_dict) -> None or a replacement``, run after ``state_dict``."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(optimizer, state_dict) -> None or a replacement``, run before loading."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(optimizer)``, run after ``load_state_dict`` has loaded."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- checkpoints -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``{"state": {index: {...}}, "param_groups": [...]}``.

        As in torch, the state tensors are the optimizer's own (not copies): save the dict (or
        deep-copy it) to keep a snapshot.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index: dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by ``state_dict()`` (of an optimizer over matching groups)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = _cast_state(id_map[k], v)
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _register(registry: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
    handle = add_hook(registry, hook)
    if prepend:
        registry.move_to_end(handle.id, last=False)
    return handle


def _cast_state(param: Tensor, value, key=None):
    """torch's loading policy: state tensors take the parameter's float dtype; ``step`` is kept."""
    if isinstance(value, Tensor):
        if key == "step" or not param.is_floating_point():
            return value
        return value.to(param.dtype)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


def _typename(obj) -> str:
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


# -- helpers shared by the optimizers ---------------------------------------------------------
def _scalar(x) -> float:
    """A hyperparameter as a Python number (torch accepts 0-d tensors for ``lr`` and betas)."""
    return float(x.item()) if isinstance(x, Tensor) else x


def _negative(x, nan_too: bool) -> bool:
    """``not 0 <= x`` (which refuses NaN too), or SGD's ``x < 0`` (which lets NaN through); both
    raise torch's TypeError for a value that does not compare with a float."""
    return not 0.0 <= _scalar(x) if nan_too else _scalar(x) < 0.0


def _check_lr(lr, nan_too: bool = True) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if _negative(lr, nan_too):
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_eps(eps) -> None:
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")


def _check_weight_decay(weight_decay, nan_too: bool = True) -> None:
    if _negative(weight_decay, nan_too):
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _check_betas(betas) -> None:
    for i in (0, 1):
        # compared as given: a tensor beta of several elements fails as torch's does
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def _check_fused(fused: bool | None, foreach: bool | None, differentiable: bool) -> None:
    """torch's checks on ``fused`` (Ember runs one plain loop whatever the flags say)."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _check_grads(param_groups: list[dict[str, Any]]) -> None:
    """Each gradient has its parameter's shape and dtype (a ``.grad`` can be swapped behind the
    setter's back, e.g. through ``.data``); raises before any update if one does not."""
    for group in param_groups:
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            if g._data.shape != p._data.shape:
                raise RuntimeError(
                    f"the gradient of size '{list(g._data.shape)}' does not match its parameter "
                    f"of size '{list(p._data.shape)}'; no parameter was updated"
                )
            if g._data.dtype != p._data.dtype:
                raise RuntimeError(
                    f"the gradient with dtype {g.dtype} does not match its parameter's dtype "
                    f"{p.dtype}; no parameter was updated"
                )


def _refuse_capturable(optimizer: Optimizer) -> None:
    """A group with ``capturable=True`` and gradients: torch's AssertionError (capturable steps
    need an accelerator, and Ember's tensors are all on the CPU), before any update."""
    spec = optimizer._capturable_refusal
    if spec is None:
        return
    for group in optimizer.param_groups:
        if not group.get("capturable") or group.get("fused"):
            continue
        if all(p._grad is None for p in group["params"]):
            continue
        tensors, xla = spec[1 if group.get("foreach") else 0]
        devices = ["cuda", "xpu", "hpu", "privateuseone"] + (["xla"] if xla else [])
        raise AssertionError(
            f"If capturable=True, {tensors} must be on supported devices: {devices}."
        )


def _refuse_fused(optimizer: Optimizer) -> None:
    """torch's fused kernels take real floating-point parameters only: a complex parameter
    with a gradient in a ``fused`` group is refused at the step, before any update."""
    kernel = optimizer._fused_kernel_refusal
    checked = optimizer._fused_checked
    for group in optimizer.param_groups:
        if group.get("fused"):
            for p in group["params"]:
                if p._grad is None:
                    continue
                if p.is_complex():
                    error, message = (
                        kernel if kernel and checked else (RuntimeError, optimizer._fused_refusal)
                    )
                    scalar_type = "ComplexFloat" if p.itemsize == 8 else "ComplexDouble"
                    raise error(message.format(dtype=p.dtype, scalar_type=scalar_type))
                checked = True
    optimizer._fused_checked = checked


def _refuse_leaf_recording(optimizer: Optimizer) -> None:
    """A ``differentiable`` step (recorded by autograd) cannot update in place a leaf parameter
    that requires grad: torch's RuntimeError, before any update."""
    for group in optimizer.param_groups:
        if group.get("differentiable"):
            for p in group["params"]:
                if p._grad is not None and p.is_leaf and p.requires_grad:
                    raise RuntimeError(
                        "a leaf Variable that requires grad is being used in an in-place operation."
                    )


def _number_lr(lr, argument: str) -> float:
    """``lr`` where torch passes it to an operation's number ``argument`` (``"add_(): argument
    'alpha'"``): a tensor ``lr`` that requires grad fails as torch's does there."""
    if isinstance(lr, Tensor) and lr.requires_grad:
        raise TypeError(f"{argument} must be Number, not Tensor")
    return _scalar(lr)


def _recorded_grads(optimizer: Optimizer, group: dict[str, Any], complex_ok: bool = False):
    """``(param, grad Tensor)`` for a recorded (``differentiable``) step: the group's parameters
    with a gradient, negated for ``maximize``. Complex parameters, which torch updates as their
    real views, are refused unless the update is linear (``complex_ok``)."""
    for p in group["params"]:
        g = p._grad
        if g is None:
            continue
        if p.is_complex() and not complex_ok:
            raise NotImplementedError(
                f"{type(optimizer).__name__}(differentiable=True) of a complex parameter is not "
                "implemented in Ember"
            )
        yield p, (-g if group["maximize"] else g)


def _recorded_adam_moments(p: Tensor, g: Tensor, state: dict, group: dict, beta1, beta2) -> Tensor:
    """A recorded step's weight decay (decoupled, or L2 into the returned gradient) and Adam's
    moments ``exp_avg`` (a lerp) and ``exp_avg_sq``, in place."""
    lr, weight_decay = group["lr"], group["weight_decay"]
    if weight_decay != 0:
        if group["decoupled_weight_decay"]:
            p.mul_(1 - lr * weight_decay)
        else:
            g = g.add(p, alpha=weight_decay)
    state["exp_avg"].lerp_(g, 1 - beta1)
    state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
    return g


def _params_with_grad(group: dict[str, Any]):
    """``(param, grad array)`` for the group's parameters that have a gradient."""
    for p in group["params"]:
        g = p._grad
        if g is not None:
            yield p, _real(g._data)


def _real(a: np.ndarray) -> np.ndarray:
    """A complex array as a real view with a last axis of 2 (real, imaginary); a real array as
    it is. Optimizers update a complex parameter as torch's do (``view_as_real``): each part
    is a coordinate of its own (its own second moment, sign, step size)."""
    return a[..., None].view(a.real.dtype) if a.dtype.kind == "c" else a


def _lazy_state(optimizer: Optimizer, p: Tensor, *names: str) -> dict[str, Any]:
    """``p``'s state, made at its first step: a float32 step count, then zeros named ``names``."""
    state = optimizer.state[p]
    if len(state) == 0:
        state["step"] = _step_tensor()
        for name in names:
            state[name] = _zeros_like(p)
    return state


def _step_tensor() -> Tensor:
    """The step counter: a float32 0-d tensor, as torch keeps it (so ``state_dict`` matches)."""
    return _make(np.zeros((), np.float32))


def _increment(step: Tensor) -> float:
    """``step += 1`` in float32; returns the new count as a Python float."""
    step._data += _ONE
    step._vc[0] += 1
    return float(step._data)


_ONE = np.ones((), np.float32)


def _coef(x: float, dtype: np.dtype) -> np.ndarray:
    """A number as a 0-d array of ``dtype``, for the elementwise passes of a step. NumPy rounds a
    Python number operand to the array's dtype as this does, so the results are the same bits;
    but it converts the number again at every call, which made a call on a small block three
    times slower (1.0 against 0.35 us; Adam's step makes six such calls per block)."""
    return np.array(x, dtype)


def _zeros_like(p: Tensor, fill: float = 0.0) -> Tensor:
    """State of ``p``'s shape and dtype holding ``fill`` in every real coordinate (both parts of
    a complex parameter's entries, as torch's optimizers do)."""
    dtype = p._data.dtype
    return _make(np.full(p._data.shape, complex(fill, fill) if dtype.kind == "c" else fill, dtype))


def _bump(p: Tensor) -> None:
    """Record an in-place change of ``p`` (autograd's saved-tensor check sees it)."""
    p._vc[0] += 1


def _grad_for_update(p: Tensor, g: np.ndarray, weight_decay: float, maximize: bool) -> np.ndarray:
    """The gradient the update uses: negated for ``maximize``, plus L2 ``weight_decay * p``."""
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * _real(p._data)
    return g


def _lerp_coef(w: float, dtype: np.dtype) -> tuple[bool, np.ndarray]:
    """How ``_lerp_`` applies the weight ``w`` to arrays of ``dtype``, made once for many calls:
    whether it steps from ``a`` (a small weight), and the factor of ``b - a`` (``w``, or
    ``1 - w`` from ``b``) as a 0-d array (see ``_coef``)."""
    small = abs(w) < 0.5
    return small, _coef(w if small else 1 - w, dtype)


def _lerp_(a: np.ndarray, b: np.ndarray, w, out: np.ndarray | None = None) -> np.ndarray:
    """``a += w * (b - a)`` in place, in torch's two-sided form (exact at ``w`` = 0 and 1).
    ``w`` is a number, or its ``_lerp_coef`` for ``a``'s dtype.

    Returns the scratch array it used (``out`` when given, of ``a``'s shape), for the caller to
    reuse: each fresh array of a large parameter's size costs page faults.
    """
    small, factor = w if type(w) is tuple else _lerp_coef(w, a.dtype)
    # (a fresh array rather than out=None: for 0-d operands NumPy would return a scalar)
    t = np.subtract(b, a, out=np.empty_like(a) if out is None else out)
    t *= factor
    if small:
        a += t
    else:
        np.subtract(b, t, out=a)
    return t


def _adam_weight_decay(
    p: Tensor, g: np.ndarray, lr: float, weight_decay: float, decoupled: bool
) -> np.ndarray:
    """Decoupled (AdamW: ``p *= 1 - lr * wd``) or L2 (``g + wd * p``) weight decay."""
    if weight_decay != 0:
        if decoupled:
            p._data *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * _real(p._data)
    return g


def _moment_coefs(beta1: float, beta2: float, dtype: np.dtype) -> tuple:
    """Adam's moment coefficients for ``_adam_moments_`` on arrays of ``dtype``, made once for
    many calls: the lerp's (weight ``1 - beta1``), then ``1 - beta2`` and ``beta2`` (``_coef``)."""
    return _lerp_coef(1 - beta1, dtype), _coef(1 - beta2, dtype), _coef(beta2, dtype)


def _adam_moments_(
    m: np.ndarray, v: np.ndarray, g: np.ndarray, coefs: tuple, out: np.ndarray | None = None
) -> np.ndarray:
    """``m = beta1 m + (1 - beta1) g`` (a lerp, as torch) and ``v = beta2 v + (1 - beta2) g^2``,
    ``coefs`` being ``_moment_coefs(beta1, beta2, m.dtype)``; returns the scratch array it used
    (``out`` when given, of ``m``'s shape) for the caller."""
    lerp, one_minus_beta2, beta2 = coefs
    t = _lerp_(m, g, lerp, out)
    np.multiply(g, one_minus_beta2, out=t)
    t *= g
    v *= beta2
    v += t
    return t


def _pow(base, exponent: Tensor) -> Tensor:
    """``base ** exponent`` for the float32 step count as torch computes it for a number base:
    the base rounded to float32, the power correctly rounded (NumPy's float32 power is not)."""
    if isinstance(base, Tensor):
        return base**exponent
    dtype = exponent._data.dtype
    return _make(np.array(np.float64(dtype.type(base)) ** exponent._data.astype(np.float64), dtype))


def _div(a, b: Tensor) -> Tensor:
    """``a / b`` as torch rounds it: a number over a tensor is ``b.reciprocal() * a``."""
    return a / b if isinstance(a, Tensor) else b.reciprocal() * a
