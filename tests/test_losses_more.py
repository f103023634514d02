"""The last of torch.nn's losses, against torch: ``F.linear_cross_entropy`` (reference and chunked
paths), ``nn.LinearCrossEntropyLoss`` with ``nn.LinearCrossEntropyOptions``,
``nn.AdaptiveLogSoftmaxWithLoss`` and the deprecated ``nn.NLLLoss2d``: values, gradients, grad_fn
names, reprs, signatures, state dicts, initialisation and exception parity."""

from __future__ import annotations

import dataclasses
import inspect
import warnings

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF
from helpers import assert_close, check_raises

import ember
import ember.nn as enn
import ember.nn.functional as EF

REDUCTIONS = ["mean", "sum", "none"]
# an adaptive softmax cluster of in_features // div_value**k == 0 hidden units warns in both
pytestmark = pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")


def _pair(array, grad=False):
    return (
        ember.tensor(array.copy(), requires_grad=grad),
        torch.tensor(array.copy(), requires_grad=grad),
    )


def _backward_both(e_out, t_out, seed=1, retain_graph=False):
    """Backpropagate the same random cotangent through both outputs."""
    w = np.random.default_rng(seed).standard_normal(tuple(t_out.shape)).astype(np.float32)
    w = w.astype(t_out.detach().numpy().dtype)
    (t_out * torch.from_numpy(w)).sum().backward(retain_graph=retain_graph)
    (e_out * ember.tensor(w)).sum().backward(retain_graph=retain_graph)


def _grad_fn_name(t) -> str | None:
    return None if t.grad_fn is None else t.grad_fn.name()


# Names that Ember's shared ops record differently from torch, outside these losses: the mean of
def _same_grad_fn(e_out, t_out) -> None:
    """Equal grad_fn names."""
    assert _grad_fn_name(e_out) == _grad_fn_name(t_out)


# -- F.linear_cross_entropy ------------------------------------------------------------------------
def _lce_case(
    n=6,
    in_features=4,
    classes=5,
    out=(),
    bias=False,
    probs=False,
    batched=True,
    weight=False,
    dtype=np.float32,
    ignore=None,
    seed=0,
):
    """Random inputs for both libraries: tensors with gradients where torch gives them."""
    rng = np.random.default_rng(seed)
    lead = (n,) if batched else ()
    arrays = {
        "input": rng.standard_normal((*lead, in_features)).astype(dtype),
        "linear_weight": rng.standard_normal((classes, *out, in_features)).astype(dtype),
    }
    if bias:
        arrays["linear_bias"] = rng.standard_normal((classes, *out)).astype(dtype)
    if probs:
        logits = rng.standard_normal((*lead, classes, *out))
        p = np.exp(logits) / np.exp(logits).sum(axis=len(lead), keepdims=True)
        target = p.astype(dtype)
    else:
        target = rng.integers(0, classes, size=(*lead, *out))
        if ignore is not None and target.size:
            target.reshape(-1)[:: max(1, target.size // 3)] = ignore
    e = {k: ember.tensor(v.copy(), requires_grad=True) for k, v in arrays.items()}
    t = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in arrays.items()}
    e["target"], t["target"] = _pair(target)
    if weight:
        e["weight"], t["weight"] = _pair(rng.uniform(0.5, 2.0, classes).astype(dtype))
    return e, t


def _lce_compare(e, t, rtol=None, atol=None, **kw):
    """Run both libraries' linear_cross_entropy; compare values, grad_fn and all gradients."""

    def run(F, d):
        rest = {k: v for k, v in d.items() if k not in ("input", "linear_weight", "target")}
        return F.linear_cross_entropy(d["input"], d["linear_weight"], d["target"], **rest, **kw)

    t_out = run(TF, t)
    e_out = run(EF, e)
    assert_close(e_out, t_out, rtol, atol, msg="forward")
    _same_grad_fn(e_out, t_out)
    _backward_both(e_out, t_out)
    for k in ("input", "linear_weight", "linear_bias"):
        if k in t:
            assert_close(e[k].grad, t[k].grad, rtol, atol, msg=f"grad of {k}")
    return e_out


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("weight", [False, True])
def test_linear_cross_entropy_class_indices(reduction, bias, weight):
    e, t = _lce_case(bias=bias, weight=weight, ignore=-100)
    _lce_compare(e, t, reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_linear_cross_entropy_ignore_index_and_smoothing(reduction, smoothing):
    e, t = _lce_case(bias=True, weight=True, ignore=2, seed=3)
    _lce_compare(e, t, reduction=reduction, ignore_index=2, label_smoothing=smoothing)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("out", [(3,), (2, 3)])
@pytest.mark.parametrize("probs", [False, True])
def test_linear_cross_entropy_k_dim(reduction, out, probs):
    e, t = _lce_case(n=4, out=out, bias=True, probs=probs, weight=True, seed=5)
    _lce_compare(e, t, reduction=reduction, label_smoothing=0.1)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("probs", [False, True])
def test_linear_cross_entropy_unbatched_and_probabilities(reduction, probs):
    e, t = _lce_case(batched=False, bias=True, probs=probs, seed=7)
    _lce_compare(e, t, reduction=reduction)
    e, t = _lce_case(probs=probs, weight=True, seed=8)
    _lce_compare(e, t, reduction=reduction, label_smoothing=0.3)


def test_linear_cross_entropy_float64():
    e, t = _lce_case(bias=True, weight=True, dtype=np.float64, seed=9)
    out = _lce_compare(e, t)
    assert out.dtype == ember.float64


# -- the chunked path ------------------------------------------------------------------------------
CHUNKINGS = [
    {},
    {"batch_chunk_size": 2},
    {"batch_chunk_size": 100},
    {"chunking_method": "aspect_ratio"},
    {"chunking_method": None},
    {"chunking_method": "aspect_ratio:4", "allow_retain_graph": True},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("chunking", CHUNKINGS)
def test_linear_cross_entropy_chunked(reduction, chunking):
    e, t = _lce_case(n=7, in_features=3, classes=8, bias=True, weight=True, ignore=-100, seed=11)
    _lce_options_compare(e, t, *_opts(**chunking), reduction=reduction)


def _lce_options_compare(e, t, e_opt, t_opt, rtol=None, atol=None, **kw):
    def run(F, d, opt):
        rest = {k: v for k, v in d.items() if k not in ("input", "linear_weight", "target")}
        return F.linear_cross_entropy(
            d["input"], d["linear_weight"], d["target"], **rest, options=opt, **kw
        )

    t_out = run(TF, t, t_opt)
    e_out = run(EF, e, e_opt)
    assert_close(e_out, t_out, rtol, atol, msg="forward")
    _same_grad_fn(e_out, t_out)
    _backward_both(e_out, t_out)
    for k in ("input", "linear_weight", "linear_bias"):
        if k in t:
            assert_close(e[k].grad, t[k].grad, rtol, atol, msg=f"grad of {k}")
    return e_out, t_out


def _opts(**kw):
    return enn.LinearCrossEntropyOptions(**kw), tnn.LinearCrossEntropyOptions(**kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_linear_cross_entropy_chunked_cases(reduction):
    # ignore_index, an all-ignored batch, unbatched input, no weight/bias, float64
    e, t = _lce_case(n=5, bias=False, ignore=1, seed=12)
    _lce_options_compare(e, t, *_opts(batch_chunk_size=2), reduction=reduction, ignore_index=1)
    e, t = _lce_case(batched=False, bias=True, weight=True, seed=13)
    _lce_options_compare(e, t, *_opts(), reduction=reduction)
    e, t = _lce_case(n=3, weight=True, dtype=np.float64, seed=14)
    _lce_options_compare(e, t, *_opts(), reduction=reduction)
    e, t = _lce_case(n=4, bias=True, seed=15)
    e["target"], t["target"] = _pair(np.full(4, -100))
    _lce_options_compare(e, t, *_opts(), reduction=reduction)  # mean: nan, and nan gradients


def test_linear_cross_entropy_chunked_empty_batch():
    for reduction in REDUCTIONS:
        e, t = _lce_case(n=0, seed=16)
        kw = {"reduction": reduction}
        e_out = EF.linear_cross_entropy(
            e["input"], e["linear_weight"], e["target"], options=_opts()[0], **kw
        )
        t_out = TF.linear_cross_entropy(
            t["input"], t["linear_weight"], t["target"], options=_opts()[1], **kw
        )
        assert_close(e_out, t_out)


def test_linear_cross_entropy_chunked_second_backward():
    for retain in (False, True):
        results = []
        for F, opts, lib in ((EF, _opts(allow_retain_graph=retain)[0], ember), (TF, None, torch)):
            opts = opts or tnn.LinearCrossEntropyOptions(allow_retain_graph=retain)
            x = lib.tensor(np.ones((3, 4), np.float32) / 7, requires_grad=True)
            w = lib.tensor(np.arange(20, dtype=np.float32).reshape(5, 4) / 10, requires_grad=True)
            loss = F.linear_cross_entropy(x, w, lib.tensor([1, 2, 3]), options=opts)
            loss.backward(retain_graph=True)
            try:
                loss.backward()
                results.append((None, x.grad.numpy().copy()))
            except RuntimeError as exc:
                results.append((str(exc), None))
        (e_msg, e_grad), (t_msg, t_grad) = results
        assert e_msg == t_msg
        if t_grad is not None:
            np.testing.assert_allclose(e_grad, t_grad, rtol=1e-5, atol=1e-6)


def test_linear_cross_entropy_chunked_none_retains_graph():
    e, t = _lce_case(n=4, bias=True, seed=17)
    outs = []
    for F, d, opt in ((EF, e, _opts()[0]), (TF, t, _opts()[1])):
        loss = F.linear_cross_entropy(
            d["input"], d["linear_weight"], d["target"], reduction="none", options=opt
        )
        loss.sum().backward(retain_graph=True)
        loss.sum().backward()
        outs.append(d["input"].grad)
    assert_close(outs[0], outs[1])


@pytest.mark.parametrize(
    "kw",
    [
        {"label_smoothing": 0.1},
        {"reduction": "sum", "probs": True},
        {"out": (2,)},
        {"target_dtype": np.uint8},
    ],
)
def test_linear_cross_entropy_options_fallback_warns(kw):
    kw = dict(kw)
    smoothing = kw.pop("label_smoothing", 0.0)
    reduction = kw.pop("reduction", "mean")
    target_dtype = kw.pop("target_dtype", None)
    e, t = _lce_case(n=4, bias=True, seed=18, **kw)
    if target_dtype is not None:
        e["target"], t["target"] = _pair(t["target"].numpy().astype(target_dtype))
    messages = []
    for F, d, opt in ((EF, e, _opts()[0]), (TF, t, _opts()[1])):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rest = {k: v for k, v in d.items() if k not in ("input", "linear_weight", "target")}
            F.linear_cross_entropy(
                d["input"],
                d["linear_weight"],
                d["target"],
                **rest,
                reduction=reduction,
                label_smoothing=smoothing,
                options=opt,
            )
        messages.append([str(w.message).replace("torch.", "ember.") for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1
    # the fallback computes the reference path: same values and grad_fn as without options
    e2, t2 = _lce_case(n=4, bias=True, seed=18, **kw)
    if target_dtype is not None:
        e2["target"], t2["target"] = _pair(t2["target"].numpy().astype(target_dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _lce_options_compare(e2, t2, *_opts(), reduction=reduction, label_smoothing=smoothing)


def _lce_raises(x_shape, w_shape, target, bias_shape=None, weight=None, **kw):
    """Exception parity (type and message) for linear_cross_entropy with these arguments."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = None if bias_shape is None else rng.standard_normal(bias_shape).astype(np.float32)
    opt = kw.pop("options", None)

    def call(lib):
        F = TF if lib is torch else EF
        nn_ = tnn if lib is torch else enn
        extra = dict(kw)
        if b is not None:
            extra["linear_bias"] = lib.tensor(b)
        if weight is not None:
            extra["weight"] = lib.tensor(weight)
        if opt is not None:
            extra["options"] = nn_.LinearCrossEntropyOptions(**opt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return F.linear_cross_entropy(lib.tensor(x), lib.tensor(w), lib.tensor(target), **extra)

    exc = check_raises(call)
    with pytest.raises(Exception) as t_info:
        call(torch)
    # the first line: torch's argument parser goes on with the operator's whole declaration
    assert str(exc).split("\n")[0] == str(t_info.value).split("\n")[0]


@pytest.mark.parametrize(
    "case",
    [
        ((2, 3, 4), (5, 4), np.array([1, 2, 3])),
        ((), (5, 4), np.array([1])),
        ((3, 4), (4,), np.array([1, 2, 3])),
        ((3, 4), (5, 3), np.array([1, 2, 3])),
        ((3, 4), (5, 4), np.array([1, 2, 3]), (4,)),
        ((4,), (5, 2, 4), np.array([1, 2])),
        ((3, 4), (5, 2, 4), np.zeros((3, 2), np.int64), (10,)),
        ((3, 4), (5, 4), np.full((3, 5), 0.2, np.float32), None, None, {"ignore_index": 1}),
        ((3, 4), (5, 4), np.array([1, 2, 3]), None, None, {"reduction": "foo"}),
        ((3, 4), (5, 4), np.array([1, 2, 3]), None, None, {"label_smoothing": 1.5}),
        ((3, 4), (5, 4), np.array([1, 2, 3]), None, np.ones(3, np.float32)),
        ((3, 4), (5, 4), np.array([1, 2, 3], np.int32)),
        ((3, 4), (5, 4), np.array([1, 2])),
        ((3, 4), (5, 4), np.array([1, 2, 3]), None, None, {"ignore_index": 1.5}),
    ],
)
@pytest.mark.parametrize("chunked", [False, True])
def test_linear_cross_entropy_errors(case, chunked):
    x_shape, w_shape, target, *rest = case
    bias_shape = rest[0] if rest else None
    weight = rest[1] if len(rest) > 1 else None
    kw = dict(rest[2]) if len(rest) > 2 else {}
    if chunked:
        kw["options"] = {}
    _lce_raises(x_shape, w_shape, target, bias_shape, weight, **kw)


@pytest.mark.parametrize(
    "case",
    [
        (np.array([1, 2, 7]), None, {}),
        (np.array([1, -1, 3]), None, {}),
        (np.array([1, 2, 3]), np.ones(2, np.float32), {}),
        (np.array([1, 2, 7]), np.ones(5, np.float32), {}),
        (np.array([1, 2, 3]), np.ones((5, 1), np.float32), {}),
        (np.array([1, 2, 3]), np.float32(1), {}),
        (np.array([[1, 2, 3]]), None, {}),
        (np.array(1), None, {}),
        (np.array([1]), None, {"batch_chunk_size": 2}),
        (np.array([1, 2]), None, {"chunking_method": None}),
        (np.array([1, 2, 3]), None, {"batch_chunk_size": 1, "chunking_method": "aspect_ratio"}),
    ],
)
def test_linear_cross_entropy_chunked_errors(case):
    target, weight, opt = case
    _lce_raises((3, 4), (5, 4), target, None, weight, options=opt)


def test_weight_of_another_dtype():
    """The reference path (as nll_loss and cross_entropy) refuses a float64 class weight for
    float32 logits; the chunked path computes with it."""
    e, t = _lce_case(n=4, seed=19)
    w = np.linspace(0.5, 2, 5)
    for d, lib in ((e, ember), (t, torch)):
        d["weight"] = lib.tensor(w)
    exc = check_raises(
        lambda lib: (TF if lib is torch else EF).linear_cross_entropy(
            *[(t if lib is torch else e)[k] for k in ("input", "linear_weight", "target")],
            weight=(t if lib is torch else e)["weight"],
        )
    )
    assert str(exc) == "expected scalar type Float but found Double"
    check_raises(
        lambda lib: lib.nn.functional.nll_loss(
            lib.zeros(2, 5), lib.tensor([1, 2]), weight=lib.ones(5, dtype=lib.float64)
        )
    )
    _lce_options_compare(e, t, *_opts(batch_chunk_size=3))


def test_linear_cross_entropy_dtype_mismatch():
    x = np.ones((3, 4), np.float32)
    w = np.ones((5, 4), np.float64)
    for opt in (None, {}):

        def call(lib, opt=opt):
            nn_ = tnn if lib is torch else enn
            F = TF if lib is torch else EF
            o = None if opt is None else nn_.LinearCrossEntropyOptions(**opt)
            return F.linear_cross_entropy(
                lib.tensor(x), lib.tensor(w), lib.tensor([1, 2, 3]), options=o
            )

        check_raises(call)


# -- LinearCrossEntropyOptions ---------------------------------------------------------------------
def test_options_fields_repr_and_equality():
    e, t = enn.LinearCrossEntropyOptions(), tnn.LinearCrossEntropyOptions()
    assert repr(e) == repr(t)
    assert [f.name for f in dataclasses.fields(e)] == [f.name for f in dataclasses.fields(t)]
    assert dataclasses.asdict(e) == dataclasses.asdict(t)
    kw = {"allow_retain_graph": True, "batch_chunk_size": 8, "chunking_method": None}
    assert repr(enn.LinearCrossEntropyOptions(**kw)) == repr(tnn.LinearCrossEntropyOptions(**kw))
    assert enn.LinearCrossEntropyOptions(**kw) == enn.LinearCrossEntropyOptions(**kw)
    assert enn.LinearCrossEntropyOptions(**kw) != e
    assert hash(enn.LinearCrossEntropyOptions(**kw)) == hash(enn.LinearCrossEntropyOptions(**kw))
    assert repr(dataclasses.replace(e, acc_policy="compact")).endswith(
        "acc_policy='compact', acc_dtype=None)"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.acc_policy = "accurate"
    e_sig = inspect.signature(enn.LinearCrossEntropyOptions).parameters.values()
    t_sig = inspect.signature(tnn.LinearCrossEntropyOptions).parameters.values()
    assert [(p.name, p.kind, p.default) for p in e_sig] == [
        (p.name, p.kind, p.default) for p in t_sig
    ]


@pytest.mark.parametrize(
    "kw",
    [
        {"acc_policy": "x"},
        {"chunking_method": "foo"},
        {"chunking_method": "aspect_ratio:0"},
        {"chunking_method": "aspect_ratio:x"},
        {"chunking_method": "ratio:2"},
        {"batch_chunk_size": 0},
        {"batch_chunk_size": -3},
        {"batch_chunk_size": 2.0},
        {"acc_dtype": "int32"},
        {"chunking_method": 5},
    ],
)
def test_options_validation(kw):
    def make(lib):
        nn_ = tnn if lib is torch else enn
        args = dict(kw)
        if args.get("acc_dtype") == "int32":
            args["acc_dtype"] = lib.int32
        return nn_.LinearCrossEntropyOptions(**args)

    exc = check_raises(make)
    with pytest.raises(Exception) as t_info:
        make(torch)
    assert str(exc).replace("ember", "torch") == str(t_info.value)


@pytest.mark.parametrize(
    "kw",
    [
        {"chunking_method": "aspect_ratio:3"},
        {"chunking_method": None},
        {"acc_policy": "accurate", "acc_dtype": "float64"},
        {"acc_policy": "compact", "acc_dtype": "float16"},
        {"batch_chunk_size": 5, "allow_retain_graph": True},
    ],
)
def test_options_accepted(kw):
    def make(lib):
        nn_ = tnn if lib is torch else enn
        args = dict(kw)
        if "acc_dtype" in args:
            args["acc_dtype"] = getattr(lib, args["acc_dtype"])
        return nn_.LinearCrossEntropyOptions(**args)

    assert repr(make(ember)).replace("ember", "torch") == repr(make(torch))


# -- LinearCrossEntropyLoss ------------------------------------------------------------------------
def _signature(cls) -> list:
    sig = inspect.signature(cls.__init__)
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def test_linear_cross_entropy_loss_signature_and_repr():
    assert _signature(enn.LinearCrossEntropyLoss) == _signature(tnn.LinearCrossEntropyLoss)
    assert enn.LinearCrossEntropyLoss.__constants__ == tnn.LinearCrossEntropyLoss.__constants__
    assert isinstance(enn.LinearCrossEntropyLoss(3, 4), enn.modules.loss._WeightedLoss)
    for args, kw in [
        ((5, 10), {"out_features": (4, 3)}),
        ((5, 10), {"bias": True, "options": "options", "ignore_index": 3}),
        ((5, 10), {"reduction": "sum", "label_smoothing": 0.5, "weight": "weight"}),
    ]:
        made = []
        for lib, nn_ in ((ember, enn), (torch, tnn)):
            k = dict(kw)
            if k.get("options") == "options":
                k["options"] = nn_.LinearCrossEntropyOptions(batch_chunk_size=2)
            if k.get("weight") == "weight":
                k["weight"] = lib.ones(10)
            made.append(nn_.LinearCrossEntropyLoss(*args, **k))
        assert repr(made[0]) == repr(made[1])
        e_sd, t_sd = made[0].state_dict(), made[1].state_dict()
        assert list(e_sd) == list(t_sd)
        assert [tuple(v.shape) for v in e_sd.values()] == [tuple(v.shape) for v in t_sd.values()]
        assert [n for n, _ in made[0].named_parameters()] == [
            n for n, _ in made[1].named_parameters()
        ]


def test_linear_cross_entropy_loss_init_matches_torch():
    torch.manual_seed(11)
    ember.manual_seed(11)
    t = tnn.LinearCrossEntropyLoss(6, 7, out_features=(2,), bias=True)
    e = enn.LinearCrossEntropyLoss(6, 7, out_features=(2,), bias=True)
    for (ek, ev), (tk, tv) in zip(e.state_dict().items(), t.state_dict().items()):
        assert ek == tk
        assert_close(ev, tv)
    bound = 1 / np.sqrt(6)
    assert np.abs(e.linear.weight.detach().numpy()).max() <= bound


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"bias": True, "weight": True, "ignore_index": 0},
        {"out_features": (3, 2), "bias": True, "label_smoothing": 0.2},
        {"bias": True, "weight": True, "options": {"batch_chunk_size": 3}},
    ],
)
def test_linear_cross_entropy_loss_module(reduction, kw):
    kw = dict(kw)
    rng = np.random.default_rng(21)
    t_kw, e_kw = dict(kw), dict(kw)
    if kw.get("weight"):
        w = rng.uniform(0.5, 2, 5).astype(np.float32)
        e_kw["weight"], t_kw["weight"] = _pair(w)
    if "options" in kw:
        e_kw["options"] = enn.LinearCrossEntropyOptions(**kw["options"])
        t_kw["options"] = tnn.LinearCrossEntropyOptions(**kw["options"])
    t_mod = tnn.LinearCrossEntropyLoss(4, 5, reduction=reduction, **t_kw)
    e_mod = enn.LinearCrossEntropyLoss(4, 5, reduction=reduction, **e_kw)
    e_mod.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_mod.state_dict().items()})
    x = rng.standard_normal((6, 4)).astype(np.float32)
    target = rng.integers(0, 5, size=(6, *kw.get("out_features", ())))
    ex, tx = _pair(x, grad=True)
    e_out = e_mod(ex, ember.tensor(target))
    t_out = t_mod(tx, torch.tensor(target))
    assert_close(e_out, t_out)
    assert _grad_fn_name(e_out) == _grad_fn_name(t_out)
    _backward_both(e_out, t_out)
    assert_close(ex.grad, tx.grad, msg="grad of input")
    for (name, ep), (_, tp) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        assert_close(ep.grad, tp.grad, msg=f"grad of {name}")


@pytest.mark.parametrize(
    "kw", [{"weight": "bad"}, {"label_smoothing": 1.5}, {"label_smoothing": -0.1}]
)
def test_linear_cross_entropy_loss_constructor_errors(kw):
    def make(lib):
        nn_ = tnn if lib is torch else enn
        args = dict(kw)
        if args.get("weight") == "bad":
            args["weight"] = lib.ones(3)
        return nn_.LinearCrossEntropyLoss(4, 5, **args)

    exc = check_raises(make)
    with pytest.raises(Exception) as t_info:
        make(torch)
    assert str(exc) == str(t_info.value)


# -- AdaptiveLogSoftmaxWithLoss --------------------------------------------------------------------


def _asm_pair(in_features=8, n_classes=12, cutoffs=(3, 7), **kw):
    t = tnn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, list(cutoffs), **kw)
    e = enn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, list(cutoffs), **kw)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return e, t


def test_adaptive_structure_repr_and_init():
    assert _signature(enn.AdaptiveLogSoftmaxWithLoss) == _signature(tnn.AdaptiveLogSoftmaxWithLoss)
    for args, kw in [
        ((8, 12, [3, 7]), {}),
        ((16, 40, [5, 10, 20]), {"div_value": 2.0, "head_bias": True}),
    ]:
        torch.manual_seed(4)
        ember.manual_seed(4)
        t = tnn.AdaptiveLogSoftmaxWithLoss(*args, **kw)
        e = enn.AdaptiveLogSoftmaxWithLoss(*args, **kw)
        assert repr(e) == repr(t)
        for attr in ("cutoffs", "shortlist_size", "n_clusters", "head_size", "div_value"):
            assert getattr(e, attr) == getattr(t, attr)
        for (ek, ev), (tk, tv) in zip(e.state_dict().items(), t.state_dict().items()):
            assert ek == tk
            assert_close(ev, tv, msg=ek)
        torch.manual_seed(5)
        ember.manual_seed(5)
        t.reset_parameters()
        e.reset_parameters()
        for ev, tv in zip(e.parameters(), t.parameters()):
            assert_close(ev, tv)


@pytest.mark.parametrize(
    "target", [[0, 4, 11, 2, 7, 3], [0, 1, 2, 2, 1, 0], [11, 8, 9, 10, 7, 11], [5, 5, 4, 6, 3, 4]]
)
@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_forward_and_gradients(target, head_bias):
    e, t = _asm_pair(head_bias=head_bias, div_value=2.0)
    x = np.random.default_rng(31).standard_normal((6, 8)).astype(np.float32)
    ex, tx = _pair(x, grad=True)
    e_out = e(ex, ember.tensor(target))
    t_out = t(tx, torch.tensor(target))
    assert type(e_out).__name__ == "_ASMoutput" and e_out._fields == ("output", "loss")
    assert_close(e_out.output, t_out.output)
    assert_close(e_out.loss, t_out.loss)
    assert _grad_fn_name(e_out.output) == _grad_fn_name(t_out.output)
    assert _grad_fn_name(e_out.loss) == _grad_fn_name(t_out.loss)
    _backward_both(e_out.output, t_out.output, retain_graph=True)
    (e_out.loss * 2).backward()
    (t_out.loss * 2).backward()
    assert_close(ex.grad, tx.grad, msg="grad of input")
    for (name, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        if tp.grad is None:
            assert ep.grad is None, name
        else:
            assert_close(ep.grad, tp.grad, msg=f"grad of {name}")


def test_adaptive_unbatched_int32_and_empty():
    e, t = _asm_pair()
    x = np.random.default_rng(32).standard_normal((3, 8)).astype(np.float32)
    for target in (9, 1):
        ex, tx = _pair(x[0], grad=True)
        e_out, t_out = e(ex, ember.tensor(target)), t(tx, torch.tensor(target))
        assert_close(e_out.output, t_out.output)
        assert_close(e_out.loss, t_out.loss)
        e_out.loss.backward()
        t_out.loss.backward()
        assert_close(ex.grad, tx.grad)
    target = np.array([4, 10, 0], np.int32)
    assert_close(
        e(ember.tensor(x), ember.tensor(target)).loss, t(torch.tensor(x), torch.tensor(target)).loss
    )
    e_out = e(ember.tensor(x[:0]), ember.tensor(np.zeros(0, np.int64)))
    t_out = t(torch.tensor(x[:0]), torch.tensor(np.zeros(0, np.int64)))
    assert_close(e_out.output, t_out.output)
    assert_close(e_out.loss, t_out.loss)


def test_adaptive_log_prob_and_predict():
    e, t = _asm_pair(16, 30, (4, 10, 20), div_value=2.0, head_bias=True)
    x = np.random.default_rng(33).standard_normal((40, 16)).astype(np.float32) * 3
    ex, tx = _pair(x, grad=True)
    e_lp, t_lp = e.log_prob(ex), t.log_prob(tx)
    assert_close(e_lp, t_lp)
    np.testing.assert_allclose(np.exp(e_lp.detach().numpy()).sum(1), 1, rtol=1e-5)
    _backward_both(e_lp, t_lp)
    assert_close(ex.grad, tx.grad)
    for (name, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        assert_close(ep.grad, tp.grad, msg=name)
    e_pred, t_pred = e.predict(ember.tensor(x)), t.predict(torch.tensor(x))
    assert_close(e_pred, t_pred)
    # rows decided by the head alone, by the tail alone, and a mix of both
    with torch.no_grad():
        t.head.bias[:4] = 50.0
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert_close(e.predict(ember.tensor(x)), t.predict(torch.tensor(x)))
    assert int(t.predict(torch.tensor(x)).max()) < 4
    with torch.no_grad():
        t.head.bias[:4] = -50.0
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert_close(e.predict(ember.tensor(x)), t.predict(torch.tensor(x)))
    assert int(t.predict(torch.tensor(x)).min()) >= 4


@pytest.mark.parametrize(
    "args",
    [
        (8, 10, []),
        (8, 10, [6, 3]),
        (8, 10, [0, 3]),
        (8, 10, [3, 10]),
        (8, 10, [3, 3]),
        (8, 10, [3.5]),
        (8, 10, 3),
    ],
)
def test_adaptive_constructor_errors(args):
    exc = check_raises(lambda lib: (tnn if lib is torch else enn).AdaptiveLogSoftmaxWithLoss(*args))
    with pytest.raises(Exception) as t_info:
        tnn.AdaptiveLogSoftmaxWithLoss(*args)
    assert str(exc) == str(t_info.value)


@pytest.mark.parametrize(
    "case",
    [
        ((4, 8), [0, 4, 9]),
        ((8,), [0, 4, 9, 2]),
        ((1, 4, 8), [0]),
        ((4, 8), 3),
        ((4, 8), [[0, 4, 9, 2]]),
        ((4, 8), [0, 4, 10, -1]),
        ((4, 8), [0, 4, 12, 2]),
        ((4, 8), np.array([0.0, 4.0, 9.0, 2.0], np.float32)),
        ((4, 5), [0, 4, 9, 2]),
    ],
)
def test_adaptive_forward_errors(case):
    shape, target = case
    e, t = _asm_pair(8, 12, (3, 7))
    x = np.ones(shape, np.float32)

    def call(lib):
        mod = t if lib is torch else e
        return mod(lib.tensor(x), lib.tensor(target))

    exc = check_raises(call)
    with pytest.raises(Exception) as t_info:
        call(torch)
    assert str(exc).replace("ember.Size", "torch.Size") == str(t_info.value)


def test_adaptive_log_prob_unbatched_error():
    e, t = _asm_pair()
    check_raises(lambda lib: (t if lib is torch else e).log_prob(lib.ones(8)))
    check_raises(lambda lib: (t if lib is torch else e).predict(lib.ones(8)))


# -- NLLLoss2d -------------------------------------------------------------------------------------
def test_nll_loss_2d_deprecated_alias():
    assert issubclass(enn.NLLLoss2d, enn.NLLLoss)
    assert _signature(enn.NLLLoss2d) == _signature(tnn.NLLLoss2d)
    messages = []
    for nn_ in (enn, tnn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mod = nn_.NLLLoss2d(ignore_index=1, reduction="sum")
        messages.append([(w.category, str(w.message)) for w in caught])
        assert repr(mod) == "NLLLoss2d()"
        assert (mod.ignore_index, mod.reduction) == (1, "sum")
    assert messages[0] == messages[1] and len(messages[0]) == 1


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_2d_matches_torch(reduction):
    rng = np.random.default_rng(41)
    x = rng.standard_normal((2, 4, 3, 5)).astype(np.float32)
    target = rng.integers(0, 4, (2, 3, 5))
    target[0, 0, :2] = -100
    w = rng.uniform(0.5, 2, 4).astype(np.float32)
    ex, tx = _pair(x, grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        e_mod = enn.NLLLoss2d(weight=ember.tensor(w), reduction=reduction)
        t_mod = tnn.NLLLoss2d(weight=torch.tensor(w), reduction=reduction)
    e_out, t_out = e_mod(ex, ember.tensor(target)), t_mod(tx, torch.tensor(target))
    assert_close(e_out, t_out)
    assert _grad_fn_name(e_out) == _grad_fn_name(t_out)
    _backward_both(e_out, t_out)
    assert_close(ex.grad, tx.grad)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"chunking_method": "aspect_ratio"},
        {"batch_chunk_size": 5},
        {"chunking_method": "aspect_ratio:3"},
        {"chunking_method": None},
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float16", "float64"])
def test_options_chunk_size_matches_torch(kw, dtype):
    """The rows per chunk Ember picks are torch's (its private ``_adjust`` resolves them)."""
    e, t = enn.LinearCrossEntropyOptions(**kw), tnn.LinearCrossEntropyOptions(**kw)
    cpu = torch.device("cpu")
    for n, in_features, classes in [(1, 4, 5), (7, 3, 8), (64, 16, 1000), (100, 50, 20), (9, 2, 2)]:
        want = t._adjust(n, in_features, classes, getattr(torch, dtype), cpu).batch_chunk_size
        assert e._chunk_size(n, in_features, classes, getattr(ember, dtype)) == want


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_linear_cross_entropy_chunked_float16(reduction):
    """Half inputs: accumulated in float32 like torch's CPU chunked path, returned as float16."""
    e, t = _lce_case(n=9, in_features=6, classes=11, weight=True, dtype=np.float16, seed=20)
    _lce_options_compare(e, t, *_opts(), reduction=reduction, rtol=1e-2, atol=2e-3)
