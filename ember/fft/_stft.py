"""``ember.stft`` and ``ember.istft``: the short-time Fourier transform and its inverse.

Both are composed of differentiable operations (padding, ``unfold``, the FFTs of ``ember.fft``,
``index_add`` for the overlap-add), so gradients reach the signal and the window alike.
"""

from __future__ import annotations

import operator
import warnings

from .._tensor import Tensor, apply
from ..autograd.primitives import nn as PN
from ..functions import creation as N
from ..functions.complex import view_as_complex, view_as_real
from . import _promote, fft, ifft, irfft, rfft

_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied,which is known to cause "
    "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
    "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
    "window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)
_NO_WINDOW_INVERSE = (
    "A window was not provided. A rectangular window will be applied.Please provide the same "
    "window used by stft to make the inversion lossless.To suppress this warning and use a "
    "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`."
)
_REAL_OUTPUT = (
    "stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
    "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you "
    "can still call torch.view_as_real on the complex output to recover the old return format."
)
_PADDED_TAIL = (
    "The length of signal is shorter than the length parameter. Result is being padded with "
    "zeros in the tail. Please check your center and hop_length settings."
)


def _flag(v) -> str:
    """How torch's messages print an optional bool: None, 0 or 1."""
    return "None" if v is None else str(int(v))


def _window_desc(window) -> str:
    return "None" if window is None else f"{window.type()}{{{list(window.shape)}}}"


def _padded_window(window, win_length: int, n_fft: int, like: Tensor) -> Tensor:
    """The window (ones when None) centred in ``n_fft`` points, zeros on both sides."""
    if window is None:
        window = N.ones(win_length, dtype=like.dtype.to_real())
    left = (n_fft - win_length) // 2
    if left == 0 and win_length == n_fft:
        return window
    pads = (left, n_fft - win_length - left)
    return apply(PN.pad("constant", 1), (window,), pads=pads, mode="constant", value=None)


def _on_pairs(op, z: Tensor, r: Tensor) -> Tensor:
    """``op(z, r)`` for complex ``z`` and real ``r``, taken on ``z``'s (real, imag) pairs:
    Ember's complex ``mul``/``div`` derivatives lack the conjugate, which would give ``r`` a
    wrong gradient."""
    if not z.is_complex() or r.is_complex():
        return op(z, r)
    return view_as_complex(op(view_as_real(z), r.unsqueeze(-1)))


def _windowed(frames: Tensor, window: Tensor) -> Tensor:
    """``frames * window``, either of them complex."""
    if window.is_complex() and not frames.is_complex():
        frames, window = window, frames
    return _on_pairs(operator.mul, frames, window)


def _pad_signal(x: Tensor, left: int, right: int, mode: str) -> Tensor:
    """``x`` padded along its last dim as F.pad pads a (1, B, L) batch."""
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    shape = tuple(x.shape)
    x3 = x.reshape((1,) * (3 - x.ndim) + shape) if x.ndim < 3 else x
    y = apply(PN.pad(mode, 1), (x3,), pads=(left, right), mode=mode, value=None)
    return y.reshape(shape[:-1] + (y.shape[-1],))


def stft(
    input: Tensor,  # noqa: A002
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
    align_to_window: bool | None = None,
) -> Tensor:
    """The short-time Fourier transform of a signal ``(L)`` or batch ``(B, L)``: the spectra
    of windowed frames ``hop_length`` apart, shape ``(B?, N, T)``.

    ``N`` is ``n_fft // 2 + 1`` (one-sided, the default for real input and window) or ``n_fft``;
    ``center`` pads ``n_fft // 2`` on both sides (``pad_mode``) so frame ``t`` centres on
    ``t * hop_length``; ``normalized`` scales by ``n_fft ** -0.5``.
    """
    if window is None:
        warnings.warn(_NO_WINDOW, UserWarning, stacklevel=2)
    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None and not complex_in:
        raise RuntimeError(
            "stft requires the return_complex parameter be given for real inputs, and will "
            "further require that return_complex=True in a future PyTorch release."
        )
    if return_complex is False:
        warnings.warn(_REAL_OUTPUT, UserWarning, stacklevel=2)
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    x = input
    if center:
        if align_to_window is not None:
            raise RuntimeError("stft align_to_window should only be set when center = false")
        x = _pad_signal(x, n_fft // 2, n_fft // 2, pad_mode)

    def fail(what: str) -> RuntimeError:
        return RuntimeError(
            f"stft({x.type()}{list(x.shape)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, "
            f"window={_window_desc(window)}, normalized={_flag(normalized)}, "
            f"onesided={_flag(onesided)}, return_complex={_flag(return_complex)}, "
            f"align_to_window={_flag(align_to_window)}) : {what}"
        )

    if x.ndim not in (1, 2):
        raise fail("expected a 1D or 2D tensor")
    if x._data.dtype.kind not in "fc":
        raise fail("expected a tensor of floating point or complex values")
    length = x.shape[-1]
    if not 0 < n_fft <= length:
        raise fail(f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise fail(f"expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise fail(f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise fail(
            f"expected a 1D window tensor of size equal to win_length={win}, but got window "
            f"with size {list(window.shape)}"
        )
    if onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    x = _promote(x)
    if align_to_window:  # frames start where their window does, not where their n_fft span does
        left = (n_fft - win) // 2
        x = _pad_signal(x, left, n_fft - win - left, "constant")
    frames = _windowed(x.unfold(-1, n_fft, hop), _padded_window(window, win, n_fft, x))
    norm = "ortho" if normalized else "backward"
    one = not complex_in if onesided is None else onesided
    spec = (rfft if one else fft)(frames, norm=norm).transpose(-1, -2)
    return spec if return_complex or return_complex is None else view_as_real(spec)


def istft(
    input: Tensor,  # noqa: A002
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    normalized: bool = False,
    onesided: bool | None = None,
    length: int | None = None,
    return_complex: bool = False,
) -> Tensor:
    """The inverse of ``stft``: the frames' inverse transforms, windowed, overlap-added and
    divided by the overlapped squared window; ``length`` trims or zero-pads the result."""
    if window is None:
        warnings.warn(_NO_WINDOW_INVERSE, UserWarning, stacklevel=2)
    if not input.is_complex():
        raise RuntimeError(
            "istft requires a complex-valued input tensor matching the output from stft with "
            "return_complex=True."
        )
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length

    def fail(what: str, sep: str = " : ") -> RuntimeError:
        return RuntimeError(
            f"istft({input.type()}{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={_window_desc(window)}, center={_flag(center)}, "
            f"normalized={_flag(normalized)}, onesided={_flag(onesided)}, "
            f"length={length}, return_complex={_flag(return_complex)}){sep}{what}"
        )

    if input.numel() == 0:
        raise fail("input tensor cannot be empty.")
    if input.ndim == 1:  # torch batches it, then finds no frequency dim
        raise IndexError("Dimension out of range (expected to be in range of [-2, 1], but got -3)")
    if input.ndim not in (2, 3):
        raise fail(f"expected a tensor with 3 or 4 dimensions, but got {input.ndim + 1}")
    if not 0 < hop <= win:
        raise fail("expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise fail("expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise fail("Invalid window shape. window has to be 1D and length of `win_length`")
    bins = input.shape[-2]
    one = bins != n_fft if onesided is None else onesided
    if one and bins != n_fft // 2 + 1:
        raise fail(
            "expected the frequency dimension (3rd to the last) of the input tensor to match "
            f"n_fft / 2 + 1 when onesided=True, but got {bins}"
        )
    if not one and bins != n_fft:
        raise fail(
            "expected the frequency dimension (3rd to the last) of the input tensor to match "
            f"n_fft when onesided=False, but got {bins}"
        )
    if return_complex and one:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if not return_complex and window is not None and window.is_complex():
        raise RuntimeError("Complex windows are incompatible with return_complex=False")
    norm = "ortho" if normalized else "backward"
    spec = input.transpose(-1, -2)  # (B?, T, N)
    if return_complex:
        frames = ifft(spec, n_fft, norm=norm)
    else:  # a two-sided spectrum of a real signal: its first half says it all
        frames = irfft(spec if one else spec[..., : n_fft // 2 + 1], n_fft, norm=norm)
    w = _padded_window(window, win, n_fft, frames)
    frames = _windowed(frames, w)
    n_frames = frames.shape[-2]
    total = n_fft + hop * (n_frames - 1)
    index = (N.arange(n_frames).unsqueeze(-1) * hop + N.arange(n_fft)).reshape(-1)
    y = frames.new_zeros(frames.shape[:-2] + (total,))
    y = y.index_add(-1, index, frames.reshape(frames.shape[:-2] + (-1,)))
    envelope = (w * w).expand(n_frames, n_fft).reshape(-1)
    envelope = envelope.new_zeros(total).index_add(0, index, envelope)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (total - n_fft // 2 if center else total)
    y, envelope = y[..., start:end], envelope[start:end]
    if bool((envelope.abs() < 1e-11).any()):
        raise fail("1\n[ CPUBoolType{} ]", sep=" window overlap add min: ")
    y = _on_pairs(operator.truediv, y, envelope)
    if length is not None and y.shape[-1] < length:
        warnings.warn(_PADDED_TAIL, UserWarning, stacklevel=2)
        y = _pad_signal(y, 0, length - y.shape[-1], "constant")
    return y
