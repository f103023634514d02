"""``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``.

Each transform runs the function on fresh aliases of its inputs and differentiates with
``ember.autograd.grad``. Results keep their graph (``create_graph=True``) only where someone
outside may differentiate them again: inside another transform, or when an input requires grad.
That is what makes ``grad(grad(f))``, ``jacrev(jacrev(f))`` and ``vmap(grad(f))`` compose.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from .. import autograd
from .._tensor import Tensor
from ..autograd.engine import AccumulateGrad
from ..autograd.function import transforms
from ..autograd.functional import jacobian_rows
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..functions.random import get_rng_state
from ._pytree import structure_str, tree_flatten, tree_map, tree_unflatten, treespec_str
from ._vmap import check_no_draw, check_randomness

__all__ = [
    "grad",
    "grad_and_value",
    "vjp",
    "jvp",
    "linearize",
    "jacrev",
    "jacfwd",
    "hessian",
]

# ``depth``: how many transforms are evaluating their function right now, in this thread.
_state = threading.local()


class _Level:
    """Enter a transform: grad mode on, one level deeper; ``kinds`` (``"grad"``, ``"jvp"``,
    ``"vmap"``) say what torch's transform would be, for the checks on custom Functions."""

    def __init__(self, *kinds: str) -> None:
        self._kinds = kinds

    def __enter__(self):
        _state.depth = getattr(_state, "depth", 0) + 1
        transforms.kinds.extend(self._kinds)
        self._grad = enable_grad()
        self._grad.__enter__()

    def __exit__(self, *exc) -> None:
        _state.depth -= 1
        del transforms.kinds[len(transforms.kinds) - len(self._kinds) :]
        self._grad.__exit__(*exc)


def _keep_graph(args) -> bool:
    """Whether results must stay differentiable for an enclosing transform or autograd."""
    if not is_grad_enabled():
        return False
    if getattr(_state, "depth", 0) > 0:
        return True
    return any(isinstance(x, Tensor) and x.requires_grad for x in tree_flatten(args)[0])


def _captured(outputs, own: list) -> bool:
    """Whether ``outputs`` depend on a tensor that requires grad other than the transform's
    ``own`` stand-ins: one the function captured (a module's parameters). torch's results stay
    differentiable with respect to those."""
    own_ids = {id(x) for x in own}
    stack, seen = [], set()
    for o in outputs:
        if isinstance(o, Tensor) and o.requires_grad:
            if o.grad_fn is None and id(o) not in own_ids:
                return True
            stack.append(o.grad_fn)
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is AccumulateGrad:
            if id(node.variable) not in own_ids:
                return True
            continue
        stack.extend(edge[0] for edge in node.next_functions)
    return False


def _lift(x, keep: bool) -> Tensor:
    """A differentiable stand-in for ``x``: an alias keeping its graph, or a fresh leaf."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if not (x.is_floating_point() or x.is_complex()):
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    if keep and x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_(True)


def _check_argnums(argnums, n: int) -> tuple:
    """``argnums`` as a tuple of non-negative positions, with torch's errors."""
    if isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        items = argnums
    elif isinstance(argnums, int):
        items = (argnums,)
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in items:
        if not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(a)}")
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    return tuple(a % n for a in items)


def _lift_args(args: tuple, argnums, keep: bool):
    """``(new args, the lifted tree at argnums, its leaves)``: argnums' tensors replaced by
    stand-ins that ``autograd.grad`` can differentiate with respect to."""
    positions = _check_argnums(argnums, len(args))
    args = list(args)
    for p in positions:
        args[p] = tree_map(lambda x: _lift(x, keep), args[p])
    diff = tuple(args[p] for p in positions) if isinstance(argnums, tuple) else args[positions[0]]
    return tuple(args), diff, tree_flatten(diff)[0]


def _grads(outputs, inputs, cotangents=None, keep: bool = False) -> list:
    """Gradients of ``outputs`` (weighted by ``cotangents``) with respect to ``inputs``; zeros
    where an input is unused. The graph is retained: a vjp_fn may be called again."""
    if cotangents is None:
        cotangents = [None] * len(outputs)
    pairs = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if pairs:
        outs, cts = zip(*pairs)
        gs = autograd.grad(
            outs, inputs, cts, retain_graph=True, create_graph=keep, allow_unused=True
        )
    else:
        gs = [None] * len(inputs)
    return [x.new_zeros(x.shape) if g is None else g for g, x in zip(gs, inputs)]


def _settle(tree, keep: bool):
    """Detach the tensors of ``tree`` unless they must stay differentiable."""
    if keep:
        return tree
    return tree_map(lambda x: x.detach() if isinstance(x, Tensor) else x, tree)


def _pull(outputs, inputs, vectors, spec, keep: bool, given):
    """One more backward through a kept graph (for ``vjp_fn``/``jvp_fn``), as a ``spec`` tree;
    differentiable when the graph is or the ``given`` vectors require grad."""
    again = keep or _keep_graph(given)
    with _Level():
        gs = _grads(outputs, inputs, vectors, keep=again)
    return _settle(tree_unflatten(gs, spec), again)


def _split_aux(out, has_aux: bool, api: str):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    for x in tree_flatten(out[1])[0]:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
    return out


def grad_and_value(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """A function returning ``(gradient, value)`` of the scalar ``func`` with respect to the
    arguments at ``argnums`` (``(gradient, (value, aux))`` with ``has_aux``)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        keep, enabled = _keep_graph(args), is_grad_enabled()
        with _Level("grad"):
            args, diff, leaves = _lift_args(args, argnums, keep)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "grad_and_value(f)(*args)")
            if not isinstance(out, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(out)}"
                )
            if out.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                    "instead?"
                )
            keep = keep or (enabled and _captured(tree_flatten((out, aux))[0], leaves))
            gs = _grads([out], leaves, keep=keep)
        g = _settle(tree_unflatten(gs, tree_flatten(diff)[1]), keep)
        value = _settle(out, keep)
        return (g, (value, _settle(aux, keep))) if has_aux else (g, value)

    return wrapper


def grad(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """A function returning the gradient of the scalar ``func`` with respect to ``argnums``
    (``(gradient, aux)`` with ``has_aux``)."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def _check_outputs(out, api: str) -> list:
    leaves = tree_flatten(out)[0]
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(x)}"
            )
    return leaves


def vjp(func: Callable, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)`` (and ``aux``): ``vjp_fn(cotangents)`` returns the
    cotangents pulled back to each primal, as a tuple."""
    keep, enabled = _keep_graph(primals), is_grad_enabled()
    with _Level("grad"):
        args, diff, leaves = (
            _lift_args(primals, tuple(range(len(primals))), keep) if primals else ((), (), [])
        )
        out, aux = _split_aux(func(*args), has_aux, "vjp(f, *primals)")
        outs = _check_outputs(out, "vjp(f, *primals)")
        keep = keep or (enabled and _captured(outs + tree_flatten(aux)[0], leaves))
    spec = tree_flatten(diff)[1]

    def vjp_fn(cotangents):
        cts, ct_spec = tree_flatten(cotangents)
        if ct_spec != tree_flatten(out)[1]:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {structure_str(cotangents)}, primal "
                f"output: {structure_str(out)}"
            )
        return _pull(outs, leaves, cts, spec, keep, cotangents)

    if has_aux:
        return _settle(out, keep), vjp_fn, _settle(aux, keep)
    return _settle(out, keep), vjp_fn


def _pullback_graph(
    func: Callable, primals: tuple, keep: bool, has_aux: bool, api: str, enabled: bool
):
    """Run ``func`` and differentiate it once against zero dummy cotangents ``u`` with
    ``create_graph``: ``u^T J``, whose gradient with respect to ``u`` is ``J v`` for any ``v``
    (the double-backward trick). Returns ``(out, aux, dummy, u_jac, keep)``, ``keep`` true
    also when ``func`` captured a tensor that requires grad (with grad mode ``enabled``)."""
    where = f"{api}(f, primals, tangents)" if api == "jvp" else f"{api}(f, *primals)"
    args, _, leaves = _lift_args(primals, tuple(range(len(primals))), keep)
    out, aux = _split_aux(func(*args), has_aux, where)
    outs = _check_outputs(out, where)
    keep = keep or (enabled and _captured(outs + tree_flatten(aux)[0], leaves))
    # u^T J is linear in u, so u's value never matters: zeros keep inf/nan out.
    dummy = [o.new_zeros(o.shape).requires_grad_(True) for o in outs]
    return out, aux, dummy, _grads(outs, leaves, dummy, keep=True), keep


def jvp(func: Callable, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J @ tangents)`` (and ``aux``), by the double-backward trick: the
    gradient of ``u^T J`` with respect to the dummy cotangent ``u`` is ``J v``."""
    if not isinstance(primals, tuple):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
            "to call f(*primals)."
        )
    p_leaves, p_spec = tree_flatten(primals)
    t_leaves, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            "structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
            f"Got primals with structure {treespec_str(primals)} and tangents with structure "
            f"{treespec_str(tangents)}"
        )
    for what, leaves in (("primals", p_leaves), ("tangents", t_leaves)):
        for x in leaves:
            if not isinstance(x, Tensor):
                raise RuntimeError(
                    f"jvp(f, primals, tangents): Expected {what} to only contain Tensors, got "
                    f"{type(x)}"
                )
    for p, t in zip(p_leaves, t_leaves):
        for what, x in (("primal", p), ("tangent", t)):
            if not (x.is_floating_point() or x.is_complex()):
                raise ValueError(
                    f"Expected {what} to be floating point or complex, but got: {x.dtype}"
                )
        if t.shape != p.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} while "
                f"the given forward gradient is of size {list(t.shape)}."
            )
    keep, enabled = _keep_graph((primals, tangents)), is_grad_enabled()
    with _Level("jvp"):
        out, aux, dummy, u_jac, keep = _pullback_graph(func, primals, keep, has_aux, "jvp", enabled)
        res = _grads(u_jac, dummy, t_leaves, keep=keep)
    tangent_out = tree_unflatten(res, tree_flatten(out)[1])
    if has_aux:
        return _settle(out, keep), _settle(tangent_out, keep), _settle(aux, keep)
    return _settle(out, keep), _settle(tangent_out, keep)


def linearize(func: Callable, *primals) -> tuple:
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector product at
    ``primals``, each call one backward through a graph kept from the first evaluation."""
    keep, enabled = _keep_graph(primals), is_grad_enabled()
    with _Level("jvp"):
        out, _, dummy, u_jac, keep = _pullback_graph(
            func, primals, keep, False, "linearize", enabled
        )
    p_leaves, p_spec = tree_flatten(primals)
    out_spec = tree_flatten(out)[1]

    def jvp_fn(*tangents):
        t_leaves, t_spec = tree_flatten(tangents)
        if t_spec != p_spec:
            raise RuntimeError(
                f"Expected the tangents {treespec_str(tangents)} to have the same argspec as the "
                f"primals {treespec_str(primals)}"
            )
        for i, (t, p) in enumerate(zip(t_leaves, p_leaves)):
            if t.shape != p.shape:
                raise RuntimeError(
                    f"tangent:{i} with shape {t.shape} in flattened pytree doesn't match the shape "
                    f"{p.shape} of the corresponding primal."
                )
        return _pull(u_jac, dummy, t_leaves, out_spec, keep, tangents)

    return _settle(out, keep), jvp_fn


def _jacobian(
    func: Callable, argnums, has_aux: bool, forward: bool, randomness: str = "error"
) -> Callable:
    """The Jacobian transform shared by ``jacrev`` and ``jacfwd`` (``forward``), both in
    reverse mode. ``jacfwd`` is torch's vmap over its basis: in ``randomness='error'`` mode a
    random draw in ``func`` is refused as vmap refuses it."""
    api = "jvp(f, primals, tangents)" if forward else "vjp(f, *primals)"

    @functools.wraps(func)
    def wrapper(*args):
        keep, enabled = _keep_graph(args), is_grad_enabled()
        with _Level(*(("vmap", "jvp") if forward else ("grad",))):
            args, diff, leaves = _lift_args(args, argnums, keep)
            state = get_rng_state() if forward and randomness == "error" else None
            out = func(*args)
            if state is not None:
                check_no_draw(state)
            out, aux = _split_aux(out, has_aux, api)
            outs, out_spec = tree_flatten(out)
            _check_outputs(out, api)
            keep = keep or (enabled and _captured(outs + tree_flatten(aux)[0], leaves))
            spec = tree_flatten(diff)[1]
            per_output = []
            for o in outs:
                if o.numel() == 0:
                    jac = [x.new_zeros(tuple(o.shape) + tuple(x.shape)) for x in leaves]
                else:
                    jac = jacobian_rows(o, tuple(leaves), keep)
                if forward:  # forward mode's tangents take the output's dtype
                    jac = [j.to(o.dtype) for j in jac]
                per_output.append(tree_unflatten(list(jac), spec))
        jac = _settle(tree_unflatten(per_output, out_spec), keep)
        return (jac, _settle(aux, keep)) if has_aux else jac

    return wrapper


def jacrev(
    func: Callable,
    argnums=0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable:
    """A function returning the Jacobian of ``func`` with respect to ``argnums``, one backward
    per output element; for each output leaf, ``output.shape + input.shape``. ``chunk_size``
    is checked, then changes nothing."""
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, forward=False)


def jacfwd(
    func: Callable, argnums=0, has_aux: bool = False, *, randomness: str = "error"
) -> Callable:
    """``jacrev``'s Jacobian, under torch's forward-mode name.

    Ember has no forward-mode AD: the Jacobian is computed in reverse mode (one backward per
    output element), which gives the same values.
    """
    check_randomness(randomness)
    return _jacobian(func, argnums, has_aux, forward=True, randomness=randomness)


def hessian(func: Callable, argnums=0) -> Callable:
    """A function returning the Hessian of the scalar ``func``: the Jacobian of its Jacobian."""
    return jacfwd(jacrev(func, argnums), argnums)
