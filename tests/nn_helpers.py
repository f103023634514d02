"""Differential checks of nn modules: same weights in both libraries, compare outputs and grads."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember


def toy_layers(lib):
    """The seed note's CNN (3x32x32 -> 10 classes) as one ``Sequential``, in ``lib`` (torch or
    ember); its state_dict keys are ``0.weight`` ...."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, padding=2),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(1024, 64),
        nn.Linear(64, 10),
    )


def toy_model(lib):
    """The seed program's ``toy_model``: a Module holding ``toy_layers`` as ``self.model``
    (state_dict keys ``model.0.weight`` ...), as the seed defines it."""

    class toy_model(lib.nn.Module):  # noqa: N801 - the seed's name
        def __init__(self):
            super().__init__()
            self.model = toy_layers(lib)

        def forward(self, x):
            return self.model(x)

    return toy_model()


def load_from_torch(em, tm):
    """Copy torch's state dict into the ember module (through NumPy)."""
    return em.load_state_dict(
        {k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
    )


def check_module(
    make,
    shapes,
    *,
    train=True,
    seed=0,
    low=-2.0,
    high=2.0,
    rtol=None,
    atol=None,
    input_grad=True,
    repr_equal=True,
):
    """``make(nn)`` builds the layer in either library; inputs of ``shapes`` (or arrays)."""
    torch.manual_seed(seed)
    tm = make(torch.nn)
    em = make(ember.nn)
    if repr_equal:
        assert repr(em) == repr(tm).replace("torch.", "ember."), (repr(em), repr(tm))
    assert list(em.state_dict()) == list(tm.state_dict())
    load_from_torch(em, tm)
    tm.train(train)
    em.train(train)
    rng = np.random.default_rng(seed)
    arrays = [
        s if isinstance(s, np.ndarray) else rng.uniform(low, high, s).astype(np.float32)
        for s in shapes
    ]
    tin = [torch.tensor(a, requires_grad=input_grad and a.dtype.kind == "f") for a in arrays]
    ein = [ember.tensor(a, requires_grad=input_grad and a.dtype.kind == "f") for a in arrays]
    tout = tm(*tin)
    eout = em(*ein)
    assert_close(eout, tout, rtol, atol, msg="forward")
    t0 = tout[0] if isinstance(tout, tuple) else tout
    e0 = eout[0] if isinstance(eout, tuple) else eout
    if t0.requires_grad:
        w = rng.standard_normal(tuple(t0.shape)).astype(np.float32)
        (t0 * torch.from_numpy(w)).sum().backward()
        (e0 * ember.tensor(w)).sum().backward()
        for i, (a, b) in enumerate(zip(ein, tin)):
            if b.grad is not None:
                assert_close(a.grad, b.grad, rtol, atol, msg=f"grad of input {i}")
        for (name, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
            if q.grad is None:
                assert p.grad is None, name
            else:
                assert_close(p.grad, q.grad, rtol, atol, msg=f"grad of {name}")
    for (name, b), (_, c) in zip(em.named_buffers(), tm.named_buffers()):
        assert_close(b, c, rtol, atol, msg=f"buffer {name}")
    return em, tm, eout, tout


def same_error(fn) -> None:
    """Both libraries raise the same exception type with the same message."""
    e = check_raises(fn)
    with pytest.raises(Exception) as t:  # noqa: PT011
        fn(torch)
    # a set in a message prints in hash order: compare up to it, and the first line only
    first = str(e).replace("ember.", "torch.").split("\n")[0].split("{")[0]
    assert first == str(t.value).split("\n")[0].split("{")[0]


def both(fn):
    """``fn(lib)`` in torch and ember; a (torch, ember) pair of results."""
    return fn(torch), fn(ember)
