"""Printing sweep against torch: real ember tensors vs torch tensors, text for text.

Where tests/test_tensor_str.py drives ``format_tensor`` directly, this sweep goes through the
user-facing paths (``repr``, ``str``, ``print``, f-strings, ``nn.Parameter``, containers) on
seeded tensors of every dtype, rank and value regime, under many print options, both default
dtypes and every autograd state. bfloat16 is skipped: Ember aliases it to float32.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest
import torch

import ember
from ember._tensor_str import PRINT_OPTS

DTYPES = [
    "float32",
    "float64",
    "float16",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
    "complex64",
    "complex128",
]
FLOATING = ("float", "complex")

# float16 * 2 overflows to inf in both libraries; NumPy says so
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")

SHAPES = [
    (),
    (1,),
    (5,),
    (0,),
    (2, 0),
    (0, 3, 4),
    (3, 0, 1, 2),
    (3, 4),
    (2, 3, 4),
    (2, 2, 3, 2),
    (1, 1, 1, 1),
    (30,),  # wraps at linewidth 80
    (7, 13),
    (1001,),  # just past the summarisation threshold
    (40, 30),
    (11, 11, 11),
    (2, 600),
]

# Value regimes for floating dtypes, as float64 arrays later cast to the dtype under test.
EDGE_VALUES = [5e-5, 123456.7, 1e-5, 1e5, 0.99995, 9.99995, -0.0, 99999.5, 1.5e-4, 1e8, 1e-4]


def _values(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "normal":
        return rng.normal(0, 1, n) * 10.0 ** rng.integers(-3, 4)
    if kind == "integral":  # whole numbers stored as floats print as "3."
        return np.round(rng.normal(0, 100, n))
    if kind == "wide":  # mixed magnitudes: scientific notation
        return rng.normal(0, 1, n) * 10.0 ** rng.integers(-8, 9, n)
    if kind == "tiny":
        return rng.normal(0, 1, n) * 1e-6
    if kind == "huge":
        return rng.normal(0, 1, n) * 1e12
    if kind == "dyadic":  # exact in every float dtype
        return rng.choice([0.5, -0.25, 1.5, 2.0, -0.0], n)
    if kind == "edge":  # rounding edges at precision 4 and the notation thresholds
        return rng.choice(EDGE_VALUES, n)
    if kind == "nan":
        return np.full(n, math.nan)
    values = rng.normal(0, 3, n)
    if n:  # "special": zeros, -0, nan and +-inf mixed into ordinary values
        picks = rng.integers(0, n, rng.integers(1, n + 1))
        values[picks] = rng.choice([0.0, -0.0, math.nan, math.inf, -math.inf], picks.size)
    return values


FLOAT_KINDS = ["normal", "integral", "wide", "tiny", "huge", "dyadic", "edge", "nan", "special"]


def make_array(dtype: str, shape: tuple, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Seeded values of the given dtype and shape in the given regime."""
    n = math.prod(shape)
    if dtype == "bool":
        return (rng.random(n) < 0.5).reshape(shape)
    if not dtype.startswith(FLOATING):
        info = np.iinfo(dtype)
        high = info.max if kind == "full" else min(info.max, 10 ** int(rng.integers(0, 19)))
        values = rng.integers(max(info.min, -high), high, n, endpoint=True)
        return values.astype(dtype).reshape(shape)
    with np.errstate(all="ignore"):
        values = _values(kind, n, rng)
        if dtype.startswith("complex"):
            values = values + 1j * _values(kind if kind != "nan" else "normal", n, rng)
        return values.astype(dtype).reshape(shape)


def pair(arr: np.ndarray) -> tuple[ember.Tensor, torch.Tensor]:
    """The same values as an ember tensor and a torch tensor."""
    return ember.tensor(arr.copy()), torch.from_numpy(arr.copy())


def printed(x) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print(x)
    return out.getvalue()


def texts(x) -> dict[str, str]:
    """Every way a user sees a tensor as text, with ember's module name written as torch's."""
    out = {"repr": repr(x), "str": str(x), "print": printed(x)}
    plain = type(x) in (ember.Tensor, torch.Tensor)
    out["f"] = f"{x}"
    if x.dim() == 0 and plain:
        out["f.3f"] = f"{x:.3f}" if not x.dtype.is_complex else f"{x:.2e}"
        out["f>12"] = f"{x:>12}"
        out["item"] = format(x.item())
    return {k: v.replace("ember.", "torch.") for k, v in out.items()}


def assert_same(e, t, label="") -> None:
    got, want = texts(e), texts(t)
    for key in want:
        assert got[key] == want[key], f"{label} {key}\nember:\n{got[key]}\ntorch:\n{want[key]}"


# Autograd states, all exact in every float dtype so only printing can differ. Complex ones avoid
# arithmetic: torch's vectorised complex neg/mul drop the sign of zero imaginary parts.
AUTOGRAD = {
    "leaf": lambda x: x.requires_grad_(),
    "mul": lambda x: x.requires_grad_() * 2,
    "neg": lambda x: -x.requires_grad_(),
    "clone": lambda x: x.requires_grad_().clone(),
    "view": lambda x: x.requires_grad_().view(x.shape),
}


def variants(e: ember.Tensor, t: torch.Tensor, i: int):
    """The plain pair, then (floating dtypes) one autograd state and an nn.Parameter."""
    yield "plain", e, t
    if e.dtype.is_floating_point or e.dtype.is_complex:
        names = ["leaf", "clone", "view"] if e.dtype.is_complex else list(AUTOGRAD)
        name = names[i % len(names)]
        yield name, AUTOGRAD[name](e.detach().clone()), AUTOGRAD[name](t.detach().clone())
        yield "param", ember.nn.Parameter(e.detach().clone()), torch.nn.Parameter(t.detach())


@pytest.fixture(autouse=True)
def _defaults():
    """Each test starts and ends with default print options and float32 as the default dtype."""
    for lib in (ember, torch):
        lib.set_printoptions(profile="default")
        lib.set_default_dtype(lib.float32)
    yield
    for lib in (ember, torch):
        lib.set_printoptions(profile="default")
        lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_grid(dtype):
    # every shape x value regime of one dtype, in every autograd state the dtype allows
    rng = np.random.default_rng(DTYPES.index(dtype))
    kinds = FLOAT_KINDS if dtype.startswith(FLOATING) else ["random", "full"]
    i = 0
    for shape in SHAPES:
        for kind in kinds:
            arr = make_array(dtype, shape, kind, rng)
            for state, e, t in variants(*pair(arr), i):
                assert_same(e, t, f"{dtype}{shape} {kind} {state}")
            i += 1


OPTION_SETS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 10},
    {"threshold": 10},
    {"threshold": 0},
    {"threshold": 5, "edgeitems": 1},
    {"edgeitems": 0},
    {"edgeitems": 5},
    {"linewidth": 20},
    {"linewidth": 200},
    {"sci_mode": True},
    {"sci_mode": False},
    {"sci_mode": True, "precision": 1},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "full", "linewidth": 40},
    {"profile": "short", "sci_mode": False, "edgeitems": 1},
]


@pytest.mark.parametrize("options", OPTION_SETS, ids=str)
def test_print_options(options):
    rng = np.random.default_rng(1)
    for lib in (ember, torch):
        lib.set_printoptions(**options)
    assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    for i, dtype in enumerate(DTYPES):
        kinds = ["edge", "wide", "special"] if dtype.startswith(FLOATING) else ["random"]
        for shape in [(), (7,), (4, 9), (2, 3, 5), (20, 51)]:
            # one regime for the large shape, to keep the fully printed profile fast
            for kind in kinds[: 1 if shape == (20, 51) else None]:
                arr = make_array(dtype, shape, kind, rng)
                for state, e, t in variants(*pair(arr), i):
                    assert_same(e, t, f"{options} {dtype}{shape} {kind} {state}")


def test_default_dtype_float64():
    for lib in (ember, torch):
        lib.set_default_dtype(lib.float64)
    rng = np.random.default_rng(2)
    for i, dtype in enumerate(DTYPES):
        for shape in [(), (0,), (2, 0), (4,), (3, 5), (1001,)]:
            arr = make_array(dtype, shape, "normal" if dtype.startswith(FLOATING) else "", rng)
            for state, e, t in variants(*pair(arr), i):
                assert_same(e, t, f"float64 default {dtype}{shape} {state}")
    # tensors made from Python numbers take the default dtype, so no dtype= suffix
    assert_same(ember.tensor([1.5, 2.0]), torch.tensor([1.5, 2.0]))
    assert_same(ember.tensor(1 + 2j), torch.tensor(1 + 2j))


def _random_options(rng: np.random.Generator) -> dict:
    choices = {
        "precision": lambda: int(rng.integers(0, 9)),
        "threshold": lambda: int(rng.choice([0, 10, 100, 1000])),
        "edgeitems": lambda: int(rng.integers(0, 5)),
        "linewidth": lambda: int(rng.integers(10, 150)),
        "sci_mode": lambda: bool(rng.random() < 0.5),
        "profile": lambda: str(rng.choice(["default", "short", "full"])),
    }
    return {name: draw() for name, draw in choices.items() if rng.random() < 0.25}


@pytest.mark.parametrize("seed", range(6))
def test_random_sweep(seed):
    # random rank, shape, dtype, regime, options, default dtype and autograd state per case
    rng = np.random.default_rng(100 + seed)
    for i in range(60):
        ndim = int(rng.integers(0, 5))
        shape = tuple(int(n) for n in rng.integers(0, [13, 13, 8, 6][:ndim]))
        dtype = str(rng.choice(DTYPES))
        kind = str(rng.choice(FLOAT_KINDS)) if dtype.startswith(FLOATING) else "random"
        arr = make_array(dtype, shape, kind, rng)
        options = _random_options(rng)
        default = "float64" if rng.random() < 0.3 else "float32"
        for lib in (ember, torch):
            lib.set_printoptions(**options)
            lib.set_default_dtype(getattr(lib, default))
        for state, e, t in variants(*pair(arr), i):
            assert_same(e, t, f"{dtype}{shape} {kind} {options} default={default} {state}")
        for lib in (ember, torch):
            lib.set_printoptions(profile="default")


def test_named_special_cases():
    cases = [
        "m.tensor(-0.)",
        "m.tensor([-0., -0.])",
        "m.tensor([math.nan, math.nan])",
        "m.tensor([1e-5, 1e5])",
        "m.tensor([0.00005, 123456.7])",
        "m.tensor([123456.7])",
        "m.tensor([0.99995, 1.])",
        "m.tensor([1e-4], dtype=m.float64)",
        "m.tensor([1e-4, 0.5], dtype=m.float64)",  # notation thresholds, exactly on the boundary
        "m.tensor([1., 1000.])",
        "m.tensor([0.5, 500.])",
        "m.tensor([1e8, 1e6], dtype=m.float64)",
        "m.tensor([1e8 + 1, 1e6], dtype=m.float64)",
        "m.tensor([1e8, 1.], dtype=m.float64)",
        "m.tensor([1e8 + 1, 1.], dtype=m.float64)",
        "m.tensor([5e-324, 1.], dtype=m.float64)",
        "m.tensor([1e308, -1e-308], dtype=m.float64)",
        "m.tensor([65504., 6e-8, 0.1], dtype=m.float16)",
        "m.tensor([0.33325, 1.0], dtype=m.float16)",
        "m.tensor([complex(math.nan, 1), complex(1, math.inf)])",
        "m.tensor([1e10 + 1j, 1 + 1e-10j])",
        "m.tensor(-0. - 0.j)",
        "m.zeros(0, 3, 4)",
        "m.zeros(0, 3, 4, dtype=m.int64)",
        "m.zeros(3, 0, dtype=m.bool)",
        "m.zeros(1, 0, 1, requires_grad=True)",
        "m.zeros(0, 2, requires_grad=True) * 2",
        "m.zeros(0, dtype=m.complex64)",
        "m.arange(10000.).reshape(100, 100)",
        "m.arange(2000.).reshape(1000, 1, 2)",
        "m.arange(1200.).reshape(2, 600) * 1.234567",
        "m.arange(200) * 123456789",
        "m.arange(12.).reshape(3, 4)[::2, 1:]",
        "m.tensor([1., 2.], requires_grad=True).sum()",
        "m.tensor([[1.5, 2.], [3., 4.]], requires_grad=True).t()",
        "m.tensor([1., 2.], device='cpu')",
        "m.nn.Parameter(m.tensor([1., 2.]), requires_grad=False)",
        "m.nn.Parameter(m.zeros(0, 3))",
        "m.nn.Parameter(m.arange(2000.))",
    ]
    env = {"math": math}
    for expr in cases:
        e, t = eval(expr, {**env, "m": ember}), eval(expr, {**env, "m": torch})
        assert_same(e, t, expr)


def test_containers_and_reprs_of_meta_objects():
    exprs = [
        "[m.tensor(1.), m.tensor([2, 3])]",
        "{'a': m.tensor([1.5]), 'b': (m.tensor(True),)}",
        "(m.tensor(1.), m.zeros(2, 2, dtype=m.float64))",
        "m.Size([2, 3])",
        "m.Size([])",
        "m.zeros(2, 3).shape",
        "m.zeros(2, 3).size()",
        "[m.float32, m.float64, m.float16, m.int8, m.uint8, m.bool, m.complex64, m.half]",
        "[m.double, m.long, m.int, m.short, m.cfloat, m.cdouble, m.complex128, m.float]",
        "m.zeros(1).dtype",
        "[m.device('cpu'), m.zeros(1).device, m.device('cpu', 0), m.device('cuda:1')]",
        "m.tensor([1, 2]).sort()",
    ]
    for expr in exprs:
        e, t = eval(expr, {"m": ember}), eval(expr, {"m": torch})
        for show in (repr, str, printed, "{}".format):
            assert show(e).replace("ember.", "torch.") == show(t), expr
    # the device of a CPU tensor is never printed, and str(device) is the bare type
    assert str(ember.device("cpu")) == str(torch.device("cpu"))


def test_print_opts_object_is_live():
    # Programs also read and write torch._tensor_str.PRINT_OPTS directly.
    assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    fields = ["precision", "threshold", "edgeitems", "linewidth", "sci_mode"]
    for name, value in [("precision", 2), ("threshold", 5), ("linewidth", 30), ("sci_mode", True)]:
        setattr(PRINT_OPTS, name, value)
        setattr(torch._tensor_str.PRINT_OPTS, name, value)
        assert_same(*pair(np.arange(12, dtype=np.float32) / 7), name)
    want = torch._tensor_str.PRINT_OPTS
    assert [getattr(PRINT_OPTS, f) for f in fields] == [getattr(want, f) for f in fields]
    with ember._tensor_str.printoptions(precision=6), torch._tensor_str.printoptions(precision=6):
        assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
        assert_same(*pair(np.array([1 / 3], np.float64)))
    assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    assert [getattr(PRINT_OPTS, f) for f in fields] == [getattr(want, f) for f in fields]


FORMAT_SPECS = ["", ".3f", "e", "g", ">10", "+.2f", "d", "x", "%", ",", "05", "^9", ".2", "s", "n"]


def _format_or_error(x, spec: str) -> str:
    try:
        return format(x, spec)
    except (TypeError, ValueError) as error:
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_dim_format_specs(dtype):
    # A 0-d tensor formats as its Python number: same text, or the same error, for every spec.
    rng = np.random.default_rng(3)
    for kind in ["normal", "edge", "special"] if dtype.startswith(FLOATING) else ["random"]:
        for _ in range(3):
            e, t = pair(make_array(dtype, (), kind, rng))
            for spec in FORMAT_SPECS:
                assert _format_or_error(e, spec) == _format_or_error(t, spec), (dtype, spec)


def test_format_spec_rejected_like_torch():
    e, t = ember.nn.Parameter(ember.tensor(1.5)), torch.nn.Parameter(torch.tensor(1.5))
    assert f"{e}".replace("ember.", "torch.") == f"{t}"
    for lib in (torch, ember):
        with pytest.raises(TypeError, match="unsupported format string passed to"):
            format(lib.tensor([1.0, 2.0]), ">20")
        with pytest.raises(TypeError, match="unsupported format string passed to"):
            format(lib.nn.Parameter(lib.tensor(1.0)), ".3f")


def test_module_parameters_and_outputs_print_as_torch():
    # What training scripts commonly print: state_dict, parameter lists, outputs with grad_fn.
    shown = []
    for lib in (ember, torch):
        layer = lib.nn.Linear(3, 2)
        with lib.no_grad():
            layer.weight.copy_(lib.arange(6.0).reshape(2, 3) / 7)
            layer.bias.copy_(lib.tensor([0.5, -1e-5]))
        out = layer(lib.ones(1, 3))
        holders = [layer.state_dict(), list(layer.parameters()), dict(layer.named_parameters())]
        shown.append([printed(x) for x in [*holders, out, out.sum(), layer.weight]])
    assert [s.replace("ember.", "torch.") for s in shown[0]] == shown[1]
