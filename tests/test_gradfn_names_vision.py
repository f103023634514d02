"""grad_fn names of the pixel shuffles against torch: one node each (PixelShuffleBackward0,
PixelUnshuffleBackward0), whatever the leading dims. Values, gradients and second derivatives
are compared too."""

import numpy as np
import pytest
import torch
from helpers import assert_close, check_op, make_inputs
from test_grad_fn_names import check_named

import ember


@pytest.mark.parametrize(
    "shape, r",
    [((1, 8, 2, 3), 2), ((8, 2, 3), 2), ((2, 1, 9, 2, 2), 3), ((2, 3, 2, 2), 1)],
    ids=str,
)
def test_pixel_shuffle(shape, r):
    check_named(lambda m, x: m.nn.functional.pixel_shuffle(x * 2, r), [shape])


@pytest.mark.parametrize(
    "shape, r",
    [((1, 2, 4, 6), 2), ((2, 4, 6), 2), ((2, 1, 1, 6, 3), 3), ((2, 3, 2, 2), 1)],
    ids=str,
)
def test_pixel_unshuffle(shape, r):
    check_named(lambda m, x: m.nn.functional.pixel_unshuffle(x * 2, r), [shape])


def test_pixel_shuffle_modules_and_round_trip():
    def fn(m, x):
        up = m.nn.PixelShuffle(2)(x)
        return m.nn.PixelUnshuffle(2)(up * up)

    check_named(fn, [(2, 8, 3, 3)])


def test_pixel_shuffle_second_derivative():
    e_in, t_in = make_inputs([(1, 4, 2, 3)])
    out = []
    for m, (x,) in ((ember, e_in), (torch, t_in)):
        y = m.nn.functional.pixel_shuffle(x * x, 2)
        (g,) = m.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        out.append((g, gg))
    assert_close(out[0][0], out[1][0])
    assert_close(out[0][1], out[1][1])


def test_pixel_shuffle_integers_and_fresh_memory():
    a = np.arange(2 * 4 * 2 * 2).reshape(2, 4, 2, 2)
    e, t = ember.tensor(a), torch.tensor(a)
    assert_close(ember.nn.functional.pixel_shuffle(e, 2), torch.nn.functional.pixel_shuffle(t, 2))
    same = ember.nn.functional.pixel_shuffle(e, 1)
    same[0, 0, 0, 0] = 100
    assert e[0, 0, 0, 0].item() == 0  # r = 1 still copies, as torch's
    check_op(lambda m, x: m.pixel_shuffle(x, 2), [(1, 4, 1, 1)])
