"""torch API functions beyond the core tensor ops, against torch: grids and block layouts
(arrange.py), statistics and products, integrals, windows, dtype queries, and the top-level
aliases of nn.functional and ember.special functions."""

import numpy as np
import pytest
import torch
from helpers import check_op, check_raises

import ember

DTYPES = [np.float32, np.float64]
L = lambda m, v: m.tensor(v)  # noqa: E731 - an index (or mask) tensor in either library


ARRANGE = {
    "meshgrid_ij": (lambda m, a, b: m.meshgrid(a, b, indexing="ij"), [(3,), (4,)]),
    "meshgrid_xy": (lambda m, a, b, c: m.meshgrid([a, b, c], indexing="xy"), [(3,), (), (2,)]),
    "cartesian_prod": (lambda m, a, b: m.cartesian_prod(a, b), [(3,), (2,)]),
    "cartesian_prod_one": (lambda m, a: m.cartesian_prod(a), [(3,)]),
    "combinations": (lambda m, a: m.combinations(a), [(4,)]),
    "combinations_r3_repl": (lambda m, a: m.combinations(a, 3, True), [(3,)]),
    "block_diag": (lambda m, a, b, c: m.block_diag(a, b, c), [(), (3,), (2, 2)]),
    "atleast_3d": (lambda m, a, b, c: m.atleast_3d(a, b, c), [(), (3,), (2, 2)]),
    "atleast_3d_one": (lambda m, a: m.atleast_3d(a), [(2, 3, 1, 2)]),
    "column_stack": (lambda m, a, b, c: m.column_stack([a, b, c]), [(2,), (2, 3), (2, 1)]),
    "row_stack": (lambda m, a, b: m.row_stack((a, b)), [(3,), (2, 3)]),
    "dstack": (lambda m, a, b: m.dstack([a, b]), [(3,), (1, 3)]),
    "hsplit": (lambda m, a: m.hsplit(a, 2), [(3, 4)]),
    "hsplit_vector": (lambda m, a: a.hsplit([1, 3]), [(5,)]),
    "vsplit": (lambda m, a: m.vsplit(a, [1]), [(3, 4)]),
    "dsplit": (lambda m, a: a.dsplit(2), [(2, 1, 4)]),
    "diag_embed": (lambda m, a: m.diag_embed(a), [(2, 3)]),
    "diag_embed_offset_dims": (lambda m, a: a.diag_embed(1, 0, 2), [(2, 3)]),
    "diag_embed_neg": (lambda m, a: a.diag_embed(-2, dim1=-1, dim2=0), [(2, 3, 2)]),
    "diagflat": (lambda m, a: m.diagflat(a, -1), [(2, 2)]),
    "diagflat_method": (lambda m, a: a.diagflat(), [(3,)]),
    "ravel": (lambda m, a: m.ravel(a.t()), [(2, 3)]),
    "ravel_method": (lambda m, a: a.ravel(), [()]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(ARRANGE))
def test_arrange(name, dtype):
    fn, shapes = ARRANGE[name]
    check_op(fn, shapes, dtype=dtype)


def test_arrange_integers_and_indices():
    i = np.arange(6)
    check_op(lambda m, a: m.block_diag(a, a.reshape(2, 3).double()), [i])
    check_op(lambda m, a: m.combinations(a, 0), [i.astype(np.float32)])
    check_op(lambda m, a: m.combinations(a, 7), [i])
    check_op(lambda m, _: m.tril_indices(3, 4, -1), [i])
    check_op(lambda m, _: m.triu_indices(4, 3, 1, dtype=m.int32), [i])
    check_op(lambda m, _: m.tril_indices(0, 3), [i])
    check_op(lambda m, a: m.unravel_index(a, (2, 3)), [np.array([4, 0, 5, 6, -6, -1])])
    check_op(lambda m, a: m.unravel_index(a[0], 6), [i])
    check_op(lambda m, a: m.unravel_index(a, (3, 1, 2)), [i.reshape(2, 3)])
    check_op(lambda m: m.block_diag(), [])
    with pytest.warns(UserWarning, match="indexing"):
        ember.meshgrid(ember.ones(2), ember.ones(3))


ARRANGE_BAD = {
    "meshgrid_empty": lambda m: m.meshgrid(indexing="ij"),
    "meshgrid_2d": lambda m: m.meshgrid(m.ones(2, 2), m.ones(3), indexing="ij"),
    "meshgrid_indexing": lambda m: m.meshgrid(m.ones(2), indexing="ji"),
    "meshgrid_dtype": lambda m: m.meshgrid(m.ones(2), m.ones(2).double(), indexing="ij"),
    "cartesian_prod_2d": lambda m: m.cartesian_prod(m.ones(2, 2)),
    "combinations_2d": lambda m: m.combinations(m.ones(2, 2)),
    "block_diag_3d": lambda m: m.block_diag(m.ones(2), m.ones(2, 2, 2)),
    "hsplit_0d": lambda m: m.hsplit(m.tensor(1.0), 2),
    "hsplit_uneven": lambda m: m.hsplit(m.ones(3, 4), 3),
    "vsplit_1d": lambda m: m.vsplit(m.ones(4), 2),
    "dsplit_uneven": lambda m: m.dsplit(m.ones(2, 2, 4), 3),
    "tril_indices_negative": lambda m: m.tril_indices(-1, 2),
    "tril_indices_float": lambda m: m.tril_indices(3, 3, dtype=m.float32),
    "triu_indices_col": lambda m: m.triu_indices(3, -2),
    "unravel_float": lambda m: m.unravel_index(m.tensor([1.0]), (2, 3)),
    "unravel_negative_shape": lambda m: m.unravel_index(m.tensor([1]), (2, -3)),
    "diag_embed_same_dims": lambda m: m.ones(2, 3).diag_embed(1, 0, 0),
    "diag_embed_dim_range": lambda m: m.ones(2, 3).diag_embed(0, 0, 3),
}


@pytest.mark.parametrize("name", sorted(ARRANGE_BAD))
def test_arrange_bad_input(name):
    check_raises(ARRANGE_BAD[name])


STATS = {
    "cov": (lambda m, x: m.cov(x), [(3, 5)]),
    "cov_1d": (lambda m, x: x.cov(), [(6,)]),
    "cov_correction0": (lambda m, x: m.cov(x, correction=0), [(2, 4)]),
    "cov_weights": (
        lambda m, x, a: m.cov(x, fweights=L(m, [1, 3, 0, 2]), aweights=a.abs() + 0.1),
        [(3, 4), (4,)],
    ),
    "cov_aweights": (lambda m, x, a: m.cov(x, aweights=a.abs(), correction=2), [(2, 6), (6,)]),
    "corrcoef": (lambda m, x: m.corrcoef(x), [(3, 5)]),
    "corrcoef_1d": (lambda m, x: x.corrcoef(), [(4,)]),
    "kron": (lambda m, a, b: m.kron(a, b), [(2, 3), (3, 2)]),
    "kron_ranks": (lambda m, a, b: a.kron(b), [(2, 1, 3), (4, 2)]),
    "kron_scalar": (lambda m, a, b: m.kron(a, b), [(), (3,)]),
    "vdot": (lambda m, a, b: m.vdot(a, b), [(5,), (5,)]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(STATS))
def test_stats_and_products(name, dtype):
    fn, shapes = STATS[name]
    check_op(fn, shapes, dtype=dtype)


def test_stats_integer_and_degenerate():
    i = np.arange(6).reshape(2, 3)
    check_op(lambda m, x: m.cov(x), [i])
    check_op(lambda m, x: m.corrcoef(x), [i])
    check_op(lambda m, x: m.cov(x), [np.ones((2, 1), np.float32)])
    check_op(lambda m, x: m.kron(x, x > 2), [i])
    check_op(lambda m, x: m.isin(x, L(m, [2, 5, 9])), [i])
    check_op(lambda m, x: m.isin(x, 2.0, invert=True), [i.astype(np.float32)])
    check_op(lambda m, x: m.isin(3, x), [i])
    check_op(lambda m, x: m.isin(x, L(m, [1.0, 4.0])), [i])


STATS_BAD = {
    "cov_3d": lambda m: m.cov(m.ones(2, 2, 2)),
    "cov_fweights_float": lambda m: m.cov(m.ones(2, 3), fweights=m.ones(3)),
    "cov_fweights_numel": lambda m: m.cov(m.ones(2, 3), fweights=L(m, [1, 2])),
    "cov_fweights_2d": lambda m: m.cov(m.ones(2, 3), fweights=L(m, [[1, 2, 3]])),
    "cov_fweights_negative": lambda m: m.cov(m.ones(2, 3), fweights=L(m, [1, -2, 3])),
    "cov_aweights_int": lambda m: m.cov(m.ones(2, 3), aweights=L(m, [1, 2, 3])),
    "cov_aweights_negative": lambda m: m.cov(m.ones(2, 3), aweights=L(m, [1, -2.0, 3])),
    "corrcoef_3d": lambda m: m.corrcoef(m.ones(2, 2, 2)),
    "vdot_2d": lambda m: m.vdot(m.ones(2, 2), m.ones(2, 2)),
    "vdot_size": lambda m: m.vdot(m.ones(2), m.ones(3)),
    "vdot_dtype": lambda m: m.vdot(m.ones(2), m.ones(2).double()),
    "isin_bool": lambda m: m.isin(L(m, [1, 2]), L(m, [True])),
    "isin_scalars": lambda m: m.isin(2, 3),
}


@pytest.mark.parametrize("name", sorted(STATS_BAD))
def test_stats_bad_input(name):
    check_raises(STATS_BAD[name])


FUNCTIONAL_ALIASES = {
    "conv2d": (lambda m, x, w: m.conv2d(x, w, padding=1), [(1, 2, 5, 5), (3, 2, 3, 3)]),
    "conv1d": (lambda m, x, w: m.conv1d(x, w, None, 2), [(1, 2, 7), (3, 2, 3)]),
    "conv_transpose2d": (
        lambda m, x, w: m.conv_transpose2d(x, w, stride=2),
        [(1, 2, 4, 4), (2, 3, 3, 3)],
    ),
    "cosine_similarity": (lambda m, x, y: m.cosine_similarity(x, y), [(3, 4), (3, 4)]),
    "pairwise_distance": (lambda m, x, y: m.pairwise_distance(x, y), [(3, 4), (3, 4)]),
    "pixel_shuffle": (lambda m, x: m.pixel_shuffle(x, 2), [(1, 8, 2, 2)]),
    "pixel_unshuffle": (lambda m, x: m.pixel_unshuffle(x, 2), [(1, 2, 4, 4)]),
    "max_pool2d": (lambda m, x: m.max_pool2d(x, 2), [(1, 2, 4, 4)]),
    "max_pool1d": (lambda m, x: m.max_pool1d(x, 2), [(1, 2, 4)]),
    "avg_pool1d": (lambda m, x: m.avg_pool1d(x, 2), [(1, 2, 4)]),
    "prelu": (lambda m, x, w: m.prelu(x, w), [(2, 3, 4), (3,)]),
    "selu": (lambda m, x: m.selu(x), [(2, 3)]),
    "celu": (lambda m, x: m.celu(x, 0.5), [(2, 3)]),
    "hardshrink": (lambda m, x: m.hardshrink(x, 0.3), [(2, 3)]),
    "bilinear": (lambda m, a, b, w, c: m.bilinear(a, b, w, c), [(2, 3), (2, 4), (5, 3, 4), (5,)]),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONAL_ALIASES))
def test_functional_aliases_at_top_level(name):
    fn, shapes = FUNCTIONAL_ALIASES[name]
    check_op(fn, shapes)


def _dtype_name(d) -> str:
    return str(d).split(".")[-1]


@pytest.mark.parametrize(
    "args",
    [
        lambda m: (2, 3.0),
        lambda m: (True, 2),
        lambda m: (m.ones(2, dtype=m.int32), 2.5),
        lambda m: (m.tensor(1.0, dtype=m.float64), m.ones(2)),
        lambda m: (m.ones(2, dtype=m.uint8), m.ones(2, dtype=m.int8)),
        lambda m: (3, m.ones(2, dtype=m.int16)),
    ],
)
def test_result_type(args):
    assert _dtype_name(ember.result_type(*args(ember))) == _dtype_name(
        torch.result_type(*args(torch))
    )


def test_can_cast_is_signed_clone():
    names = ["bool", "uint8", "int8", "int32", "int64", "float32", "float64"]
    for a in names:
        for b in names:
            e = ember.can_cast(getattr(ember, a), getattr(ember, b))
            assert e == torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)
        assert ember.ones(1, dtype=getattr(ember, a)).is_signed() == torch.is_signed(
            torch.ones(1, dtype=getattr(torch, a))
        )
    check_op(lambda m, x: m.clone(x), [(2, 3)])
    assert not ember.can_cast(float, ember.int32) and ember.can_cast(ember.int32, float)
    check_raises(lambda m: m.can_cast("float", m.int32))
    check_raises(lambda m: m.result_type("a", 2))


SPECIAL_ALIASES = {
    "lgamma": (lambda m, x: m.lgamma(x), 0.1, 3.0),
    "lgamma_method": (lambda m, x: x.lgamma(), 0.1, 3.0),
    "digamma": (lambda m, x: x.digamma(), 0.1, 3.0),
    "erfc": (lambda m, x: m.erfc(x), -2.0, 2.0),
    "logit": (lambda m, x: x.logit(), 0.05, 0.95),
    "logit_eps": (lambda m, x: m.logit(x, 0.2), 0.05, 0.95),
    "sinc": (lambda m, x: x.sinc(), -2.0, 2.0),
    "polygamma0": (lambda m, x: m.polygamma(0, x), 0.5, 3.0),
    "arcsinh": (lambda m, x: x.arcsinh(), -2.0, 2.0),
    "arccosh": (lambda m, x: x.arccosh(), 1.5, 3.0),
    "arctanh": (lambda m, x: x.arctanh(), -0.9, 0.9),
    "lgamma_": (lambda m, x: (x * 1).lgamma_(), 0.1, 3.0),
    "erfc_": (lambda m, x: (x * 1).erfc_(), -2.0, 2.0),
    "sinc_": (lambda m, x: (x * 1).sinc_(), -2.0, 2.0),
    "logit_": (lambda m, x: (x * 1).logit_(), 0.05, 0.95),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(SPECIAL_ALIASES))
def test_special_aliases(name, dtype):
    fn, low, high = SPECIAL_ALIASES[name]
    check_op(fn, [(3, 4)], dtype=dtype, low=low, high=high)


def test_polygamma_values():
    # ember.special.polygamma has n <= 1 and no gradient for n = 1 yet: values only
    check_op(lambda m, x: x.polygamma(1), [(3, 4)], low=0.5, high=3.0, grad=False)


INTEGRALS = {
    "trapezoid": (lambda m, y: m.trapezoid(y), [(2, 5)]),
    "trapezoid_dx_dim0": (lambda m, y: m.trapezoid(y, dx=0.5, dim=0), [(4, 3)]),
    "trapezoid_x": (lambda m, y, x: m.trapezoid(y, x), [(2, 5), (5,)]),
    "trapezoid_x_full": (lambda m, y, x: m.trapezoid(y, x, dim=0), [(3, 4), (3, 4)]),
    "trapz": (lambda m, y, x: m.trapz(y, x), [(3,), (3,)]),
    "trapz_dx": (lambda m, y: m.trapz(y, dx=2.0), [(3, 2)]),
    "cumulative_trapezoid": (lambda m, y: m.cumulative_trapezoid(y), [(2, 5)]),
    "cumulative_trapezoid_x": (
        lambda m, y, x: m.cumulative_trapezoid(y, x, dim=0),
        [(4, 2), (4,)],
    ),
    "trapezoid_one_point": (lambda m, y: m.trapezoid(y), [(1,)]),
    "cumulative_trapezoid_empty": (lambda m, y: m.cumulative_trapezoid(y), [(0,)]),
    "vander_zero_cols": (lambda m, x: m.vander(x, 0), [(3,)]),
    "chain_matmul": (lambda m, a, b, c: m.chain_matmul(a, b, c), [(2, 3), (3, 4), (4, 2)]),
    "split_with_sizes": (lambda m, x: x.split_with_sizes([1, 3], 1), [(2, 4)]),
    "split_with_sizes_fn": (lambda m, x: m.split_with_sizes(x, [2, 0, 1]), [(3, 2)]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(INTEGRALS))
@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
def test_integrals_and_more(name, dtype):
    fn, shapes = INTEGRALS[name]
    check_op(fn, shapes, dtype=dtype)


def test_integrals_integer_and_zero_points():
    check_op(lambda m, y: m.trapezoid(y), [np.array([1, 2, 4])])
    check_op(lambda m, y: m.vander(y), [np.array([1, 2, 3])])
    check_op(lambda m, y: m.vander(y > 1), [np.array([1, 2, 3])])
    assert ember.ones(2, 3).is_same_size(ember.zeros(2, 3))
    assert not ember.is_same_size(ember.ones(2, 3), ember.ones(3, 2))
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        ember.chain_matmul(ember.ones(2, 2))


@pytest.mark.parametrize("n, increasing", [(None, False), (3, True), (4, False)])
@pytest.mark.parametrize("x", [np.array([0.5, 2.0, -1.0, 1.5]), np.array([0.0, 2.0, -1.0])])
def test_vander_gradient(n, increasing, x):
    # torch's own vander backward fails (it writes in place into what it saved), so the
    # gradient oracle is x ** powers, the same function; x = 0 checks finite gradients there
    k = len(x) if n is None else n
    powers = list(range(k)) if increasing else list(range(k - 1, -1, -1))
    check_op(
        lambda m, x: m.vander(x, n, increasing),
        [x],
        torch_fn=lambda m, x: x.unsqueeze(1) ** m.tensor(powers),
    )
    check_op(lambda m, x: m.vander(x, n, increasing), [x.astype(np.float32)], grad=False)


INTEGRALS_BAD = {
    "trapezoid_x_size": lambda m: m.trapezoid(m.ones(2, 3), m.ones(2)),
    "trapezoid_0d": lambda m: m.trapezoid(m.tensor(1.0)),
    "trapezoid_x_and_dx": lambda m: m.trapezoid(m.ones(3), m.ones(3), dx=2),
    "cumulative_trapezoid_x_size": lambda m: m.cumulative_trapezoid(m.ones(3), m.ones(2)),
    "vander_2d": lambda m: m.vander(m.ones(2, 2)),
    "vander_negative_n": lambda m: m.vander(m.ones(2), N=-1),
    "chain_matmul_none": lambda m: m.chain_matmul(),
    "chain_matmul_vector": lambda m: m.chain_matmul(m.ones(3)),
    "split_with_sizes_sum": lambda m: m.ones(5).split_with_sizes([2, 2]),
    "is_same_size_int": lambda m: m.ones(2).is_same_size(3),
}


@pytest.mark.parametrize("name", sorted(INTEGRALS_BAD))
@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
def test_integrals_bad_input(name):
    check_raises(INTEGRALS_BAD[name])


WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("length", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("name", WINDOWS)
def test_windows(name, length, periodic, dtype):
    check_op(
        lambda m, _: getattr(m, name)(length, periodic, dtype=getattr(m, dtype)),
        [(1,)],
        grad=False,
    )


def test_window_parameters_and_bad_input():
    check_op(lambda m, _: m.hamming_window(6, False, 0.5, 0.4), [(1,)], grad=False)
    check_op(lambda m, _: m.kaiser_window(7, True, 5.0), [(1,)], grad=False)
    assert ember.hann_window(3, requires_grad=True).requires_grad
    check_raises(lambda m: m.hann_window(-1))
    check_raises(lambda m: m.bartlett_window(3, dtype=m.int64))
