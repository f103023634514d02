"""Session 7's step fast paths against torch: max pools that make no int64 indices when the
caller drops them (values, gradients, double backward), and the tiled pool's first-two-taps
start (ties, -inf, NaN), in both memory layouts."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF
from ember.kernels import pool as P


def _input(rng, shape, layout, kind):
    x = rng.standard_normal(shape).astype(np.float32)
    if kind == "ties":
        x = np.round(x)  # many equal maxima inside windows
    elif kind == "inf":
        x[..., ::3] = -np.inf
        x.reshape(-1)[::7] = np.inf
    elif kind == "nan":
        x.reshape(-1)[::5] = np.nan
        x.reshape(-1)[1::11] = np.inf
    if layout == "cl" and x.ndim == 4:
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    return x


def _same(got, want, name):
    want = want.detach().numpy()
    assert got.shape == want.shape, name
    np.testing.assert_array_equal(got, want, err_msg=name)


@pytest.mark.parametrize("kind", ["plain", "ties", "inf", "nan"])
@pytest.mark.parametrize("layout", ["nchw", "cl"])
@pytest.mark.parametrize("k", [1, 2, 3, (2, 3)])
def test_max_pool2d_values_and_gradients(kind, layout, k):
    rng = np.random.default_rng(7)
    x = _input(rng, (3, 4, 12, 12), layout, kind)
    gy = rng.standard_normal((3, 4, *(12 // kk for kk in np.broadcast_to(k, 2)))).astype("f4")
    tx = torch.from_numpy(x.copy()).requires_grad_()
    ty, tidx = TF.max_pool2d(tx, k, return_indices=True)
    ty.backward(torch.from_numpy(gy))
    for with_indices in (False, True):
        ex = ember.tensor(x, requires_grad=True)
        out = EF.max_pool2d(ex, k, return_indices=with_indices)
        ey = out[0] if with_indices else out
        ey.backward(ember.tensor(gy))
        _same(ey.detach().numpy(), ty, "values")
        _same(ex.grad.numpy(), tx.grad, "input gradient")
        if with_indices:
            _same(out[1].numpy(), tidx, "indices")


@pytest.mark.parametrize("layout", ["nchw", "cl"])
def test_max_pool2d_double_backward_without_indices(layout):
    """create_graph through a tiled pool whose forward made no indices: the gradient of the
    input gradient gathers at indices rebuilt from the winners' offsets."""
    rng = np.random.default_rng(3)
    x = _input(rng, (2, 3, 8, 8), layout, "ties")
    v = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    grads = []
    for lib, F in ((torch, TF), (ember, EF)):
        tx = (torch.from_numpy(x.copy()) if lib is torch else ember.tensor(x)).requires_grad_()
        y = F.max_pool2d(tx, 2)
        gy = (torch.ones_like(y) if lib is torch else ember.ones_like(y)).requires_grad_()
        (gx,) = lib.autograd.grad(y, tx, gy, create_graph=True)
        vv = torch.from_numpy(v) if lib is torch else ember.tensor(v)
        (ggy,) = lib.autograd.grad((gx * vv).sum(), gy)
        grads.append((gx.detach().numpy(), ggy.numpy()))
    np.testing.assert_array_equal(grads[1][0], grads[0][0])
    np.testing.assert_array_equal(grads[1][1], grads[0][1])


def test_max_pool3d_and_module_without_indices():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 4, 6, 6)).astype(np.float32)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    ex = ember.tensor(x, requires_grad=True)
    ty = torch.nn.MaxPool3d(2)(tx)
    ey = ember.nn.MaxPool3d(2)(ex)
    ty.sum().backward()
    ey.sum().backward()
    _same(ey.detach().numpy(), ty, "values")
    _same(ex.grad.numpy(), tx.grad, "input gradient")
    assert type(ey.grad_fn).__name__ == type(ty.grad_fn).__name__


@pytest.mark.parametrize("kind", ["plain", "ties", "nan"])
def test_tiled_kernel_indices_from_offsets(kind):
    rng = np.random.default_rng(11)
    x = _input(rng, (4, 5, 10, 8), "cl", kind)
    y, idx, off = P.max_pool_forward_offsets(x, 2)
    y2, none, off2 = P.max_pool_forward_offsets(x, 2, indices=False)
    assert none is None
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(off2, off)
    np.testing.assert_array_equal(P.tiled_indices(off2, (2, 2), x.shape), idx)
    _, tidx = TF.max_pool2d(torch.from_numpy(x.copy()), 2, return_indices=True)
    np.testing.assert_array_equal(idx, tidx.numpy())


def _conv_models(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, groups=2, padding=1),
        nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1),
        nn.Conv2d(4, 6, 3, padding=1),
        nn.Flatten(),  # the last conv's gradient arrives row-major (NCHW), the others channels-last
        nn.Linear(6 * 8 * 8, 5),
    )


@pytest.mark.parametrize("create_graph", [False, True])
def test_conv_rules_on_arrays_and_tensors(create_graph):
    """A plain backward runs the conv and pool rules on arrays, create_graph on Tensors: both
    give torch's gradients (a second derivative too under create_graph)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 16, 16)).astype(np.float32)
    torch.manual_seed(0)
    tm = _conv_models(torch)
    em = _conv_models(ember)
    em.load_state_dict(
        {k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
    )
    got = {}
    for lib, m in ((torch, tm), (ember, em)):
        xx = (torch.from_numpy(x.copy()) if lib is torch else ember.tensor(x)).requires_grad_()
        loss = (m(xx) ** 2).sum()
        params = [xx, *m.parameters()]
        grads = lib.autograd.grad(loss, params, create_graph=create_graph)
        out = [g.detach().numpy().copy() for g in grads]
        if create_graph:  # d/dparams of the squared gradient norm of the input
            out += [
                g.detach().numpy().copy()
                for g in lib.autograd.grad((grads[0] ** 2).sum(), params[1:])
            ]
        got[lib.__name__] = out
    for a, b in zip(got["ember"], got["torch"]):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4)


@pytest.mark.parametrize("kind", ["plain", "ties", "inf", "nan"])
@pytest.mark.parametrize("layout", ["nchw", "cl"])
@pytest.mark.parametrize("k", [1, 2, 3, (2, 3)])
def test_max_pool2d_values_only_when_nothing_is_recorded(kind, layout, k):
    """no_grad / inference_mode without return_indices: the values-only tiled kernel."""
    rng = np.random.default_rng(9)
    x = _input(rng, (2, 5, 12, 12), layout, kind)
    want = TF.max_pool2d(torch.from_numpy(x.copy()), k)
    with ember.no_grad():
        got = EF.max_pool2d(ember.tensor(x, requires_grad=True), k)
    _same(got.numpy(), want, "no_grad values")
    with ember.inference_mode():
        got = ember.nn.MaxPool2d(k)(ember.tensor(x))
    _same(got.numpy(), want, "inference_mode values")
    # the kernel's values equal the tracking kernel's, bit for bit (NaN payloads included)
    y, _, _ = P.max_pool_forward_offsets(x, k)
    assert P.max_pool_values(x, k).tobytes() == np.ascontiguousarray(y).tobytes()


def test_max_pool_values_only_checks_sizes():
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="Output size is too small"):
            with lib.no_grad():
                lib.nn.MaxPool2d(3)(lib.ones(1, 2, 2, 2))


@pytest.mark.parametrize(
    "cin, k, stride, pad, dil",
    [(3, 5, 1, 2, 1), (32, 5, 1, 2, 1), (8, 3, 2, 1, 1), (6, 3, 1, 2, 2), (16, 1, 1, 0, 1)],
)
def test_weight_gradient_from_the_forwards_padded_input(cin, k, stride, pad, dil):
    """The weight gradient read from the forward's padded input equals the one that pads the
    input again, bit for bit (K-major and channels-last columns)."""
    from ember.kernels import conv as C

    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, cin, 12, 12)).astype(np.float32)
    w = rng.standard_normal((7, cin, k, k)).astype(np.float32)
    keep = []
    y = C.conv_forward(x, w, None, stride, pad, dil, 1, keep)
    gyl = np.ascontiguousarray(C.to_last(rng.standard_normal(y.shape).astype(np.float32)))
    args = (C.to_last(x), gyl, w.shape, (stride,) * 2, ((pad, pad),) * 2, (dil,) * 2, 1)
    plain = C._conv_weight_grad(*args)
    kept = C._conv_weight_grad(*args, padded=keep[0] if keep else None)
    assert kept.tobytes() == plain.tobytes()
    other = C._conv_weight_grad(
        C.to_last(x[:4]), gyl[:4], *args[2:], padded=keep[0] if keep else None
    )  # a different input: the kept view does not match and is not used
    assert other.tobytes() == C._conv_weight_grad(C.to_last(x[:4]), gyl[:4], *args[2:]).tobytes()


def test_conv_weight_gradient_twice_with_retain_graph():
    """The kept padded input serves the first backward; a second (retain_graph) pads again."""
    rng = np.random.default_rng(6)
    x = ember.tensor(rng.standard_normal((3, 4, 10, 10)).astype(np.float32))
    conv = ember.nn.Conv2d(4, 6, 3, padding=1)
    loss = conv(x).square().sum()
    loss.backward(retain_graph=True)
    first = conv.weight.grad.numpy().copy()
    conv.weight.grad = None
    loss.backward()
    assert conv.weight.grad.numpy().tobytes() == first.tobytes()
