"""Every hook registry hands out torch's ``RemovableHandle`` (one class, from the engine)."""

from __future__ import annotations

import importlib
import pickle
from collections import OrderedDict

import pytest
import torch

import ember


def _registrations(lib):
    """(name, handle) for each kind of hook registration, with the hooks doing nothing."""
    lin = lib.nn.Linear(2, 2)
    opt = lib.optim.SGD(lin.parameters(), lr=0.1)
    leaf = lib.ones(2, requires_grad=True)
    out = leaf * 2
    noop = lambda *a, **k: None  # noqa: E731
    optim = importlib.import_module(lib.__name__ + ".optim.optimizer")
    return [
        ("forward_hook", lin.register_forward_hook(noop)),
        ("forward_pre_hook", lin.register_forward_pre_hook(noop)),
        ("full_backward_hook", lin.register_full_backward_hook(noop)),
        ("full_backward_pre_hook", lin.register_full_backward_pre_hook(noop)),
        ("state_dict_pre_hook", lin.register_state_dict_pre_hook(noop)),
        ("load_state_dict_pre_hook", lin.register_load_state_dict_pre_hook(noop)),
        ("load_state_dict_post_hook", lin.register_load_state_dict_post_hook(noop)),
        ("global_forward_hook", lib.nn.modules.module.register_module_forward_hook(noop)),
        ("global_forward_pre_hook", lib.nn.modules.module.register_module_forward_pre_hook(noop)),
        ("optim_step_pre_hook", opt.register_step_pre_hook(noop)),
        ("optim_step_post_hook", opt.register_step_post_hook(noop)),
        ("optim_state_dict_pre_hook", opt.register_state_dict_pre_hook(noop)),
        ("optim_load_state_dict_post_hook", opt.register_load_state_dict_post_hook(noop)),
        ("global_optim_hook", optim.register_optimizer_step_pre_hook(noop)),
        ("tensor_hook_leaf", leaf.register_hook(noop)),
        ("tensor_hook", out.register_hook(noop)),
        ("post_accumulate_hook", leaf.register_post_accumulate_grad_hook(noop)),
        ("node_hook", out.grad_fn.register_hook(noop)),
        ("node_prehook", out.grad_fn.register_prehook(noop)),
    ]


def test_every_registration_returns_removable_handle():
    ours, theirs = _registrations(ember), _registrations(torch)
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    for (name, e), (_, t) in zip(ours, theirs):
        assert isinstance(t, torch.utils.hooks.RemovableHandle), name
        assert isinstance(e, ember.utils.hooks.RemovableHandle), name
        e.remove()
        t.remove()
    assert ember.utils.hooks.RemovableHandle is ember.autograd.engine.RemovableHandle


def test_ids_count_up_from_next_id_like_torch():
    for lib in (ember, torch):
        cls = lib.utils.hooks.RemovableHandle
        start = cls.next_id
        hooks = OrderedDict()
        first, second = cls(hooks), cls(hooks)
        assert (first.id, second.id, cls.next_id) == (start, start + 1, start + 2)


def test_pickled_handle_moves_next_id_past_its_id():
    for lib in (ember, torch):
        cls = lib.utils.hooks.RemovableHandle
        handle = cls(OrderedDict())
        state = handle.__getstate__()
        clone = cls.__new__(cls)
        clone.__setstate__((state[0], cls.next_id + 10, state[2]))
        assert cls.next_id == clone.id + 1
        assert isinstance(pickle.loads(pickle.dumps(handle)), cls)
        # a two-item state (older pickles) has no extra registries; a lost registry is a fresh
        # OrderedDict held only weakly, so it is gone at once and remove() does nothing
        old = cls.__new__(cls)
        old.__setstate__((None, 3))
        assert old.extra_dict_ref == () and old.hooks_dict_ref() is None
        old.remove()


@pytest.mark.parametrize("with_kwargs", [False, True])
def test_forward_hook_removal_clears_its_flags(with_kwargs):
    seen = {}
    for lib in (ember, torch):
        lin = lib.nn.Linear(2, 2)
        h1 = lin.register_forward_hook(lambda *a: None, with_kwargs=with_kwargs, always_call=True)
        h2 = lin.register_forward_pre_hook(lambda *a: None, with_kwargs=with_kwargs)
        h1.remove()
        h2.remove()
        seen[lib.__name__] = [
            len(d)
            for d in (
                lin._forward_hooks,
                lin._forward_hooks_with_kwargs,
                lin._forward_hooks_always_called,
                lin._forward_pre_hooks,
                lin._forward_pre_hooks_with_kwargs,
            )
        ]
    assert seen["ember"] == seen["torch"] == [0, 0, 0, 0, 0]


def test_handle_as_context_manager_removes_the_hook():
    calls = []
    for lib in (ember, torch):
        lin = lib.nn.Linear(2, 2)
        with lin.register_forward_hook(lambda m, i, o, name=lib.__name__: calls.append(name)):
            lin(lib.ones(1, 2))
        lin(lib.ones(1, 2))
    assert calls == ["ember", "torch"]


def test_leaf_hook_keeps_the_gradient_it_saw():
    """A tensor hook that keeps its gradient sees it unchanged by later backwards: the leaf's
    .grad is a copy, which the next backward adds into in place."""
    seen = {}
    for lib in (torch, ember):
        x = lib.tensor([1.0], requires_grad=True)
        kept = []
        x.register_hook(kept.append)
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        seen[lib] = ([k.tolist() for k in kept], x.grad.tolist())
    assert seen[ember] == seen[torch] == ([[2.0], [3.0]], [5.0])
