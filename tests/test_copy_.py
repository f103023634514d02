"""``Tensor.copy_`` against torch: broadcasting only up to the destination's shape, dtype casts,
numbers and non-tensors, self-overlap, and autograd through the copy."""

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember


def both(fn):
    """fn(module) in both libraries, the results compared."""
    assert_close(fn(ember), fn(torch), msg="copy_")


OK_SHAPES = [
    ((3,), ()),
    ((3,), (1,)),
    ((3, 2), (3, 1)),
    ((2, 3), (3,)),
    ((2, 3), (1, 3)),
    ((4, 2, 3), (2, 1)),
    ((0,), (0,)),
    ((0,), (1,)),
    ((0, 3), (3,)),
    ((), ()),
]
BAD_SHAPES = [
    ((), (1,)),  # a one-element tensor does not go into a 0-d one
    ((), (1, 1)),
    ((3,), (1, 3)),  # nor may src add leading dims of size one
    ((2, 3), (1, 1, 3)),
    ((3,), (2,)),
    ((3, 1), (3, 2)),
    ((2, 3), (6,)),
    ((1,), (0,)),
    ((2,), (0,)),
    ((0,), (2, 0)),
]


def _lin(m, shape, dtype="float32"):
    n = int(np.prod(shape))
    return m.tensor(np.linspace(-3, 3, n).reshape(shape).astype(dtype))


@pytest.mark.parametrize(("dst", "src"), OK_SHAPES)
def test_broadcast_into_destination(dst, src):
    both(lambda m: m.zeros(dst).copy_(_lin(m, src)))


@pytest.mark.parametrize(("dst", "src"), BAD_SHAPES)
def test_broadcast_beyond_destination_raises(dst, src):
    err = check_raises(lambda m: m.zeros(dst).copy_(_lin(m, src)))
    with pytest.raises(RuntimeError) as theirs:
        torch.zeros(dst).copy_(_lin(torch, src))
    assert str(err) == str(theirs.value)


def test_bad_shape_with_grad_raises_torch_error():
    err = check_raises(lambda m: m.zeros(()).copy_(m.ones(1, requires_grad=True)))
    assert str(err) == "output with shape [] doesn't match the broadcast shape [1]"


DTYPES = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool", "complex64"]


@pytest.mark.parametrize("dst", DTYPES)
@pytest.mark.parametrize("src", ["float64", "float32", "int64", "bool", "uint8"])
def test_dtype_casts(dst, src):
    values = np.array([0.0, -2.5, 0.1, 3.9, 1.0, 7.0])
    if src in ("bool", "uint8"):
        values = np.abs(values)
    both(
        lambda m: m.zeros(6, dtype=getattr(m, dst)).copy_(
            m.tensor(values.astype(src)).to(getattr(m, src))
        )
    )


def test_wrapping_casts_and_nan_to_bool():
    both(lambda m: m.zeros(3, dtype=m.uint8).copy_(m.tensor([-1, 256, 300])))
    both(lambda m: m.zeros(2, dtype=m.bool).copy_(m.tensor([float("nan"), 0.0])))
    both(lambda m: m.zeros(1).copy_(m.tensor([1e300], dtype=m.float64)))


def test_complex_to_real_warns_and_keeps_the_real_part():
    for m in (ember, torch):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            out = m.zeros(2).copy_(m.tensor([1 + 2j, 3 - 1j]))
        assert out.tolist() == [1.0, 3.0]
        messages = [str(w.message) for w in seen if w.category is UserWarning]
        assert any(msg.startswith("Casting complex values to real discards") for msg in messages)


@pytest.mark.parametrize("value", [True, 2, 1.5, 2 + 1j, np.float64(0.25)])
def test_numbers_are_accepted(value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda m: m.zeros(2).copy_(value))


@pytest.mark.parametrize("value", [[1.0, 2.0], np.ones(2), None, "x"])
def test_non_tensors_raise_type_error(value):
    err = check_raises(lambda m: m.zeros(2).copy_(value))
    assert "must be Tensor, not" in str(err)


def test_keyword_is_other():
    both(lambda m: m.zeros(2).copy_(other=m.ones(2), non_blocking=True))


OVERLAPS = {
    "shifted right": lambda x: x[1:].copy_(x[:-1]),
    "shifted left": lambda x: x[:-1].copy_(x[1:]),
    "transposed": lambda x: x.view(3, 3).copy_(x.view(3, 3).t()),
    "reshaped": lambda x: x[:6].view(1, 6).copy_(x[:6]),
    "transposed view into view": lambda x: x[:6].view(2, 3).t().copy_(x[:6].view(3, 2)),
}
NO_OVERLAP = {
    "itself": lambda x: x.copy_(x),
    "same view twice": lambda x: x[2:5].copy_(x[2:5]),
    "disjoint halves": lambda x: x[:4].copy_(x[5:]),
    "strided (too hard to tell)": lambda x: x[:8:2].copy_(x[1::2]),
    "strided rows": lambda x: x.view(3, 3)[:, :2].copy_(x.view(3, 3)[:, 1:]),
    "flipped": lambda x: x.copy_(x.flip(0)),
    "expanded source": lambda x: x.copy_(x[:1].expand(9)),
}


@pytest.mark.parametrize("name", OVERLAPS)
def test_partial_self_overlap_raises(name):
    err = check_raises(lambda m: OVERLAPS[name](m.arange(9.0)))
    assert str(err).startswith("unsupported operation: some elements of the input tensor")


@pytest.mark.parametrize("name", NO_OVERLAP)
def test_allowed_self_copies(name):
    def fn(m):
        x = m.arange(9.0)
        NO_OVERLAP[name](x)
        return x

    both(fn)


def test_expanded_destination_raises():
    err = check_raises(lambda m: m.zeros(1).expand(3).copy_(m.ones(3)))
    assert "more than one element of the written-to tensor" in str(err)


def test_gradients_flow_through_broadcast_copy():
    grads = []
    for m in (ember, torch):
        src = m.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        base = m.tensor([[4.0], [5.0]], requires_grad=True)
        dst = (base * 1.0).expand(2, 3).clone()
        dst.copy_(src * 2)
        (dst * m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        grads.append((src.grad, base.grad))
    assert_close(grads[0][0], grads[1][0])
    # the overwritten values get no gradient (torch: zeros; Ember's clone node: none)
    for _, base_grad in grads:
        assert base_grad is None or float(base_grad.abs().sum()) == 0


def test_version_counter_bumps():
    for m in (ember, torch):
        x = m.zeros(3)
        v = x._version
        x.copy_(m.ones(3))
        x.copy_(x)
        assert x._version == v + 2, m.__name__
