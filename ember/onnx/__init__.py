"""``ember.onnx``: importable as ``torch.onnx`` is; exporting a graph is not implemented.

Ember records no static graph to lower to ONNX operators, so ``export`` raises a
NotImplementedError naming what to use instead: ``ember.save(model.state_dict(), path)`` (a
safetensors file) and loading that state dict into the same model under PyTorch, whose
``torch.onnx.export`` then writes the ONNX file.
"""

from __future__ import annotations

import enum

__all__ = ["export", "is_in_onnx_export", "OnnxExporterError", "TrainingMode"]


class OnnxExporterError(RuntimeError):
    """Raised by exporters when a model cannot be exported (torch.onnx's name)."""


class TrainingMode(enum.IntEnum):
    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


_MESSAGE = (
    "ember.onnx.export is not implemented: Ember has no ONNX exporter. To get an ONNX file, save "
    "the weights with ember.save(model.state_dict(), 'model.safetensors') (safetensors format), "
    "load them into the same model under PyTorch (model.load_state_dict(...)) and call "
    "torch.onnx.export there."
)


def export(model, args=(), f=None, *pargs, **kwargs):
    """Not implemented: raises NotImplementedError naming ember.save / safetensors instead."""
    raise NotImplementedError(_MESSAGE)


def is_in_onnx_export() -> bool:
    """Always False: Ember never runs a model inside an ONNX export."""
    return False
