"""Differences found by running small realistic programs on both libraries, one test per fix."""

import pytest
import torch

import ember


def _modes_seen(lib):
    """Grad modes seen inside decorated functions and generators, and after them."""
    seen = []

    @lib.no_grad()
    def gen(n):
        for i in range(n):
            got = yield lib.ones(1, requires_grad=True) * i
            seen.append(("in", got, lib.is_grad_enabled()))
        return "done"

    g = gen(2)
    seen.append((next(g).requires_grad, lib.is_grad_enabled()))
    seen.append((g.send(5).requires_grad, lib.is_grad_enabled()))
    with pytest.raises(StopIteration) as stop:
        g.send(6)
    seen.append(stop.value.value)

    @lib.set_grad_enabled(False)
    def off(x):
        return x * 2

    seen.append(lib.is_grad_enabled())  # decorating must not switch recording off
    seen.append((off(lib.ones(1, requires_grad=True)).requires_grad, lib.is_grad_enabled()))

    @lib.no_grad
    def bare(x):
        return x * 2

    @lib.enable_grad
    def bare_on(x):
        return x * 2

    @lib.inference_mode
    def bare_inf(x):
        return x * 2, lib.is_inference_mode_enabled()

    seen.append(bare(lib.ones(1, requires_grad=True)).requires_grad)
    with lib.no_grad():
        seen.append(bare_on(lib.ones(1, requires_grad=True)).requires_grad)
    y, inf = bare_inf(lib.ones(1, requires_grad=True))
    seen.append((y.requires_grad, inf, lib.is_inference_mode_enabled()))
    seen.append((bare.__name__, off.__name__, gen.__name__))
    return seen


def test_grad_mode_decorators_on_generators_and_bare():
    assert _modes_seen(ember) == _modes_seen(torch)
