"""Node hooks that take a gradient away or invent one, and the in-place error's node name."""

from __future__ import annotations

import pytest

from tests.helpers import check_raises, same_result_or_error


def _post_hook_invents(m):
    a = m.tensor([1.0, 2.0], requires_grad=True)
    y = a * 2  # MulBackward0: the scalar's slot is None
    y.grad_fn.register_hook(lambda gi, go: (gi[0], m.ones(2)))
    y.sum().backward()
    return a.grad


def _pre_hook_takes(m, where):
    a = m.tensor([1.0, 2.0], requires_grad=True)
    y = a * 2
    z = y * 3
    node = {"mul": y.grad_fn, "leaf": y.grad_fn.next_functions[0][0]}[where]
    node.register_prehook(lambda go: (None,))
    (z + a).sum().backward()
    return a.grad


def _modified_after_copy_slices(m):
    a = m.tensor([1.0, 2.0], requires_grad=True)
    b = a + 0
    c = b**2
    b[0] = 5
    c.sum().backward()


@pytest.mark.parametrize(
    "fn",
    [
        _post_hook_invents,
        lambda m: _pre_hook_takes(m, "mul"),
        lambda m: _pre_hook_takes(m, "leaf"),
    ],
    ids=["post_hook_invents", "pre_hook_takes_mul", "pre_hook_takes_leaf"],
)
def test_same_as_torch(fn):
    same_result_or_error(fn)


def test_modified_tensor_names_copy_slices_as_torch():
    import torch

    err = check_raises(_modified_after_copy_slices)
    try:
        _modified_after_copy_slices(torch)
    except RuntimeError as t:
        want = str(t)
    assert str(err).replace("ember.", "torch.") == want
    assert "output 0 of torch::autograd::CopySlices," in want


@pytest.mark.parametrize("shape", [(0,), (2,), (2, 0), (1,), ()])
def test_bool_of_a_tensor(shape):
    same_result_or_error(lambda m: bool(m.zeros(shape)))
