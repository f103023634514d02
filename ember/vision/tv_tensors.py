"""Typed tensors for the v2 transforms, as torchvision's ``tv_tensors``: ``Image``, ``Video``,
``Mask`` and ``BoundingBoxes`` are ``ember.Tensor`` subclasses that tell a transform what their
data means; the v2 transforms and ``v2.functional`` give each output its input's type.

How this differs from torchvision: torch unwraps a TVTensor to a plain tensor in every
operation through ``__torch_function__``; Ember has no such hook, but its operations build new
results as plain ``ember.Tensor``, so ``image + 1``, ``image[0]`` or ``image.sum()`` come back
plain here too. As in torchvision, ``clone``, ``to``, ``detach`` and ``requires_grad_`` keep the
type (and a box's metadata). Unlike torchvision, a method that returns the tensor object itself
(an in-place operation such as ``add_``, or ``float()`` / ``contiguous()`` when nothing changes)
returns it typed, where torch returns a plain alias; there is no ``set_return_type``. Rotated
box formats (``XYWHR``, ``CXCYWHR``, ``XYXYXYXY``) are named, but the v2 kernels refuse them.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import ember
from ember._tensor import Tensor

__all__ = [
    "BoundingBoxFormat",
    "BoundingBoxes",
    "Image",
    "Mask",
    "TVTensor",
    "Video",
    "wrap",
]

_new = object.__new__


def _as_subclass(t: Tensor, cls: type) -> Tensor:
    """A ``cls`` view of ``t``: same data, graph node and version counter (``as_subclass``)."""
    out = _new(cls)
    out._data = t._data
    out._rg = t._rg
    out.grad_fn = t.grad_fn
    out._output_nr = t._output_nr
    out._vc = t._vc
    out._grad = None
    return out


def _to_tensor(data: Any, dtype=None, requires_grad=None) -> Tensor:
    """``torch.as_tensor(data, dtype=dtype)``, with ``requires_grad`` set when given."""
    if isinstance(data, Tensor):
        t = data if dtype is None or data.dtype == dtype else data.to(dtype)
    else:
        t = ember.as_tensor(data, dtype=dtype)
    if requires_grad is not None and requires_grad != t.requires_grad:
        t = t.detach() if not requires_grad else t
        t.requires_grad_(requires_grad)
    return t


def _pil_to_tensor(data: Any) -> Any:
    from .transforms.functional import _is_pil_image, pil_to_tensor

    return pil_to_tensor(data) if _is_pil_image(data) else data


class TVTensor(Tensor):
    """Base of the typed tensors."""

    @classmethod
    def _wrap(cls, tensor: Tensor, **metadata) -> TVTensor:
        out = _as_subclass(tensor, cls)
        for k, v in metadata.items():
            setattr(out, k, v)
        return out

    def _metadata(self) -> dict:
        return {}

    def _rewrap(self, out):
        if out is self or not isinstance(out, Tensor):
            return out
        return type(self)._wrap(out, **self._metadata())

    def clone(self, *args, **kwargs):
        """A copy of the same type (and metadata)."""
        return self._rewrap(Tensor.clone(self, *args, **kwargs))

    def to(self, *args, **kwargs):
        """``Tensor.to``, keeping the type (and metadata)."""
        return self._rewrap(Tensor.to(self, *args, **kwargs))

    def detach(self):
        """``Tensor.detach``, keeping the type (and metadata)."""
        return self._rewrap(Tensor.detach(self))

    def pin_memory(self, *args, **kwargs):
        return self._rewrap(Tensor.pin_memory(self, *args, **kwargs))

    def _make_repr(self, **kwargs) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        return f"{TVTensor.__repr__(self)[:-1]}, {extra})"

    def __repr__(self) -> str:
        from ember import _dtype as D
        from ember._tensor_str import format_tensor

        if self.grad_fn is not None:
            tail = [f"grad_fn=<{self.grad_fn.name()}>"]
        else:
            tail = ["requires_grad=True"] if self._rg else []
        return format_tensor(
            self._data,
            dtype_name=self.dtype.name,
            default_float_name=D.get_default_dtype().name,
            tail=tail,
            prefix=f"{type(self).__name__}(",
            namespace=D.NAMESPACE,
        )

    def __reduce_ex__(self, protocol):
        return (_rebuild, (type(self), self.detach().numpy().copy(), self._metadata()))


def _rebuild(cls, array, metadata):
    return cls._wrap(ember.from_numpy(array), **metadata)


class _Visual(TVTensor):
    """Images and videos: at least ``_min_ndim`` dimensions, ``repr`` with a trailing ``, )``."""

    _min_ndim = 2

    def __new__(cls, data: Any, *, dtype=None, device=None, requires_grad=None):
        t = _to_tensor(_pil_to_tensor(data) if cls is Image else data, dtype, requires_grad)
        if t.ndim < cls._min_ndim:
            raise cls._too_small(t.ndim)
        if t.ndim == 2:
            t = t.unsqueeze(0)
        return cls._wrap(t)

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __repr__(self) -> str:
        return self._make_repr()


class Image(_Visual):
    """An image tensor ``[..., C, H, W]`` (a 2-D input gets a channel dimension; a PIL image is
    converted with ``pil_to_tensor``)."""

    @staticmethod
    def _too_small(ndim: int) -> ValueError:
        return ValueError(f"Tensor must be 2D or higher, got {ndim}D tensor.")


class Video(_Visual):
    """A video tensor ``[..., T, C, H, W]``."""

    _min_ndim = 4

    @staticmethod
    def _too_small(ndim: int) -> ValueError:
        return ValueError()


class Mask(TVTensor):
    """A segmentation or detection mask ``[..., H, W]`` (a PIL image gives ``[1, H, W]``)."""

    def __new__(cls, data: Any, *, dtype=None, device=None, requires_grad=None) -> Mask:
        return cls._wrap(_to_tensor(_pil_to_tensor(data), dtype, requires_grad))

    def __init__(self, *args, **kwargs) -> None:
        pass


class BoundingBoxFormat(Enum):
    """Box coordinate formats."""

    XYXY = "XYXY"
    XYWH = "XYWH"
    CXCYWH = "CXCYWH"
    XYWHR = "XYWHR"
    CXCYWHR = "CXCYWHR"
    XYXYXYXY = "XYXYXYXY"


class BoundingBoxes(TVTensor):
    """Boxes ``[N, K]`` in ``format`` on an image of ``canvas_size`` (H, W)."""

    format: BoundingBoxFormat
    canvas_size: tuple[int, int]
    clamping_mode: str | None

    def __new__(cls, data: Any, *, format, canvas_size, clamping_mode="soft", dtype=None,
                device=None, requires_grad=None) -> BoundingBoxes:  # fmt: skip
        t = _to_tensor(data, dtype, requires_grad)
        if t.ndim == 1:
            t = t.unsqueeze(0)
        elif t.ndim != 2:
            raise ValueError(f"Expected a 1D or 2D tensor, got {t.ndim}D")
        if isinstance(format, str):
            format = BoundingBoxFormat[format.upper()]
        if clamping_mode is not None and clamping_mode not in ("soft", "hard"):
            raise ValueError(f"clamping_mode must be None, 'soft' or 'hard', got {clamping_mode}.")
        return cls._wrap(t, format=format, canvas_size=canvas_size, clamping_mode=clamping_mode)

    def __init__(self, *args, **kwargs) -> None:
        pass

    def _metadata(self) -> dict:
        return {
            "format": self.format,
            "canvas_size": self.canvas_size,
            "clamping_mode": self.clamping_mode,
        }

    def __repr__(self) -> str:
        return self._make_repr(**self._metadata())


def wrap(wrappee: Tensor, *, like: TVTensor, **kwargs) -> TVTensor:
    """``wrappee`` as the TVTensor type of ``like``, with ``like``'s metadata (``kwargs``
    override it)."""
    return type(like)._wrap(wrappee, **{**like._metadata(), **kwargs})


def _is_rotated(fmt: BoundingBoxFormat) -> bool:
    return fmt in (BoundingBoxFormat.XYWHR, BoundingBoxFormat.CXCYWHR, BoundingBoxFormat.XYXYXYXY)
