"""Shape ops against torch: views, joins, splits, with gradients."""

import numpy as np
import pytest
from helpers import check_op, check_raises

DTYPES = [np.float32, np.float64]

# (function, input shapes)
CASES = {
    "reshape": (lambda m, x: x.reshape(4, 3), [(3, 4)]),
    "reshape_infer": (lambda m, x: x.reshape(-1, 2), [(2, 1, 4)]),
    "reshape_scalar": (lambda m, x: x.reshape(1, 1), [()]),
    "reshape_to_scalar": (lambda m, x: x.reshape(()), [(1, 1)]),
    "reshape_fn": (lambda m, x: m.reshape(x, (4, 3)), [(3, 4)]),
    "reshape_noncontig": (lambda m, x: x.t().reshape(-1), [(3, 4)]),
    "view": (lambda m, x: x.view(2, 6), [(3, 4)]),
    "view_tuple": (lambda m, x: x.view((12,)), [(3, 4)]),
    "view_as": (lambda m, x, y: x.view_as(y), [(3, 4), (4, 3)]),
    "flatten": (lambda m, x: x.flatten(), [(2, 1, 4)]),
    "flatten_range": (lambda m, x: x.flatten(1), [(2, 3, 4)]),
    "flatten_scalar": (lambda m, x: x.flatten(), [()]),
    "flatten_fn": (lambda m, x: m.flatten(x, 0, 1), [(2, 3, 4)]),
    "unflatten": (lambda m, x: x.unflatten(1, (2, 2)), [(3, 4)]),
    "unflatten_infer": (lambda m, x: x.unflatten(-1, (-1, 2)), [(3, 4)]),
    "squeeze": (lambda m, x: x.squeeze(), [(2, 1, 4)]),
    "squeeze_dim": (lambda m, x: x.squeeze(1), [(2, 1, 4)]),
    "squeeze_noop": (lambda m, x: x.squeeze(0), [(2, 1, 4)]),
    "squeeze_dims": (lambda m, x: x.squeeze((0, 1)), [(1, 1, 4)]),
    "squeeze_scalar": (lambda m, x: x.squeeze(), [()]),
    "unsqueeze": (lambda m, x: x.unsqueeze(0), [(3, 4)]),
    "unsqueeze_neg": (lambda m, x: x.unsqueeze(-1), [(3, 4)]),
    "unsqueeze_scalar": (lambda m, x: m.unsqueeze(x, 0), [()]),
    "permute": (lambda m, x: x.permute(2, 0, 1), [(2, 3, 4)]),
    "permute_tuple": (lambda m, x: m.permute(x, (1, 0)), [(3, 4)]),
    "transpose": (lambda m, x: x.transpose(0, 2), [(2, 3, 4)]),
    "transpose_neg": (lambda m, x: m.transpose(x, -1, -2), [(3, 4)]),
    "swapaxes": (lambda m, x: x.swapaxes(0, 1), [(3, 4)]),
    "t": (lambda m, x: x.t(), [(3, 4)]),
    "t_vec": (lambda m, x: x.t(), [(4,)]),
    "T": (lambda m, x: x.T, [(3, 4)]),
    "T_3d": (lambda m, x: x.T, [(2, 3, 4)]),  # deprecated: both warn (test_T_warns_outside_2d)
    "mT": (lambda m, x: x.mT, [(2, 3, 4)]),
    "expand": (lambda m, x: x.expand(2, 3, 4), [(1, 4)]),
    "expand_neg": (lambda m, x: x.expand(3, -1), [(1, 4)]),
    "expand_scalar": (lambda m, x: x.expand(3, 2), [()]),
    "expand_as": (lambda m, x, y: x.expand_as(y), [(1, 4), (2, 3, 4)]),
    "repeat": (lambda m, x: x.repeat(2, 3), [(3, 4)]),
    "repeat_more": (lambda m, x: x.repeat(2, 1, 3), [(1, 4)]),
    "repeat_scalar": (lambda m, x: x.repeat(3), [()]),
    "flip": (lambda m, x: x.flip(0), [(3, 4)]),
    "flip_many": (lambda m, x: m.flip(x, (0, -1)), [(2, 3, 4)]),
    "roll": (lambda m, x: x.roll(1, 0), [(3, 4)]),
    "roll_flat": (lambda m, x: x.roll(5), [(3, 4)]),
    "roll_multi": (lambda m, x: m.roll(x, (1, -2), (0, 1)), [(3, 4)]),
    "cat": (lambda m, x, y: m.cat([x, y]), [(3, 4), (1, 4)]),
    "cat_dim": (lambda m, x, y: m.cat((x, y), dim=-1), [(3, 4), (3, 2)]),
    "cat_three": (lambda m, x, y, z: m.cat([x, y, z], 1), [(2, 1, 4), (2, 3, 4), (2, 2, 4)]),
    "cat_empty": (lambda m, x: m.cat([x, m.zeros(0)]), [(3, 4)]),
    "stack": (lambda m, x, y: m.stack([x, y]), [(3, 4), (3, 4)]),
    "stack_last": (lambda m, x, y: m.stack([x, y], -1), [(4,), (4,)]),
    "stack_scalars": (lambda m, x, y: m.stack([x, y]), [(), ()]),
    "split": (lambda m, x: x.split(2), [(5, 4)]),
    "split_sizes": (lambda m, x: x.split([1, 3], 1), [(3, 4)]),
    "split_partial": (lambda m, x: x.split(2)[1], [(5, 4)]),
    "chunk": (lambda m, x: x.chunk(3), [(5, 4)]),
    "chunk_dim": (lambda m, x: m.chunk(x, 2, -1), [(3, 4)]),
    "unbind": (lambda m, x: x.unbind(), [(3, 4)]),
    "unbind_dim": (lambda m, x: m.unbind(x, 1)[2], [(3, 4)]),
    "unbind_iter": (lambda m, x: list(x)[1] * 2, [(3, 4)]),
    "narrow": (lambda m, x: x.narrow(1, 1, 2), [(3, 4)]),
    "narrow_fn": (lambda m, x: m.narrow(x, 0, -2, 2), [(3, 4)]),
    "select": (lambda m, x: x.select(1, -1), [(3, 4)]),
    "movedim": (lambda m, x: x.movedim(0, -1), [(2, 3, 4)]),
    "movedim_many": (lambda m, x: m.movedim(x, (0, 1), (2, 0)), [(2, 3, 4)]),
    "tril": (lambda m, x: x.tril(), [(3, 4)]),
    "tril_k": (lambda m, x: m.tril(x, -1), [(2, 3, 4)]),
    "triu": (lambda m, x: x.triu(1), [(3, 4)]),
    "triu_neg": (lambda m, x: m.triu(x, -1), [(4, 3)]),
    "diagonal": (lambda m, x: x.diagonal(), [(3, 4)]),
    "diagonal_offset": (lambda m, x: x.diagonal(1), [(3, 4)]),
    "diagonal_neg": (lambda m, x: x.diagonal(-1), [(3, 4)]),
    "diagonal_dims": (lambda m, x: x.diagonal(0, 0, 2), [(3, 2, 4)]),
    "diagonal_dims_rev": (lambda m, x: x.diagonal(1, 2, 0), [(3, 2, 4)]),
    "tile": (lambda m, x: x.tile((2,)), [(3, 4)]),
    "repeat_interleave": (lambda m, x: x.repeat_interleave(2, 0), [(3, 4)]),
    "contiguous": (lambda m, x: x.t().contiguous(), [(3, 4)]),
    "sum_to_size": (lambda m, x: x.sum_to_size(1, 4), [(3, 4)]),
    "sum_to_size_lead": (lambda m, x: x.sum_to_size(4), [(2, 3, 4)]),
    "sum_to_size_inner": (lambda m, x: x.sum_to_size(3, 1), [(3, 4)]),
    "broadcast_to": (lambda m, x: m.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
    "broadcast_tensors": (lambda m, x, y: m.broadcast_tensors(x, y), [(3, 1), (1, 4)]),
    "hstack": (lambda m, x, y: m.hstack([x, y]), [(3, 4), (3, 2)]),
    "vstack": (lambda m, x, y: m.vstack([x, y]), [(4,), (3, 4)]),
    "pad_via_cat_chain": (lambda m, x: m.cat([x, x * 2], 0).reshape(2, -1).t(), [(3, 4)]),
    "view_chain": (lambda m, x: x.view(12).view(2, 6)[1].view(3, 2).t().reshape(6), [(3, 4)]),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_op(name, dtype):
    fn, shapes = CASES[name]
    check_op(fn, shapes, dtype=dtype)


def test_T_warns_outside_2d_as_torch():
    import warnings

    import ember

    with pytest.warns(UserWarning, match=r"The use of `x.T` on tensors of dimension other than 2"):
        assert ember.ones(2, 3, 4).T.shape == (4, 3, 2)
    with pytest.warns(UserWarning, match="Tensor.T is deprecated on 0-D tensors"):
        assert ember.tensor(1.0).T.shape == ()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.ones(2, 3).T.shape == (3, 2)


def test_views_share_memory():
    import ember

    x = ember.arange(12.0).reshape(3, 4)
    for v in (
        x.view(12),
        x.t(),
        x[1],
        x[:, 1:3],
        x.transpose(0, 1),
        x.unsqueeze(0),
        x.expand(2, 3, 4),
        x.narrow(1, 0, 2),
        x.diagonal(),
        x.unbind()[0],
        x.split(2)[0],
        x.squeeze(),
        x.permute(1, 0),
        x.select(0, 1),
    ):
        assert np.shares_memory(v.numpy(), x.numpy()), v
        assert v._vc is x._vc
    for c in (x.flip(0), x.repeat(1, 1), x.roll(1), x.clone(), x.t().reshape(-1), x[[0, 1]]):
        assert not np.shares_memory(c.numpy(), x.numpy())
    x.view(12)[0] = 100.0
    assert x[0, 0].item() == 100.0
    x.t()[1, 0] = -1.0
    assert x[0, 1].item() == -1.0


RAISES = [
    lambda m: m.ones(3, 4).view(5, -1),
    lambda m: m.ones(3, 4).t().view(12),
    lambda m: m.ones(3, 4).reshape(-1, -1),
    lambda m: m.ones(3, 4).permute(0),
    lambda m: m.ones(3, 4).permute(0, 0),
    lambda m: m.ones(3, 4).transpose(0, 2),
    lambda m: m.ones(2, 3, 4).t(),
    lambda m: m.ones(3, 4).expand(2, 4),
    lambda m: m.ones(3, 4).expand(4),
    lambda m: m.cat([m.ones(3, 4), m.ones(3, 3)]),
    lambda m: m.cat([m.ones(3, 4), m.ones(3)]),
    lambda m: m.cat([]),
    lambda m: m.stack([m.ones(3), m.ones(4)]),
    lambda m: m.ones(3, 4).split([1, 1], 0),
    lambda m: m.ones(3, 4).chunk(0),
    lambda m: m.ones(3, 4).narrow(0, 2, 2),
    lambda m: m.ones(3, 4).select(0, 3),
    lambda m: m.ones(3, 4).squeeze(2),
    lambda m: m.ones(3, 4).unsqueeze(3),
    lambda m: m.ones(3).tril(),
    lambda m: m.ones(3, 4).repeat(2),
    lambda m: m.ones(3, 4).flatten(1, 0),
    lambda m: m.ones(3, 4).unflatten(1, (3, 2)),
    lambda m: m.ones(3, 4).movedim(0, 2),
    lambda m: m.ones(3, 4).sum_to_size(2, 4),
    lambda m: m.ones(3, 4).diagonal(0, 0, 0),
    lambda m: len(m.tensor(1.0)),
    lambda m: iter(m.tensor(1.0)),
]


@pytest.mark.parametrize("i", range(len(RAISES)))
def test_raises(i):
    check_raises(RAISES[i])


@pytest.mark.parametrize(
    "expr",
    [
        "m.arange(6.0).reshape(2, 3).view(m.int32)",
        "m.arange(6.0).reshape(2, 3).t().view(m.int32)",
        "m.arange(8.0).reshape(2, 4).view(m.float64)",
        "m.arange(4.0).view(m.int8)",
        "m.tensor([1, -2, 3, 4], dtype=m.int16).view(m.uint8)",
        "m.tensor(1.5).view(m.int32)",
    ],
)
def test_view_dtype_reinterprets_bytes(expr):
    # view(dtype) reads the same bytes as another dtype (a cast would give other values)
    check_op(lambda m: eval(expr, {"m": m}), [], grad=False)  # noqa: S307 - literals above


def test_view_dtype_shares_memory_and_leaves_the_graph():
    import ember

    x = ember.zeros(2, requires_grad=True)
    v = x.detach().view(ember.int32)
    v.add_(1)
    assert x.detach().numpy().view(np.int32).tolist() == [1, 1]
    assert not x.view(ember.float32).requires_grad
