"""The argument checks of the pooling functionals, with torch's exception types and messages.

torch checks a pool's arguments in three places: its argument parser (types: ints, bools), the
pool's own Python or C++ front (how many values each argument has) and the kernel (values,
dtypes). The kernels of ``ember/kernels/pool.py`` check the values; these check the rest.
"""

from __future__ import annotations

import numbers

from ..._tensor import Tensor
from ...functions.reduce import _scalar_type_name

_COUNT = {2: "two", 3: "three"}


def check_int_args(name: str, args: dict) -> None:
    """The parser's view: kernel_size (position 2), stride, padding (, dilation) ints or ints."""
    for pos, (arg, v) in enumerate(args.items(), 2):
        if v is None or isinstance(v, numbers.Integral):
            continue
        if not isinstance(v, (list, tuple)):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                f"{type(v).__name__}"
            )
        bad = [(i, e) for i, e in enumerate(v) if not isinstance(e, numbers.Integral)]
        if bad and bad[0][0] == 0:
            raise TypeError(
                f"{name}(): argument '{arg}' (position {pos}) must be tuple of ints, but found "
                f"element of type {type(bad[0][1]).__name__} at pos 0"
            )
        if bad:  # torch's parser words a later element's type its own way
            raise TypeError(
                f"{name}(): argument '{arg}' failed to unpack the object at pos "
                f"{bad[0][0] + 1} with error "
                f'"type must be tuple of ints,but got {type(bad[0][1]).__name__}"'
            )


def check_flags(name: str, ceil_mode, positioned: bool, **more) -> None:
    """ceil_mode (and count_include_pad) must be bools, divisor_override None or an int."""
    flags = {"ceil_mode": ceil_mode, **{k: v for k, v in more.items() if k != "divisor_override"}}
    for arg, v in flags.items():
        if not isinstance(v, bool):
            where = " (position 6)" if positioned else ""
            raise TypeError(f"{name}(): argument '{arg}'{where} must be bool, not {type_name(v)}")
    div = more.get("divisor_override")
    if div is not None and not isinstance(div, numbers.Integral):
        raise TypeError(
            f"{name}(): argument 'divisor_override' must be int, not {type(div).__name__}"
        )


def type_name(v) -> str:
    """A value's type as torch's argument parser names it (``numpy.ndarray``, ``Tensor``)."""
    t = type(v)
    if t.__module__ == "builtins" or isinstance(v, Tensor):
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


def check_lengths(name: str, nd: int, args: dict, avg: bool = False) -> None:
    """2-D and 3-D pools: each argument one value or one per spatial dim (stride may be empty)."""
    if nd == 1:
        return _check_lengths_1d(name, args)
    either = "" if avg and nd == 3 else "either "
    for arg, v in args.items():
        if not isinstance(v, (list, tuple)) or len(v) in (1, nd) or (arg == "stride" and not v):
            continue
        what = {
            "kernel_size": f"must {either}be a single int",
            "stride": f"must {either}be omitted, a single int",
            "padding": f"must {either}be a single int",
            "dilation": "must be either a single int",
        }[arg]
        raise RuntimeError(f"{name}: {arg} {what}, or a tuple of {_COUNT[nd]} ints")


def _check_lengths_1d(name: str, args: dict) -> None:
    for arg, v in args.items():
        if isinstance(v, (list, tuple)) and len(v) != 1 and (v or arg != "stride"):
            raise RuntimeError(f"{name}() argument '{arg}' should contain one int (got {len(v)})")


def check_max_pool1d_lengths(args: dict) -> None:
    """max_pool1d without indices words its own messages."""
    what = {
        "kernel_size": "an int, list of ints or tuple of ints",
        "stride": "None, an int, list of ints, or tuple of ints",
        "padding": "an int, list of ints, or tuple of ints",
        "dilation": "an int, list of ints or tuple of ints",
    }
    for arg, v in args.items():
        if isinstance(v, (list, tuple)) and len(v) != 1 and (v or arg != "stride"):
            raise RuntimeError(
                f"max_pool1d() {arg} must be {what[arg]} of size 1 but got size {len(v)}"
            )


def check_float_input(x, kernel: str) -> None:
    """Adaptive pools run on floating inputs only."""
    if not x.dtype.is_floating_point:
        name = _scalar_type_name(x.dtype)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def plain(v):
    """Python ints for the kernels (a NumPy integer or a list of them passes torch's parser)."""
    if isinstance(v, numbers.Integral):
        return int(v)
    return tuple(int(i) for i in v) if isinstance(v, (list, tuple)) else v


def _check_adaptive(x: Tensor, out, nd: int, name: str, shown=None) -> None:
    """Adaptive pooling needs non-empty spatial dims and non-negative output sizes."""
    shape = list(x.shape) if shown is None else shown
    for d in range(len(shape) - nd, len(shape)):
        if shape[d] == 0:
            raise RuntimeError(
                f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {shape} with dimension {d} being empty"
            )
    if any(o < 0 for o in out):
        if name.startswith("adaptive_avg"):
            raise RuntimeError(
                "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
                "but received {" + ", ".join(map(str, out)) + "}"
            )
        neg = next(o for o in out if o < 0)
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {neg}: "
            f"{shape[: len(shape) - nd] + list(out)}"
        )


def _check_pool_nonempty(x: Tensor, nd: int, name: str) -> None:
    """torch refuses an empty channel or spatial dim (an empty batch is fine)."""
    shape = list(x.shape)
    if all(shape[x.ndim - nd - 1 :]):
        return
    if nd < 3:
        raise RuntimeError(
            f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{shape}"
        )
    raise RuntimeError(  # torch names dimension 0 whichever is empty
        f"{name}(): Expected input's non-batch dimensions to have positive length, but input "
        f"has a shape of {shape} and non-batch dimension 0 has length zero!"
    )


def _check_avg_pool_rank(x: Tensor, nd: int) -> None:
    """torch's refusals of an avg_pool input that is not (C, *spatial) or (N, C, *spatial)."""
    if x.ndim in (nd + 1, nd + 2):
        return
    if nd == 3:
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if x.ndim == 0:  # torch indexes the height dim before it checks the rank
        raise IndexError("Dimension specified as -3 but tensor has no dimensions")
    if x.ndim < nd + 1:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-x.ndim}, {x.ndim - 1}], "
            "but got -3)"
        )
    raise RuntimeError(
        "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
        f"but got:{list(x.shape)}"
    )


def _check_rank_1d(x, name: str) -> None:
    """torch's refusal of a 1-D pooling input that is not (C, L) or (N, C, L)."""
    if isinstance(x, Tensor) and x.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 "
            f"'self' (while checking arguments for {name})"
        )
