"""A differential sweep of nn.utils against torch: clipping, conversion, norms, parametrize,
prune, rnn packing, stateless calls and fusion, written as PyTorch users write them."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.utils.prune  # noqa: F401 - torch does not import it with nn.utils

import ember
import ember.nn.utils.prune  # noqa: F401
from tests.helpers import assert_close, check_raises


def both(fn):
    """``fn(lib)`` run on torch then ember (same seed before each); results compared."""
    torch.manual_seed(0)
    t = fn(torch)
    ember.manual_seed(0)
    e = fn(ember)
    assert_close(e, t)
    return e, t


def same_message(fn) -> None:
    """Both raise (``check_raises``) with the same message."""
    ex = check_raises(fn)
    try:
        fn(torch)
    except Exception as t_ex:  # noqa: BLE001
        assert str(ex) == str(t_ex)


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


# NumPy's warning for inf * 0, which ``import ember`` silences but pytest's filters re-enable
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
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


# -- prune ----------------------------------------------------------------------------------------
def pruned(m, name="weight"):
    """Names, hooks, mask and pruned value of ``m.<name>``."""
    hooks = [type(h).__name__ for h in m._forward_pre_hooks.values()]
    return [keys(m), hooks, getattr(m, name + "_mask"), getattr(m, name)]


@pytest.mark.parametrize("amount", [0.3, 2, 0, 1.0, 12])
def test_prune_unstructured_seeded(amount):
    def fn(lib):
        prune = lib.nn.utils.prune
        a = prune.l1_unstructured(lib.nn.Linear(4, 3), "weight", amount=amount)
        r = prune.random_unstructured(lib.nn.Linear(4, 3), "weight", amount=amount)
        return pruned(a) + pruned(r)

    both(fn)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("n", [1, 2, math.inf, -math.inf])
def test_prune_ln_structured_seeded(n, dim):
    def fn(lib):
        m = lib.nn.utils.prune.ln_structured(lib.nn.Conv2d(3, 4, 2), "weight", 0.5, n=n, dim=dim)
        return pruned(m)

    both(fn)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("amount", [0.5, 1, 0.0])
def test_prune_random_structured_seeded(dim, amount):
    both(
        lambda lib: pruned(
            lib.nn.utils.prune.random_structured(lib.nn.Conv2d(3, 4, 2), "weight", amount, dim)
        )
    )


def test_prune_iterative_container_grads_and_remove():
    def fn(lib):
        prune = lib.nn.utils.prune
        m = lib.nn.Linear(5, 4)
        prune.l1_unstructured(m, "weight", 0.25)
        prune.l1_unstructured(m, "weight", 0.25)
        hook = next(iter(m._forward_pre_hooks.values()))
        out = pruned(m) + [len(hook), [type(x).__name__ for x in hook]]
        prune.ln_structured(m, "weight", amount=1, n=1, dim=0)
        out += pruned(m)
        prune.random_structured(m, "weight", amount=1, dim=1)
        out += pruned(m)
        prune.random_unstructured(m, "weight", amount=3)
        out += pruned(m)
        prune.l1_unstructured(m, "bias", 1, importance_scores=lib.arange(4.0).flip(0))
        out += pruned(m, "bias") + run_module(m, lib.ones(2, 5))
        out.append(prune.is_pruned(lib.nn.Sequential(m)))
        prune.remove(m, "weight")
        prune.remove(m, "bias")
        return out + [keys(m), m.weight, type(m.weight).__name__, prune.is_pruned(m)]

    both(fn)


def test_prune_global_custom_identity_and_state_dict():
    def fn(lib):
        prune, nn = lib.nn.utils.prune, lib.nn
        net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
        params = [(net[0], "weight"), (net[0], "bias"), (net[2], "weight")]
        prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=0.4)
        out = [[getattr(m, n + "_mask") for m, n in params], keys(net)]
        prune.global_unstructured(params, pruning_method=prune.RandomUnstructured, amount=3)
        out.append([getattr(m, n + "_mask") for m, n in params])
        scores = {(net[2], "weight"): lib.arange(6.0).view(2, 3)}
        prune.global_unstructured(params[2:], prune.L1Unstructured, scores, amount=2)
        out.append(net[2].weight_mask)
        mask = lib.tensor([[1, 0, 1, 0], [0, 1, 1, 1], [0, 0, 0, 1]])
        c = prune.custom_from_mask(nn.Linear(4, 3), "weight", mask)
        i = prune.identity(nn.Linear(4, 3), "weight")
        out += pruned(c) + pruned(i) + [str(i.load_state_dict(c.state_dict()))]
        i(lib.ones(1, 4))
        return out + [i.weight, str(nn.Linear(4, 3).load_state_dict(c.state_dict(), strict=False))]

    both(fn)


def test_prune_errors():
    prune = lambda lib: lib.nn.utils.prune  # noqa: E731
    for amount in (-1, 1.5, 13, "a"):
        check_raises(
            lambda lib, a=amount: prune(lib).l1_unstructured(lib.nn.Linear(4, 3), "weight", a)
        )
    lin = lambda lib: lib.nn.Linear(4, 5)  # noqa: E731
    check_raises(lambda lib: prune(lib).ln_structured(lin(lib), "bias", 1, 2, 0))
    check_raises(lambda lib: prune(lib).ln_structured(lin(lib), "weight", 1, 2, 2))
    check_raises(lambda lib: prune(lib).ln_structured(lin(lib), "weight", 6, 2, 0))
    check_raises(lambda lib: prune(lib).remove(lin(lib), "weight"))
    check_raises(
        lambda lib: prune(lib).l1_unstructured(lin(lib), "w", 1, importance_scores=lib.ones(2))
    )
    check_raises(lambda lib: prune(lib).global_unstructured(5, prune(lib).L1Unstructured, amount=1))

    def structured_global(lib):
        params = [(lin(lib), "weight")]
        prune(lib).global_unstructured(params, prune(lib).LnStructured, amount=1, n=2, dim=0)

    check_raises(structured_global)


# -- rnn utilities --------------------------------------------------------------------------------
def _seqs(lib):
    return lib.randn(5, 2), lib.randn(3, 2), lib.randn(4, 2)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    def fn(lib):
        a, b, c = (s.requires_grad_() for s in _seqs(lib))
        out = lib.nn.utils.rnn.pad_sequence([a, b, c], batch_first, -1.0, side)
        (out * lib.arange(float(out.numel())).view(out.shape)).sum().backward()
        return out, type(out.grad_fn).__name__, a.grad, b.grad

    both(fn)


def test_pad_sequence_dtypes_broadcast_and_tensor_input():
    def fn(lib):
        pad = lib.nn.utils.rnn.pad_sequence
        ints = [lib.tensor([1, 2, 3]), lib.tensor([4])]
        return [
            pad(ints, batch_first=True, padding_value=2.7),  # the first sequence's dtype
            pad([lib.ones(2, dtype=lib.bool), lib.ones(1, dtype=lib.bool)]),
            pad([lib.ones(2, dtype=lib.int32), lib.full((3,), 2.7)]),
            pad([lib.ones(2, 3), lib.arange(2.0).view(2, 1)]),  # rows broadcast as by copy_
            pad([lib.ones(1, 3), lib.arange(2.0).view(2, 1)], True, 0.0, "left"),
            pad(lib.arange(12.0).view(3, 2, 2), batch_first=True),
            pad([lib.ones(0, 2), lib.ones(2, 2)], padding_value=5),
        ]

    both(fn)


def test_pad_sequence_errors():
    pad = lambda lib: lib.nn.utils.rnn.pad_sequence  # noqa: E731
    check_raises(lambda lib: pad(lib)([lib.ones(2)], padding_side="up"))
    check_raises(lambda lib: pad(lib)([]))
    check_raises(lambda lib: pad(lib)([lib.tensor(1.0), lib.tensor(2.0)]))
    check_raises(lambda lib: pad(lib)([lib.ones(2), 3]))
    for shapes in [((2, 3), (2, 4)), ((2, 3, 1), (2, 4)), ((2, 3), (2, 1, 3))]:
        same_message(lambda lib, s=shapes: pad(lib)([lib.ones(*s[0]), lib.ones(*s[1])]))


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_padded_roundtrip(enforce_sorted, batch_first):
    lengths = [5, 3, 2] if enforce_sorted else [3, 5, 2]

    def fn(lib):
        rnn = lib.nn.utils.rnn
        x = lib.randn(3, 5, 2) if batch_first else lib.randn(5, 3, 2)
        x.requires_grad_()
        p = rnn.pack_padded_sequence(x, lib.tensor(lengths), batch_first, enforce_sorted)
        out = [p, type(p).__name__]
        for total in (None, 7):
            padded, lens = rnn.pad_packed_sequence(p, batch_first, 9.0, total)
            out += [padded, lens, type(padded.grad_fn).__name__]
        (padded * lib.arange(float(padded.numel())).view(padded.shape)).sum().backward()
        out.append(x.grad)
        out.append(rnn.unpack_sequence(p))
        out += rnn.unpad_sequence(padded, lens, batch_first)
        return out + [tuple(padded.shape)]  # torch transposes it in place to batch-first

    both(fn)


def test_pack_sequence_and_packed_sequence_api():
    def fn(lib):
        rnn = lib.nn.utils.rnn
        a, b, c = _seqs(lib)
        p = rnn.pack_sequence([a, b, c], enforce_sorted=False)
        d = p.to(lib.float64)
        out = [p, rnn.pack_sequence([a, c, b]), d, d.batch_sizes, d.unsorted_indices]
        out += [p.to("cpu") is p, p.float() is p, p.cpu() is p, p.is_cuda, p.is_pinned()]
        out += [p.half().data, p.long().data, p.int().data, p.double().data]
        out += [p.short().data, p.char().data, p.byte().data]
        made = rnn.PackedSequence(lib.ones(3, 2), lib.tensor([2, 1]), lib.tensor([1, 0]))
        legacy = rnn.PackedSequence((lib.ones(3, 2), lib.tensor([2, 1])))
        out += [made, legacy, p._fields, rnn.invert_permutation(lib.tensor([2, 0, 1]))]
        return out + [rnn.invert_permutation(None), sorted(rnn.__all__)]

    both(fn)


def test_pack_padded_sequence_errors():
    def pack(lengths, **kw):
        return lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(5, 3, 2), lengths, **kw)

    cases = [
        ([5, 2, 3], {}),
        ([5, 3], {}),
        ([2, 3], {}),
        ([5, 3, 2, 1], {}),
        ([1, 2, 0], {}),
        ([3, 0, 2], {}),
        ([0, 3, 2], dict(enforce_sorted=False)),
        ([[5, 3, 2]], {}),
        ([[5, 3, 2]], dict(enforce_sorted=False)),
    ]
    for lengths, kw in cases:
        same_message(pack(lengths, **kw))
    check_raises(lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(0, 3), [1, 1, 1]))
    check_raises(lambda lib: lib.nn.utils.rnn.pack_sequence([lib.ones(2), lib.ones(3)]))
    check_raises(lambda lib: lib.nn.utils.rnn.PackedSequence(lib.ones(3)))
    check_raises(lambda lib: lib.nn.utils.rnn.PackedSequence(lib.ones(3), [2, 1]))
    check_raises(lambda lib: lib.nn.utils.rnn.unpad_sequence(lib.ones(3, 2), [3, 1]))
    check_raises(
        lambda lib: lib.nn.utils.rnn.unpad_sequence(
            lib.ones(3, 2, requires_grad=True), lib.tensor([3, 1])
        )
    )
    check_raises(lambda lib: lib.nn.utils.rnn.pack_sequence([lib.ones(2)]).to(copy=True))

    def short(lib):
        p = lib.nn.utils.rnn.pack_sequence([lib.ones(3), lib.ones(2)])
        lib.nn.utils.rnn.pad_packed_sequence(p, total_length=2)

    check_raises(short)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_recurrent_layers_on_packed_sequences(cls, bidirectional, batch_first):
    def fn(lib):
        rnn = getattr(lib.nn, cls)(2, 3, 2, bidirectional=bidirectional, batch_first=batch_first)
        x = lib.randn(3, 5, 2) if batch_first else lib.randn(5, 3, 2)
        p = lib.nn.utils.rnn.pack_padded_sequence(x, [3, 5, 2], batch_first, False)
        out, h = rnn(p)
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first)
        hs = h if isinstance(h, tuple) else (h,)
        (padded.sum() + sum(t.sum() for t in hs)).backward()
        return [type(out).__name__, out.sorted_indices, padded, lens, hs]

    both(fn)


# -- functional_call / fusion / memory format -----------------------------------------------------
def _tied(lib):
    nn = lib.nn

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, bias=False)
            self.b = nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight
            self.c = nn.Linear(2, 2)
            self.register_buffer("buf", lib.ones(2))

        def forward(self, x):
            return self.a(x) + self.b(x) + self.c(x) + self.buf

    return Tied()


def test_functional_call_tied_weights_and_strict():
    def fn(lib):
        m, x, w = _tied(lib), lib.ones(1, 2), lib.eye(2)
        call = lib.func.functional_call
        rest = {"c.weight": w, "c.bias": lib.zeros(2), "buf": lib.zeros(2)}
        out = [call(m, {"a.weight": w, **rest}, x, strict=True)]  # b.weight follows a.weight
        out.append(call(m, {"b.weight": w, **rest}, x, strict=True))
        out.append(call(m, ({"a.weight": w}, rest), (x,), strict=True))
        out.append(call(m, {"a.weight": w}, x, tie_weights=False))
        out.append(call(m, {"a.weight": w, "b.weight": w}, x))
        return out + [m.a.weight, m.b.weight is m.a.weight]

    both(fn)
    for given, kw in [
        ({"a.weight"}, dict(strict=True)),
        ({"a.weight", "zz"}, dict(strict=True)),
        ({"a.weight", "c.weight", "c.bias", "buf"}, dict(strict=True, tie_weights=False)),
        ({"a.weight", "b.weight"}, {}),  # two different tensors for one tied pair
    ]:

        def bad(lib, given=given, kw=kw):
            m = _tied(lib)
            values = {k: lib.zeros(2, 2) if "weight" in k else lib.zeros(2) for k in given}
            lib.func.functional_call(m, values, lib.ones(1, 2), **kw)

        same_message(bad)


def test_functional_call_buffers_and_deprecated_alias():
    def fn(lib):
        m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
        x = lib.randn(4, 3)
        rm = lib.zeros(2)
        params = {k: lib.ones_like(v).requires_grad_() for k, v in m.named_parameters()}
        y = lib.func.functional_call(m, {**params, "1.running_mean": rm}, x)
        g = lib.autograd.grad(y.sum(), params["0.weight"])
        with pytest.warns(FutureWarning, match="torch.func.functional_call"):
            z = lib.nn.utils.stateless.functional_call(m, {"0.bias": lib.ones(2)}, (x,))
        return [y, rm, m[1].running_mean, g, z, m[0].bias]

    both(fn)


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval(transpose):
    def fn(lib):
        nn = lib.nn
        conv = (nn.ConvTranspose2d(3, 4, 3, bias=False) if transpose else nn.Conv2d(3, 4, 3)).eval()
        bn = nn.BatchNorm2d(4).eval()
        with lib.no_grad():
            bn.running_mean.uniform_(-1, 1)
            bn.running_var.uniform_(0.5, 2)
            bn.weight.uniform_(0.5, 2)
            bn.bias.uniform_(-1, 1)
        x = lib.randn(2, 3, 6, 6)
        f = nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        fw = nn.utils.fuse_conv_bn_weights(
            conv.weight, None, bn.running_mean, bn.running_var, 1e-3, None, None, transpose
        )
        return [f(x), bn(conv(x)), type(f.weight).__name__, f.weight.requires_grad, fw]

    torch.manual_seed(0)
    t = fn(torch)
    ember.manual_seed(0)
    e = fn(ember)
    assert_close(e, t, rtol=1e-4, atol=1e-5)


def test_fuse_linear_bn_eval_and_errors():
    def fn(lib):
        nn = lib.nn
        lin, bn = nn.Linear(3, 4).eval(), nn.BatchNorm1d(4).eval()
        with lib.no_grad():
            bn.running_mean.uniform_(-1, 1)
            bn.running_var.uniform_(0.5, 2)
        x = lib.randn(5, 3)
        f = nn.utils.fuse_linear_bn_eval(lin, bn)
        one = nn.utils.fuse_linear_bn_eval(lin, nn.BatchNorm1d(1).eval())
        return [f(x), bn(lin(x)), one.weight, one.bias]

    both(fn)
    fuse = lambda lib: lib.nn.utils.fusion  # noqa: E731
    for fn in [
        lambda lib: fuse(lib).fuse_conv_bn_eval(
            lib.nn.Conv2d(3, 4, 3), lib.nn.BatchNorm2d(4).eval()
        ),
        lambda lib: fuse(lib).fuse_linear_bn_eval(
            lib.nn.Linear(3, 4).eval(), lib.nn.BatchNorm1d(3).eval()
        ),
        lambda lib: fuse(lib).fuse_conv_bn_eval(
            lib.nn.Conv2d(3, 4, 3).eval(), lib.nn.BatchNorm2d(4, track_running_stats=False).eval()
        ),
    ]:
        same_message(fn)


def test_convert_conv_weight_memory_format_keeps_values_and_modules():
    def fn(lib):
        nn = lib.nn
        net = nn.Sequential(
            nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Sequential(nn.ConvTranspose2d(4, 2, 2))
        )
        w0 = net[0].weight.detach().clone()
        out = nn.utils.convert_conv2d_weight_memory_format(net, lib.channels_last)
        cl = net[0].weight.is_contiguous(memory_format=lib.channels_last)
        c3 = nn.utils.convert_conv3d_weight_memory_format(nn.Conv3d(2, 2, 2), lib.channels_last_3d)
        return [out is net, cl, net[0].weight, w0, type(net[2][0].weight).__name__, c3.weight]

    both(fn)
