"""Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, packed input) and their cells.

Parameters are named and shaped as torch's (``weight_ih_l0``, ``weight_hh_l1_reverse``,
``weight_hr_l0`` for LSTM projections), so state dicts cross. Each layer projects the whole input
sequence with one matrix product, then steps through time; packed sequences run padded, with
finished sequences keeping their state (a mask per step).
"""

from __future__ import annotations

import math

import numpy as np

from ..._dtype import float32
from ..._tensor import Tensor, _make, apply
from ...autograd.grad_mode import is_grad_enabled
from ...autograd.primitives.rnn import lstm_layer
from ...functions.creation import empty, zeros
from ...functions.math import where
from ...functions.shape import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- one time step of each cell type, on (N, *) tensors --------------------------------------------
def _rnn_step(act):
    def step(xp, h, w_hh, b_hh, _c=None, _w_hr=None):
        g = F.linear(h, w_hh, b_hh) + xp  # torch's order: its graph lists the hidden part first
        return (g.tanh() if act == "tanh" else g.relu()), None

    return step


def _lstm_step(xp, h, w_hh, b_hh, c, w_hr=None):
    gates = F.linear(h, w_hh, b_hh) + xp  # torch's order and pieces (hidden part first)
    i, f, g, o = gates.unsafe_chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(xp, h, w_hh, b_hh, _c=None, _w_hr=None):
    # torch's cell, in its order (so the same roundings): h' = (h - n) * z + n
    xr, xz, xn = xp.unsafe_chunk(3, 1)
    hr, hz, hn = F.linear(h, w_hh, b_hh).unsafe_chunk(3, 1)
    r = (hr + xr).sigmoid()
    z = (hz + xz).sigmoid()
    n = (xn + hn * r).tanh()
    return (h - n) * z + n, None


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU (torch's ``nn.RNNBase``)."""

    __constants__ = [
        "mode",
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
        "proj_size",
    ]

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if not (
            isinstance(dropout, (int, float))
            and not isinstance(dropout, bool)
            and 0 <= dropout <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):  # a bool passes, as in torch
                raise TypeError(f"{arg} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{arg} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if dropout > 0 and num_layers == 1:
            import warnings

            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [
                    ("weight_ih", (gate_size, layer_input)),
                    ("weight_hh", (gate_size, real_hidden)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                for name, shape in shapes:
                    setattr(self, name + sfx, Parameter(empty(shape, dtype=dtype)))
                    self._flat_weights_names.append(name + sfx)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        n = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional else 1))
        w = self._flat_weights
        return [w[i : i + n] for i in range(0, len(w), n)]

    def flatten_parameters(self) -> None:
        """A no-op: Ember keeps no fused weight buffer."""

    def extra_repr(self) -> str:
        """The repr's arguments: the sizes, then the options not at their defaults."""
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- forward ---------------------------------------------------------------------------------
    def _step_fn(self):
        if self.mode == "LSTM":
            return _lstm_step
        if self.mode == "GRU":
            return _gru_step
        return _rnn_step("tanh" if self.mode == "RNN_TANH" else "relu")

    def _state_shapes(self, batch: int):
        d = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        h = (self.num_layers * d, batch, real_hidden)
        return (h, (self.num_layers * d, batch, self.hidden_size)) if self.mode == "LSTM" else (h,)

    def _check_hidden(self, hx: Tensor, expected: tuple, msg: str) -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _check_input_dtype(self, input: Tensor) -> None:
        w = self.weight_ih_l0
        if input.dtype != w.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). "
                f"Convert input: input.to({w.dtype}), or convert model: model.to({input.dtype})"
            )

    def forward(self, input, hx=None):  # noqa: A002
        """Run the recurrence over the whole sequence; return ``(output, h_n)``.

        For LSTM, ``hx`` and the returned state are ``(h, c)`` pairs. A PackedSequence input gives a
        PackedSequence output. A missing ``hx`` starts from zeros.

        Shape:
            input: ``(L, N, H_in)``, ``(N, L, H_in)`` if ``batch_first``; ``(L, H_in)`` unbatched.
            output: ``(L, N, D * H_out)`` (batch first likewise); D = 2 if bidirectional, else 1.
            h_n: ``(D * num_layers, N, H_out)``; LSTM's c_n: ``(D * num_layers, N, hidden_size)``.
            H_out is ``proj_size`` when that is > 0, else ``hidden_size``.
        """
        packed = isinstance(input, PackedSequence)
        if packed:
            if self.mode != "LSTM":  # torch's packed LSTM skips this check
                self._check_input_dtype(input.data)
            sorted_idx, unsorted_idx = input.sorted_indices, input.unsorted_indices
            x, lengths = pad_packed_sequence(
                PackedSequence(input.data, input.batch_sizes), batch_first=False
            )
            lengths = lengths._data
            batched = True
        else:
            sorted_idx = unsorted_idx = None
            if input.ndim not in (2, 3):
                word = " tensor" if self.mode.startswith("RNN") else ""  # torch's own wordings
                raise ValueError(
                    f"{self._get_name()}: Expected input to be 2D or 3D, got {input.ndim}D"
                    f"{word} instead"
                )
            self._check_input_dtype(input)
            batched = input.ndim == 3
            x = input if batched else input.unsqueeze(1)
            if batched and self.batch_first:
                x = x.transpose(0, 1)
            lengths = None
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{x.shape[-1]}"
            )
        steps, batch = x.shape[0], x.shape[1]
        shapes = self._state_shapes(batch)
        if hx is None:
            states = [zeros(s, dtype=x.dtype) for s in shapes]
        else:
            states = list(hx) if self.mode == "LSTM" else [hx]
            if not batched:
                for s in states:
                    if s.ndim != 2:
                        raise RuntimeError(
                            f"For unbatched 2-D input, hx should also be 2-D but got "
                            f"{s.ndim}-D tensor"
                        )
                states = [s.unsqueeze(1) for s in states]
            elif any(s.ndim != 3 for s in states):
                bad = next(s for s in states if s.ndim != 3)
                raise RuntimeError(
                    f"For batched 3-D input, hx should also be 3-D but got {bad.ndim}-D tensor"
                )
            if sorted_idx is not None:
                states = [s.index_select(1, sorted_idx) for s in states]
            names = ["Expected hidden size {}, got {}", "Expected hidden[0] size {}, got {}"]
            for k, (s, shape) in enumerate(zip(states, shapes)):
                msg = (
                    names[0]
                    if self.mode != "LSTM"
                    else (
                        "Expected hidden[0] size {}, got {}"
                        if k == 0
                        else "Expected hidden[1] size {}, got {}"
                    )
                )
                self._check_hidden(s, shape, msg)
        masks = None
        if lengths is not None:
            t = np.arange(steps)[:, None]
            masks = [_make(m[:, None]) for m in (t < lengths[None, :])]
        out, final = self._run(x, states, masks)
        if packed:
            output = pack_padded_sequence(out, _make(lengths))
            output = PackedSequence(output.data, output.batch_sizes, sorted_idx, unsorted_idx)
            if unsorted_idx is not None:
                final = [f.index_select(1, unsorted_idx) for f in final]
        else:
            output = out
            if batched and self.batch_first and self.mode == "LSTM":
                output = output.transpose(0, 1)
            elif batched and self.batch_first:  # torch's RNN and GRU transpose in place here
                output = output.transpose_(0, 1)
            if not batched:
                output = output.squeeze(1)
                final = [f.squeeze(1) for f in final]
        hidden = tuple(final) if self.mode == "LSTM" else final[0]
        return output, hidden

    def _run(self, x: Tensor, states: list, masks):
        step = self._step_fn()
        d = 2 if self.bidirectional else 1
        weights = self._flat_weights
        per = len(weights) // (self.num_layers * d)
        lstm = self.mode == "LSTM"
        # torch's CPU LSTM runs each float32 layer as one fused node (MkldnnRnnLayerBackward0);
        # with projections or packed input it composes steps, as here
        fused = (
            lstm
            and not self.proj_size
            and masks is None
            and (x.dtype == float32 or not is_grad_enabled())
        )
        finals_h, finals_c = [], []
        layer_input = x
        for layer in range(self.num_layers):
            outs = []
            for direction in range(d):
                k = layer * d + direction
                w = weights[k * per : (k + 1) * per]
                w_ih, w_hh = w[0], w[1]
                b_ih, b_hh = (w[2], w[3]) if self.bias else (None, None)
                if fused:
                    xin = layer_input.contiguous()  # torch's layer takes a contiguous input too
                    inputs = (xin, w_ih, w_hh, b_ih, b_hh, states[0][k], states[1][k])
                    out, h, c = apply(lstm_layer, inputs, reverse=direction == 1)
                    outs.append(out)
                    finals_h.append(h)
                    finals_c.append(c)
                    continue
                w_hr = w[-1] if self.proj_size > 0 else None
                xp = F.linear(layer_input, w_ih, b_ih)  # every time step at once
                h = states[0][k]
                c = states[1][k] if lstm else None
                order = range(x.shape[0]) if direction == 0 else range(x.shape[0] - 1, -1, -1)
                seq = [None] * x.shape[0]
                steps = xp.unbind(0)  # torch's graph: one UnbindBackward0 for the sequence
                for t in order:
                    h_new, c_new = step(steps[t], h, w_hh, b_hh, c, w_hr)
                    if masks is not None:
                        m = masks[t]
                        h_new = where(m, h_new, h)
                        if lstm:
                            c_new = where(m, c_new, c)
                        seq[t] = h_new * m.to(h_new.dtype)
                    else:
                        seq[t] = h_new
                    h, c = h_new, c_new
                outs.append(stack(seq, 0))
                finals_h.append(h)
                if lstm:
                    finals_c.append(c)
            layer_input = outs[0] if d == 1 else cat(outs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        final = [stack(finals_h, 0)]
        if lstm:
            final.append(stack(finals_c, 0))
        return layer_input, final


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu).

    Args: input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False.
    Shape: input (L, N, H_in) (or (N, L, H_in), or (L, H_in)), h_0 (D*num_layers, N, H_out).
    """

    def __init__(self, *args, **kwargs) -> None:
        names = [
            "input_size",
            "hidden_size",
            "num_layers",
            "nonlinearity",
            "bias",
            "batch_first",
            "dropout",
            "bidirectional",
        ]
        kw = dict(zip(names, args))
        for k, v in kwargs.items():
            if k in kw:
                raise TypeError(f"RNN.__init__() got multiple values for argument '{k}'")
            kw[k] = v
        nonlinearity = kw.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        if "proj_size" in kw:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.nonlinearity = nonlinearity
        super().__init__(mode, **kw)


class LSTM(RNNBase):
    """Long short-term memory; ``proj_size > 0`` projects ``h`` to that size.

    Shape: input (L, N, H_in); (h_0, c_0) of (D*num_layers, N, H_out) and (D*num_layers, N, H_cell).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: ``h_t = (1 - z) * n + z * h_{t-1}``."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# -- cells -----------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """The shared parameters and checks of RNNCell, LSTMCell and GRUCell."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        """The repr's arguments: the sizes, then ``bias`` and ``nonlinearity`` when not default."""
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx, count):  # noqa: A002
        if input.ndim not in (1, 2):
            raise ValueError(
                f"{self._get_name()}: Expected input to be 1D or 2D, got {input.ndim}D instead"
            )
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[-1]} expected "
                f"{self.input_size}"
            )
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            states = [zeros((x.shape[0], self.hidden_size), dtype=x.dtype) for _ in range(count)]
        else:
            states = list(hx) if count == 2 else [hx]
            states = states if batched else [s.unsqueeze(0) for s in states]
            for i, s in enumerate(states):
                if s.shape[0] != x.shape[0]:
                    raise RuntimeError(
                        f"Input batch size {x.shape[0]} doesn't match hidden{i} batch size "
                        f"{s.shape[0]}"
                    )
                if s.shape[1] != self.hidden_size:
                    raise RuntimeError(
                        f"hidden{i} has inconsistent hidden_size: got {s.shape[1]}, expected "
                        f"{self.hidden_size}"
                    )
        return x, states, batched

    def _finish(self, outs, batched):
        return outs if batched else [o.squeeze(0) for o in outs]


class RNNCell(RNNCellBase):
    """One step of an Elman RNN. Shape: input (N, H_in) or (H_in,), hx (N, H) -> (N, H)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):  # noqa: A002
        """One step: the next hidden state from ``input`` and ``hx`` (zeros when None)."""
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, (h,), batched = self._prepare(input, hx, 1)
        h, _ = _rnn_step(self.nonlinearity)(
            F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh
        )
        return self._finish([h], batched)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step: ``(h_1, c_1) = cell(input, (h_0, c_0))``."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):  # noqa: A002
        """One step: ``(h_1, c_1)`` from ``input`` and ``hx = (h_0, c_0)`` (zeros when None)."""
        x, (h, c), batched = self._prepare(input, hx, 2)
        h, c = _lstm_step(
            F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh, c
        )
        return tuple(self._finish([h, c], batched))


class GRUCell(RNNCellBase):
    """One GRU step."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):  # noqa: A002
        """One step: the next hidden state from ``input`` and ``hx`` (zeros when None)."""
        x, (h,), batched = self._prepare(input, hx, 1)
        h, _ = _gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return self._finish([h], batched)[0]
