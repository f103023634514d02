"""ember.distributions transforms, constraints and the biject_to/transform_to registries."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD
from distributions_helpers import (
    assert_same_error,
    compare_grads,
    leaves,
    lower_tril,
    pos,
    real,
    simplex,
    spd,
)
from helpers import assert_close, check_raises

import ember
import ember.distributions as ED


def test_transformed_distribution_with_transforms():
    r = np.random.default_rng(4)
    loc, scale = real(r, (3,), "float64"), pos(r, (3,), "float64")
    (el, es), (tl, ts) = leaves([loc, scale])
    chains = {
        "exp_affine": lambda T, a, b: [T.ExpTransform(), T.AffineTransform(a, b)],
        "sigmoid": lambda T, a, b: [T.SigmoidTransform()],
        "neg_affine": lambda T, a, b: [T.AffineTransform(0.5, -2.0), T.ExpTransform()],
        "tanh": lambda T, a, b: [T.TanhTransform()],
        "inverse": lambda T, a, b: [
            T.ExpTransform(),
            T.ExpTransform().inv,
            T.AffineTransform(a, b),
        ],
    }
    for name, chain in chains.items():
        e = ED.TransformedDistribution(
            ED.Normal(el, es), chain(ED.transforms, el.detach() + 3, es.detach())
        )
        t = TD.TransformedDistribution(
            TD.Normal(tl, ts), chain(TD.transforms, tl.detach() + 3, ts.detach())
        )
        assert e.batch_shape == tuple(t.batch_shape)
        torch.manual_seed(0)
        x = t.sample((4,))
        e_lp, t_lp = e.log_prob(ember.tensor(x.numpy())), t.log_prob(x)
        assert_close(e_lp, t_lp, 1e-8, 1e-9, msg=f"{name} log_prob")
        e_c, t_c = e.cdf(ember.tensor(x.numpy())), t.cdf(x)
        assert_close(e_c, t_c, 1e-8, 1e-9, msg=f"{name} cdf")
        q = torch.tensor([0.2, 0.5, 0.9], dtype=torch.float64)
        assert_close(e.icdf(ember.tensor(q.numpy())), t.icdf(q), 1e-8, 1e-9, msg=f"{name} icdf")
        assert repr(e.support) == repr(t.support)
    el.grad = es.grad = None


def test_transforms_api():
    ET, TT = ED.transforms, TD.transforms
    for make in [
        lambda T: T.ExpTransform(),
        lambda T: T.SigmoidTransform(),
        lambda T: T.AffineTransform(1.0, 2.0),
        lambda T: T.ExpTransform().inv,
        lambda T: T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)]),
    ]:
        e, t = make(ET), make(TT)
        assert repr(e) == repr(t)
        assert repr(e.domain) == repr(t.domain) and repr(e.codomain) == repr(t.codomain)
        assert e.sign == t.sign and e.bijective == t.bijective
        x = np.linspace(-1.5, 1.5, 7)
        ey, ty = e(ember.tensor(x)), t(torch.tensor(x))
        assert_close(ey, ty)
        assert_close(e.inv(ey), t.inv(ty))
        assert_close(
            e.log_abs_det_jacobian(ember.tensor(x), ey), t.log_abs_det_jacobian(torch.tensor(x), ty)
        )
    assert ET.ExpTransform() == ET.ExpTransform() and ET.ExpTransform() != ET.SigmoidTransform()
    assert ET.AffineTransform(1.0, 2.0) == ET.AffineTransform(1.0, 2.0)
    assert ET.ExpTransform().inv.inv == ET.ExpTransform()
    check_raises(lambda m: m.distributions.transforms.ExpTransform(cache_size=2))
    check_raises(lambda m: m.distributions.TransformedDistribution(m.distributions.Normal(0, 1), 3))


TRANSFORM_INPUTS = [
    ("StickBreakingTransform", (), (3, 4)),
    ("SoftmaxTransform", (), (3, 4)),
    ("LowerCholeskyTransform", (), (2, 3, 3)),
    ("IndependentTransform", ("ExpTransform", 1), (3, 4)),
    ("ReshapeTransform", ((2, 3), (6,)), (4, 2, 3)),
    ("TanhTransform", (), (3, 4)),
    ("SoftplusTransform", (), (3, 4)),
    ("AbsTransform", (), (3, 4)),
    ("PowerTransform", (2.5,), (3, 4)),
    ("PositiveDefiniteTransform", (), (2, 3, 3)),
    ("CorrCholeskyTransform", (), (3, 6)),
    ("CatTransform", ("cat",), (3, 5)),
    ("StackTransform", ("stack",), (4, 3)),
]


@pytest.mark.parametrize("name,args,shape", TRANSFORM_INPUTS, ids=[t[0] for t in TRANSFORM_INPUTS])
def test_more_transforms(name, args, shape):
    def make(T):
        if name == "IndependentTransform":
            return T.IndependentTransform(getattr(T, args[0])(), args[1])
        if name == "CatTransform":
            return T.CatTransform(
                [T.ExpTransform(), T.TanhTransform(), T.SigmoidTransform()], 1, [1, 2, 2]
            )
        if name == "StackTransform":
            return T.StackTransform([T.ExpTransform(), T.TanhTransform(), T.SigmoidTransform()], 1)
        if name == "PowerTransform":
            return T.PowerTransform(
                torch.tensor(args[0]) if T is TD.transforms else ember.tensor(args[0])
            )
        return getattr(T, name)(*args)

    e, t = make(ED.transforms), make(TD.transforms)
    assert repr(e) == repr(t)
    assert repr(e.domain) == repr(t.domain) and repr(e.codomain) == repr(t.codomain)
    assert e.bijective == t.bijective
    r = np.random.default_rng(2)
    x = r.standard_normal(shape)
    if name == "PowerTransform":
        x = np.abs(x) + 0.1
    (ex,), (tx,) = leaves([x])
    ey, ty = e(ex), t(tx)
    assert_close(ey, ty)
    assert_close(e.inv(ey.detach()), t.inv(ty.detach()))
    assert tuple(e.forward_shape(shape)) == tuple(t.forward_shape(shape))
    try:
        t_j = t.log_abs_det_jacobian(tx, ty)
    except NotImplementedError:
        check_raises(lambda m: (e if m is ember else t).log_abs_det_jacobian(ex, ey))
        return
    e_j = e.log_abs_det_jacobian(ex, ey)
    assert_close(e_j, t_j)
    compare_grads(e_j + ey.sum(), t_j + ty.sum(), [ex], [tx], "float64", name)


REGISTRY_CONSTRAINTS = [
    lambda C: C.real,
    lambda C: C.positive,
    lambda C: C.nonnegative,
    lambda C: C.greater_than(2.0),
    lambda C: C.less_than(1.0),
    lambda C: C.unit_interval,
    lambda C: C.interval(-1.0, 2.0),
    lambda C: C.half_open_interval(0.0, 1.0),
    lambda C: C.simplex,
    lambda C: C.lower_cholesky,
    lambda C: C.independent(C.positive, 1),
    lambda C: C.real_vector,
    lambda C: C.boolean,
    lambda C: C.positive_definite,
    lambda C: C.corr_cholesky,
    lambda C: C.cat([C.positive, C.real], 2, [1, 2]),
    lambda C: C.stack([C.positive, C.unit_interval, C.real], 2),
]


@pytest.mark.parametrize("make", REGISTRY_CONSTRAINTS, ids=range(len(REGISTRY_CONSTRAINTS)))
def test_biject_to_and_transform_to(make):
    ec, tc = make(ED.constraints), make(TD.constraints)
    x = np.random.default_rng(5).standard_normal((2, 3, 3))
    for registry in ("biject_to", "transform_to"):
        try:
            tt = getattr(TD, registry)(tc)
        except NotImplementedError:
            check_raises(
                lambda m, reg=registry: getattr(m.distributions, reg)(
                    make(m.distributions.constraints)
                )
            )
            continue
        et = getattr(ED, registry)(ec)
        assert repr(et) == repr(tt)
        ey, ty = et(ember.tensor(x)), tt(torch.tensor(x))
        assert_close(ey, ty)
        assert bool(ec.check(ey).all())


def test_constraint_registry_register():
    registry = ED.constraint_registry.ConstraintRegistry()
    registry.register(ED.constraints.positive, lambda c: ED.transforms.ExpTransform())
    assert isinstance(registry(ED.constraints.greater_than(3.0)), ED.transforms.ExpTransform)
    check_raises(
        lambda m: m.distributions.constraint_registry.ConstraintRegistry().register(3, abs)
    )


CONSTRAINTS = [
    ("real", None),
    ("positive", None),
    ("nonnegative", None),
    ("unit_interval", None),
    ("boolean", None),
    ("nonnegative_integer", None),
    ("positive_integer", None),
    ("simplex", None),
    ("one_hot", None),
    ("real_vector", None),
    ("lower_cholesky", None),
    ("lower_triangular", None),
    ("positive_definite", None),
    ("positive_semidefinite", None),
    ("symmetric", None),
    ("square", None),
    ("integer_interval", (0, 3)),
    ("interval", (-1.0, 0.5)),
    ("half_open_interval", (-1.0, 0.5)),
    ("greater_than", (0.5,)),
    ("greater_than_eq", (0.5,)),
    ("less_than", (0.5,)),
]


@pytest.mark.parametrize("name,args", CONSTRAINTS, ids=[c[0] for c in CONSTRAINTS])
def test_constraints(name, args):
    ec, tc = getattr(ED.constraints, name), getattr(TD.constraints, name)
    if args is not None:
        ec, tc = ec(*args), tc(*args)
    assert repr(ec) == repr(tc)
    assert ec.event_dim == tc.event_dim and ec.is_discrete == tc.is_discrete
    r = np.random.default_rng(0)
    values = [
        r.integers(-1, 4, (4, 3, 3)).astype(np.float32),
        r.uniform(-1, 1, (4, 3, 3)).astype(np.float32),
        np.eye(3, dtype=np.float32)[None].repeat(2, 0),
        spd(r, (2, 3, 3), "float32"),
        lower_tril(r, (2, 3, 3), "float32"),
        simplex(r, (4, 3), "float32"),
    ]
    for v in values:
        assert_close(ec.check(ember.tensor(v)), tc.check(torch.tensor(v)), msg=f"{name} check")


def test_dependent_constraints():
    C, T = ED.constraints, TD.constraints
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    assert C.is_dependent(ED.Uniform.support) and C.is_dependent(ED.Categorical.support)
    assert repr(C.independent(C.positive, 2)) == repr(T.independent(T.positive, 2))
    check_raises(lambda m: m.distributions.constraints.dependent.check(m.zeros(1)))
    check_raises(lambda m: m.distributions.constraints.dependent.event_dim)


def test_tril_vector_utils():
    from torch.distributions import utils as TU

    from ember.distributions import utils as EU

    m = np.arange(18.0).reshape(2, 3, 3)
    for diag in (-1, 0, 1):
        v = EU.tril_matrix_to_vec(ember.tensor(m), diag)
        assert_close(v, TU.tril_matrix_to_vec(torch.tensor(m), diag))
        assert_close(
            EU.vec_to_tril_matrix(v, diag), TU.vec_to_tril_matrix(torch.tensor(v.numpy()), diag)
        )
    assert_same_error(lambda m: _utils(m).vec_to_tril_matrix(m.arange(5.0)))
    assert EU.euler_constant == TU.euler_constant
    (ev,), (tv,) = leaves([np.arange(6.0)])
    compare_grads(
        EU.vec_to_tril_matrix(ev), TU.vec_to_tril_matrix(tv), [ev], [tv], "float64", "vec_to_tril"
    )


def _utils(m):
    return m.distributions.utils
