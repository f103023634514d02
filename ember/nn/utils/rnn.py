"""Variable-length sequences for the recurrent layers: padding and packing, as torch.nn.utils.rnn.

A ``PackedSequence`` stores the time steps of a batch of sequences (sorted longest first) one
after another: ``data`` holds, for each step ``t``, the rows of the ``batch_sizes[t]`` sequences
still running. Everything here is built from differentiable tensor operations.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..._tensor import Tensor, _make
from ...functions.shape import cat, stack

__all__ = [
    "PackedSequence",
    "pad_sequence",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pack_sequence",
    "unpad_sequence",
    "unpack_sequence",
    "invert_permutation",
]


class PackedSequence(NamedTuple):
    """``data`` (sum of lengths, *), ``batch_sizes`` (max length,), int64, and the permutations
    between the caller's batch order and the sorted one (None when the input was sorted)."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args, **kwargs) -> PackedSequence:
        return self._replace(data=self.data.to(*args, **kwargs))

    def float(self) -> PackedSequence:  # noqa: A003
        return self._replace(data=self.data.float())

    def double(self) -> PackedSequence:
        return self._replace(data=self.data.double())

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pad_sequence(
    sequences, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Stack tensors of shape ``(L_i, *)`` into ``(L_max, B, *)`` (``(B, L_max, *)`` if
    ``batch_first``), padding with ``padding_value`` on ``padding_side``."""
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        n = longest - s.shape[0]
        if n:
            fill = _make(np.full((n,) + tuple(s.shape[1:]), padding_value, s._data.dtype))
            s = cat([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def _invert(perm: np.ndarray) -> np.ndarray:
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size, dtype=perm.dtype)
    return inv


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation of ``0..n-1`` (None stays None)."""
    if permutation is None:
        return None
    return _make(_invert(permutation._data))


def pack_padded_sequence(
    input: Tensor,
    lengths,
    batch_first: bool = False,  # noqa: A002
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (or ``(B, T, *)``) of sequences of the given lengths."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        sorted_idx = None
    else:
        sorted_idx = np.argsort(-lens, kind="stable")
        lens = lens[sorted_idx]
    if batch_first:
        input = input.transpose(0, 1)  # noqa: A001
    if sorted_idx is not None:
        input = input.index_select(1, _make(sorted_idx))  # noqa: A001
    if lens.size and lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if lens.size and lens[0] > input.shape[0]:
        raise RuntimeError(
            f"Expected sequence length to be larger than or equal to {lens[0]}, but got "
            f"{input.shape[0]}"
        )
    steps = int(lens[0]) if lens.size else 0
    batch_sizes = np.array([(lens > t).sum() for t in range(steps)], dtype=np.int64)
    data = cat([input[t, : int(b)] for t, b in enumerate(batch_sizes)], 0)
    return _packed(data, batch_sizes, sorted_idx)


def _packed(data, batch_sizes, sorted_idx) -> PackedSequence:
    if sorted_idx is None:
        return PackedSequence(data, _make(batch_sizes), None, None)
    return PackedSequence(
        data,
        _make(batch_sizes),
        _make(sorted_idx.astype(np.int64)),
        _make(_invert(sorted_idx).astype(np.int64)),
    )


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
):
    """The inverse of ``pack_padded_sequence``: ``(padded, lengths)`` in the caller's order."""
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
    batch = int(batch_sizes[0]) if steps else 0
    rows, start = [], 0
    tail = tuple(data.shape[1:])
    for b in batch_sizes:
        b = int(b)
        step = data[start : start + b]
        if b < batch:
            step = cat(
                [step, _make(np.full((batch - b,) + tail, padding_value, data._data.dtype))], 0
            )
        rows.append(step)
        start += b
    for _ in range(total_length - steps):
        rows.append(_make(np.full((batch,) + tail, padding_value, data._data.dtype)))
    padded = stack(rows, 0)
    lengths = np.array([(batch_sizes > i).sum() for i in range(batch)], dtype=np.int64)
    if sequence.unsorted_indices is not None:
        idx = sequence.unsorted_indices
        padded = padded.index_select(1, idx)
        lengths = lengths[idx._data]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _make(lengths)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors ``(L_i, *)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, : int(n)] for i, n in enumerate(_lengths_array(lengths))]


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
