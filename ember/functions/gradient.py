"""``ember.gradient``: numerical derivatives of sampled values by finite differences, as
``torch.gradient`` (and NumPy's ``gradient``): second-order central differences inside, first- or
second-order one-sided differences at the edges, for uniform spacings or explicit coordinates.
Composed of slicing, arithmetic and ``cat``, so it is differentiable."""

from __future__ import annotations

import numbers

from .._tensor import Tensor
from ._util import wrap_dim


def _spacing_error(n: int, given: int) -> RuntimeError:
    return RuntimeError(
        "torch.gradient expected spacing to be unspecified, a scalar, or a list of length equal "
        f"to 'self.dim() = {n}', since dim argument was not given, but got a list of length "
        f"{given}"
    )


def _spacings(spacing, dims: list, ndim: int, dim_given: bool) -> list:
    if isinstance(spacing, Tensor):
        raise TypeError(
            "gradient() received an invalid combination of arguments - got (Tensor, "
            "spacing=Tensor), but expected a Number, a tuple of Scalars or a tuple of Tensors "
            "for spacing"
        )
    if isinstance(spacing, numbers.Number):
        return [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        if not dim_given:
            raise _spacing_error(ndim, len(spacing))
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length "
            f"{len(spacing)} and a dim argument of length {len(dims)}."
        )
    kinds = {isinstance(s, Tensor) for s in spacing}
    if len(kinds) > 1:
        i = next(i for i, s in enumerate(spacing) if isinstance(s, Tensor) != (True in kinds))
        raise TypeError(
            f"expected Tensor as element {i} in argument 1, but got {type(spacing[i]).__name__}"
        )
    for s in spacing:
        if isinstance(s, Tensor) and s.ndim != 1:
            raise RuntimeError(
                "torch.gradient expected each element of spacing to have one dimension, but got "
                f"an element with {s.ndim} dimensions!"
            )
    return spacing


def _along(t: Tensor, dim: int, ndim: int) -> Tensor:
    """A 1-D tensor shaped to broadcast along ``dim`` of an ``ndim``-dimensional tensor."""
    shape = [1] * ndim
    shape[dim] = -1
    return t.reshape(shape)


def _derivative(f: Tensor, dim: int, h, edge_order: int) -> Tensor:
    n = f.shape[dim]

    def part(start: int, length: int) -> Tensor:
        return f.narrow(dim, start, length)

    if isinstance(h, Tensor):
        dx = h[1:] - h[:-1]
        hl, hr = _along(dx[:-1], dim, f.ndim), _along(dx[1:], dim, f.ndim)
        inner = (
            hl * hl * part(2, n - 2)
            - hr * hr * part(0, n - 2)
            + (hr * hr - hl * hl) * part(1, n - 2)
        ) / (hl * hr * (hl + hr))
        d0, d1, d_1, d_2 = (_along(dx[i : i + 1], dim, f.ndim) for i in (0, 1, n - 2, n - 3))
    else:
        inner = (part(2, n - 2) - part(0, n - 2)) / (2 * h)
        d0 = d1 = d_1 = d_2 = h
    if edge_order == 1:
        first = (part(1, 1) - part(0, 1)) / d0
        last = (part(n - 1, 1) - part(n - 2, 1)) / d_1
    else:
        first = (
            -(2 * d0 + d1) / (d0 * (d0 + d1)) * part(0, 1)
            + (d0 + d1) / (d0 * d1) * part(1, 1)
            - d0 / (d1 * (d0 + d1)) * part(2, 1)
        )
        last = (
            d_1 / (d_2 * (d_2 + d_1)) * part(n - 3, 1)
            - (d_1 + d_2) / (d_2 * d_1) * part(n - 2, 1)
            + (2 * d_1 + d_2) / (d_1 * (d_2 + d_1)) * part(n - 1, 1)
        )
    return first._cat_with(inner, dim)._cat_with(last, dim)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:  # noqa: A002
    """The derivative of ``input`` along each of ``dim`` (every dim by default), estimated by
    finite differences with sample ``spacing`` (a number, one per dim, or coordinate tensors)."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    ndim = input.ndim
    dim_given = dim is not None
    if dim is None:
        dims = list(range(ndim))
    elif isinstance(dim, int):
        dims = [wrap_dim(dim, ndim)]
    else:
        dims = [wrap_dim(d, ndim) for d in dim]
    spacings = _spacings(spacing, dims, ndim, dim_given)
    if any(input.shape[d] < edge_order + 1 for d in dims):
        raise RuntimeError(
            "torch.gradient expected each dimension size to be at least edge_order+1"
        )
    f = input if input._data.dtype.kind in "fc" else input.float()
    return tuple(_derivative(f, d, h, edge_order) for d, h in zip(dims, spacings))
