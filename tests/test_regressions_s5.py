"""Bugs found by the session-5 sweeps, each checked against torch on the same program."""

from __future__ import annotations

import pytest
import torch

import ember
from tests.helpers import assert_close


def _both(program):
    """Run ``program(lib)`` under torch and ember after the same seed; return both results."""
    out = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        out.append(program(lib))
    return out


@pytest.mark.parametrize("api", ["parametrizations", "legacy"])
def test_weight_norm_forward_under_no_grad(api):
    def program(lib):
        if api == "legacy":
            with pytest.warns(FutureWarning):
                m = lib.nn.utils.weight_norm(lib.nn.Linear(3, 2))
        else:
            m = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(3, 2))
        with lib.no_grad():
            return m(lib.ones(4, 3))

    t, e = _both(program)
    assert_close(e, t)


@pytest.mark.parametrize("x1_grad", [False, True])
def test_bilinear_weight_grad_with_constant_inputs(x1_grad):
    def program(lib):
        m = lib.nn.Bilinear(3, 4, 2)
        x1 = lib.randn(5, 3, requires_grad=x1_grad)
        m(x1, lib.randn(5, 4)).pow(2).sum().backward()
        return m.weight.grad, m.bias.grad, x1.grad

    (tw, tb, tx), (ew, eb, ex) = _both(program)
    assert_close(ew, tw)
    assert_close(eb, tb)
    assert (ex is None) == (tx is None)
    if tx is not None:
        assert_close(ex, tx)
