"""Hypothesis-drawn shapes and values for the elementwise, reduction and shape families."""

import numpy as np
from helpers import check_op
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SETTINGS = settings(max_examples=25, deadline=None)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
floats = st.floats(-3, 3, allow_nan=False, width=32)


def arrays(shape, elements=floats):
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def broadcast_pair(draw):
    a, b = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
    ).input_shapes
    return draw(arrays(a)), draw(arrays(b))


UNARY = [
    lambda m, x: x.exp(),
    lambda m, x: x.tanh(),
    lambda m, x: x.sigmoid(),
    lambda m, x: x.abs(),
    lambda m, x: x.relu(),
    lambda m, x: (x * x + 1).log(),
    lambda m, x: (x.abs() + 1).sqrt(),
    lambda m, x: x.sin(),
    lambda m, x: x.clamp(-1, 1),
    lambda m, x: x**2,
    lambda m, x: 2 - x,
    lambda m, x: x.erf(),
]
BINARY = [
    lambda m, x, y: x + y,
    lambda m, x, y: x - y,
    lambda m, x, y: x * y,
    lambda m, x, y: x / (y * y + 1),
    lambda m, x, y: m.maximum(x, y),
    lambda m, x, y: m.where(x > y, x, y),
    lambda m, x, y: m.lerp(x, y, 0.25),
]


@SETTINGS
@given(data=st.data(), op=st.sampled_from(UNARY), shape=shapes)
def test_unary(data, op, shape):
    check_op(op, [data.draw(arrays(shape))], dtype=np.float64)


@SETTINGS
@given(pair=broadcast_pair(), op=st.sampled_from(BINARY))
def test_binary_broadcast(pair, op):
    check_op(op, list(pair), dtype=np.float64)


@SETTINGS
@given(
    data=st.data(),
    shape=shapes,
    keepdim=st.booleans(),
    op=st.sampled_from(
        [
            "sum",
            "mean",
            "amax",
            "amin",
            "logsumexp",
            "var",
            "softmax",
            "log_softmax",
            "cumsum",
            "max",
            "norm",
        ]
    ),
)
def test_reduction(data, shape, keepdim, op):
    x = data.draw(arrays(shape))
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd, nd - 1))

    def fn(m, t):
        if op in ("softmax", "log_softmax", "cumsum"):
            return getattr(t, op)(dim)
        if op == "max":
            return t.max(dim, keepdim=keepdim)
        if op == "norm":
            return t.norm(dim=dim, keepdim=keepdim)
        if op == "var":
            return t.var(dim, keepdim=keepdim, correction=0)
        return getattr(t, op)(dim, keepdim=keepdim)

    # keep ties away from max/amax (their gradient is split among ties)
    x = np.asarray(x + np.arange(x.size).reshape(x.shape) * 1e-3)
    check_op(fn, [x], dtype=np.float64)


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
def test_shape_family(data, shape):
    x = data.draw(arrays(shape))
    nd = len(shape)
    perm = data.draw(st.permutations(range(nd)))
    d = data.draw(st.integers(-nd, nd - 1))
    k = data.draw(st.integers(1, 3))
    check_op(lambda m, t: t.permute(*perm).reshape(-1), [x], dtype=np.float64)
    check_op(lambda m, t: t.unsqueeze(d).squeeze(d).flip(d).transpose(0, d), [x], dtype=np.float64)
    check_op(lambda m, t: m.cat([t, t * 2], d).chunk(k, d)[0], [x], dtype=np.float64)
    check_op(lambda m, t: m.stack([t, -t], d)[..., :1], [x], dtype=np.float64)
    check_op(
        lambda m, t: t.flatten().roll(k).view(shape).repeat(*([1] * (nd - 1) + [k])),
        [x],
        dtype=np.float64,
    )
    check_op(lambda m, t: t.unbind(d)[-1] * 3, [x], dtype=np.float64)
