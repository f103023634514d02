"""grad_fn names of ``reshape`` against torch: a contiguous tensor gives a view
(ViewBackward0), a strided one whose memory allows the shape a ReshapeAliasBackward0 view, any
other a copy (CloneBackward0) given the shape (UnsafeViewBackward0). Values, gradients, and
whether the result shares memory with its input are compared too."""

import pytest
from helpers import make_inputs
from test_grad_fn_names import check_named

CASES = {
    "contiguous": (lambda x: x, (12,)),
    "contiguous_same": (lambda x: x, (3, 4)),
    "t_same_shape": (lambda x: x.t(), (4, 3)),
    "t_new_dim": (lambda x: x.t(), (4, 3, 1)),
    "t_flatten": (lambda x: x.t(), (12,)),
    "t_as_x": (lambda x: x.t(), (3, 4)),
    "slice_cols": (lambda x: x[:, :2], (6,)),
    "slice_cols_same": (lambda x: x[:, :2], (3, 2, 1)),
    "slice_rows": (lambda x: x[:2], (8,)),
    "step": (lambda x: x[:, ::2], (6,)),
    "expand_merge": (lambda x: x[0].expand(2, 4), (8,)),
    "expand_split": (lambda x: x[0].expand(2, 4), (2, 2, 2)),
    "zero_dim": (lambda x: x[0][0], (1,)),
}


@pytest.mark.parametrize("case", CASES)
def test_reshape_graph(case):
    take, shape = CASES[case]
    check_named(lambda m, x: take(x * 1).reshape(shape), [(3, 4)], depth=3)


@pytest.mark.parametrize("case", CASES)
def test_reshape_shares_memory_as_torch(case):
    take, shape = CASES[case]
    e_in, t_in = make_inputs([(3, 4)], requires_grad=False)
    e_src, t_src = take(e_in[0]), take(t_in[0])
    e, t = e_src.reshape(shape), t_src.reshape(shape)
    assert (e.data_ptr() == e_src.data_ptr()) == (t.data_ptr() == t_src.data_ptr())
    assert (e._base is not None) == (t._base is not None)


@pytest.mark.parametrize("fn", ["flatten", "reshape_as"])
def test_reshape_family(fn):
    def run(m, x):
        y = (x * 1).t()
        return y.flatten() if fn == "flatten" else y.reshape_as(x)

    check_named(run, [(3, 4)], depth=3)


def test_flatten_of_permuted_channels():
    # the layout a conv net's channels-last activations reach a Linear layer in
    check_named(lambda m, x: (x * 1).permute(0, 2, 3, 1).flatten(1), [(2, 3, 4, 5)], depth=3)
