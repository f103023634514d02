"""A differential sweep of nn.utils against torch: clipping, conversion, norms, parametrize,
prune, rnn packing, stateless calls and fusion, written as PyTorch users write them."""

from __future__ import annotations

import math

import pytest
import torch

import ember
from tests.helpers import assert_close, check_raises


def both(fn):
    """``fn(lib)`` run on torch then ember (same seed before each); results compared."""
    torch.manual_seed(0)
    t = fn(torch)
    ember.manual_seed(0)
    e = fn(ember)
    assert_close(e, t)
    return e, t


def grads(lib, dtype=None):
    """Three parameters, two with gradients (a fixed function of torch's seeded randn)."""
    lib.manual_seed(0)
    dtype = dtype or lib.float32
    a = lib.randn(3, 4, dtype=dtype, requires_grad=True)
    b = lib.randn(5, dtype=dtype, requires_grad=True)
    c = lib.randn(2, dtype=dtype, requires_grad=True)
    ((a * 3).sum() + (b**2).sum()).backward()
    return a, b, c


# -- clip_grad ------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2, 1, math.inf, "inf", 3.5, 0.5, 0])
def test_clip_grad_norm_norm_types(norm_type):
    def fn(lib):
        a, b, c = grads(lib)
        total = lib.nn.utils.clip_grad_norm_([a, b, c], 1.0, norm_type=norm_type)
        return total, a.grad, b.grad

    both(fn)


@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm_float64_single_tensor_and_generator(foreach):
    def fn(lib):
        a, b, _ = grads(lib, lib.float64)
        single = lib.nn.utils.clip_grad_norm_(a, 0.5, foreach=foreach)
        gen = lib.nn.utils.clip_grad_norm_((p for p in [a, b]), 100.0, foreach=foreach)
        return single, gen, a.grad, b.grad

    both(fn)


def test_clip_grad_norm_without_grads_mixed_dtypes_and_module():
    def fn(lib):
        a, b, c = grads(lib)
        d = lib.randn(3, dtype=lib.float64, requires_grad=True)
        d.sum().backward()
        m = lib.nn.Linear(3, 2)
        m(lib.ones(4, 3)).sum().backward()
        return (
            lib.nn.utils.clip_grad_norm_([], 1.0),
            lib.nn.utils.clip_grad_norm_([c], 1.0),
            lib.nn.utils.clip_grad_norm_([a, d], 0.1),
            a.grad,
            d.grad,
            lib.nn.utils.clip_grad_norm_([d, b], 0.1, "inf"),
            lib.nn.utils.clip_grad_norm_(m.parameters(), 1),
            m.weight.grad,
        )

    e, _ = both(fn)
    assert not e[0].requires_grad and e[0].grad_fn is None


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_clip_grad_norm_nonfinite(bad):
    def fn(lib, error):
        a, b, _ = grads(lib)
        a.grad[0, 0] = bad
        try:
            total = lib.nn.utils.clip_grad_norm_([a, b], 1.0, error_if_nonfinite=error)
        except RuntimeError as ex:
            return str(ex), b.grad  # the gradients are left alone
        return total, b.grad

    e, t = fn(ember, True), fn(torch, True)
    assert_close(e, t)
    both(lambda lib: fn(lib, False))


def test_clip_grad_value_():
    def fn(lib):
        out = []
        for cv in [0.5, 2, -1]:
            a, b, c = grads(lib)
            out += [lib.nn.utils.clip_grad_value_([a, b, c], cv), a.grad, b.grad]
        a, b, c = grads(lib)
        lib.nn.utils.clip_grad_value_(a, 1.0, foreach=True)
        return out + [a.grad]

    both(fn)


def test_get_total_norm_and_clip_grads_with_norm_():
    def fn(lib):
        u = lib.nn.utils
        a, b, c = grads(lib)
        out = [u.get_total_norm([a.grad, b.grad], p) for p in (2, "inf", 1, 0)]
        out += [u.get_total_norm(a.grad), u.get_total_norm([])]
        u.clip_grads_with_norm_([a, b, c], 1.0, lib.tensor(50.0))
        out += [a.grad, b.grad]
        u.clip_grads_with_norm_(a, 1e4, lib.tensor(50.0, dtype=lib.float64))
        out += [a.grad, u.clip_grads_with_norm_([c], 1.0, 5.0)]
        return out

    both(fn)
    check_raises(
        lambda lib: lib.nn.utils.clip_grads_with_norm_(grads(lib)[:1], 1.0, 50.0),
    )


def test_clip_grad_argument_errors():
    for kwargs in [dict(max_norm="a"), dict(max_norm=1, norm_type="fro")]:
        check_raises(lambda lib, kw=kwargs: lib.nn.utils.clip_grad_norm_(grads(lib)[0], **kw))


# -- parameters_to_vector / vector_to_parameters -----------------------------------------------
def test_parameters_to_vector_roundtrip():
    def fn(lib):
        a, b, _ = grads(lib)
        vec = lib.nn.utils.parameters_to_vector(p for p in [a, b])
        lin = lib.nn.Linear(3, 2)
        v = lib.arange(8.0)
        lib.nn.utils.vector_to_parameters(v, lin.parameters())
        v[0] = 100.0  # the parameters view the vector, as in torch
        lib.nn.utils.vector_to_parameters(lib.arange(20.0), [lin.bias])
        return vec, type(vec.grad_fn).__name__, lin.weight, lin.bias, type(lin.weight).__name__

    both(fn)


def test_vector_to_parameters_errors():
    for vec in ([1, 2], 3.0, "arange"):

        def fn(lib, vec=vec):
            v = lib.arange(3.0) if vec == "arange" else vec  # too short
            lib.nn.utils.vector_to_parameters(v, lib.nn.Linear(3, 2).parameters())

        check_raises(fn)
    check_raises(lambda lib: lib.nn.utils.parameters_to_vector([]))


# -- weight_norm / spectral_norm ------------------------------------------------------------------
def run_module(m, x):
    """Output and every parameter's gradient (named) of ``m(x).sum()``."""
    y = m(x)
    y.sum().backward()
    return [y] + [(n, p.grad) for n, p in m.named_parameters()]


def keys(m):
    return (
        [n for n, _ in m.named_parameters()],
        [n for n, _ in m.named_buffers()],
        list(m.state_dict()),
        repr(m),
    )


@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_legacy_weight_norm_seeded(dim):
    def fn(lib):
        with pytest.warns(FutureWarning):
            m = lib.nn.utils.weight_norm(lib.nn.Linear(4, 3), dim=dim)
        out = [keys(m), m.weight_g, type(m.weight).__name__]
        out += run_module(m, lib.ones(2, 4))
        lib.nn.utils.remove_weight_norm(m)
        return out + [keys(m), m.weight]

    both(fn)


def test_legacy_spectral_norm_seeded_and_metadata():
    def fn(lib):
        m = lib.nn.utils.spectral_norm(lib.nn.Linear(4, 3))
        out = [keys(m), m.weight_u, m.weight_v, m.weight]
        out += run_module(m, lib.ones(2, 4)) + [m.weight_u, m.weight_v]
        m.eval()
        out += run_module(m, lib.ones(2, 4)) + [m.weight_u]
        sd = m.state_dict()
        out += [str(sd._metadata), len(m._state_dict_hooks), len(m._load_state_dict_pre_hooks)]
        lib.nn.utils.remove_spectral_norm(m)
        seq = lib.nn.Sequential(lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2)), lib.nn.ReLU())
        return (
            out
            + [keys(m), m.weight, str(m.state_dict()._metadata), len(m._state_dict_hooks)]
            + [str(seq.state_dict()._metadata)]
        )

    both(fn)


def test_legacy_spectral_norm_loads_first_format_checkpoints():
    def fn(lib):
        m = lib.nn.utils.spectral_norm(lib.nn.Linear(2, 3))
        sd = m.state_dict()
        # the first format stored the normalized weight and no v: v is solved back
        old = {"weight": m.weight.detach().clone(), "bias": sd["bias"]}
        old.update(weight_orig=sd["weight_orig"], weight_u=sd["weight_u"])
        m2 = lib.nn.utils.spectral_norm(lib.nn.Linear(2, 3))
        out = [str(m2.load_state_dict(old)), m2.weight_v, m2.weight]
        m3 = lib.nn.utils.spectral_norm(lib.nn.Linear(2, 3))
        out += [str(m3.load_state_dict(dict(sd))), m3.weight_v]  # no metadata, current format
        partial = {"bias": sd["bias"], "weight_orig": sd["weight_orig"]}
        return out + [str(m3.load_state_dict(partial, strict=False))]

    both(fn)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrized_weight_norm_seeded(dim):
    def fn(lib):
        m = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(4, 3), dim=dim)
        out = [keys(m), type(m).__name__, type(m).__mro__[1].__name__]
        out += run_module(m, lib.ones(2, 4))
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight")
        return out + [keys(m), type(m).__name__, m.weight]

    both(fn)


def test_parametrized_weight_norm_gru():
    def fn(lib):
        m = lib.nn.utils.parametrizations.weight_norm(lib.nn.GRU(3, 4), name="weight_hh_l0")
        y, h = m(lib.ones(2, 1, 3))
        (y.sum() + h.sum()).backward()
        return [keys(m), y, h, m.parametrizations.weight_hh_l0.original1.grad]

    both(fn)


def test_parametrized_spectral_norm_seeded():
    def fn(lib):
        m = lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(4, 3))
        sn = m.parametrizations.weight[0]
        out = [keys(m), sn._u, sn._v] + run_module(m, lib.ones(2, 4))
        m.eval()
        out += run_module(m, lib.ones(2, 4)) + [sn._u, list(m.state_dict().items())]
        m.weight = lib.ones(3, 4)
        out.append(m.parametrizations.weight.original)
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
        conv = lib.nn.utils.parametrizations.spectral_norm(
            lib.nn.ConvTranspose1d(2, 3, 2), n_power_iterations=2
        )
        return out + [m.weight, keys(m)] + run_module(conv, lib.ones(1, 2, 5))

    both(fn)


@pytest.mark.parametrize("omap", [None, "matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)])
def test_orthogonal_seeded(omap, shape):
    def fn(lib):
        m = lib.nn.utils.parametrizations.orthogonal(
            lib.nn.Linear(shape[1], shape[0]), orthogonal_map=omap
        )
        with lib.no_grad():
            m.parametrizations.weight.original.add_(0.1 * lib.randn(*shape).tril(-1))
        return [keys(m)] + run_module(m, lib.ones(2, shape[1]))

    e, t = fn(ember), fn(torch)
    assert e[0] == t[0]
    torch.manual_seed(0)
    t = fn(torch)
    ember.manual_seed(0)
    e = fn(ember)
    assert_close(e[1:], t[1:], rtol=1e-4, atol=1e-5)


# -- parametrize ----------------------------------------------------------------------------------
def _parametrizations(lib):
    """Parametrization modules defined in ``lib`` (as a user writes them)."""
    nn = lib.nn

    class Sym(nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()

    class Scale(nn.Module):
        def __init__(self, s):
            super().__init__()
            self.s = s

        def forward(self, x):
            return x * self.s

        def right_inverse(self, x):
            return x / self.s

    class Split(nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, x):
            return x * 0.25, x * 0.75

    class Flat(nn.Module):  # right_inverse changes the shape, forward maps it back
        def forward(self, x):
            return x.view(2, 2)

        def right_inverse(self, x):
            return x.reshape(-1)

    class ToDouble(nn.Module):
        def forward(self, x):
            return x.float()

        def right_inverse(self, x):
            return x.double()

    return Sym, Scale, Split, Flat, ToDouble


def test_register_parametrization_chain_assign_and_remove():
    def fn(lib):
        Sym, Scale, Split, _, _ = _parametrizations(lib)
        reg = lib.nn.utils.parametrize.register_parametrization
        rm = lib.nn.utils.parametrize.remove_parametrizations
        m = lib.nn.Linear(3, 3)
        reg(m, "weight", Sym())
        out = [m.parametrizations.weight.original]
        m.weight = lib.arange(9.0).view(3, 3)
        out += [m.weight, m.parametrizations.weight.original]
        reg(m, "weight", Scale(2.0))
        out += [m.weight, keys(m)] + run_module(m, lib.ones(2, 3))
        m.weight = lib.ones(3, 3)
        out += [m.weight, m.parametrizations.weight.original]
        rm(m, "weight", leave_parametrized=False)
        out += [m.weight, type(m.weight).__name__, keys(m)]
        s = reg(lib.nn.Linear(3, 3), "weight", Split())
        out += [keys(s), s.weight]
        s.weight = lib.ones(3, 3)
        out += [s.parametrizations.weight.original0, s.parametrizations.weight.original1]
        rm(s, "weight")
        return out + [keys(s), s.weight, type(s.weight).__name__]

    both(fn)


def test_right_inverse_may_change_shape_but_not_dtype():
    def fn(lib):
        _, _, _, Flat, _ = _parametrizations(lib)
        reg = lib.nn.utils.parametrize.register_parametrization
        m = lib.nn.Linear(2, 2)
        w = m.weight
        reg(m, "weight", Flat())
        orig = m.parametrizations.weight.original
        out = [orig, orig is w, m.weight, keys(m)]
        m.weight = lib.ones(2, 2) * 3
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
        u = reg(lib.nn.Linear(2, 2), "weight", Flat(), unsafe=True)
        return out + [m.weight, u.parametrizations.weight.original.shape, u.weight]

    both(fn)
    for unsafe in (False, True):

        def dbl(lib, unsafe=unsafe):
            todouble = _parametrizations(lib)[4]
            lib.nn.utils.parametrize.register_parametrization(
                lib.nn.Linear(2, 2), "weight", todouble(), unsafe=unsafe
            )

        assert "may not change the dtype" in str(check_raises(dbl))


def test_parametrize_buffers_cache_and_modes():
    def fn(lib):
        Sym, Scale, _, _, _ = _parametrizations(lib)
        pz = lib.nn.utils.parametrize
        bn = pz.register_parametrization(lib.nn.BatchNorm1d(3), "running_var", Scale(2.0))
        out = [keys(bn), bn.running_var, pz.is_parametrized(bn, "running_var")]
        pz.remove_parametrizations(bn, "running_var")
        out += [keys(bn), bn.running_var, pz.is_parametrized(bn)]
        m = lib.nn.Linear(2, 2).eval()
        p = Sym()
        pz.register_parametrization(m, "weight", p)
        out.append(p.training)
        m.train()
        out.append(p.training)
        with pz.cached():
            out.append(m.weight is m.weight)
        out.append(m.weight is m.weight)
        pz.register_parametrization(m, "bias", Scale(3.0))
        out += [keys(m), pz.type_before_parametrizations(m).__name__]
        pz.remove_parametrizations(m, "weight")
        out += [keys(m), type(m).__name__]
        pz.remove_parametrizations(m, "bias")
        return out + [keys(m), type(m).__name__, hasattr(m, "parametrizations")]

    both(fn)
