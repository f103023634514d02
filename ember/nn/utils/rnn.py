"""Variable-length sequences for the recurrent layers: padding and packing, as torch.nn.utils.rnn.

A ``PackedSequence`` stores the time steps of a batch of sequences (sorted longest first) one
after another: ``data`` holds, for each step ``t``, the rows of the ``batch_sizes[t]`` sequences
still running. Everything here is built from differentiable tensor operations: packing gathers
the running rows in one indexing op; padding copies into slices of a filled tensor (torch's
``CopySlices`` graph).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..._dtype import float16, float32, float64, int8, int16, int32, int64, uint8
from ..._tensor import Tensor, _make
from ...functions._util import broadcast_shapes
from ...functions.creation import full
from ...functions.shape import cat, unbind

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]

PackedSequence_ = namedtuple(
    "PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"]
)


def _converter(dtype):
    """A PackedSequence method converting ``data`` to ``dtype``."""

    def convert(self) -> PackedSequence:
        return self.to(dtype=dtype)

    convert.__doc__ = f"``data`` as {dtype}."
    return convert


class PackedSequence(PackedSequence_):
    """``data`` (sum of lengths, *), ``batch_sizes`` (max length,), int64, and the permutations
    between the caller's batch order and the sorted one (None when the input was sorted).

    Built by ``pack_padded_sequence``/``pack_sequence``, not by hand; the constructor takes
    ``(data, batch_sizes)`` (or the pair as ``data``) and derives ``unsorted_indices``."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != "cpu":
                raise ValueError(
                    "batch_sizes should always be on CPU. Instances of PackedSequence should "
                    "never be created manually. They should be instantiated by functions like "
                    "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                    "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence"
                )
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        # the legacy form: PackedSequence((data, batch_sizes))
        assert isinstance(data, (list, tuple)) and len(data) == 2, (
            "Expected data to be a list or tuple of length 2"
        )
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data`` converted as ``Tensor.to`` does (``self`` when nothing changes); the batch
        sizes stay int64 on the CPU."""
        if "copy" in kwargs:
            raise RuntimeError(".to() does not accept copy argument")
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs) -> PackedSequence:
        """On the CPU (already there: ``self``)."""
        return self.to(*args, device="cpu", **kwargs)

    double = _converter(float64)
    float = _converter(float32)  # noqa: A003
    half = _converter(float16)
    long = _converter(int64)
    int = _converter(int32)  # noqa: A003
    short = _converter(int16)
    char = _converter(int8)
    byte = _converter(uint8)

    @property
    def is_cuda(self) -> bool:
        """Whether ``data`` is on a CUDA device (never, on Ember)."""
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        """Whether ``data`` is in pinned memory (never, on Ember)."""
        return self.data.is_pinned()


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation of ``0..n-1`` (None stays None)."""
    if permutation is None:
        return None
    perm = permutation._data
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size, dtype=perm.dtype)
    return _make(inv)


def _lengths_array(lengths) -> np.ndarray:
    """``lengths`` as an int64 array (a tensor keeps its shape, for torch's 1-D check)."""
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64)
    return np.asarray(lengths, dtype=np.int64)


def pad_sequence(
    sequences, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Stack tensors of shape ``(L_i, *)`` into ``(L_max, B, *)`` (``(B, L_max, *)`` if
    ``batch_first``), padding with ``padding_value`` on ``padding_side``; the dtype and trailing
    shape are those of the first sequence."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if isinstance(sequences, Tensor):
        sequences = unbind(sequences, 0)
    sequences = list(sequences)
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(s).__name__}"
            )
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    for s in sequences:
        if s.ndim == 0:
            raise RuntimeError("pad_sequence(): every sequence needs a time dimension, got a 0-d")
    longest = max(s.shape[0] for s in sequences)
    first = sequences[0]
    batch, tail = len(sequences), tuple(first.shape[1:])
    shape = (batch, longest) if batch_first else (longest, batch)
    out = full(shape + tail, padding_value, dtype=first.dtype)
    positions = []
    for i, s in enumerate(sequences):
        n = s.shape[0]
        steps = np.arange(n) + (0 if padding_side == "right" else longest - n)
        positions.append(i * longest + steps if batch_first else steps * batch + i)
    data = cat([_expand_rows(s, tail) for s in sequences])
    # torch copies each sequence into the output, casting to its dtype
    _scatter_rows(out, np.concatenate(positions), data.to(out.dtype))
    return out


def _expand_rows(s: Tensor, tail: tuple) -> Tensor:
    """``s`` broadcast to rows of shape ``tail``, refused as torch's copy into them is."""
    if tuple(s.shape[1:]) == tail:
        return s
    dst = (s.shape[0],) + tail
    shape = broadcast_shapes(dst, tuple(s.shape))
    if tuple(shape) != dst:
        raise RuntimeError(
            f"output with shape {list(dst)} doesn't match the broadcast shape {list(shape)}"
        )
    return s.expand(dst)


def _scatter_rows(out: Tensor, positions: np.ndarray, rows: Tensor) -> None:
    """Write ``rows`` into ``out`` (its two leading dims taken as one) at ``positions``: one
    in-place write through a view, recorded as torch's ``CopySlices``."""
    lead = out.shape[0] * out.shape[1]
    out.view((lead,) + tuple(out.shape[2:]))[_make(positions)] = rows


def pack_padded_sequence(
    input: Tensor,  # noqa: A002
    lengths,
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (or ``(B, T, *)``) of sequences of the given lengths
    (sorted longest first unless ``enforce_sorted=False``)."""
    lens = _lengths_array(lengths)
    sorted_idx = None
    if not enforce_sorted:
        if lens.ndim != 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        sorted_idx = np.argsort(-lens, kind="stable")
        lens = lens[sorted_idx]
        input = input.index_select(0 if batch_first else 1, _make(sorted_idx))  # noqa: A001
    if lens.ndim != 1:
        raise RuntimeError(
            "'lengths' argument should be a 1D CPU int64 tensor, but got "
            f"{lens.ndim}D cpu Long tensor"
        )
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if batch_first:
        input = input.transpose(0, 1)  # noqa: A001
    if lens.size != input.shape[1]:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
            f"(batch_size={input.shape[1]})"
        )
    if lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if np.any(np.diff(lens) > 0):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
            "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
            "pack_sequence to sidestep this requirement if you do not need ONNX "
            "exportability."
        )
    # torch reads past the end here; a clear error is kinder
    if lens[0] > input.shape[0]:
        raise RuntimeError(
            f"Expected sequence length to be larger than or equal to {lens[0]}, but got "
            f"{input.shape[0]}"
        )
    batch_sizes = (lens[None, :] > np.arange(int(lens[0]))[:, None]).sum(1)
    # the running rows of every step, step after step, gathered at once
    steps = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    rows = np.concatenate([np.arange(b) for b in batch_sizes])
    data = input[_make(steps), _make(rows)]
    if sorted_idx is None:
        return PackedSequence(data, _make(batch_sizes.astype(np.int64)))
    return PackedSequence(
        data, _make(batch_sizes.astype(np.int64)), _make(sorted_idx.astype(np.int64))
    )


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """The inverse of ``pack_padded_sequence``: ``(padded, lengths)`` in the caller's order,
    padded to ``total_length`` steps if given."""
    data, batch_sizes = sequence.data, sequence.batch_sizes._data
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
    else:
        total_length = steps
    batch = int(batch_sizes[0])
    out = full((total_length, batch) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    steps = np.repeat(np.arange(steps), batch_sizes)
    rows = np.concatenate([np.arange(b) for b in batch_sizes])
    _scatter_rows(out, steps * batch + rows, data)
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1).astype(np.int64)
    if batch_first:
        out = out.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        out = out.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices._data]
    return out, _make(lengths)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors ``(L_i, *)`` (sorted longest first unless
    ``enforce_sorted=False``)."""
    lengths = _make(np.array([s.shape[0] for s in sequences], dtype=np.int64))
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list:
    """Split a padded batch back into its sequences of the given lengths (a tensor)."""
    lengths.device  # noqa: B018 - torch's check that ``lengths`` is a tensor (AttributeError)
    if not batch_first:
        # in place, as torch: the caller's tensor is left batch-first
        padded_sequences.transpose_(0, 1)
    # indexed by a range of steps, as torch (IndexBackward0)
    return [
        padded_sequences[i][_make(np.arange(int(n)))] for i, n in enumerate(_lengths_array(lengths))
    ]


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Split a PackedSequence into its sequences, in the caller's order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
