"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

Both are compositions of Tensor operations (matmul, softmax, masked_fill), so their gradients,
including second derivatives, come from the primitives' rules.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..._tensor import Tensor, _make, apply
from ...autograd.primitives import attention as PA
from ...functions import creation as N
from ...functions.linalg import baddbmm, bmm
from ...functions.shape import cat
from .activation import softmax
from .layers import _dropout, linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _neg_inf_mask(mask: Tensor, dtype) -> Tensor:
    """A boolean "may attend" mask as an additive float mask: 0 where True, -inf where False."""
    out = N.zeros(*mask.shape, dtype=dtype)
    return out.masked_fill(mask.logical_not(), float("-inf"))


def _additive_mask(attn_mask, is_causal: bool, L: int, S: int, dtype):  # noqa: N803
    """The causal and given masks as one array added to the scores (None without a mask)."""
    bias = None
    if is_causal:
        bias = np.where(np.tri(L, S, dtype=bool), 0, -np.inf).astype(dtype)
    if attn_mask is not None:
        m = attn_mask._data
        add = m.astype(dtype) if m.dtype.kind == "f" else np.where(m, 0, -np.inf).astype(dtype)
        bias = add if bias is None else bias + add
    return bias


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim; a row that is -inf throughout gives zeros (torch's math path).

    The fully masked rows are set to 0 before the softmax and masked afterwards, so that no NaN
    ever enters the graph and their gradients are exactly zero.
    """
    dead = np.isneginf(scores._data).all(axis=-1, keepdims=True)
    if not dead.any():
        return softmax(scores, -1)
    dead_t = _make(dead)
    return softmax(scores.masked_fill(dead_t, 0.0), -1).masked_fill(dead_t, 0.0)


def scaled_dot_product_attention(
    query,
    key,
    value,
    attn_mask=None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale=None,
    enable_gqa: bool = False,
):
    """softmax(Q K^T * scale + mask) V, with dropout on the attention weights.

    Args: ``attn_mask`` bool (True = may attend) or float (added to the scores), broadcast to
    (..., L, S); ``is_causal`` masks out keys after each query (lower-triangular, top-left);
    ``scale`` defaults to 1/sqrt(E); ``enable_gqa`` repeats key/value heads to the query's.
    Shape: query (..., Hq, L, E), key (..., H, S, E), value (..., H, S, Ev) -> (..., Hq, L, Ev).
    """
    # torch's CPU flash kernel (4-D inputs, no dropout, equal head dims) applies both masks;
    # its math fallback refuses the pair
    flash = (
        query.ndim == key.ndim == value.ndim == 4
        and dropout_p == 0.0
        and value.shape[-1] == query.shape[-1]
    )
    if is_causal and attn_mask is not None and not flash:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    if query.dtype != key.dtype or query.dtype != value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead."
        )
    L, S, E = query.shape[-2], key.shape[-2], query.shape[-1]
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        hq, hk = query.shape[-3], key.shape[-3]
        if hq % hk:
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in query"
            )
        key = key.repeat_interleave(hq // hk, dim=-3)
        value = value.repeat_interleave(hq // value.shape[-3], dim=-3)
    scale_factor = 1.0 / math.sqrt(E) if scale is None else scale
    if (
        flash
        and query.dtype.is_floating_point
        and (attn_mask is None or not attn_mask.requires_grad)
    ):
        return apply(
            PA.flash_attention,
            (query, key, value),
            None,
            bias=_additive_mask(attn_mask, is_causal, L, S, query._data.dtype),
            scale=scale_factor,
        )
    scores = query.matmul(key.transpose(-2, -1)) * scale_factor
    if is_causal:
        keep = _make(np.tril(np.ones((L, S), dtype=bool)))
        scores = scores + _neg_inf_mask(keep, scores.dtype)
    if attn_mask is not None:
        if attn_mask.dtype.is_floating_point:
            scores = scores + attn_mask
        else:
            scores = scores + _neg_inf_mask(attn_mask, scores.dtype)
    attn = _safe_softmax(scores)
    if dropout_p > 0.0:
        # torch's math path: F.dropout on the weights (bernoulli_(1-p), scaled by 1/(1-p))
        attn = _dropout(attn, dropout_p, True, False)
    return attn.matmul(value)


# --- multi-head attention -----------------------------------------------------------------------
def _canonical_mask(mask, mask_name: str, target_type):
    """Key-padding and attention masks as additive float masks (bool True = masked out)."""
    if mask is None:
        return None
    if mask.dtype.is_floating_point:
        return mask
    if mask.dtype.name != "bool":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    out = N.zeros(*mask.shape, dtype=target_type)
    return out.masked_fill(mask, float("-inf"))


def _in_projection(q, k, v, w, b, kv_same):
    """q, k, v projected by the stacked (3E, E) ``w``: one matmul when q is k is v."""
    E = q.shape[-1]
    if kv_same and k is q:
        proj = linear(q, w, b)
        proj = proj.unflatten(-1, (3, E)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return proj[0], proj[1], proj[2]  # three selects, as torch's graph shows
    wq, wk, wv = w.chunk(3)
    bq, bk, bv = (None, None, None) if b is None else b.chunk(3)
    return linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads: int) -> bool:
    """torch's AssertionErrors for inputs of the wrong rank; whether the call is batched."""
    if query.ndim not in (2, 3):
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
            "tensor"
        )
    batched = query.ndim == 3
    kind, want = ("batched (3-D)", 3) if batched else ("unbatched (2-D)", 2)
    if key.ndim != want or value.ndim != want:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {want}-D but found "
            f"{key.ndim}-D and {value.ndim}-D tensors respectively"
        )
    if key_padding_mask is not None and key_padding_mask.ndim != want - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or {want - 1}-D but "
            f"found {key_padding_mask.ndim}-D tensor instead"
        )
    if attn_mask is not None and attn_mask.ndim not in (2, 3):
        raise AssertionError(
            f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
            f"{attn_mask.ndim}-D tensor instead"
        )
    if not batched and attn_mask is not None and attn_mask.ndim == 3:
        expected = (num_heads, query.shape[0], key.shape[0])
        if tuple(attn_mask.shape) != expected:
            raise AssertionError(
                f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
            )
    return batched


def multi_head_attention_forward(
    query,
    key,
    value,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight,
    out_proj_bias,
    training: bool = True,
    key_padding_mask=None,
    need_weights: bool = True,
    attn_mask=None,
    use_separate_proj_weight: bool = False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
):
    """The MultiheadAttention computation on (L, N, E) / (S, N, E) inputs (or unbatched (L, E)).

    Masks here use torch's MHA convention: a bool True means "masked out" (the opposite of
    ``scaled_dot_product_attention``); float masks are added to the scores.
    Returns (output (L, N, E), weights (N, L, S) averaged over heads / (N, H, L, S) / None).
    """
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")

    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if (
        key_padding_mask is not None
        and attn_mask is not None
        and key_padding_mask.dtype != attn_mask.dtype
    ):
        warnings.warn(
            "Support for mismatched key_padding_mask and attn_mask is deprecated. Use same "
            "type for both instead.",
            stacklevel=3,
        )
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # SDPA applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", query.dtype)
        if key_padding_mask is not None:
            is_causal = False

    if not use_separate_proj_weight:
        q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, value is key)
    else:
        bq, bk, bv = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q = linear(query, q_proj_weight, bq)
        k = linear(key, k_proj_weight, bk)
        v = linear(value, v_proj_weight, bv)

    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                    f"{(bsz * num_heads, tgt_len, src_len)}."
                )
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")

    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        k = static_k
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        v = static_v

    if add_zero_attn:
        k = cat([k, N.zeros(bsz * num_heads, 1, head_dim, dtype=k.dtype)], dim=1)
        v = cat([v, N.zeros(bsz * num_heads, 1, head_dim, dtype=v.dtype)], dim=1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                f"{key_padding_mask.shape}"
            )
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    if not training:
        dropout_p = 0.0

    if need_weights:  # torch's steps: bmm (baddbmm with a mask) on the (B*H, L, E) heads
        q_scaled = q * math.sqrt(1.0 / head_dim)
        if attn_mask is not None:
            scores = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            scores = bmm(q_scaled, k.transpose(-2, -1))
        weights = softmax(scores, -1)
        if dropout_p > 0.0:
            weights = _dropout(weights, dropout_p, True, False)
        out = bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not batched:
        out = out.squeeze(1)
    return out, None


def _pad_last(mask):
    """Append one zero column (the extra bias_k / zero-attention key) to an additive mask."""
    if mask is None:
        return None
    return cat([mask, N.zeros(*mask.shape[:-1], 1, dtype=mask.dtype)], dim=-1)
