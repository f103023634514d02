"""Triangular, Cholesky and LU solvers, LU, matrix_exp, lstsq and the deprecated norms against
torch: values, gradients, return types, warnings and errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_op, check_raises

F64 = np.float64


@pytest.fixture(autouse=True)
def _quiet_deprecations():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _rng(seed=0):
    return np.random.default_rng(seed)


def _tri(n, batch=(), seed=0):
    """Well-conditioned matrices (both triangles used by the different solves)."""
    return (_rng(seed).standard_normal(batch + (n, n)) + 3 * np.eye(n)).astype(F64)


def _spd(n, batch=(), seed=0):
    a = _rng(seed).standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _chol(n, batch=(), upper=False, seed=0):
    low = np.linalg.cholesky(_spd(n, batch, seed))
    return np.swapaxes(low, -1, -2).copy() if upper else low


def _randn(*shape, seed=1):
    return _rng(seed).standard_normal(shape)


# -- triangular solves ----------------------------------------------------------------------------
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular(upper, left, unit):
    b = _randn(3, 4) if left else _randn(4, 3)
    out = check_op(
        lambda m, a, b: m.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit),
        [_tri(3, (2,)), b],
        dtype=F64,
    )
    assert type(out.grad_fn).__name__ == "LinalgSolveTriangularBackward0"


def test_solve_triangular_float32_promotion_and_singular():
    check_op(
        lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False),
        [_tri(4).astype(np.float32), (4, 2)],
    )
    a, b = np.zeros((3, 3), np.float32), np.ones((3, 2), np.float32)
    check_op(lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True), [a, b], grad=False)
    x = ember.linalg.solve_triangular(
        ember.tensor(_tri(3).astype(np.float32)), ember.tensor(_randn(3, 2)), upper=True
    )
    assert x.dtype == ember.float64  # float32 A, float64 B: promoted, as torch's


def test_solve_triangular_errors():
    for fn in (
        lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(3), upper=True),
        lambda m: m.linalg.solve_triangular(m.ones(3), m.ones(3, 3), upper=True),
        lambda m: m.linalg.solve_triangular(m.ones(2, 3), m.ones(2, 2), upper=True),
        lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(3, 2), upper=True, left=False),
        lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(3, 2)),
        lambda m: m.linalg.solve_triangular(
            m.ones(3, 3, dtype=m.long), m.ones(3, 2, dtype=m.long), upper=True
        ),
    ):
        check_raises(fn)
    e = check_raises(lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(2, 3), upper=True))
    assert str(e) == (
        "linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
        "(3x3 and 2x3)"
    )


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("unit", [False, True])
def test_triangular_solve(upper, transpose, unit):
    out = check_op(
        lambda m, b, a: m.triangular_solve(b, a, upper, transpose, unit),
        [_randn(2, 3, 2), _tri(3)],
        dtype=F64,
    )
    assert type(out).__name__ == "triangular_solve"
    assert [type(t.grad_fn).__name__ for t in out] == ["TriangularSolveBackward0"] * 2
    check_op(lambda m, b, a: b.triangular_solve(a).solution, [_randn(3, 2), _tri(3)], dtype=F64)


def _repr(x) -> str:
    return repr(x).replace("ember.", "torch.")


def test_triangular_solve_repr_warning_and_errors():
    b, a = _randn(3, 2), np.triu(_tri(3))
    e = ember.triangular_solve(ember.tensor(b), ember.tensor(a))
    t = torch.triangular_solve(torch.tensor(b), torch.tensor(a))
    assert _repr(e) == repr(t)
    from ember import _runtime

    _runtime._warned.discard("triangular_solve")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ember.triangular_solve(ember.tensor(b), ember.tensor(a))
        ember.tensor(b).triangular_solve(ember.tensor(a))
    assert len(caught) == 1 and "torch.triangular_solve is deprecated" in str(caught[0].message)
    assert caught[0].filename == __file__  # attributed to the caller, as torch's
    for fn in (
        lambda m: m.triangular_solve(m.ones(3, 2), m.ones(2, 3)),
        lambda m: m.triangular_solve(m.ones(2, 2), m.ones(3, 3)),
        lambda m: m.triangular_solve(m.ones(3), m.ones(3, 3)),
        lambda m: m.triangular_solve(m.ones(3, 3), m.ones(3)),
        lambda m: m.triangular_solve(m.ones(3, 3), m.ones(3, 3, dtype=m.float64)),
    ):
        check_raises(fn)


# -- Cholesky -------------------------------------------------------------------------------------
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_inverse_and_legacy_factor(upper):
    factor = _chol(3, (2,), upper)
    out = check_op(lambda m, b, f: m.cholesky_solve(b, f, upper), [_randn(3, 2), factor], dtype=F64)
    assert type(out.grad_fn).__name__ == "CholeskySolveBackward0"
    check_op(lambda m, b, f: b.cholesky_solve(f, upper=upper), [_randn(2, 3, 4), factor], dtype=F64)
    out = check_op(lambda m, f: m.cholesky_inverse(f, upper), [factor], dtype=F64)
    assert type(out.grad_fn).__name__ == "CholeskyInverseBackward0"
    check_op(lambda m, f: f.cholesky_inverse(upper), [factor[0]], dtype=F64)
    out = check_op(lambda m, a: m.cholesky(a, upper), [_spd(3, (2,))], dtype=F64)
    assert type(out.grad_fn).__name__ == "CholeskyBackward0"
    check_op(lambda m, a: a.cholesky(upper=upper), [_spd(4)], dtype=F64)


def test_cholesky_float32_values():
    a = _spd(4).astype(np.float32)
    check_op(lambda m, a: m.cholesky_solve(a, m.linalg.cholesky(a)), [a], rtol=1e-3, atol=1e-4)


def test_cholesky_errors_and_warning():
    for m in (ember, torch):
        with pytest.raises(m.linalg.LinAlgError, match="^cholesky: The factorization could not"):
            m.cholesky(m.tensor([[1.0, 2.0], [2.0, 1.0]]))
    for fn in (
        lambda m: m.cholesky(m.ones(2, 3)),
        lambda m: m.cholesky_solve(m.ones(3, 2), m.ones(3)),
        lambda m: m.cholesky_solve(m.ones(3), m.ones(3, 3)),
        lambda m: m.cholesky_solve(m.ones(2, 2), m.eye(3)),
        lambda m: m.cholesky_solve(m.ones(3, 2), m.eye(3, dtype=m.float64)),
        lambda m: m.cholesky_solve(m.ones(3, 2, dtype=m.long), m.ones(3, 3, dtype=m.long)),
        lambda m: m.cholesky_inverse(m.ones(2, 3)),
        lambda m: m.cholesky_inverse(m.ones(3)),
        lambda m: m.cholesky_inverse(m.ones(3, 3, dtype=m.long)),
    ):
        check_raises(fn)
    for m in (ember, torch):
        with pytest.raises(m.linalg.LinAlgError, match="^cholesky_inverse: The diagonal element 1"):
            m.cholesky_inverse(m.zeros(2, 2))
    from ember import _runtime

    for call in (lambda: ember.cholesky(ember.eye(2)), lambda: ember.eye(2).cholesky()):
        _runtime._warned.discard("cholesky")
        with pytest.warns(UserWarning, match="torch.cholesky is deprecated") as caught:
            call()
        assert caught[0].filename == __file__


# -- LU --------------------------------------------------------------------------------------------
LU_SHAPES = [(3, 3), (2, 4, 4), (3, 5), (5, 3), (2, 2, 4)]


@pytest.mark.parametrize("shape", LU_SHAPES)
def test_lu_and_lu_factor(shape):
    a = _randn(*shape)
    out = check_op(lambda m, a: m.linalg.lu(a), [a], dtype=F64)
    assert type(out).__name__ == "linalg_lu"
    assert out.P.grad_fn is None and type(out.L.grad_fn).__name__ == "LinalgLuBackward0"
    out = check_op(lambda m, a: m.linalg.lu_factor(a), [a], dtype=F64)
    assert type(out.LU.grad_fn).__name__ == "LinalgLuFactorExBackward0"
    check_op(lambda m, a: tuple(m.linalg.lu_factor_ex(a)), [a], dtype=F64)
    out = check_op(lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a)), [a], dtype=F64)
    assert type(out.U.grad_fn).__name__ == "LuUnpackBackward0"
    check_op(lambda m, a: m.lu(a), [a], dtype=F64)
    check_op(lambda m, a: tuple(a.lu(get_infos=True)), [a], dtype=F64)


def test_lu_float32_pivoting_and_singular():
    a = _randn(5, 5).astype(np.float32)
    check_op(lambda m, a: tuple(m.linalg.lu(a)), [a], rtol=1e-4, atol=1e-5)
    z = np.array([[0.0, 0.0], [0.0, 0.0]], np.float32)
    check_op(lambda m, a: tuple(m.linalg.lu_factor_ex(a)), [z], grad=False)
    check_op(lambda m, a: tuple(m.linalg.lu(a)), [z], grad=False)
    s = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
    check_op(lambda m, a: tuple(m.linalg.lu_factor_ex(a)), [s], grad=False)


def test_lu_reprs_and_unpack_options():
    a = _randn(4, 2)
    e_lu, t_lu = ember.linalg.lu_factor(ember.tensor(a)), torch.linalg.lu_factor(torch.tensor(a))
    assert _repr(e_lu) == repr(t_lu)
    assert _repr(ember.linalg.lu_factor_ex(ember.tensor(a))) == repr(
        torch.linalg.lu_factor_ex(torch.tensor(a))
    )
    assert _repr(ember.lu(ember.tensor(a), get_infos=True)) == repr(
        torch.lu(torch.tensor(a), get_infos=True)
    )
    for kw in ({"unpack_data": False}, {"unpack_pivots": False}):
        assert_close(ember.lu_unpack(*e_lu, **kw), torch.lu_unpack(*t_lu, **kw))


def test_lu_errors():
    for fn in (
        lambda m: m.linalg.lu_factor(m.zeros(2, 2)),
        lambda m: m.linalg.lu_factor(m.zeros(2, 2), pivot=False),
        lambda m: m.linalg.lu(m.zeros(2, 2), pivot=False),
        lambda m: m.linalg.lu_factor(m.zeros(2)),
        lambda m: m.linalg.lu_factor(m.zeros(2, 2, dtype=m.long)),
        lambda m: m.linalg.lu_factor_ex(m.zeros(2, 2), check_errors=True),
        lambda m: m.lu_unpack(m.ones(3, 3), m.tensor([1, 2, 3])),
        lambda m: m.lu_unpack(m.ones(3), m.tensor([1, 2], dtype=m.int32)),
    ):
        check_raises(fn)
    e = check_raises(lambda m: m.linalg.lu_factor(m.zeros(2, 2)))
    assert str(e).startswith("torch.linalg.lu_factor: U[1,1] is zero")
    batch = [np.eye(2), np.zeros((2, 2))]
    for fn in (
        lambda m: m.linalg.lu_factor(m.tensor(np.stack(batch))),
        lambda m: m.linalg.lu_factor_ex(m.tensor(np.stack(batch)), check_errors=True),
    ):
        assert str(check_raises(fn)) == str(_torch_error(fn))
    # the deprecated torch.lu reports a zero pivot only through get_infos
    check_op(lambda m, a: m.lu(a), [np.zeros((2, 2))], dtype=F64, grad=False)


def _torch_error(fn) -> Exception:
    try:
        fn(torch)
    except Exception as exc:  # noqa: BLE001
        return exc
    raise AssertionError("torch did not raise")


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve(left, adjoint):
    b = _randn(3, 2) if left else _randn(2, 3)
    out = check_op(
        lambda m, a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b, left=left, adjoint=adjoint),
        [_randn(2, 3, 3, seed=3), b],
        dtype=F64,
    )
    assert type(out.grad_fn).__name__ == "LinalgLuSolveBackward0"


def test_legacy_lu_solve_and_errors():
    check_op(lambda m, a, b: m.lu_solve(b, *m.lu(a)), [_randn(3, 3), _randn(3, 2)], dtype=F64)
    check_op(lambda m, a, b: b.lu_solve(*a.lu()), [_randn(3, 3), _randn(3, 2)], dtype=F64)
    lu = (ember.tensor(_randn(3, 3)), ember.tensor(np.array([1, 2, 3], np.int32)))
    for fn in (
        lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.eye(3)), m.ones(2, 2)),
        lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.eye(3)), m.ones(3)),
        lambda m: m.linalg.lu_solve(m.eye(3), m.tensor([1, 2, 3]), m.ones(3, 3)),
        lambda m: m.linalg.lu_solve(m.eye(3), m.tensor([1, 2], dtype=m.int32), m.ones(3, 3)),
        lambda m: m.linalg.lu_solve(m.ones(2, 3), m.tensor([1, 2], dtype=m.int32), m.ones(3, 3)),
        lambda m: m.linalg.lu_solve(
            m.eye(3), m.tensor([1, 2, 3], dtype=m.int32), m.ones(3, 3, dtype=m.float64)
        ),
    ):
        check_raises(fn)
    assert lu[1].dtype == ember.int32


# -- matrix_exp ------------------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [0.1, 1.0, 5.0, 20.0])
def test_matrix_exp(scale):
    out = check_op(lambda m, a: m.matrix_exp(a), [scale * _randn(2, 3, 3)], dtype=F64, rtol=1e-8)
    assert type(out.grad_fn).__name__ == "LinalgMatrixExpBackward0"


def test_matrix_exp_float32_method_double_backward_and_errors():
    check_op(lambda m, a: a.matrix_exp(), [(3, 3)], rtol=1e-4, atol=1e-4)
    check_op(lambda m, a: m.linalg.matrix_exp(a), [np.zeros((0, 0), np.float32)], grad=False)
    a = _randn(3, 3) * 0.5
    grads = []
    for m in (ember, torch):
        x = m.tensor(a, requires_grad=True)
        (g,) = m.autograd.grad(m.linalg.matrix_exp(x).sin().sum(), x, create_graph=True)
        grads.append(m.autograd.grad((g * g).sum(), x)[0])
    assert_close(grads[0], grads[1], rtol=1e-7, atol=1e-9)
    for fn in (
        lambda m: m.matrix_exp(m.ones(2, 3)),
        lambda m: m.matrix_exp(m.ones(3)),
        lambda m: m.matrix_exp(m.ones(2, 2, dtype=m.long)),
    ):
        check_raises(fn)


def test_second_order_gradients_of_solvers():
    a, b = _tri(3), _randn(3, 2)
    results = []
    for m in (ember, torch):
        x, y = m.tensor(a, requires_grad=True), m.tensor(b, requires_grad=True)
        out = m.linalg.solve_triangular(x, y, upper=False)
        out = out + m.linalg.lu_solve(*m.linalg.lu_factor(x), y)
        (g,) = m.autograd.grad(out.pow(2).sum(), x, create_graph=True)
        results.append(m.autograd.grad(g.sum(), (x, y)))
    assert_close(results[0], results[1], rtol=1e-7, atol=1e-9)


# -- lstsq -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
def test_lstsq_drivers(driver):
    a, b = _randn(5, 3), _randn(5, 2, seed=2)
    e = ember.linalg.lstsq(ember.tensor(a), ember.tensor(b), driver=driver)
    t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    assert type(e).__name__ == "linalg_lstsq"
    assert_close(tuple(e), tuple(t), rtol=1e-8, atol=1e-10)
    out = check_op(lambda m, a, b: m.linalg.lstsq(a, b, driver=driver), [a, b], dtype=F64)
    assert type(out.residuals.grad_fn).__name__ == "LinalgLstsqBackward0"
    # the residuals' own gradient (zero through the solution at the optimum, not directly)
    check_op(lambda m, a, b: m.linalg.lstsq(a, b, driver=driver).residuals, [a, b], dtype=F64)


def _torch_lstsq_mode(a, b, rcond, driver, calls: int = 9):
    """torch's most frequent answer: its gelsy with rcond on a rank-deficient diagonal matrix
    returned another truncation in about 5% of 300 identical calls."""
    runs = [
        torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), rcond=rcond, driver=driver)
        for _ in range(calls)
    ]
    keys = [r.solution.numpy().round(6).tobytes() for r in runs]
    return runs[max(range(calls), key=keys.count)]


@pytest.mark.parametrize("driver", [None, "gelsd", "gelss"])
@pytest.mark.parametrize("rcond", [None, 0.1])
def test_lstsq_rank_deficient_and_rcond(driver, rcond):
    # gelsy truncates by QR with column pivoting, gelsd/gelss by singular values
    tall = _randn(5, 2)
    tall = np.concatenate([tall, tall[:, :1] + tall[:, 1:]], 1)
    scaled = np.diag([1.0, 0.3, 0.05, 0.01]) @ _randn(4, 4, seed=4)
    for a, b in ((tall, _randn(5, 2, seed=2)), (np.diag([1.0, 0.3, 0.05, 0.01]), _randn(4, 1))):
        e = ember.linalg.lstsq(ember.tensor(a), ember.tensor(b), rcond=rcond, driver=driver)
        t = _torch_lstsq_mode(a, b, rcond, driver)
        assert_close(tuple(e), tuple(t), rtol=1e-7, atol=1e-9)
    if driver != "gelsy" and driver is not None:
        e = ember.linalg.lstsq(
            ember.tensor(scaled), ember.tensor(_randn(4, 2)), rcond, driver=driver
        )
        t = _torch_lstsq_mode(scaled, _randn(4, 2), rcond, driver)
        assert_close(tuple(e), tuple(t), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(("a_shape", "b_shape"), [((3, 5), (3, 2)), ((5, 3), (5, 2))])
def test_lstsq_double_backward(a_shape, b_shape):
    a, b = _randn(*a_shape), _randn(*b_shape, seed=2)
    results = []
    for m in (ember, torch):
        x, y = m.tensor(a, requires_grad=True), m.tensor(b, requires_grad=True)
        out = m.linalg.lstsq(x, y).solution
        gx, gy = m.autograd.grad(out.pow(2).sum(), (x, y), create_graph=True)
        results.append(m.autograd.grad((gx * gx).sum() + (gy * gy).sum(), (x, y)))
    assert_close(results[0], results[1], rtol=1e-7, atol=1e-9)


def test_lstsq_vector_and_batched():
    check_op(lambda m, a, b: m.linalg.lstsq(a, b).solution, [_randn(4, 3), _randn(4)], dtype=F64)
    check_op(
        lambda m, a, b: m.linalg.lstsq(a, b).solution, [_randn(2, 4, 3), _randn(2, 4, 2)], dtype=F64
    )


# -- deprecated norms, matrix_rank -----------------------------------------------------------------
def test_nuclear_and_frobenius_norm():
    x = _randn(2, 3, 4)
    check_op(lambda m, a: m.nuclear_norm(a), [x], dtype=F64)
    check_op(lambda m, a: m.nuclear_norm(a, True), [x[0]], dtype=F64)
    check_op(lambda m, a: m.nuclear_norm(a, (0, 2), keepdim=True), [x], dtype=F64)
    check_op(lambda m, a: m.frobenius_norm(a, (0, 2), True), [x], dtype=F64)
    check_op(lambda m, a: m.frobenius_norm(a, 1), [(2, 3, 4)])
    for fn in (
        lambda m: m.frobenius_norm(m.ones(2, 3, 4), (0, 1, 2)),
        lambda m: m.frobenius_norm(m.ones(2, 2, dtype=m.long), (0, 1)),
        lambda m: m.frobenius_norm(m.ones(2, 2)),
        lambda m: m.nuclear_norm(m.ones(2, 2, dtype=m.long)),
        lambda m: m.nuclear_norm(m.ones(2, 3, 4), (0,)),
        lambda m: m.matrix_rank(m.eye(3)),
    ):
        check_raises(fn)


# -- Householder QR ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 5), (2, 4, 3), (3, 2)])
def test_geqrf(shape):
    a = _randn(*shape)
    out = check_op(lambda m, a: m.geqrf(a), [a], dtype=F64)
    assert type(out).__name__ == "geqrf"
    check_op(lambda m, a: a.geqrf(), [a.astype(np.float32)], rtol=1e-4, atol=1e-5)
    for m in (ember, torch):
        x = m.tensor(a, requires_grad=True)
        with pytest.raises(NotImplementedError, match="the derivative for 'geqrf'"):
            m.geqrf(x).a.sum().backward()


def test_geqrf_zero_columns():
    for a in (np.zeros((3, 2)), np.array([[1.0, 2.0], [0.0, 3.0], [0.0, 0.0]])):
        check_op(lambda m, a: m.geqrf(a), [a], dtype=F64, grad=False)


@pytest.mark.parametrize(("shape", "k"), [((4, 3), 3), ((4, 3), 2), ((3, 3), 3), ((2, 4, 3), 3)])
def test_householder_product(shape, k):
    a, tau = _randn(*shape), _rng(5).uniform(0.5, 1.9, shape[:-2] + (k,))
    out = check_op(lambda m, a, t: m.linalg.householder_product(a, t), [a, tau], dtype=F64)
    assert type(out.grad_fn).__name__ == "LinalgHouseholderProductBackward0"
    check_op(lambda m, a, t: a.orgqr(t), [a, tau], dtype=F64)
    check_op(lambda m, a, t: m.orgqr(a, t), [a.astype(np.float32), tau.astype(np.float32)])


def test_householder_product_of_geqrf_is_qr():
    a = _randn(5, 3)
    e = ember.linalg.householder_product(*ember.geqrf(ember.tensor(a)))
    t = torch.linalg.householder_product(*torch.geqrf(torch.tensor(a)))
    assert_close(e, t)
    assert_close(e, torch.linalg.qr(torch.tensor(a)).Q)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize(("shape", "k", "cshape"), [((4, 3), 3, (4, 2)), ((3, 4), 3, (3, 2))])
def test_ormqr(left, transpose, shape, k, cshape):
    a, tau = _randn(*shape), _rng(5).uniform(0.5, 1.9, (k,))
    c = _randn(*(cshape if left else cshape[::-1]), seed=7)
    out = check_op(lambda m, a, t, c: m.ormqr(a, t, c, left, transpose), [a, tau, c], dtype=F64)
    assert type(out.grad_fn).__name__ == "OrmqrBackward0"
    check_op(lambda m, a, t, c: a.ormqr(t, c, left, transpose), [a, tau, c], dtype=F64)


def test_householder_double_backward():
    a, tau, c = _randn(4, 3), _rng(5).uniform(0.5, 1.9, (3,)), _randn(4, 2, seed=7)
    results = []
    for m in (ember, torch):
        x, t = m.tensor(a, requires_grad=True), m.tensor(tau, requires_grad=True)
        y = m.linalg.householder_product(x, t).sum() + m.ormqr(x, t, m.tensor(c)).pow(2).sum()
        gx, gt = m.autograd.grad(y, (x, t), create_graph=True)
        results.append(m.autograd.grad((gx * gx).sum() + gt.sum(), (x, t)))
    assert_close(results[0], results[1], rtol=1e-7, atol=1e-9)


def test_householder_errors():
    for fn in (
        lambda m: m.geqrf(m.ones(3)),
        lambda m: m.geqrf(m.ones(3, 3, dtype=m.long)),
        lambda m: m.linalg.householder_product(m.ones(4), m.ones(3)),
        lambda m: m.linalg.householder_product(m.ones(4, 3), m.ones(2, 3)),
        lambda m: m.linalg.householder_product(m.ones(3, 4), m.ones(3)),
        lambda m: m.linalg.householder_product(m.ones(4, 2), m.ones(3)),
        lambda m: m.linalg.householder_product(m.ones(4, 3), m.ones(3, dtype=m.float64)),
        lambda m: m.linalg.householder_product(m.ones(4, 3, dtype=m.long), m.ones(3, dtype=m.long)),
        lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(3, 2)),
        lambda m: m.ormqr(m.ones(4, 3), m.ones(5), m.ones(4, 2)),
        lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(4)),
        lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(4, 2, dtype=m.float64)),
        lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(4, 2), left=False),
    ):
        check_raises(fn)
    e = check_raises(lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(3, 2)))
    assert str(e) == "torch.ormqr: other.shape[-2] must be equal to input.shape[-2]"


# -- *_ex variants, cond, vander, tensorinv, tensorsolve -------------------------------------------
NOT_PD = np.array([[4.0, 2.0, 1.0], [2.0, 1.0, 0.0], [1.0, 0.0, 3.0]])
SINGULAR = np.stack([np.zeros((2, 2)), np.array([[1.0, 2.0], [2.0, 4.0]]), np.eye(2)])


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_ex(upper):
    out = check_op(lambda m, a: m.linalg.cholesky_ex(a, upper=upper), [_spd(3, (2,))], dtype=F64)
    assert type(out).__name__ == "linalg_cholesky_ex"
    assert type(out.L.grad_fn).__name__ == "LinalgCholeskyExBackward0"
    # the partial factor and info of a matrix that is not positive-definite, as LAPACK leaves it
    batch = np.stack([np.eye(3), NOT_PD])
    check_op(lambda m, a: m.linalg.cholesky_ex(a, upper=upper), [batch], dtype=F64, grad=False)
    for m in (ember, torch):
        with pytest.raises(m.linalg.LinAlgError, match="^linalg.cholesky_ex: The factorization"):
            m.linalg.cholesky_ex(m.tensor(NOT_PD), check_errors=True)


def test_inv_ex_and_solve_ex():
    a = _tri(3, (2,))
    out = check_op(lambda m, a: m.linalg.inv_ex(a), [a], dtype=F64)
    assert type(out.inverse.grad_fn).__name__ == "LinalgInvExBackward0"
    check_op(lambda m, a, b: m.linalg.solve_ex(a, b), [a, _randn(3, 2)], dtype=F64)
    check_op(lambda m, a, b: m.linalg.solve_ex(a, b), [a, _randn(2, 3)], dtype=F64)
    check_op(lambda m, a, b: m.linalg.solve_ex(a, b, left=False), [a, _randn(4, 3)], dtype=F64)
    # singular: LAPACK's inf and nan (values and gradients), and the zero pivot in info
    check_op(lambda m, a: m.linalg.inv_ex(a), [SINGULAR], dtype=F64)
    for left in (True, False):
        b = np.ones((3, 2, 1) if left else (3, 1, 2))
        check_op(lambda m, a, b, s=left: m.linalg.solve_ex(a, b, left=s), [SINGULAR, b], dtype=F64)
    check_op(lambda m, a, b: m.linalg.solve_ex(a, b), [np.zeros((2, 2)), np.ones(2)], dtype=F64)
    for m in (ember, torch):
        with pytest.raises(m.linalg.LinAlgError, match="^linalg.inv_ex: The diagonal element 1"):
            m.linalg.inv_ex(m.zeros(2, 2), check_errors=True)
        with pytest.raises(m.linalg.LinAlgError, match="^torch.linalg.solve_ex: The solver failed"):
            m.linalg.solve_ex(m.zeros(2, 2), m.ones(2), check_errors=True)
    check_raises(lambda m: m.linalg.inv_ex(m.ones(2, 3)))
    check_raises(lambda m: m.linalg.solve(m.eye(3).expand(2, 3, 3), m.ones(2, 3), left=False))


@pytest.mark.parametrize("p", [None, 2, -2, "nuc", "fro", 1, -1, math.inf, -math.inf])
def test_cond(p):
    # torch 2.13 cannot differentiate cond for the orders that go through inv_ex (an in-place
    # fill of a saved tensor); Ember's gradient there is the composed one, so values only
    differentiable = p in (None, 2, -2, "nuc")
    check_op(lambda m, a: m.linalg.cond(a, p), [_tri(3, (2,))], dtype=F64, grad=differentiable)
    singular = SINGULAR[[0, 2]] if p == "nuc" else SINGULAR
    check_op(lambda m, a: m.linalg.cond(a, p), [singular], dtype=F64, grad=False)


def test_cond_errors_and_rectangular():
    check_op(lambda m, a: m.linalg.cond(a), [_randn(2, 3)], dtype=F64)
    check_raises(lambda m: m.linalg.cond(m.ones(2, 2), 3))
    check_raises(lambda m: m.linalg.cond(m.ones(2, 3), 1))
    check_raises(lambda m: m.linalg.cond(m.ones(2, 2, dtype=m.long)))


def test_vander_tensorinv_tensorsolve():
    out = check_op(lambda m, x: m.linalg.vander(x), [(3,)], dtype=F64)
    assert type(out.grad_fn).__name__ == "CatBackward0"
    check_op(lambda m, x: m.linalg.vander(x, N=4), [(2, 3)], dtype=F64)
    check_op(lambda m, x: m.linalg.vander(x), [np.array([1, 2, 3])], grad=False)
    check_op(lambda m, a: m.linalg.tensorinv(a, ind=1), [_randn(4, 2, 2)], dtype=F64)
    check_op(lambda m, a: m.linalg.tensorinv(a), [_randn(2, 3, 6)], dtype=F64)
    check_op(lambda m, a, b: m.linalg.tensorsolve(a, b), [_randn(2, 3, 6), _randn(2, 3)], dtype=F64)
    check_op(
        lambda m, a, b: m.linalg.tensorsolve(a, b, dims=(0,)),
        [_randn(6, 2, 3), _randn(2, 3)],
        dtype=F64,
    )
    for fn in (
        lambda m: m.linalg.vander(m.tensor([1.0, 2.0]), N=1),
        lambda m: m.linalg.vander(m.tensor(1.0)),
        lambda m: m.linalg.vander(m.tensor([True, False])),
        lambda m: m.linalg.tensorinv(m.eye(4).reshape(4, 2, 2), ind=0),
        lambda m: m.linalg.tensorsolve(m.eye(6).reshape(2, 3, 6), m.ones(2, 2)),
    ):
        check_raises(fn)


def test_lu_factor_large_matrices_and_numpy_fallback(monkeypatch):
    # from 32 rows and columns LAPACK (through SciPy, when installed) factors; NumPy otherwise
    a = _randn(40, 40)
    check_op(lambda m, a: m.linalg.lu_factor(a), [a], dtype=F64)
    check_op(lambda m, a: m.linalg.lu_factor(a), [_randn(2, 50, 40).astype(np.float32)], rtol=1e-4)
    low_rank = np.zeros((40, 40))
    low_rank[:, :3] = _randn(40, 3)
    check_op(lambda m, a: m.linalg.lu_factor_ex(a), [low_rank], dtype=F64, grad=False)
    from ember.autograd.primitives import linalg_solvers

    monkeypatch.setitem(__import__("sys").modules, "scipy.linalg", None)
    check_op(lambda m, a: m.linalg.lu_factor(a), [a], dtype=F64)
    check_op(lambda m, a: m.linalg.lu_factor_ex(a), [low_rank], dtype=F64, grad=False)
    assert linalg_solvers._SCIPY_LU_MIN <= 40


def test_lstsq_batched_mixed_ranks():
    a = _randn(6, 5, 3)
    a[2, :, 2] = a[2, :, 0] + a[2, :, 1]  # one rank-deficient matrix among full-rank ones
    b = _randn(6, 5, 2)
    check_op(lambda m, a, b: m.linalg.lstsq(a, b), [a, b], dtype=F64)
    check_op(lambda m, a, b: m.linalg.lstsq(a, b, driver="gelsd"), [a, b], dtype=F64)


# -- eig, eigvals ----------------------------------------------------------------------------------
def _eig_parts(result):
    # eigenvectors are defined up to a phase (LAPACK builds differ in it): compare their moduli
    return result.eigenvalues.real, result.eigenvalues.imag, result.eigenvectors.abs()


@pytest.mark.parametrize("shape", [(3, 3), (5, 5), (2, 4, 4)])
def test_eig_and_eigvals(shape):
    a = _randn(*shape)  # complex conjugate eigenvalue pairs among real ones
    # eigenvector gradients amplify the two LAPACK builds' rounding differences
    check_op(lambda m, a: _eig_parts(m.linalg.eig(a)), [a], dtype=F64, rtol=1e-6, atol=1e-8)
    check_op(
        lambda m, a: (m.linalg.eigvals(a).real, m.linalg.eigvals(a).imag),
        [a],
        dtype=F64,
        rtol=1e-6,
        atol=1e-8,
    )
    out = ember.linalg.eig(ember.tensor(a.astype(np.float32), requires_grad=True))
    assert out.eigenvalues.dtype == ember.complex64
    assert type(out.eigenvectors.grad_fn).__name__ == "LinalgEigBackward0"
    check_op(lambda m, a: _eig_parts(m.linalg.eig(a)), [a.astype(np.float32)], rtol=1e-3, atol=1e-4)


def test_eig_repr_and_errors():
    a = np.array([[2.0, 1.0], [1.0, 3.0]], np.float32)
    assert _repr(ember.linalg.eig(ember.tensor(a))) == repr(torch.linalg.eig(torch.tensor(a)))
    check_raises(lambda m: m.linalg.eig(m.ones(2, 3)))
    check_raises(lambda m: m.linalg.eigvals(m.ones(2, 2, dtype=m.long)))


@pytest.mark.parametrize("name", ["eig", "lstsq", "solve", "symeig", "matrix_rank"])
def test_functions_removed_in_torch_1_9_raise_with_its_message(name):
    args = (lambda m: (m.eye(2),)) if name in ("eig", "symeig", "matrix_rank") else None
    args = args or (lambda m: (m.eye(2), m.eye(2)))
    e = check_raises(lambda m: getattr(m, name)(*args(m)))
    assert str(e) == str(_torch_error(lambda m: getattr(m, name)(*args(m))))
    if name != "matrix_rank":
        check_raises(lambda m: getattr(args(m)[0], name)(*args(m)[1:]))


# -- LDL ------------------------------------------------------------------------------------------
def _symmetric(n, seed, batch=()):
    a = _randn(*batch, n, n, seed=seed)
    return a + np.swapaxes(a, -1, -2)


LDL_CASES = [
    np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]]),  # a 2x2 pivot with a swap
    _symmetric(5, 1),
    _symmetric(8, 2) * np.r_[1e-3, np.ones(7)][:, None] * np.r_[1e-3, np.ones(7)],
    _symmetric(4, 3, (2,)),
]


@pytest.mark.parametrize("a", LDL_CASES)
def test_ldl_factor_and_solve(a):
    out = check_op(lambda m, a: m.linalg.ldl_factor_ex(a), [a], dtype=F64, grad=False)
    assert type(out).__name__ == "linalg_ldl_factor_ex"
    check_op(lambda m, a: m.linalg.ldl_factor(a, hermitian=True), [a], dtype=F64, grad=False)
    b = _randn(*a.shape[:-1], 2, seed=9)
    check_op(
        lambda m, a, b: m.linalg.ldl_solve(*m.linalg.ldl_factor(a), b),
        [a, b],
        dtype=F64,
        grad=False,
    )
    check_op(lambda m, a: m.linalg.ldl_factor(a), [a.astype(np.float32)], grad=False, rtol=1e-4)


def test_ldl_singular_gradients_and_errors():
    check_op(lambda m, a: m.linalg.ldl_factor_ex(a), [np.zeros((2, 2))], dtype=F64, grad=False)
    for fn in (
        lambda m: m.linalg.ldl_factor(m.zeros(2, 2)),
        lambda m: m.linalg.ldl_factor(m.ones(2, 3)),
        lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(m.eye(3)), m.ones(3, 1, dtype=m.float64)),
        lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(m.eye(3)), m.ones(2, 1)),
    ):
        check_raises(fn)
    for m in (ember, torch):
        a = m.tensor(LDL_CASES[0], requires_grad=True)
        ld, piv = m.linalg.ldl_factor(a)
        assert type(ld.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex is not"):
            ld.sum().backward()
        b = m.ones(3, 1, dtype=m.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_solve is not"):
            m.linalg.ldl_solve(ld.detach(), piv, b).sum().backward()
