"""Differential tests of ember._tensor_str against torch's tensor repr (torch is the oracle)."""

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from ember._tensor_str import format_tensor, get_printoptions, printoptions, set_printoptions

inf, nan = math.inf, math.nan

DEFAULT_OPTIONS = {
    "precision": 4,
    "threshold": 1000,
    "edgeitems": 3,
    "linewidth": 80,
    "sci_mode": None,
}


@pytest.fixture(autouse=True)
def _restore_defaults():
    """Every test starts and ends with default print options and default dtype in both libraries."""
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def dtype_name(t: torch.Tensor) -> str:
    return str(t.dtype).removeprefix("torch.")


def ember_repr(t: torch.Tensor) -> str:
    """What ember prints for the values, dtype and autograd state of the torch tensor ``t``."""
    if t.grad_fn is not None:
        tail = [f"grad_fn=<{t.grad_fn.name()}>"]
    elif t.requires_grad:
        tail = ["requires_grad=True"]
    else:
        tail = []
    return format_tensor(
        t.detach().numpy(),
        dtype_name=dtype_name(t),
        default_float_name=dtype_name(torch.empty(())),
        tail=tail,
    )


def check(t: torch.Tensor) -> None:
    expected = repr(t).replace("torch.", "ember.")
    assert ember_repr(t) == expected, f"\nember:\n{ember_repr(t)}\ntorch:\n{expected}"


def test_seed_program_outputs():
    # The strings the seed program prints, produced the way it produces them.
    assert format_tensor(np.array(2 / 3, np.float32), dtype_name="float32") == "tensor(0.6667)"
    assert format_tensor(np.array(4 / 3, np.float32), dtype_name="float32") == "tensor(1.3333)"
    x = torch.tensor([1.5, 2.25], requires_grad=True)
    check(x)
    assert ember_repr(x) == "tensor([1.5000, 2.2500], requires_grad=True)"
    loss = torch.nn.functional.nll_loss(
        torch.tensor([[-2.2946, -0.5]], requires_grad=True), torch.tensor([0])
    )
    check(loss)
    assert ember_repr(loss) == "tensor(2.2946, grad_fn=<NllLossBackward0>)"
    check(torch.tensor([1.0, 2.0], requires_grad=True) * 3)
    check(torch.tensor([[1.0, 2.0]], dtype=torch.float64, requires_grad=True).sum())


CASES = [
    # 0-dim
    torch.tensor(0.0),
    torch.tensor(-0.0),
    torch.tensor(7.0),
    torch.tensor(1e10),
    torch.tensor(1e-7),
    torch.tensor(nan),
    torch.tensor(-inf),
    torch.tensor(3),
    torch.tensor(True),
    torch.tensor(2.5, dtype=torch.float64),
    torch.tensor(5, dtype=torch.int32),
    # 1-D floats: fixed point, integral values, dynamic range, tiny and huge values
    torch.tensor([1.5, 2.25, -3.125]),
    torch.tensor([1.0, 2.0, -3.0]),
    torch.tensor([1.0, 1000.0]),
    torch.tensor([1.0, 1001.0]),
    torch.tensor([1e8, 1.0]),
    torch.tensor([1.5e8, 1.0]),
    torch.tensor([0.5, 500.0]),
    torch.tensor([0.5, 500.5]),
    torch.tensor([1e-4, 0.5], dtype=torch.float64),
    torch.tensor([1e-4, 0.5]),  # float32 1e-4 is just below 1e-4
    torch.tensor([1e-5, 2e-5]),
    torch.tensor([1e10, 2e10]),
    torch.tensor([1e20, -3e25, 0.0]),
    torch.tensor([123456.789, 0.001]),
    # zeros, negative zero, nan and inf never widen the columns
    torch.tensor([0.0, 0.0]),
    torch.tensor([0.0, -0.0]),
    torch.tensor([-0.0, 2.0]),
    torch.tensor([-0.0, 0.5]),
    torch.tensor([-0.0, 1e10]),
    torch.tensor([0.0, -10.0]),
    torch.tensor([1.0, inf]),
    torch.tensor([1.0, -inf, nan]),
    torch.tensor([100.0, -inf]),
    torch.tensor([inf, -inf, nan]),
    torch.tensor([1.5, -inf, nan]),
    torch.tensor([1e-5, -inf, nan]),
    torch.tensor([1e10, 1.0, nan]),
    torch.tensor([[1.0, inf], [10.0, 2.0]]),
    torch.zeros(50),
    torch.full((30,), nan),
    # integers and bools
    torch.tensor([1, 2, 3]),
    torch.tensor([0, -10, 12345678901]),
    torch.tensor([True, False]),
    torch.tensor([[True], [False]]),
    torch.arange(10, dtype=torch.int32) * 100000000,
    torch.tensor([1, 255], dtype=torch.uint8),
    torch.tensor([-128, 5], dtype=torch.int8),
    torch.tensor([300, -2], dtype=torch.int16),
    # other float dtypes
    torch.tensor([0.1, 65504.0, 1e-3], dtype=torch.float16),
    torch.tensor([0.1, 0.2, 0.3], dtype=torch.float16),
    torch.tensor([1.0, 2.0], dtype=torch.float16),
    torch.tensor([1 / 3, 2 / 3], dtype=torch.float64),
    # line breaking of long rows, with the dtype item wrapped too
    torch.arange(40.0).reshape(2, 20) * 1.5,
    *(torch.arange(float(n), dtype=torch.float64) * 1.5 + 1000 for n in range(4, 13)),
    torch.arange(11, dtype=torch.int32).reshape(1, 11) * 100000000,
    torch.arange(30) * 1234567,
    # higher dimensions
    torch.arange(24.0).reshape(2, 3, 4) / 7,
    torch.arange(48).reshape(2, 2, 3, 4),
    torch.arange(16.0).reshape(1, 2, 1, 8) - 4,
    torch.ones(1, 1, 1, 1, 1),
    # summarised (more than 1000 elements)
    torch.arange(2000.0),
    torch.arange(1001),
    torch.arange(3000.0).reshape(30, 10, 10),
    torch.arange(1200.0).reshape(40, 30) / 3,
    torch.arange(1200).reshape(2, 600),
    torch.arange(5000.0).reshape(5, 10, 10, 10) - 2500,
    torch.ones(2000, dtype=torch.bool),
    torch.linspace(-1, 1, 1500, dtype=torch.float64),
    # empty tensors
    torch.tensor([]),
    torch.zeros(0, 3),
    torch.zeros(2, 0, 3),
    torch.zeros(0, dtype=torch.int64),
    torch.zeros(0, dtype=torch.bool),
    torch.zeros(0, 3, dtype=torch.float64),
    torch.zeros(2, 0, dtype=torch.int32),
    torch.zeros(0, requires_grad=True),
]


@pytest.mark.parametrize("t", CASES, ids=lambda t: f"{dtype_name(t)}{tuple(t.shape)}")
def test_matches_torch(t):
    check(t)


FLOAT_CASES = [t for t in CASES if t.is_floating_point()]


@pytest.mark.parametrize("t", FLOAT_CASES, ids=lambda t: f"{dtype_name(t)}{tuple(t.shape)}")
def test_requires_grad_tail(t):
    check(t.clone().requires_grad_())


@pytest.mark.parametrize("linewidth", range(10, 121))
def test_suffix_wrapping_at_every_linewidth(linewidth):
    # Pins down exactly when the size/dtype/autograd items move to a line of their own.
    set_printoptions(linewidth=linewidth)
    torch.set_printoptions(linewidth=linewidth)
    f64 = torch.tensor([[1.5, 2.5], [1.0, 2.0]], dtype=torch.float64)
    for t in [
        torch.tensor([1.5, 2.5], requires_grad=True),
        torch.tensor([1.5, 2.5], dtype=torch.float64, requires_grad=True),
        f64,
        f64 * torch.tensor(2.0, requires_grad=True),
        torch.arange(12, dtype=torch.int32) * 1000,
        torch.tensor(1.5, dtype=torch.float64),
        torch.zeros(0, 3, dtype=torch.int32),
        torch.zeros(2, 0, requires_grad=True),
    ]:
        check(t)


def test_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    for t in [
        torch.tensor([1.0, 2.5]),
        torch.tensor([1.0, 2.5], dtype=torch.float32),
        torch.tensor([1, 2]),
        torch.zeros(0),
        torch.zeros(0, dtype=torch.float32),
        torch.tensor(0.5, dtype=torch.float32),
    ]:
        check(t)


def test_namespace_and_prefix():
    arr = np.array([1.0, 2.0], np.float64)
    assert (
        format_tensor(arr, dtype_name="float64", namespace="np")
        == "tensor([1., 2.], dtype=np.float64)"
    )
    # Continuation lines align after the prefix, whatever its length.
    out = format_tensor(np.arange(8.0).reshape(2, 4), dtype_name="float32", prefix="Param(")
    assert out == "Param([[0., 1., 2., 3.],\n       [4., 5., 6., 7.]])"


OPTION_SETS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"threshold": 5},
    {"threshold": 0},
    {"edgeitems": 1, "threshold": 10},
    {"edgeitems": 0},
    {"edgeitems": 0, "threshold": 5},
    {"edgeitems": 5},
    {"linewidth": 5},
    {"linewidth": 40},
    {"linewidth": 200},
    {"sci_mode": True},
    {"sci_mode": False},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "full", "precision": 6},
    {"profile": "short", "linewidth": 50, "sci_mode": True},
]


@pytest.mark.parametrize("options", OPTION_SETS, ids=str)
def test_printoptions_match_torch(options):
    set_printoptions(**options)
    torch.set_printoptions(**options)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    for t in CASES:
        check(t)


def test_printoptions_state():
    assert get_printoptions() == DEFAULT_OPTIONS
    set_printoptions(sci_mode=True, linewidth=100)
    assert get_printoptions()["sci_mode"] is True
    # Every call assigns sci_mode, so leaving it out resets it (as in torch).
    set_printoptions(precision=2)
    assert get_printoptions() == {**DEFAULT_OPTIONS, "linewidth": 100, "precision": 2}
    set_printoptions(profile="full")
    assert get_printoptions()["threshold"] == math.inf
    set_printoptions(profile="no-such-profile", edgeitems=1)  # unknown profiles are ignored
    assert get_printoptions() == {**DEFAULT_OPTIONS, "threshold": math.inf, "edgeitems": 1}
    set_printoptions(profile="default")
    assert get_printoptions() == DEFAULT_OPTIONS


def test_printoptions_context_manager():
    arr = np.array([1 / 3], np.float32)
    with printoptions(precision=2, sci_mode=True):
        assert format_tensor(arr, dtype_name="float32") == "tensor([3.33e-01])"
    assert get_printoptions() == DEFAULT_OPTIONS
    assert format_tensor(arr, dtype_name="float32") == "tensor([0.3333])"


DTYPES = [
    torch.float32,
    torch.float64,
    torch.float16,
    torch.int64,
    torch.int32,
    torch.uint8,
    torch.bool,
]


@st.composite
def tensors(draw):
    """Random tensors up to 4-D with values of varied magnitude and special values mixed in."""
    shape = tuple(draw(st.lists(st.integers(0, 12), max_size=4)))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = math.prod(shape)
    if dtype == torch.bool:
        return torch.from_numpy(rng.random(n) < 0.5).reshape(shape)
    if not dtype.is_floating_point:
        info = torch.iinfo(dtype)
        high = min(info.max, 10 ** draw(st.integers(0, 18)))
        values = rng.integers(max(info.min, -high), high, n, endpoint=True)
        return torch.from_numpy(values).to(dtype).reshape(shape)
    kind = draw(st.sampled_from(["normal", "integral", "wide", "special"]))
    scale = 10.0 ** draw(st.integers(-12, 12))
    if kind == "integral":
        values = np.round(rng.normal(0, 1, n) * scale)
    elif kind == "wide":
        values = rng.normal(0, 1, n) * 10.0 ** rng.integers(-8, 9, n)
    else:
        values = rng.normal(0, 1, n) * scale
    if kind == "special" and n:
        picks = rng.integers(0, n, rng.integers(1, n + 1))
        values[picks] = rng.choice([0.0, -0.0, nan, inf, -inf], picks.size)
    return torch.from_numpy(values).to(dtype).reshape(shape)


options = st.fixed_dictionaries(
    {},
    optional={
        "precision": st.integers(0, 8),
        "threshold": st.sampled_from([0, 10, 100, 1000]),
        "edgeitems": st.integers(0, 4),
        "linewidth": st.integers(10, 150),
        "sci_mode": st.sampled_from([True, False]),
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    t=tensors(),
    opts=options,
    requires_grad=st.booleans(),
    default_dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_random_tensors_match_torch(t, opts, requires_grad, default_dtype):
    try:
        torch.set_default_dtype(default_dtype)
        set_printoptions(**opts)
        torch.set_printoptions(**opts)
        if requires_grad and t.is_floating_point():
            t.requires_grad_()
        check(t)
    finally:
        set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize(
    "expr",
    [
        "m.tensor([[1.0, 2.0], [3.0, 0.0]]).max(1)",
        "m.tensor([3.0, 1.0]).sort()",
        "m.aminmax(m.tensor([1.0, 3.0]))",
        "m.tensor([3.0, 1.0, 2.0]).topk(2)",
    ],
)
def test_return_types_print_as_torch(expr):
    e = repr(eval(expr, {"m": ember})).replace("ember.", "torch.")
    assert e == repr(eval(expr, {"m": torch}))
