"""The top-level API gaps real PyTorch programs hit: the lazily imported modules, the in-place
function forms, layouts, ``version``, process flags, ``jit`` and ``mps``; compared with torch."""

from __future__ import annotations

import copy
import inspect
import pickle
import typing
import warnings

import pytest
import torch
from helpers import assert_close, check_op, check_raises

import ember

# torch 2.13 deprecates TorchScript; the warnings themselves are compared in one test below
pytestmark = pytest.mark.filterwarnings(
    "ignore::DeprecationWarning", "ignore:ignore\\(True\\):FutureWarning"
)

LAZY_MODULES = ("hub", "jit", "mps", "multiprocessing", "version", "profiler")


@pytest.mark.parametrize("name", LAZY_MODULES)
def test_lazy_modules_exist(name):
    assert hasattr(ember, name) and hasattr(torch, name)
    assert getattr(ember, name).__name__ == f"ember.{name}"


def test_missing_attribute_is_attribute_error():
    assert not hasattr(ember, "no_such_thing")
    with pytest.raises(AttributeError):
        ember.no_such_thing  # noqa: B018


def test_lazy_name_without_module_is_attribute_error(monkeypatch):
    monkeypatch.setattr(ember, "_LAZY", {*ember._LAZY, "no_such_module_x"})
    assert not hasattr(ember, "no_such_module_x")
    with pytest.raises(AttributeError, match="no attribute 'no_such_module_x'"):
        ember.no_such_module_x  # noqa: B018


def test_torch_names_now_present():
    names = (
        "layout strided sparse_coo sparse_csr version is_anomaly_enabled set_anomaly_enabled "
        "is_anomaly_check_nan_enabled get_device_module has_lapack has_mkl has_openmp "
        "has_spectral compiled_with_cxx11_abi init_num_threads get_deterministic_debug_mode "
        "set_deterministic_debug_mode is_deterministic_algorithms_warn_only_enabled fill fork "
        "wait abs_ relu_ zero_ fill_ clamp_"
    ).split()
    assert [n for n in names if hasattr(torch, n) and not hasattr(ember, n)] == []


# -- in-place function forms ---------------------------------------------------------------------
INPLACE = [
    ("abs_", ()),
    ("neg_", ()),
    ("negative_", ()),
    ("relu_", ()),
    ("sigmoid_", ()),
    ("tanh_", ()),
    ("exp_", ()),
    ("exp2_", ()),
    ("expm1_", ()),
    ("sin_", ()),
    ("cos_", ()),
    ("tan_", ()),
    ("sinh_", ()),
    ("cosh_", ()),
    ("atan_", ()),
    ("arctan_", ()),
    ("floor_", ()),
    ("ceil_", ()),
    ("round_", ()),
    ("trunc_", ()),
    ("fix_", ()),
    ("frac_", ()),
    ("square_", ()),
    ("erf_", ()),
    ("deg2rad_", ()),
    ("rad2deg_", ()),
    ("sinc_", ()),
    ("zero_", ()),
    ("fill_", (0.5,)),
    ("clamp_", (-0.5, 0.5)),
    ("clip_", (-0.5,)),
    ("clamp_min_", (0.1,)),
    ("clamp_max_", (0.1,)),
]


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_function_forms(name, args):
    def fn(m, x):
        y = x * 1  # a non-leaf, so the in-place op is recorded
        out = getattr(m, name)(y, *args)
        assert out is y
        return out

    check_op(fn, [(3, 4)])


@pytest.mark.parametrize("name", ["sqrt_", "log_", "log2_", "log10_", "log1p_", "rsqrt_"])
def test_inplace_function_forms_positive(name):
    check_op(lambda m, x: getattr(m, name)(x * 1), [(2, 5)], low=0.5, high=3.0)


@pytest.mark.parametrize("name", ["asin_", "acos_", "erfc_", "logit_", "reciprocal_"])
def test_inplace_function_forms_unit(name):
    check_op(lambda m, x: getattr(m, name)(x * 1), [(2, 5)], low=0.1, high=0.9)


def test_inplace_function_forms_two_tensors():
    check_op(lambda m, x, y: m.xlogy_(x * 1, y), [(2, 3), (2, 3)], low=0.5, high=2.0)
    check_op(lambda m, a, v: m.addmv_(a * 1, m.ones(3, 4), v), [(3,), (4,)])
    keyword = check_op(lambda m, x: m.clamp_(input=x * 1, max=0.25), [(4,)])
    assert keyword.max().item() <= 0.25


def test_inplace_function_form_without_grad():
    # torch has no derivative for in-place asinh/atanh; the forward is what the function form adds
    check_op(lambda m, x: m.asinh_(x), [(3,)], grad=False)
    check_op(lambda m, x: m.atanh_(x), [(3,)], low=-0.9, high=0.9, grad=False)


def test_inplace_function_forms_integers():
    for name in ("gcd_", "lcm_"):
        e = getattr(ember, name)(ember.tensor([4, 6, 9]), ember.tensor([6, 4, 6]))
        t = getattr(torch, name)(torch.tensor([4, 6, 9]), torch.tensor([6, 4, 6]))
        assert_close(e, t)


def test_inplace_function_form_errors():
    e = check_raises(lambda m: m.abs_(3))
    assert str(e) == "abs_(): argument 'input' (position 1) must be Tensor, not int"
    e = check_raises(lambda m: m.relu_())
    assert str(e) == 'relu_() missing 1 required positional arguments: "input"'
    check_raises(lambda m: m.fill_(m.zeros(2), m.ones(2)))


def test_fill():
    check_op(lambda m, x: m.fill(x, 2.5), [(2, 3)])
    check_op(lambda m, x, v: m.fill(x, v), [(2, 3), ()])
    assert_close(ember.fill(ember.tensor([1, 2]), 2.7), torch.fill(torch.tensor([1, 2]), 2.7))
    x = ember.tensor([1.0, 2.0])
    assert ember.fill(x, 0.0) is not x and x.tolist() == [1.0, 2.0]
    assert ember.fill(x * 1, 3.0).grad_fn is None
    y = ember.tensor([1.0], requires_grad=True)
    assert type(ember.fill(y, 3.0).grad_fn).__name__ == type(torch.fill(torch.ones(1,
        requires_grad=True), 3.0).grad_fn).__name__  # fmt: skip
    check_raises(lambda m: m.fill(m.zeros(2), m.ones(2)))
    check_raises(lambda m: m.fill(m.zeros(2), "a"))
    check_raises(lambda m: m.fill(m.zeros(2)))


# -- layouts, version ----------------------------------------------------------------------------
def test_layouts():
    for name in ("strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc"):
        e, t = getattr(ember, name), getattr(torch, name)
        assert isinstance(e, ember.layout)
        assert repr(e).replace("ember.", "torch.") == repr(t) == str(t)
    assert ember.strided == ember.strided and ember.strided != ember.sparse_coo
    assert copy.deepcopy(ember.strided) is ember.strided
    assert pickle.loads(pickle.dumps(ember.sparse_coo)) is ember.sparse_coo
    check_raises(lambda m: m.layout())
    assert ember.zeros(2).layout is ember.strided
    assert ember.zeros(2, layout=ember.strided).layout == ember.strided
    assert repr(ember.randn(2, 3).t().layout) == "ember.strided"


def test_version():
    assert ember.version.__version__ == ember.__version__
    assert ember.version.cuda is None and torch.version.cuda is None
    assert ember.version.debug is torch.version.debug is False
    assert set(ember.version.__all__) == set(torch.version.__all__)
    for name in ("hip", "rocm", "xpu"):
        assert getattr(ember.version, name) == getattr(torch.version, name)


# -- process flags -------------------------------------------------------------------------------
@pytest.fixture
def restore_deterministic():
    yield
    ember.use_deterministic_algorithms(False)
    torch.use_deterministic_algorithms(False)


@pytest.mark.parametrize("mode", [0, 1, 2, "default", "warn", "error"])
def test_deterministic_debug_mode(mode, restore_deterministic):
    for m in (ember, torch):
        m.set_deterministic_debug_mode(mode)
    for getter in (
        "get_deterministic_debug_mode",
        "are_deterministic_algorithms_enabled",
        "is_deterministic_algorithms_warn_only_enabled",
    ):
        assert getattr(ember, getter)() == getattr(torch, getter)(), getter


def test_deterministic_warn_only(restore_deterministic):
    for flags in ((True, True), (True, False), (False, True)):
        for m in (ember, torch):
            m.use_deterministic_algorithms(flags[0], warn_only=flags[1])
        assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
        assert (
            ember.is_deterministic_algorithms_warn_only_enabled()
            == torch.is_deterministic_algorithms_warn_only_enabled()
        )


@pytest.mark.parametrize("bad", ["x", 3, -1, 1.0, None])
def test_deterministic_debug_mode_errors(bad):
    e = check_raises(lambda m: m.set_deterministic_debug_mode(bad))
    t = pytest.raises((RuntimeError, TypeError), torch.set_deterministic_debug_mode, bad).value
    assert str(e) == str(t)


def test_anomaly_flags():
    try:
        for args in ((True,), (True, False), (False,), (False, False)):
            for m in (ember, torch):
                m.set_anomaly_enabled(*args)
            assert ember.is_anomaly_enabled() == torch.is_anomaly_enabled()
            assert ember.is_anomaly_check_nan_enabled() == torch.is_anomaly_check_nan_enabled()
        ember.set_anomaly_enabled(True)
        assert ember.autograd.is_anomaly_enabled()
        e = check_raises(lambda m: m.set_anomaly_enabled(1))
        assert "argument 'enabled' (position 1) must be bool, not int" in str(e)
    finally:
        ember.set_anomaly_enabled(False)
        torch.set_anomaly_enabled(False)


def test_misc_flags():
    for name in ("has_lapack", "has_mkl", "has_openmp", "has_spectral"):
        assert getattr(ember, name) is getattr(torch, name)
    assert ember.compiled_with_cxx11_abi() == torch.compiled_with_cxx11_abi()
    assert ember.init_num_threads() is None and torch.init_num_threads() is None


@pytest.mark.parametrize("device", [None, "cpu", "cuda", "mps"])
def test_get_device_module(device):
    assert ember.get_device_module(device).__name__.replace("ember", "torch") == (
        torch.get_device_module(device).__name__
    )
    if device is not None:
        e = ember.get_device_module(ember.device(device))
        assert e.__name__ == f"ember.{device}"


@pytest.mark.parametrize("device", ["meta", "foo", 3])
def test_get_device_module_errors(device):
    e = check_raises(lambda m: m.get_device_module(device))
    t = pytest.raises(RuntimeError, torch.get_device_module, device).value
    assert str(e).replace("ember", "torch") == str(t)


# -- jit -----------------------------------------------------------------------------------------
def _double(x):
    return x * 2


def test_jit_script_returns_the_function():
    f = ember.jit.script(_double)
    assert f is _double and f(ember.ones(2)).tolist() == [2.0, 2.0]
    m = ember.nn.Linear(2, 3)
    assert ember.jit.script(m) is m
    assert not isinstance(m, ember.jit.ScriptModule)
    e = check_raises(lambda m: m.jit.script(3))
    assert str(e) == "<class 'int'> is a built-in class"
    assert inspect.signature(ember.jit.script).parameters.keys() == (
        inspect.signature(torch.jit.script).parameters.keys()
    )


def test_jit_trace_runs_once_with_is_tracing():
    seen = []

    class M(ember.nn.Module):
        def forward(self, x, y=None):
            seen.append(ember.jit.is_tracing())
            return x + 1

    m = M()
    assert ember.jit.trace(m, ember.ones(1)) is m
    assert ember.jit.trace(m, (ember.ones(1), ember.ones(1))) is m
    assert ember.jit.trace(m, example_kwarg_inputs={"x": ember.ones(1)}) is m
    assert ember.jit.trace_module(m, {"forward": ember.ones(1)}) is m
    assert seen == [True] * 4 and not ember.jit.is_tracing() and not ember.jit.is_scripting()
    assert not torch.jit.is_tracing() and not torch.jit.is_scripting()
    check_raises(lambda m: m.jit.trace(lambda x: x))
    check_raises(lambda m: m.jit.trace(3, m.ones(1)))
    assert inspect.signature(ember.jit.trace).parameters.keys() == (
        inspect.signature(torch.jit.trace).parameters.keys()
    )


def test_jit_decorators_and_annotations():
    for mod in (ember.jit, torch.jit):
        assert mod.ignore(_double) is _double
        assert mod.ignore(drop=True)(_double) is _double
        assert mod.unused(_double) is _double
        assert mod.export(_double) is _double
        assert mod.script_if_tracing(_double)(3) == 6
        assert mod.annotate(list[int], []) == []
        assert mod.Final is typing.Final
        assert mod.Attribute(3, int).value == 3
        assert mod.isinstance([1, 2], list[int]) and not mod.isinstance([1, "a"], list[int])
        assert mod.isinstance({"a": 1}, dict[str, int])
        assert not mod.isinstance({"a": 1}, dict[str, str])
        assert mod.isinstance((1, "a"), tuple[int, str])
        assert mod.isinstance(None, typing.Optional[int])  # noqa: UP045 - the typing form
        with mod.strict_fusion():
            pass
    check_raises(lambda m: m.jit.ignore(3))
    e = check_raises(lambda m: m.jit.set_fusion_strategy([("X", 1)]))
    assert "got: X" in str(e)
    olds = [m.jit.set_fusion_strategy([("DYNAMIC", 3)]) for m in (ember, torch)]
    assert olds[0] == olds[1]
    assert [m.jit.set_fusion_strategy(old) for m, old in zip((ember, torch), olds)] == [
        [("DYNAMIC", 3)]
    ] * 2


def _warnings_of(call, m) -> set:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(m)
    return {(w.category, str(w.message).replace("ember", "torch")) for w in caught}


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.jit.script(_double),
        lambda m: m.jit.trace(_double, m.ones(1)),
        lambda m: m.jit.trace_module(m.nn.Linear(1, 1), {"forward": m.ones(1)}),
        lambda m: m.jit.fork(_double, 1),
        lambda m: m.jit.wait(m.jit.fork(_double, 1)),
        lambda m: m.jit.ignore(drop=True),
        lambda m: m.jit.freeze(m.jit.script(m.nn.Linear(1, 1).eval())),
        lambda m: m.jit.set_fusion_strategy([("STATIC", 2), ("DYNAMIC", 10)]),
        lambda m: m.jit.strict_fusion(),
    ],
)
def test_jit_deprecation_warnings(call):
    e, t = _warnings_of(call, ember), _warnings_of(call, torch)
    assert e and e <= t


def test_top_level_fork_wait_do_not_warn():
    for m in (ember, torch):
        assert _warnings_of(lambda m: m.wait(m.fork(_double, 2)), m) == set()


def test_jit_fork_wait():
    for mod in (ember.jit, torch.jit, ember, torch):
        fut = mod.fork(lambda a, b=0: a + b, 1, b=2)
        assert fut.done() and mod.wait(fut) == 3
    fut = ember.jit.fork(_double, 4)
    assert fut.wait() == fut.value() == ember.jit.wait(fut) == 8
    assert fut.then(lambda f: f.value() + 1).wait() == 9
    with pytest.raises(ValueError, match="boom"):
        ember.jit.fork(lambda: (_ for _ in ()).throw(ValueError("boom")))
    check_raises(lambda m: m.jit.fork(3))
    check_raises(lambda m: m.jit.wait(3))


def test_jit_future():
    for cls in (ember.jit.Future, torch.jit.Future):
        f = cls()
        assert not f.done()
        called = []
        f.add_done_callback(called.append)
        chained = f.then(lambda fut: fut.value() * 2)
        f.set_result(5)
        assert f.done() and f.wait() == 5 and called == [f] and chained.wait() == 10
        with pytest.raises(RuntimeError, match="only be marked completed once"):
            f.set_result(6)
        g = cls()
        g.set_exception(ValueError("bad"))
        with pytest.raises(ValueError, match="bad"):
            g.wait()


def test_jit_save_load_refuse(tmp_path):
    with pytest.raises(RuntimeError, match="state_dict"):
        ember.jit.save(ember.nn.Linear(1, 1), str(tmp_path / "m.pt"))
    e = check_raises(lambda m: m.jit.load(str(tmp_path / "missing.pt")))
    assert str(e) == f"The provided filename {tmp_path / 'missing.pt'} does not exist"
    path = tmp_path / "w.pt"
    torch.save({"a": torch.ones(1)}, path)
    check_raises(lambda m: m.jit.load(str(path)))


def test_jit_freeze_and_optimize():
    m = ember.nn.Linear(2, 2).eval()
    assert ember.jit.freeze(m) is m and ember.jit.optimize_for_inference(m) is m
    check_raises(lambda m: m.jit.freeze(3))
    assert ember.jit.onednn_fusion_enabled() == torch.jit.onednn_fusion_enabled()


def test_jit_script_module_subclass():
    class Old(ember.jit.ScriptModule):
        def __init__(self):
            super().__init__()
            self.lin = ember.nn.Linear(2, 1)

        @ember.jit.script_method
        def forward(self, x):
            return self.lin(x)

    m = Old()
    assert m(ember.ones(3, 2)).shape == (3, 1)
    assert list(m.state_dict()) == ["lin.weight", "lin.bias"]


def test_jit_all_matches_torch():
    assert set(torch.jit.__all__) <= set(ember.jit.__all__)
    for name in torch.jit.__all__:
        assert hasattr(ember.jit, name), name


# -- mps -----------------------------------------------------------------------------------------
def test_mps_surface():
    assert set(torch.mps.__all__) == set(ember.mps.__all__)
    assert ember.mps.is_available() is torch.mps.is_available() is False
    assert ember.mps.device_count() == torch.mps.device_count() == 0
    assert ember.mps.manual_seed(1) is None and torch.mps.manual_seed(1) is None
    assert ember.backends.mps.is_available() is torch.backends.mps.is_available()
    assert set(ember.mps.profiler.__all__) == set(torch.mps.profiler.__all__)
    assert ember.mps.profiler.is_capturing_metal() is False  # torch's CPU build cannot answer


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.mps.synchronize(),
        lambda m: m.mps.empty_cache(),
        lambda m: m.mps.current_allocated_memory(),
        lambda m: m.mps.driver_allocated_memory(),
        lambda m: m.mps.recommended_max_memory(),
        lambda m: m.mps.seed(),
        lambda m: m.mps.get_rng_state(),
        lambda m: m.mps.set_per_process_memory_fraction(0.5),
        lambda m: m.mps.compile_shader("x"),
    ],
)
def test_mps_unavailable_errors(call):
    e = check_raises(call)
    t = pytest.raises(RuntimeError, call, torch).value
    assert str(e) == str(t)


def test_mps_event_raises():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_raises(lambda m: m.mps.Event())
