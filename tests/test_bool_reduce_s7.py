"""Bool and integer corner cases of ``//``, ``%``, ``**``, ``atan2``'s argument check, and the
dim handling of ``all``/``any``/``aminmax``/``logsumexp``/``amax``, against torch 2.13.

Each case runs the same code on torch and on Ember and compares the value, dtype and shape, or
the exception type and its message.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close

import ember


def _outcome(fn):
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001
        return ("err", type(exc).__name__, str(exc).splitlines()[0])


def _same(fn):
    e, t = _outcome(lambda: fn(ember)), _outcome(lambda: fn(torch))
    if t[0] == "err":
        assert e == t
        return
    assert e[0] == "ok", e
    assert_close(e[1], t[1])


def _b(m):
    return m.tensor([True, False])


ARITH = {
    "bool // bool": lambda m: _b(m) // m.tensor([True, True]),
    "bool % bool": lambda m: _b(m) % m.tensor([True, True]),
    "bool ** bool": lambda m: _b(m) ** m.tensor([True, True]),
    "bool // False": lambda m: _b(m) // m.tensor([False, False]),  # bool refused before /0
    "bool % False": lambda m: _b(m) % m.tensor([False, False]),
    "bool // True": lambda m: _b(m) // True,
    "True // bool": lambda m: True // _b(m),
    "True % bool": lambda m: True % _b(m),
    "bool // 2": lambda m: _b(m) // 2,
    "bool % 2": lambda m: _b(m) % 2,
    "bool % 2.5": lambda m: _b(m) % 2.5,
    "2.5 % bool": lambda m: 2.5 % _b(m),
    "div trunc bool": lambda m: m.div(_b(m), _b(m), rounding_mode="trunc"),
    "div floor bool": lambda m: m.div(_b(m), True, rounding_mode="floor"),
    "fmod bool": lambda m: m.fmod(_b(m), m.tensor([True, True])),
    "fmod bool 2": lambda m: m.fmod(_b(m), 2),
    "bool ** True": lambda m: _b(m) ** True,
    "bool ** False": lambda m: _b(m) ** False,
    "0-dim bool ** False": lambda m: m.tensor(False) ** False,
    "pow(bool, True)": lambda m: m.pow(_b(m), True),
    "bool ** bool 0-dim": lambda m: _b(m) ** m.tensor(True),
    "bool ** int tensor": lambda m: _b(m) ** m.tensor(2),
    "bool ** 2": lambda m: _b(m) ** 2,
    "bool ** 2.5": lambda m: _b(m) ** 2.5,
    "bool ** -1": lambda m: _b(m) ** -1,
    "True ** bool": lambda m: True ** _b(m),
    "2 ** bool": lambda m: 2 ** _b(m),
    "2.5 ** bool": lambda m: 2.5 ** _b(m),
    "2 % bool": lambda m: 2 % _b(m),
    "2 % bool all true": lambda m: 2 % m.tensor([True, True]),
    "2 % int with 0": lambda m: 2 % m.tensor([1, 0]),
    "2 % int": lambda m: 2 % m.tensor([1, 3]),
    "remainder(2, bool)": lambda m: m.remainder(2, _b(m)),
    "(-3) ** uint8": lambda m: (-3) ** m.tensor([1, 2], dtype=m.uint8),
    "300 ** uint8": lambda m: 300 ** m.tensor([1, 2], dtype=m.uint8),
    "300 ** int8": lambda m: 300 ** m.tensor([1, 2], dtype=m.int8),
    "(-3) ** int8": lambda m: (-3) ** m.tensor([1, 2], dtype=m.int8),
    "(-3) ** float": lambda m: (-3) ** m.tensor([1.0, 2.0]),
    "int // int with 0": lambda m: m.tensor([5, 3]) // m.tensor([2, 0]),
    "float // 2": lambda m: m.tensor([5.0, -3.0]) // 2,
    "float % float": lambda m: m.tensor([5.0, 3.0]) % m.tensor([2.0, 0.0]),
}


@pytest.mark.parametrize("name", list(ARITH))
def test_bool_and_integer_arithmetic(name):
    _same(ARITH[name])


def _x(m):
    return m.tensor([1.0, 2.0])


ATAN2 = {
    "method float": lambda m: _x(m).atan2(2.5),
    "method int": lambda m: _x(m).atan2(2),
    "method bool": lambda m: _x(m).atan2(True),
    "function float": lambda m: m.atan2(_x(m), 2.5),
    "function float input": lambda m: m.atan2(2.5, _x(m)),
    "method tensor": lambda m: _x(m).atan2(m.tensor([1.0, -1.0])),
    "function int tensors": lambda m: m.atan2(m.tensor([1, 2]), m.tensor([3, 0])),
    "arctan2 float": lambda m: m.arctan2(_x(m), 2.5),
}


@pytest.mark.parametrize("name", list(ATAN2))
def test_atan2_takes_tensors_only(name):
    _same(ATAN2[name])


def test_atan2_method_has_no_out():
    with pytest.raises(TypeError):
        torch.ones(2).atan2(torch.ones(2), out=torch.empty(2))
    with pytest.raises(TypeError):
        ember.ones(2).atan2(ember.ones(2), out=ember.empty(2))


def test_atan2_function_out():
    e, t = ember.empty(2), torch.empty(2)
    ember.atan2(_x(ember), ember.ones(2), out=e)
    torch.atan2(_x(torch), torch.ones(2), out=t)
    assert_close(e, t)


_M = [[1, 0], [2, 3]]
REDUCE = {
    "all dim=()": lambda m: m.tensor(_M).all(dim=()),
    "any dim=()": lambda m: m.tensor([[1, 0], [0, 0]]).any(dim=()),
    "all dim=[]": lambda m: m.tensor([[0.0, 1.0], [2.0, 3.0]]).all(dim=[]),
    "any dim=() keepdim": lambda m: m.tensor(_M).any((), keepdim=True),
    "all uint8 dim=()": lambda m: m.tensor([1, 0], dtype=m.uint8).all(dim=()),
    "any uint8 dim=[]": lambda m: m.tensor([1, 0], dtype=m.uint8).any(dim=[], keepdim=True),
    "all 0-dim dim=()": lambda m: m.tensor(3).all(dim=()),
    "all function dim=()": lambda m: m.all(m.tensor(_M), ()),
    "all dim=(0,)": lambda m: m.tensor(_M).all(dim=(0,)),
    "any dim=None": lambda m: m.tensor(_M).any(),
    "aminmax tuple dim": lambda m: m.ones(2, 3).aminmax(dim=(0,)),
    "aminmax list dim": lambda m: m.aminmax(m.ones(2, 3), dim=[0]),
    "aminmax float dim": lambda m: m.ones(2, 3).aminmax(dim=1.0),
    "aminmax bool dim": lambda m: m.ones(2, 3).aminmax(dim=True),
    "aminmax int dim": lambda m: tuple(m.ones(2, 3).aminmax(dim=1, keepdim=True)),
    "aminmax np.int64 dim": lambda m: tuple(m.ones(2, 3).aminmax(dim=np.int64(0))),
    "aminmax no dim": lambda m: tuple(m.arange(6.0).aminmax()),
    "logsumexp method None": lambda m: m.ones(2, 3).logsumexp(None),
    "logsumexp function None": lambda m: m.logsumexp(m.ones(2, 3), None),
    "logsumexp ()": lambda m: m.ones(2, 3).logsumexp(()),
    "logsumexp [] 1-dim": lambda m: m.ones(3).logsumexp([]),
    "logsumexp () keepdim": lambda m: m.ones(2, 3).logsumexp((), keepdim=True),
    "logsumexp () 0-dim": lambda m: m.tensor(2.0).logsumexp(()),
    "logsumexp () empty": lambda m: m.zeros(0, 3).logsumexp(()),
    "logsumexp dim 1": lambda m: m.arange(6.0).reshape(2, 3).logsumexp(1),
    "logsumexp function keepdim": lambda m: m.logsumexp(m.arange(6.0).reshape(2, 3), 0, True),
    "logsumexp int": lambda m: m.tensor([1, 2]).logsumexp(0),
    "amax empty repeated dim": lambda m: m.zeros(0).amax((0, 0)),
    "amin empty repeated dim": lambda m: m.zeros(0).amin((0, -1)),
    "amax nonempty repeated dim": lambda m: m.zeros(2, 0).amax((0, 0)),
    "amax later empty dim": lambda m: m.zeros(2, 0).amax((0, 1, 0)),
    "amax empty dim=[]": lambda m: m.zeros(0, 3).amax([]),
    "amax empty out of range": lambda m: m.zeros(0, 3).amax((5, 0)),
    "amax empty other dim": lambda m: m.zeros(0, 2).amax(1),
    "amax empty int dim": lambda m: m.zeros(0, 2).amax(0),
}


@pytest.mark.parametrize("name", list(REDUCE))
def test_reduction_dims(name):
    _same(REDUCE[name])


def test_logsumexp_keyword_dim_none_is_refused():
    # torch leaves the position out for a keyword; Ember names it: the type and start agree
    for m in (torch, ember):
        with pytest.raises(TypeError, match=r"logsumexp\(\): argument 'dim'"):
            m.ones(2).logsumexp(dim=None)
