"""``ember.autograd.forward_ad``: forward-mode AD (dual tensors) on the reverse-mode engine.

A dual tensor is its primal recorded as the output of a ``MakeDual`` node whose second input is a
hidden zero "seed" leaf; the node keeps the tangent. Operations on duals record the graph as any
other, and ``unpack_dual`` computes the tangent ``J t`` of a result when asked, with two backward
passes (the double-vjp trick): ``g(u) = J^T u`` for a dummy ``u``, then the vjp of ``g`` at ``t``
is ``J t``. In the first pass the seeds stand for the duals; outside it, gradients flow to the
primals as they would without forward AD, so reverse mode through duals is unchanged.

What follows from building on the graph rather than on forward rules: a dual and its results
require grad (they hang from the seed), operations run under ``no_grad`` propagate no tangent, and
a result's tangent must be asked for before a backward frees its graph.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._dtype import _BY_NP
from . import engine
from .function import _NO_JVP, Function, _fw
from .grad_mode import enable_grad
from .graph import graph_nodes

__all__ = [
    "UnpackedDualTensor",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
    "dual_level",
]


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the primal and the tangent (None for a non-dual)."""

    primal: object
    tangent: object


def enter_dual_level() -> int:
    """Open a dual level (one at a time, as torch) and return its number."""
    if _fw.level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _fw.level = 0
    return _fw.level


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the dual level: the tangents of every dual made in it are gone."""
    if level is None:
        level = _fw.level
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    if level != _fw.level:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. This is "
            "not supported."
        )
    _fw.level = -1
    _fw.generation += 1


class dual_level:  # noqa: N801 - torch's name
    """Context manager (and decorator) for a dual level: ``with dual_level(): ...``."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc) -> None:
        exit_dual_level()

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with dual_level():
                return fn(*args, **kwargs)

        return wrapper


class _MakeDual(Function):
    """The primal unchanged (an alias); in the tangent pass its gradient goes to the seed."""

    _fw_internal = True

    @staticmethod
    def forward(ctx, primal, seed):
        return primal

    @staticmethod
    def backward(ctx, grad):
        return (None, grad) if _fw.tangent_pass else (grad, None)


class _Primal(Function):
    """A dual's primal that keeps its reverse-mode graph but carries no tangent."""

    _fw_internal = True

    @staticmethod
    def forward(ctx, dual):
        return dual

    @staticmethod
    def backward(ctx, grad):
        return None if _fw.tangent_pass else grad


_DUAL = _MakeDual._backward_cls
_DUAL.__name__ = "MakeDualBackward"
_Primal._backward_cls.__name__ = "Identity"  # torch's name for the node of a primal


def _check_float(t, what: str) -> None:
    if not (t.is_floating_point() or t.is_complex()):
        raise ValueError(
            f"Expected {what} to be floating point or complex, but got: "
            f"{str(t.dtype).replace('ember', 'torch')}"
        )


def _check_size(t, tangent) -> None:
    if tuple(tangent.shape) != tuple(t.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the original "
            f"Tensor, this is not supported. Tensor is of size {list(t.shape)} while the given "
            f"forward gradient is of size {list(tangent.shape)}."
        )


def _scan(t) -> tuple[list, bool, bool]:
    """In ``t``'s graph: the dual nodes of the open level, whether any seed (of any level) is
    there, and whether a leaf of the user's that requires grad is."""
    node = getattr(t, "grad_fn", None)
    if node is None:
        return [], False, getattr(t, "_rg", False)
    duals, seeded, user = [], False, False
    for n in graph_nodes([node]):
        if type(n) is _DUAL:
            seeded = True
            if _fw.level >= 0 and n._gen == _fw.generation:
                duals.append(n)
        elif type(n) is engine.AccumulateGrad and not getattr(n.variable, "_fw_seed", False):
            user = True
    return duals, seeded, user


def _attach(primal, tangent):
    """``primal`` as a dual of the open level with ``tangent`` (no checks)."""
    seed = engine.wrap_array(np.broadcast_to(np.zeros((), primal._data.dtype), primal._data.shape))
    seed._fw_seed = True
    with enable_grad():
        dual = _MakeDual.apply(primal, seed.requires_grad_())
    node = dual.grad_fn
    node._seed, node._tangent, node._gen = seed, tangent, _fw.generation
    return dual


def make_dual(tensor, tangent, *, level: int | None = None):
    """``tensor`` as a dual tensor whose tangent is ``tangent`` (in the open dual level)."""
    if level is None:
        level = _fw.level
        if level < 0:
            raise RuntimeError(
                "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                "enter_dual_level() first."
            )
    _check_float(tensor, "primal")
    _check_float(tangent, "tangent")
    if level != _fw.level:
        if _fw.level < 0:
            raise RuntimeError(
                "Trying to access a forward AD level with an invalid index. This index was either "
                "not created or is already deleted."
            )
        raise RuntimeError("Invalid level given to _make_dual")
    _check_size(tensor, tangent)
    if _scan(tensor)[0]:
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward gradient at the "
            f"same level {level} is not supported."
        )
    if _scan(tangent)[0]:
        raise RuntimeError(
            "Setting a forward grad that itself has a forward gradient at the same level"
            f"{level} is not supported."
        )
    return _attach(tensor, tangent)


def _primal(t, user: bool):
    if not user:
        return t.detach()
    with enable_grad():
        return _Primal.apply(t)


def _zeros(t):
    return engine.wrap_array(np.zeros(t._data.shape, t._data.dtype))


def _tangent(out, duals: list, user: bool):
    """``J t`` for ``out`` by the double-vjp trick (None when no dual reaches it)."""
    from . import grad

    seeds = [n._seed for n in duals]
    with enable_grad():
        u = _zeros(out).requires_grad_()
        prev, _fw.tangent_pass = _fw.tangent_pass, True
        try:
            gs = grad(out, seeds, u, create_graph=True, allow_unused=True)
        except RuntimeError as e:
            if "a second time" not in str(e):
                raise
            raise RuntimeError(
                "unpack_dual(): a backward without retain_graph=True freed the graph this tensor's "
                "tangent is computed from (Ember's forward AD works on the graph): unpack it "
                "before that backward, or pass retain_graph=True"
            ) from None
        finally:
            _fw.tangent_pass = prev
        pairs = [(g, n._tangent) for g, n in zip(gs, duals) if g is not None]
        if not pairs:
            return None
        # A wider tangent (float64 on a float32 primal) makes a wider result tangent, as torch;
        # the products themselves are computed at the primal's precision.
        dtype = out._data.dtype
        for _, t in pairs:
            d = t._data.dtype
            if d.kind == dtype.kind and d.itemsize > dtype.itemsize:
                dtype = d
        pairs = [(g, t.to(g.dtype)) for g, t in pairs if g.requires_grad]
        jvp = None
        if pairs:  # else every derivative ignores its gradient: constant zero in u
            gs, ts = zip(*pairs)
            # The tangent keeps a graph only where the user's reverse mode can ask for it.
            (jvp,) = grad(gs, u, ts, create_graph=user, allow_unused=True)
    jvp = _zeros(out) if jvp is None else jvp
    return jvp if jvp._data.dtype == dtype else jvp.to(_BY_NP[dtype])


def unpack_dual(tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor`` in the open dual level; the tangent is None for a
    tensor that depends on no dual."""
    from .._tensor import Tensor

    if level is None and _fw.level < 0 and not getattr(tensor, "grad_fn", None):
        return UnpackedDualTensor(tensor, None)  # anything at all, as torch
    if not isinstance(tensor, Tensor):
        raise TypeError(
            "_unpack_dual(): argument 'dual' (position 1) must be Tensor, not "
            f"{type(tensor).__name__}"
        )
    duals, seeded, user = _scan(tensor)
    if not duals:
        return UnpackedDualTensor(_primal(tensor, user) if seeded else tensor, None)
    if level is not None and level != _fw.level:
        raise RuntimeError("Invalid level given to _fw_primal")
    node = tensor.grad_fn
    if type(node) is _DUAL and node in duals:
        tangent = node._tangent
    else:
        tangent = _tangent(tensor, duals, user)
    return UnpackedDualTensor(_primal(tensor, user), tangent)


def _custom_function_jvp(cls, node, args: tuple, outputs: list) -> list:
    """A custom Function applied in a dual level: its outputs' tangents from its ``jvp``."""
    from .._tensor import Tensor

    tangents, found = [], False
    for a in args:
        t = unpack_dual(a).tangent if isinstance(a, Tensor) else None
        found = found or t is not None
        tangents.append(_zeros(a) if t is None and isinstance(a, Tensor) else t)
    if not found:
        return outputs
    if cls.jvp is Function.jvp:
        raise NotImplementedError(_NO_JVP)
    node._fw_saved = tuple(unpack_dual(t).primal for t in node._to_save_fw)
    try:
        out_tangents = cls.jvp(node, *tangents)
    finally:
        node._fw_saved = None
    if not isinstance(out_tangents, tuple):
        out_tangents = (out_tangents,)
    if len(out_tangents) != len(outputs):
        raise RuntimeError(
            "Function's jvp returned an invalid number of forward gradients (expected "
            f"{len(outputs)} but got {len(out_tangents)})"
        )
    node._fw_jvp = True
    result = []
    for o, t in zip(outputs, out_tangents):
        if isinstance(o, Tensor) and t is not None and o._rg:
            _check_size(o, t)
            o = _attach(o, t)
        result.append(o)
    return result
