"""Matrix products against torch."""

import numpy as np
import pytest
from helpers import check_op, check_raises

DTYPES = [np.float32, np.float64]

CASES = {
    "mm": (lambda m, a, b: a.mm(b), [(3, 4), (4, 2)]),
    "mm_fn": (lambda m, a, b: m.mm(a, b), [(1, 4), (4, 1)]),
    "matmul_2d": (lambda m, a, b: a @ b, [(3, 4), (4, 5)]),
    "matmul_1d_1d": (lambda m, a, b: a @ b, [(4,), (4,)]),
    "matmul_2d_1d": (lambda m, a, b: a @ b, [(3, 4), (4,)]),
    "matmul_1d_2d": (lambda m, a, b: a @ b, [(4,), (4, 3)]),
    "matmul_3d_2d": (lambda m, a, b: a @ b, [(2, 3, 4), (4, 5)]),
    "matmul_2d_3d": (lambda m, a, b: m.matmul(a, b), [(3, 4), (2, 4, 5)]),
    "matmul_3d_3d": (lambda m, a, b: a @ b, [(2, 3, 4), (2, 4, 5)]),
    "matmul_bcast": (lambda m, a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)]),
    "matmul_3d_1d": (lambda m, a, b: a @ b, [(2, 3, 4), (4,)]),
    "matmul_1d_3d": (lambda m, a, b: a @ b, [(3,), (2, 3, 4)]),
    "bmm": (lambda m, a, b: a.bmm(b), [(2, 3, 4), (2, 4, 5)]),
    "mv": (lambda m, a, v: a.mv(v), [(3, 4), (4,)]),
    "dot": (lambda m, a, b: a.dot(b), [(4,), (4,)]),
    "outer": (lambda m, a, b: m.outer(a, b), [(3,), (4,)]),
    "addmm": (lambda m, c, a, b: m.addmm(c, a, b), [(3, 5), (3, 4), (4, 5)]),
    "addmm_bcast": (
        lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0),
        [(5,), (3, 4), (4, 5)],
    ),
    "addmm_beta0": (lambda m, c, a, b: c.addmm(a, b, beta=0), [(1, 5), (3, 4), (4, 5)]),
    "einsum_mm": (lambda m, a, b: m.einsum("ij,jk->ik", a, b), [(3, 4), (4, 5)]),
    "einsum_trace": (lambda m, a: m.einsum("ii", a), [(3, 3)]),
    "einsum_diag": (lambda m, a: m.einsum("ii->i", a), [(3, 3)]),
    "einsum_sum": (lambda m, a: m.einsum("ij->", a), [(3, 4)]),
    "einsum_outer": (lambda m, a, b: m.einsum("i,j->ij", a, b), [(3,), (4,)]),
    "einsum_batch": (lambda m, a, b: m.einsum("bij,bjk->bik", a, b), [(2, 3, 4), (2, 4, 5)]),
    "einsum_implicit": (lambda m, a, b: m.einsum("ij,jk", a, b), [(3, 4), (4, 5)]),
    "einsum_ellipsis": (
        lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b),
        [(2, 3, 4), (2, 4, 5)],
    ),
    "einsum_three": (
        lambda m, a, b, c: m.einsum("ij,jk,kl->il", a, b, c),
        [(2, 3), (3, 4), (4, 2)],
    ),
    "einsum_list": (lambda m, a, b: m.einsum("i,i->", [a, b]), [(4,), (4,)]),
    "einsum_unused": (lambda m, a, b: m.einsum("ij,k->i", a, b), [(3, 4), (2,)]),
    "tensordot": (lambda m, a, b: m.tensordot(a, b, dims=1), [(3, 4), (4, 5)]),
    "chain": (lambda m, a, b: (a @ b).tanh() @ b.t(), [(3, 4), (4, 5)]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_linalg(name, dtype):
    fn, shapes = CASES[name]
    check_op(fn, shapes, dtype=dtype)


def test_int_matmul():
    check_op(lambda m: m.arange(6).reshape(2, 3) @ m.arange(3), [], grad=False)
    check_op(lambda m: m.arange(6).reshape(2, 3) @ m.arange(6).reshape(3, 2), [], grad=False)


RAISES = [
    lambda m: m.ones(3, 4) @ m.ones(3, 4),
    lambda m: m.ones(3, 4).mm(m.ones(4)),
    lambda m: m.ones(3) @ m.ones(4),
    lambda m: m.ones(3).dot(m.ones(3, 1)),
    lambda m: m.tensor(1.0) @ m.ones(3),
    lambda m: m.ones(2, 3, 4).bmm(m.ones(3, 4, 5)),
    lambda m: m.ones(2, 3, 4).bmm(m.ones(4, 5)),
    lambda m: m.ones(3, 4).mv(m.ones(3)),
    lambda m: m.ones(3, 4).mm(m.ones(4, 2, dtype=m.float64)),
    lambda m: m.ones(3).dot(m.ones(3, dtype=m.float64)),
    lambda m: m.ones(2, 3, 4) @ m.ones(3, 4, 5),
    lambda m: m.addmm(m.ones(3, 5), m.ones(3, 4), m.ones(3, 5)),
]


@pytest.mark.parametrize("i", range(len(RAISES)))
def test_raises(i):
    check_raises(RAISES[i])
