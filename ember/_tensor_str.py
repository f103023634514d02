"""Tensor printing: ``repr(tensor)`` strings identical to PyTorch's, built from NumPy arrays.

The rules below were learned by probing ``repr`` of torch 2.13 tensors; the comments record the
subtle ones. The entry point is :func:`format_tensor`, which the ``Tensor`` class calls with its
values as an ``ndarray``; :func:`set_printoptions` / :func:`get_printoptions` mirror
``torch.set_printoptions`` and ``torch._tensor_str.get_printoptions``, and :data:`PRINT_OPTS` is
the live option state, like ``torch._tensor_str.PRINT_OPTS`` (which some programs set directly).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator, Sequence

import numpy as np

__all__ = ["PRINT_OPTS", "format_tensor", "get_printoptions", "printoptions", "set_printoptions"]

# Named option sets accepted by ``set_printoptions(profile=...)``; "default" is also the start-up
# state. An unknown profile name is silently ignored, as in torch.
_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


@dataclasses.dataclass
class _PrinterOptions:
    """The print options in force; every printout reads them from :data:`PRINT_OPTS`."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

# Dtypes whose name is never printed for a non-empty tensor, besides the default float dtype:
# their values alone identify them (integers print without a dot, bools as True/False).
_INFERABLE_DTYPES = ("int64", "bool")
_DEFAULT_COMPLEX = {"float32": "complex64", "float64": "complex128"}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set options for printing tensors (same meaning and defaults as torch.set_printoptions).

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: element count above which the printout is summarised with ``...`` (1000).
        edgeitems: items kept at each end of every summarised dimension (3).
        linewidth: characters per line used to wrap long rows (80).
        profile: "default", "short" or "full"; applied first, then the explicit options.
        sci_mode: force scientific notation on (True) or off (False); None picks automatically.
            Like torch, every call sets it, so omitting it resets it to None.
    """
    if profile is not None:
        for name, value in _PROFILES.get(profile, {}).items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """Current print options: precision, threshold, edgeitems, linewidth, sci_mode."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Context manager that applies ``set_printoptions(**kwargs)`` and restores the old options."""
    saved = dataclasses.asdict(PRINT_OPTS)
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(PRINT_OPTS, name, value)


class _Formatter:
    """Turns one element into text of a common width, chosen from all the printed values."""

    def __init__(self, values: np.ndarray, precision: int, sci_mode: bool | None) -> None:
        flat = values.reshape(-1)
        self.floating = flat.dtype.kind == "f"
        self.is_bool = flat.dtype.kind == "b"
        self.precision = precision
        self.int_mode = True  # floats that are all whole numbers print as "3." not "3.0000"
        self.sci_mode = False
        # torch starts the width at 1, which matters only for how many elements fit on a line
        # when no value sets a width (e.g. all-zero float tensors: 24 "0." per 80-column line).
        self.width = 1
        if not self.floating:
            if flat.size:
                self.width = max(self.width, max(len(self._text(v)) for v in flat.tolist()))
            return
        # For floats every choice (int mode, scientific notation, width) is made from the nonzero
        # finite values only: zeros, -0., nan and inf are printed as they come and padded to that
        # width, never widening it (so tensor([-0., 2.]) prints "-0." next to an unpadded "2.").
        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if nonzero_finite.size == 0:
            return  # even a forced sci_mode leaves all-zero/nan/inf tensors as "0.", "nan", ...
        magnitudes = np.abs(nonzero_finite)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(np.ceil(nonzero_finite) == nonzero_finite))
        # Switch to scientific notation for a wide dynamic range or huge values, and for
        # non-integral data also for tiny values (below 1e-4), which fixed point would round away.
        self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or (not self.int_mode and lo < 1.0e-4)
        if sci_mode is not None:
            self.sci_mode = sci_mode
        self.width = max(self.width, max(len(self._text(v)) for v in nonzero_finite.tolist()))

    def _text(self, value) -> str:
        if self.is_bool:
            return str(bool(value))
        if not self.floating:
            return str(int(value))
        value = float(value)
        if not math.isfinite(value):
            return str(value)  # "nan", "inf", "-inf"
        if self.sci_mode:
            return f"{value:.{self.precision}e}"
        if self.int_mode:
            return f"{value:.0f}."
        return f"{value:.{self.precision}f}"

    def __call__(self, value) -> str:
        return self._text(value).rjust(self.width)


class _ComplexFormatter:
    """Complex elements as torch prints them: the real parts formatted as a float tensor of their
    own (right-aligned to a common width), the imaginary parts likewise but never padded, always
    signed and followed by "j": ``[1.+10.j, 1.-100.j]``."""

    def __init__(self, values: np.ndarray, precision: int, sci_mode: bool | None) -> None:
        self.real = _Formatter(values.real, precision, sci_mode)
        self.imag = _Formatter(values.imag, precision, sci_mode)
        # what torch counts per element when breaking rows into lines
        self.width = self.real.width + self.imag.width + 1

    def __call__(self, value) -> str:
        imag = self.imag._text(value.imag)
        return self.real(value.real) + ("" if imag.startswith("-") else "+") + imag + "j"


def _formatter(values: np.ndarray, precision: int, sci_mode: bool | None):
    kind = _ComplexFormatter if values.dtype.kind == "c" else _Formatter
    return kind(values, precision, sci_mode)


def _edge_indices(size: int, summarize: bool, edgeitems: int) -> list[int]:
    """Indices kept along one dimension: all of them, or edgeitems from each end."""
    if summarize and size > 2 * edgeitems:
        return [*range(edgeitems), *range(size - edgeitems, size)]
    return list(range(size))


def _render(
    data: np.ndarray, fmt: _Formatter, indent: int, summarize: bool, edgeitems: int, linewidth: int
) -> str:
    """Body text of a tensor of ndim >= 1, ``indent`` being the column of its opening bracket."""
    size = data.shape[0]
    cut = summarize and size > 2 * edgeitems
    if data.ndim == 1:
        items = [fmt(v) for v in (data[:edgeitems] if cut else data).tolist()]
        if cut:
            # The ellipsis is one more item (with a fixed leading space, not padded to the width),
            # so it takes a slot when rows are broken into lines.
            items += [" ..."] + [fmt(v) for v in data[size - edgeitems :].tolist()]
        # Items per line come from the common width, not the actual texts, hence at least one.
        per_line = max(1, math.floor((linewidth - indent) / (fmt.width + 2)))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"

    def sub(i: int) -> str:
        return _render(data[i], fmt, indent + 1, summarize, edgeitems, linewidth)

    if cut:
        parts = [sub(i) for i in range(edgeitems)] + ["..."]
        parts += [sub(i) for i in range(size - edgeitems, size)]
    else:
        parts = [sub(i) for i in range(size)]
    # Sub-tensors of a k-dim tensor are separated by k-1 newlines: blank lines between matrices.
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int, linewidth: int) -> str:
    """Append ``, suffix`` items, starting a new line (at the indent) when one would overflow."""
    # torch's line-length bookkeeping, measured: the line holding the values counts two more
    # characters than it has, a line started by a wrapped suffix counts exactly; an item stays on
    # the line while the count plus ", " plus the item is at most linewidth.
    counted = len(text) - (text.rfind("\n") + 1) + 2
    out = [text]
    for suffix in suffixes:
        if counted + 2 + len(suffix) > linewidth:
            out.append(",\n" + " " * indent + suffix)
            counted = indent + len(suffix)
        else:
            out.append(", " + suffix)
            counted += 2 + len(suffix)
    out.append(")")
    return "".join(out)


def format_tensor(
    data: np.ndarray,
    *,
    dtype_name: str,
    default_float_name: str = "float32",
    tail: Sequence[str] = (),
    prefix: str = "tensor(",
    namespace: str = "ember",
) -> str:
    """``repr`` of a tensor, exactly as torch writes it but with ``namespace`` for ``torch``.

    Args:
        data: the tensor's values (float16/32/64, complex64/128, signed or unsigned ints, bool).
        dtype_name: the tensor's dtype name, e.g. "float32", "int64", "bool".
        default_float_name: the current default float dtype; its name is not printed.
        tail: further items after the dtype, e.g. ``["requires_grad=True"]``.
        prefix: text before the values; continuation lines align after it.
        namespace: module name written in ``dtype=<namespace>.<dtype_name>``.
    """
    data = np.asarray(data)
    opts = PRINT_OPTS
    edgeitems, linewidth = int(opts.edgeitems), opts.linewidth
    indent = len(prefix) - (prefix.rfind("\n") + 1)
    dtype_item = f"dtype={namespace}.{dtype_name}"
    suffixes: list[str] = []

    if data.size == 0:
        # Nothing to infer the shape or dtype from: show the shape unless it is (0,), and the
        # dtype unless it is the default float dtype (int64 and bool included).
        body = "[]"
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype_name != default_float_name:
            suffixes.append(dtype_item)
    else:
        summarize = data.size > opts.threshold
        if edgeitems == 0:
            # torch's quirk with edgeitems=0: the shape is always printed, and a summarised
            # tensor shows no values at all.
            suffixes.append(f"size={tuple(data.shape)}")
        if data.ndim == 0:
            body = _formatter(data, opts.precision, opts.sci_mode)(data.item())
        elif summarize and edgeitems == 0:
            body = "[...]"
        else:
            # Width and notation are chosen from the values actually printed.
            shown = data[np.ix_(*(_edge_indices(n, summarize, edgeitems) for n in data.shape))]
            fmt = _formatter(shown, opts.precision, opts.sci_mode)
            body = _render(data, fmt, indent, summarize, edgeitems, linewidth)
        # the complex dtype of the default float dtype's precision goes unnamed too
        default_complex = _DEFAULT_COMPLEX.get(default_float_name)
        if dtype_name not in (default_float_name, default_complex, *_INFERABLE_DTYPES):
            suffixes.append(dtype_item)

    suffixes.extend(tail)
    return _add_suffixes(prefix + body, suffixes, indent, linewidth)
