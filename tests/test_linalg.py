"""ember.linalg against torch.linalg: factors, values and gradients on batched inputs, well
conditioned and near singular; float64 gradchecks; torch's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from ember import linalg as LA

INF = math.inf


def _rand(shape, dtype=np.float64, kind="general", seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if kind == "spd":
        a = a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1])
    elif kind == "near_singular":  # condition number ~1e5 (float32) / 1e9 (float64)
        u, _, vh = np.linalg.svd(a)
        k = min(shape[-2:])
        small = 1e-5 if dtype == np.float32 else 1e-9
        s = np.geomspace(1.0, small, k)
        a = (u[..., :, :k] * s) @ vh[..., :k, :]
    return a.astype(dtype)


def _pair(a):
    return (ember.tensor(a.copy(), requires_grad=True), torch.tensor(a.copy(), requires_grad=True))


def _tol(dtype, scale=1.0):
    return (1e-4 * scale, 1e-5 * scale) if dtype == np.float32 else (1e-8 * scale, 1e-10 * scale)


def _close(e, t, dtype, scale=1.0, msg=""):
    assert tuple(e.shape) == tuple(t.shape), f"{msg}: {tuple(e.shape)} vs {tuple(t.shape)}"
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], msg
    rtol, atol = _tol(dtype, scale)
    np.testing.assert_allclose(
        e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol, err_msg=msg
    )


def _compare(fn_e, fn_t, a, *, scale=1.0, align=None):
    """Outputs (every factor) and the gradient of a random weighted sum of them.

    ``align`` names outputs whose columns have LAPACK-implementation dependent signs: ember's are
    multiplied by constant signs matching torch's first, which makes the compared function of A
    the same.
    """
    e, t = _pair(a)
    oe, ot = fn_e(e), fn_t(t)
    oe = tuple(oe) if isinstance(oe, tuple) else (oe,)
    ot = tuple(ot) if isinstance(ot, tuple) else (ot,)
    oe = list(oe)
    for i, how in (align or {}).items():
        prod = oe[i].detach().numpy() * ot[i].detach().numpy()
        d = np.sign(prod.sum(-2, keepdims=True) if how == "cols" else prod.sum(-1, keepdims=True))
        oe[i] = oe[i] * ember.tensor(d)
    rng = np.random.default_rng(1)
    le, lt = 0, 0
    for i, (x, y) in enumerate(zip(oe, ot)):
        if y.numel() and y.dtype.is_floating_point:
            _close(x, y, a.dtype, scale, msg=f"output {i}")
            if y.requires_grad:
                w = rng.standard_normal(tuple(y.shape)).astype(a.dtype)
                le = le + (x * ember.tensor(w)).sum()
                lt = lt + (y * torch.tensor(w)).sum()
        else:
            np.testing.assert_array_equal(x.detach().numpy(), y.detach().numpy())
    if isinstance(lt, torch.Tensor):
        lt.backward()
        le.backward()
        if t.grad is None:
            assert e.grad is None
        else:
            _close(e.grad, t.grad, a.dtype, scale * 10, msg="gradient")
    return oe


DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["general", "near_singular"])
def test_inv_det_slogdet_solve(dtype, kind):
    a = _rand((3, 4, 4), dtype, kind)
    scale = 1.0 if kind == "general" else (1e3 if dtype == np.float64 else 1e4)
    _compare(LA.inv, torch.linalg.inv, a, scale=scale)
    _compare(LA.det, torch.linalg.det, a, scale=scale)
    _compare(LA.slogdet, torch.linalg.slogdet, a, scale=scale)
    b = _rand((3, 4, 2), dtype, seed=3)
    _compare(
        lambda m: LA.solve(m, ember.tensor(b)),
        lambda m: torch.linalg.solve(m, torch.tensor(b)),
        a,
        scale=scale,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_solve_forms(dtype):
    a = _rand((2, 3, 3), dtype)
    b = _rand((2, 3), dtype, seed=2)
    # a vector right-hand side per batch, B broadcast over A's batch, and left=False
    _compare(
        lambda m: LA.solve(m, m[..., 0] + ember.tensor(b)),
        lambda m: torch.linalg.solve(m, m[..., 0] + torch.tensor(b)),
        a,
    )
    _compare(
        lambda m: LA.solve(m, ember.tensor(b[0])),
        lambda m: torch.linalg.solve(m, torch.tensor(b[0])),
        a,
    )
    _compare(
        lambda m: LA.solve(m, m * 2, left=False),
        lambda m: torch.linalg.solve(m, m * 2, left=False),
        a,
    )
    _compare(lambda m: LA.solve(m[0], m), lambda m: torch.linalg.solve(m[0], m), a)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(dtype, upper):
    a = _rand((3, 5, 5), dtype, "spd")
    _compare(
        lambda m: LA.cholesky(m, upper=upper), lambda m: torch.linalg.cholesky(m, upper=upper), a
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5, 3), (2, 4, 4), (2, 3, 5)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_factors_and_grads(dtype, shape, mode):
    a = _rand(shape, dtype)
    if mode == "r" or (mode == "complete" and shape[-2] > shape[-1]):
        e, t = LA.qr(ember.tensor(a), mode), torch.linalg.qr(torch.tensor(a), mode)
        for x, y in zip(e, t):
            if y.numel():
                _close(x, y, dtype)
            else:
                assert x.numel() == 0
        return
    q, r = _compare(lambda m: LA.qr(m, mode), lambda m: torch.linalg.qr(m, mode), a)
    assert type(LA.qr(ember.tensor(a), mode)).__name__ == "linalg_qr"


@pytest.mark.parametrize("dtype", DTYPES)
def test_eigh(dtype):
    a = _rand((3, 5, 5), dtype, "spd")
    # MKL (torch) and OpenBLAS (NumPy) may pick opposite eigenvector signs: aligned, the factors
    # and the gradient of any function of them agree.
    _compare(LA.eigh, torch.linalg.eigh, a, align={1: "cols"})
    _compare(
        lambda m: LA.eigh(m, UPLO="U"),
        lambda m: torch.linalg.eigh(m, UPLO="U"),
        a + np.triu(np.ones_like(a), 1),
        align={1: "cols"},
    )
    _compare(LA.eigvalsh, torch.linalg.eigvalsh, a)
    vals = LA.eigvalsh(ember.tensor(a)).numpy()
    assert np.all(np.diff(vals, axis=-1) > 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 6, 4), (2, 4, 6), (2, 4, 4), (1, 10, 3)])
def test_svd_factors_and_grads(dtype, shape):
    a = _rand(shape, dtype)
    for full in (False, True):
        u, s, vh = LA.svd(ember.tensor(a), full_matrices=full)
        tu, ts, tvh = torch.linalg.svd(torch.tensor(a), full_matrices=full)
        _close(s, ts, dtype)
        k = min(shape[-2:])
        # Singular vector pairs (u_i, v_i) are unique up to a joint sign, which MKL's gesdd
        # (torch) and OpenBLAS's (NumPy) may choose differently: compare with one sign per pair.
        d = np.sign((u.numpy()[..., :k] * tu.numpy()[..., :k]).sum(-2))
        _close(u[..., :k] * ember.tensor(d[..., None, :]), tu[..., :k], dtype)
        _close(vh[..., :k, :] * ember.tensor(d[..., :, None]), tvh[..., :k, :], dtype)
        uu = u.numpy()
        np.testing.assert_allclose(
            np.swapaxes(uu, -1, -2) @ uu,
            np.broadcast_to(np.eye(uu.shape[-1]), uu.shape[:-2] + (uu.shape[-1],) * 2),
            atol=1e-5,
        )

    # Gradients through all three factors, with signs aligned as constants.
    e, t = _pair(a)
    u, s, vh = LA.svd(e, full_matrices=False)
    tu, ts, tvh = torch.linalg.svd(t, full_matrices=False)
    d = ember.tensor(np.sign((u.detach().numpy() * tu.detach().numpy()).sum(-2)))
    u, vh = u * d.unsqueeze(-2), vh * d.unsqueeze(-1)
    rng = np.random.default_rng(5)
    ws = [rng.standard_normal(tuple(x.shape)).astype(dtype) for x in (tu, ts, tvh)]
    sum(((x * ember.tensor(w)).sum() for x, w in zip((u, s, vh), ws)), 0).backward()
    sum(((x * torch.tensor(w)).sum() for x, w in zip((tu, ts, tvh), ws)), 0).backward()
    _close(e.grad, t.grad, dtype, 10)
    _compare(LA.svdvals, torch.linalg.svdvals, a)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5, 3), (2, 3, 5), (2, 4, 4)])
def test_pinv_lstsq(dtype, shape):
    a = _rand(shape, dtype)
    _compare(LA.pinv, torch.linalg.pinv, a, scale=10)
    _compare(lambda m: LA.pinv(m, rtol=0.5), lambda m: torch.linalg.pinv(m, rtol=0.5), a, scale=10)
    if shape[-2] >= shape[-1]:
        b = _rand(shape[:-1] + (2,), dtype, seed=4)
        _compare(
            lambda m: LA.lstsq(m, ember.tensor(b)),
            lambda m: torch.linalg.lstsq(m, torch.tensor(b)),
            a,
            scale=10,
        )
        _compare(
            lambda m: LA.lstsq(m, ember.tensor(b), driver="gelsd"),
            lambda m: torch.linalg.lstsq(m, torch.tensor(b), driver="gelsd"),
            a,
            scale=10,
        )


def test_near_singular_rank_and_pinv():
    a = _rand((3, 5, 4), np.float64, "near_singular")
    a[1] = _rand((5, 4), np.float64, seed=9)
    a[2, :, 3] = a[2, :, 0] + a[2, :, 1]  # exactly rank 3
    e, t = ember.tensor(a), torch.tensor(a)
    assert LA.matrix_rank(e).tolist() == torch.linalg.matrix_rank(t).tolist()
    for kw in ({"atol": 1e-6}, {"rtol": 1e-3}, {"atol": 0.1, "rtol": 0.0}):
        assert LA.matrix_rank(e, **kw).tolist() == torch.linalg.matrix_rank(t, **kw).tolist()
        np.testing.assert_allclose(
            LA.pinv(e, **kw).numpy(), torch.linalg.pinv(t, **kw).numpy(), rtol=1e-6, atol=1e-8
        )
    assert LA.matrix_rank(e).dtype == ember.int64


@pytest.mark.parametrize("dtype", DTYPES)
def test_norms(dtype):
    a = _rand((3, 5, 4), dtype)
    for ord in [2, 1, 3, 0.5, -1, INF, -INF, 0]:
        for dim in [None, -1, (0, 2)]:
            _compare(
                lambda m, o=ord, d=dim: LA.vector_norm(m, o, d),
                lambda m, o=ord, d=dim: torch.linalg.vector_norm(m, o, d),
                a,
            )
    _compare(
        lambda m: LA.vector_norm(m, 2, 1, keepdim=True),
        lambda m: torch.linalg.vector_norm(m, 2, 1, keepdim=True),
        a,
    )
    for ord in ["fro", "nuc", 1, -1, 2, -2, INF, -INF]:
        for dim, keep in [((-2, -1), False), ((0, 2), True), ((2, 0), False)]:
            _compare(
                lambda m, o=ord, d=dim, k=keep: LA.matrix_norm(m, o, d, k),
                lambda m, o=ord, d=dim, k=keep: torch.linalg.matrix_norm(m, o, d, k),
                a,
            )
    _compare(LA.norm, torch.linalg.norm, a)
    _compare(lambda m: LA.norm(m[0], "nuc"), lambda m: torch.linalg.norm(m[0], "nuc"), a)
    _compare(lambda m: LA.norm(m[0, 0], 3), lambda m: torch.linalg.norm(m[0, 0], 3), a)
    _compare(lambda m: LA.norm(m, 1, (0, 1)), lambda m: torch.linalg.norm(m, 1, (0, 1)), a)


def test_norm_gradient_at_zero():
    for ord in [2, 1, 3, 0.5, INF]:
        e = ember.zeros(4, dtype=ember.float64, requires_grad=True)
        t = torch.zeros(4, dtype=torch.float64, requires_grad=True)
        LA.vector_norm(e, ord).backward()
        torch.linalg.vector_norm(t, ord).backward()
        np.testing.assert_array_equal(e.grad.numpy(), t.grad.numpy())
    e = ember.ones(3, requires_grad=True)
    LA.vector_norm(e, 0).backward()
    assert e.grad is None  # torch leaves it undefined too


@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_power_cross_cdist(dtype):
    a = _rand((2, 4, 4), dtype) / 2 + np.eye(4, dtype=dtype)
    for n in [0, 1, 2, 5, -1, -3]:
        _compare(
            lambda m, n=n: LA.matrix_power(m, n),
            lambda m, n=n: torch.linalg.matrix_power(m, n),
            a,
            scale=10,
        )
    v = _rand((2, 4, 3), dtype)
    _compare(
        lambda m: LA.cross(m, m.flip(1) * 2), lambda m: torch.linalg.cross(m, m.flip(1) * 2), v
    )
    _compare(lambda m: LA.cross(m[:1], m), lambda m: torch.linalg.cross(m[:1], m), v)
    _compare(
        lambda m: ember.cross(m.transpose(1, 2), m.transpose(1, 2)[..., :1]),
        lambda m: torch.cross(m.transpose(1, 2), m.transpose(1, 2)[..., :1], dim=1),
        v,
    )
    x = _rand((2, 5, 3), dtype)
    for p in [2.0, 1.0, 3.0, INF, 0.0]:
        _compare(
            lambda m, p=p: ember.cdist(m, m[:, :3] * 2, p),
            lambda m, p=p: torch.cdist(m, m[:, :3] * 2, p),
            x,
        )


def test_legacy_names():
    a = _rand((2, 4, 3), np.float64)
    u, s, v = ember.svd(ember.tensor(a))
    tu, ts, tv = torch.svd(torch.tensor(a))
    d = ember.tensor(np.sign((u.numpy() * tu.numpy()).sum(-2, keepdims=True)))
    for x, y in zip((u * d, s, v * d), (tu, ts, tv)):
        _close(x, y, np.float64)
    with pytest.warns(UserWarning, match="torch.qr is deprecated"):
        import ember.linalg as mod

        mod._qr_warned = False
        q, r = ember.qr(ember.tensor(a))
    tq, tr = torch.linalg.qr(torch.tensor(a))
    _close(q, tq, np.float64)
    sq = _rand((2, 3, 3), np.float64, "spd")
    _compare(ember.det, torch.det, sq)
    _compare(ember.inverse, torch.inverse, sq)
    _compare(ember.logdet, torch.logdet, sq)
    _compare(lambda m: m.inverse(), lambda m: m.inverse(), sq)
    _compare(lambda m: m.det(), lambda m: m.det(), sq)
    _compare(lambda m: m.pinverse(), lambda m: m.pinverse(), a)
    neg = -np.eye(3)[None].repeat(2, 0)
    neg[1, 0, 0] = 0
    np.testing.assert_array_equal(
        ember.logdet(ember.tensor(neg)).numpy(), torch.logdet(torch.tensor(neg)).numpy()
    )
    assert LA.inv(ember.tensor(sq, requires_grad=True)).grad_fn.name() == "LinalgInvExBackward0"
    assert ember.logdet(ember.tensor(sq, requires_grad=True)).grad_fn.name() == "WhereBackward0"


def test_det_gradient_singular():
    # torch's gradient at an exactly singular matrix is zero
    a = np.stack([np.diag([1.0, 1.0, 0.0]), np.eye(3) * 2])
    _compare(LA.det, torch.linalg.det, a)


@pytest.mark.parametrize(
    "name,fn,kind",
    [
        ("inv", LA.inv, "general"),
        ("det", LA.det, "general"),
        (
            "cholesky",
            lambda m: LA.cholesky(m @ m.mT + ember.eye(3, dtype=ember.float64)),
            "general",
        ),
        ("qr", lambda m: LA.qr(m)[0] + LA.qr(m)[1].sum(), "general"),
        ("eigh", lambda m: LA.eigh(m + m.mT)[0], "general"),
        ("eigvec", lambda m: LA.eigh(m + m.mT)[1].abs(), "general"),
        ("svd", lambda m: LA.svd(m, False)[1], "general"),
        ("svdU", lambda m: LA.svd(m, False)[0].abs(), "general"),
        ("pinv", LA.pinv, "general"),
        ("solve", lambda m: LA.solve(m, m[..., :1]), "general"),
        ("slogdet", lambda m: LA.slogdet(m)[1], "general"),
        ("mnorm2", lambda m: LA.matrix_norm(m, 2), "general"),
    ],
)
def test_gradcheck_float64(name, fn, kind):
    a = _rand((2, 3, 3), np.float64, kind, seed=11)
    assert ember.autograd.gradcheck(
        fn, (ember.tensor(a, requires_grad=True),), eps=1e-6, atol=1e-6, rtol=1e-4
    )


def test_second_derivatives():
    a = _rand((3, 3), np.float64, "spd", seed=2)
    for fe, ft in [
        (LA.inv, torch.linalg.inv),
        (LA.cholesky, torch.linalg.cholesky),
        (LA.eigvalsh, torch.linalg.eigvalsh),
        (LA.svdvals, torch.linalg.svdvals),
        (LA.det, torch.linalg.det),
    ]:
        e, t = _pair(a)
        (ge,) = ember.autograd.grad((fe(e) ** 2).sum(), e, create_graph=True)
        (gt,) = torch.autograd.grad((ft(t) ** 2).sum(), t, create_graph=True)
        (ge * ge).sum().backward()
        (gt * gt).sum().backward()
        _close(e.grad, t.grad, np.float64, 100, msg=fe.__name__)


ERRORS = [
    lambda m, z: m.linalg.inv(z),
    lambda m, z: m.linalg.inv(m.stack([m.eye(3), z])),
    lambda m, z: m.linalg.inv(m.ones(2, 3)),
    lambda m, z: m.linalg.inv(m.ones(3)),
    lambda m, z: m.linalg.inv(m.ones(3, 3, dtype=m.long)),
    lambda m, z: m.linalg.inv(m.ones(3, 3, dtype=m.float16)),
    lambda m, z: m.linalg.solve(z, m.ones(3)),
    lambda m, z: m.linalg.solve(m.stack([m.eye(3), z]), m.ones(2, 3)),
    lambda m, z: m.linalg.solve(m.eye(3), m.ones(4)),
    lambda m, z: m.linalg.cholesky(-m.eye(3)),
    lambda m, z: m.linalg.cholesky(m.stack([m.eye(3), -m.eye(3)])),
    lambda m, z: m.linalg.cholesky(m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda m, z: m.linalg.det(m.ones(2, 3)),
    lambda m, z: m.linalg.eigh(m.ones(2, 3)),
    lambda m, z: m.linalg.eigh(m.ones(3, 3), UPLO="X"),
    lambda m, z: m.linalg.svd(m.ones(3)),
    lambda m, z: m.linalg.qr(m.ones(3, 3), mode="foo"),
    lambda m, z: (
        m.linalg.qr(m.randn(4, 3, requires_grad=True), mode="complete")[0].sum().backward()
    ),
    lambda m, z: m.linalg.qr(m.randn(4, 3, requires_grad=True), mode="r")[1].sum().backward(),
    lambda m, z: m.linalg.matrix_power(m.ones(2, 3), 2),
    lambda m, z: m.linalg.cross(m.ones(2, 4), m.ones(2, 4)),
    lambda m, z: m.linalg.matrix_norm(m.ones(3), "fro"),
    lambda m, z: m.linalg.matrix_norm(m.ones(3, 3), 3),
    lambda m, z: m.linalg.vector_norm(m.ones(3, dtype=m.long)),
    lambda m, z: m.linalg.vector_norm(m.ones(0), -1),
    lambda m, z: m.linalg.norm(m.ones(3, 3, 3), "fro"),
    lambda m, z: m.linalg.lstsq(m.randn(4, 3), m.randn(5, 3)),
    lambda m, z: m.cdist(m.randn(4, 3), m.randn(5, 2)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    z = np.diag([1.0, 1.0, 0.0]).astype(np.float32)
    with pytest.raises(Exception) as te:
        ERRORS[k](torch, torch.tensor(z))
    with pytest.raises(Exception) as ee:
        ERRORS[k](ember, ember.tensor(z))
    assert str(ee.value) == str(te.value)
    if isinstance(te.value, torch.linalg.LinAlgError):
        assert type(ee.value) is LA.LinAlgError
    else:
        assert type(ee.value) is type(te.value)
    assert issubclass(LA.LinAlgError, RuntimeError)
