"""nn.utils beyond clipping: parametrize, parametrizations, legacy weight/spectral norm hooks,
stateless calls, BatchNorm fusion, skip_init, memory formats; differential against torch."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.prune  # noqa: F401 - torch does not import it with nn.utils

import ember
import ember.nn.utils.prune  # noqa: F401
from tests.helpers import assert_close, check_raises, to_ember


def same_module(tm, em):
    """Load torch module ``tm``'s state into ember module ``em`` (same structure)."""
    em.load_state_dict({k: to_ember(v) for k, v in tm.state_dict().items()})
    return em


def both(ctor):
    """``ctor(lib)`` built in both libraries, ember's carrying torch's weights."""
    tm = ctor(torch)
    em = same_module(tm, ctor(ember))
    return tm, em


def check_state(tm, em, rtol=1e-5, atol=1e-6):
    ts, es = tm.state_dict(), em.state_dict()
    assert list(ts) == list(es)
    for k in ts:
        assert_close(es[k], ts[k], rtol, atol, msg=k)


def check_call(tm, em, x, rtol=1e-5, atol=1e-6):
    """Same output and same gradients of every parameter for ``sum(m(x) * w)``."""
    y = tm(x)
    ye = em(to_ember(x))
    assert_close(ye, y, rtol, atol, msg="output")
    w = torch.randn(y.shape, generator=torch.Generator().manual_seed(1))
    (y * w).sum().backward()
    (ye * to_ember(w)).sum().backward()
    tp, ep = dict(tm.named_parameters()), dict(em.named_parameters())
    assert list(tp) == list(ep)
    for k in tp:
        assert_close(ep[k].grad, tp[k].grad, rtol * 10, atol * 10, msg=k)


def close(a, b, atol=1e-6):
    """Two ember tensors hold the same values."""
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=atol)


def same_error(fn):
    """Both raise the same type with the same message (modulo the library's name)."""
    err = check_raises(fn)
    try:
        fn(torch)
    except Exception as ex:  # noqa: BLE001
        assert str(err).replace("ember", "torch") == str(ex)


# -- parametrize ---------------------------------------------------------------------------------
def symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).mT

        def right_inverse(self, a):
            return a.triu()

    return Symmetric()


def scale(lib, k=2.0):
    class Scale(lib.nn.Module):
        def forward(self, x):
            return x * k

        def right_inverse(self, a):
            return a / k

    return Scale()


def halves(lib):
    class Halves(lib.nn.Module):
        def forward(self, a, b):
            return a + 2 * b

        def right_inverse(self, x):
            return [x / 2, x / 4]

    return Halves()


def test_register_parametrization_values_grads_keys_repr():
    for chain in ([symmetric], [symmetric, scale], [halves, symmetric]):
        torch.manual_seed(0)
        tm, em = both(lambda lib: lib.nn.Linear(4, 4))
        for lib, m in ((torch, tm), (ember, em)):
            for p in chain:
                lib.nn.utils.parametrize.register_parametrization(m, "weight", p(lib))
        check_state(tm, em)
        check_call(tm, em, torch.randn(3, 4))
        assert repr(em) == repr(tm)
        assert type(em).__name__ == "ParametrizedLinear"
        assert isinstance(em, ember.nn.Linear)
        P = ember.nn.utils.parametrize
        assert P.type_before_parametrizations(em) is ember.nn.Linear
        assert P.is_parametrized(em) and P.is_parametrized(em, "weight")
        assert not P.is_parametrized(em, "bias")
        assert not P.is_parametrized(ember.nn.Linear(2, 2))
        # assigning goes through right_inverse
        tm.weight = torch.eye(4) * 3
        em.weight = ember.eye(4) * 3
        check_state(tm, em)
        assert_close(em.weight, tm.weight)


def test_parametrize_original_identity_and_buffers():
    m = ember.nn.Linear(3, 3)
    w = m.weight
    ember.nn.utils.parametrize.register_parametrization(m, "weight", symmetric(ember))
    assert m.parametrizations.weight.original is w  # optimizers holding it keep working
    np.testing.assert_array_equal(w.detach().numpy(), np.triu(w.detach().numpy()))
    tm = torch.nn.BatchNorm1d(3)
    em = same_module(tm, ember.nn.BatchNorm1d(3))
    for lib, mod in ((torch, tm), (ember, em)):
        lib.nn.utils.parametrize.register_parametrization(mod, "running_var", scale(lib))
    check_state(tm, em)
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave):
    torch.manual_seed(1)
    tm, em = both(lambda lib: lib.nn.Linear(3, 3))
    for lib, m in ((torch, tm), (ember, em)):
        P = lib.nn.utils.parametrize
        P.register_parametrization(m, "weight", symmetric(lib))
        P.register_parametrization(m, "weight", scale(lib, 3.0))
        P.register_parametrization(m, "bias", scale(lib))
        P.remove_parametrizations(m, "weight", leave_parametrized=leave)
    assert type(em).__name__ == type(tm).__name__ == "ParametrizedLinear"
    check_state(tm, em)
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.parametrize.remove_parametrizations(m, "bias", leave_parametrized=leave)
    assert type(em) is ember.nn.Linear and not hasattr(em, "parametrizations")
    assert isinstance(em.weight, ember.nn.Parameter)
    check_state(tm, em)
    check_call(tm, em, torch.randn(2, 3))


def test_remove_sequence_parametrization():
    torch.manual_seed(2)
    tm, em = both(lambda lib: lib.nn.Linear(3, 2))
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", halves(lib))
    same_error(lambda lib: lib.nn.utils.parametrize.remove_parametrizations(
        tm if lib is torch else em, "weight", leave_parametrized=False))  # fmt: skip
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight")
    check_state(tm, em)
    assert isinstance(em.weight, ember.nn.Parameter) and em.weight.requires_grad


def test_parametrize_unsafe_changes_shape():
    for lib_m in both(lambda lib: lib.nn.Linear(3, 3)):
        lib = torch if isinstance(lib_m, torch.nn.Module) else ember

        class Row(lib.nn.Module):
            def forward(self, x):
                return x[0]

        lib.nn.utils.parametrize.register_parametrization(lib_m, "weight", Row(), unsafe=True)
        assert tuple(lib_m.weight.shape) == (3,)
        assert lib_m.parametrizations.weight.unsafe


def test_cached_computes_once():
    calls = []

    class Count(ember.nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 2

    m = ember.nn.Linear(2, 2)
    P = ember.nn.utils.parametrize
    P.register_parametrization(m, "weight", Count())
    calls.clear()
    with P.cached():
        a, b = m.weight, m.weight
    assert a is b and len(calls) == 1
    m.weight  # noqa: B018 - the cache is gone after the context
    assert len(calls) == 2


def test_transfer_parametrizations_and_params():
    torch.manual_seed(3)
    results = []
    for lib in (torch, ember):
        src = lib.nn.Linear(3, 3)
        with lib.no_grad():
            src.weight.copy_(lib.tensor(np.arange(9.0, dtype=np.float32).reshape(3, 3)))
        P = lib.nn.utils.parametrize
        P.register_parametrization(src, "weight", symmetric(lib))
        dst = lib.nn.Linear(3, 3)
        P.transfer_parametrizations_and_params(src, dst)
        assert dst.parametrizations.weight.original is src.parametrizations.weight.original
        results.append((type(dst).__name__, dst.weight))
    assert results[1][0] == results[0][0]
    assert_close(results[1][1], results[0][1])


def test_parametrize_errors():
    def reg(lib, p, name="weight", first=None):
        m = lib.nn.Linear(3, 3)
        if first is not None:
            lib.nn.utils.parametrize.register_parametrization(m, name, first(lib))
        reg_fn = lib.nn.utils.parametrize.register_parametrization
        return reg_fn(m, name, p(lib))

    def make(lib, fwd, rinv=None):
        body = {"forward": lambda self, *x: fwd(lib, *x)}
        if rinv is not None:
            body["right_inverse"] = lambda self, x: rinv(lib, x)
        return type("P", (lib.nn.Module,), body)()

    bad_dtype = lambda lib: make(lib, lambda lib, x: x.double())  # noqa: E731
    bad_shape = lambda lib: make(lib, lambda lib, x: x[0])  # noqa: E731
    not_tensor = lambda lib: make(lib, lambda lib, x: 1)  # noqa: E731
    ri_int = lambda lib: make(lib, lambda lib, x: x, lambda lib, x: 3)  # noqa: E731
    ri_list = lambda lib: make(lib, lambda lib, x: x, lambda lib, x: [x, 3])  # noqa: E731
    ri_dtype = lambda lib: make(lib, lambda lib, x: x, lambda lib, x: x.double())  # noqa: E731
    for p in (bad_dtype, bad_shape, not_tensor, ri_int, ri_list, ri_dtype):
        same_error(lambda lib, p=p: reg(lib, p))
        same_error(lambda lib, p=p: reg(lib, p, first=symmetric))
    same_error(lambda lib: reg(lib, symmetric, name="foo"))
    same_error(lambda lib: lib.nn.utils.parametrize.ParametrizationList([], lib.ones(2)))

    def no_right_inverse(lib):
        m = lib.nn.Linear(3, 3)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", bad_shape(lib), unsafe=True)
        m.weight = lib.ones(3)

    same_error(no_right_inverse)

    def remove_missing(lib):
        m = reg(lib, symmetric)
        lib.nn.utils.parametrize.remove_parametrizations(m, "bias")

    same_error(remove_missing)
    m = reg(ember, symmetric)
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(m)
    m2 = copy.deepcopy(m)
    assert type(m2) is type(m)
    assert m2.parametrizations.weight.original is not m.parametrizations.weight.original
    close(m2.weight, m.weight)


@pytest.mark.parametrize(
    "inverse",
    [lambda x: x, lambda x: [x], lambda x: [x, 1], lambda x: [x, x.double()], None],
    ids=["tensor", "short", "not-tensor", "dtype", "one-original-dtype"],
)
def test_parametrize_assignment_errors(inverse):
    def assign(lib):
        m = lib.nn.Linear(3, 3)
        if inverse is None:  # one original: a dtype change is refused
            lib.nn.utils.parametrize.register_parametrization(m, "weight", scale(lib))
            m.weight = lib.ones(3, 3, dtype=lib.float64)
            return
        lib.nn.utils.parametrize.register_parametrization(m, "weight", halves(lib))
        # from now on the parametrization's right_inverse misbehaves
        m.parametrizations.weight[0].right_inverse = inverse
        m.weight = lib.ones(3, 3)

    same_error(assign)


# -- parametrizations ----------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, 2, -1, None])
def test_weight_norm_parametrization(dim):
    torch.manual_seed(4)
    tm, em = both(lambda lib: lib.nn.Conv1d(4, 3, 5))
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.parametrizations.weight_norm(m, dim=dim)
    check_state(tm, em)
    check_call(tm, em, torch.randn(2, 4, 7))
    assert repr(em) == repr(tm)


def test_weight_norm_parametrization_loads_legacy_state_dict():
    torch.manual_seed(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        legacy = torch.nn.utils.weight_norm(torch.nn.Linear(3, 4))
    em = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 4))
    em.load_state_dict({k: to_ember(v) for k, v in legacy.state_dict().items()})
    assert_close(em.weight, legacy.weight)


@pytest.mark.parametrize(
    "ctor, shape",
    [
        (lambda lib: lib.nn.Linear(5, 4), (2, 5)),
        (lambda lib: lib.nn.Conv2d(3, 4, 2), (2, 3, 5, 5)),
        (lambda lib: lib.nn.ConvTranspose2d(3, 4, 2), (2, 3, 4, 4)),
    ],
)
def test_spectral_norm_parametrization(ctor, shape):
    torch.manual_seed(6)
    tm, em = both(ctor)
    torch.nn.utils.parametrizations.spectral_norm(tm)
    ember.nn.utils.parametrizations.spectral_norm(em)
    same_module(tm, em)  # torch's initial u and v (random) into ember
    for _step in range(3):
        x = torch.randn(shape)
        check_call(tm, em, x, rtol=1e-4, atol=1e-5)
        check_state(tm, em, rtol=1e-4, atol=1e-5)  # u, v after the power iteration
    tm.eval()
    em.eval()
    u = em.parametrizations.weight[0]._u.numpy().copy()
    assert_close(em.weight, tm.weight, 1e-4, 1e-5)
    np.testing.assert_array_equal(em.parametrizations.weight[0]._u.numpy(), u)
    # the largest singular value of the normalized weight is about 1
    mat = em.weight.detach().numpy().reshape(em.weight.shape[0], -1)
    assert 0.9 < np.linalg.svd(mat, compute_uv=False)[0] < 1.1


def test_spectral_norm_1d_and_errors():
    tm, em = both(lambda lib: lib.nn.Linear(3, 4))
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.parametrizations.spectral_norm(m, "bias")
    assert_close(em.bias, tm.bias)
    sn = lambda **kw: (
        lambda lib: lib.nn.utils.parametrizations.spectral_norm(  # noqa: E731
            lib.nn.Linear(3, 4), **kw
        )
    )
    same_error(sn(n_power_iterations=0))
    same_error(sn(dim=2))
    same_error(sn(name="foo"))


@pytest.mark.parametrize("omap", [None, "matrix_exp", "cayley", "householder"])
def test_orthogonal_square(omap):
    torch.manual_seed(7)
    tm, em = both(lambda lib: lib.nn.Linear(4, 4))
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.parametrizations.orthogonal(m, orthogonal_map=omap)
    check_state(tm, em, 1e-4, 1e-5)  # base = the orthogonalized initial weight
    # move away from the identity so the map itself is exercised; householder reads the signs
    # of its reflections from the diagonal, which is left alone
    delta = (0.1 * torch.randn(4, 4)).tril(-1)
    with torch.no_grad():
        tm.parametrizations.weight.original.add_(delta)
    em.parametrizations.weight.original.data = to_ember(tm.parametrizations.weight.original)
    check_call(tm, em, torch.randn(3, 4), rtol=1e-4, atol=1e-5)
    w = em.weight.detach().numpy()
    np.testing.assert_allclose(w.T @ w, np.eye(4), atol=1e-5)


@pytest.mark.parametrize("omap", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(3, 5), (5, 3)])
def test_orthogonal_rectangular(omap, shape):
    m = ember.nn.Linear(shape[1], shape[0])
    ember.nn.utils.parametrizations.orthogonal(m, orthogonal_map=omap)
    with ember.no_grad():
        m.parametrizations.weight.original.add_((0.1 * ember.randn(*shape)).tril(-1))
    w = m.weight.detach().numpy()
    gram = w @ w.T if shape[0] < shape[1] else w.T @ w
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-5)
    m.weight.sum().backward()
    assert m.parametrizations.weight.original.grad is not None


def test_orthogonal_householder_without_trivialization():
    torch.manual_seed(8)
    tm, em = both(lambda lib: lib.nn.Linear(3, 5))
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.parametrizations.orthogonal(m, use_trivialization=False)
    check_state(tm, em, 1e-4, 1e-5)
    check_call(tm, em, torch.randn(2, 3), rtol=1e-4, atol=1e-5)


def test_orthogonal_errors():
    orth = lambda m, **kw: (
        lambda lib: lib.nn.utils.parametrizations.orthogonal(  # noqa: E731
            m(lib), **kw
        )
    )
    same_error(orth(lambda lib: lib.nn.Linear(3, 4), name="bias"))
    same_error(orth(lambda lib: lib.nn.Linear(3, 4), name="foo"))
    same_error(orth(lambda lib: lib.nn.Linear(3, 4), orthogonal_map="foo"))

    def assign(lib):
        m = lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 3), use_trivialization=False)
        m.weight = lib.eye(3)

    check_raises(assign)

    def wrong_shape(lib):
        m = lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 3))
        m.weight = lib.eye(2)

    same_error(wrong_shape)


# -- legacy hooks --------------------------------------------------------------------------------
def test_legacy_weight_norm():
    torch.manual_seed(9)
    tm, em = both(lambda lib: lib.nn.Conv2d(2, 3, 2))
    for lib, m in ((torch, tm), (ember, em)):
        with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
            lib.nn.utils.weight_norm(m, dim=1)
    check_state(tm, em)
    assert list(em.state_dict()) == ["bias", "weight_g", "weight_v"]
    check_call(tm, em, torch.randn(1, 2, 4, 4))
    assert repr(em) == repr(tm)
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.remove_weight_norm(m)
    check_state(tm, em)
    assert isinstance(em.weight, ember.nn.Parameter)

    def twice(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            lib.nn.utils.weight_norm(lib.nn.utils.weight_norm(lib.nn.Linear(2, 2)))

    same_error(twice)
    same_error(lambda lib: lib.nn.utils.remove_weight_norm(lib.nn.Linear(2, 2)))


def test_legacy_spectral_norm():
    torch.manual_seed(10)
    tm, em = both(lambda lib: lib.nn.ConvTranspose2d(3, 4, 2))
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.spectral_norm(m)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert list(em.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    same_module(tm, em)  # torch's random u and v
    for _step in range(2):
        check_call(tm, em, torch.randn(2, 3, 4, 4), rtol=1e-4, atol=1e-5)
        check_state(tm, em, 1e-4, 1e-5)
    tm.eval()
    em.eval()
    before = em.weight_u.numpy().copy()
    check_call(tm, em, torch.randn(2, 3, 4, 4), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(em.weight_u.numpy(), before)
    for lib, m in ((torch, tm), (ember, em)):
        lib.nn.utils.remove_spectral_norm(m)
    check_state(tm, em, 1e-4, 1e-5)
    same_error(
        lambda lib: lib.nn.utils.spectral_norm(lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2)))
    )
    same_error(lambda lib: lib.nn.utils.remove_spectral_norm(lib.nn.Linear(2, 2)))
    same_error(lambda lib: lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2), n_power_iterations=0))


# -- stateless -----------------------------------------------------------------------------------
def test_functional_call():
    torch.manual_seed(11)
    tm, em = both(lambda lib: lib.nn.Linear(3, 2))
    tw = torch.randn(2, 3, requires_grad=True)
    ew = to_ember(tw)
    x = torch.randn(4, 3)
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        ye = ember.nn.utils.stateless.functional_call(em, {"weight": ew}, to_ember(x))
    yt = torch.func.functional_call(tm, {"weight": tw}, (x,))
    assert_close(ye, yt)
    yt.sum().backward()
    ye.sum().backward()
    assert_close(ew.grad, tw.grad)
    assert em.weight.grad is None and isinstance(em.weight, ember.nn.Parameter)
    check_state(tm, em)  # the module's own tensors are back
    fc = ember.nn.utils.stateless._functional_call
    kw = fc(em, {}, None, {"input": to_ember(x)})
    assert_close(kw, tm(x))

    def strict(lib):
        f = lib.func.functional_call if lib is torch else fc
        m = lib.nn.Linear(3, 2)
        f(m, {"weight": lib.zeros(2, 3), "foo": lib.ones(1)}, (lib.ones(1, 3),), strict=True)

    same_error(strict)
    for bad in ({"bad.weight": 1}, {"weight": 3}, {"weight.x": 1}):

        def call(lib, bad=bad):
            f = lib.func.functional_call if lib is torch else fc
            d = {k: lib.ones(1) if v == 1 else v for k, v in bad.items()}
            f(lib.nn.Linear(3, 2), d, (lib.ones(1, 3),))

        check_raises(call)


def test_functional_call_tied_weights_and_buffers():
    torch.manual_seed(12)
    tm, em = both(
        lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.BatchNorm1d(3), lib.nn.ReLU())
    )
    for m in (tm, em):
        m.append(m[0])  # the same Linear twice: tied weights
    tw = torch.randn(3, 3)
    x = torch.randn(4, 3)
    yt = torch.func.functional_call(tm, {"0.weight": tw}, (x,))
    fc = ember.nn.utils.stateless._functional_call
    ye = fc(em, {"0.weight": to_ember(tw)}, (to_ember(x),))
    assert_close(ye, yt, 1e-5, 1e-5)
    ye2 = fc(em, {"0.weight": to_ember(tw)}, (to_ember(x),), tie_weights=False)
    yt2 = torch.func.functional_call(tm, {"0.weight": tw}, (x,), tie_weights=False)
    assert_close(ye2, yt2, 1e-5, 1e-5)

    def conflict(lib):
        f = lib.func.functional_call if lib is torch else fc
        m = lib.nn.Sequential(lib.nn.Linear(3, 3))
        m.append(m[0])
        f(m, {"0.weight": lib.zeros(3, 3), "1.weight": lib.ones(3, 3)}, (lib.ones(1, 3),))

    same_error(conflict)
    # a swapped-in buffer takes the running-stat update; the module's own does not
    rm = torch.zeros(3)
    rme = to_ember(rm)
    torch.func.functional_call(tm, {"1.running_mean": rm}, (x,))
    fc(em, {"1.running_mean": rme}, (to_ember(x),))
    assert_close(rme, rm)
    check_state(tm, em, 1e-5, 1e-6)


# -- fusion, init, memory format, permutations -----------------------------------------------------
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_fuse_conv_bn_eval(transpose, bias):
    torch.manual_seed(13)

    def ctor(lib):
        cls = lib.nn.ConvTranspose2d if transpose else lib.nn.Conv2d
        conv = cls(3, 4, 2, bias=bias)
        bn = lib.nn.BatchNorm2d(4)
        return lib.nn.Sequential(conv, bn)

    tm, em = both(ctor)
    with torch.no_grad():
        tm[1].running_mean.uniform_(-1, 1)
        tm[1].running_var.uniform_(0.5, 2)
        tm[1].weight.uniform_(0.5, 2)
    same_module(tm, em)
    tm.eval()
    em.eval()
    tf = torch.nn.utils.fuse_conv_bn_eval(tm[0], tm[1], transpose=transpose)
    ef = ember.nn.utils.fuse_conv_bn_eval(em[0], em[1], transpose=transpose)
    assert type(ef) is type(em[0]) and ef is not em[0]
    assert isinstance(ef.bias, ember.nn.Parameter)
    check_state(tf, ef)
    x = torch.randn(2, 3, 5, 5)
    close(ef(to_ember(x)), em(to_ember(x)), 1e-5)
    check_call(tf, ef, x, rtol=1e-4, atol=1e-5)
    check_raises(
        lambda lib: lib.nn.utils.fuse_conv_bn_eval(lib.nn.Conv2d(2, 3, 1), lib.nn.BatchNorm2d(3))
    )


def test_fuse_linear_bn():
    torch.manual_seed(14)
    tm, em = both(lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4)))
    with torch.no_grad():
        tm[1].running_mean.uniform_(-1, 1)
        tm[1].running_var.uniform_(0.5, 2)
    same_module(tm, em)
    tm.eval()
    em.eval()
    tf = torch.nn.utils.fuse_linear_bn_eval(tm[0], tm[1])
    ef = ember.nn.utils.fuse_linear_bn_eval(em[0], em[1])
    check_state(tf, ef)
    x = torch.randn(5, 3)
    close(ef(to_ember(x)), em(to_ember(x)), 1e-5)
    args = [t.state_dict()[k] for t, k in ((tm[0], "weight"), (tm[0], "bias"))]
    bn = [tm[1].running_mean, tm[1].running_var, 1e-3, tm[1].weight, tm[1].bias]
    tw = torch.nn.utils.fuse_linear_bn_weights(*args, *bn)
    ew = ember.nn.utils.fuse_linear_bn_weights(*to_ember(args), *to_ember(bn))
    assert_close(list(ew), list(tw))
    assert isinstance(ew[0], ember.nn.Parameter)

    def mismatch(lib):
        lin, bn = lib.nn.Linear(2, 3).eval(), lib.nn.BatchNorm1d(2).eval()
        lib.nn.utils.fuse_linear_bn_eval(lin, bn)

    same_error(mismatch)


def test_fuse_conv_bn_weights_without_affine():
    torch.manual_seed(15)
    w, rm, rv = torch.randn(4, 3, 2, 2), torch.randn(4), torch.rand(4) + 0.5
    tw = torch.nn.utils.fuse_conv_bn_weights(w, None, rm, rv, 1e-5, None, None)
    ew = ember.nn.utils.fuse_conv_bn_weights(*to_ember([w, None, rm, rv, 1e-5, None, None]))
    assert_close(list(ew), list(tw))


def test_skip_init():
    ember.manual_seed(0)
    expected = ember.rand(3)
    ember.manual_seed(0)
    m = ember.nn.utils.skip_init(ember.nn.Linear, 3, 4, dtype=ember.float64)
    close(ember.rand(3), expected)  # the global generator is untouched
    t = torch.nn.utils.skip_init(torch.nn.Linear, 3, 4, dtype=torch.float64)
    assert m.weight.shape == t.weight.shape and str(m.weight.dtype) == "ember.float64"
    assert isinstance(m.weight, ember.nn.Parameter) and m.weight.requires_grad
    same_error(lambda lib: lib.nn.utils.skip_init(int))
    same_error(lambda lib: lib.nn.utils.skip_init(lib.nn.ReLU))


def test_clip_grads_with_norm_():
    torch.manual_seed(16)
    grads = [torch.randn(3, 2) * 5, torch.randn(4)]
    res = []
    for lib in (torch, ember):
        ps = [lib.zeros(tuple(g.shape), requires_grad=True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone() if lib is torch else to_ember(g)
        total = lib.nn.utils.get_total_norm([p.grad for p in ps])
        lib.nn.utils.clip_grads_with_norm_(ps, 1.5, total)
        res.append([p.grad for p in ps])
    assert_close(res[1], res[0])
    ember.nn.utils.clip_grads_with_norm_([ember.zeros(2, requires_grad=True)], 1.0, ember.ones(()))


@pytest.mark.parametrize("fn, cls, dims", [("2d", "Conv2d", 4), ("3d", "ConvTranspose3d", 5)])
def test_convert_conv_weight_memory_format(fn, cls, dims):
    for lib in (torch, ember):
        fmt = lib.channels_last if dims == 4 else lib.channels_last_3d
        m = lib.nn.Sequential(getattr(lib.nn, cls)(2, 3, 1), lib.nn.Linear(2, 2))
        before = m[0].weight
        values = before.detach().clone()
        out = getattr(lib.nn.utils, f"convert_conv{fn}_weight_memory_format")(m, fmt)
        assert out is m and m[0].weight is before
        assert m[0].weight.is_contiguous(memory_format=fmt)
        assert isinstance(m[0].weight, lib.nn.Parameter)
        assert lib.equal(m[0].weight, values)


def test_invert_permutation():
    perm = torch.randperm(7, generator=torch.Generator().manual_seed(3))
    assert_close(ember.nn.utils.rnn.invert_permutation(to_ember(perm)),
                 torch.nn.utils.rnn.invert_permutation(perm))  # fmt: skip
    assert ember.nn.utils.rnn.invert_permutation(None) is None


@pytest.mark.parametrize("name, args", [("dirac", (4, 2, 3)), ("eye", (3, 4)), ("sparse", (6, 3))])
def test_deprecated_init_aliases(name, args):
    extra = (0.5,) if name == "sparse" else ()
    for lib in (torch, ember):
        with pytest.warns(FutureWarning, match=f"nn.init.{name}_"):
            out = getattr(lib.nn.init, name)(lib.empty(*args), *extra)
        assert tuple(out.shape) == args
    ember_eye = ember.nn.init.eye_(ember.empty(3, 4))
    assert_close(ember_eye, torch.nn.init.eye_(torch.empty(3, 4)))


def test_dir_matches_torch():
    public = lambda mod: {n for n in dir(mod) if not n.startswith("_")}  # noqa: E731
    assert public(ember.nn.utils) == public(torch.nn.utils)
    assert sorted(ember.nn.utils.__all__) == sorted(torch.nn.utils.__all__)
    for sub in ("parametrize", "parametrizations", "stateless", "fusion"):
        assert set(getattr(ember.nn.utils, sub).__all__) == set(
            getattr(torch.nn.utils, sub).__all__
        ), sub


# -- prune ---------------------------------------------------------------------------------------
def pruned_pair(steps):
    """A conv + linear model in each library with the same weights, after ``steps(lib, P, m)``
    (each library's global generator seeded alike: random pruning draws the same numbers)."""
    out = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Conv2d(3, 6, 3), lib.nn.Flatten(), lib.nn.Linear(150, 4))
        rng = np.random.default_rng(0)
        with lib.no_grad():
            for p in m.parameters():
                p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
        for step in steps:
            step(lib, lib.nn.utils.prune, m)
        out.append(m)
    return out


PRUNINGS = {
    "l1": [lambda lib, P, m: P.l1_unstructured(m[0], "weight", 0.3)],
    "random": [lambda lib, P, m: P.random_unstructured(m[0], "weight", 10)],
    "random_structured": [lambda lib, P, m: P.random_structured(m[0], "weight", 0.5, dim=0)],
    "ln_structured": [lambda lib, P, m: P.ln_structured(m[0], "weight", 2, n=1, dim=1)],
    "container": [
        lambda lib, P, m: P.l1_unstructured(m[0], "weight", 0.2),
        lambda lib, P, m: P.ln_structured(m[0], "weight", 0.5, n=2, dim=0),
        lambda lib, P, m: P.random_unstructured(m[0], "weight", 0.3),
        lambda lib, P, m: P.random_structured(m[0], "weight", 1, dim=-1),
    ],
    "global": [
        lambda lib, P, m: P.l1_unstructured(m[2], "weight", 3),
        lambda lib, P, m: P.global_unstructured(
            [(m[0], "weight"), (m[2], "weight"), (m[2], "bias")], P.L1Unstructured, amount=0.4
        ),
    ],
    "custom_identity": [
        lambda lib, P, m: P.custom_from_mask(m[2], "bias", lib.tensor([1.0, 0, 1, 0])),
        lambda lib, P, m: P.identity(m[2], "weight"),
    ],
    "importance": [
        lambda lib, P, m: P.l1_unstructured(
            m[2], "weight", 0.5, importance_scores=lib.arange(600.0).reshape(4, 150).flip(1)
        ),
    ],
    "remove": [
        lambda lib, P, m: P.l1_unstructured(m[0], "weight", 0.3),
        lambda lib, P, m: P.random_unstructured(m[0], "weight", 0.3),
        lambda lib, P, m: P.remove(m[0], "weight"),
    ],
}


@pytest.mark.parametrize("case", list(PRUNINGS))
def test_prune_matches_torch(case):
    tm, em = pruned_pair(PRUNINGS[case])
    check_state(tm, em)
    check_call(tm, em, torch.randn(2, 3, 7, 7), rtol=1e-4, atol=1e-5)
    P = ember.nn.utils.prune
    assert P.is_pruned(em) == torch.nn.utils.prune.is_pruned(tm) == (case != "remove")
    hooks = [[type(h).__name__ for h in m[0]._forward_pre_hooks.values()] for m in (tm, em)]
    assert hooks[0] == hooks[1]
    tnames = [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in em.named_parameters()] == tnames
    if case == "remove":
        assert isinstance(em[0].weight, ember.nn.Parameter)
        assert "weight_orig" not in tnames


def test_prune_method_prune_and_container():
    t = [3.0, -1.0, 2.0, 5.0, -0.5]
    res = [lib.nn.utils.prune.L1Unstructured(2).prune(lib.tensor(t)) for lib in (torch, ember)]
    assert_close(res[1], res[0])
    m = ember.nn.Linear(3, 2)
    P = ember.nn.utils.prune
    P.l1_unstructured(m, "weight", 1)
    P.random_unstructured(m, "weight", 1)
    container = next(iter(m._forward_pre_hooks.values()))
    assert isinstance(container, P.PruningContainer) and len(container) == 2
    assert [type(x).__name__ for x in container] == ["L1Unstructured", "RandomUnstructured"]
    assert int((m.weight_mask == 0).sum()) == 2
    close(m.weight, m.weight_orig * m.weight_mask)


def test_prune_errors():
    def lin(lib):
        return lib.nn.Linear(3, 2)

    cases = [
        lambda lib, P: P.l1_unstructured(lin(lib), "weight", -1),
        lambda lib, P: P.l1_unstructured(lin(lib), "weight", 1.5),
        lambda lib, P: P.l1_unstructured(lin(lib), "weight", "a"),
        lambda lib, P: P.l1_unstructured(lin(lib), "weight", 7),
        lambda lib, P: P.ln_structured(lin(lib), "bias", 1, n=2, dim=0),
        lambda lib, P: P.ln_structured(lin(lib), "weight", 1, n=2, dim=2),
        lambda lib, P: P.random_structured(lin(lib), "weight", 5, dim=1),
        lambda lib, P: P.remove(lin(lib), "weight"),
        lambda lib, P: P.global_unstructured([(lin(lib), "weight")], P.RandomStructured, amount=1),
        lambda lib, P: P.global_unstructured(
            [(lin(lib), "weight")], P.L1Unstructured, importance_scores=[1], amount=1
        ),
        lambda lib, P: P.global_unstructured(3, P.L1Unstructured, amount=1),
        lambda lib, P: P.l1_unstructured(lin(lib), "weight", 1, importance_scores=lib.ones(3)),
        lambda lib, P: P.l1_unstructured(lin(lib), "foo", 1),
    ]
    for case in cases:
        same_error(lambda lib, case=case: case(lib, lib.nn.utils.prune))
    # a failed pruning puts the parameter back (re-registered, so last, as in torch)
    tm, em = both(lin)
    for lib, m in ((torch, tm), (ember, em)):
        with pytest.raises(ValueError):
            lib.nn.utils.prune.l1_unstructured(m, "weight", 9)
    check_state(tm, em)
    assert list(em.state_dict()) == ["bias", "weight"]
    assert not ember.nn.utils.prune.is_pruned(em)
