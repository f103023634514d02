"""Linear maps, dropout, normalization, embedding and small helpers of ``nn.functional``."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _make, apply
from ...amp._state import AUTOCAST
from ...autograd.grad_mode import no_grad
from ...autograd.primitives import linalg as PL
from ...autograd.primitives import nn as P
from ...autograd.primitives import nn_named as PN
from ...autograd.primitives import shape as PS
from ...functions import creation as N
from ...functions._util import broadcast_shapes
from ...functions.inplace import _C_TYPE_NAMES
from ...functions.linalg import addmm, pdist
from ...functions.reduce import _scalar_type_name

__all__ = [
    "linear",
    "bilinear",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "feature_alpha_dropout",
    "batch_norm",
    "instance_norm",
    "layer_norm",
    "group_norm",
    "rms_norm",
    "embedding",
    "embedding_bag",
    "one_hot",
    "normalize",
    "cosine_similarity",
    "pairwise_distance",
    "pdist",
]


def linear(input, weight, bias=None):  # noqa: A002
    """y = x W^T + b. A 2-D input with bias is one ``addmm`` (AddmmBackward0), as torch's."""
    if not input.ndim or not weight.ndim:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are "
            f"{input.ndim}D and {weight.ndim}D"
        )
    if input.ndim == 2 and bias is not None:
        if _plain_addmm(input, weight, bias):
            # every check of addmm passes and autocast casts nothing: its node recorded
            # directly (np.broadcast_shapes alone cost a third of a small layer's overhead)
            return apply(PL.addmm, (bias, input, apply(PS.t, (weight,))), None, beta=1, alpha=1)
        return addmm(bias, input, weight.t())
    if input.ndim == 2:
        return input.mm(weight.t())
    if bias is None:
        return input.matmul(weight.t())
    if not input.is_contiguous():  # torch folds only a contiguous input into one addmm
        return input.matmul(weight.t()) + bias
    lead = input.shape[:-1]
    if input.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({math.prod(lead)}x{input.shape[-1]} and "
            f"{weight.shape[1]}x{weight.shape[0]})"
        )
    out = addmm(bias, input.reshape(-1, input.shape[-1]), weight.t())
    return out.view(*lead, weight.shape[0])


def _plain_addmm(input, weight, bias) -> bool:
    """Whether ``addmm(bias, input, weight.t())`` has nothing to check or cast: a 2-D input and
    weight of one floating dtype with matching sizes, a 1-D bias of the weight's rows, of that
    dtype too, and autocast off."""
    x, w, b = input._data, weight._data, getattr(bias, "_data", None)
    return (
        b is not None
        and w.ndim == 2
        and b.ndim == 1
        and x.shape[1] == w.shape[1]
        and b.shape[0] == w.shape[0]
        and x.dtype == w.dtype == b.dtype
        and x.dtype.kind == "f"
        and not AUTOCAST.on
    )


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T A_k x2 + b_k; weight (out, in1, in2)."""
    for i, (x, d) in enumerate(((input1, 1), (input2, 2)), 1):
        if x.shape[-1] != weight.shape[d]:
            raise RuntimeError(
                f"bilinear(): input{i} size does not match weight size: got {x.shape[-1]} but "
                f"expected {weight.shape[d]}"
            )
    for d, (a, b) in enumerate(zip(input1.shape[:-1], input2.shape[:-1])):
        if a != b:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {d}: got {a} and {b}"
            )
    dtypes = [t._data.dtype for t in (input1, input2, weight)]
    if len(set(dtypes)) > 1:
        have = ", ".join(
            f"{n}: {_C_TYPE_NAMES.get(d.name, d.name)}"
            for n, d in zip(("input1", "input2", "weight"), dtypes)
        )
        raise RuntimeError(f"All tensors must have the same dtype, got {have}")
    if bias is not None and bias.shape[-1 if bias.ndim else 0 :] != weight.shape[:1]:
        got = bias.shape[0] if bias.ndim else 1
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {got} but expected "
            f"{weight.shape[0]}"
        )
    # as torch: the batch flattened, one TrilinearBackward0 node, the batch shape restored
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    y = apply(PN.trilinear, (x1, weight, x2)).view(*input1.shape[:-1], weight.shape[0])
    return y if bias is None else y + bias


# --- dropout ------------------------------------------------------------------------------------
def _check_p(p) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(x: Tensor, p: float, training: bool, inplace: bool, noise_shape=None):
    # torch's CPU dropout: noise = bernoulli_(1 - p) then divided by (1 - p); x * noise.
    if p == 0 or not training or x.numel() == 0:
        return x
    if p == 1:
        zero = _make(np.zeros((), x._data.dtype))
        return x.mul_(zero) if inplace else x * zero
    noise = _noise_like(x) if noise_shape is None else N.empty(*noise_shape, dtype=x.dtype)
    noise.bernoulli_(1 - p)
    noise.div_(1 - p)
    return x.mul_(noise) if inplace else x * noise


def _noise_like(x: Tensor) -> Tensor:
    """torch's empty_like: a dense permuted input (a transposed view) keeps its memory order,
    so the noise is drawn in that order; anything else gets a contiguous buffer."""
    d = x._data
    if not d.flags.c_contiguous and 0 not in d.strides:
        order = sorted(range(d.ndim), key=lambda a: -d.strides[a])
        if d.transpose(order).flags.c_contiguous:
            base = N.empty(*[d.shape[a] for a in order], dtype=x.dtype)
            return base.permute(*np.argsort(order).tolist())
    return N.empty(*x.shape, dtype=x.dtype)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):  # noqa: A002
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only)."""
    _check_p(p)
    return _dropout(input, p, training, inplace)


def _feature_dropout(x, p, training, inplace, nd, name):
    _check_p(p)
    batched = x.ndim == nd + 2
    if x.ndim not in (nd + 1, nd + 2):
        warnings.warn(
            f"{name}: Received a {x.ndim}-D input to {name}, which is deprecated and will result "
            f"in an error in a future release. To retain the behavior and silence this warning, "
            f"please use dropout instead. Note that {name} exists to provide channel-wise "
            f"dropout on inputs with {nd} spatial dimensions, a channel dimension, and an "
            f"optional batch dimension (i.e. {nd + 1}D or {nd + 2}D inputs).",
            stacklevel=3,
        )
    if nd == 2 and x.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=3,
        )
        batched = True
    if not batched and nd != 2 and x.ndim == nd + 1:
        # torch runs the batched form on a batch of one (in place: x.unsqueeze_(0), squeeze_)
        y = x.unsqueeze_(0) if inplace else x.unsqueeze(0)
        out = _dropout(y, p, training, inplace, (1, y.shape[1]) + (1,) * nd)
        return out.squeeze_(0) if inplace else out.squeeze(0)
    if not batched:
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    else:
        shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
    return _dropout(x, p, training, inplace, shape)


def dropout1d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of (N, C, L) or (C, L) with probability p (training only)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels (N, C, 1, 1 noise) with probability p (training only)."""
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p (training only)."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


# -SELU's scale * alpha: the value a dropped unit takes before the affine correction
_ALPHA_PRIME = 1.7580993408473766


def _alpha_dropout(x: Tensor, p: float, training: bool, inplace: bool, feature: bool):
    # Dropped units are set to -alpha' (SELU's negative saturation), then a * x + b restores
    # zero mean and unit variance; the mask is one bernoulli_(1 - p) draw, like dropout's.
    _check_p(p)
    if p == 0 or not training or x.numel() == 0:
        return x
    if feature and x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1:
        zero = _make(np.zeros((), x._data.dtype))
        return x.mul_(zero) if inplace else x * zero
    shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2) if feature else tuple(x.shape)
    noise = N.empty(*shape, dtype=x.dtype)
    noise.bernoulli_(1 - p)
    a = 1.0 / math.sqrt((_ALPHA_PRIME * _ALPHA_PRIME * p + 1) * (1 - p))
    b = noise.add(-1).mul_(_ALPHA_PRIME * a).add_(_ALPHA_PRIME * a * p)
    noise.mul_(a)
    return (x.mul_(noise) if inplace else x * noise).add_(b)


def alpha_dropout(input, p=0.5, training=False, inplace=False):  # noqa: A002
    """Dropout that keeps SELU's self-normalisation: mean 0 and variance 1 survive (training)."""
    return _alpha_dropout(input, p, training, inplace, feature=False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):  # noqa: A002
    """alpha_dropout of whole channels ((N, C, 1, ...) noise)."""
    return _alpha_dropout(input, p, training, inplace, feature=True)


# --- normalization ------------------------------------------------------------------------------
def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,  # noqa: A002
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
):
    """Normalize each channel (dim 1) by batch statistics (training) or running ones."""
    if training:
        size = input.numel() // input.shape[1] if input.ndim > 1 else input.numel()
        if size == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{input.size()}"
            )
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps):
    """``batch_norm`` past the checks torch's Python layer makes (instance_norm skips them)."""
    if not training:
        for name, t in (("running_mean", running_mean), ("running_var", running_var)):
            if t is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
    c = x.shape[1]
    named = (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    )
    for name, t in named:  # all checked before any running statistic is touched
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if x._data.dtype.kind == "f":  # else the kernel's own refusal, as torch's comes first
        # training reads the running statistics before the bias
        order = (weight, running_mean, running_var, bias) if training else None
        _param_dtypes(x, (weight, bias, running_mean, running_var), order)
    wview = (1, c) + (1,) * (x.ndim - 2)
    axes = (0,) + tuple(range(2, x.ndim))
    kw = dict(view=tuple(x.shape), axes=axes, wview=wview, waxes=axes, eps=eps)
    if training:
        update = None
        if running_mean is not None:

            def update(mu, var, n):
                # running_var takes the unbiased variance, as torch's does
                rm, rv = running_mean._data, running_var._data
                rm *= 1 - momentum
                rm += momentum * mu.reshape(-1)
                rv *= 1 - momentum
                rv += momentum * var.reshape(-1) * (n / max(n - 1, 1))
                running_mean._vc[0] += 1
                running_var._vc[0] += 1

        return apply(P.batch_norm, (x, weight, bias), update=update, **kw)
    return apply(
        P.batch_norm, (x, weight, bias), mean=running_mean._data, var=running_var._data, **kw
    )


def _param_dtypes(input, params, order=None) -> None:  # noqa: A002
    """torch's CPU rule for a normalization's weight, bias and running statistics: all of the
    input's dtype, or all float32 with a float16 input (mixed precision), the first one given
    telling which is meant. ``order``: the order mismatches are reported in, if not ``params``'.
    """
    given = [p for p in params if p is not None]
    if not given:
        return
    dt = input._data.dtype
    if given[0]._data.dtype != dt:
        if any(p._data.dtype != np.float32 for p in given):
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
        if dt != np.float16:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
        return
    for p in given if order is None else (p for p in order if p is not None):
        if p._data.dtype != dt:
            raise RuntimeError(
                f"expected scalar type {_scalar_type_name(input.dtype)} but found "
                f"{_scalar_type_name(p.dtype)}"
            )


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,  # noqa: A002
    use_input_stats=True,
    momentum=0.1,
    eps=1e-5,
):
    """Normalize each (sample, channel) over its spatial dims; running stats as torch's: the
    per-instance statistics, averaged over the batch, update them; without input stats they
    normalize instead."""
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(
            "Expected more than 1 spatial element when training, got input size "
            f"{list(input.shape)}"
        )
    return _instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps):  # noqa: A002
    """``instance_norm`` past the check torch's Python layer makes."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    # as torch: one batch norm over (1, N * C, *spatial), the per-channel tensors repeated
    n, c = input.shape[:2]
    x = input.reshape(1, n * c, *input.shape[2:])
    rm = None if running_mean is None else running_mean.detach().repeat(n)
    rv = None if running_var is None else running_var.detach().repeat(n)
    # torch computes the running statistics in the weight's dtype (else the input's)
    dt = (input if weight is None else weight).dtype
    if rm is not None and rm.dtype != dt:
        if rv is None:
            raise RuntimeError(
                "Expected a proper Tensor but got None (or an undefined Tensor in C++) for "
                "argument #0 'self'"
            )
        rm, rv = rm.to(dt), rv.to(dt)
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    y = _batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps).reshape(input.shape)
    if use_input_stats and rm is not None:
        running_mean.detach().copy_(rm.view(n, c).mean(0))
    if use_input_stats and rv is not None:
        running_var.detach().copy_(rv.view(n, c).mean(0))
    return y


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):  # noqa: A002
    """Normalize over the trailing ``normalized_shape`` dims."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    _param_dtypes(input, (weight, bias))
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(p.shape)} and normalized_shape = {list(shape)}"
            )
    if tuple(input.shape[input.ndim - k :]) != shape or k > input.ndim:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    lead = tuple(range(input.ndim - k))
    axes = tuple(range(input.ndim - k, input.ndim))
    return apply(
        P.layer_norm,
        (input, weight, bias),
        view=tuple(input.shape),
        axes=axes,
        wview=shape,
        waxes=lead,
        eps=eps,
    )


def rms_norm(input, normalized_shape, weight=None, eps: float | None = None):  # noqa: A002
    """x / sqrt(mean(x^2) + eps) over the trailing ``normalized_shape`` dims, times ``weight``.

    ``eps=None`` takes the machine epsilon of the computing dtype (float32 for float16 input,
    which is upcast to float32 and the result cast back, as torch computes it).
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"rms_norm(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if not isinstance(normalized_shape, (list, tuple)):
        raise TypeError(
            "rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
            f"{type(normalized_shape).__name__}"
        )
    shape = tuple(normalized_shape)
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {list(shape)}"
        )
    k = len(shape)
    if input.ndim < k:
        raise ValueError(f"Input tensor must have at least {k} dimensions, but got {input.ndim}")
    if tuple(input.shape[input.ndim - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"rms_norm\" not implemented for '{_scalar_type_name(input.dtype)}'"
        )
    if weight is not None and weight.dtype != input.dtype:
        warnings.warn(
            "Mismatch dtype between input and weight: input dtype = "
            f"{_c_type_name(input.dtype)}, weight dtype = {_c_type_name(weight.dtype)}, Cannot "
            "dispatch to fused implementation.",
            stacklevel=2,
        )
    x = input.float() if input._data.dtype == np.float16 else input
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    y = x * x.pow(2).mean(dims, keepdim=True).add(eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y.type_as(input)


def _c_type_name(dtype) -> str:
    """The C++ name torch's warnings give a dtype: float, double, c10::Half."""
    name = str(dtype).split(".")[-1]
    return {
        "float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
        "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
    }.get(name, name)  # fmt: skip


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):  # noqa: A002
    """Normalize over groups of channels (and all spatial positions)."""
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}"
        )
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    # torch's bias message shows the weight's shape ([0] without weight): kept word for word
    for name, p, shown in (("weight", weight, weight), ("bias", bias, weight)):
        if p is not None and (p.ndim != 1 or p.shape[0] != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(shown.shape) if shown is not None else [0]}"
                f" and input of shape {list(input.shape)}"
            )
    _param_dtypes(input, (weight, bias))
    return apply(
        P.group_norm,
        (input, weight, bias),
        view=(n, num_groups, -1),
        axes=(2,),
        wview=(1, c) + (1,) * (input.ndim - 2),
        waxes=(0,) + tuple(range(2, input.ndim)),
        eps=eps,
    )


# --- embedding ----------------------------------------------------------------------------------
def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,  # noqa: A002
    scale_grad_by_freq=False,
    sparse=False,
):
    """Rows of ``weight`` at the integer ``input``; padding_idx rows get no gradient."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)"
        )
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not implemented")
    return apply(
        P.embedding,
        (weight,),
        indices=idx.astype(np.int64, copy=False),
        padding_idx=padding_idx,
        scale_grad_by_freq=bool(scale_grad_by_freq),
    )


def _renorm_rows(weight, idx, max_norm, norm_type) -> None:
    """torch's embedding_renorm_: rows used whose norm exceeds max_norm are scaled in place."""
    w = weight._data
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]
    weight._vc[0] += 1


def embedding_bag(
    input,  # noqa: A002
    weight,
    offsets=None,
    max_norm=None,
    norm_type=2,
    scale_grad_by_freq=False,
    mode="mean",
    sparse=False,
    per_sample_weights=None,
    include_last_offset=False,
    padding_idx=None,
):
    """Sums, means or maxima of bags of ``weight`` rows without building the gathered rows' batch.

    Shape:
        input (N) with offsets (B) (bag b is input[offsets[b]:offsets[b + 1]]; with
        include_last_offset, offsets is (B + 1)), or input (B, L) as B bags of L; output (B, D).
    """
    psw = per_sample_weights
    if psw is not None and tuple(input.shape) != tuple(psw.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({psw.shape}) is not None, then it must have "
            f"the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    idx = input._data
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                "of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}"
            )
        if idx.shape[1] == 0:  # torch builds the offsets with arange(0, numel, 0)
            raise RuntimeError("step must be nonzero")
        offs = np.arange(0, idx.size, idx.shape[1], dtype=np.int64)
        idx = idx.reshape(-1)
        psw = psw.reshape(-1) if psw is not None else None
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = offsets._data
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if scale_grad_by_freq and mode == "max":
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if psw is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    for a in (idx, offs):  # torch names both 'indices'
        if a.dtype.kind not in "iu":
            raise RuntimeError(
                "Expected tensor for argument #1 'indices' to have one of the following scalar "
                f"types: Long, Int; but got {_make(a).type()} instead (while checking arguments "
                "for embedding_bag)"
            )
    if weight._data.dtype.kind != "f":
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have one of the following scalar types: "
            f"Half, BFloat16, Float, Double; but got {weight.type()} instead (while checking "
            "arguments for embedding_bag)"
        )
    if psw is not None and psw.dtype != weight.dtype:
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for "
            f"argument #1 'per_sample_weights'; but type {weight.type()} does not equal "
            f"{psw.type()} (while checking arguments for embedding_bag)"
        )
    n, dim = weight.shape
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise RuntimeError(
                f"padding_idx must be within the number of embeddings, -{n} through {n - 1}, "
                f"but got {padding_idx}"
            )
        padding_idx %= n
    if sparse or scale_grad_by_freq:
        raise NotImplementedError("embedding_bag: scale_grad_by_freq/sparse are not implemented")
    idx, offs = idx.astype(np.int64), offs.astype(np.int64)
    bags, bag_of, keep = _bag_layout(idx, offs, include_last_offset)
    if keep.size:
        bad = np.flatnonzero((idx[keep] < 0) | (idx[keep] >= n))
        if bad.size:
            raise RuntimeError(
                f"Index {keep[bad[0]]} of input takes value {idx[keep[bad[0]]]} which is not in "
                f"the valid range [0, {n})"
            )
    if padding_idx is not None:
        used = idx[keep] != padding_idx
        keep, bag_of = keep[used], bag_of[used]
    if max_norm is not None:
        _renorm_rows(weight, idx[keep], max_norm, norm_type)
    params = dict(rows=idx[keep], bag_of=bag_of, keep=keep, bags=bags, mode=mode)
    return apply(PN.embedding_bag, (weight, psw), None, **params)


def _bag_layout(idx: np.ndarray, offs: np.ndarray, include_last_offset: bool):
    """The bag count, each used position's bag, and the used positions of ``idx``."""
    if include_last_offset and not offs.size:
        raise RuntimeError("include_last_offset: number of offset should be at least 1")
    if offs.size and offs[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {offs[0]}"
        )
    if offs.size and offs[-1] > idx.size:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {idx.size} but got "
            f"offsets[-1] of {offs[-1]}"
        )
    if np.any(np.diff(offs) < 0):
        raise RuntimeError("Expected i < index_size to be true, but got false.")
    if include_last_offset:
        bags, end = max(offs.size - 1, 0), int(offs[-1]) if offs.size else 0
    else:
        bags, end = offs.size, idx.size if offs.size else 0
    keep = np.arange(end, dtype=np.int64)
    bag_of = np.searchsorted(offs[:bags], keep, side="right") - 1
    return bags, bag_of, keep


def one_hot(tensor, num_classes: int = -1):
    """(*) int64 -> (*, num_classes) int64 with a 1 at each index."""
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size and d.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if d.size and d.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(d.shape + (num_classes,), np.int64)
    np.put_along_axis(out, d[..., None], 1, axis=-1)
    return _make(out)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):  # noqa: A002
    """x / max(||x||_p, eps) along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    from ...functions.inplace import copy_into_out

    return copy_into_out(out, input / denom, name="normalize")


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """x1 . x2 / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``.

    Shape:
        x1 and x2 broadcast to a common shape; the output drops ``dim``.
    """
    shape = broadcast_shapes(x1.shape, x2.shape)  # dim counts in the broadcast shape
    x1 = x1 if tuple(x1.shape) == shape else x1.expand(shape)
    x2 = x2 if tuple(x2.shape) == shape else x2.expand(shape)
    # As torch: the norms are clamped in place on a copy, outside autograd, so a norm below eps
    # passes its gradient as if unclamped (the graph shows CloneBackward0, no clamp)
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """The p-norm of ``x1 - x2 + eps`` over the last dimension.

    Shape:
        x1 and x2 broadcast to ``(*, D)``; the output is ``(*)``, or ``(*, 1)`` with ``keepdim``.
    """
    diff = x1 - x2
    if diff._data.dtype.kind not in "fc":  # integer inputs give a float distance, eps=0 too
        diff = diff.to(D.get_default_dtype())
    shifted = apply(P.add_scalar, (diff, eps))
    if not shifted._data.size:  # vector_norm's checks: an empty inf or negative norm raises
        return shifted.norm(p, -1, keepdim=keepdim)
    dims = (diff.ndim - 1,) if diff.ndim else None
    return apply(P.norm_dim, (shifted,), None, ord=float(p), dim=dims, keepdim=keepdim)
