"""nn.Module's state-dict protocol against torch: ``_save_to_state_dict``/``_load_from_state_dict``
overrides, ``_metadata`` versions, the six hook registrations, error texts, ``assign``, extra state.

Each test is one program run twice, with ``lib`` = torch and ``lib`` = ember; what it returns
(tensors turned into lists, Size reprs brought to one namespace) must be equal.
"""

from __future__ import annotations

import copy
import pickle
import types
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember


def plain(x):
    """A library-free value: tensors as (dtype name, nested list), dicts keep their order."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return ("tensor", str(x.dtype).split(".")[-1], x.detach().numpy().tolist())
    if isinstance(x, (torch.dtype, ember.dtype)):
        return str(x).split(".")[-1]
    if isinstance(x, dict):
        return [type(x).__name__, [(k, plain(v)) for k, v in x.items()]]
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, str):
        return x.replace("ember.", "torch.")
    return x


def same(program):
    """Run ``program(lib)`` under torch and ember; their plain results must be equal."""
    theirs = plain(program(torch))
    ours = plain(program(ember))
    assert ours == theirs
    return ours


def error_of(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the type and text are what is compared
        return type(exc).__name__, str(exc)
    return None


def fill(module, lib):
    """Deterministic values for every parameter and buffer, equal in both libraries."""
    with lib.no_grad():
        for i, t in enumerate([*module.parameters(), *module.buffers()]):
            if t.is_floating_point():
                t.copy_(lib.arange(t.numel(), dtype=t.dtype).reshape(t.shape) / 10 + i)
    return module


def net(lib, child_cls=None):
    """A root with a Linear, a (possibly custom) child, and persistent/non-persistent buffers."""

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(3, 2)
            self.sub = (child_cls or lib.nn.Linear)(2, 2)
            self.register_buffer("steps", lib.tensor(4))
            self.register_buffer("scratch", lib.ones(2), persistent=False)

    return fill(Net(), lib)


def ones_like_sd(sd, lib, scale=1.0):
    return OrderedDict((k, lib.ones_like(v) * scale) for k, v in sd.items())


# -- state_dict ----------------------------------------------------------------------------------
def test_state_dict_values_metadata_and_options():
    def program(lib):
        m = net(lib)
        sd = m.state_dict()
        kept = m.state_dict(keep_vars=True)
        dest = {}
        out = m.state_dict(destination=dest, prefix="model.")
        return [
            sd,
            sd._metadata,
            [v.requires_grad for v in sd.values()],
            [type(v).__name__ for v in kept.values()],
            kept["fc.weight"] is m.fc.weight,
            sd["fc.weight"] is m.fc.weight,
            out is dest,
            list(dest),
            hasattr(dest, "_metadata"),
            m.state_dict(prefix="p.")._metadata,
        ]

    same(program)


@pytest.mark.parametrize(
    "args,kwargs",
    [
        ((None, "p."), {}),
        ((None, "p.", True), {}),
        (({}, "p.", True, "ignored"), {}),
        ((None, "p."), {"prefix": "kw."}),
        ((None, "", True), {"keep_vars": False}),
    ],
)
def test_state_dict_positional_args_are_deprecated(args, kwargs):
    def program(lib):
        m = lib.nn.Linear(2, 1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sd = m.state_dict(*args, **kwargs)
        return [
            [(w.category.__name__, str(w.message), w.filename == __file__) for w in caught],
            list(sd),
            [type(v).__name__ for v in sd.values()],
            hasattr(sd, "_metadata"),
        ]

    same(program)


def test_save_to_state_dict_override_and_version():
    def program(lib):
        class Renamed(lib.nn.Linear):
            _version = 3

            def _save_to_state_dict(self, destination, prefix, keep_vars):
                self.seen = (type(destination).__name__, prefix, keep_vars)
                super()._save_to_state_dict(destination, prefix, keep_vars)
                destination[prefix + "w_t"] = destination.pop(prefix + "weight").t()

        m = net(lib, Renamed)
        sd = m.state_dict(keep_vars=True)
        return [list(sd), sd["sub.w_t"], sd._metadata, m.sub.seen]

    same(program)


# -- load_state_dict through _load_from_state_dict ----------------------------------------------
def migrating_linear(lib, log):
    """A Linear whose checkpoints of version 1 named the weight ``w``: the common override."""

    class Migrating(lib.nn.Linear):
        _version = 2

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, *lists):
            log.append(
                (type(state_dict).__name__, sorted(state_dict), prefix, dict(local_metadata))
            )
            log.append((strict, [list(x) for x in lists]))
            if local_metadata.get("version", 1) < 2 and prefix + "w" in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, *lists)

    return Migrating


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("assign", [False, True])
def test_load_from_state_dict_override_migrates_old_checkpoints(strict, assign):
    def program(lib):
        log = []
        m = net(lib, migrating_linear(lib, log))
        old = ones_like_sd(m.state_dict(), lib, 2.0)
        old["sub.w"] = old.pop("sub.weight") * 3
        old._metadata = OrderedDict([("", {"version": 1}), ("sub", {"version": 1})])
        result = m.load_state_dict(old, strict=strict, assign=assign)
        current = m.state_dict()
        new = ones_like_sd(current, lib, 5.0)  # saved with version 2: no migration
        again = m.load_state_dict(new, strict=strict, assign=assign)
        return [log, repr(result), repr(again), current, m.sub.weight, old._metadata, list(old)]

    same(program)


def test_load_without_metadata_passes_empty_local_metadata():
    def program(lib):
        log = []
        m = net(lib, migrating_linear(lib, log))
        sd = dict(ones_like_sd(m.state_dict(), lib))
        sd["sub.w"] = sd.pop("sub.weight")
        r = m.load_state_dict(types.MappingProxyType(sd))  # any Mapping will do
        return [log, repr(r), m.sub.weight]

    same(program)


def test_extra_state_round_trip_and_key_errors():
    def program(lib):
        class Counter(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.count = 7

            def get_extra_state(self):
                return {"count": self.count}

            def set_extra_state(self, state):
                self.count = state["count"] + 1

        root = lib.nn.Sequential(Counter(), lib.nn.Linear(1, 1))
        sd = root.state_dict()
        root.load_state_dict(sd)
        missing = OrderedDict((k, v) for k, v in sd.items() if k != "0._extra_state")
        plain_linear = lib.nn.Linear(1, 1)
        with_extra = {**plain_linear.state_dict(), "_extra_state": 1}
        return [
            list(sd),
            sd["0._extra_state"],
            root[0].count,
            error_of(lambda: root.load_state_dict(missing)),
            repr(root.load_state_dict(missing, strict=False)),
            error_of(lambda: plain_linear.load_state_dict(with_extra)),
            repr(plain_linear.load_state_dict(with_extra, strict=False)),
            error_of(lambda: lib.nn.Module().get_extra_state())[0],
            error_of(lambda: lib.nn.Module().set_extra_state(1))[0],
        ]

    same(program)
    message = error_of(lambda: ember.nn.Module().get_extra_state())[1]
    assert message.startswith("Reached a code path in Module.get_extra_state()")


# -- hooks ---------------------------------------------------------------------------------------
def test_state_dict_hooks_arguments_order_and_results():
    def program(lib):
        m = net(lib)
        calls = []
        for name, mod in m.named_modules():
            mod.register_state_dict_pre_hook(
                lambda mod, prefix, keep_vars, name=name: calls.append(
                    ("pre", name, prefix, keep_vars)
                )
            )

            def post(mod, sd, prefix, local_metadata, name=name):
                calls.append(("post", name, list(sd), prefix, dict(local_metadata)))
                local_metadata["seen"] = name
                sd[prefix + "tag"] = lib.tensor(len(name))

            handle = mod.register_state_dict_post_hook(post)
        sd = m.state_dict(keep_vars=True, prefix="r.")
        handle.remove()  # the root's
        after = list(m.state_dict())
        return [calls, list(sd), sd._metadata, after, type(handle).__name__]

    same(program)


def test_state_dict_post_hooks_public_must_return_none_private_may_replace():
    def program(lib):
        m = lib.nn.Sequential(lib.nn.Linear(1, 1))
        m[0]._register_state_dict_hook(lambda *a: {"child": "ignored by the parent"})
        h = m._register_state_dict_hook(lambda mod, sd, prefix, meta: {"n": len(sd)})
        replaced = m.state_dict()
        h.remove()

        def public(mod, sd, prefix, meta):
            return sd

        m.register_state_dict_post_hook(public)
        return [
            replaced,
            error_of(m.state_dict),
            public._from_public_api,
            error_of(lambda: m._register_state_dict_hook(public)),
            error_of(lambda: m.register_state_dict_post_hook(m.state_dict)),
        ]

    same(program)


def test_load_state_dict_hooks_arguments_order_and_handles():
    def program(lib):
        m = net(lib)
        calls = []
        for name, mod in m.named_modules():

            def pre(mod, sd, prefix, meta, strict, missing, unexpected, errors, name=name):
                calls.append(("pre", name, type(sd).__name__, sorted(sd), prefix, dict(meta)))
                calls.append((strict, list(missing), list(unexpected), list(errors)))

            def bare(*args, name=name):
                calls.append(("bare", name, len(args), args[1]))

            def post(mod, incompatible, name=name):
                calls.append(("post", name, type(incompatible).__name__, repr(incompatible)))

            mod.register_load_state_dict_pre_hook(pre)
            mod._register_load_state_dict_pre_hook(bare)
            mod._register_load_state_dict_pre_hook(
                lambda mod, *a, name=name: calls.append(("with", name, type(mod).__name__))
            )
            handle = mod.register_load_state_dict_post_hook(post)
        sd = ones_like_sd(m.state_dict(), lib)
        del sd["sub.bias"]
        sd["junk"] = lib.ones(1)
        result = m.load_state_dict(sd, strict=False)
        handle.remove()
        calls.append("removed")
        m.sub.load_state_dict(m.sub.state_dict())
        return [calls, repr(result), m.fc.weight]

    same(program)


def test_load_post_hook_may_fix_incompatible_keys_but_not_return():
    def program(lib):
        m = net(lib)
        sd = ones_like_sd(m.state_dict(), lib)
        del sd["fc.bias"]
        sd["old.key"] = lib.ones(1)
        strict_error = error_of(lambda: m.load_state_dict(sd))

        def forgive(mod, incompatible):
            incompatible.missing_keys.remove("fc.bias")
            incompatible.unexpected_keys.clear()

        h = m.register_load_state_dict_post_hook(forgive)
        forgiven = m.load_state_dict(sd)
        h.remove()
        m.register_load_state_dict_post_hook(lambda mod, incompatible: incompatible)
        return [strict_error, repr(forgiven), m.fc.weight, error_of(lambda: m.load_state_dict(sd))]

    same(program)


# -- errors and results --------------------------------------------------------------------------
def test_strict_errors_exact_text():
    def program(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(3, 3)

        m = Net()
        expanded = lib.nn.Module()
        expanded.register_buffer("e", lib.zeros(1).expand(3))
        return [
            error_of(lambda: m.load_state_dict({"fc.weight": lib.ones(3, 3)})),
            error_of(lambda: m.load_state_dict({"fc.weight": lib.ones(2, 3)}, strict=False)),
            error_of(
                lambda: m.load_state_dict(
                    {"fc.weight": lib.ones(2, 3), "x": lib.ones(1), "fc.y.z": lib.ones(1)}
                )
            ),
            error_of(lambda: m.load_state_dict({"fc.weight": [1.0, 2.0], "fc.bias": 3})),
            error_of(lambda: m.load_state_dict({"fc.weight": np.ones((3, 3))}, strict=False)),
            error_of(lambda: m.load_state_dict([("fc.weight", lib.ones(3, 3))])),
            error_of(lambda: m.load_state_dict(3)),
            error_of(lambda: expanded.load_state_dict({"e": lib.ones(3)})),  # copy_ refuses
        ]

    out = same(program)
    assert out[2][1] == (
        'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc.bias". \n\t'
        'Unexpected key(s) in state_dict: "x", "fc.y.z". \n\tsize mismatch for fc.weight: copying '
        "a param with shape torch.Size([2, 3]) from checkpoint, the shape in current model is "
        "torch.Size([3, 3])."
    )


def test_non_strict_result_and_unexpected_key_rules():
    def program(lib):
        m = net(lib)
        sd = ones_like_sd(m.state_dict(), lib)
        full = m.load_state_dict(sd, strict=False)
        del sd["fc.bias"]
        for key in ("fc", "fc.weight.q", "sub._extra_state", "_extra_state", "scratch", "zz.a"):
            sd[key] = lib.ones(1)
        r = m.load_state_dict(sd, strict=False)
        return [
            repr(full),
            str(full),
            repr(r),
            str(r),
            r.missing_keys,
            r.unexpected_keys,
            tuple(r) == (r.missing_keys, r.unexpected_keys),
            type(r).__mro__[1].__name__,
            m.scratch,
        ]

    same(program)


def test_copy_casts_dtype_and_accepts_old_scalar_layout():
    def program(lib):
        m = lib.nn.Linear(2, 2)
        m.register_buffer("count", lib.tensor(0))
        m.register_buffer("scale", lib.tensor(0.0))
        w = m.weight
        sd = {
            "weight": lib.ones(2, 2, dtype=lib.float64) / 3,
            "bias": lib.tensor([1, 2], dtype=lib.int32),
            "count": lib.tensor([9]),  # torch 0.3 saved scalars as 1-element vectors
            "scale": lib.tensor([2.5], dtype=lib.float64),
        }
        r = m.load_state_dict(sd)
        bad = {**sd, "scale": lib.tensor([1.0, 2.0])}
        return [repr(r), m.state_dict(), m.weight is w, error_of(lambda: m.load_state_dict(bad))]

    same(program)


# -- assign ---------------------------------------------------------------------------------------
def test_assign_puts_the_checkpoint_tensors_in():
    def program(lib):
        m = lib.nn.BatchNorm1d(2)
        m.weight.requires_grad_(False)
        w = lib.arange(2, dtype=lib.float64)
        b = lib.nn.Parameter(lib.ones(2), requires_grad=False)
        mean = lib.full((2,), 3.0)
        sd = {**m.state_dict(), "weight": w, "bias": b, "running_mean": mean}
        m.load_state_dict(sd, assign=True)
        w.add_(10)  # the module's weight is a Parameter on w's memory
        return [
            type(m.weight).__name__,
            m.weight.requires_grad,
            m.weight.dtype,
            m.weight,
            m.bias is b,
            b.requires_grad,
            m.running_mean is mean,
            type(m.running_mean).__name__,
            list(m.state_dict()),
        ]

    same(program)


# -- Ember's safety: a failed load changes nothing ------------------------------------------------
@pytest.mark.parametrize("assign", [False, True])
def test_failed_load_leaves_the_model_as_it_was(assign):
    log = []
    m = net(ember, migrating_linear(ember, log))
    m.register_load_state_dict_post_hook(lambda mod, inc: log.append("post"))
    before = {k: v.clone() for k, v in m.state_dict().items()}
    objects = [m.fc.weight, m.fc.bias, m.sub.weight, m.steps]
    bad = ones_like_sd(before, ember, 7.0)
    bad["sub.bias"] = ember.ones(5)  # the last one is wrong: torch would have loaded the others
    with pytest.raises(RuntimeError, match="size mismatch for sub.bias"):
        m.load_state_dict(bad, assign=assign)
    assert log[-1] == "post"  # the hooks did run: the load was undone after them
    for obj, now in zip(objects, [m.fc.weight, m.fc.bias, m.sub.weight, m.steps]):
        assert obj is now
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k].numpy(), err_msg=k)
    assert m.load_state_dict(ones_like_sd(before, ember, 7.0), assign=assign).missing_keys == []
    np.testing.assert_array_equal(m.sub.weight.detach().numpy(), np.full((2, 2), 7.0))


def test_failed_load_inside_a_hook_is_undone_with_the_outer_load():
    inner = ember.nn.Linear(2, 2)
    m = ember.nn.Linear(2, 2)
    inner_before = inner.weight.detach().numpy().copy()

    def load_inner_too(mod, incompatible):
        inner.load_state_dict(ones_like_sd(inner.state_dict(), ember, 4.0))

    m.register_load_state_dict_post_hook(load_inner_too)
    bad = {"weight": ember.ones(2, 2), "bias": ember.ones(2), "extra": ember.ones(1)}
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "extra"'):
        m.load_state_dict(bad)
    np.testing.assert_array_equal(inner.weight.detach().numpy(), inner_before)


# -- modules whose hooks come with them ----------------------------------------------------------
def test_copied_and_pickled_modules_keep_their_load_hooks():
    def program(lib):
        out = []
        bn = fill(lib.nn.BatchNorm1d(2), lib)
        with lib.no_grad():
            bn.num_batches_tracked.fill_(5)
        old = bn.state_dict()
        del old["num_batches_tracked"]
        old._metadata[""]["version"] = 1  # saved before num_batches_tracked existed
        for m in (bn, copy.deepcopy(bn), pickle.loads(pickle.dumps(bn))):
            out.append([repr(m.load_state_dict(old)), m.num_batches_tracked])
        lazy = lib.nn.LazyLinear(3)
        out.append([repr(lazy.load_state_dict(fill(lib.nn.Linear(4, 3), lib).state_dict()))])
        out.append([lazy.weight, type(lazy.weight).__name__])
        return out

    same(program)


def test_modules_pickled_with_hook_pairs_still_load():
    bn = ember.nn.BatchNorm1d(2)
    (hid, wrapped), *_ = bn._load_state_dict_pre_hooks.items()
    bn._load_state_dict_pre_hooks[hid] = (wrapped.hook, True)  # the earlier pickled form
    restored = pickle.loads(pickle.dumps(bn))
    old = restored.state_dict()
    del old["num_batches_tracked"]
    old._metadata[""]["version"] = 1
    assert repr(restored.load_state_dict(old)) == "<All keys matched successfully>"
    assert restored._load_state_dict_pre_hooks[hid].module is restored
