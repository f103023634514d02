"""Reductions: ``sum``, ``mean``, ``max`` and friends, with torch's dim/keepdim/dtype handling."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import UNARY, Tensor, _make, apply, recorded
from ..autograd.grad_mode import _state
from ..autograd.primitives import linalg_decomp as LP
from ..autograd.primitives import reduce as P
from ..autograd.primitives import scan as SP
from ..autograd.primitives import select as SEL
from ._util import dims_tuple, return_type, to_np_dtype, wrap_dim
from .inplace import takes_out


def _mode(name):
    return return_type(name, ["values", "indices"])


_aminmax_t = return_type("aminmax", ["min", "max"])
_max_t, _min_t, _sort_t, _topk_t, _kth_t, _median_t, _mode_t, _cummax_t = (
    _mode("max"),
    _mode("min"),
    _mode("sort"),
    _mode("topk"),
    _mode("kthvalue"),
    _mode("median"),
    _mode("mode"),
    _mode("cummax"),
)


def _int_sum_dtype(x: Tensor, dtype):
    if dtype is not None:
        return to_np_dtype(dtype)
    return np.int64 if x._data.dtype.kind in "iub" else None


@takes_out("sum", "any")
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A001
    """Sum over ``dim`` (all dims when None); integer and bool inputs sum to int64."""
    if dim is None and not keepdim and dtype is None and input._rg and _state.enabled:
        return recorded(P.sum_all, input, UNARY, P._sum_all(input._data))
    dims = dims_tuple(dim, input._data.ndim)
    dt = _int_sum_dtype(input, dtype)
    if dims is None and dim is None and not keepdim:  # a dim=None with keepdim: SumBackward1
        return apply(P.sum_all, (input,), None, dim=None, keepdim=False, dtype=dt)
    return apply(P.sum_dim, (input,), None, dim=dims, keepdim=keepdim, dtype=dt)


@takes_out("nansum", "any")
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    return sum(input.masked_fill(input.isnan(), 0), dim, keepdim, dtype=dtype)


@takes_out("mean")
def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """Arithmetic mean over ``dim``; only floating-point inputs (or an explicit float dtype)."""
    if dim is None and not keepdim and dtype is None and input._rg and _state.enabled:
        return recorded(P.mean_all, input, UNARY, P._mean(input._data, None, False))
    kind = np.dtype(to_np_dtype(dtype)).kind if dtype is not None else input._data.dtype.kind
    if kind not in "fc":
        name = D._BY_NP[input._data.dtype if dtype is None else np.dtype(to_np_dtype(dtype))]
        which = "Input" if dtype is None else "Optional"
        raise RuntimeError(
            f"mean(): could not infer output dtype. {which} dtype must be either a floating point "
            f"or complex dtype. Got: {_scalar_type_name(name)}"
        )
    x = input if dtype is None else input.to(dtype)
    dims = dims_tuple(dim, input._data.ndim)
    if dims is None and dim is None and not keepdim:
        return apply(P.mean_all, (x,), None, dim=None, keepdim=False)
    return apply(P.mean_dim, (x,), None, dim=dims, keepdim=keepdim)


def nanmean(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    keep = ~input.isnan()
    return nansum(input, dim, keepdim) / keep.sum(dim, keepdim)


def _scalar_type_name(d: D.dtype) -> str:
    return {
        "float32": "Float",
        "float64": "Double",
        "float16": "Half",
        "int64": "Long",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "uint8": "Byte",
        "bool": "Bool",
        "complex64": "ComplexFloat",
        "complex128": "ComplexDouble",
    }.get(d.name, d.name)


@takes_out("prod", "any")
def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    dt = _int_sum_dtype(input, dtype)
    if dim is None:
        return apply(P.prod_all, (input,), None, dim=None, keepdim=False, dtype=dt)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError("prod(): argument 'dim' must be int")
    return apply(
        P.prod_dim, (input,), None, dim=dims_tuple(dim, input.ndim), keepdim=keepdim, dtype=dt
    )


def _empty_check(input: Tensor, name: str, dim=None):
    if input._data.size == 0 and (dim is None or input._data.shape[dim] == 0):
        where = (
            ""
            if dim is None
            else " on tensor with no elements because the operation does not have an identity"
        )
        raise IndexError(
            f"{name}(): Expected reduction dim {dim} to have non-zero size."
            if dim is not None
            else f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument." + where
        )


@takes_out("max")
def max(input: Tensor, dim=None, keepdim: bool = False):  # noqa: A001, A002
    """The largest value; with ``dim``, ``(values, indices)`` along it; with a tensor, maximum."""
    if isinstance(dim, Tensor):
        from .math import maximum

        return maximum(input, dim)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                "max(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                "the reduction dim with the 'dim' argument."
            )
        return apply(P.max_all, (input,), None, dim=None, keepdim=False)
    d = wrap_dim(dim, input.ndim)
    _empty_check(input, "max", d)
    v, i = apply(P.max_dim, (input,), None, dim=d if input.ndim else None, keepdim=keepdim)
    return _max_t(v, i)


@takes_out("min")
def min(input: Tensor, dim=None, keepdim: bool = False):  # noqa: A001, A002
    """The smallest value; with ``dim``, ``(values, indices)`` along it; with a tensor, minimum."""
    if isinstance(dim, Tensor):
        from .math import minimum

        return minimum(input, dim)
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                "min(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                "the reduction dim with the 'dim' argument."
            )
        return apply(P.min_all, (input,), None, dim=None, keepdim=False)
    d = wrap_dim(dim, input.ndim)
    _empty_check(input, "min", d)
    v, i = apply(P.min_dim, (input,), None, dim=d if input.ndim else None, keepdim=keepdim)
    return _min_t(v, i)


def _no_identity_check(input: Tensor, name: str, dim) -> None:  # noqa: A002
    """An empty reduction without an identity (amax, amin) is an error, as torch's: each listed
    dim is checked for zero size before ``dims_tuple`` looks for repeated ones, as torch."""
    if input._data.size:
        return
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if not dims:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    for d in dims:
        d = wrap_dim(int(d), input.ndim)
        if input._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


@takes_out("amax")
def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:  # noqa: A002
    _no_identity_check(input, "amax", dim)
    dims = dims_tuple(dim, input.ndim) if dim != () else None
    return apply(P.amax, (input,), None, dim=dims, keepdim=keepdim)


@takes_out("amin")
def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:  # noqa: A002
    _no_identity_check(input, "amin", dim)
    dims = dims_tuple(dim, input.ndim) if dim != () else None
    return apply(P.amin, (input,), None, dim=dims, keepdim=keepdim)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):  # noqa: A002
    if dim is not None and (type(dim) is bool or not isinstance(dim, (int, np.integer))):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    if dim is not None:
        dim = int(dim)  # an np.int64 too
    return _aminmax_t(
        amin(input, dim if dim is not None else (), keepdim),
        amax(input, dim if dim is not None else (), keepdim),
    )


@takes_out("argmax", "exact")
def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _arg_extreme("argmax", np.argmax, max, input, dim, keepdim)


@takes_out("argmin", "exact")
def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _arg_extreme("argmin", np.argmin, min, input, dim, keepdim)


def _arg_extreme(name, np_fn, by_dim, input, dim, keepdim) -> Tensor:  # noqa: A002
    """argmax/argmin: the flat index over the whole tensor (kept as 1s under ``keepdim``, as
    torch), or the indices of ``max``/``min`` along ``dim``."""
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is not None:
        try:
            return by_dim(input, dim, keepdim).indices
        except IndexError as e:  # an empty dim: torch's message names argmax, not max
            prefix = by_dim.__name__ + "():"
            if str(e).startswith(prefix):
                raise IndexError(name + "():" + str(e)[len(prefix) :]) from None
            raise
    if not input._data.size:
        raise IndexError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
        )
    flat = P._arg_extreme(np_fn, None)(_Ctx(), input._data.reshape(-1), 0, False)[1]
    shape = (1,) * input._data.ndim if keepdim else ()
    return _make(np.asarray(flat).reshape(shape))


class _Ctx:
    pass


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _check_moment_dtype(input, name: str = "std and var") -> None:  # noqa: A002
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")


def _moment(prim, name, input, dim, unbiased, keepdim, correction):  # noqa: A002
    _check_moment_dtype(input)
    if isinstance(dim, bool):  # var(x, False): the old positional unbiased
        unbiased, dim = dim, None
    dims = dims_tuple(dim, input.ndim)
    correction = _correction(unbiased, correction)
    shape = input._data.shape
    n = input._data.size if dims is None else int(np.prod([shape[d] for d in dims]))
    if n - correction <= 0:
        import warnings

        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    return apply(prim, (input,), None, dim=dims, keepdim=keepdim, correction=correction)


@takes_out("var")
def var(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:  # noqa: A002
    """Variance over ``dim`` with Bessel's ``correction`` (default 1)."""
    return _moment(P.var, "var", input, dim, unbiased, keepdim, correction)


@takes_out("std")
def std(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:  # noqa: A002
    """Standard deviation over ``dim`` with Bessel's ``correction`` (default 1)."""
    return _moment(P.std, "std", input, dim, unbiased, keepdim, correction)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    _check_moment_dtype(input, "var_mean")
    return (var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    _check_moment_dtype(input, "std_mean")
    return (std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


@takes_out("logsumexp")
def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:  # noqa: A002
    """``log(sum(exp(input)))`` over ``dim``, computed without overflow."""
    dims = _logsumexp_dims(input, dim, keepdim, 2)
    x = input if input._data.dtype.kind in "fc" else input.to(D.get_default_dtype())
    return apply(P.logsumexp, (x,), None, dim=dims, keepdim=keepdim)


def _logsumexp_dims(input: Tensor, dim, keepdim: bool, position: int):  # noqa: A002
    if dim is None:
        raise TypeError(
            f"logsumexp(): argument 'dim' (position {position}) must be tuple of ints, not NoneType"
        )
    dims = dims_tuple(dim, input.ndim)
    if dims is None and not keepdim and input.ndim and input._data.size:
        # torch's dim=(): a keepdim-shaped reduction that its out= check then refuses
        shape = ", ".join(["1"] * input.ndim)
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape [{shape}]")
    return dims


def _logsumexp_method(self: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``x.logsumexp(dim)``: torch's method counts ``dim`` as argument 1."""
    dims = _logsumexp_dims(self, dim, keepdim, 1)
    x = self if self._data.dtype.kind in "fc" else self.to(D.get_default_dtype())
    return apply(P.logsumexp, (x,), None, dim=dims, keepdim=keepdim)


logsumexp.without_out = _logsumexp_method  # the Tensor method binds this


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:  # noqa: A002
    """Vector p-norm over ``dim`` (all elements when None); ``'fro'`` is the 2-norm over up to
    two dims, ``'nuc'`` a matrix norm over a pair (all dims when None)."""
    if isinstance(p, str) and not (p == "fro" and (dim is None or isinstance(dim, int))):
        dims = range(input.ndim) if dim is None else (dim,) if isinstance(dim, int) else dim
        if p == "nuc" or len(dims) > 2:
            from ..linalg import matrix_norm  # ember.linalg builds on this module

            return matrix_norm(input, p, tuple(dims), keepdim, dtype=dtype)
    if p == "fro" or p is None:
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def norm_dtype(name: str, x: Tensor, dtype) -> Tensor:
    """``x`` in a norm's ``dtype`` argument, refused as torch does: an integer dtype, a change
    between real and complex, or a narrowing one."""
    if dtype is None:
        return x
    dt = D.to_dtype(dtype)
    if dt.np.kind not in "fc":
        raise RuntimeError(
            f"{name}: dtype should be floating point or complex, but got {_scalar_type_name(dt)}"
        )
    if (dt.np.kind == "c") != (x._data.dtype.kind == "c"):
        kind = "complex" if x._data.dtype.kind == "c" else "real"
        raise RuntimeError(
            f"{name}: dtype should be {kind} for {kind} inputs, but got {_scalar_type_name(dt)}"
        )
    if D.promote_types(x.dtype, dt) is not dt:
        raise RuntimeError(
            f"{name}: the dtype of the input ({_scalar_type_name(x.dtype)}) should be convertible "
            f"without narrowing to the specified dtype ({_scalar_type_name(dt)})"
        )
    return x.to(dt)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_scalar_type_name(x.dtype)}"
        )
    x = norm_dtype("linalg.vector_norm", x, dtype)
    dims = dims_tuple(dim, x.ndim)  # checks the range even for a 0-d tensor (dim 0 or -1)
    if not x.ndim:
        dims = None
    if x._data.size == 0 and (ord < 0 or ord == float("inf")):  # no identity to start from
        if dims is None:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because "
                "the operation does not have an identity"
            )
        for d in (d for d in dims if x.shape[d] == 0):
            raise RuntimeError(  # torch's message, its missing space included
                f"linalg.vector_norm cannot compute the {ord} norm on the dimension {d}because "
                "this dimension is empty and the operation does not have an identity"
            )
    # Tensor.norm is linalg.vector_norm in torch too: one primitive, one grad_fn
    return apply(LP.vector_norm, (x,), None, ord=float(ord), dim=dims, keepdim=keepdim)


@takes_out("cumsum")
def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:  # noqa: A002
    dt = _int_sum_dtype(input, dtype)
    return apply(P.cumsum, (input,), None, dim=wrap_dim(dim, input.ndim), dtype=dt)


@takes_out("cumprod")
def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:  # noqa: A002
    dt = _int_sum_dtype(input, dtype)
    return apply(P.cumprod, (input,), None, dim=wrap_dim(dim, input.ndim), dtype=dt)


def _softmax_input(input: Tensor, dtype):
    if dtype is not None:
        return input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(
            f'"softmax_lastdim_kernel_impl" not implemented for '
            f"'{_scalar_type_name(input.dtype)}'"
        )
    return input


def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:  # noqa: A002
    """``exp(x) / sum(exp(x))`` along ``dim``."""
    x = _softmax_input(input, dtype)
    d = wrap_dim(dim, x.ndim)  # a 0-d tensor still accepts only dim -1 or 0, as torch
    return apply(P.softmax, (x,), None, dim=d if x.ndim else None)


def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:  # noqa: A002
    """``log(softmax(x))`` along ``dim``, computed stably."""
    x = _softmax_input(input, dtype)
    d = wrap_dim(dim, x.ndim)
    return apply(P.log_softmax, (x,), None, dim=d if x.ndim else None)


@takes_out("all")
def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    d = None
    if dim is not None:
        d = dims_tuple(dim, input.ndim)
        if d is None:  # dim=(): torch reduces nothing, each value on its own
            d = ()
    out = np.all(input._data, axis=d, keepdims=keepdim)
    return _make(np.asarray(out, dtype=np.uint8 if input._data.dtype == np.uint8 else np.bool_))


@takes_out("any")
def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    d = None
    if dim is not None:
        d = dims_tuple(dim, input.ndim)
        if d is None:  # dim=(): torch reduces nothing, each value on its own
            d = ()
    out = np.any(input._data, axis=d, keepdims=keepdim)
    return _make(np.asarray(out, dtype=np.uint8 if input._data.dtype == np.uint8 else np.bool_))


def count_nonzero(input: Tensor, dim=None) -> Tensor:  # noqa: A002
    d = dims_tuple(dim, input.ndim) if dim is not None else None
    return _make(np.asarray(np.count_nonzero(input._data, axis=d), dtype=np.int64))


def trace(input: Tensor) -> Tensor:  # noqa: A002
    """The sum of the main diagonal of a 2-D tensor."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype == D.bool:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return apply(SEL.trace, (input,))


def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """``log(cumsum(exp(input), dim))``, computed without overflow."""
    d = wrap_dim(dim, input.ndim)
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{_scalar_type_name(input.dtype)}'"
        )
    return apply(SP.logcumsumexp, (input,), None, dim=d)


def _running_best(a: np.ndarray, larger: bool) -> np.ndarray:
    """Where the running max (or min) along axis 0 was found: the latest of equal values, and
    the latest NaN once one is seen (NaN wins, as in torch)."""
    idx = np.zeros(a.shape, np.int64)
    if not a.shape[0]:
        return idx
    best, at = a[0].copy(), np.zeros(a.shape[1:], np.int64)
    nan_aware = a.dtype.kind in "fc"
    for i in range(1, a.shape[0]):
        v = a[i]
        take = v >= best if larger else v <= best
        if nan_aware:
            take = np.isnan(v) | (take & ~np.isnan(best))
        best = np.where(take, v, best)
        at = np.where(take, i, at)
        idx[i] = at
    return idx


def _cumulative_extreme(input: Tensor, dim: int, larger: bool, name: str):  # noqa: A002
    d = wrap_dim(dim, input.ndim)
    prim = SEL.cummax if larger else SEL.cummin
    if not input.ndim:
        values = apply(prim, (input,), None, dim=0, idx=None)
        return _mode(name)(values, _make(np.zeros((), np.int64)))
    idx = np.moveaxis(_running_best(np.moveaxis(input._data, d, 0), larger), 0, d)
    idx = np.ascontiguousarray(idx)
    return _mode(name)(apply(prim, (input,), None, dim=d, idx=idx), _make(idx))


def cummax(input: Tensor, dim: int):  # noqa: A002
    """``(values, indices)`` of the running maximum along ``dim``."""
    return _cumulative_extreme(input, dim, True, "cummax")


def cummin(input: Tensor, dim: int):  # noqa: A002
    """``(values, indices)`` of the running minimum along ``dim``."""
    return _cumulative_extreme(input, dim, False, "cummin")


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):  # noqa: A002
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest of equally
    frequent ones) and the last index where it stands."""
    d = wrap_dim(dim, input.ndim)
    _empty_check(input, "mode", d if input.ndim else None)
    a = input._data
    if not a.ndim:
        values = apply(SEL.mode, (input,), None, dim=0, idx=None, keepdim=keepdim)
        return _mode("mode")(values, _make(np.zeros((), np.int64)))
    rows = np.moveaxis(a, d, -1).reshape(-1, a.shape[d])
    found = np.empty(len(rows), np.int64)
    for r, row in enumerate(rows):
        vals, counts = np.unique(row, return_counts=True, equal_nan=False)
        v = vals[np.argmax(counts)]  # np.unique sorts: the first of the most frequent
        found[r] = np.flatnonzero((row == v) | ((row != row) & (v != v)))[-1]
    keep_shape = tuple(1 if k == d else n for k, n in enumerate(a.shape))
    idx = np.moveaxis(found.reshape(np.moveaxis(np.empty(keep_shape), d, -1).shape), -1, d)
    idx = np.ascontiguousarray(idx)
    values = apply(SEL.mode, (input,), None, dim=d, idx=idx, keepdim=keepdim)
    return _mode("mode")(values, _make(idx if keepdim else idx.squeeze(d)))


def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:  # noqa: A002
    """``input`` with each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down
    to norm ``maxnorm``."""
    if input.ndim < 2:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions"
        )
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = wrap_dim(dim, input.ndim)
    others = tuple(k for k in range(input.ndim) if k != d)
    norms = vector_norm(input, p, others, keepdim=True)
    over = norms > maxnorm
    # torch's 1e-7 keeps a zero norm finite; slices within the bound are left exactly as they are
    factor = (maxnorm / (norms + 1e-7)).masked_fill(~over, 1)
    return input * factor


def _cov_weights(w, name: str, n: int, integral: bool):
    if w is None:
        return None
    kind = "iu" if integral else "f"
    if w._data.dtype.kind not in kind:
        want = "integral" if integral else "floating point"
        raise RuntimeError(
            f"cov(): expected {name} to have {want} dtype but got {name} with "
            f"{_scalar_type_name(w.dtype)} dtype"
        )
    if w.ndim > 1:
        raise RuntimeError(
            f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
            f"{w.ndim} dimensions"
        )
    if w.numel() != n:
        raise RuntimeError(
            f"cov(): expected {name} to have the same numel as there are observations in the "
            f"input but got {w.numel()} != {n}"
        )
    if (w._data < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")
    return w


def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:  # noqa: A002
    """Covariance matrix of the variables in ``input``'s rows (observations in columns), with
    optional frequency and observation weights."""
    if input.ndim > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input.ndim} dimensions"
        )
    x = input if input._data.dtype.kind in "fc" else input.to(D.get_default_dtype())
    x = x.reshape(1, -1) if x.ndim < 2 else x
    n = x.shape[1]
    fw = _cov_weights(fweights, "fweights", n, True)
    aw = _cov_weights(aweights, "aweights", n, False)
    w = fw if aw is None else aw if fw is None else fw * aw
    if w is None:
        w_sum = x.new_tensor(float(n))
        avg = x.mean(1, keepdim=True)
    else:
        w = w.to(x.dtype)
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
    if correction == 0:
        norm = w_sum
    elif aw is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * (w * aw.to(x.dtype)).sum() / w_sum
    norm = norm.clamp(min=0)
    xm = x - avg
    out = ((xm if w is None else xm * w) @ xm.t()) / norm
    return out.squeeze() if input.ndim < 2 else out


def corrcoef(input: Tensor) -> Tensor:  # noqa: A002
    """Pearson correlation coefficients of the variables in ``input``'s rows."""
    if input.ndim > 2:
        raise RuntimeError(
            "corrcoef(): expected input to have two or fewer dimensions but got an input with "
            f"{input.ndim} dimensions"
        )
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    return (c / std.unsqueeze(1) / std.unsqueeze(0)).clamp(-1, 1)


def _trapezoid_terms(name: str, y: Tensor, x, dx, dim: int):
    """The per-interval areas of the trapezoid rule along ``dim``, and ``dim`` wrapped."""
    if x is not None and dx is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got both x and dx"
        )
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, y.ndim)
    yf = y if y._data.dtype.kind in "fc" else y.to(D.get_default_dtype())
    n = y.shape[d]
    m = n - 1 if n else 0
    mid = (yf.narrow(d, 1, m) + yf.narrow(d, 0, m)) if n else yf
    if x is None:
        return mid * (0.5 * (1 if dx is None else dx)), d
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        steps = x.diff().reshape([m if k == d else 1 for k in range(y.ndim)])
    else:
        steps = x.diff(dim=d)
    return mid * steps * 0.5, d


def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The trapezoid-rule integral of ``y`` along ``dim``, at points ``x`` or spacing ``dx``."""
    terms, d = _trapezoid_terms("trapezoid", y, x, dx, dim)
    return terms.sum(d)


def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """``trapezoid`` under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running trapezoid-rule integral of ``y`` along ``dim`` (one value fewer than ``y``)."""
    terms, d = _trapezoid_terms("cumulative_trapezoid", y, x, dx, dim)
    if y.shape[d] == 0:
        return terms
    return terms.cumsum(d)
