"""Shrunk programs the fuzzer found mismatching torch; each stays as a regression test."""

from __future__ import annotations

import warnings

import pytest

from fuzz.program import check

PROGRAMS = [
    # sign(nan) is 0 in torch, so abs's gradient at nan is 0, not nan
    {"dtype": "float32", "shape": (2,), "values": 0, "nonfinite": True, "ops": [("abs", 0, 0)]},
    # cat of a 0-dim tensor: torch's RuntimeError, not NumPy's ValueError
    {"dtype": "float32", "shape": (), "values": 0, "ops": [("cat", 0, 0)]},
    # flip(0) of a 0-dim tensor is the tensor itself
    {"dtype": "float32", "shape": (), "values": 0, "ops": [("flip", 0, 0)]},
    # amax over an empty dim has no identity: torch's IndexError
    {"dtype": "float32", "shape": (0,), "values": 0, "ops": [("amax", 0, 0)]},
    # narrow of a 0-dim tensor: torch's RuntimeError, not an internal IndexError
    {"dtype": "float32", "shape": (), "values": 0, "ops": [("narrow", 0, 0)]},
    # (log_)softmax / logsumexp of an empty tensor are empty / -inf, not a NumPy error
    {"dtype": "float32", "shape": (0,), "values": 0, "ops": [("log_softmax", 0, 0)]},
    {"dtype": "float64", "shape": (0,), "values": 0, "ops": [("softmax", 0, 0)]},
    {"dtype": "float64", "shape": (0, 2), "values": 0, "ops": [("logsumexp", 0, 0)]},
    # a reduction over dim 1 of a 0-dim tensor is out of range
    {"dtype": "float32", "shape": (), "values": 0, "ops": [("mean", 20, 0)]},
]


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: "-".join(o[0] for o in p["ops"]))
def test_regression(prog):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(prog)


def test_std_of_huge_float32_values_stays_finite():
    # float64 accumulation as torch: the variance overflows float32, the std does not
    import torch

    import ember

    values = [1e30, -1e30, 3e29]
    e, t = ember.tensor(values), torch.tensor(values)
    assert repr(e.std()) == repr(t.std()) == "tensor(1.0149e+30)"
    assert repr(e.var()) == repr(t.var()) == "tensor(inf)"
