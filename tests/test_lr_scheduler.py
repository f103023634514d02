"""ember.optim.lr_scheduler against torch's: lr sequences over 200 steps, resume, warnings."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch

import ember

LAMBDA = lambda epoch: 0.97**epoch  # noqa: E731
MULT = lambda epoch: 0.99  # noqa: E731

# name -> build(lr_scheduler module, optimizer) -> scheduler
SCHEDULERS = {
    "LambdaLR": lambda S, o: S.LambdaLR(o, LAMBDA),
    "LambdaLR-per-group": lambda S, o: S.LambdaLR(o, [LAMBDA, lambda e: 1 / (1 + e)]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, MULT),
    "StepLR": lambda S, o: S.StepLR(o, step_size=30, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[20, 50, 50, 120], gamma=0.3),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.25, total_iters=40),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=70),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.98),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=150, power=2.0),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=45, eta_min=1e-4),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=1e-3
    ),
    "CyclicLR-triangular": lambda S, o: S.CyclicLR(
        o, 0.01, 0.1, step_size_up=15, step_size_down=25
    ),
    "CyclicLR-triangular2": lambda S, o: S.CyclicLR(
        o, [0.01, 0.02], [0.1, 0.3], step_size_up=20, mode="triangular2"
    ),
    "CyclicLR-exp_range": lambda S, o: S.CyclicLR(
        o, 0.01, 0.1, step_size_up=10, mode="exp_range", gamma=0.99, cycle_momentum=False
    ),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=201),
    "OneCycleLR-three-phase-linear": lambda S, o: S.OneCycleLR(
        o,
        max_lr=[0.5, 0.2],
        epochs=10,
        steps_per_epoch=21,
        three_phase=True,
        anneal_strategy="linear",
        pct_start=0.25,
    ),
    "SequentialLR": lambda S, o: S.SequentialLR(
        o,
        [
            S.LinearLR(o, start_factor=0.1, total_iters=20),
            S.CosineAnnealingLR(o, T_max=80),
            S.ExponentialLR(o, gamma=0.97),
        ],
        milestones=[20, 100],
    ),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler(
        [
            S.ConstantLR(o, factor=0.5, total_iters=10),
            S.ExponentialLR(o, gamma=0.99),
            S.MultiStepLR(o, milestones=[60, 150], gamma=0.2),
        ]
    ),
    "Chained-of-Sequential": lambda S, o: S.ChainedScheduler(
        [
            S.SequentialLR(
                o,
                [S.ConstantLR(o, factor=0.5, total_iters=5), S.StepLR(o, step_size=25, gamma=0.7)],
                milestones=[30],
            ),
            S.CosineAnnealingLR(o, T_max=60),
        ]
    ),
}


def _optimizer(framework, name="SGD"):
    M = ember if framework == "ember" else torch
    a = M.zeros(3, requires_grad=True)
    b = M.zeros(2, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if name == "Adam":
        return M.optim.Adam(groups, lr=0.1)
    return M.optim.SGD(groups, lr=0.1, momentum=0.9)


def _snapshot(opt, sched):
    momenta = [g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups]
    return [float(x) for x in sched.get_last_lr()], [g["lr"] for g in opt.param_groups], momenta


def _run(framework, name, steps, opt_name="SGD", resume_at=None):
    M = ember if framework == "ember" else torch
    opt = _optimizer(framework, opt_name)
    sched = SCHEDULERS[name](M.optim.lr_scheduler, opt)
    out = [_snapshot(opt, sched)]
    for i in range(steps):
        if resume_at is not None and i == resume_at:
            saved = copy.deepcopy((opt.state_dict(), sched.state_dict()))
            opt = _optimizer(framework, opt_name)
            sched = SCHEDULERS[name](M.optim.lr_scheduler, opt)
            sched.load_state_dict(saved[1])
            opt.load_state_dict(saved[0])
        opt.step()
        sched.step()
        out.append(_snapshot(opt, sched))
    return out


def _compare(e, t):
    assert len(e) == len(t)
    for i, ((le, ge, me), (lt, gt, mt)) in enumerate(zip(e, t)):
        np.testing.assert_allclose(le, lt, rtol=1e-12, atol=0, err_msg=f"get_last_lr step {i}")
        np.testing.assert_allclose(ge, gt, rtol=1e-12, atol=0, err_msg=f"group lr step {i}")
        assert (me is None) == (mt is None) or me == mt, f"momentum step {i}: {me} vs {mt}"
        if mt is not None:
            np.testing.assert_allclose(me, mt, rtol=1e-12, err_msg=f"momentum step {i}")


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    _compare(_run("ember", name, 200), _run("torch", name, 200))


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_resume_from_state_dict_halfway(name):
    _compare(_run("ember", name, 200, resume_at=100), _run("torch", name, 200))


@pytest.mark.parametrize("name", ["CyclicLR-triangular", "OneCycleLR"])
def test_momentum_cycling_on_adam_betas(name):
    _compare(_run("ember", name, 150, "Adam"), _run("torch", name, 150, "Adam"))


@pytest.mark.parametrize(
    "mode,threshold_mode", [("min", "rel"), ("min", "abs"), ("max", "rel"), ("max", "abs")]
)
def test_reduce_lr_on_plateau(mode, threshold_mode):
    metrics = np.concatenate(
        [
            np.linspace(1, 0.5, 20),
            np.full(30, 0.5),
            np.linspace(0.5, 0.4, 10),
            np.full(40, 0.4) + np.sin(np.arange(40)) * 1e-5,
        ]
    )
    seqs = []
    for M in (ember, torch):
        opt = _optimizer("ember" if M is ember else "torch")
        sched = M.optim.lr_scheduler.ReduceLROnPlateau(
            opt,
            mode=mode,
            factor=0.5,
            patience=3,
            threshold=1e-3,
            cooldown=2,
            threshold_mode=threshold_mode,
            min_lr=[1e-3, 1e-4],
        )
        seq = []
        for i, m in enumerate(metrics):
            opt.step()
            sched.step(m if mode == "min" else -m)
            seq.append(sched.get_last_lr())
            if i == 50:
                state = sched.state_dict()
                sched = M.optim.lr_scheduler.ReduceLROnPlateau(opt)
                sched.load_state_dict(state)
        seqs.append(seq)
    np.testing.assert_allclose(seqs[0], seqs[1], rtol=1e-12)


def _warnings_of(M, fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn(M)
    return [str(x.message) for x in w]


def test_scheduler_step_before_optimizer_step_warns_as_torch():
    def wrong_order(M):
        opt = _optimizer("ember" if M is ember else "torch")
        sched = M.optim.lr_scheduler.StepLR(opt, 3)
        sched.step()
        opt.step()
        sched.step()

    def right_order(M):
        opt = _optimizer("ember" if M is ember else "torch")
        sched = M.optim.lr_scheduler.StepLR(opt, 3)
        opt.step()
        sched.step()

    def overridden(M):
        opt = _optimizer("ember" if M is ember else "torch")
        sched = M.optim.lr_scheduler.StepLR(opt, 3)
        opt.step = lambda closure=None: None
        opt.step()
        sched.step()

    for fn in (wrong_order, right_order, overridden):
        e, t = _warnings_of(ember, fn), _warnings_of(torch, fn)
        assert e == t, fn.__name__
    assert any("before `optimizer.step()`" in m for m in _warnings_of(torch, wrong_order))


def test_get_lr_outside_step_and_epoch_argument_warn():
    for M in (ember, torch):
        opt = _optimizer("ember" if M is ember else "torch")
        sched = M.optim.lr_scheduler.StepLR(opt, 3)
        msgs = _warnings_of(M, lambda M, s=sched: s.get_lr())
        assert msgs == [
            "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
        ]
        opt.step()
        msgs = _warnings_of(M, lambda M, s=sched: s.step(7))
        assert len(msgs) == 1 and msgs[0].startswith("The epoch parameter in `scheduler.step()`")
    # the deprecated epoch argument uses the closed form
    for M in (ember, torch):
        opt = _optimizer("ember" if M is ember else "torch")
        sched = M.optim.lr_scheduler.StepLR(opt, 3, gamma=0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt.step()
            sched.step(7)
        assert sched.get_last_lr() == pytest.approx([0.025, 0.0125], rel=1e-15)


def test_base_class_and_alias():
    S = ember.optim.lr_scheduler
    assert issubclass(S._LRScheduler, S.LRScheduler)
    assert S._LRScheduler.__name__ == "_LRScheduler"
    assert isinstance(S.StepLR(_optimizer("ember"), 2), S.LRScheduler)


@pytest.mark.parametrize(
    "build",
    [
        lambda S, o: S.ConstantLR(o, factor=1.5),
        lambda S, o: S.LinearLR(o, start_factor=0),
        lambda S, o: S.LinearLR(o, end_factor=2),
        lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
        lambda S, o: S.OneCycleLR(o, max_lr=0.1),
        lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=2.0),
        lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"),
        lambda S, o: S.CyclicLR(o, 0.1, 1.0, mode="sine"),
        lambda S, o: S.ReduceLROnPlateau(o, factor=1.0),
        lambda S, o: S.ReduceLROnPlateau(o, mode="avg"),
        lambda S, o: S.ReduceLROnPlateau(o, min_lr=[0.1]),
        lambda S, o: S.LambdaLR(o, [LAMBDA]),
        lambda S, o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]),
        lambda S, o: S.SequentialLR(o, [], milestones=[]),
        lambda S, o: S.StepLR(o, 2, last_epoch=5),
        lambda S, o: S.StepLR(None, 2),
        lambda S, o: S.ExponentialLR("not an optimizer", 0.5),
    ],
)
def test_errors_match_torch(build):
    results = []
    for M in (ember, torch):
        opt = _optimizer("ember" if M is ember else "torch")
        with pytest.raises(Exception) as info:
            build(M.optim.lr_scheduler, opt)
        results.append((type(info.value), str(info.value)))
    assert results[0] == results[1]


def test_cycle_momentum_requires_momentum():
    for M in (ember, torch):
        a = M.zeros(2, requires_grad=True)
        opt = M.optim.Rprop([a])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            M.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
