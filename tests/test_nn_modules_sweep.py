"""A differential sweep over torch.nn's module classes: init, repr, forward and backward.

Each case is built after ``manual_seed(0)`` in both libraries: parameters and buffers must agree in
names, shapes, dtypes, requires_grad and values (ember draws torch's random stream). The reprs must
agree. Then torch's state_dict is loaded into ember's module and the forward (seeded, so dropout
masks agree), the gradients of input and parameters, and the buffers after the forward are compared,
in train and eval mode.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_raises

X3, X4, X5 = (2, 3, 5), (2, 3, 6, 6), (2, 3, 4, 4, 4)
CASES = []


def case(name, args=(), kwargs=None, inputs=((4, 5),)):
    CASES.append(pytest.param(name, args, kwargs or {}, inputs, id=f"{name}-{len(CASES)}"))


for d, x in ((1, X3), (2, X4), (3, X5)):
    case(f"AdaptiveAvgPool{d}d", (2,), inputs=(x,))
    case(f"AdaptiveMaxPool{d}d", (3,), {"return_indices": True}, (x,))
    case(f"AvgPool{d}d", (3,), {"stride": 1, "padding": 1, "count_include_pad": False}, (x,))
    case(f"MaxPool{d}d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (x,))
    case(f"LPPool{d}d", (2.0, 2), inputs=(x,))
    case(f"BatchNorm{d}d", (3,), inputs=(x,))
    case(f"BatchNorm{d}d", (3,), {"affine": False, "momentum": None}, (x,))
    case(f"LazyBatchNorm{d}d", inputs=(x,))
    case(f"InstanceNorm{d}d", (3,), {"affine": True, "track_running_stats": True}, (x,))
    case(f"Conv{d}d", (3, 4, 3), inputs=(x,))
    case(f"Conv{d}d", (3, 6, 2), {"stride": 2, "padding": 1, "groups": 3, "bias": False}, (x,))
    case(f"Conv{d}d", (3, 4, 3), {"padding": "same", "padding_mode": "reflect"}, (x,))
    case(f"ConvTranspose{d}d", (3, 6, 2), {"stride": 2, "padding": 1, "output_padding": 1}, (x,))
    case(f"LazyConv{d}d", (4, 3), inputs=(x,))
    case(f"LazyConvTranspose{d}d", (4, 3), inputs=(x,))
    case(f"CircularPad{d}d", (1,), inputs=(x,))
    case(f"ConstantPad{d}d", (1, 0.5), inputs=(x,))
    case(f"ReflectionPad{d}d", (1,), inputs=(x,))
    case(f"ReplicationPad{d}d", (2,), inputs=(x,))
    case(f"ZeroPad{d}d", (1,), inputs=(x,))
    case(f"ReflectionPad{d}d", (1,), inputs=(x[1:],))  # unbatched
    case(f"Dropout{d}d", (0.3,), inputs=(x,))

LONG5 = ("long", (4,), 5)
case("AdaptiveLogSoftmaxWithLoss", (8, 10, [4, 8]), inputs=((5, 8), ("long", (5,), 10)))
case("AlphaDropout", (0.2,))
case("FeatureAlphaDropout", (0.2,), inputs=((2, 3, 4),))
case("Dropout", (0.2,))
case("BCELoss", inputs=(("prob", (4, 3)), ("const01", (4, 3))))
case("BCEWithLogitsLoss", inputs=((4, 3), ("const01", (4, 3))))
case("Bilinear", (3, 4, 5), inputs=((2, 3), (2, 4)))
case("CELU", (0.5,))
case("ChannelShuffle", (3,), inputs=((2, 6, 3, 3),))
case("CosineEmbeddingLoss", (), {"margin": 0.3}, ((4, 5), (4, 5), ("sign", (4,))))
case("CosineSimilarity", (), {"dim": 0}, ((4, 5), (4, 5)))
case("CrossEntropyLoss", (), {"label_smoothing": 0.1, "ignore_index": 1}, ((4, 5), LONG5))
case("ELU", (0.5,))
case("Embedding", (10, 3), {"padding_idx": 1}, (("long", (2, 4), 10),))
case("EmbeddingBag", (10, 3), {"mode": "max"}, (("long", (2, 4), 10),))
case("Flatten", (0, 1), inputs=((2, 3, 4),))
case("Fold", ((4, 5), (2, 2)), inputs=((1, 12, 12),))
case("Fold", (3, 2), inputs=((4, 4),))  # unbatched
case("FractionalMaxPool2d", (2,), {"output_size": 3}, ((1, 2, 7, 7),))
case("GELU", (), {"approximate": "tanh"})
case("GLU", (0,), inputs=((4, 6),))
for cell in ("GRU", "LSTM", "RNN"):
    case(cell, (3, 4), inputs=((5, 2, 3),))
    kw = {"num_layers": 2, "bidirectional": True, "batch_first": True, "bias": False}
    case(cell, (3, 4), kw, ((2, 5, 3),))
    case(cell + "Cell", (3, 4), inputs=((2, 3),))
case("LSTM", (3, 4), {"proj_size": 2}, ((5, 2, 3),))
case("GaussianNLLLoss", (), {"full": True}, ((4, 3), (4, 3), ("pos", (4, 3))))
case("GroupNorm", (2, 4), inputs=((2, 4, 3),))
case("Hardshrink", (0.3,))
case("Hardsigmoid")
case("Hardswish")
case("Hardtanh", (-0.5, 0.5))
case("HingeEmbeddingLoss", (), {"margin": 0.5}, ((4, 5), ("sign", (4, 5))))
case("HuberLoss", (), {"delta": 0.5}, ((4, 5), (4, 5)))
case("Identity", (3,), {"foo": 1})
case("KLDivLoss", (), {"reduction": "batchmean", "log_target": True}, ((4, 5), (4, 5)))
case("L1Loss", inputs=((4, 5), (4, 5)))
case("LayerNorm", ([3, 5],), inputs=((2, 3, 5),))
case("LayerNorm", (5,), {"bias": False, "eps": 1e-3})
case("LazyLinear", (4,), inputs=((2, 3),))
case("LeakyReLU", (0.2,))
case("Linear", (5, 4))
case("LocalResponseNorm", (3,), {"alpha": 1e-3, "beta": 0.5, "k": 2.0}, ((2, 4, 3),))
case("LogSigmoid")
case("LogSoftmax", (1,))
case("MSELoss", inputs=((4, 5), (4, 5)))
case("MarginRankingLoss", (), {"margin": 0.5}, ((4,), (4,), ("sign", (4,))))
case("Mish")
case("MultiLabelSoftMarginLoss", inputs=((3, 4), ("const01", (3, 4))))
case("MultiMarginLoss", (), {"p": 2, "margin": 0.5}, ((4, 5), LONG5))
MHA_IN = ((3, 2, 8), (4, 2, 8), (4, 2, 8))
case("MultiheadAttention", (8, 2), inputs=MHA_IN)
case("MultiheadAttention", (8, 2), {"add_bias_kv": True, "add_zero_attn": True}, MHA_IN)
kw = {"batch_first": True, "kdim": 6, "vdim": 5, "bias": False}
case("MultiheadAttention", (8, 2), kw, ((2, 3, 8), (2, 4, 6), (2, 4, 5)))
case("NLLLoss", (), {"ignore_index": 2}, ((4, 5), LONG5))
case("PReLU", (3,), {"init": 0.1}, ((2, 3, 4),))
case("PairwiseDistance", (), {"p": 1.0, "keepdim": True}, ((4, 5), (4, 5)))
case("PixelShuffle", (2,), inputs=((1, 8, 2, 3),))
case("PixelUnshuffle", (2,), inputs=((1, 2, 4, 6),))
case("PoissonNLLLoss", (), {"log_input": False, "full": True}, (("pos", (4, 5)), ("pos", (4, 5))))
case("RMSNorm", (5,), {"eps": 1e-3})
case("RReLU", (0.1, 0.2))
for act in ("ReLU", "ReLU6", "SELU", "SiLU", "Sigmoid", "Softsign", "Tanh", "Tanhshrink"):
    case(act)
case("SmoothL1Loss", (), {"beta": 0.5}, ((4, 5), (4, 5)))
case("SoftMarginLoss", inputs=((4, 5), ("sign", (4, 5))))
case("Softmax", (1,))
case("Softmax2d", inputs=((2, 3, 4, 4),))
case("Softmin", (1,))
case("Softplus", (2.0, 1.0))
case("Softshrink", (0.3,))
case("Threshold", (0.1, 20.0))
TKW = {"dim_feedforward": 16, "dropout": 0.0}
kw = {**TKW, "norm_first": True, "activation": "gelu"}
case("TransformerEncoderLayer", (8, 2), kw, ((3, 2, 8),))
case("TransformerDecoderLayer", (8, 2), TKW, ((3, 2, 8), (4, 2, 8)))
kw = {"d_model": 8, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1, **TKW}
case("Transformer", (), kw, ((3, 2, 8), (4, 2, 8)))
case("TripletMarginLoss", (), {"margin": 0.5, "p": 1.0, "swap": True}, ((4, 5), (4, 5), (4, 5)))
case("TripletMarginWithDistanceLoss", (), {"swap": True}, ((4, 5), (4, 5), (4, 5)))
case("Unflatten", (1, (2, 2)), inputs=((3, 4),))
case("Unfold", ((2, 3),), {"padding": 1, "stride": 2}, ((2, 3, 4, 4),))
case("Unfold", (2,), inputs=((3, 4, 4),))  # unbatched
case("Upsample", (), {"size": (5, 4), "mode": "bilinear", "align_corners": True}, ((1, 2, 3, 3),))
case("Upsample", (), {"scale_factor": 1.5, "mode": "bicubic"}, ((1, 2, 3, 3),))
case("UpsamplingNearest2d", (), {"size": 5}, ((1, 2, 3, 3),))


def _inputs(spec):
    """Seeded numpy arrays for an input spec, and whether each one requires grad."""
    rng = np.random.default_rng(0)
    out = []
    for s in spec:
        kind, shape = (s[0], s[1]) if isinstance(s[0], str) else ("normal", s)
        if kind == "long":
            out.append((rng.integers(0, s[2], size=shape), False))
        elif kind in ("prob", "pos"):
            lo, hi = (0.05, 0.95) if kind == "prob" else (0.1, 2.0)
            out.append((rng.uniform(lo, hi, size=shape).astype(np.float32), True))
        elif kind == "const01":
            out.append((rng.uniform(0.05, 0.95, size=shape).astype(np.float32), False))
        elif kind == "sign":
            out.append((np.where(rng.uniform(size=shape) > 0.5, 1, -1).astype(np.float32), False))
        else:
            out.append((rng.standard_normal(shape).astype(np.float32), True))
    return out


def _flat(o):
    if isinstance(o, (tuple, list)):
        return [v for item in o for v in _flat(item)]
    return [o]


def _compare_state(em, tm):
    for kind in ("named_parameters", "named_buffers"):
        e, t = dict(getattr(em, kind)()), dict(getattr(tm, kind)())
        assert list(e) == list(t), f"{kind}: {list(e)} vs {list(t)}"
        for k, tv in t.items():
            assert e[k].requires_grad == tv.requires_grad, k
            assert_close(e[k], tv, rtol=1e-6, atol=1e-7, msg=k)
    assert list(em.state_dict()) == list(tm.state_dict())


def _forward(em, tm, spec):
    arrays = _inputs(spec)
    ti = [torch.tensor(a.copy(), requires_grad=g) for a, g in arrays]
    ei = [ember.tensor(a.copy(), requires_grad=g) for a, g in arrays]
    torch.manual_seed(1)
    t_out = _flat(tm(*ti))
    ember.manual_seed(1)
    e_out = _flat(em(*ei))
    assert_close(e_out, t_out, rtol=1e-4, atol=1e-5, msg="forward")
    pairs = [(e, t) for e, t in zip(e_out, t_out) if getattr(t, "requires_grad", False)]
    assert all(e.requires_grad for e, _ in pairs)
    rng = np.random.default_rng(5)
    ws = [rng.standard_normal(tuple(t.shape)).astype(np.float32) for _, t in pairs]
    sum((t * torch.tensor(w)).sum() for (_, t), w in zip(pairs, ws)).backward()
    sum((e * ember.tensor(w)).sum() for (e, _), w in zip(pairs, ws)).backward()
    for k, (e, t) in enumerate(zip(ei, ti)):
        if t.grad is not None:
            assert_close(e.grad, t.grad, rtol=1e-4, atol=1e-5, msg=f"grad of input {k}")
    ep = dict(em.named_parameters())
    for k, p in tm.named_parameters():
        if p.grad is None:
            assert ep[k].grad is None, k
        else:
            assert_close(ep[k].grad, p.grad, rtol=1e-4, atol=1e-5, msg=f"grad of {k}")
    eb = dict(em.named_buffers())
    for k, b in tm.named_buffers():
        assert_close(eb[k], b, rtol=1e-5, atol=1e-6, msg=f"buffer {k} after forward")


@pytest.mark.parametrize("name, args, kwargs, spec", CASES)
def test_module_matches_torch(name, args, kwargs, spec):
    T, E = getattr(torch.nn, name), getattr(ember.nn, name)
    torch.manual_seed(0)
    tm = T(*args, **kwargs)
    ember.manual_seed(0)
    em = E(*args, **kwargs)
    if name.startswith("Lazy"):  # parameters are drawn at the first forward
        arrays = _inputs(spec)
        torch.manual_seed(0)
        tm(*[torch.tensor(a) for a, _ in arrays])
        ember.manual_seed(0)
        em(*[ember.tensor(a) for a, _ in arrays])
        assert type(em).__name__ == type(tm).__name__
    _compare_state(em, tm)
    assert repr(em) == repr(tm).replace("torch.", "ember.")
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    for mode in (True, False):
        tm.train(mode)
        em.train(mode)
        tm.zero_grad()
        em.zero_grad()
        _forward(em, tm, spec)


def _run_module(name, args, shape):
    """A module built from ``args`` called on a float input of ``shape``, for exception parity."""

    def fn(lib):
        return getattr(lib.nn, name)(*args)(lib.zeros(shape))

    return fn


BAD_INPUTS = [
    ("AvgPool2d", (2,), (1, 2, 3, 6, 6)),
    ("AvgPool2d", (2,), (6, 6)),
    ("AvgPool3d", (2,), (3, 4, 4)),
    ("AvgPool3d", (2,), (1, 2, 3, 4, 4, 4)),
    ("LPPool2d", (2.0, 2), (1, 2, 3, 6, 6)),
    ("LPPool3d", (2.0, 2), (1, 2, 3, 4, 4, 4)),
    ("AdaptiveAvgPool1d", (2,), (1, 2, 3, 5)),
    ("AdaptiveAvgPool1d", (2,), (5,)),
    ("AdaptiveMaxPool1d", (2,), (1, 2, 3, 5)),
    ("AdaptiveMaxPool2d", (2,), (1, 2, 3, 6, 6)),
    ("AdaptiveMaxPool2d", (2,), (6, 6)),
    ("Fold", ((4, 5), 2), (1, 2, 12, 12)),
    ("Fold", ((4, 5), 2), (12,)),
    ("Unfold", (2,), (1, 2, 3, 4, 4)),
    ("Unfold", (2,), (4, 4)),
    ("ReflectionPad2d", (1,), (1, 2, 3, 6, 6)),
    ("CircularPad1d", (1,), (1, 2, 3, 5)),
    ("CircularPad2d", (1,), (5, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 4, 4)),
]


@pytest.mark.parametrize("name, args, shape", BAD_INPUTS)
def test_bad_input_raises_like_torch(name, args, shape):
    exc = check_raises(_run_module(name, args, shape))
    with pytest.raises(type(exc)) as t_exc:
        _run_module(name, args, shape)(torch)
    assert str(exc) == str(t_exc.value)


BAD_CTORS = [
    ("LSTM", (0, 4)),
    ("GRU", (-1, 4)),
    ("RNN", ("a", 4)),
    ("RNN", (3, 0)),
    ("LSTM", (0, "b")),
    ("Bilinear", (0, 4, 5)),
    ("FractionalMaxPool3d", (0, 3)),
    ("FractionalMaxPool3d", ((2, -1, 2), 3)),
    ("ReflectionPad2d", (1, 2)),  # Python's own errors name the class
    ("ConstantPad2d", (1,)),
    ("Softmax", (1, 2)),
    ("LogSoftmax", (1, 2)),
]


def test_padding_takes_any_scalar_like_torch():
    t, e = torch.nn.ZeroPad2d(2.0), ember.nn.ZeroPad2d(2.0)
    assert e.padding == t.padding
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name, args", BAD_CTORS)
def test_bad_constructor_raises_like_torch(name, args):
    exc = check_raises(lambda lib: getattr(lib.nn, name)(*args))
    with pytest.raises(type(exc)) as t_exc:
        getattr(torch.nn, name)(*args)
    assert str(exc) == str(t_exc.value)


def test_bool_sizes_accepted_like_torch():
    torch.manual_seed(0)
    t = torch.nn.LSTM(3, True)
    ember.manual_seed(0)
    e = ember.nn.LSTM(3, True)
    _compare_state(e, t)


MHA_BAD = [
    ((1, 3, 2, 8), (4, 2, 8), (4, 2, 8), {}),
    ((3, 8), (4, 2, 8), (4, 2, 8), {}),
    ((3, 2, 8), (4, 2, 8), (4, 8), {}),
    ((3, 2, 8), (4, 2, 8), (4, 2, 8), {"key_padding_mask": (2, 4, 1)}),
    ((3, 8), (4, 8), (4, 8), {"key_padding_mask": (1, 4)}),
    ((3, 2, 8), (4, 2, 8), (4, 2, 8), {"attn_mask": (3,)}),
    ((3, 8), (4, 8), (4, 8), {"attn_mask": (3, 3, 4)}),
]


@pytest.mark.parametrize("q, k, v, masks", MHA_BAD)
def test_multihead_attention_rank_errors_like_torch(q, k, v, masks):
    def fn(lib):
        m = lib.nn.MultiheadAttention(8, 2)
        kw = {n: lib.zeros(s, dtype=lib.bool) for n, s in masks.items()}
        return m(lib.zeros(q), lib.zeros(k), lib.zeros(v), **kw)

    exc = check_raises(fn)
    with pytest.raises(AssertionError) as t_exc:
        fn(torch)
    assert str(exc).replace("ember.", "torch.") == str(t_exc.value)


INTERPOLATE_BAD = [
    ((1, 1, 1, 2, 3, 3), {"scale_factor": 2}),
    ((1, 1, 1, 2, 3, 3), {"scale_factor": 2, "mode": "bilinear"}),
    ((2, 3, 3), {"size": (5, 4), "mode": "bilinear"}),
    ((2, 3, 3), {"scale_factor": 2, "mode": "bilinear"}),
    ((1, 2, 3, 3), {"scale_factor": (2, 2, 2)}),
    ((3, 3), {"scale_factor": 2}),
    ((1, 2, 3, 3), {"scale_factor": 2, "mode": "bogus"}),
    ((2, 3, 3), {"scale_factor": 2, "mode": "bilinear", "antialias": True}),
    ((1, 2, 3), {"scale_factor": 2, "mode": "bicubic"}),
    ((1, 2, 3, 3), {"scale_factor": 2, "mode": "trilinear"}),
]


@pytest.mark.parametrize("shape, kwargs", INTERPOLATE_BAD)
def test_upsample_errors_like_torch(shape, kwargs):
    def fn(lib):
        return lib.nn.Upsample(**kwargs)(lib.zeros(shape))

    exc = check_raises(fn)
    with pytest.raises(type(exc)) as t_exc:
        fn(torch)
    assert str(exc) == str(t_exc.value)


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_unbatched_pad_grad_fn_like_torch(mode):
    t = torch.nn.functional.pad(torch.zeros(3, 4, 4, requires_grad=True), (1, 2, 0, 2), mode)
    e = ember.nn.functional.pad(ember.zeros(3, 4, 4, requires_grad=True), (1, 2, 0, 2), mode)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    assert e.grad_fn.name() == t.grad_fn.name()


GRAD_FN_CASES = [
    (lambda lib, x: lib.nn.ChannelShuffle(3)(x), (2, 6, 3)),
    (lambda lib, x: lib.nn.Upsample(scale_factor=1.5, mode="bicubic")(x), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.GRU(3, 4, batch_first=True)(x)[0], (2, 5, 3)),
    (lambda lib, x: lib.nn.RNN(3, 4, batch_first=True)(x)[0], (2, 5, 3)),
    (lambda lib, x: lib.nn.LSTM(3, 4, batch_first=True)(x)[0], (2, 5, 3)),
    (lambda lib, x: lib.nn.CircularPad1d(1)(x), (2, 5, 3)),
]


@pytest.mark.parametrize("fn, shape", GRAD_FN_CASES)
def test_grad_fn_names_like_torch(fn, shape):
    t = fn(torch, torch.zeros(shape, requires_grad=True))
    e = fn(ember, ember.zeros(shape, requires_grad=True))
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    assert e.grad_fn.name() == t.grad_fn.name()


CONSTRUCT_THEN_CALL_BAD = [
    lambda lib: lib.nn.GroupNorm(3, 4),
    lambda lib: lib.nn.GroupNorm(2.5, 4),
    lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.zeros(1, 3, 5, 5, dtype=lib.float64)),
    lambda lib: lib.nn.Conv1d(3, 4, 3)(lib.zeros(1, 3, 5, dtype=lib.int64)),
    lambda lib: lib.nn.Conv2d(3, 4, 3, bias=False)(lib.zeros(1, 3, 5, 5, dtype=lib.float64)),
    lambda lib: lib.nn.ConvTranspose2d(3, 4, 3)(lib.zeros(1, 3, 5, 5, dtype=lib.float64)),
    lambda lib: lib.nn.Unflatten(1, (2, 2))(lib.zeros(2, 6)),
    lambda lib: lib.nn.Unflatten(-1, (-1, 4))(lib.zeros(2, 6)),
    lambda lib: lib.nn.Unflatten(1, ())(lib.zeros(2, 6)),
    lambda lib: lib.nn.Unflatten(1, 5),
    lambda lib: lib.nn.Unflatten(1, (2, 2.5)),
    lambda lib: lib.nn.Unflatten(2.5, (2, 3))(lib.zeros(2, 6)),
    lambda lib: lib.nn.BatchNorm2d("a"),
    lambda lib: lib.nn.BatchNorm1d(2.5, affine=False),
    lambda lib: lib.nn.Embedding(2.5, 3),
    lambda lib: lib.nn.Linear(2.5, 3),
    lambda lib: lib.nn.LayerNorm("a"),
    lambda lib: lib.zeros([3, None]),
    lambda lib: lib.nn.Hardtanh(1.0, 0.0),
    lambda lib: lib.nn.Hardtanh("a", 0.5),
    lambda lib: lib.nn.LocalResponseNorm(2)(lib.zeros(3, 4)),
    lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(5, 2, 3, dtype=lib.float64)),
    lambda lib: lib.nn.GRU(3, 4)(lib.zeros(5, 3, dtype=lib.int64)),
    lambda lib: lib.nn.RNN(3, 4)(lib.zeros(5, 2, 3, 1, dtype=lib.float64)),
    lambda lib: lib.nn.RNN(3, 4)(
        lib.nn.utils.rnn.pack_padded_sequence(lib.zeros(5, 2, 3, dtype=lib.float64), [5, 3])
    ),
]


@pytest.mark.parametrize("fn", CONSTRUCT_THEN_CALL_BAD)
def test_errors_and_messages_like_torch(fn):
    exc = check_raises(fn)
    with pytest.raises(type(exc)) as t_exc:
        fn(torch)
    assert str(exc).replace("ember.", "torch.") == str(t_exc.value)


def test_batchnorm_loads_a_state_dict_without_num_batches_tracked_like_torch():
    results = []
    for lib in (torch, ember):
        m = lib.nn.Sequential(lib.nn.BatchNorm1d(2))
        m[0].num_batches_tracked.fill_(5)
        old = {k: lib.ones(2) for k in ("0.weight", "0.bias", "0.running_mean", "0.running_var")}
        keys = m.load_state_dict(old)  # no version: the module keeps its own count
        sd = lib.nn.BatchNorm1d(2).state_dict()  # version 2: the key is required
        del sd["num_batches_tracked"]
        with pytest.raises(RuntimeError, match="Missing key"):
            lib.nn.BatchNorm1d(2).load_state_dict(sd)
        lazy = lib.nn.LazyBatchNorm1d()
        lazy(lib.ones(4, 2))
        lazy.load_state_dict({k[2:]: v for k, v in old.items()})
        results.append((keys.missing_keys, int(m[0].num_batches_tracked), m[0].running_mean))
        results[-1] += (int(lazy.num_batches_tracked),)
    assert results[1][:2] == results[0][:2]
    assert_close(results[1][2], results[0][2])
    assert results[1][3] == results[0][3]


F64_CASES = [
    ("Linear", (5, 3), (2, 5)),
    ("Conv2d", (3, 4, 3), (1, 3, 5, 5)),
    ("ConvTranspose1d", (3, 4, 3), (1, 3, 5)),
    ("BatchNorm2d", (3,), (2, 3, 4, 4)),
    ("LayerNorm", (5,), (2, 5)),
    ("Embedding", (6, 3), None),
    ("LSTM", (5, 4), (3, 2, 5)),
    ("GRUCell", (5, 4), (2, 5)),
    ("MultiheadAttention", (4, 2), None),
]


@pytest.mark.parametrize("name, args, shape", F64_CASES)
def test_float64_modules_like_torch(name, args, shape):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, dtype=torch.float64)
    ember.manual_seed(0)
    em = getattr(ember.nn, name)(*args, dtype=ember.float64)
    _compare_state(em, tm)
    if shape is not None:
        x = np.random.default_rng(0).standard_normal(shape)
        assert_close(_flat(em(ember.tensor(x))), _flat(tm(torch.tensor(x))))


def test_softmax_subclass_keeps_its_init():
    class Mine(ember.nn.Softmax):
        def __init__(self):
            super().__init__(dim=0)
            self.extra = 1

    m = Mine()
    assert (m.dim, m.extra) == (0, 1)
    assert_close(m(ember.ones(2, 3)), torch.nn.Softmax(dim=0)(torch.ones(2, 3)))


@pytest.mark.parametrize(
    "a, b, dim",
    [((1, 1, 5), (4, 5), 1), ((5,), (4, 5), -1), ((2, 1, 5), (1, 4, 5), -1), ((3, 5), (3, 5), 1)],
)
def test_cosine_similarity_broadcasts_before_reducing(a, b, dim):
    """dim counts in the broadcast shape: inputs of different rank gave wrong values."""
    x1 = np.arange(np.prod(a), dtype=np.float32).reshape(a) + 1
    x2 = np.arange(np.prod(b), dtype=np.float32).reshape(b)
    out = {}
    for lib in (torch, ember):
        t1, t2 = lib.tensor(x1, requires_grad=True), lib.tensor(x2, requires_grad=True)
        y = lib.nn.functional.cosine_similarity(t1, t2, dim=dim)
        y.sum().backward()
        out[lib] = (y.detach().numpy(), t1.grad.numpy(), t2.grad.numpy())
    for e, t in zip(out[ember], out[torch]):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)
