"""Complex autograd against torch: the gradients of real losses of complex inputs (torch's
conjugate Wirtinger convention), complex ``grad_outputs``, and the complex-only errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember

DTYPES = [np.complex64, np.complex128]
TOLS = {np.complex64: (2e-4, 2e-5), np.complex128: (1e-9, 1e-10)}


def _complex(rng, shape, dtype, low=-1.5, high=1.5):
    parts = rng.uniform(low, high, size=(2,) + tuple(shape))
    return np.asarray(parts[0] + 1j * parts[1]).astype(dtype)


def _inputs(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [_complex(rng, s, dtype) for s in shapes]
    e = [ember.tensor(a.copy(), requires_grad=True) for a in arrays]
    t = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    return e, t


def _check_grads(fn, shapes, dtype, seed=0, torch_fn=None):
    """Forward and the gradients of two real losses: ``(f * w).real.sum()``, ``|f|.sum()``."""
    rtol, atol = TOLS[dtype]
    for loss_kind in ("weighted", "abs"):
        e_in, t_in = _inputs(shapes, dtype, seed)
        e_out, t_out = fn(ember, *e_in), (torch_fn or fn)(torch, *t_in).resolve_conj()
        assert_close(e_out, t_out, rtol, atol, msg="forward")
        if loss_kind == "weighted":
            w = _complex(np.random.default_rng(seed + 1), tuple(t_out.shape), dtype)
            t_loss = (t_out * torch.from_numpy(w)).real.sum()
            e_loss = (e_out * ember.tensor(w)).real.sum()
        else:
            t_loss, e_loss = t_out.abs().sum(), e_out.abs().sum()
        t_loss.backward()
        e_loss.backward()
        for i, (ei, ti) in enumerate(zip(e_in, t_in)):
            assert_close(ei.grad, ti.grad.resolve_conj(), rtol, atol, msg=f"{loss_kind}: grad {i}")


UNARY = {
    "neg": lambda m, z: -z,
    "conj": lambda m, z: z.conj(),
    "conj_physical": lambda m, z: m.conj_physical(z),
    "exp": lambda m, z: z.exp(),
    "log": lambda m, z: z.log(),
    "sqrt": lambda m, z: z.sqrt(),
    "rsqrt": lambda m, z: z.rsqrt(),
    "reciprocal": lambda m, z: z.reciprocal(),
    "sin": lambda m, z: z.sin(),
    "cos": lambda m, z: z.cos(),
    "tan": lambda m, z: z.tan(),
    "sinh": lambda m, z: z.sinh(),
    "cosh": lambda m, z: z.cosh(),
    "tanh": lambda m, z: z.tanh(),
    "sigmoid": lambda m, z: z.sigmoid(),
    "expm1": lambda m, z: z.expm1(),
    "log1p": lambda m, z: z.log1p(),
    "log2": lambda m, z: z.log2(),
    "log10": lambda m, z: z.log10(),
    "asin": lambda m, z: z.asin(),
    "acos": lambda m, z: z.acos(),
    "atan": lambda m, z: z.atan(),
    "asinh": lambda m, z: z.asinh(),
    "acosh": lambda m, z: z.acosh(),
    "atanh": lambda m, z: z.atanh(),
    "square": lambda m, z: z * z,
    "pow_scalar": lambda m, z: z**3,
    "pow_half": lambda m, z: z**0.5,
    "abs": lambda m, z: z.abs(),
    "angle": lambda m, z: z.angle(),
    "real": lambda m, z: z.real * 2,
    "imag": lambda m, z: z.imag * 2,
    "sum": lambda m, z: z.sum(),
    "sum_dim": lambda m, z: z.sum(1),
    "mean": lambda m, z: z.mean(),
    "mean_dim": lambda m, z: z.mean(0, keepdim=True),
    "prod": lambda m, z: z.prod(1),
    "prod_with_zero": lambda m, z: (z * m.tensor([[1, 0, 1]] * 3)).prod(1),
    "cumprod_with_zero": lambda m, z: (z * m.tensor([[1, 0, 1]] * 3)).cumprod(1),
    "var": lambda m, z: z.var(),
    "var_dim": lambda m, z: z.var(1, correction=0),
    "std_dim": lambda m, z: z.std(0, keepdim=True),
    "logsumexp": lambda m, z: z.logsumexp(1),
    "cumsum": lambda m, z: z.cumsum(1),
    "cumprod": lambda m, z: z.cumprod(1),
    "mul_scalar": lambda m, z: z * (2 - 3j),
    "div_scalar": lambda m, z: z / (2 - 3j),
    "rdiv_scalar": lambda m, z: (1 + 2j) / z,
    "pow_complex_exponent": lambda m, z: z ** (1.5 + 1j),
    "rpow": lambda m, z: 2**z,
    "rpow_complex_base": lambda m, z: (2 + 1j) ** z,
    "rpow_negative_base": lambda m, z: (-2) ** z,
    "mH": lambda m, z: z.mH,
    "H": lambda m, z: z.H,
    "adjoint": lambda m, z: z.adjoint(),
    "transpose": lambda m, z: z.t(),
    "clone": lambda m, z: z.clone(),
    "matrix_exp": lambda m, z: m.linalg.matrix_exp(z * 0.5),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary(name, dtype):
    _check_grads(UNARY[name], [(3, 3)], dtype)


BINARY = {
    "add": (lambda m, a, b: a + b, [(2, 3), (3,)]),
    "sub": (lambda m, a, b: a - b, [(2, 3), (3,)]),
    "mul": (lambda m, a, b: a * b, [(2, 3), (3,)]),
    "div": (lambda m, a, b: a / b, [(2, 3), (3,)]),
    "pow": (lambda m, a, b: a**b, [(2, 3), (3,)]),
    "mm": (lambda m, a, b: a.mm(b), [(2, 3), (3, 4)]),
    "matmul": (lambda m, a, b: a @ b, [(2, 2, 3), (3, 4)]),
    "bmm": (lambda m, a, b: a.bmm(b), [(2, 2, 3), (2, 3, 4)]),
    "mv": (lambda m, a, b: a.mv(b), [(2, 3), (3,)]),
    "dot": (lambda m, a, b: a.dot(b), [(3,), (3,)]),
    "vdot": (lambda m, a, b: m.vdot(a, b), [(3,), (3,)]),
    "matmul_vec": (lambda m, a, b: a @ b, [(3,), (3, 2)]),
    "einsum": (lambda m, a, b: m.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    "einsum_diag": (lambda m, a, b: m.einsum("ii,ij->j", a, b), [(3, 3), (3, 2)]),
    "outer": (lambda m, a, b: m.outer(a, b), [(3,), (4,)]),
    "tensordot": (lambda m, a, b: m.tensordot(a, b, dims=1), [(2, 3), (3, 4)]),
    "linear": (lambda m, x, w: m.nn.functional.linear(x, w), [(2, 3), (4, 3)]),
    "addr": (lambda m, a, b: m.addr(m.ones(3, 4, dtype=a.dtype), a, b), [(3,), (4,)]),
    "baddbmm": (lambda m, a, b: m.baddbmm(a.sum() * 0 + 1, a, b), [(2, 2, 3), (2, 3, 4)]),
    "matrix_power": (lambda m, a, b: m.linalg.matrix_power(a, 3) @ b, [(3, 3), (3, 2)]),
    "lerp": (lambda m, a, b: m.lerp(a, b, 0.3), [(2, 3), (2, 3)]),
    "lerp_complex_weight": (lambda m, a, b: m.lerp(a, b, 0.3 + 0.2j), [(2, 3), (2, 3)]),
    "lerp_tensor_weight": (lambda m, a, b: m.lerp(a, b, a * b), [(2, 3), (2, 3)]),
    "where": (lambda m, a, b: m.where(a.real > 0, a, b), [(2, 3), (2, 3)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary(name, dtype):
    fn, shapes = BINARY[name]
    _check_grads(fn, shapes, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_addmm(dtype):
    fn = lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2 - 1j)  # noqa: E731
    _check_grads(fn, [(2, 4), (2, 3), (3, 4)], dtype)
    _check_grads(lambda m, c, a, b: m.addmm(c, a, b), [(4,), (2, 3), (3, 4)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_weight_transposed(dtype):
    # a Linear-style product with a transposed (F-contiguous) right factor
    _check_grads(lambda m, x, w: x @ w.t(), [(2, 3), (4, 3)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_grad_with_complex_grad_outputs(dtype):
    rtol, atol = TOLS[dtype]
    e_in, t_in = _inputs([(2, 3), (3, 2)], dtype, seed=3)
    v = _complex(np.random.default_rng(4), (2, 2), dtype)
    t_out = (t_in[0] @ t_in[1]).exp() * t_in[0].sum()
    e_out = (e_in[0] @ e_in[1]).exp() * e_in[0].sum()
    t_g = torch.autograd.grad(t_out, t_in, torch.from_numpy(v))
    e_g = ember.autograd.grad(e_out, e_in, ember.from_numpy(v.copy()))
    assert_close(list(e_g), list(t_g), rtol, atol)


SECOND_ORDER = {
    "mul_exp": (lambda z: z * z.conj() * z.exp(), [(3,)]),
    "sin_log": (lambda z: z.sin() / z.log(), [(3, 3)]),
    "tanh_sqrt": (lambda z: z.tanh() * z.sqrt(), [(3, 3)]),
    "mm_prod": (lambda a, b: (a @ b).prod(1), [(2, 3), (3, 4)]),
    "dot_var": (lambda a, b: a.dot(b) * a.var(), [(3,), (3,)]),
    "reciprocal_pow": (lambda a, b: a.reciprocal() ** 3 - b.cumprod(0), [(3,), (3,)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_create_graph_second_order(name, dtype):
    # the rules run on Tensors under create_graph: the gradient's own gradient matches torch's
    fn, shapes = SECOND_ORDER[name]
    rtol, atol = TOLS[dtype]
    e_in, t_in = _inputs(shapes, dtype, seed=5)
    results = []
    for m, zs in ((ember, e_in), (torch, t_in)):
        grads = m.autograd.grad(fn(*zs).abs().sum(), zs, create_graph=True)
        sum((g * g.conj()).real.sum() for g in grads).backward()
        results.append([g.resolve_conj() for g in grads] + [z.grad for z in zs])
    assert_close(results[0], results[1], rtol, atol)


def test_real_to_complex_mixed():
    # a real leaf multiplied by a complex one: its gradient is the real part, as torch's
    rng = np.random.default_rng(6)
    x = rng.standard_normal(3)
    z = _complex(rng, (3,), np.complex128)
    grads = []
    for m in (ember, torch):
        xr = m.tensor(x.copy(), requires_grad=True)
        zc = m.tensor(z.copy(), requires_grad=True)
        (xr * zc).exp().abs().sum().backward()
        grads.append([xr.grad, zc.grad])
    assert_close(grads[0], grads[1])


def _torch_error(run) -> str:
    try:
        run(torch)
    except RuntimeError as exc:
        return str(exc)
    raise AssertionError("torch did not raise")


def test_backward_on_complex_scalar_raises():
    z = _complex(np.random.default_rng(7), (3,), np.complex64)

    def run(m):
        t = m.tensor(z.copy(), requires_grad=True)
        t.sum().backward()

    exc = check_raises(run)
    assert str(exc) == _torch_error(run).replace("torch.", "ember.")


def test_grad_on_complex_scalar_raises():
    z = _complex(np.random.default_rng(8), (3,), np.complex128)

    def run(m):
        t = m.tensor(z.copy(), requires_grad=True)
        m.autograd.grad((t * t).sum(), [t])

    exc = check_raises(run)
    assert str(exc) == _torch_error(run).replace("torch.", "ember.")


@pytest.mark.parametrize("dtype", DTYPES)
def test_mH_H_adjoint_values(dtype):
    z = _complex(np.random.default_rng(9), (2, 3, 4), dtype)
    e, t = ember.tensor(z.copy()), torch.tensor(z.copy())
    assert_close(e.mH, t.mH.resolve_conj())
    assert_close(e.adjoint(), t.adjoint().resolve_conj())
    m = z[0]
    assert_close(ember.tensor(m.copy()).H, torch.tensor(m.copy()).H.resolve_conj())
    r = np.random.default_rng(10).standard_normal((3, 4)).astype(np.float32)
    assert_close(ember.tensor(r).mH, torch.tensor(r).mH)
    assert_close(ember.tensor(r).H, torch.tensor(r).H)


@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_exp_keeps_complex(dtype):
    rtol, atol = TOLS[dtype]
    z = _complex(np.random.default_rng(11), (2, 3, 3), dtype)
    e, t = ember.linalg.matrix_exp(ember.tensor(z.copy())), torch.linalg.matrix_exp(torch.tensor(z))
    assert_close(e, t, rtol, atol)
    assert_close(ember.matrix_exp(ember.tensor(z.copy())), t, rtol, atol)


REAL_OPS = {
    "mul": (lambda m, a, b: a * b, [(2, 3), (3,)]),
    "div": (lambda m, a, b: a / b, [(2, 3), (3,)]),
    "mm": (lambda m, a, b: a.mm(b), [(2, 3), (3, 4)]),
    "dot": (lambda m, a, b: a.dot(b), [(3,), (3,)]),
    "exp_log": (lambda m, a, b: (a.exp() * b.abs()).log() / b.sin(), [(2, 3), (2, 3)]),
}


@pytest.mark.parametrize("name", list(REAL_OPS))
def test_real_inputs_unchanged(name):
    # real gradients are computed exactly as before: bitwise equal to torch's in float64 here
    fn, shapes = REAL_OPS[name]
    rng = np.random.default_rng(12)
    arrays = [rng.uniform(0.5, 2.0, s) for s in shapes]
    grads = []
    for m in (ember, torch):
        xs = [m.tensor(a.copy(), requires_grad=True) for a in arrays]
        out = fn(m, *xs)
        out.sum().backward()
        grads.append([x.grad for x in xs])
        assert grads[-1][0].dtype == m.float64
    assert_close(grads[0], grads[1], 1e-12, 1e-14)


def test_real_rules_bitwise():
    # real inputs: the rules compute exactly what they did before conjugation existed
    rng = np.random.default_rng(13)
    a, b, w = (rng.uniform(0.5, 2.0, (3, 4)).astype(np.float32) for _ in range(3))
    m = rng.uniform(0.5, 2.0, (4, 2)).astype(np.float32)
    cases = [
        (lambda x, y: x * y, lambda g: (g * b, g * a)),
        (lambda x, y: x / y, lambda g: (g / b, -g * a / (b * b))),
        # the reciprocal's rule squares first, as torch's: -g * (y * y)
        (
            lambda x, y: x.exp() + y.reciprocal(),
            lambda g: (g * np.exp(a), -g * ((1 / b) * (1 / b))),
        ),
    ]
    for fn, expected in cases:
        x, y = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
        (fn(x, y) * ember.tensor(w)).sum().backward()
        for got, want in zip((x.grad, y.grad), expected(w)):
            np.testing.assert_array_equal(got.numpy(), want)
    x, y = ember.tensor(a, requires_grad=True), ember.tensor(m, requires_grad=True)
    g = rng.standard_normal((3, 2)).astype(np.float32)
    (x @ y).backward(ember.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), g @ m.T)
    np.testing.assert_array_equal(y.grad.numpy(), a.T @ g)


@pytest.mark.parametrize("method", ["conj", "conj_physical"])
def test_conjugate_node_names_and_gradients(method):
    (e,), (t,) = _inputs([(3,)], np.complex64)
    ye, yt = getattr(e, method)(), getattr(t, method)()
    assert ye.grad_fn.name() == yt.grad_fn.name()
    (ye * e).real.sum().backward()
    (yt * t).real.sum().backward()
    assert_close(e.grad, t.grad)


def test_sgn_values_gradients_and_sign_refusal():
    """sgn: z/|z| (0 at 0) with SgnBackward0's gradient; sign refuses complex input, as torch."""
    z = np.array([1 + 2j, -0.5 + 0.3j, 0j, 3 - 1j])
    g = np.array([0.3 - 1j, 2 + 0.5j, 1 + 1j, -1 + 0.2j])
    out = {}
    for lib in (torch, ember):
        x = lib.tensor(z, requires_grad=True)
        s = x.sgn()
        s.backward(lib.tensor(g))
        r = lib.tensor([1.0, -2.0, 0.0], requires_grad=True)
        r.sgn().sum().backward()
        rg = r.grad.numpy(force=True)  # torch's is a ZeroTensor
        out[lib] = (s.grad_fn.name(), s.detach().numpy(), x.grad.numpy(), rg)
    assert out[ember][0] == out[torch][0]
    for a, b in zip(out[ember][1:], out[torch][1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    check_raises(lambda m: m.sign(m.tensor([1j])))
