"""Tensor basics against torch: creation, dtypes, promotion, conversion, properties, printing,
in-place rules, version counters and views."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember


def both(fn):
    """Run ``fn`` on each library; compare the results (tensors, Sizes, dtypes, scalars)."""
    e, t = fn(ember), fn(torch)
    _cmp(e, t)
    return e


def _cmp(e, t):
    if isinstance(t, torch.Tensor):
        assert_close(e, t)
    elif isinstance(t, torch.dtype):
        assert str(e) == str(t).replace("torch.", "ember."), (e, t)
    elif isinstance(t, torch.Size):
        assert tuple(e) == tuple(t) and repr(e) == repr(t).replace("torch", "ember")
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _cmp(a, b)
    elif isinstance(t, str):
        assert e == t.replace("torch.", "ember."), (e, t)
    else:
        assert e == t and type(e) is type(t), (e, t)


CREATION = [
    lambda m: m.tensor(1.5),
    lambda m: m.tensor(2),
    lambda m: m.tensor(True),
    lambda m: m.tensor([1, 2.5]),
    lambda m: m.tensor([[1, 2], [3, 4]]),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor([]),
    lambda m: m.tensor([[]]),
    lambda m: m.tensor([1, True]),
    lambda m: m.tensor([1.0, True]),
    lambda m: m.tensor(np.array([1, 2], np.int32)),
    lambda m: m.tensor(np.float64(2.5)),
    lambda m: m.tensor(np.array([1.0], np.float16)),
    lambda m: m.tensor([np.float32(1.0)]),
    lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
    lambda m: m.tensor([1, 2], dtype=m.float64),
    lambda m: m.tensor([1.7, -1.7], dtype=m.int64),
    lambda m: m.tensor(3.0, dtype=m.bool),
    lambda m: m.as_tensor([1, 2]),
    lambda m: m.as_tensor(np.arange(3.0)),
    lambda m: m.as_tensor([1, 2], dtype=m.float32),
    lambda m: m.zeros(2, 3),
    lambda m: m.zeros((2, 3)),
    lambda m: m.zeros([2]),
    lambda m: m.zeros(()),
    lambda m: m.ones(2, dtype=m.int64),
    lambda m: m.full((2,), 3),
    lambda m: m.full((2,), 3.0),
    lambda m: m.full((2,), True),
    lambda m: m.empty(2, 3).shape,
    lambda m: m.arange(5),
    lambda m: m.arange(1, 4),
    lambda m: m.arange(0, 1, 0.25),
    lambda m: m.arange(5.0),
    lambda m: m.arange(0, 10, 3),
    lambda m: m.arange(10, 0, -3),
    lambda m: m.arange(0.1, 1.0, 0.3, dtype=m.float64),
    lambda m: m.linspace(0, 1, 5),
    lambda m: m.linspace(-1, 1, 1),
    lambda m: m.linspace(0, 10, 7, dtype=m.float64),
    lambda m: m.eye(3),
    lambda m: m.eye(2, 3, dtype=m.int64),
    lambda m: m.zeros_like(m.ones(2, dtype=m.int32)),
    lambda m: m.ones_like(m.ones(2)),
    lambda m: m.full_like(m.ones(2), 7),
    lambda m: m.full_like(m.ones(2, dtype=m.int64), 2.7),
    lambda m: m.empty_like(m.ones(2, 3)).shape,
    lambda m: m.zeros(2, dtype=m.float16),
    lambda m: m.ones(2, 2, dtype=m.uint8),
    lambda m: m.zeros(0, 3),
]


@pytest.mark.parametrize("i", range(len(CREATION)))
def test_creation(i):
    both(CREATION[i])


def test_from_numpy_shares_memory():
    a = np.arange(4.0)
    t = ember.from_numpy(a)
    a[0] = 10
    assert t[0].item() == 10.0
    t[1] = -1
    assert a[1] == -1
    assert ember.as_tensor(a)._data is a
    assert not np.shares_memory(ember.tensor(a).numpy(), a)
    check_raises(lambda m: m.from_numpy([1, 2]))
    check_raises(lambda m: m.from_numpy(np.array(["a"])))


def test_default_dtype():
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        both(lambda m: m.tensor([1.0]))
        both(lambda m: m.ones(2))
        both(lambda m: m.tensor([1, 2]) * 0.5)
        both(lambda m: m.get_default_dtype())
        assert repr(ember.tensor([1.5])) == repr(torch.tensor([1.5]))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
    check_raises(lambda m: m.set_default_dtype(m.int64))


def test_dtypes_and_aliases():
    for name in (
        "float32",
        "float64",
        "float16",
        "int64",
        "int32",
        "int16",
        "int8",
        "uint8",
        "bool",
        "float",
        "double",
        "long",
        "int",
        "half",
        "short",
    ):
        e, t = getattr(ember, name), getattr(torch, name)
        assert repr(e) == repr(t).replace("torch", "ember")
        assert e.is_floating_point == t.is_floating_point
        assert e.itemsize == t.itemsize
    for a in (torch.uint8, torch.int8, torch.bool, torch.int32, torch.float16, torch.float64):
        for b in (torch.uint8, torch.int8, torch.bool, torch.int64, torch.float32):
            ea, eb = (getattr(ember, str(x).split(".")[1]) for x in (a, b))
            _cmp(ember.promote_types(ea, eb), torch.promote_types(a, b))


PROMOTION = [
    lambda m: (m.ones(2, dtype=m.int64) * 2.5).dtype,
    lambda m: (m.ones(2) * m.ones(2, dtype=m.float64)).dtype,
    lambda m: (m.ones(2) * m.tensor(2.0, dtype=m.float64)).dtype,
    lambda m: (m.ones(2, dtype=m.int32) * m.tensor(2)).dtype,
    lambda m: (m.ones(2, dtype=m.int32) * m.tensor(2.0)).dtype,
    lambda m: (m.ones(2, dtype=m.uint8) + m.ones(2, dtype=m.int8)).dtype,
    lambda m: (m.ones(2, dtype=m.bool) + m.ones(2, dtype=m.bool)).dtype,
    lambda m: (m.ones(2, dtype=m.bool) + 1).dtype,
    lambda m: (m.ones(2, dtype=m.bool) + 1.0).dtype,
    lambda m: (m.ones(2, dtype=m.int64) / m.ones(2, dtype=m.int64)).dtype,
    lambda m: (m.ones(2, dtype=m.float16) * 2.0).dtype,
    lambda m: (m.ones(2, dtype=m.float16) * m.tensor(2.0)).dtype,
    lambda m: (m.tensor(2, dtype=m.int32) * m.tensor(2.0, dtype=m.float64)).dtype,
    lambda m: (m.ones(2, dtype=m.int16) + True).dtype,
    lambda m: m.cat([m.ones(2, dtype=m.int32), m.ones(2)]).dtype,
    lambda m: m.where(m.tensor([True]), m.ones(1, dtype=m.int32), m.ones(1)).dtype,
]


@pytest.mark.parametrize("i", range(len(PROMOTION)))
def test_promotion(i):
    both(PROMOTION[i])


CONVERSION = [
    lambda m: m.tensor([1.7, -2.2]).long(),
    lambda m: m.tensor([1.7, -2.2]).int(),
    lambda m: m.tensor([0.0, 2.0]).bool(),
    lambda m: m.tensor([1, 2]).float(),
    lambda m: m.tensor([1, 2]).double(),
    lambda m: m.tensor([1.0, 2.0]).half(),
    lambda m: m.tensor([1, 2]).to(m.float64),
    lambda m: m.tensor([1, 2]).to("cpu"),
    lambda m: m.tensor([1, 2]).to("cpu", m.float32),
    lambda m: m.tensor([1, 2]).to(dtype=m.int8),
    lambda m: m.tensor([1, 2]).to(m.ones(1, dtype=m.float16)),
    lambda m: m.tensor([1, 2]).type_as(m.ones(1)),
    lambda m: m.tensor([1, 2]).cpu(),
    lambda m: m.tensor([1, 2]).type(),
    lambda m: m.tensor([1.0]).type(),
    lambda m: m.tensor([1, 2]).type(m.float64),
    lambda m: m.tensor([1, 2]).type("torch.DoubleTensor"),
    lambda m: m.tensor([[1, 2], [3, 4]]).tolist(),
    lambda m: m.tensor(2.5).item(),
    lambda m: m.tensor([7]).item(),
    lambda m: m.tensor(True).item(),
    lambda m: float(m.tensor(2.5)),
    lambda m: int(m.tensor(2.9)),
    lambda m: bool(m.tensor([0.0])),
    lambda m: m.tensor([1.0, 2.0]).tolist(),
    lambda m: len(m.ones(3, 2)),
    lambda m: [x.tolist() for x in m.tensor([[1, 2], [3, 4]])],
    lambda m: m.tensor([1.0, 2.0]).numpy().tolist(),
    lambda m: str(m.tensor([1.0]).device),
    lambda m: m.tensor([1.0]).is_cuda,
    lambda m: [1, 2, 3][m.tensor(1)],
    lambda m: f"{m.tensor(2.5):.3f}",
    lambda m: f"{m.tensor(3)}",
    lambda m: f"{m.tensor([1.5])}",
    lambda m: f"{m.tensor(1.0):>6.2f}",
    lambda m: f"{m.tensor([1.0, 2.0])!r}",
    lambda m: m.cuda.is_available(),
    lambda m: np.asarray(m.tensor([1, 2])).tolist(),
    lambda m: np.array(m.tensor([1.5]), dtype=np.float64).dtype == np.float64,
]


@pytest.mark.parametrize("i", range(len(CONVERSION)))
def test_conversion(i):
    both(CONVERSION[i])


PROPERTIES = [
    lambda m: m.ones(2, 3).shape,
    lambda m: m.ones(2, 3).size(),
    lambda m: m.ones(2, 3).size(-1),
    lambda m: m.ones(2, 3).dim(),
    lambda m: m.ones(2, 3).ndim,
    lambda m: m.ones(2, 3).numel(),
    lambda m: m.ones(2, 3).dtype,
    lambda m: m.ones(2, 3).is_contiguous(),
    lambda m: m.ones(2, 3).t().is_contiguous(),
    lambda m: m.ones(2, 3).t().contiguous().stride(),
    lambda m: m.ones(2, 3).stride(),
    lambda m: m.ones(2, 3).t().stride(),
    lambda m: m.ones(2, 3).element_size(),
    lambda m: m.ones(2, 3).is_leaf,
    lambda m: m.ones(2, 3).requires_grad,
    lambda m: m.ones(2, requires_grad=True).is_leaf,
    lambda m: (m.ones(2, requires_grad=True) * 2).is_leaf,
    lambda m: (m.ones(2, requires_grad=True) * 2).requires_grad,
    lambda m: m.ones(2, requires_grad=True).detach().requires_grad,
    lambda m: m.ones(2, 3).shape[1:],
    lambda m: m.ones(2, 3).shape + (4,),
    lambda m: m.ones(2, 3).shape.numel(),
    lambda m: m.Size([2, 3]),
    lambda m: m.ones(2, 3).is_floating_point(),
    lambda m: m.ones(2, dtype=m.int64).is_floating_point(),
    lambda m: m.ones(2, 3).T.shape,
    lambda m: m.ones(4, 2, 3).mT.shape,
    lambda m: m.ones(3, 2, requires_grad=True).T.grad_fn.name(),
    lambda m: m.is_tensor(m.ones(1)),
    lambda m: m.numel(m.ones(2, 2)),
]


@pytest.mark.parametrize("i", range(len(PROPERTIES)))
def test_properties(i):
    both(PROPERTIES[i])


REPRS = [
    lambda m: m.tensor([1, 2, 5], dtype=m.float32).sub(m.tensor([1.0, 2.0, 3.0])).abs().mean(),
    lambda m: m.tensor([1.5, 2.25], requires_grad=True),
    lambda m: m.tensor([1.5, 2.25], requires_grad=True) * 2,
    lambda m: m.tensor([[1, 2], [3, 4]]),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
    lambda m: m.arange(2000.0),
    lambda m: m.tensor([1e-8, 1.0]),
    lambda m: m.tensor([1e10, 1.0]),
    lambda m: m.arange(24.0).reshape(2, 3, 4),
    lambda m: m.zeros(0, 3),
    lambda m: m.tensor(3, dtype=m.int32),
    lambda m: m.tensor([1.0, float("nan"), float("inf")]),
    lambda m: m.ones(2, requires_grad=True).sum(),
    lambda m: m.ones(2, requires_grad=True).mean(),
    lambda m: m.ones(3, 2, requires_grad=True).view(6),
    lambda m: m.ones(2, 2, requires_grad=True) @ m.ones(2, 2),
    lambda m: m.ones(2, dtype=m.float16),
    lambda m: m.ones(2, dtype=m.uint8),
    lambda m: m.Size([2, 3]),
    lambda m: m.float64,
    lambda m: m.device("cpu"),
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_repr(i):
    e, t = REPRS[i](ember), REPRS[i](torch)
    assert repr(e) == repr(t).replace("torch.", "ember."), (repr(e), repr(t))
    assert str(e) == str(t).replace("torch.", "ember.")


def test_inplace_and_versions():
    for m in (ember, torch):
        x = m.ones(3)
        v0 = x._version
        x.add_(1)
        x.mul_(2)
        x[0] = 5
        assert x._version == v0 + 3
        y = x.view(3)
        y.zero_()
        assert x._version == y._version == v0 + 4
        assert x.tolist() == [0.0, 0.0, 0.0]
        x.fill_(2).clamp_(max=1.5)
        assert x.tolist() == [1.5, 1.5, 1.5]
        d = x.detach()
        d.add_(1)
        assert x.tolist() == [2.5, 2.5, 2.5] and x._version == d._version
        x.data.mul_(2)  # .data is untracked
        assert x.tolist() == [5.0, 5.0, 5.0]


def test_inplace_rules():
    check_raises(lambda m: m.ones(2, requires_grad=True).add_(1))
    check_raises(lambda m: m.ones(2, requires_grad=True)[0].mul_(2))
    check_raises(lambda m: m.ones(2, requires_grad=True).zero_())
    check_raises(lambda m: m.ones(2, requires_grad=True).fill_(1.0))

    def saved_then_modified(m):
        a = m.ones(3, requires_grad=True)
        b = a * 2
        c = b * b
        b.add_(1)
        c.sum().backward()

    e = check_raises(saved_then_modified)
    assert "modified by an inplace operation" in str(e)

    def exp_out_modified(m):
        a = m.ones(3, requires_grad=True)
        b = a.exp()
        b.mul_(2)
        b.sum().backward()

    check_raises(exp_out_modified)
    for m in (ember, torch):  # inside no_grad a leaf may change in place
        w = m.ones(2, requires_grad=True)
        with m.no_grad():
            w.sub_(0.5)
        assert w.tolist() == [0.5, 0.5] and w.requires_grad and w.is_leaf
        b = w * 1
        b.add_(1)  # a non-leaf may
        assert b.grad_fn.name() == "AddBackward0"
        b.sum().backward()
        assert w.grad.tolist() == [1.0, 1.0]


def test_data_and_detach_semantics():
    for m in (ember, torch):
        w = m.ones(2, requires_grad=True)
        assert not w.data.requires_grad and w.data.is_leaf
        w.data = m.zeros(2)
        assert w.tolist() == [0.0, 0.0] and w.requires_grad
        y = w * 2
        y.detach_()
        assert y.grad_fn is None and not y.requires_grad and y.is_leaf
        z = w.detach()
        assert np.shares_memory(np.asarray(z), np.asarray(w.detach()))


def test_conversion_errors():
    check_raises(lambda m: m.ones(2, requires_grad=True).numpy())
    check_raises(lambda m: m.ones(2).item())
    check_raises(lambda m: bool(m.ones(2)))
    check_raises(lambda m: m.ones(2).cuda())
    check_raises(lambda m: m.ones(2).to("cuda"))
    check_raises(lambda m: m.ones(2, dtype=m.int64).requires_grad_())
    check_raises(lambda m: m.tensor([[1, 2], [3]]))
    check_raises(lambda m: m.tensor("a"))
    check_raises(lambda m: m.zeros(-1))
    check_raises(lambda m: m.ones(2).size(2))
    check_raises(lambda m: (m.ones(2, requires_grad=True) * 2).requires_grad_(False))
    check_raises(lambda m: m.arange(0, 5, 0))
    check_raises(lambda m: m.device("tpu"))


def test_hash_iter_copy_pickle():
    a = ember.ones(2)
    assert hash(a) == id(a) or hash(a) == object.__hash__(a)
    assert {a: 1}[a] == 1
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    c = copy.deepcopy(w)
    assert c.requires_grad and c.tolist() == [1.0, 2.0] and c is not w
    p = pickle.loads(pickle.dumps(w))
    assert p.requires_grad and p.tolist() == [1.0, 2.0]
    check_raises(lambda m: copy.deepcopy(m.ones(2, requires_grad=True) * 2))


@pytest.mark.parametrize(
    "expr",
    [
        *("a * b", "a + b", "a - b", "a / b", "a * 2", "2 * a", "1 - a", "a - 1.5", "2.0 / a"),
        *("a / 0", "z * z", "z + 1", "1 / z", "h * 3", "h * 100000"),
        *("a * -(2**63)", "a * (2**64 - 1)", "a * z", "z - a", "a.reshape(3, 1) / b"),
    ],
)
@pytest.mark.parametrize("grad", [False, True])
def test_operator_shortcuts_match_torch(expr, grad):
    # The operators' no-recording shortcut (functions/math.py ``operator``) against torch.
    def run(m):
        names = {
            "a": m.tensor([1.5, -2.0, 0.0], requires_grad=grad),
            "b": m.tensor([0.5, 4.0, -1.0]),
            "z": m.tensor(3.0),
            "h": m.tensor([1.0, -2.0], dtype=m.float16),
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with m.no_grad():
                return eval(expr, {}, names)

    e, t = run(ember), run(torch)
    assert e.dtype.__repr__().split(".")[1] == repr(t.dtype).split(".")[1]
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_operator_shortcut_keeps_torchs_shape_error():
    with ember.no_grad():
        e = check_raises(lambda m: m.ones(3) * m.ones(2))
    assert str(e) == (
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"
    )


@pytest.mark.parametrize("expr", ["a * 2**64", "2**64 * a", "a + 10**20", "a - (-(2**63) - 1)"])
def test_python_ints_beyond_64_bits_overflow(expr):
    for m in (ember, torch):
        with pytest.raises((OverflowError, RuntimeError)):
            eval(expr, {}, {"a": m.ones(2)})


def test_array_protocol_as_torch():
    for m in (ember, torch):
        t = m.tensor([1.5, 2.0])
        a = np.array(t, copy=True)
        a[0] = 9
        assert t.tolist() == [1.5, 2.0], m.__name__
        with pytest.raises(RuntimeError, match="requires grad"):
            np.asarray(m.ones(2, requires_grad=True))


def test_conv_activations_look_contiguous_as_torch():
    # Ember keeps activations channels-last inside; the user sees torch's contiguous tensors:
    # strides, is_contiguous, view (sharing memory) and ViewBackward0 after flatten.
    def run(m):
        m.manual_seed(0)
        conv = m.nn.Conv2d(3, 4, 3)
        y = m.nn.MaxPool2d(2)(conv(m.randn(2, 3, 6, 6)).relu())
        flat = y.view(y.size(0), -1)
        with m.no_grad():
            flat[0, 0] = 5.0
        out = (y.is_contiguous(), y.stride(), type(y.flatten(1).grad_fn).__name__)
        return out, y[0, 0, 0, 0].item(), y.contiguous() is y

    assert run(ember) == run(torch)


def test_floating_point_events_are_silent_as_torchs():
    # torch computes log(0), 0/0 and overflow silently; NumPy warns. Ember silences only the
    # warnings its own code raises: a user's NumPy call still warns (here: is an error).
    import subprocess
    import sys

    code = (
        "import ember, numpy as np\n"
        "x = ember.tensor([0.0, -1.0, 1e30])\n"
        "print(x.log().tolist(), (x / 0).tolist(), (x * 1e30).tolist(), x.sqrt().tolist())\n"
        "try:\n    np.log(np.zeros(1))\nexcept RuntimeWarning:\n    print('numpy warns')\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    x = torch.tensor([0.0, -1.0, 1e30])
    assert (
        out[0] == f"{x.log().tolist()} {(x / 0).tolist()} {(x * 1e30).tolist()} {x.sqrt().tolist()}"
    )
    assert out[1] == "numpy warns"


def test_permuted_nhwc_view_is_not_contiguous_as_torch():
    # Only tensors Ember laid out itself count as contiguous; a user's permute is a view.
    def run(m):
        x = m.arange(180.0).reshape(2, 5, 6, 3).permute(0, 3, 1, 2)
        try:
            x.view(2, -1)
            viewed = True
        except RuntimeError:
            viewed = False
        return x.is_contiguous(), x.stride(), viewed

    assert run(ember) == run(torch)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.empty(0, 3),
        lambda m: m.empty(2, 0, 3),
        lambda m: m.arange(10.0)[3:],
        lambda m: m.arange(12.0).view(3, 4)[1:, 2:],
        lambda m: m.arange(12.0).view(3, 4).t(),
        lambda m: m.arange(12.0).view(3, 4)[:, 1],
        lambda m: m.arange(24.0).view(2, 3, 4)[1].unsqueeze(0)[:, 1:],
        lambda m: m.ones(3, 1).expand(3, 4),
    ],
)
def test_strides_and_storage_offset_match_torch(make):
    e, t = make(ember), make(torch)
    assert e.stride() == t.stride()
    assert e.storage_offset() == t.storage_offset()


def test_squeeze_of_a_dim_records_squeeze_backward1_even_when_nothing_is_squeezed():
    for m in (ember, torch):
        x, y = m.tensor(2.0, requires_grad=True), m.ones(2, 3, requires_grad=True)
        assert x.squeeze(0).grad_fn.name() == "SqueezeBackward1"
        assert y.squeeze(0).grad_fn.name() == "SqueezeBackward1"
        assert tuple(y.squeeze(0).shape) == (2, 3)


def test_setitem_values_as_torch():
    for m in (ember, torch):
        x = m.zeros(2, 3)
        x[0, 0] = m.ones(1)  # the value's leading size-1 dims go
        x[0, :2] = m.ones(1, 2) * 2
        x[1] = 5
        x[1, 1] = np.float64(7)
        np.testing.assert_array_equal(np.asarray(x.tolist()), [[2, 2, 0], [5, 7, 5]])
    for value in ([1.0, 2.0, 3.0], np.ones(3), np.float32(2), None):
        check_raises(lambda m, v=value: m.zeros(2, 3).__setitem__(1, v))
    check_raises(lambda m: m.zeros(2, 3).__setitem__(0, m.ones(2, 3)))
