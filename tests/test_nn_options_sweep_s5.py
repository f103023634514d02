"""Differential sweep of the less common options of nn layers: lazy modules, convolutions,
pooling, interpolation, grid sampling, folding, shuffles and padding, against torch."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember

# --- lazy modules -----------------------------------------------------------------------------


def _both(fn):
    """``fn(lib)`` in torch and ember; a (torch, ember) pair of results."""
    return fn(torch), fn(ember)


def test_lazy_state_dict_of_uninitialized_loads_into_uninitialized():
    def run(lib):
        m = lib.nn.LazyLinear(3)
        m.load_state_dict(lib.nn.LazyLinear(3).state_dict())
        return repr(m), m.has_uninitialized_params(), list(m.state_dict())

    t, e = _both(run)
    assert e == t


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.Sequential(nn.LazyLinear(3), nn.ReLU(), nn.LazyLinear(2)),
        lambda nn: nn.Sequential(nn.LazyConv1d(4, 3), nn.LazyBatchNorm1d()),
    ],
)
def test_lazy_checkpoint_of_uninitialized_then_forward(make):
    def run(lib):
        m = make(lib.nn)
        m.load_state_dict(make(lib.nn).state_dict())
        return m

    tm, em = _both(run)
    x = np.random.default_rng(0).standard_normal((2, 5, 7)).astype(np.float32)
    x = x[:, 0] if isinstance(tm[0], torch.nn.LazyLinear) else x
    tout, eout = tm(torch.tensor(x)), em(ember.tensor(x))
    assert tuple(eout.shape) == tuple(tout.shape)
    assert repr(em) == repr(tm)


def test_lazy_checkpoint_of_uninitialized_into_initialized_raises():
    def run(lib):
        m = lib.nn.LazyLinear(3)
        m(lib.ones(2, 4))
        m.load_state_dict(lib.nn.LazyLinear(3).state_dict())

    e = check_raises(run)
    assert "uninitialized parameter" in str(e)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.LazyLinear(3), (2, 4)),
        (lambda nn: nn.LazyConv2d(4, 3), (1, 2, 5, 5)),
        (lambda nn: nn.LazyConvTranspose1d(2, 3, stride=2), (1, 3, 4)),
        (lambda nn: nn.LazyBatchNorm1d(), (4, 3)),
        (lambda nn: nn.LazyInstanceNorm2d(affine=True), (2, 3, 4, 4)),
    ],
)
def test_lazy_module_pickles_after_initialization(make, shape):
    def run(lib):
        lib.manual_seed(0)
        m = make(lib.nn)
        x = lib.ones(*shape)
        m(x)
        hooks = (len(m._forward_pre_hooks), hasattr(m, "_load_hook"))
        hooks += (hasattr(m, "_initialize_hook"),)
        back = pickle.loads(pickle.dumps(m))
        return type(back).__name__, repr(back), hooks, back(x).shape

    t, e = _both(run)
    assert e[:3] == t[:3]
    assert tuple(e[3]) == tuple(t[3])
    m = make(ember.nn)
    m(ember.ones(*shape))
    back = copy.deepcopy(m)
    for (name, p), (_, q) in zip(m.state_dict().items(), back.state_dict().items()):
        assert_close(q, torch.tensor(p.numpy()), msg=name)


def test_lazy_module_pickles_uninitialized():
    def run(lib):
        back = pickle.loads(pickle.dumps(lib.nn.LazyConv2d(3, 2)))
        back(lib.ones(1, 2, 4, 4))
        return repr(back), tuple(back.weight.shape)

    t, e = _both(run)
    assert e == t
