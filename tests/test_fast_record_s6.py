"""The session-6 short paths of small graphs, each against torch on the same program.

Recording through ``recorded()`` (operators, elementwise functions, whole-tensor sum and mean, a
classification step's cross entropy), the filled gradients of whole-tensor reductions, a loss's
``backward()`` straight to the engine, and the leaf's first gradient taken from the engine's
array: values, gradients, graphs, saved-tensor checks, hooks and aliasing as torch's.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_op

# --- values and gradients ------------------------------------------------------------------------
OPS = [
    lambda m, x, y: x * y,
    lambda m, x, y: x - y * 2.0,
    lambda m, x, y: 3 / (y.abs() + 1) + x / 2,
    lambda m, x, y: (x.tanh() * y.exp()).sin(),
    lambda m, x, y: x.abs().mean() + y.sum(),
    lambda m, x, y: (x - y).abs().mean(),
]


@pytest.mark.parametrize("op", range(len(OPS)))
@pytest.mark.parametrize("shapes", [[(3,), (3,)], [(4, 3), (3,)], [(2, 1, 3), (5, 1)], [(), ()]])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_short_paths_match_torch(op, shapes, dtype):
    check_op(OPS[op], shapes, dtype=dtype)


@pytest.mark.parametrize("n", [3, 4096, 4097])  # filled gradient up to 4096, a view beyond
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_whole_tensor_reductions(n, dtype, reduce):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n).astype(dtype)
    grads = []
    for m in (torch, ember):
        t = m.tensor(x.copy(), requires_grad=True)
        out = getattr(t * 3, reduce)()
        out.backward()
        grads.append((out, t.grad))
    (t_out, t_grad), (e_out, e_grad) = grads
    assert str(e_out.dtype).split(".")[1] == str(t_out.dtype).split(".")[1]
    assert_close(e_out, t_out)
    assert np.array_equal(e_grad.numpy(), t_grad.numpy())  # exact: g / n rounds as torch's
    assert e_grad.numpy().flags.writeable and e_grad.is_contiguous()


def test_mean_gradient_division_is_float32s():
    # 1/7 and friends: the quotient taken in Python's float must round as float32's own
    for n in (3, 7, 11, 13, 1000):
        e = ember.ones(n, requires_grad=True)
        t = torch.ones(n, requires_grad=True)
        (e * 0.3).mean().backward()
        (t * 0.3).mean().backward()
        assert np.array_equal(e.grad.numpy(), t.grad.numpy()), n


def test_empty_mean_and_sum():
    for m in (torch, ember):
        x = m.zeros(0, requires_grad=True)
        x.sum().backward()
        assert x.grad.shape == (0,)
        x.grad = None
        m_out = x.mean()
        assert np.isnan(m_out.item())
        m_out.backward()
        assert x.grad.shape == (0,)


def test_complex_mean_and_sum():
    z = np.array([1 + 2j, -3 + 0.5j], np.complex64)
    out = []
    for m in (torch, ember):
        t = m.tensor(z, requires_grad=True)
        (t.mean() * (2 - 1j) + t.sum()).abs().backward()
        out.append(t.grad)
    assert_close(out[1], out[0])


# --- graphs ----------------------------------------------------------------------------------
def _names(t):
    names, seen, todo = [], set(), [t.grad_fn]
    while todo:
        node = todo.pop(0)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(type(node).__name__)
        todo.extend(f for f, _ in node.next_functions)
    return names


@pytest.mark.parametrize(
    "program",
    [
        lambda m, a, b: (a - b).abs().mean(),
        lambda m, a, b: m.nn.L1Loss()(a, b),
        lambda m, a, b: (a * 2).sum() + (b * a).tanh().mean(),
        lambda m, a, b: m.nn.CrossEntropyLoss()(a.view(1, 3), m.tensor([2])),
        lambda m, a, b: 1.5 - a / b,
    ],
)
def test_graphs_as_torch(program):
    got = []
    for m in (torch, ember):
        a = m.tensor([1.0, -2.0, 5.0], requires_grad=True)
        b = m.tensor([1.0, 2.0, 3.0])
        got.append(_names(program(m, a, b)))
    assert got[1] == got[0]


def test_parameter_operands_record():
    grads = []
    for m in (torch, ember):
        p = m.nn.Parameter(m.tensor([1.0, 2.0]))
        y = (p * p).tanh().sum()
        y.backward()
        assert type(y.grad_fn).__name__ == "SumBackward0"
        grads.append(p.grad)
    assert_close(grads[1], grads[0])


# --- saved tensors, hooks, aliasing --------------------------------------------------------------
def test_inplace_change_after_fast_mul_is_caught():
    msgs = []
    for m in (torch, ember):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0])
        y = a * b
        b.add_(1)
        with pytest.raises(RuntimeError) as exc:
            y.sum().backward()
        msgs.append(str(exc.value).split(";")[0].replace("ember.", "torch."))
    assert msgs[1] == msgs[0]


def test_saved_tensors_hooks_see_fast_path_saves():
    grads = []
    for m in (torch, ember):
        packed = []
        a = m.tensor([1.0, 2.0], requires_grad=True)
        pack = lambda t, packed=packed: packed.append(1) or t  # noqa: E731
        with m.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            y = (a * a).tanh().sum()
        y.backward()
        assert len(packed) == 3  # a twice for mul, tanh's output
        grads.append(a.grad)
    assert_close(grads[1], grads[0])


def test_hooks_on_a_loss_and_retain_graph():
    seen = []
    for m in (torch, ember):
        a = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        loss = (a * 2).mean()
        loss.register_hook(lambda g: g * 10)
        loss.retain_grad()
        loss.backward(retain_graph=True)
        loss.backward()
        seen.append((a.grad.clone(), loss.grad.clone()))
    assert_close(seen[1][0], seen[0][0])
    assert_close(seen[1][1], seen[0][1])


def test_second_backward_without_retain_graph_fails():
    for m in (torch, ember):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        loss = (a * a).mean()
        loss.backward()
        with pytest.raises(RuntimeError, match="second time"):
            loss.backward()


def test_leaf_grads_do_not_alias():
    # two leaves fed the same upstream gradient array each get their own .grad
    for m in (torch, ember):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0], requires_grad=True)
        (a + b).sum().backward()
        a.grad.mul_(5)
        assert b.grad.tolist() == [1.0, 1.0]
        a2 = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a2.sum().backward()
        a2.grad.add_(1)  # the filled gradient is the leaf's own memory
        assert a2.grad.tolist() == [2.0, 2.0, 2.0]


def test_grad_accumulates_over_backwards():
    got = []
    for m in (torch, ember):
        a = m.tensor([1.0, -2.0, 5.0], requires_grad=True)
        first = None
        for _ in range(3):
            (a * 2).abs().mean().backward()
            first = first if first is not None else a.grad
        assert a.grad is first  # accumulated in place, the same tensor
        got.append(a.grad)
    assert_close(got[1], got[0])


def test_non_scalar_and_integer_losses_refuse_as_torch():
    for m in (torch, ember):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
            (a * 2).backward()
        z = m.tensor(1.0 + 1.0j, requires_grad=True)
        with pytest.raises(RuntimeError, match="real scalar outputs"):
            (z * 2).backward()


# --- cross entropy ---------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("shape", [(32, 10), (4, 3), (2, 100)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_step_bits(reduction, shape, dtype):
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    y = rng.integers(0, shape[1], shape[0])
    got = []
    for m in (torch, ember):
        t = m.tensor(x.copy(), requires_grad=True)
        loss = m.nn.functional.cross_entropy(t, m.tensor(y), reduction=reduction)
        loss.backward()
        got.append((loss, t.grad))
    assert_close(got[1][0], got[0][0])
    assert_close(got[1][1], got[0][1])


def test_log_softmax_backward_short_rows_any_gradient():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((20, 7)).astype(np.float32)
    g = rng.standard_normal((20, 7)).astype(np.float32)
    got = []
    for m in (torch, ember):
        t = m.tensor(x.copy(), requires_grad=True)
        t.log_softmax(1).backward(m.tensor(g.copy()))
        got.append(t.grad)
    assert_close(got[1], got[0])


# --- found by this session's review ----------------------------------------------------------
def test_create_graph_first_gradient_is_a_copy():
    got = []
    for m in (torch, ember):
        x = m.ones(3, requires_grad=True)
        x.sum().backward(create_graph=True)  # a zero-stride expand, under create_graph
        (x * m.tensor([1.0, 2.0, 3.0])).sum().backward()
        y = m.ones(3, requires_grad=True)
        (y * y).sum().backward(create_graph=True)
        got.append((x.grad.tolist(), type(y.grad.grad_fn).__name__))
    assert got[1] == got[0] == ([2.0, 3.0, 4.0], "CopyBackwards")


def test_gradients_user_code_saw_are_not_adopted():
    kept = []
    for m in (torch, ember):
        a = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        saved = []
        y = a + 1.0
        y.register_hook(saved.append)  # the hook keeps the gradient that reaches a
        (y * 2).sum().backward()
        (a * 1).sum().backward()  # adds into a.grad in place
        kept.append(saved[0].tolist())
    assert kept[1] == kept[0] == [2.0, 2.0, 2.0]


def _twice(m, keep):
    """A custom Function whose backward keeps the gradient it returns."""

    class Twice(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            keep.append(g * 2)
            return keep[-1]

    return Twice


def test_custom_function_result_is_not_adopted():
    kept = []
    for m in (torch, ember):
        keep = []
        a = m.tensor([1.0, 2.0], requires_grad=True)
        _twice(m, keep).apply(a).sum().backward()
        a.grad.add_(1)
        kept.append((keep[0].tolist(), a.grad.tolist()))
    assert kept[1] == kept[0]


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_dim_none_with_keepdim(reduce):
    got = []
    for m in (torch, ember):
        x = m.ones(2, 3, requires_grad=True)
        out = getattr(x, reduce)(dim=None, keepdim=True)
        out.backward(m.ones(1, 1))
        got.append((tuple(out.shape), type(out.grad_fn).__name__, x.grad.tolist()))
    assert got[1] == got[0]


@pytest.mark.parametrize("n", [3000, 6001])  # filled, then the zero-stride view
def test_float16_mean_gradient_rounds_as_torch(n):
    grads = []
    for m in (torch, ember):
        h = m.ones(n, dtype=m.float16, requires_grad=True)
        (h.mean() * 0.625).backward()
        w = m.ones(2, n, dtype=m.float16, requires_grad=True)
        (w.mean(1) * 0.625).sum().backward()  # over a dim: MeanBackward1
        grads.append((h.grad[0].item(), w.grad[1, 0].item()))
    assert grads[1] == grads[0]


def test_collate_of_no_ints_is_float_as_torch():
    from torch.utils.data._utils.collate import collate_int_fn as torch_collate_int

    from ember.utils.data._utils.collate import collate_int_fn

    e, t = collate_int_fn([]), torch_collate_int([])
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert tuple(e.shape) == tuple(t.shape)


def test_plain_backward_adds_into_a_grad_that_requires_grad():
    import warnings

    got = []
    for m in (torch, ember):
        x = m.ones(3, requires_grad=True)
        with warnings.catch_warnings():  # torch's once-per-process reference-cycle warning
            warnings.simplefilter("ignore")
            (x * x).sum().backward(create_graph=True)
        g = x.grad
        (x * 2).sum().backward()  # outside grad mode: in place, as torch
        got.append((x.grad is g, g.requires_grad, g.tolist(), g._version))
    assert got[1] == got[0]


def test_enable_grad_inside_inference_mode_records_nothing():
    got = []
    for m in (torch, ember):
        a = m.ones(2, requires_grad=True)
        with m.inference_mode():
            seen = [m.is_grad_enabled()]
            with m.enable_grad():
                y = a * 2
                seen += [y.requires_grad, y.is_inference(), m.is_grad_enabled()]
                with m.no_grad():
                    seen.append(m.is_grad_enabled())
            with m.set_grad_enabled(True):
                seen.append(m.is_grad_enabled())
            seen.append(m.is_grad_enabled())
        seen.append(m.is_grad_enabled())
        got.append(seen)
    assert got[1] == got[0] == [False, False, True, True, False, True, False, True]


@pytest.mark.parametrize("name", ["tanh", "abs", "relu", "neg", "exp", "sigmoid", "floor", "sqrt"])
@pytest.mark.parametrize("value", [3.0, [1.0, 2.0]])
def test_elementwise_functions_refuse_non_tensors_as_torch(name, value):
    msgs = []
    for m in (torch, ember):
        with pytest.raises(TypeError) as exc:
            getattr(m, name)(value)
        msgs.append(str(exc.value))
    assert msgs[1] == msgs[0]
