"""optim.swa_utils, utils.checkpoint, ember.random, utils.hooks and DistributedSampler against
torch: same weights and seeds in both, values, learning rates, gradients, RNG streams, errors."""

import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.optim.swa_utils
import torch.utils.checkpoint
import torch.utils.hooks
from helpers import assert_close, check_raises

import ember
import ember.optim.swa_utils
import ember.utils.checkpoint
from ember.autograd.graph import graph_nodes


def _copy_weights(t_model, e_model):
    e_model.load_state_dict(
        {k: ember.tensor(v.numpy().copy()) for k, v in t_model.state_dict().items()}
    )


def _assert_state_dicts(e_sd, t_sd):
    assert list(e_sd) == list(t_sd)
    for k in t_sd:
        assert_close(e_sd[k], t_sd[k], msg=k)


def _same_error(fn):
    """Both raise the same exception type; for torch's ValueErrors, the same message too."""
    err = check_raises(fn)
    try:
        fn(torch)
    except ValueError as t_err:
        assert str(err) == str(t_err)
    except Exception:  # noqa: BLE001 - other types: check_raises compared them
        pass
    return err


def _bn_net(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 2))


def _pair(make):
    torch.manual_seed(0)
    t = make(torch)
    e = make(ember)
    _copy_weights(t, e)
    return t, e


# ------------------------------------------------------------------------------------------------
# AveragedModel and the averaging functions
# ------------------------------------------------------------------------------------------------
AVG_CASES = [
    ({}, False),
    ({}, True),
    ({"avg_fn": ("get_ema_avg_fn", (0.9,))}, False),
    ({"avg_fn": ("get_swa_avg_fn", ())}, True),
    ({"multi_avg_fn": ("get_ema_multi_avg_fn", (0.8,))}, False),
    ({"multi_avg_fn": ("get_swa_multi_avg_fn", ())}, False),
]


def _avg_kwargs(lib, spec):
    mod = lib.optim.swa_utils
    return {k: getattr(mod, name)(*args) for k, (name, args) in spec.items()}


@pytest.mark.parametrize("spec,use_buffers", AVG_CASES)
def test_averaged_model_matches_torch(spec, use_buffers):
    t, e = _pair(_bn_net)
    ta = torch.optim.swa_utils.AveragedModel(t, use_buffers=use_buffers, **_avg_kwargs(torch, spec))
    ea = ember.optim.swa_utils.AveragedModel(e, use_buffers=use_buffers, **_avg_kwargs(ember, spec))
    rng = np.random.default_rng(1)
    for step in range(4):
        x = rng.standard_normal((6, 3)).astype(np.float32)
        t(torch.tensor(x))
        e(ember.tensor(x))
        with torch.no_grad():
            for p in t.parameters():
                p.mul_(1.5).add_(0.25 * step)
        with ember.no_grad():
            for p in e.parameters():
                p.mul_(1.5).add_(0.25 * step)
        ta.update_parameters(t)
        ea.update_parameters(e)
        _assert_state_dicts(ea.state_dict(), ta.state_dict())
    assert int(ea.n_averaged) == 4
    # the average differs from the last weights: it really averaged
    assert not np.allclose(ea.module[0].weight.detach().numpy(), e[0].weight.detach().numpy())
    x = rng.standard_normal((2, 3)).astype(np.float32)
    ta.eval()
    ea.eval()
    assert_close(ea(ember.tensor(x)), ta(torch.tensor(x)))


def test_averaged_model_copies_the_model():
    t, e = _pair(_bn_net)
    ta = torch.optim.swa_utils.AveragedModel(t)
    ea = ember.optim.swa_utils.AveragedModel(e)
    assert ea.module is not e and ea.module[0].weight is not e[0].weight
    with ember.no_grad():
        e[0].weight.add_(1.0)
    with torch.no_grad():
        t[0].weight.add_(1.0)
    _assert_state_dicts(ea.state_dict(), ta.state_dict())
    assert list(ea.state_dict())[:2] == ["n_averaged", "module.0.weight"]
    assert repr(ea) == repr(ta)
    assert ea.n_averaged.dtype == ember.int64


def test_averaged_model_errors():
    check_raises(
        lambda lib: lib.optim.swa_utils.AveragedModel(
            lib.nn.Linear(2, 2), avg_fn=lambda a, b, n: a, multi_avg_fn=lambda a, b, n: None
        )
    )

    def int_buffers_swa(lib):  # the list update's integer division is refused in both
        m = _bn_net(lib)
        swa = lib.optim.swa_utils
        avg = swa.AveragedModel(m, multi_avg_fn=swa.get_swa_multi_avg_fn(), use_buffers=True)
        avg.update_parameters(m)
        avg.update_parameters(m)

    check_raises(int_buffers_swa)


@pytest.mark.parametrize("name,args", [("get_ema_avg_fn", (0.7,)), ("get_swa_avg_fn", ())])
def test_single_avg_fns(name, args):
    a, c = np.float32([1.0, -2.0, 3.5]), np.float32([0.5, 4.0, -1.0])
    tf = getattr(torch.optim.swa_utils, name)(*args)
    ef = getattr(ember.optim.swa_utils, name)(*args)
    for n in (1, 3):
        out_t = tf(torch.tensor(a), torch.tensor(c), torch.tensor(n))
        out_e = ef(ember.tensor(a), ember.tensor(c), ember.tensor(n))
        assert_close(out_e, out_t)


@pytest.mark.parametrize(
    "name,args", [("get_ema_multi_avg_fn", (0.7,)), ("get_swa_multi_avg_fn", ())]
)
def test_multi_avg_fns(name, args):
    a = [np.float32([1.0, -2.0, 3.5]), np.float32([[2.0], [0.25]])]
    c = [np.float32([0.5, 4.0, -1.0]), np.float32([[-1.0], [8.0]])]
    tl, el = [torch.tensor(x) for x in a], [ember.tensor(x) for x in a]
    getattr(torch.optim.swa_utils, name)(*args)(tl, [torch.tensor(x) for x in c], torch.tensor(2))
    getattr(ember.optim.swa_utils, name)(*args)(el, [ember.tensor(x) for x in c], ember.tensor(2))
    assert_close(el, tl)
    assert not np.allclose(el[0].numpy(), a[0])


# ------------------------------------------------------------------------------------------------
# SWALR
# ------------------------------------------------------------------------------------------------
def _swalr_run(lib, steps=14, **kwargs):
    p1, p2 = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))
    opt = lib.optim.SGD([{"params": [p1]}, {"params": [p2], "lr": 0.3}], lr=0.1)
    sched = lib.optim.swa_utils.SWALR(opt, **kwargs)
    lrs = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    return lrs, sched, opt


@pytest.mark.parametrize(
    "kwargs",
    [
        {"swa_lr": 0.05},
        {"swa_lr": [0.05, 0.5], "anneal_epochs": 3, "anneal_strategy": "linear"},
        {"swa_lr": 0.01, "anneal_epochs": 0},
        {"swa_lr": 0.2, "anneal_epochs": 1, "anneal_strategy": "cos"},
        {"swa_lr": (0.02, 0.03), "anneal_epochs": 5},
    ],
)
def test_swalr_lrs_match_torch(kwargs):
    t_lrs, t_sched, t_opt = _swalr_run(torch, **kwargs)
    e_lrs, e_sched, e_opt = _swalr_run(ember, **kwargs)
    assert e_lrs == t_lrs  # float64 arithmetic term by term: exactly equal
    assert e_sched.state_dict() == t_sched.state_dict()
    assert [g["swa_lr"] for g in e_opt.param_groups] == [g["swa_lr"] for g in t_opt.param_groups]
    assert e_lrs[-1] == [g["swa_lr"] for g in e_opt.param_groups]


def test_swalr_load_state_dict_and_anneal_func():
    _, t_sched, _ = _swalr_run(torch, steps=2, swa_lr=0.05, anneal_strategy="linear")
    _, e_sched, e_opt = _swalr_run(ember, steps=2, swa_lr=0.05, anneal_strategy="linear")
    other = ember.optim.swa_utils.SWALR(e_opt, swa_lr=0.05)
    assert other.anneal_func(0.5) == pytest.approx(0.5)  # cos at the midpoint
    assert other.anneal_func(0.25) != 0.25
    other.load_state_dict(e_sched.state_dict())
    assert other.anneal_func(0.25) == t_sched.anneal_func(0.25) == 0.25
    assert other.state_dict() == t_sched.state_dict()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"swa_lr": 0.1, "anneal_strategy": "exp"},
        {"swa_lr": 0.1, "anneal_epochs": -1},
        {"swa_lr": 0.1, "anneal_epochs": 2.0},
        {"swa_lr": [0.1, 0.2, 0.3]},
    ],
)
def test_swalr_errors(kwargs):
    def make(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        lib.optim.swa_utils.SWALR(opt, **kwargs)

    _same_error(make)


def test_swalr_get_lr_outside_step_warns():
    opt = ember.optim.SGD([ember.nn.Parameter(ember.zeros(1))], lr=0.1)
    sched = ember.optim.swa_utils.SWALR(opt, swa_lr=0.05)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


# ------------------------------------------------------------------------------------------------
# update_bn
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("training", [True, False])
def test_update_bn_matches_torch(training):
    t, e = _pair(_bn_net)
    t[1].momentum = e[1].momentum = 0.3
    t.train(training)
    e.train(training)
    rng = np.random.default_rng(2)
    batches = [rng.standard_normal((5, 3)).astype(np.float32) * (i + 1) for i in range(3)]
    torch.optim.swa_utils.update_bn([(torch.tensor(b), 0) for b in batches], t)
    ember.optim.swa_utils.update_bn([[ember.tensor(b), 0] for b in batches], e)
    _assert_state_dicts(e.state_dict(), t.state_dict())
    assert e[1].momentum == 0.3 and e.training is training and e[1].training is training
    assert int(e[1].num_batches_tracked) == 3
    # momentum None while it ran: the running mean is the plain mean of the batch means
    means = [
        (b @ e[0].weight.detach().numpy().T + e[0].bias.detach().numpy()).mean(0) for b in batches
    ]
    np.testing.assert_allclose(e[1].running_mean.numpy(), np.mean(means, 0), rtol=1e-5, atol=1e-6)


def test_update_bn_without_batchnorm_reads_nothing():
    def loader():
        raise AssertionError("iterated")
        yield

    model = ember.nn.Linear(2, 2)
    assert ember.optim.swa_utils.update_bn(loader(), model) is None
    assert torch.optim.swa_utils.update_bn(loader(), torch.nn.Linear(2, 2)) is None


# ------------------------------------------------------------------------------------------------
# checkpoint
# ------------------------------------------------------------------------------------------------
def _drop_net(lib):
    return lib.nn.Sequential(
        lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Dropout(0.5), lib.nn.Linear(8, 3)
    )


def _run_checkpointed(lib, model, x, **kwargs):
    """Forward with checkpoint, move the RNG on, backward; returns output, grads, next draws."""
    lib.manual_seed(3)
    y = lib.utils.checkpoint.checkpoint(model, x, **kwargs)
    lib.rand(5)  # the backward must replay the forward's state, not the current one
    (y * y).sum().backward()
    return y, [p.grad for p in model.parameters()], lib.rand(4)


@pytest.mark.parametrize(
    "kwargs,x_grad",
    [
        ({"use_reentrant": True}, True),
        ({"use_reentrant": False}, True),
        ({"use_reentrant": False}, False),
        ({"use_reentrant": True, "preserve_rng_state": False}, True),
        ({"use_reentrant": False, "preserve_rng_state": False, "determinism_check": "none"}, True),
    ],
)
def test_checkpoint_matches_torch(kwargs, x_grad):
    t, e = _pair(_drop_net)
    x = np.random.default_rng(4).standard_normal((6, 4)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=x_grad)
    ex = ember.tensor(x).requires_grad_(x_grad)
    ty, t_grads, t_next = _run_checkpointed(torch, t, tx, **kwargs)
    ey, e_grads, e_next = _run_checkpointed(ember, e, ex, **kwargs)
    assert_close(ey, ty)
    assert_close(e_grads, t_grads)
    if x_grad:
        assert_close(ex.grad, tx.grad)
    np.testing.assert_array_equal(e_next.numpy(), t_next.numpy())  # RNG put back after backward


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_equals_plain_computation_and_keeps_no_intermediates(use_reentrant):
    torch.manual_seed(0)
    e = _drop_net(ember)
    x = ember.randn(6, 4, requires_grad=True)
    ember.manual_seed(7)
    plain = e(x)
    plain.sum().backward()
    plain_grads = [p.grad.clone() for p in [x, *e.parameters()]]
    for p in [x, *e.parameters()]:
        p.grad = None
    ember.manual_seed(7)
    y = ember.utils.checkpoint.checkpoint(e, x, use_reentrant=use_reentrant)
    # the graph behind the output: the checkpoint node and the leaves' accumulators only
    nodes = graph_nodes([y.grad_fn])
    assert len(nodes) == (2 if use_reentrant else 6) < len(graph_nodes([plain.grad_fn]))
    y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), plain.detach().numpy(), rtol=1e-6, atol=1e-7)
    for got, want in zip([x.grad, *[p.grad for p in e.parameters()]], plain_grads):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_recomputes_once_in_backward(use_reentrant):
    counts = {}

    def run(lib):
        counts[lib.__name__] = 0

        def fn(a, b):
            counts[lib.__name__] += 1
            return (a * b).sin(), a.exp()

        a = lib.tensor([0.5, -1.0], requires_grad=True)
        b = lib.tensor([2.0, 3.0], requires_grad=True)
        s, c = lib.utils.checkpoint.checkpoint(fn, a, b, use_reentrant=use_reentrant)
        assert counts[lib.__name__] == 1
        (s.sum() + 2 * c.sum()).backward()
        return a.grad, b.grad

    assert_close(run(ember), run(torch))
    assert counts == {"ember": 2, "torch": 2}


def test_checkpoint_non_reentrant_works_with_autograd_grad_and_kwargs():
    t, e = _pair(_drop_net)
    t.eval()
    e.eval()
    x = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)

    def fn(lib, model):
        return lambda inp, scale=1.0: model(inp) * scale

    ty = torch.utils.checkpoint.checkpoint(
        fn(torch, t), torch.tensor(x), use_reentrant=False, scale=3.0
    )
    ey = ember.utils.checkpoint.checkpoint(
        fn(ember, e), ember.tensor(x), use_reentrant=False, scale=3.0
    )
    assert ey.requires_grad  # from the parameters alone
    t_g = torch.autograd.grad(ty.pow(2).sum(), list(t.parameters()))
    e_g = ember.autograd.grad(ey.pow(2).sum(), list(e.parameters()))
    assert_close(list(e_g), list(t_g))


def test_checkpoint_reentrant_warns_and_no_grad_inputs():
    x = ember.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        y = ember.utils.checkpoint.checkpoint(lambda a: a.sin(), x.requires_grad_())
    assert y.grad_fn.name() == "CheckpointFunctionBackward"
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        z = ember.utils.checkpoint.checkpoint(lambda a: a * 2, ember.ones(2), use_reentrant=True)
    assert not z.requires_grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ember.no_grad():
            ember.utils.checkpoint.checkpoint(lambda a: a * 2, ember.ones(2), use_reentrant=True)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.utils.checkpoint.checkpoint(
            lambda a: a, lib.ones(1), use_reentrant=True, foo=1
        ),
        lambda lib: lib.utils.checkpoint.checkpoint(
            lambda a: a, lib.ones(1), use_reentrant=True, context_fn=lambda: None
        ),
        lambda lib: lib.utils.checkpoint.checkpoint(
            lambda a: a, lib.ones(1), use_reentrant=True, debug=True
        ),
        lambda lib: lib.utils.checkpoint.checkpoint(
            lambda a: a, lib.ones(1), use_reentrant=False, determinism_check="all"
        ),
        lambda lib: lib.utils.checkpoint.checkpoint_sequential(
            [lib.nn.Tanh()], 0, lib.ones(1), use_reentrant=True
        ),
        lambda lib: lib.utils.checkpoint.checkpoint_sequential(
            [lib.nn.Tanh()], 1, lib.ones(1), use_reentrant=True, bar=2
        ),
    ],
)
def test_checkpoint_errors(call):
    _same_error(call)


def test_checkpoint_determinism_check():
    def run(lib):
        calls = []

        def fn(a):
            calls.append(1)
            return a[: len(calls) + 1].sin()  # a different shape when recomputed

        y = lib.utils.checkpoint.checkpoint(
            fn, lib.ones(4, requires_grad=True), use_reentrant=False
        )
        y.sum().backward()

    with pytest.raises(torch.utils.checkpoint.CheckpointError):
        run(torch)
    with pytest.raises(ember.utils.checkpoint.CheckpointError):
        run(ember)
    assert issubclass(ember.utils.checkpoint.CheckpointError, RuntimeError)


@pytest.mark.parametrize("segments,use_reentrant", [(2, True), (3, False), (1, False)])
def test_checkpoint_sequential_matches_torch(segments, use_reentrant):
    def make(lib):
        layers = [lib.nn.Linear(4, 4), lib.nn.ReLU(), lib.nn.Dropout(0.3), lib.nn.Linear(4, 2)]
        return lib.nn.Sequential(*layers)

    t, e = _pair(make)
    x = np.random.default_rng(6).standard_normal((5, 4)).astype(np.float32)
    results = []
    for lib, model in ((torch, t), (ember, e)):
        xi = lib.tensor(x, requires_grad=True)
        lib.manual_seed(11)
        y = lib.utils.checkpoint.checkpoint_sequential(
            model, segments, xi, use_reentrant=use_reentrant
        )
        y.pow(2).sum().backward()
        results.append((y, xi.grad, [p.grad for p in model.parameters()]))
    assert_close(results[1], results[0])


# ------------------------------------------------------------------------------------------------
# ember.random
# ------------------------------------------------------------------------------------------------
def test_random_module_is_the_global_generator():
    assert ember.random.manual_seed is ember.manual_seed
    assert ember.random.default_generator is ember.default_generator
    for lib in (torch, ember):
        lib.random.manual_seed(123)
    assert ember.random.initial_seed() == torch.random.initial_seed() == 123
    np.testing.assert_array_equal(
        ember.random.get_rng_state().numpy(), torch.random.get_rng_state().numpy()
    )
    state = torch.random.get_rng_state()
    a = torch.rand(3)
    ember.random.set_rng_state(ember.tensor(state.numpy()))
    np.testing.assert_array_equal(ember.rand(3).numpy(), a.numpy())
    s = ember.random.seed()
    assert ember.random.initial_seed() == s


@pytest.mark.parametrize("enabled", [True, False])
def test_fork_rng(enabled):
    out = {}
    for lib in (torch, ember):
        lib.manual_seed(5)
        with lib.random.fork_rng(enabled=enabled):
            lib.rand(7)
            lib.manual_seed(99)
            inner = lib.randn(2)
        out[lib.__name__] = (inner, lib.rand(3))
    assert_close(out["ember"], out["torch"])
    ember.manual_seed(5)
    first = ember.rand(3)
    assert np.array_equal(out["ember"][1].numpy(), first.numpy()) is enabled


def test_fork_rng_with_devices_needs_cuda():
    def run(lib):
        with lib.random.fork_rng(devices=[0]):
            pass

    err = _same_error(run)
    assert str(err) == "Torch not compiled with CUDA enabled"


# ------------------------------------------------------------------------------------------------
# RemovableHandle
# ------------------------------------------------------------------------------------------------
def test_removable_handle():
    results = {}
    for lib in (torch, ember):
        hooks, extra = OrderedDict(), OrderedDict()
        handle = lib.utils.hooks.RemovableHandle(hooks, extra_dict=extra)
        hooks[handle.id] = extra[handle.id] = "h"
        other = lib.utils.hooks.RemovableHandle(hooks)
        hooks[other.id] = "o"
        state = handle.__getstate__()
        assert state[0] is hooks and state[1] == handle.id and state[2] == (extra,)
        with handle as h:
            assert h is handle and handle.id in hooks
        results[lib.__name__] = (list(hooks.values()), list(extra.values()), other.id - handle.id)
        other.remove()
        other.remove()  # a second removal is harmless
        assert not hooks
    assert results["ember"] == results["torch"] == (["o"], [], 1)


def test_removable_handle_pickles_and_ids_stay_unique():
    hooks = OrderedDict()
    handle = ember.utils.hooks.RemovableHandle(hooks)
    clone = pickle.loads(pickle.dumps(handle))
    assert clone.id == handle.id and isinstance(clone, ember.utils.hooks.RemovableHandle)
    clone.remove()  # its registry is the unpickled copy, gone: nothing to do
    module_handle = ember.nn.Linear(1, 1).register_forward_hook(lambda *a: None)
    later = ember.utils.hooks.RemovableHandle(hooks)
    assert len({handle.id, module_handle.id, later.id}) == 3 and later.id > module_handle.id


# ------------------------------------------------------------------------------------------------
# DistributedSampler
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 7, 10])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize(
    "shuffle,drop_last,seed",
    [(True, False, 0), (True, True, 5), (False, False, 0), (False, True, 2)],
)
def test_distributed_sampler_matches_torch(n, replicas, shuffle, drop_last, seed):
    data = list(range(n))
    for rank in range(replicas):
        kw = dict(num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
        ts = torch.utils.data.DistributedSampler(data, **kw)
        es = ember.utils.data.DistributedSampler(data, **kw)
        for epoch in (0, 3):
            ts.set_epoch(epoch)
            es.set_epoch(epoch)
            assert list(es) == list(ts)
            assert len(es) == len(ts) == len(list(es))
        assert (es.num_samples, es.total_size) == (ts.num_samples, ts.total_size)


def test_distributed_sampler_shuffles_by_epoch_and_feeds_a_loader():
    es = ember.utils.data.DistributedSampler(list(range(12)), num_replicas=2, rank=1)
    other = ember.utils.data.DistributedSampler(list(range(12)), num_replicas=2, rank=0)
    first = list(es)
    es.set_epoch(1)
    other.set_epoch(1)
    assert list(es) != first
    assert sorted(list(es) + list(other)) == list(range(12))  # the ranks split one permutation
    loader = ember.utils.data.DataLoader(ember.arange(12.0), batch_size=3, sampler=es)
    got = [v for batch in loader for v in batch.tolist()]
    assert got == [float(i) for i in es]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"num_replicas": 2},
        {"rank": 0},
        {"num_replicas": 2, "rank": 2},
        {"num_replicas": 3, "rank": -1},
    ],
)
def test_distributed_sampler_errors(kwargs):
    _same_error(lambda lib: lib.utils.data.DistributedSampler(range(5), **kwargs))
