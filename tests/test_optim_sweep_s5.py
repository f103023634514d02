"""A differential sweep of ember.optim against torch.optim: the ``capturable``/``foreach``/
``fused``/``differentiable`` options, tensor hyperparameters, and the error messages around them.

Each test runs one small program with ``m`` = torch and ``m`` = ember and compares the results.
"""

from __future__ import annotations

import pytest
import torch

import ember
from tests.helpers import assert_close, check_raises


def _same_error(fn):
    """Both libraries raise the same exception type with the same message."""
    e_exc = check_raises(fn)
    with pytest.raises(Exception) as t_exc:
        fn(torch)
    assert str(e_exc) == str(t_exc.value)


CAPTURABLE = ["Adam", "AdamW", "Adadelta", "Adamax", "ASGD", "NAdam", "RAdam", "RMSprop", "Rprop"]


@pytest.mark.parametrize("foreach", [None, False, True])
@pytest.mark.parametrize("name", CAPTURABLE)
def test_capturable_step_refused_on_cpu_with_torchs_assertion(name, foreach):
    def program(m):
        p = m.nn.Parameter(m.ones(3))
        q = m.nn.Parameter(m.ones(2))
        groups = [{"params": [q], "capturable": False}, {"params": [p]}]
        opt = getattr(m.optim, name)(groups, capturable=True, foreach=foreach)
        opt.step()  # no gradients: nothing to refuse
        q.grad = m.ones(2)
        opt.step()  # the capturable group has no gradient yet
        p.grad = m.ones(3)
        opt.step()

    _same_error(program)


def test_capturable_refusal_changes_nothing():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.Adam([p], lr=0.1, capturable=True)
    p.grad = ember.ones(3)
    with pytest.raises(AssertionError):
        opt.step()
    assert_close(p, torch.ones(3))
    assert len(opt.state) == 0


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_capturable_with_fused_steps_as_torch(name):
    def program(m):
        p = m.nn.Parameter(m.tensor([1.0, -2.0, 0.5]))
        opt = getattr(m.optim, name)([p], lr=0.1, capturable=True, fused=True)
        for _ in range(3):
            opt.zero_grad()
            (p**2).sum().backward()
            opt.step()
        return p.detach()

    assert_close(program(ember), program(torch))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=-0.3),
        dict(betas=(1.3, 0.9)),
        dict(betas=(0.9, 1.3)),
        dict(betas=(0.9, -0.3)),
        dict(weight_decay=-0.3),
        dict(lr=[0.1, 0.2]),
        dict(lr=0.1, foreach=True),
        dict(betas=(0.9, 0.99), foreach=True),
        dict(betas=([0.9, 0.8], 0.99)),
        dict(betas=([[1.5]], 0.99)),
        dict(betas=(0.9, 0.99), foreach=True, capturable=True),
    ],
)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_tensor_hyperparameter_errors(name, kwargs):
    def program(m):
        p = m.nn.Parameter(m.ones(3))
        kw = dict(kwargs)
        if "lr" in kw:
            kw["lr"] = m.tensor(kw["lr"])
        if "betas" in kw:
            kw["betas"] = tuple(m.tensor(b) for b in kw["betas"])
        if kw.get("capturable"):  # accepted, then refused at the step
            opt = getattr(m.optim, name)([p], **kw)
            p.grad = m.ones(3)
            opt.step()
        getattr(m.optim, name)([p], **kw)

    _same_error(program)


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "SGD"])
@pytest.mark.parametrize("kwargs", [dict(lr=-0.3), dict(weight_decay=-0.3), dict(lr=[0.1, 0.2])])
def test_tensor_hyperparameter_errors_other_optimizers(name, kwargs):
    def program(m):
        p = m.nn.Parameter(m.ones(3))
        getattr(m.optim, name)([p], **{k: m.tensor(v) for k, v in kwargs.items()})

    _same_error(program)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "NAdam", "RAdam", "Adamax"])
def test_tensor_betas_are_kept_and_train_as_torch(name):
    def program(m):
        p = m.nn.Parameter(m.tensor([1.0, -2.0, 0.5]))
        betas = (m.tensor([0.8]), m.tensor(0.9)) if name in ("Adam", "AdamW") else None
        betas = betas or (m.tensor(0.8), m.tensor(0.9))
        opt = getattr(m.optim, name)([p], lr=m.tensor(0.1), betas=betas)
        for _ in range(5):
            opt.zero_grad()
            (p**2).sum().backward()
            opt.step()
        return p.detach(), repr(opt), opt.param_groups[0]["betas"]

    pe, re, be = program(ember)
    pt, rt, bt = program(torch)
    assert_close(pe, pt, rtol=1e-5, atol=1e-6)
    assert re == rt
    assert_close(list(be), list(bt))
