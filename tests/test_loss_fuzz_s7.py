"""Differential fuzzing of torch.nn's losses against torch: hypothesis draws shapes (empty batches,
N=1, unbatched and K-dim inputs), options and extreme values, and each case compares values,
dtypes, shapes, grad_fn names, warnings, gradients and exceptions with torch's."""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn.functional as EF

REDUCTIONS = ["none", "mean", "sum"]
FLOATS = [np.float32, np.float64]
TOL = {np.float16: (1e-2, 1e-3), np.float32: (2e-4, 2e-5), np.float64: (1e-7, 1e-9)}
# LOSS_FUZZ_EXAMPLES=500 (with HYPOTHESIS_PROFILE=explore) hunts further
SETTINGS = settings(max_examples=int(os.environ.get("LOSS_FUZZ_EXAMPLES", "40")), deadline=None)
# NumPy's floating-point warnings, which Ember silences in its own code (torch has none)
_NUMPY_EVENTS = r"(divide by zero|invalid value|overflow|underflow) encountered"


def _lib_tensor(lib, a, grad):
    if isinstance(a, np.ndarray):
        t = lib.tensor(a.copy())
        return t.requires_grad_(True) if grad and a.dtype.kind == "f" else t
    return a


def _call(lib, fn, arrays, grads, kwargs):
    """fn on lib's tensors: (output or (exception type, message), tensors, warnings)."""
    args = [_lib_tensor(lib, a, g) for a, g in zip(arrays, grads)]
    kw = {k: _lib_tensor(lib, v, False) for k, v in kwargs.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", _NUMPY_EVENTS, RuntimeWarning, r"ember(\.|$)")
        try:
            out = fn(*args, **kw)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            out = (type(e).__name__, str(e))
    return out, args, [(w.category, str(w.message)) for w in caught]


def _name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


def compare(name, arrays, grads, kwargs, seed=0, msg="", module=None, tol=None):
    """F.<name> (or the loss module ``module``'s call) of ember and torch: same everything."""
    if module is None:
        tfn, efn = getattr(TF, name), getattr(EF, name)
    else:
        tfn, efn = module
    to, targs, tw = _call(torch, tfn, arrays, grads, kwargs)
    eo, eargs, ew = _call(ember, efn, arrays, grads, kwargs)
    if isinstance(to, tuple) or isinstance(eo, tuple):
        assert eo == to, f"{msg}: exception {eo} vs torch {to}"
        return
    tw = [(c.__name__, m.replace("torch.", "ember.")) for c, m in tw]
    ew = [(c.__name__, m) for c, m in ew]
    assert ew == tw, f"{msg}: warnings {ew} vs torch {tw}"
    tn, en = to.detach().numpy(), eo.detach().numpy()
    assert en.shape == tn.shape, f"{msg}: shape {en.shape} vs torch {tn.shape}"
    assert en.dtype == tn.dtype, f"{msg}: dtype {en.dtype} vs torch {tn.dtype}"
    if tn.dtype.kind != "f":
        np.testing.assert_array_equal(en, tn, err_msg=msg)
        return
    rtol, atol = TOL[tn.dtype.type] if tol is None else tol
    np.testing.assert_allclose(en, tn, rtol=rtol, atol=atol, equal_nan=True, err_msg=msg)
    assert _name(eo) == _name(to), f"{msg}: grad_fn {_name(eo)} vs torch {_name(to)}"
    assert eo.requires_grad == to.requires_grad, msg
    if not to.requires_grad:
        return
    cot = np.random.default_rng(seed).standard_normal(tn.shape).astype(tn.dtype)
    (to * torch.from_numpy(cot)).sum().backward()
    (eo * ember.tensor(cot)).sum().backward()
    for i, (ta, ea) in enumerate(zip(targs, eargs)):
        if isinstance(ta, torch.Tensor) and ta.requires_grad:
            assert (ea.grad is None) == (ta.grad is None), f"{msg}: grad {i} None"
            if ta.grad is not None:
                np.testing.assert_allclose(
                    ea.grad.numpy(),
                    ta.grad.numpy(),
                    rtol=rtol,
                    atol=atol,
                    equal_nan=True,
                    err_msg=f"{msg}: grad {i}",
                )


def _rng(seed):
    return np.random.default_rng(seed)


# -- nll_loss / cross_entropy: K-dim inputs, empty batches and extents ---------------------------
@st.composite
def class_cases(draw, k_dim=None):
    """(input shape, target shape, n_classes) of a class-index loss, empty extents included."""
    c = draw(st.integers(1, 4))
    form = draw(st.sampled_from(["unbatched", "2d", "3d", "4d", "5d"])) if k_dim is None else k_dim
    if form == "unbatched":
        return (c,), (), c
    n = draw(st.integers(0, 3))
    extra = (
        tuple(
            draw(st.lists(st.integers(0, 3), min_size=int(form[0]) - 2, max_size=int(form[0]) - 2))
        )
        if form != "2d"
        else ()
    )
    return (n, c, *extra), (n, *extra), c


@SETTINGS
@given(
    case=class_cases(),
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from(REDUCTIONS),
    weighted=st.booleans(),
    ignore=st.sampled_from([None, -100, 0, 1, 7]),
    plant=st.booleans(),
    smoothing=st.sampled_from([0.0, 0.1, 1.0]),
    scale=st.sampled_from([1.0, 100.0, 1e4]),
    seed=st.integers(0, 2**16),
)
def test_nll_and_cross_entropy_class_targets(
    case, dtype, reduction, weighted, ignore, plant, smoothing, scale, seed
):
    ishape, tshape, c = case
    rng = _rng(seed)
    x = (rng.standard_normal(ishape) * scale).astype(dtype)
    t = np.asarray(rng.integers(0, c, tshape), np.int64)
    if plant and ignore is not None and t.size:
        t.reshape(-1)[0] = ignore  # an ignored target (or, beyond the classes, an error)
    kw = {"reduction": reduction}
    if ignore is not None:
        kw["ignore_index"] = ignore
    if weighted:
        kw["weight"] = rng.uniform(0, 2, c).astype(dtype)
    msg = f"{ishape} {t.tolist()} {kw}"
    compare("nll_loss", [x, t], [True, False], kw, seed, msg)
    compare("cross_entropy", [x, t], [True, False], {**kw, "label_smoothing": smoothing}, seed, msg)


@pytest.mark.parametrize(
    "shape", [(0, 2, 3), (2, 2, 0), (0, 1, 0), (3, 4, 0, 2, 1), (0, 3, 2, 2, 2)]
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_empty_k_dim(shape, reduction, weighted):
    # an empty 3-d or 5-d input goes through the 2-d kernel as (N, C, 0, 1), as torch's
    x = np.zeros(shape, np.float32)
    t = np.zeros((shape[0], *shape[2:]), np.int64)
    kw = {"reduction": reduction}
    if weighted:
        kw["weight"] = np.full(shape[1], 0.5, np.float32)
    compare("nll_loss", [x, t], [True, False], kw, msg=str(shape))
    compare("cross_entropy", [x, t], [True, False], {**kw, "label_smoothing": 0.2}, msg=str(shape))


def _probabilities(rng, ishape, dtype, hard):
    """Class probabilities shaped as the input (class dim 1, or 0 unbatched); one-hot if hard."""
    if hard:
        return rng.choice([0.0, 1.0], ishape).astype(dtype)
    p = rng.dirichlet(np.ones(ishape[0 if len(ishape) == 1 else 1]), ishape[:1] + ishape[2:])
    return np.ascontiguousarray(np.moveaxis(p, -1, 0 if len(ishape) == 1 else 1)).astype(dtype)


@SETTINGS
@given(
    case=class_cases(),
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from(REDUCTIONS),
    weighted=st.booleans(),
    smoothing=st.sampled_from([0.0, 0.25, 1.0]),
    ignore=st.sampled_from([None, -100, -1, 0]),
    hard=st.booleans(),
    scale=st.sampled_from([1.0, 100.0]),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_probability_targets(
    case, dtype, reduction, weighted, smoothing, ignore, hard, scale, seed
):
    ishape = case[0]
    rng = _rng(seed)
    x = (rng.standard_normal(ishape) * scale).astype(dtype)
    p = _probabilities(rng, ishape, dtype, hard)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    if weighted:
        kw["weight"] = rng.uniform(0, 2, ishape[0 if len(ishape) == 1 else 1]).astype(dtype)
    if ignore is not None:
        kw["ignore_index"] = ignore  # a non-negative one is an error with probabilities
    compare("cross_entropy", [x, p], [True, True], kw, seed, f"{ishape} {kw}")


@pytest.mark.parametrize("shape", [(0, 3), (0, 4, 1, 2), (2, 3, 0)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probabilities_empty_mean(shape, weighted, smoothing):
    # torch: -(input * target).sum().fill_(nan): nan, NegBackward0 over FillBackward2
    kw = {"reduction": "mean", "label_smoothing": smoothing}
    if weighted:
        kw["weight"] = np.full(shape[1], 0.5, np.float32)
    x, p = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
    compare("cross_entropy", [x, p], [True, True], kw, msg=str(shape))
    out = EF.cross_entropy(ember.zeros(shape, requires_grad=True), ember.zeros(shape))
    assert out.grad_fn.next_functions[0][0].name() == "FillBackward2"


# -- ctc_loss --------------------------------------------------------------------------------------
@st.composite
def ctc_cases(draw):
    """log-probabilities, targets (padded, concatenated or unbatched) and lengths of a CTC call."""
    rng = _rng(draw(st.integers(0, 2**16)))
    t_max, c = draw(st.integers(1, 6)), draw(st.integers(2, 4))
    batched = draw(st.booleans()) or draw(st.booleans())
    n = draw(st.integers(1, 3)) if batched else 1
    blank = draw(st.integers(0, c - 1))
    labels = [k for k in range(c) if k != blank]
    s = draw(st.integers(0, 4))
    tl = rng.integers(0, s + 1, n)
    il = rng.integers(0, t_max + 1, n) if draw(st.booleans()) else np.full(n, t_max)
    dtype = draw(st.sampled_from(FLOATS))
    lp = rng.standard_normal((t_max, n, c) if batched else (t_max, c)) * draw(
        st.sampled_from([1.0, 30.0])
    )
    lp = (lp - np.log(np.exp(lp).sum(-1, keepdims=True))).astype(dtype)
    int_dtype = draw(st.sampled_from([np.int32, np.int64]))
    form = draw(st.sampled_from(["padded", "concatenated"]))
    if form == "concatenated":  # (sum(tl),); unbatched, torch takes (S,) as this form too
        tg = rng.choice(labels, int(tl.sum())).astype(int_dtype)
    else:
        tg = rng.choice(labels, (n, s)).astype(int_dtype)
    if draw(st.booleans()):
        lengths = (il.astype(int_dtype), tl.astype(int_dtype))
    else:
        lengths = (tuple(int(v) for v in il), tuple(int(v) for v in tl))
    return lp, tg, lengths, blank


@SETTINGS
@given(case=ctc_cases(), reduction=st.sampled_from(REDUCTIONS), zero_infinity=st.booleans())
def test_ctc_loss(case, reduction, zero_infinity):
    lp, tg, (il, tl), blank = case
    kw = {"blank": blank, "reduction": reduction, "zero_infinity": zero_infinity}
    msg = f"{lp.shape} {tg.tolist()} {il} {tl} {kw}"
    compare("ctc_loss", [lp, tg, il, tl], [True, False, False, False], kw, msg=msg)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("targets", [(2, 0), (0,), (2, 3)])
def test_ctc_loss_no_labels(reduction, zero_infinity, targets):
    # every target length 0 (the extended sequence a lone blank): the all-blank path's loss
    lp = np.log(_rng(0).dirichlet(np.ones(3), (4, 2))).astype(np.float32)
    tg = np.ones(targets, np.int64)
    kw = {"reduction": reduction, "zero_infinity": zero_infinity}
    compare("ctc_loss", [lp, tg, (4, 2), (0, 0)], [True, False, False, False], kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss_graph_as_torch(reduction, zero_infinity):
    # zero_infinity is a where over the kernel's losses (WhereBackward0), an unbatched 'none' a
    # squeeze (SqueezeBackward1); an impossible alignment (input length 1, two labels) is inf
    lp = np.log(_rng(1).dirichlet(np.ones(4), (5, 2))).astype(np.float32)
    tg = np.array([[1, 2], [1, 1]], np.int64)
    lengths = (np.array([5, 1]), np.array([2, 2]))
    kw = {"reduction": reduction, "zero_infinity": zero_infinity}
    compare("ctc_loss", [lp, tg, *lengths], [True, False, False, False], kw)
    compare("ctc_loss", [lp[:, 0], tg[:1], (5,), (2,)], [True, False, False, False], kw)
    # an unbatched input takes a 1-d target as the concatenated form: its size is the length
    compare("ctc_loss", [lp[:, 0], tg[0], (5,), (1,)], [True, False, False, False], kw)


@pytest.mark.parametrize(
    "lengths",
    [
        ((5, 5), np.array([2, 1])),
        ([5, 5], np.array([2, 1])),
        (np.array([5, 5]), [2, 1]),
        (np.array([5, 5]), (2, 1)),
        (np.array([5, 5]), 2),
    ],
)
def test_ctc_loss_mixed_length_types(lengths):
    # lengths must be both tensors or both int sequences: torch's overload TypeError, verbatim
    lp = np.log(_rng(2).dirichlet(np.ones(4), (5, 2))).astype(np.float32)
    tg = np.array([[1, 2], [1, 1]], np.int64)
    compare("ctc_loss", [lp, tg, *lengths], [True, False, False, False], {})


# -- loss modules ----------------------------------------------------------------------------------
_MODULE_OPTIONS = {
    "L1Loss": {"reduction": "sum"},
    "MSELoss": {"reduction": "none"},
    "CrossEntropyLoss": {"label_smoothing": 0.1, "ignore_index": 3, "weight": "w"},
    "NLLLoss": {"weight": "w", "reduction": "sum"},
    "BCELoss": {"weight": "w"},
    "BCEWithLogitsLoss": {"pos_weight": "w"},
    "SmoothL1Loss": {"beta": 0.5},
    "HuberLoss": {"delta": 2.0},
    "KLDivLoss": {"log_target": True, "reduction": "batchmean"},
    "PoissonNLLLoss": {"log_input": False, "full": True},
    "GaussianNLLLoss": {"full": True, "eps": 0.1},
    "HingeEmbeddingLoss": {"margin": 2.0},
    "MarginRankingLoss": {"margin": 0.5},
    "SoftMarginLoss": {},
    "MultiLabelSoftMarginLoss": {"weight": "w"},
    "MultiMarginLoss": {"p": 2, "margin": 0.5, "weight": "w"},
    "MultiLabelMarginLoss": {},
    "CosineEmbeddingLoss": {"margin": 0.1},
    "TripletMarginLoss": {"margin": 2.0, "p": 1, "swap": True},
    "TripletMarginWithDistanceLoss": {"margin": 2.0, "swap": True},
    "CTCLoss": {"blank": 2, "zero_infinity": True},
}


@pytest.mark.parametrize("name", sorted(_MODULE_OPTIONS))
@pytest.mark.parametrize("defaults", [True, False])
def test_module_repr_state_and_constants(name, defaults):
    # torch's loss modules have no extra_repr: the repr is the bare class name, whatever options
    options = {} if defaults else _MODULE_OPTIONS[name]
    tm = getattr(torch.nn, name)(
        **{k: torch.ones(3) if v == "w" else v for k, v in options.items()}
    )
    em = getattr(ember.nn, name)(
        **{k: ember.ones(3) if v == "w" else v for k, v in options.items()}
    )
    assert repr(em) == repr(tm)
    assert getattr(type(em), "__constants__", None) == getattr(type(tm), "__constants__", None)
    assert list(em.state_dict()) == list(tm.state_dict())
    public = [a for a in vars(tm) if not a.startswith("_") and a != "training"]
    assert [a for a in vars(em) if not a.startswith("_") and a != "training"] == public
    for a in public:
        if not isinstance(getattr(tm, a), (torch.Tensor, torch.nn.Module)):
            assert getattr(em, a) == getattr(tm, a), a


@pytest.mark.parametrize("delta", ["1.0", None, [1.0]])
def test_huber_module_delta_type(delta):
    with pytest.raises(TypeError) as t_err:
        torch.nn.HuberLoss(delta=delta)
    with pytest.raises(TypeError) as e_err:
        ember.nn.HuberLoss(delta=delta)
    assert str(e_err.value) == str(t_err.value)


# -- regression and probabilistic losses -----------------------------------------------------------
shapes = st.lists(st.integers(0, 3), min_size=0, max_size=3).map(tuple)


@SETTINGS
@given(
    shape=shapes,
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from(REDUCTIONS),
    beta=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    delta=st.sampled_from([0.5, 1.0, 3.0]),
    scale=st.sampled_from([1.0, 1e3]),
    seed=st.integers(0, 2**16),
)
def test_regression_losses(shape, dtype, reduction, beta, delta, scale, seed):
    rng = _rng(seed)
    x = np.asarray(rng.standard_normal(shape) * scale).astype(dtype)
    y = np.asarray(rng.standard_normal(shape) * scale).astype(dtype)
    if x.size:
        y.reshape(-1)[0] = x.reshape(-1)[0]  # an exact zero difference (|x|' at 0)
    kw = {"reduction": reduction}
    for name, extra in [
        ("l1_loss", {}),
        ("mse_loss", {}),
        ("smooth_l1_loss", {"beta": beta}),
        ("huber_loss", {"delta": delta}),
    ]:
        compare(name, [x, y], [True, True], {**kw, **extra}, seed, f"{name} {shape} {extra}")
    w = np.asarray(rng.uniform(0, 2, shape)).astype(dtype)
    for name in ["l1_loss", "mse_loss", "huber_loss"]:
        compare(name, [x, y], [True, True], {**kw, "weight": w}, seed, f"{name} {shape} weight")


@SETTINGS
@given(
    shape=shapes,
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from([*REDUCTIONS, "batchmean"]),
    log_target=st.booleans(),
    log_input=st.booleans(),
    full=st.booleans(),
    eps=st.sampled_from([1e-8, 0.1]),
    seed=st.integers(0, 2**16),
)
def test_kl_div_and_poisson_nll(shape, dtype, reduction, log_target, log_input, full, eps, seed):
    rng = _rng(seed)
    x = np.asarray(rng.uniform(-3, 3, shape)).astype(dtype)
    # probabilities with exact zeros and ones (xlogy's 0 * log 0 = 0), or log-probabilities
    if log_target:
        t = np.asarray(rng.uniform(-3, 1, shape)).astype(dtype)
    else:
        t = np.asarray(rng.choice([0.0, 0.3, 1.0], shape)).astype(dtype)
    kw = {"reduction": reduction, "log_target": log_target}
    compare("kl_div", [x, t], [True, True], kw, seed, f"kl {shape} {kw}")
    if reduction == "batchmean":
        return
    rate = x if log_input else np.asarray(np.abs(x) * rng.choice([0, 1], shape)).astype(dtype)
    counts = np.asarray(rng.choice([0.0, 1.0, 2.0, 3.5], shape)).astype(dtype)
    kw = {"reduction": reduction, "log_input": log_input, "full": full, "eps": eps}
    compare("poisson_nll_loss", [rate, counts], [True, True], kw, seed, f"poisson {shape} {kw}")


_DTYPE_PAIRS = [
    (np.float32, np.float64),
    (np.float64, np.float32),
    (np.float16, np.float32),
    (np.float32, np.int64),
    (np.int64, np.float32),
    (np.int64, np.int64),
    (np.int32, np.int32),
    (np.bool_, np.bool_),
    (np.int64, np.bool_),
    (np.float32, np.bool_),
]


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "kl_div"])
@pytest.mark.parametrize("dtypes", _DTYPE_PAIRS, ids=str)
def test_regression_dtypes(name, dtypes):
    # the result's dtype (huber: the input's), or torch's error for integer and bool tensors
    # (forward only: torch's mixed-dtype huber backward raises, an oddity not mirrored)
    rng = _rng(3)
    x = (rng.uniform(0, 1, (2, 3)) * 3).astype(dtypes[0])
    y = (rng.uniform(0, 1, (2, 3)) * 3).astype(dtypes[1])
    tol = TOL[np.float32] if dtypes[0] != np.float16 else TOL[np.float16]
    compare(name, [x, y], [False, False], {"reduction": "sum"}, msg=str(dtypes), tol=tol)


@pytest.mark.parametrize("reduction", ["elementwise_mean", "bogus", "batchmean"])
def test_poisson_nll_reduction_words(reduction):
    x = np.ones(3, np.float32)
    compare("poisson_nll_loss", [x, x], [True, True], {"reduction": reduction})


# -- binary cross entropy --------------------------------------------------------------------------
def _broadcastable(draw, shape):
    """A shape that broadcasts to ``shape``: itself, its last dimension, or ones in places."""
    kind = draw(st.sampled_from(["same", "last", "ones"]))
    if kind == "last" and shape:
        return shape[-1:]
    if kind == "ones":
        return tuple(1 if draw(st.booleans()) else d for d in shape)
    return shape


@st.composite
def bce_cases(draw):
    shape = draw(shapes)
    weight = _broadcastable(draw, shape) if draw(st.booleans()) else None
    pos_weight = _broadcastable(draw, shape) if draw(st.booleans()) else None
    return shape, weight, pos_weight


@SETTINGS
@given(
    case=bce_cases(),
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from(REDUCTIONS),
    hard=st.booleans(),
    scale=st.sampled_from([1.0, 50.0, 1e3]),
    seed=st.integers(0, 2**16),
)
def test_binary_cross_entropy(case, dtype, reduction, hard, scale, seed):
    shape, weight, pos_weight = case
    rng = _rng(seed)
    # probabilities exactly 0 and 1 (the log clamps at -100), or strictly inside
    if hard:
        p = np.asarray(rng.choice([0.0, 1.0, 0.5], shape)).astype(dtype)
    else:
        p = np.asarray(rng.uniform(0, 1, shape)).astype(dtype)
    t = np.asarray(rng.choice([0.0, 1.0, 0.3], shape)).astype(dtype)
    kw = {"reduction": reduction}
    if weight is not None:
        kw["weight"] = np.asarray(rng.uniform(0, 2, weight)).astype(dtype)
    compare("binary_cross_entropy", [p, t], [True, True], kw, seed, f"bce {shape} {weight}")
    x = np.asarray(rng.standard_normal(shape) * scale).astype(dtype)  # logits to +-1e3 and more
    if pos_weight is not None:
        kw["pos_weight"] = np.asarray(rng.uniform(0, 3, pos_weight)).astype(dtype)
    msg = f"bce_with_logits {shape} {weight} {pos_weight}"
    compare("binary_cross_entropy_with_logits", [x, t], [True, True], kw, seed, msg)


@pytest.mark.parametrize(
    "x, t",
    [
        ([1.5, 0.5], [1.5, -0.1]),
        ([0.5, 0.5], [1.5, -0.1]),
        ([0.5, 0.5], [math.nan, 0.1]),
        ([0.5, 2.0], [-1.0, 0.1]),
        ([math.nan, 0.5], [0.0, 1.0]),
        ([0.0, 1.0], [1.0, 0.0]),
    ],
)
def test_binary_cross_entropy_ranges(x, t):
    # torch checks each element's input, then its target, in [0, 1]
    x, t = np.array(x, np.float32), np.array(t, np.float32)
    compare("binary_cross_entropy", [x, t], [True, True], {})


@pytest.mark.parametrize("dtypes", _DTYPE_PAIRS + [(np.float32, np.float16)], ids=str)
@pytest.mark.parametrize("extra", [None, "weight", "pos_weight"])
def test_binary_cross_entropy_dtypes(dtypes, extra):
    # with logits, the loss is of the target's dtype, as torch's (1 - target).mul_(input)
    rng = _rng(4)
    x = rng.standard_normal((2, 3)).astype(dtypes[0])
    t = rng.uniform(0, 1, (2, 3)).astype(dtypes[1])
    kw = {} if extra is None else {extra: np.array([2.0, 3.0, 1.0], np.float64)}
    tol = TOL[np.float16] if np.float16 in dtypes else TOL[np.float32]
    compare("binary_cross_entropy_with_logits", [x, t], [True, False], kw, tol=tol)
    compare("binary_cross_entropy", [np.abs(x) / 4, t], [False, False], {}, tol=tol)


@pytest.mark.parametrize("extra", ["weight", "pos_weight"])
@pytest.mark.parametrize("shape", [(4,), (3, 3), (2, 1, 3)])
def test_binary_cross_entropy_with_logits_bad_weights(extra, shape):
    x = np.zeros((2, 3), np.float32)
    kw = {extra: np.ones(shape, np.float32)}
    compare("binary_cross_entropy_with_logits", [x, x], [True, False], kw)


def _r(*shape, dtype=np.float32):
    return _rng(sum(shape) + len(shape)).standard_normal(shape).astype(dtype)


_CLASS_BAD = [
    (_r(2, 3), np.array([0, 1], np.int32), {}),
    (_r(2, 3), _r(2), {}),
    (_r(2, 3), np.array([0, 1, 2]), {}),
    (_r(2, 3), np.zeros((2, 2), np.int64), {}),
    (_r(3), np.array([0, 1]), {}),
    (_r(3), np.array(1), {}),
    (_r(3), np.array([[0, 1]]), {}),
    (_r(2, 3), np.array([0, 3]), {}),
    (_r(2, 3), np.array([0, -1]), {}),
    (_r(2, 3), np.array([0, -5]), {"ignore_index": -5}),
    (_r(2, 3), np.array([0, 3]), {"ignore_index": 3}),
    (_r(2, 3), np.array([0, 100]), {"ignore_index": 100, "reduction": "none"}),
    (_r(2, 3), np.array([0, 1]), {"ignore_index": 1.5}),
    (_r(2, 3), np.array([0, 1]), {"ignore_index": True}),
    (_r(2, 3), np.array([0, 1]), {"ignore_index": np.int64(1)}),
    (_r(2, 3), np.array([0, 1]), {"weight": _r(4)}),
    (_r(2, 3), np.array([0, 1]), {"weight": _r(3, 1)}),
    (_r(2, 3), np.array([0, 1]), {"weight": np.ones((), np.float32)}),
    (_r(2, 3), np.array([0, 1]), {"weight": _r(3, dtype=np.float64)}),
    (_r(2, 3, dtype=np.float64), np.array([0, 1]), {"weight": _r(3)}),
    (_r(), np.array(0), {}),
    (_r(2, 3, 4), np.zeros((2, 5), np.int64), {}),
    (_r(2, 3, 4, 5), np.zeros((2, 4), np.int64), {}),
    (_r(2, 3, 4, 5), np.zeros((2, 4, 6), np.int64), {}),
    (_r(2, 3, 4, 5, 6), np.zeros((2, 4, 5, 7), np.int64), {}),
    (_r(2, 0, 3), np.zeros((2, 3), np.int64), {}),
    (_r(2, 0, 3, 2, 1), np.zeros((2, 3, 2, 1), np.int64), {}),
    (_r(2, 3), np.array([0, 1], np.uint8), {}),
    (_r(2, 3), np.array([0, 1]), {"reduction": "bogus"}),
    (_r(2, 3), np.array([0, 1]), {"reduction": "elementwise_mean"}),
]


@pytest.mark.parametrize("case", range(len(_CLASS_BAD)))
@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
def test_class_losses_bad_input(name, case):
    x, t, kw = _CLASS_BAD[case]
    compare(name, [x, t], [True, False], kw, msg=f"{x.shape} {t} {kw}")


_PROB_BAD = [
    (_r(), _r(), {}),
    (_r(), np.array(1), {}),
    (_r(2, 3), _r(2, 3, dtype=np.float64), {}),
    (_r(2, 3), _r(2, 3), {"ignore_index": 1}),
    (_r(2, 3), _r(2, 3), {"weight": _r(3, 1)}),
    (_r(2, 3), _r(2, 3), {"weight": _r(4)}),
    (_r(2, 3), _r(2, 3), {"weight": _r(3, dtype=np.float64)}),
    (_r(2, 3), _r(2, 3), {"weight": _r(3, dtype=np.float64), "label_smoothing": 0.2}),
    (_r(2, 3), _r(2, 3), {"label_smoothing": 1.5}),
    (_r(2, 3), _r(2, 3), {"label_smoothing": -0.5}),
    (_r(2, 3), np.array([0, 1]), {"label_smoothing": -0.5}),
    (_r(2, 3), np.array([0, 1]), {"label_smoothing": 1.5}),
]


@pytest.mark.parametrize("case", range(len(_PROB_BAD)))
def test_cross_entropy_probabilities_bad_input(case):
    x, t, kw = _PROB_BAD[case]
    grads = [True, t.dtype.kind == "f"]
    msg = f"{x.shape} {t.shape} {kw}"
    compare("cross_entropy", [x, t], grads, kw, msg=msg, tol=TOL[np.float32])


def _ctc_bad_cases():
    lp = np.log(_rng(5).dirichlet(np.ones(3), (4, 2))).astype(np.float32)
    t = np.ones((2, 2), np.int64)
    il, tl = np.array([4, 4]), np.array([2, 2])
    return [
        [lp, t, il.astype(np.float32), tl],
        [lp, t, il, tl.astype(np.float64)],
        [lp, t, il.astype(bool), tl],
        [lp[:, :, None], t, il, tl],
        [lp[:, :, None], t, (4, 4), (2, 2)],
        [lp[:, 0, 0], t, il, tl],
        [lp, np.ones((2, 2, 2, 2), np.int64), il, tl],
        [lp, np.array(1), il, tl],
        [lp, t.astype(np.int16), il, tl],
        [lp, t, il.astype(np.int16), tl.astype(np.uint8)],
        [lp, t, np.array([5, 4]), tl],
        [lp, t, np.array([4, 4, 4]), tl],
        [lp, t, il, np.array([2, -1])],
        [lp, np.ones(3, np.int64), il, tl],
        [lp, np.ones((2, 1), np.int64), il, tl],
    ]


@pytest.mark.parametrize("case", range(15))
@pytest.mark.parametrize("blank", [0, 5])
def test_ctc_loss_bad_input(case, blank):
    # torch's order: integral lengths, the kernel's 3-d log_probs and 1-2-d targets, then blank
    args = _ctc_bad_cases()[case]
    compare("ctc_loss", args, [True, False, False, False], {"blank": blank})


# -- non-finite values and the deprecated size_average/reduce -------------------------------------
def _elementwise_cases():
    rng = _rng(6)

    def r(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    def prob(*shape):
        return rng.uniform(0.05, 0.95, shape).astype(np.float32)

    return {
        "l1_loss": [r(2, 3), r(2, 3)],
        "mse_loss": [r(2, 3), r(2, 3)],
        "smooth_l1_loss": [r(2, 3), r(2, 3)],
        "huber_loss": [r(2, 3), r(2, 3)],
        "soft_margin_loss": [r(2, 3), np.sign(r(2, 3))],
        "kl_div": [r(2, 3), prob(2, 3)],
        "poisson_nll_loss": [r(2, 3), prob(2, 3) * 3],
        "binary_cross_entropy": [prob(2, 3), prob(2, 3)],
        "binary_cross_entropy_with_logits": [r(2, 3), prob(2, 3)],
        "nll_loss": [r(2, 3), np.array([0, 2])],
        "cross_entropy": [r(2, 3), np.array([0, 2])],
        "multi_margin_loss": [r(2, 3), np.array([0, 2])],
        "multilabel_margin_loss": [r(2, 3), np.array([[0, -1, 1], [2, 1, -1]])],
        "multilabel_soft_margin_loss": [r(2, 3), (r(2, 3) > 0).astype(np.float32)],
        "hinge_embedding_loss": [r(2, 3), np.sign(r(2, 3))],
        "margin_ranking_loss": [r(3), r(3), np.sign(r(3))],
        "cosine_embedding_loss": [r(2, 3), r(2, 3), np.array([1.0, -1.0], np.float32)],
        "triplet_margin_loss": [r(2, 3), r(2, 3), r(2, 3)],
    }


def _grads(name, arrays):
    return [
        a.dtype.kind == "f" and (name != "cosine_embedding_loss" or i < 2)
        for i, a in enumerate(arrays)
    ]


@pytest.mark.parametrize("name", sorted(_elementwise_cases()))
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e30])
@pytest.mark.parametrize("where", [(0, 0), (1, 2)])
@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_non_finite_inputs(name, value, where, reduction):
    arrays = _elementwise_cases()[name]
    if name == "binary_cross_entropy" and not 0 <= value <= 1:
        value = math.nan  # anything else outside [0, 1] is an error (tested above)
    x = arrays[0].copy()
    x[where if x.ndim == 2 else where[1]] = value
    kw = {"reduction": reduction}
    for p in [1, 2] if name == "multi_margin_loss" else [None]:
        if p is not None:
            kw["p"] = p
        msg = f"{name} {value} at {where} {kw}"
        compare(name, [x, *arrays[1:]], _grads(name, arrays), kw, msg=msg)


@pytest.mark.parametrize(
    "name", sorted(set(_elementwise_cases()) - {"huber_loss"})
)  # (it has none)
@pytest.mark.parametrize(
    "size_average, reduce",
    [(None, False), (False, None), (True, True), (False, False), (None, True), (True, None)],
)
def test_legacy_size_average_and_reduce(name, size_average, reduce):
    arrays = _elementwise_cases()[name]
    kw = {"size_average": size_average, "reduce": reduce}
    compare(name, arrays, _grads(name, arrays), kw, msg=f"{name} {kw}")


_NOT_TENSORS = [1.0, [0.5, 0.5], np.float32(0.5), None]


@pytest.mark.parametrize(
    "name",
    [
        "l1_loss",
        "mse_loss",
        "smooth_l1_loss",
        "huber_loss",
        "kl_div",
        "poisson_nll_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "nll_loss",
        "cross_entropy",
    ],
)
@pytest.mark.parametrize("other", range(len(_NOT_TENSORS)))
@pytest.mark.parametrize("position", [0, 1])
def test_non_tensor_arguments(name, other, position):
    # torch's errors: Python's own from target.size() (AttributeError, or TypeError for a NumPy
    # scalar's int size), or the binding's "must be Tensor, not float"
    shape = (2, 3) if name in ("nll_loss", "cross_entropy") else (2,)
    value = _NOT_TENSORS[other]
    results = []
    for lib, f in [(torch, TF), (ember, EF)]:
        args = [lib.full(shape, 0.5), value]
        if position:
            args.reverse()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                getattr(f, name)(*args)
                results.append(None)
            except Exception as e:  # noqa: BLE001
                results.append((type(e).__name__, str(e)))
    assert results[1] == results[0]


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
def test_class_losses_non_tensor_weight(name):
    x, t = np.zeros((2, 3), np.float32), np.array([0, 1])
    compare(name, [x, t], [True, False], {"weight": [1.0, 2.0, 3.0]})


# -- margin and embedding losses, Gaussian NLL -----------------------------------------------------
@SETTINGS
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 4),
    unbatched=st.booleans(),
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from(REDUCTIONS),
    p=st.sampled_from([1, 2]),
    margin=st.sampled_from([0.0, 1.0, 2.5]),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_multi_class_margin_losses(n, c, unbatched, dtype, reduction, p, margin, weighted, seed):
    # (an empty batch is left out: torch returns uninitialised memory for its mean and sum)
    rng = _rng(seed)
    shape = (c,) if unbatched else (n, c)
    x = rng.standard_normal(shape).astype(dtype)
    t = np.asarray(rng.integers(0, c, () if unbatched else (n,)), np.int64)
    kw = {"reduction": reduction, "p": p, "margin": margin}
    if weighted:
        kw["weight"] = rng.uniform(0, 2, c).astype(dtype)
    compare("multi_margin_loss", [x, t], [True, False], kw, seed, f"{shape} {kw}")
    labels = np.asarray(rng.integers(-1, c, shape), np.int64)
    kw = {"reduction": reduction}
    compare("multilabel_margin_loss", [x, labels], [True, False], kw, seed, f"{shape} {labels}")
    y = rng.choice([0.0, 1.0], shape).astype(dtype)
    if weighted:
        kw["weight"] = rng.uniform(0, 2, c).astype(dtype)
    compare("multilabel_soft_margin_loss", [x, y], [True, True], kw, seed, f"{shape} {kw}")


@SETTINGS
@given(
    n=st.integers(0, 3),
    d=st.integers(1, 4),
    unbatched=st.booleans(),
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from(REDUCTIONS),
    margin=st.sampled_from([0.5, 1.0, 2.0]),
    p=st.sampled_from([1.0, 2.0, 3.0, 0.5]),
    eps=st.sampled_from([1e-6, 0.1]),
    swap=st.booleans(),
    zero=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_embedding_losses(n, d, unbatched, dtype, reduction, margin, p, eps, swap, zero, seed):
    rng = _rng(seed)
    shape = (d,) if unbatched else (n, d)
    a, b, c = (rng.standard_normal(shape).astype(dtype) for _ in range(3))
    if zero:
        a[...] = 0  # cosine of a zero vector (eps in the norms)
    y = rng.choice([-1, 1], () if unbatched else (n,)).astype(dtype)
    kw = {"reduction": reduction, "margin": margin - 1}
    compare("cosine_embedding_loss", [a, b, y], [True, True, False], kw, seed, f"cos {shape}")
    kw = {"reduction": reduction, "margin": margin, "p": p, "eps": eps, "swap": swap}
    compare("triplet_margin_loss", [a, b, c], [True, True, True], kw, seed, f"triplet {kw}")
    kw = {"reduction": reduction, "margin": margin, "swap": swap}
    compare("triplet_margin_with_distance_loss", [a, b, c], [True, True, True], kw, seed)
    yy = rng.choice([-1.0, 1.0], shape).astype(dtype)
    kw = {"reduction": reduction, "margin": margin}
    compare("hinge_embedding_loss", [a, yy], [True, True], kw, seed, f"hinge {shape}")
    compare("margin_ranking_loss", [a, b, yy], [True, True, True], kw, seed, f"rank {shape}")
    compare("soft_margin_loss", [a, yy], [True, False], {"reduction": reduction}, seed)


@SETTINGS
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
    var_form=st.sampled_from(["same", "drop_last", "last_one", "float"]),
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from(REDUCTIONS),
    full=st.booleans(),
    eps=st.sampled_from([1e-6, 0.5]),
    zeros=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_gaussian_nll_loss(shape, var_form, dtype, reduction, full, eps, zeros, seed):
    rng = _rng(seed)
    x, y = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    if var_form == "float":
        var = 0.0 if zeros else 0.7
    else:
        vshape = {"same": shape, "drop_last": shape[:-1], "last_one": shape[:-1] + (1,)}[var_form]
        var = rng.uniform(0.01, 2, vshape).astype(dtype)
        if zeros:
            var = np.asarray(var * rng.choice([0, 1], vshape)).astype(dtype)  # eps clamps them
    grads = [True, True, not isinstance(var, float)]
    kw = {"reduction": reduction, "full": full, "eps": eps}
    compare("gaussian_nll_loss", [x, y, var], grads, kw, seed, f"{shape} {var_form} {kw}")


@pytest.mark.parametrize(
    "shapes",
    [
        ((2, 3), (2, 3), (3, 2)),
        ((2, 3), (2, 3), (2, 2)),
        ((2, 3), (2, 3), (3,)),
        ((2, 3), (2, 3), (2,)),
        ((2, 3), (2, 3), (1, 3)),
        ((2, 3), (2, 3), (2, 3, 1)),
        ((2, 3), (3,), (2, 3)),
        ((2, 1), (2, 3), (2, 3)),
        ((3,), (3,), (1,)),
        ((3,), (3,), ()),
    ],
)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_gaussian_nll_loss_shapes_and_negative_variance(shapes, sign):
    rng = _rng(7)
    x, y, var = (np.asarray(rng.uniform(0.1, 1, s), np.float32) for s in shapes)
    var = np.asarray(sign * var, np.float32)
    compare("gaussian_nll_loss", [x, y, var], [True, True, True], {}, msg=str(shapes))


# -- the loss modules' calls -----------------------------------------------------------------------
@SETTINGS
@given(
    shape=st.lists(st.integers(0, 3), min_size=1, max_size=3).map(tuple),
    dtype=st.sampled_from(FLOATS),
    reduction=st.sampled_from(REDUCTIONS),
    smoothing=st.sampled_from([0.0, 0.2]),
    ignore=st.sampled_from([-100, 0]),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_module_calls(shape, dtype, reduction, smoothing, ignore, weighted, seed):
    rng = _rng(seed)
    x, y = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    p = rng.uniform(0, 1, shape).astype(dtype)
    c = shape[1] if len(shape) > 1 else shape[0]
    w = rng.uniform(0, 2, c).astype(dtype) if weighted and c else None
    t = np.asarray(rng.integers(0, max(c, 1), shape[:1] + shape[2:] if len(shape) > 1 else ()))
    modules = [
        ("L1Loss", {}, [x, y], [True, True]),
        ("MSELoss", {}, [x, y], [True, True]),
        ("SmoothL1Loss", {"beta": 0.5}, [x, y], [True, True]),
        ("HuberLoss", {"delta": 0.5}, [x, y], [True, True]),
        ("KLDivLoss", {"log_target": True}, [x, y], [True, True]),
        ("PoissonNLLLoss", {"full": True}, [x, np.abs(y)], [True, True]),
        ("BCELoss", {}, [p, p[::-1].copy()], [True, True]),
        (
            "BCEWithLogitsLoss",
            {"pos_weight": np.full(shape[-1:], 2.0, dtype)},
            [x, p],
            [True, True],
        ),
        ("SoftMarginLoss", {}, [x, np.sign(y)], [True, False]),
        ("HingeEmbeddingLoss", {"margin": 0.5}, [x, np.sign(y)], [True, False]),
    ]
    if c:
        cw = {"weight": w} if w is not None else {}
        modules += [
            ("NLLLoss", {"ignore_index": ignore, **cw}, [x, t], [True, False]),
            (
                "CrossEntropyLoss",
                {"ignore_index": ignore, "label_smoothing": smoothing, **cw},
                [x, t],
                [True, False],
            ),
        ]
    for name, options, arrays, grads in modules:
        options = {**options, "reduction": reduction}
        tm = getattr(torch.nn, name)(
            **{k: _lib_tensor(torch, v, False) for k, v in options.items()}
        )
        em = getattr(ember.nn, name)(
            **{k: _lib_tensor(ember, v, False) for k, v in options.items()}
        )
        msg = f"{name} {shape} {options}"
        compare(name, arrays, grads, {}, seed, msg, module=(tm, em))
