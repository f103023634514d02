"""Legacy and protocol APIs that scripts still use, against torch: typed constructors, device
queries, ``ember.special``, ``ember.testing.assert_close``, format/index/copy/pickle."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import ember

TYPED = [
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ByteTensor",
    "BoolTensor",
    "ShortTensor",
    "CharTensor",
]


@pytest.mark.parametrize("name", TYPED)
def test_typed_constructors(name):
    E, T = getattr(ember, name), getattr(torch, name)
    for args in [([1, 0, 2],), ([[1.7, 0.0], [2.2, 3.9]],), ((1, 2, 0),)]:
        e, t = E(*args), T(*args)
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert e.type() == t.type().replace("torch.", "ember.")
    for args in [(2, 3), (0,), ()]:
        assert tuple(E(*args).shape) == tuple(T(*args).shape)
    assert tuple(E(ember.Size([2, 4])).shape) == (2, 4)
    assert repr(E) == repr(T).replace("torch", "ember")
    for dt in (ember.float32, ember.float64, ember.int64, ember.uint8, ember.bool):
        t = ember.zeros(2, dtype=dt)
        tt = torch.zeros(2, dtype=getattr(torch, str(dt).split(".")[-1]))
        assert isinstance(t, E) == isinstance(tt, T)
    assert not isinstance(np.zeros(2), E)
    with pytest.raises(TypeError, match="invalid data type 'str'"):
        E("a")


def test_typed_constructor_of_tensor():
    t = ember.tensor([1.0, 2.0])
    assert ember.FloatTensor(t) is t
    with pytest.raises(TypeError):
        torch.DoubleTensor(torch.tensor([1.0]))
    with pytest.raises(TypeError):
        ember.DoubleTensor(t)


def test_variable_returns_tensor():
    v = ember.autograd.Variable(ember.ones(2), requires_grad=True)
    assert type(v) is ember.Tensor and v.requires_grad
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]


def test_device_queries():
    assert ember.accelerator.is_available() is torch.accelerator.is_available()
    assert ember.accelerator.current_accelerator() is torch.accelerator.current_accelerator()
    assert ember.accelerator.device_count() == torch.accelerator.device_count()
    assert str(ember.get_default_device()) == str(torch.get_default_device())
    ember.set_default_device("cpu")
    assert ember.get_default_device() == ember.device("cpu")
    ember.set_default_device(None)
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        ember.set_default_device("cuda")
    assert str(ember.get_default_device()) == "cpu"


def test_device_as_context_manager():
    for lib in (torch, ember):
        with lib.device("cpu") as d:
            assert d == lib.device("cpu") and str(lib.get_default_device()) == "cpu"
            assert str(lib.ones(2).device) == "cpu"
        with lib.device("meta"):
            assert str(lib.get_default_device()) == "meta"
        assert str(lib.get_default_device()) == "cpu"
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        with ember.device("cuda"):
            pass
    assert str(ember.get_default_device()) == "cpu"


SPECIAL = [
    ("expit", lambda m, x: m.special.expit(x), None),
    ("logit", lambda m, x: m.special.logit(x.sigmoid()), None),
    ("logit_eps", lambda m, x: m.special.logit(x.sigmoid(), eps=0.2), None),
    ("erf", lambda m, x: m.special.erf(x), None),
    ("erfc", lambda m, x: m.special.erfc(x * 3), None),
    ("gammaln", lambda m, x: m.special.gammaln(x.abs() + 0.1), None),
    ("digamma", lambda m, x: m.special.digamma(x.abs() + 0.1), None),
    ("xlogy", lambda m, x: m.special.xlogy(x + 3, x.abs() + 0.5), None),
    ("xlog1py", lambda m, x: m.special.xlog1py(x, x.abs()), None),
    ("softmax", lambda m, x: m.special.softmax(x, 1), None),
    ("log_softmax", lambda m, x: m.special.log_softmax(x, 0), None),
    ("ndtr", lambda m, x: m.special.ndtr(x), None),
    ("sinc", lambda m, x: m.special.sinc(x), None),
    ("entr", lambda m, x: m.special.entr(x.abs()), None),
]


@pytest.mark.parametrize("name,fn,_", SPECIAL, ids=[s[0] for s in SPECIAL])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special(name, fn, _, dtype):
    a = np.random.default_rng(0).uniform(-2, 2, (3, 4)).astype(dtype)
    a[0, 0] = 0.0
    e = ember.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    oe, ot = fn(ember, e), fn(torch, t)
    tol = 1e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(oe.detach().numpy(), ot.detach().numpy(), rtol=tol, atol=tol)
    assert str(oe.dtype).split(".")[-1] == str(ot.dtype).split(".")[-1]
    w = np.random.default_rng(1).standard_normal(a.shape).astype(dtype)
    (oe * ember.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol * 10)


def test_xlogy_grad_at_zero():
    def run(m):
        x = m.tensor([0.0, 0.0, 1.0, 0.0, 2.0], dtype=m.float64, requires_grad=True)
        y = m.tensor([0.5, 0.0, 0.5, float("nan"), 0.0], dtype=m.float64, requires_grad=True)
        out = m.special.xlogy(x, y)
        out.sum().backward()
        return [out.tolist(), x.grad.tolist(), y.grad.tolist(), type(out.grad_fn).__name__]

    np.testing.assert_equal(run(ember), run(torch))


def test_special_gammaln_grad_fn():
    x = ember.tensor([0.5, 3.0], requires_grad=True)
    assert ember.special.gammaln(x).grad_fn.name() == "LgammaBackward0"
    assert ember.special.erfc(x).grad_fn.name() == "ErfcBackward0"


CLOSE_CASES = [
    lambda m: m.testing.assert_close(m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 2.5, 3.0])),
    lambda m: m.testing.assert_close(
        m.tensor([[1.0, 2.0], [3.0, 4]]), m.tensor([[1.0, 2.5], [3.0, 5]])
    ),
    lambda m: m.testing.assert_close(m.tensor([1, 2, 3]), m.tensor([1, 4, 3])),
    lambda m: m.testing.assert_close(m.tensor(1.0), m.tensor(2.0)),
    lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0, 3.0])),
    lambda m: m.testing.assert_close(m.tensor([1.0]), m.tensor([1.0], dtype=m.float64)),
    lambda m: m.testing.assert_close(m.tensor([1.0, float("nan")]), m.tensor([1.0, float("nan")])),
    lambda m: m.testing.assert_close(
        m.tensor([1.0, float("nan")]), m.tensor([1.0, float("nan")]), equal_nan=True
    ),
    lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0]), rtol=0.1),
    lambda m: m.testing.assert_close(1.0, 1.1),
    lambda m: m.testing.assert_close(1, 2),
    lambda m: m.testing.assert_close([m.tensor(1.0)], [m.tensor(2.0)]),
    lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 3.0]), msg="custom"),
    lambda m: m.testing.assert_close(m.tensor([True, False]), m.tensor([True, True])),
    lambda m: m.testing.assert_close({"a": m.tensor(1.0)}, {"a": m.tensor(2.0)}),
    lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.00001])),
    lambda m: m.testing.assert_close(m.tensor([0.0, 2.0]), m.tensor([1.0, 0.0])),
    lambda m: m.testing.assert_close(
        m.tensor([1.0, 2.0], dtype=m.float64),
        m.tensor([1.0, 2.1], dtype=m.float64),
        rtol=0.01,
        atol=0.01,
    ),
]


@pytest.mark.parametrize("k", range(len(CLOSE_CASES)))
def test_assert_close_matches_torch(k):
    def run(m):
        try:
            CLOSE_CASES[k](m)
            return None
        except Exception as ex:  # noqa: BLE001
            return type(ex), str(ex).replace("torch.", "ember.")

    assert run(ember) == run(torch)


def test_python_protocols():
    x = ember.tensor(3.14159)
    tx = torch.tensor(3.14159)
    assert format(x, ".4f") == format(tx, ".4f") == "3.1416"
    assert f"{x:.2f} {ember.tensor(7):d}" == f"{tx:.2f} {torch.tensor(7):d}"
    n = ember.tensor(3)
    assert list(range(n)) == [0, 1, 2]
    assert ["a", "b", "c", "d"][n] == "d"
    with pytest.raises(TypeError):
        list(range(ember.tensor(2.0)))
    a = ember.arange(10) * 2
    ta = torch.arange(10) * 2
    for key in (range(2, 8, 3), [1, 4, 4], ember.tensor([0, 2]), (slice(None),)):
        tkey = torch.tensor([0, 2]) if isinstance(key, ember.Tensor) else key
        assert a[key].tolist() == ta[tkey].tolist()
    m = ember.arange(12).reshape(3, 4)
    assert m[[0, 2], 1:3].tolist() == torch.arange(12).reshape(3, 4)[[0, 2], 1:3].tolist()
    assert m[range(3), range(3)].tolist() == [0, 5, 10]


def test_deepcopy_and_pickle():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (x * 2).sum().backward()
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.tolist() == x.tolist()
    assert y.grad.tolist() == x.grad.tolist() and y.grad is not x.grad
    y.data.add_(1) if hasattr(y.data, "add_") else None
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    z = pickle.loads(pickle.dumps(x))
    assert z.tolist() == x.tolist() and z.requires_grad and z.dtype == x.dtype
    i = pickle.loads(pickle.dumps(ember.arange(5, dtype=ember.int32)))
    assert i.dtype == ember.int32 and i.tolist() == [0, 1, 2, 3, 4]
    pair = [x, x]
    c = copy.deepcopy(pair)
    assert c[0] is c[1]
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)


def test_is_inference_as_torch():
    flags = {}
    for lib in (torch, ember):
        with lib.inference_mode():
            t = lib.ones(2)
            made = [t, t * 2, t[0], lib.nn.Linear(2, 2)(t), t.max(0)[1]]
        with lib.no_grad():
            plain = lib.ones(1)
        flags[lib] = [x.is_inference() for x in made] + [
            lib.ones(1).is_inference(),
            (t * 2).is_inference(),
            plain.is_inference(),
            lib.is_inference(t),
        ]
    assert flags[ember] == flags[torch]
