"""``vmap``: map a function over a batch dimension of its inputs."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from .._tensor import Tensor
from ..autograd.function import transforms
from ..functions.random import get_rng_state, set_rng_state
from ..functions.shape import stack
from ._pytree import broadcast_prefix, tree_flatten, tree_unflatten, treespec_str

__all__ = ["vmap"]


def check_randomness(randomness) -> None:
    """Refuse a ``randomness`` mode that torch does not know."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )


def check_no_draw(state) -> None:
    """Refuse a random draw (the generator moved on from ``state``) in ``'error'`` mode."""
    if not np.array_equal(get_rng_state().numpy(), state.numpy()):
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use the "
            "'same' or 'different' randomness flags on vmap or perform the randomness operation "
            "out of vmap"
        )


def _name(func) -> str:
    return getattr(func, "__name__", repr(func))


def _is_dims(dims, nested: bool = False) -> bool:
    """An int, None, or (nested) tuples of them; lists and dicts only below the top level."""
    if dims is None or (isinstance(dims, int) and not isinstance(dims, bool)):
        return True
    if isinstance(dims, tuple) or (nested and isinstance(dims, list)):
        return all(_is_dims(d, True) for d in dims)
    if nested and isinstance(dims, dict):
        return all(_is_dims(d, True) for d in dims.values())
    return False


def _batch_size(leaves: list, dims: list, where: str) -> int:
    """The common size of the mapped dimensions, with each in_dim checked against its input."""
    sizes = []
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(x, Tensor):
            raise ValueError(
                f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. We "
                "cannot vmap over non-Tensor arguments, please use None as the respective in_dim"
            )
        n = x.dim()
        if not -n <= d < n:
            raise ValueError(
                f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                f"dimensionality {n} so expected in_dim to satisfy -{n} <= in_dim < {n}."
            )
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
            f"{sizes} for the mapped dimension"
        )
    return sizes[0]


def _sample(leaves: list, dims: list, b: int) -> list:
    return [x if d is None else x.select(d, b) for x, d in zip(leaves, dims)]


def _empty_sample(leaves: list, dims: list) -> list:
    """Stand-ins for one sample of an empty batch: zeros of the per-sample shape."""
    out = []
    for x, d in zip(leaves, dims):
        if d is not None:
            shape = list(x.shape)
            del shape[d]
            x = x.new_zeros(shape)
        out.append(x)
    return out


def _same(results: list) -> bool:
    """Whether every sample gave the same value: an output that does not depend on the batch."""
    first = results[0]
    if not isinstance(first, Tensor):
        return True
    a = first.detach().numpy()
    return all(r is first or np.array_equal(r.detach().numpy(), a) for r in results[1:])


def _combine(per_sample: list, out_dims, func, batch: int):
    """Stack each output leaf of the per-sample results along its out_dim."""
    name = _name(func)
    first = per_sample[0]
    leaves, spec = tree_flatten(first)
    if isinstance(out_dims, tuple) and len(out_dims) == 1 and isinstance(first, Tensor):
        out_dims = out_dims[0]  # torch takes (d,) for a single output
    dims = broadcast_prefix(out_dims, first)
    if dims is None:
        raise ValueError(
            f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
            f"the structure of `outputs`. out_dims has structure {treespec_str(out_dims)} but "
            f"outputs has structure {treespec_str(first)}."
        )
    columns = list(zip(*(tree_flatten(r)[0] for r in per_sample)))
    out = []
    for col, d in zip(columns, dims):
        if d is None:
            if not _same(list(col)):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is "
                    "None"
                )
            out.append(col[0])
            continue
        if not isinstance(col[0], Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(col[0])}. "
                "Did you mean to set out_dims= to None for output?"
            )
        if batch == 0:
            shape = list(col[0].shape)
            shape.insert(d % (len(shape) + 1), 0)
            out.append(col[0].new_zeros(shape))
        else:
            out.append(stack(list(col), d))
    return tree_unflatten(out, spec)


def vmap(
    func: Callable,
    in_dims=0,
    out_dims=0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable:
    """``func`` mapped over dimension ``in_dims`` of its inputs, results stacked at ``out_dims``.

    Ember has no batched tensors: the mapped function calls ``func`` once per sample (on
    ``x.select(in_dim, b)``) and joins the results with ``ember.stack``, so nested ``vmap`` and
    ``vmap(grad(f))`` work as any Python code does; ``chunk_size`` changes nothing. Random
    operations are detected through the default generator's state: ``randomness='error'``
    raises when ``func`` draws from it, ``'same'`` replays one draw for every sample and
    ``'different'`` draws afresh per sample. An output counts as batched (for ``out_dims=None``)
    when its samples differ.
    """
    check_randomness(randomness)
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        name = _name(func)
        where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        if in_dims is None or not _is_dims(in_dims):
            raise ValueError(
                f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching "
                f"the structure of inputs, got: {type(in_dims)}."
            )
        if not _is_dims(out_dims, nested=True):
            raise ValueError(
                f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a "
                "python collection of ints representing where in the outputs the vmapped "
                "dimension should appear."
            )
        if not args:
            raise ValueError(
                f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
                "are trying to vmap over a function with no inputs. The latter is unsupported."
            )
        leaves, spec = tree_flatten(args)
        dims = broadcast_prefix(in_dims, args)
        if dims is None:
            raise ValueError(
                f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has "
                f"structure {treespec_str(in_dims)} but inputs has structure "
                f"{treespec_str(args)}."
            )
        batch = _batch_size(leaves, dims, where)
        state = get_rng_state() if randomness != "different" else None
        results = []
        transforms.kinds.append("vmap")
        try:
            for b in range(max(batch, 1)):
                if randomness == "same":
                    set_rng_state(state)
                sample = _sample(leaves, dims, b) if batch else _empty_sample(leaves, dims)
                results.append(func(*tree_unflatten(sample, spec), **kwargs))
                if randomness == "error":
                    check_no_draw(state)
        finally:
            transforms.kinds.pop()
        return _combine(results, out_dims, func, batch)

    return wrapper
