"""Attention and transformer layers vs torch: outputs, gradients, masks, init, reprs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, to_ember

import ember
import ember.nn.functional as F

TF = torch.nn.functional


def _pair(shape, seed, requires_grad=True):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    rg = requires_grad
    return ember.tensor(a, requires_grad=rg), torch.tensor(a, requires_grad=rg)


def _copy_weights(e, t):
    sd = {k: ember.tensor(v.detach().numpy().copy()) for k, v in t.state_dict().items()}
    e.load_state_dict(sd)


def _backward_both(eo, to, seed=7):
    g = np.random.default_rng(seed).standard_normal(tuple(to.shape)).astype(np.float32)
    (eo * ember.tensor(g)).sum().backward()
    (to * torch.tensor(g)).sum().backward()


def _param_grads_close(e, t, atol=1e-5):
    tg = {k: p.grad for k, p in t.named_parameters()}
    for k, p in e.named_parameters():
        if tg[k] is None:
            assert p.grad is None, k
        else:
            assert_close(p.grad, tg[k], rtol=1e-4, atol=atol, msg=k)


# --- scaled_dot_product_attention -----------------------------------------------------------
def _opts_id(opts) -> str:
    """A stable test id (functions by name, never by address: xdist workers must agree)."""
    if not isinstance(opts, dict):
        return str(opts)
    return ",".join(f"{k}={getattr(v, '__name__', v)}" for k, v in opts.items()) or "defaults"


MASKS = ["none", "bool2d", "bool4d", "float2d", "float4d", "causal"]


def _mask(kind, L, S, B=2, H=3):
    rng = np.random.default_rng(3)
    if kind == "bool2d":
        m = rng.random((L, S)) > 0.3
        m[:, 0] = True
        return m
    if kind == "bool4d":
        m = rng.random((B, 1, L, S)) > 0.3
        m[..., 0] = True
        return m
    if kind == "float2d":
        return rng.standard_normal((L, S)).astype(np.float32)
    if kind == "float4d":
        return rng.standard_normal((B, H, L, S)).astype(np.float32)
    return None


@pytest.mark.parametrize("kind", MASKS)
@pytest.mark.parametrize("scale", [None, 0.25])
def test_sdpa_masks_forward_backward(kind, scale):
    L, S = 4, 6
    eq, tq = _pair((2, 3, L, 8), 0)
    ek, tk = _pair((2, 3, S, 8), 1)
    ev, tv = _pair((2, 3, S, 5), 2)
    m = _mask(kind, L, S)
    kw = dict(scale=scale, is_causal=kind == "causal")
    to = TF.scaled_dot_product_attention(
        tq, tk, tv, attn_mask=None if m is None else torch.tensor(m), **kw
    )
    eo = F.scaled_dot_product_attention(
        eq, ek, ev, attn_mask=None if m is None else ember.tensor(m), **kw
    )
    assert_close(eo, to, atol=1e-6)
    _backward_both(eo, to)
    for a, b in [(eq, tq), (ek, tk), (ev, tv)]:
        assert_close(a.grad, b.grad, atol=1e-5)


def test_sdpa_fully_masked_row_is_zero_with_finite_grads():
    eq, tq = _pair((1, 3, 4), 0)
    ek, tk = _pair((1, 5, 4), 1)
    ev, tv = _pair((1, 5, 2), 2)
    m = np.ones((3, 5), bool)
    m[1] = False
    eo = F.scaled_dot_product_attention(eq, ek, ev, attn_mask=ember.tensor(m))
    to = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(m))
    assert_close(eo, to, atol=1e-6)
    assert np.all(eo.detach().numpy()[0, 1] == 0)
    _backward_both(eo, to)
    for a, b in [(eq, tq), (ek, tk), (ev, tv)]:
        assert np.isfinite(a.grad.numpy()).all()
        assert_close(a.grad, b.grad, atol=1e-5)


def test_sdpa_gqa_unbatched_and_3d():
    eq, tq = _pair((2, 4, 3, 8), 0)
    ek, tk = _pair((2, 2, 5, 8), 1)
    ev, tv = _pair((2, 2, 5, 8), 2)
    to = TF.scaled_dot_product_attention(tq, tk, tv, enable_gqa=True)
    eo = F.scaled_dot_product_attention(eq, ek, ev, enable_gqa=True)
    assert_close(eo, to, atol=1e-6)
    _backward_both(eo, to)
    assert_close(ek.grad, tk.grad, atol=1e-5)
    e3, t3 = _pair((3, 8), 4)
    assert_close(
        F.scaled_dot_product_attention(e3, e3, e3, is_causal=True),
        TF.scaled_dot_product_attention(t3, t3, t3, is_causal=True),
        atol=1e-6,
    )


def test_sdpa_dropout_draws_as_torch():
    eq, tq = _pair((2, 2, 5, 4), 0, requires_grad=False)
    ember.manual_seed(11)
    torch.manual_seed(11)
    eo = F.scaled_dot_product_attention(eq, eq, eq, dropout_p=0.4)
    to = TF.scaled_dot_product_attention(tq, tq, tq, dropout_p=0.4)
    assert_close(eo, to, atol=1e-6)
    assert not np.allclose(eo.numpy(), F.scaled_dot_product_attention(eq, eq, eq).numpy())


def test_sdpa_errors():
    e, _ = _pair((1, 3, 4), 0)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(e, e, e, attn_mask=ember.ones(3, 3), is_causal=True)


# --- MultiheadAttention ---------------------------------------------------------------------
MHA_OPTS = [
    {},
    dict(kdim=5, vdim=3),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True),
    dict(bias=False),
    dict(batch_first=True),
    dict(batch_first=True, kdim=6, vdim=6, add_bias_kv=True, add_zero_attn=True),
]
MHA_MASKS = [
    dict(),
    dict(key_padding_mask="bool"),
    dict(key_padding_mask="float"),
    dict(attn_mask="bool"),
    dict(attn_mask="float"),
    dict(attn_mask="float3d", key_padding_mask="float"),
    dict(attn_mask="bool", key_padding_mask="bool", need_weights=False),
    dict(attn_mask="float", average_attn_weights=False),
    dict(attn_mask="causal", is_causal=True, need_weights=False),
]


def _mha_masks(spec, L, S, N, H):
    rng = np.random.default_rng(5)
    out = {}
    for name, kind in spec.items():
        if name == "key_padding_mask":
            m = np.zeros((N, S), bool)
            m[0, -2:] = True
            out[name] = m if kind == "bool" else np.where(m, -2.0, 0.0).astype(np.float32)
        elif name == "attn_mask":
            if kind == "bool":
                m = rng.random((L, S)) > 0.7
                m[:, 0] = False
                out[name] = m
            elif kind == "float":
                out[name] = rng.standard_normal((L, S)).astype(np.float32)
            elif kind == "float3d":
                out[name] = rng.standard_normal((N * H, L, S)).astype(np.float32)
            else:
                out[name] = np.triu(np.full((L, S), -np.inf, np.float32), 1)
        else:
            out[name] = kind
    return out


@pytest.mark.parametrize("opts", MHA_OPTS, ids=_opts_id)
@pytest.mark.parametrize("masks", MHA_MASKS, ids=_opts_id)
def test_mha_vs_torch(opts, masks):
    E, H, L, S, N = 8, 2, 4, 5, 3
    if masks.get("attn_mask") == "causal":
        S = L
    torch.manual_seed(0)
    t = torch.nn.MultiheadAttention(E, H, **opts).eval()
    e = ember.nn.MultiheadAttention(E, H, **opts).eval()
    _copy_weights(e, t)
    bf = opts.get("batch_first", False)

    def shape(n, d):
        return (N, n, d) if bf else (n, N, d)

    eq, tq = _pair(shape(L, E), 0)
    ek, tk = _pair(shape(S, opts.get("kdim", E)), 1)
    ev, tv = _pair(shape(S, opts.get("vdim", E)), 2)
    kw = _mha_masks(masks, L, S, N, H)
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    ekw = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    to, tw = t(tq, tk, tv, **tkw)
    eo, ew = e(eq, ek, ev, **ekw)
    assert_close(eo, to, atol=1e-6)
    if tw is None:
        assert ew is None
    else:
        assert_close(ew, tw, atol=1e-6)
    _backward_both(eo, to)
    for a, b in [(eq, tq), (ek, tk), (ev, tv)]:
        assert_close(a.grad, b.grad, atol=1e-5)
    _param_grads_close(e, t)


def test_mha_self_attention_unbatched_and_weights_grad():
    torch.manual_seed(1)
    t = torch.nn.MultiheadAttention(6, 3)
    e = ember.nn.MultiheadAttention(6, 3)
    _copy_weights(e, t)
    ex, tx = _pair((4, 6), 0)
    to, tw = t(tx, tx, tx, average_attn_weights=False)
    eo, ew = e(ex, ex, ex, average_attn_weights=False)
    assert_close(eo, to, atol=1e-6)
    assert_close(ew, tw, atol=1e-6)
    (eo.sum() + (ew * ew).sum()).backward()
    (to.sum() + (tw * tw).sum()).backward()
    assert_close(ex.grad, tx.grad, atol=1e-5)
    _param_grads_close(e, t)


def test_mha_training_dropout_same_seed():
    torch.manual_seed(2)
    t = torch.nn.MultiheadAttention(8, 2, dropout=0.3, batch_first=True)
    e = ember.nn.MultiheadAttention(8, 2, dropout=0.3, batch_first=True)
    _copy_weights(e, t)
    ex, tx = _pair((2, 5, 8), 0)
    for need in (True, False):
        torch.manual_seed(3)
        ember.manual_seed(3)
        to, _ = t(tx, tx, tx, need_weights=need)
        eo, _ = e(ex, ex, ex, need_weights=need)
        assert_close(eo, to, atol=1e-6)


def test_mha_errors():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        ember.nn.MultiheadAttention(7, 2)
    m = ember.nn.MultiheadAttention(4, 2)
    x = ember.randn(3, 1, 4)
    with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask is"):
        m(x, x, x, attn_mask=ember.zeros(2, 3))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)


def test_mha_init_parameters_and_repr():
    for kw in [{}, dict(kdim=3, vdim=5, add_bias_kv=True), dict(bias=False)]:
        torch.manual_seed(0)
        t = torch.nn.MultiheadAttention(8, 2, **kw)
        ember.manual_seed(0)
        e = ember.nn.MultiheadAttention(8, 2, **kw)
        ts, es = t.state_dict(), e.state_dict()
        assert list(es) == list(ts)
        for k in ts:  # same RNG draws in the same order: identical values
            assert_close(es[k], ts[k], atol=0, rtol=0, msg=k)
        assert repr(e) == repr(t)
        assert type(e.out_proj).__name__ == "NonDynamicallyQuantizableLinear"


def test_mha_init_distribution_large():
    ember.manual_seed(0)
    m = ember.nn.MultiheadAttention(256, 4, add_bias_kv=True)
    w = m.in_proj_weight.detach().numpy()
    bound = np.sqrt(6.0 / (256 + 768))  # xavier_uniform on (3E, E)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound
    assert np.all(m.in_proj_bias.detach().numpy() == 0)
    assert np.all(m.out_proj.bias.detach().numpy() == 0)
    bk = m.bias_k.detach().numpy()  # xavier_normal on (1, 1, E): fan_in = fan_out = E
    assert abs(bk.std() - np.sqrt(2.0 / 512)) < 0.2 * np.sqrt(2.0 / 512)


# --- Transformer layers ---------------------------------------------------------------------
def _same_init(name, *args, **kw):
    torch.manual_seed(0)
    t = getattr(torch.nn, name)(*args, **kw)
    ember.manual_seed(0)
    e = getattr(ember.nn, name)(*args, **kw)
    return e, t


LAYER_OPTS = [
    {},
    dict(norm_first=True),
    dict(activation="gelu", batch_first=True),
    dict(activation=TF.silu, bias=False),
    dict(activation="gelu", norm_first=True, batch_first=True, layer_norm_eps=1e-3),
]


@pytest.mark.parametrize("opts", LAYER_OPTS, ids=_opts_id)
@pytest.mark.parametrize("masked", [False, True])
def test_encoder_layer_and_stack(opts, masked):
    topts = dict(opts)
    eopts = dict(opts)
    if callable(opts.get("activation")):
        eopts["activation"] = F.silu
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, **topts)
    el = ember.nn.TransformerEncoderLayer(8, 2, 16, **eopts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8)).eval()
        e = ember.nn.TransformerEncoder(el, 2, norm=ember.nn.LayerNorm(8)).eval()
    _copy_weights(e, t)
    bf = opts.get("batch_first", False)
    ex, tx = _pair((2, 5, 8) if bf else (5, 2, 8), 0)
    kw_t, kw_e = {}, {}
    if masked:
        kpm = np.zeros((2, 5), bool)
        kpm[1, -2:] = True
        mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
        kw_t = dict(mask=mask, src_key_padding_mask=torch.tensor(kpm))
        kw_e = dict(mask=to_ember(mask), src_key_padding_mask=ember.tensor(kpm))
    to, eo = t(tx, **kw_t), e(ex, **kw_e)
    assert_close(eo, to, atol=1e-5)
    _backward_both(eo, to)
    assert_close(ex.grad, tx.grad, atol=1e-4)
    _param_grads_close(e, t, atol=1e-4)


@pytest.mark.parametrize("opts", LAYER_OPTS[:3], ids=_opts_id)
def test_decoder_stack_masks(opts):
    torch.manual_seed(0)
    tl = torch.nn.TransformerDecoderLayer(8, 2, 16, **opts)
    el = ember.nn.TransformerDecoderLayer(8, 2, 16, **opts)
    t = torch.nn.TransformerDecoder(tl, 2).eval()
    e = ember.nn.TransformerDecoder(el, 2).eval()
    _copy_weights(e, t)
    bf = opts.get("batch_first", False)
    etg, ttg = _pair((2, 4, 8) if bf else (4, 2, 8), 0)
    em, tm = _pair((2, 6, 8) if bf else (6, 2, 8), 1)
    mkpm = np.zeros((2, 6), bool)
    mkpm[0, -3:] = True
    tgt_mask = np.triu(np.ones((4, 4), bool), 1)
    mem_mask = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    to = t(ttg, tm, tgt_mask=torch.tensor(tgt_mask), memory_mask=torch.tensor(mem_mask),
           memory_key_padding_mask=torch.tensor(mkpm))  # fmt: skip
    eo = e(etg, em, tgt_mask=ember.tensor(tgt_mask), memory_mask=ember.tensor(mem_mask),
           memory_key_padding_mask=ember.tensor(mkpm))  # fmt: skip
    assert_close(eo, to, atol=1e-5)
    _backward_both(eo, to)
    assert_close(etg.grad, ttg.grad, atol=1e-4)
    assert_close(em.grad, tm.grad, atol=1e-4)
    _param_grads_close(e, t, atol=1e-4)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_full(batch_first, norm_first):
    e, t = _same_init(
        "Transformer", 8, 2, 2, 1, 16, 0.1, batch_first=batch_first, norm_first=norm_first
    )
    for k, v in t.state_dict().items():  # the same seed gives the same weights
        assert_close(e.state_dict()[k], v, atol=0, rtol=0, msg=k)
    e.eval()
    t.eval()
    es, ts = _pair((3, 5, 8) if batch_first else (5, 3, 8), 0)
    et, tt = _pair((3, 4, 8) if batch_first else (4, 3, 8), 1)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    emask = ember.nn.Transformer.generate_square_subsequent_mask(4)
    assert_close(emask, tmask)
    skpm = np.zeros((3, 5), bool)
    skpm[2, -1] = True
    to = t(ts, tt, tgt_mask=tmask, src_key_padding_mask=torch.tensor(skpm),
           memory_key_padding_mask=torch.tensor(skpm), tgt_is_causal=True)  # fmt: skip
    eo = e(es, et, tgt_mask=emask, src_key_padding_mask=ember.tensor(skpm),
           memory_key_padding_mask=ember.tensor(skpm), tgt_is_causal=True)  # fmt: skip
    assert_close(eo, to, atol=1e-5)
    _backward_both(eo, to)
    assert_close(es.grad, ts.grad, atol=1e-4)
    assert_close(et.grad, tt.grad, atol=1e-4)
    _param_grads_close(e, t, atol=1e-4)


def test_transformer_training_dropout_same_seed():
    e, t = _same_init("TransformerEncoderLayer", 8, 2, 16, dropout=0.2, batch_first=True)
    ex, tx = _pair((2, 5, 8), 0)
    ember.manual_seed(4)
    torch.manual_seed(4)
    assert_close(e(ex), t(tx), atol=1e-5)


def test_encoder_nested_tensor_path_zeroes_padding_in_inference():
    e, t = _same_init("TransformerEncoderLayer", 8, 2, 16, batch_first=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        te = torch.nn.TransformerEncoder(t, 2).eval()
        ee = ember.nn.TransformerEncoder(e, 2).eval()
    _copy_weights(ee, te)
    ex, tx = _pair((2, 4, 8), 0, requires_grad=False)
    kpm = np.array([[False, False, True, True], [False] * 4])
    with torch.no_grad(), ember.no_grad():
        to = te(tx, src_key_padding_mask=torch.tensor(kpm))
        eo = ee(ex, src_key_padding_mask=ember.tensor(kpm))
    assert np.all(to.numpy()[0, 2:] == 0)
    assert_close(eo, to, atol=1e-5)
    # with gradients wanted, torch keeps the padded rows
    assert_close(
        ee(ex, src_key_padding_mask=ember.tensor(kpm)),
        te(tx, src_key_padding_mask=torch.tensor(kpm)),
        atol=1e-5,
    )


def test_nested_tensor_warnings_and_errors():
    with pytest.warns(UserWarning, match="encoder_layer.self_attn.batch_first was not True"):
        ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16), 1)
    with pytest.warns(UserWarning, match="encoder_layer.norm_first was True"):
        ember.nn.TransformerEncoder(
            ember.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True), 1
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16), 1, None, False)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        ember.nn.TransformerEncoderLayer(8, 2, activation="tanh")
    m = ember.nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        m(ember.randn(3, 2, 8), ember.randn(3, 1, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal"):
        m(ember.randn(3, 2, 4), ember.randn(3, 2, 4))


@pytest.mark.parametrize(
    "name,args,kw",
    [
        ("TransformerEncoderLayer", (8, 2, 16), {}),
        ("TransformerEncoderLayer", (8, 2, 16), dict(activation="gelu", bias=False)),
        ("TransformerDecoderLayer", (8, 2, 16), dict(norm_first=True)),
        ("Transformer", (8, 2, 1, 2, 16), {}),
    ],
)
def test_layer_init_and_repr(name, args, kw):
    e, t = _same_init(name, *args, **kw)
    ts, es = t.state_dict(), e.state_dict()
    assert list(es) == list(ts)
    for k in ts:
        assert_close(es[k], ts[k], atol=0, rtol=0, msg=k)
    assert repr(e) == repr(t)


def test_activation_module_is_a_submodule():
    e = ember.nn.TransformerEncoderLayer(8, 2, 16, activation=ember.nn.GELU())
    t = torch.nn.TransformerEncoderLayer(8, 2, 16, activation=torch.nn.GELU())
    assert repr(e) == repr(t)
    assert e.activation_relu_or_gelu == t.activation_relu_or_gelu == 2


def test_generate_square_subsequent_mask():
    for n in (1, 4):
        assert_close(
            ember.nn.Transformer.generate_square_subsequent_mask(n),
            torch.nn.Transformer.generate_square_subsequent_mask(n),
        )
    m = ember.nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)
    assert m.dtype == ember.float64


def test_mha_mismatched_mask_types_warn_as_torch():
    m = ember.nn.MultiheadAttention(4, 2)
    x = ember.randn(3, 2, 4)
    kpm = ember.zeros(2, 3, dtype=ember.bool)
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask"):
        m(x, x, x, key_padding_mask=kpm, attn_mask=ember.zeros(3, 3))
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask"):
        m(x, x, x, attn_mask=ember.zeros(3, 3, dtype=ember.int64))
