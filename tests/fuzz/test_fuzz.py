"""Differential fuzzing: random programs of 1-30 ops in Ember and torch (see ``program.py``).

A failure prints the shrunk program; paste it into ``test_regressions.py``.
"""

from __future__ import annotations

import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.program import OPS, check

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
ops = st.lists(
    st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 20), st.integers(0, 20)),
    min_size=1,
    max_size=30,
)
programs = st.fixed_dictionaries(
    {
        "dtype": st.sampled_from(["float32", "float64"]),
        "shape": shapes,
        "values": st.integers(0, 2**16),
        "nonfinite": st.booleans(),
        "ops": ops,
    }
)


def _check(prog):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(prog)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs)
def test_random_programs(prog):
    _check(prog)


@pytest.mark.slow
@settings(
    # FUZZ_EXAMPLES shortens (or lengthens) the long run, e.g. to split it over two processes
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 20_000)),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(programs)
def test_random_programs_long(prog):
    _check(prog)
