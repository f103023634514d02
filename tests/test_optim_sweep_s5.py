"""A differential sweep of ember.optim against torch.optim: the ``capturable``/``foreach``/
``fused``/``differentiable`` options, tensor hyperparameters, and the error messages around them.

Each test runs one small program with ``m`` = torch and ``m`` = ember and compares the results.
"""

from __future__ import annotations

import warnings

import numpy as np
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


# -- differentiable=True ---------------------------------------------------------------------
ALL_WITH_DIFFERENTIABLE = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adadelta", dict()),
    ("Adamax", dict(lr=0.1)),
    ("ASGD", dict(lr=0.1)),
    ("NAdam", dict(lr=0.1)),
    ("RAdam", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.1, centered=True, momentum=0.5)),
    ("Rprop", dict(lr=0.1)),
    ("Adam", dict(lr=0.1)),
    ("AdamW", dict(lr=0.1, amsgrad=True)),
]


@pytest.mark.parametrize("name,kwargs", ALL_WITH_DIFFERENTIABLE)
def test_differentiable_step_of_a_leaf_that_requires_grad_is_refused(name, kwargs):
    def program(m):
        p = m.nn.Parameter(m.tensor([1.0, -2.0]))
        opt = getattr(m.optim, name)([p], differentiable=True, **kwargs)
        (p**2).sum().backward()
        opt.step()

    _same_error(program)


# (torch's Adam takes another float32 route when differentiable: bias corrections as float32
# tensors of the step count; Ember's recorded Adam follows it)
@pytest.mark.parametrize("name,kwargs", ALL_WITH_DIFFERENTIABLE)
def test_differentiable_steps_without_a_graph_match_torch(name, kwargs):
    def program(m):
        p = m.tensor([1.0, -2.0, 0.5, 3.0])
        q = m.tensor([[0.3, -0.7], [1.1, 0.2]])
        opt = getattr(m.optim, name)([p, q], differentiable=True, **kwargs)
        for i in range(20):
            p.grad = p * 2 - 0.3 * i
            q.grad = q**3 + 0.1
            opt.step()
        return [p, q]

    assert_close(program(ember), program(torch), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("lr_tensor", [False, True])
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(momentum=0.9),
        dict(momentum=0.9, dampening=0.3, weight_decay=0.1),
        dict(momentum=0.5, nesterov=True, maximize=True),
    ],
)
def test_sgd_differentiable_step_is_recorded_by_autograd(kwargs, lr_tensor):
    def program(m, steps=3):
        f64 = m.float64
        w = m.tensor([1.0, -2.0, 3.0], dtype=f64, requires_grad=True)
        g = m.tensor([0.5, 0.1, -0.3], dtype=f64, requires_grad=True)
        lr = m.tensor(0.1, dtype=f64, requires_grad=True) if lr_tensor else 0.1
        p = w.clone()
        opt = m.optim.SGD([p], lr=lr, differentiable=True, **kwargs)
        for k in range(steps):
            p.grad = g * (k + 1)
            opt.step()
        out = (p * m.arange(3, dtype=f64)).sum()
        out.backward()
        return p, w.grad, g.grad, (lr.grad if lr_tensor else None), type(p.grad_fn).__name__

    if lr_tensor and kwargs.get("momentum") and not kwargs.get("nesterov"):
        # addcmul_ saved the buffer that the next step changes in place: both refuse backward
        check_raises(program)
        e, t = program(ember, 1), program(torch, 1)
    else:
        e, t = program(ember), program(torch)
    assert_close(e[:4], t[:4])
    if not lr_tensor:  # (Ember's addcmul_ is composed: its node is not AddcmulBackward0)
        assert e[4] == t[4]


def _meta_steps(m, name, lr, steps, kwargs):
    """``steps`` differentiable steps of a parameter cloned from ``w``, each on a gradient
    made with ``create_graph``; returns the parameter, ``w``'s meta-gradient and the optimizer."""
    f64 = m.float64
    w = m.tensor([1.0, -2.0, 3.0], dtype=f64, requires_grad=True)
    p = w.clone()
    opt = getattr(m.optim, name)([p], lr=lr, differentiable=True, **kwargs)
    for _ in range(steps):
        loss = ((p - 0.5) ** 2 * m.arange(1, 4, dtype=f64)).sum()
        (g,) = m.autograd.grad(loss, p, create_graph=True)
        p.grad = g
        opt.step()
    (p**2).sum().backward()
    return p, w.grad, opt


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(weight_decay=0.1),
        dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
        dict(lr_tensor=True),
        dict(lr_tensor=True, weight_decay=0.1, betas=(0.8, 0.9)),
        dict(amsgrad=True, steps=1),
        dict(name="AdamW", lr_tensor=True, amsgrad=True, steps=1),
    ],
)
def test_adam_differentiable_step_is_recorded_by_autograd(kwargs):
    kwargs = dict(kwargs)
    name, steps = kwargs.pop("name", "Adam"), kwargs.pop("steps", 4)
    lr_tensor = kwargs.pop("lr_tensor", False)

    def program(m, steps=steps):
        lr = m.tensor(0.1, dtype=m.float64, requires_grad=True) if lr_tensor else 0.1
        p, w_grad, opt = _meta_steps(m, name, lr, steps, kwargs)
        return p, w_grad, (lr.grad if lr_tensor else None), opt.state[p]["exp_avg_sq"]

    assert_close(program(ember), program(torch), rtol=1e-9, atol=1e-12)
    if kwargs.get("amsgrad"):
        # the running maximum saves exp_avg_sq, which the next step changes in place
        check_raises(lambda m: program(m, 3))


# -- constructor checks ------------------------------------------------------------------------
OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "ASGD", "NAdam", "RAdam"]
OPTIMIZERS += ["RMSprop", "Rprop", "Adafactor", "SparseAdam", "LBFGS"]


@pytest.mark.parametrize("lr", [None, "0.1", -1.0])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_bad_lr_errors_match_torch(name, lr):
    _same_error(lambda m: getattr(m.optim, name)([m.nn.Parameter(m.ones(3))], lr=lr))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_nan_lr_accepted_or_refused_as_torch(name):
    def program(m):
        try:
            opt = getattr(m.optim, name)([m.nn.Parameter(m.ones(3))], lr=float("nan"))
        except ValueError as exc:
            return str(exc)
        return repr(opt)

    assert program(ember) == program(torch)


@pytest.mark.parametrize("weight_decay", [None, -0.5])
@pytest.mark.parametrize("name", ["SGD", "Adam", "Adagrad", "RMSprop", "NAdam"])
def test_bad_weight_decay_errors_match_torch(name, weight_decay):
    _same_error(
        lambda m: getattr(m.optim, name)([m.nn.Parameter(m.ones(3))], weight_decay=weight_decay)
    )


# -- LBFGS -----------------------------------------------------------------------------------
def test_lbfgs_state_shared_through_state_dict_as_torch():
    # state_dict() hands out the optimizer's own tensors; torch's LBFGS updates prev_flat_grad
    # in place, so a second optimizer that loaded them sees the first one's later steps
    def program(m):
        x = m.nn.Parameter(m.tensor([1.0, -1.0, 2.0]))
        opt = m.optim.LBFGS([x], history_size=3)

        def closure(opt, x):
            def f():
                opt.zero_grad()
                loss = (x**4).sum()
                loss.backward()
                return loss

            return f

        opt.step(closure(opt, x))
        x2 = m.nn.Parameter(x.detach().clone())
        opt2 = m.optim.LBFGS([x2], history_size=3)
        opt2.load_state_dict(opt.state_dict())
        opt.step(closure(opt, x))
        opt2.step(closure(opt2, x2))
        return [x.detach(), x2.detach()]

    assert_close(program(ember), program(torch), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_tensor_lr(line_search_fn):
    a = np.array([[3.0, 0.5, 0.1], [0.5, 2.0, 0.3], [0.1, 0.3, 1.0]], np.float32)

    def program(m):
        x = m.nn.Parameter(m.tensor([1.0, -1.0, 2.0]))
        opt = m.optim.LBFGS([x], lr=m.tensor(0.5), line_search_fn=line_search_fn)

        def closure():
            opt.zero_grad()
            loss = (x @ m.tensor(a) @ x) + (x.sum() - 1) ** 2
            loss.backward()
            return loss

        losses = [float(opt.step(closure).detach()) for _ in range(3)]
        return x.detach(), losses, repr(opt)

    e, t = program(ember), program(torch)
    # float32 sums in another order: the iterations stop at slightly different points
    assert_close(e[0], t[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(e[1], t[1], rtol=1e-4)
    assert e[2] == t[2]


# -- complex, float64 and 0-d parameters -------------------------------------------------------
DTYPE_CONFIGS = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.4, weight_decay=0.1)),
    ("Adadelta", dict(weight_decay=0.1)),
    ("Adamax", dict(lr=0.05, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=3)),
    ("NAdam", dict(lr=0.05, decoupled_weight_decay=True, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.3)),
    ("Rprop", dict(lr=0.01, maximize=True)),
]


def _train_shapes(m, name, kwargs, dtype, shapes, steps=20):
    rng = np.random.default_rng(0)
    params = []
    for s in shapes:
        a = rng.uniform(-1, 1, s)
        if dtype == "complex64":
            a = a + 1j * rng.uniform(-1, 1, s)
        params.append(m.nn.Parameter(m.tensor(a.astype(dtype))))
    opt = getattr(m.optim, name)(params, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        loss = sum(
            ((p - 0.3).abs() ** 2 * (k + 1)).sum() + (p.abs() ** 3).sum()
            for k, p in enumerate(params)
        )
        loss.backward()
        opt.step()
    return [p.detach() for p in params], opt.state_dict()["state"]


@pytest.mark.parametrize("dtype", ["complex64", "float64"])
@pytest.mark.parametrize("name,kwargs", DTYPE_CONFIGS)
def test_complex_and_float64_parameters_train_as_torch(name, kwargs, dtype):
    # torch updates a complex parameter as its real view: each part is its own coordinate
    shapes = [(3, 4), (5,), (2, 3, 2)]
    pe, se = _train_shapes(ember, name, kwargs, dtype, shapes)
    pt, st = _train_shapes(torch, name, kwargs, dtype, shapes)
    assert_close(pe, pt, rtol=1e-5, atol=1e-6)
    for i in st:
        assert sorted(se[i]) == sorted(st[i])
        for key in st[i]:
            assert_close(se[i][key], st[i][key], rtol=1e-5, atol=1e-6, msg=key)


@pytest.mark.parametrize("name,kwargs", DTYPE_CONFIGS)
def test_zero_dim_parameters_train_as_torch(name, kwargs):
    pe, _ = _train_shapes(ember, name, kwargs, "float32", [(), (2,)])
    pt, _ = _train_shapes(torch, name, kwargs, "float32", [(), (2,)])
    assert_close(pe, pt, rtol=1e-5, atol=1e-6)


def test_complex_parameters_refused_by_adafactor_and_sparse_adam():
    def adafactor(m):
        q = m.nn.Parameter(m.tensor([1 + 1j]))
        opt = m.optim.Adafactor([q])
        q.grad = m.tensor([1 + 0j])
        opt.step()

    _same_error(adafactor)

    def sparse_adam(m):
        p, q, r = (
            m.nn.Parameter(m.ones(2)),
            m.nn.Parameter(m.tensor([1 + 1j])),
            m.nn.Parameter(m.tensor([2j])),
        )
        m.optim.SparseAdam([{"params": [p]}, {"params": [q, p.detach().requires_grad_(), r]}])

    _same_error(sparse_adam)


# -- lr_scheduler corners ----------------------------------------------------------------------
def _scheduled(m, make, epochs=12, metrics=None, epoch_args=None, lr=0.1):
    a, b = m.nn.Parameter(m.ones(2)), m.nn.Parameter(m.ones(3))
    opt = m.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=lr, momentum=0.9)
    sched = make(m.optim.lr_scheduler, opt)
    out = [sched.get_last_lr()]
    for e in range(epochs):
        opt.step()
        if metrics is not None:
            sched.step(metrics[e])
        elif epoch_args is not None:
            sched.step(epoch_args[e])
        else:
            sched.step()
        out.append(sched.get_last_lr())
    return out, [g["lr"] for g in opt.param_groups], sched.last_epoch


def _torch_quietly(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _scheduled(torch, *args, **kwargs)


def _same_schedule(*args, **kwargs):
    assert_close(_scheduled(ember, *args, **kwargs), _torch_quietly(*args, **kwargs), 1e-12, 1e-15)


@pytest.mark.parametrize(
    "epochs",
    [
        [0.5 * i for i in range(1, 13)],
        [0.3 * i for i in range(12)],
        [3, 1, 7.5, 2, 2, 10, 0, 11, 11.2, 4, 5, 30],
    ],
)
def test_cosine_warm_restarts_fractional_and_jumping_epochs(epochs):
    def make(s, o):
        return s.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.002)

    _same_schedule(make, epoch_args=epochs)


CLOSED_FORM = {
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, 5, eta_min=0.01),
    "StepLR": lambda s, o: s.StepLR(o, 2),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, [2, 4]),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, 0.5),
    "LinearLR": lambda s, o: s.LinearLR(o, 0.2, total_iters=4),
    "ConstantLR": lambda s, o: s.ConstantLR(o, 0.2, total_iters=4),
    "PolynomialLR": lambda s, o: s.PolynomialLR(o, 5, 2.0),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lambda e: 1 / (1 + e)),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lambda e: 0.9),
}


@pytest.mark.parametrize("name", list(CLOSED_FORM))
def test_step_with_an_epoch_uses_the_closed_form_and_warns(name):
    epochs = [3, 1, 7, 2, 2, 10]
    with pytest.warns(UserWarning, match="epoch parameter"):
        e = _scheduled(ember, CLOSED_FORM[name], epochs=6, epoch_args=epochs)
    t = _torch_quietly(CLOSED_FORM[name], epochs=6, epoch_args=epochs)
    assert_close(e, t, rtol=1e-12, atol=1e-15)


RESUMED = {
    "StepLR": lambda s, o: s.StepLR(o, 3, last_epoch=4),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, 10, last_epoch=4),
    "CyclicLR": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=3, last_epoch=4),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, 3, last_epoch=4),
    "LinearLR": lambda s, o: s.LinearLR(o, total_iters=6, last_epoch=2),
}


@pytest.mark.parametrize("name", list(RESUMED))
def test_last_epoch_resume_from_initial_lr(name):
    def make(s, o):
        for group in o.param_groups:
            group["initial_lr"] = group["lr"]
        return RESUMED[name](s, o)

    _same_schedule(make, epochs=6)
    # without initial_lr in the groups, resuming is refused as torch refuses it
    _same_error(lambda m: _scheduled(m, RESUMED[name], epochs=1))


@pytest.mark.parametrize(
    "make",
    [
        lambda s, o: s.StepLR(o, 3),
        lambda s, o: s.OneCycleLR(o, 0.5, total_steps=20, cycle_momentum=False),
        lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=2, cycle_momentum=False),
        lambda s, o: s.SequentialLR(o, [s.ConstantLR(o, 0.5, 3), s.ExponentialLR(o, 0.9)], [3]),
        lambda s, o: s.ReduceLROnPlateau(o, patience=1),
    ],
)
def test_schedulers_write_a_tensor_lr_in_place(make):
    def program(m):
        p = m.nn.Parameter(m.tensor([1.0, -2.0]))
        lr = m.tensor(0.1)
        opt = m.optim.Adam([p], lr=lr)
        sched = make(m.optim.lr_scheduler, opt)
        out = []
        for _ in range(8):
            p.grad = m.ones(2)
            opt.step()
            if isinstance(sched, m.optim.lr_scheduler.ReduceLROnPlateau):
                sched.step(1.0)
            else:
                sched.step()
            out.append(sched.get_last_lr())
        return p.detach(), out, opt.param_groups[0]["lr"] is lr, lr

    assert_close(program(ember), program(torch), rtol=1e-6, atol=1e-8)


# -- fused ---------------------------------------------------------------------------------------
def _same_error_modulo_module(fn):
    """As ``_same_error``, reading ``ember.<dtype>`` in Ember's message as ``torch.<dtype>``."""
    e_exc = check_raises(fn)
    with pytest.raises(Exception) as t_exc:
        fn(torch)
    assert str(e_exc).replace("ember.", "torch.") == str(t_exc.value)


@pytest.mark.parametrize("complex_first", [False, True])
@pytest.mark.parametrize("later", [False, True])
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_step_refuses_complex_parameters_as_torch(name, later, complex_first):
    # torch's SGD and Adagrad check the dtype of the first parameter with a gradient at their
    # first fused step only; their kernels refuse the other complex parameters
    def program(m):
        p = m.nn.Parameter(m.tensor([1.0 + 1j]))
        q = m.nn.Parameter(m.tensor([1.0]))
        opt = getattr(m.optim, name)([p, q] if complex_first else [q, p], lr=0.1, fused=True)
        q.grad = m.ones(1)
        if later:
            opt.step()
        p.grad = m.ones(1, dtype=m.complex64)
        seen.append((q, q.detach().clone()))
        opt.step()

    seen = []
    _same_error_modulo_module(program)
    # Ember refuses before any update (torch's kernels may have stepped the real ones)
    ((q, before),) = [pair for pair in seen if isinstance(pair[0], ember.Tensor)]
    assert q.detach().tolist() == before.tolist()
    assert later or before.tolist() == [1.0]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_steps_on_other_float_dtypes_as_torch(name, dtype):
    def program(m):
        p = m.nn.Parameter(m.tensor([1.0, -2.0, 0.5]).to(getattr(m, dtype)))
        opt = getattr(m.optim, name)([p], lr=0.1, fused=True)
        for _ in range(3):
            p.grad = (p * 2).detach()
            opt.step()
        return p.detach().float()

    tol = 1e-6 if dtype == "float64" else 1e-2
    assert_close(program(ember), program(torch), rtol=tol, atol=tol)


RECORDED = [
    ("RMSprop", dict()),
    ("RMSprop", dict(momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(centered=True, momentum=0.3, maximize=True, steps=1, raises_later=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("Adagrad", dict(maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(rho=0.8, weight_decay=0.1, maximize=True)),
    ("Adamax", dict(steps=1, raises_later=True)),
    ("Adamax", dict(weight_decay=0.1, maximize=True, betas=(0.8, 0.95), steps=1)),
    ("NAdam", dict(weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(steps=8)),
    ("RAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True, steps=8)),
    ("ASGD", dict()),
    ("ASGD", dict(t0=2, lambd=0.01, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(steps=1, raises_later=True)),
    ("Rprop", dict(etas=(0.3, 1.5), maximize=True, steps=1)),
]


@pytest.mark.parametrize("lr_mode", ["number", "tensor", "tensor requiring grad"])
@pytest.mark.parametrize("name,kwargs", RECORDED)
def test_more_differentiable_steps_are_recorded_by_autograd(name, kwargs, lr_mode):
    kwargs = dict(kwargs)
    steps, raises_later = kwargs.pop("steps", 4), kwargs.pop("raises_later", False)

    def program(m, steps=steps):
        lr = 0.1
        if lr_mode != "number":
            lr = m.tensor(0.1, dtype=m.float64, requires_grad=lr_mode == "tensor requiring grad")
        return _meta_steps(m, name, lr, steps, kwargs)[:2]

    try:
        expected = program(torch)
    except TypeError:  # a tensor lr that requires grad where torch's argument is a number
        _same_error(program)
        return
    except RuntimeError:  # a tensor saved by one step, changed in place by the next
        check_raises(program)
        return
    assert_close(program(ember), expected, rtol=1e-9, atol=1e-12)
    if raises_later:
        # a state tensor saved by one step is changed in place by the next, in both
        check_raises(lambda m: program(m, 2))
