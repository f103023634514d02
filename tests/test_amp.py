"""ember.amp against torch.amp on the CPU: GradScaler trajectories and errors, autocast dtypes."""

from __future__ import annotations

import pickle
import threading
import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, check_raises

import ember

# -- GradScaler ---------------------------------------------------------------------------------


def _model(M, seed: int = 0, dtype=np.float32):
    """A two-layer model with the same weights in either framework, and an SGD optimizer."""
    rng = np.random.default_rng(seed)
    net = M.nn.Sequential(M.nn.Linear(4, 3), M.nn.Tanh(), M.nn.Linear(3, 2))
    with M.no_grad():
        for p in net.parameters():
            p.copy_(M.tensor(rng.uniform(-1, 1, tuple(p.shape)).astype(dtype)))
    if dtype == np.float64:
        net = net.double()
    return net, M.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)


def _batch(M, i: int, dtype=np.float32):
    rng = np.random.default_rng(100 + i)
    return M.tensor(rng.normal(size=(5, 4)).astype(dtype)), M.tensor(rng.normal(size=(5, 2)))


def _train(M, steps, bad, scaler_kw, unscale_first=False, dtype=np.float32):
    """Run ``steps`` scaled steps; at steps in ``bad`` a gradient gets an inf or a nan."""
    net, opt = _model(M, dtype=dtype)
    scaler = M.amp.GradScaler("cpu", **scaler_kw)
    log = []
    for i in range(steps):
        x, y = _batch(M, i, dtype)
        opt.zero_grad()
        loss = ((net(x) - y.to(x.dtype)) ** 2).mean()
        scaler.scale(loss).backward()
        if i in bad:
            with M.no_grad():
                net[0].weight.grad[1, 2] = float("inf") if i % 2 else float("nan")
        if unscale_first:
            scaler.unscale_(opt)
            log.append(net[2].weight.grad.detach().clone())
        ret = scaler.step(opt)
        log.append(ret)
        scaler.update()
        log.append(scaler.get_scale())
        log.append(scaler.state_dict())
    return log, [p.detach().clone() for p in net.parameters()]


@pytest.mark.parametrize(
    "kw, bad, unscale_first, dtype",
    [
        (dict(init_scale=2.0**10, growth_interval=3), {2, 3, 9}, False, np.float32),
        (
            dict(init_scale=3.0e4, growth_factor=1.7, backoff_factor=0.3, growth_interval=2),
            {1, 6},
            True,
            np.float32,
        ),
        (dict(init_scale=2.0**20, growth_interval=4), {0, 5}, True, np.float64),
    ],
)
def test_scaler_trajectory_matches_torch(kw, bad, unscale_first, dtype):
    e_log, e_params = _train(ember, 12, bad, kw, unscale_first, dtype)
    t_log, t_params = _train(torch, 12, bad, kw, unscale_first, dtype)
    assert len(e_log) == len(t_log)
    for e, t in zip(e_log, t_log):
        if isinstance(t, torch.Tensor):
            assert_close(e, t, rtol=1e-5, atol=1e-6)
        else:
            assert e == t  # step's return, the scale, the state dict: exact
    assert_close(e_params, t_params, rtol=1e-5, atol=1e-6)


def test_scaler_skips_step_and_backs_off():
    net, opt = _model(ember)
    before = [p.detach().clone() for p in net.parameters()]
    scaler = ember.amp.GradScaler("cpu", init_scale=8.0)
    x, y = _batch(ember, 0)
    scaler.scale(((net(x) - y) ** 2).mean()).backward()
    with ember.no_grad():
        net[2].bias.grad[0] = float("nan")
    assert scaler.step(opt) is None
    scaler.update()
    for b, p in zip(before, net.parameters()):
        assert ember.equal(b, p)
    assert scaler.get_scale() == 4.0 and scaler._get_growth_tracker() == 0


def _one_backward(M, scaler):
    net, opt = _model(M)
    x, y = _batch(M, 0)
    scaler.scale(((net(x) - y) ** 2).mean()).backward()
    return net, opt


def _raises_same(fn):
    """Both raise the same type with the same message (torch's module name spelled as ember's)."""
    exc = check_raises(fn)
    try:
        fn(torch)
    except Exception as t_exc:  # noqa: BLE001
        assert str(exc).replace("ember._device.", "torch.") == str(t_exc)


@pytest.mark.parametrize(
    "misuse",
    [
        lambda s, o: (s.unscale_(o), s.unscale_(o)),
        lambda s, o: (s.step(o), s.unscale_(o)),
        lambda s, o: (s.step(o), s.step(o)),
        lambda s, o: s.step(o, closure=lambda: 0.0),
        lambda s, o: s.update(
            new_scale=torch.ones(2) if isinstance(o, torch.optim.SGD) else ember.ones(2)
        ),
        lambda s, o: (
            s.step(o),
            s.update(new_scale=(torch if isinstance(o, torch.optim.SGD) else ember).tensor([2.0])),
        ),
        lambda s, o: s.update(),  # no step recorded an inf check
        lambda s, o: s.load_state_dict({}),
        lambda s, o: pickle.dumps((s.unscale_(o), s)[1]),
    ],
)
def test_scaler_misuse_raises_like_torch(misuse):
    def run(M):
        scaler = M.amp.GradScaler("cpu")
        _, opt = _one_backward(M, scaler)
        misuse(scaler, opt)

    _raises_same(run)


@pytest.mark.parametrize("call", ["unscale_", "step", "update"])
def test_scaler_before_scale_raises(call):
    def run(M):
        net, opt = _model(M)
        scaler = M.amp.GradScaler("cpu")
        getattr(scaler, call)(*([] if call == "update" else [opt]))

    _raises_same(run)


def test_scaler_fp16_grads_and_no_grads_raise():
    def fp16(M):
        scaler = M.amp.GradScaler("cpu", init_scale=4.0)
        p = M.zeros(3, dtype=M.float16, requires_grad=True)
        scaler.scale((p * 2).sum()).backward()
        scaler.unscale_(M.optim.SGD([p], lr=1.0))

    def no_grads(M):
        scaler = M.amp.GradScaler("cpu")
        scaler.scale(M.ones(1))
        scaler.step(M.optim.SGD([M.zeros(2, requires_grad=True)], lr=1.0))

    _raises_same(fp16)
    _raises_same(no_grads)
    _raises_same(lambda M: M.amp.GradScaler("cpu", growth_factor=1.0))
    _raises_same(lambda M: M.amp.GradScaler("cpu", backoff_factor=1.0))
    _raises_same(lambda M: M.amp.GradScaler("cpu").scale(3.0))


def test_scaler_scale_containers():
    for M in (ember, torch):
        scaler = M.amp.GradScaler("cpu", init_scale=4.0)
        a, b = M.ones(2), M.full((3,), 2.0)
        out = scaler.scale([a, (b, a)])
        assert isinstance(out, list) and isinstance(out[1], tuple)
        assert out[0].tolist() == [4.0, 4.0] and out[1][0].tolist() == [8.0] * 3
        gen = scaler.scale(x for x in (a, b))
        assert [t.tolist() for t in gen] == [[4.0, 4.0], [8.0] * 3]
        half = scaler.scale(M.ones(2, dtype=M.float16))
        assert str(half.dtype).endswith("float16")


def test_scaler_new_scale_state_dict_and_setters():
    e = ember.amp.GradScaler("cpu", init_scale=16.0, growth_interval=7)
    t = torch.amp.GradScaler("cpu", init_scale=16.0, growth_interval=7)
    assert e.state_dict() == t.state_dict()  # before the lazy scale tensor exists
    for s, M in ((e, ember), (t, torch)):
        _one_backward(M, s)
        s.step(_one_backward(M, s)[1])
        s.update(new_scale=3.0)
        s.set_growth_factor(3.0)
        s.set_backoff_factor(0.25)
        s.set_growth_interval(5)
    assert e.state_dict() == t.state_dict()
    assert (e.get_growth_factor(), e.get_backoff_factor(), e.get_growth_interval()) == (
        t.get_growth_factor(),
        t.get_backoff_factor(),
        t.get_growth_interval(),
    )
    e.update(new_scale=ember.tensor(5.0))
    t.update(new_scale=torch.tensor(5.0))
    assert e.get_scale() == t.get_scale() == 5.0

    fresh_e = ember.amp.GradScaler("cpu")
    fresh_t = torch.amp.GradScaler("cpu")
    fresh_e.load_state_dict(e.state_dict())
    fresh_t.load_state_dict(t.state_dict())
    assert fresh_e.state_dict() == fresh_t.state_dict() == t.state_dict()
    clone = pickle.loads(pickle.dumps(fresh_e))
    assert clone.state_dict() == fresh_t.state_dict()
    assert clone.is_enabled()


def test_scaler_disabled_and_cuda():
    for M in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            cuda = M.amp.GradScaler()  # device 'cuda' without CUDA: a warning, then disabled
            off = M.amp.GradScaler("cpu", enabled=False)
        assert [str(x.message) for x in w] == [
            "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling."
        ]
        assert w[0].filename == __file__  # reported at the caller, as torch's stacklevel=2
        for s in (cuda, off):
            assert not s.is_enabled() and s.get_scale() == 1.0 and s.state_dict() == {}
            loss = M.ones(2)
            assert s.scale(loss) is loss
            net, opt = _model(M)
            x, y = _batch(M, 0)
            ((net(x) - y) ** 2).mean().backward()
            before = net[0].bias.detach().clone()
            s.unscale_(opt)
            s.step(opt)
            s.update()
            assert not M.equal(before, net[0].bias)  # a plain, unskipped step
            s.load_state_dict({})
        with pytest.raises(AttributeError):
            off.get_growth_factor()


# -- autocast: state --------------------------------------------------------------------------


def _same_dtype(e, t):
    assert str(e).split(".")[-1] == str(t).split(".")[-1], (e, t)


def test_autocast_state_nesting_and_decorator():
    def states(M):
        out = [(M.is_autocast_enabled("cpu"), str(M.get_autocast_dtype("cpu")).split(".")[-1])]
        with M.autocast("cpu", dtype=M.float16):
            out.append((M.is_autocast_enabled("cpu"), M.get_autocast_dtype("cpu") is M.float16))
            with M.autocast("cpu", enabled=False):
                out.append((M.is_autocast_enabled("cpu"), M.get_autocast_dtype("cpu").itemsize))
                with M.amp.autocast("cpu", dtype=M.float16):
                    out.append(M.is_autocast_enabled("cpu"))
                out.append(M.is_autocast_enabled("cpu"))
            out.append((M.is_autocast_enabled("cpu"), M.is_autocast_enabled("cuda")))

        @M.autocast("cpu", dtype=M.float16)
        def inner(a):
            return M.is_autocast_enabled("cpu"), M.mm(a, a).dtype is M.float16

        out.append(inner(M.ones(2, 2)))
        out.append(M.is_autocast_enabled("cpu"))
        return out

    e_states, t_states = states(ember), states(torch)
    e_states[0] = (
        e_states[0][0],
        "bfloat16" if ember.get_autocast_dtype("cpu") is ember.bfloat16 else "?",
    )
    assert e_states == t_states


def test_autocast_default_dtypes_availability_and_errors():
    for dev in ("cpu", "cuda", "xpu", "mps", "hpu", "xla", "cpu:0", "cuda:1"):
        assert ember.amp.is_autocast_available(dev) == torch.amp.is_autocast_available(dev)
        e, t = ember.get_autocast_dtype(dev), torch.get_autocast_dtype(dev)
        # Ember's bfloat16 is its float32
        assert e is (ember.bfloat16 if t is torch.bfloat16 else ember.float16), dev
    assert not ember.amp.is_autocast_available("meta")
    _raises_same(lambda M: M.get_autocast_dtype("foo"))
    _raises_same(lambda M: M.get_autocast_dtype("meta"))
    _raises_same(lambda M: M.autocast("meta"))
    _raises_same(lambda M: M.autocast("foo"))
    _raises_same(lambda M: M.autocast(M.device("cpu")))
    _raises_same(lambda M: M.autocast("cpu")(3))
    _raises_same(lambda M: M.is_autocast_enabled(3))
    _raises_same(lambda M: M.amp.custom_fwd(device_type=M.device("cpu")))


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(x.message).replace("ember.", "torch.") for x in w]


def test_autocast_disabling_warnings():
    for make in (
        lambda M: M.autocast("cuda"),
        lambda M: M.autocast("cpu", dtype=M.float64),
        lambda M: M.autocast("cpu", dtype=M.int32),
    ):
        e, e_msgs = _warnings_of(lambda make=make: make(ember))
        t, t_msgs = _warnings_of(lambda make=make: make(torch))
        assert e_msgs == t_msgs and len(t_msgs) == 1
        assert e._enabled is t._enabled is False
        with e:
            assert not ember.is_autocast_enabled(e.device)


def test_autocast_state_is_thread_local():
    seen = []
    with ember.autocast("cpu", dtype=ember.float16):
        worker = threading.Thread(
            target=lambda: seen.append(
                (ember.is_autocast_enabled("cpu"), ember.mm(ember.ones(2, 2), ember.ones(2, 2)))
            )
        )
        worker.start()
        worker.join()
        here = ember.mm(ember.ones(2, 2), ember.ones(2, 2))
    assert seen[0][0] is False and seen[0][1].dtype is ember.float32
    assert here.dtype is ember.float16


# -- autocast: which ops cast -----------------------------------------------------------------

_R = np.random.default_rng(7)


def _arr(*shape):
    return _R.uniform(-1, 1, shape).astype(np.float32)


_OPS = {
    "mm": (lambda M, a, b: M.mm(a, b), [(3, 4), (4, 5)]),
    "matmul_2d": (lambda M, a, b: a @ b, [(3, 4), (4, 5)]),
    "matmul_1d": (lambda M, a, b: M.matmul(a, b), [(4,), (4,)]),
    "matmul_mv": (lambda M, a, b: M.matmul(a, b), [(3, 4), (4,)]),
    "matmul_batched": (lambda M, a, b: M.matmul(a, b), [(2, 3, 4), (2, 4, 5)]),
    "matmul_fold": (lambda M, a, b: a.matmul(b), [(2, 3, 4), (4, 5)]),
    "bmm": (lambda M, a, b: M.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "addmm": (lambda M, c, a, b: M.addmm(c, a, b), [(3, 5), (3, 4), (4, 5)]),
    "baddbmm": (lambda M, c, a, b: M.baddbmm(c, a, b), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    "addbmm": (lambda M, c, a, b: M.addbmm(c, a, b), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    "linear": (lambda M, x, w, b: M.nn.functional.linear(x, w, b), [(3, 4), (5, 4), (5,)]),
    "linear_3d": (lambda M, x, w, b: M.nn.functional.linear(x, w, b), [(2, 3, 4), (5, 4), (5,)]),
    "linear_nobias": (lambda M, x, w: M.nn.functional.linear(x, w), [(2, 3, 4), (5, 4)]),
    "einsum": (lambda M, a, b: M.einsum("ij,jk->ik", a, b), [(3, 4), (4, 5)]),
    "tensordot": (lambda M, a, b: M.tensordot(a, b, 1), [(3, 4), (4, 5)]),
    "conv1d": (lambda M, x, w, b: M.nn.functional.conv1d(x, w, b), [(1, 2, 7), (3, 2, 3), (3,)]),
    "conv2d": (
        lambda M, x, w: M.nn.functional.conv2d(x, w, padding=1),
        [(1, 2, 5, 5), (3, 2, 3, 3)],
    ),
    "conv3d": (lambda M, x, w: M.nn.functional.conv3d(x, w), [(1, 2, 4, 4, 4), (2, 2, 2, 2, 2)]),
    "conv_t2d": (
        lambda M, x, w: M.nn.functional.conv_transpose2d(x, w, stride=2),
        [(1, 2, 3, 3), (2, 3, 2, 2)],
    ),
    # not on the list: they keep their input dtype
    "mv": (lambda M, a, b: M.mv(a, b), [(3, 4), (4,)]),
    "dot": (lambda M, a, b: M.dot(a, b), [(4,), (4,)]),
    "bilinear": (
        lambda M, a, b, w: M.nn.functional.bilinear(a, b, w),
        [(2, 3), (2, 4), (5, 3, 4)],
    ),
    "relu_add": (lambda M, a, b: M.relu(a) + b, [(3, 4), (3, 4)]),
    "max_pool2d": (lambda M, x: M.nn.functional.max_pool2d(x, 2), [(1, 2, 4, 4)]),
}


@pytest.mark.parametrize("in_dtype", ["float32", "float16", "float64"])
@pytest.mark.parametrize("name", list(_OPS))
def test_autocast_float16_output_dtypes_and_values(name, in_dtype):
    fn, shapes = _OPS[name]
    arrays = [_arr(*s).astype(in_dtype) for s in shapes]
    with torch.autocast("cpu", dtype=torch.float16):
        t = fn(torch, *[torch.tensor(a) for a in arrays])
    with ember.autocast("cpu", dtype=ember.float16):
        e = fn(ember, *[ember.tensor(a) for a in arrays])
    # torch's bilinear returns float32 but rounds through float16 inside; Ember's stays float32
    rounded = t.dtype == torch.float16 or in_dtype == "float16" or name == "bilinear"
    tol = 1e-2 if rounded else 1e-5
    assert_close(e, t, rtol=tol, atol=tol)


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda M, x: M.nn.functional.max_pool3d(x, 2), (1, 2, 4, 4, 4)),
        (lambda M, x: M.nn.functional.avg_pool3d(x, 2), (1, 2, 4, 4, 4)),
        (lambda M, x: M.nn.functional.pad(x, (1, 2), mode="reflect"), (1, 2, 5)),
        (lambda M, x: M.nn.functional.pad(x, (1, 1, 2, 0), mode="reflect"), (1, 2, 4, 4)),
        (lambda M, x: M.nn.functional.pad(x, (1,) * 6, mode="replicate"), (1, 2, 3, 3, 3)),
        (lambda M, x: M.nn.functional.pad(x, (1,) * 6, mode="reflect"), (1, 2, 3, 3, 3)),
        (lambda M, x: M.nn.functional.pad(x, (1, 1), mode="circular"), (1, 2, 5)),
    ],
)
def test_autocast_float32_list_widens_float16(fn, shape):
    a = _arr(*shape).astype(np.float16)
    with torch.autocast("cpu", dtype=torch.float16):
        t = fn(torch, torch.tensor(a))
    with ember.autocast("cpu", dtype=ember.float16):
        e = fn(ember, ember.tensor(a))
    assert_close(e, t, rtol=1e-3, atol=1e-3)


def test_autocast_off_and_disabled_regions_do_not_cast():
    a, b = _arr(3, 4), _arr(4, 5)
    for M in (ember, torch):
        x, y = M.tensor(a), M.tensor(b)
        with M.autocast("cpu", dtype=M.float16):
            with M.autocast("cpu", enabled=False):
                assert M.mm(x, y).dtype is M.float32
            assert M.mm(x, y).dtype is M.float16
        assert M.mm(x, y).dtype is M.float32


def test_autocast_bfloat16_default_is_float32_in_ember():
    """torch's CPU default is bfloat16; Ember has no bfloat16 storage (``bfloat16 is float32``),
    so its lower-precision ops stay in float32 and widen float16 inputs to it."""
    a, b = _arr(3, 4), _arr(4, 5)
    with torch.autocast("cpu"):
        t = torch.mm(torch.tensor(a), torch.tensor(b))
        t16 = torch.mm(torch.tensor(a).half(), torch.tensor(b))
    with ember.autocast("cpu"):
        e = ember.mm(ember.tensor(a), ember.tensor(b))
        e16 = ember.mm(ember.tensor(a).half(), ember.tensor(b))
    assert t.dtype is torch.bfloat16 and t16.dtype is torch.bfloat16
    assert e.dtype is ember.bfloat16 is ember.float32 and e16.dtype is ember.float32
    np.testing.assert_allclose(e.numpy(), t.float().numpy(), rtol=2e-2, atol=2e-2)
    np.testing.assert_allclose(e16.numpy(), t16.float().numpy(), rtol=2e-2, atol=2e-2)


def test_autocast_gradients_flow_back_in_float32():
    w0, x0 = _arr(5, 4), _arr(3, 4)

    def run(M):
        w = M.tensor(w0, requires_grad=True)
        with M.autocast("cpu", dtype=M.float16):
            y = M.nn.functional.linear(M.tensor(x0), w)
        (y.float() ** 2).sum().backward()
        return y, w.grad

    e, t = run(ember), run(torch)
    assert_close(e, t, rtol=1e-2, atol=1e-2)
    assert e[0].grad_fn.name() == t[0].grad_fn.name()


def test_autocast_training_with_grad_scaler():
    def run(M):
        net, opt = _model(M)
        scaler = M.amp.GradScaler("cpu", init_scale=2.0**8, growth_interval=2)
        scales = []
        for i in range(4):
            x, y = _batch(M, i)
            opt.zero_grad()
            with M.autocast("cpu", dtype=M.float16):
                out = net(x)
            loss = ((out.float() - y) ** 2).mean()
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            scales.append(scaler.get_scale())
        return scales, [p.detach() for p in net.parameters()]

    (e_scales, e_params), (t_scales, t_params) = run(ember), run(torch)
    assert e_scales == t_scales
    assert_close(e_params, t_params, rtol=1e-2, atol=1e-2)


def _custom_function(M):
    seen = {}

    class Square(M.autograd.Function):
        @staticmethod
        @M.amp.custom_fwd(device_type="cpu", cast_inputs=M.float32)
        def forward(ctx, x):
            seen["fwd"] = (str(x.dtype).split(".")[-1], M.is_autocast_enabled("cpu"))
            ctx.save_for_backward(x)
            return M.mm(x, x)

        @staticmethod
        @M.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            seen["bwd"] = M.is_autocast_enabled("cpu")
            (x,) = ctx.saved_tensors
            return M.mm(g, x.t()) + M.mm(x.t(), g)

    class Plain(M.autograd.Function):
        @staticmethod
        @M.amp.custom_fwd(device_type="cpu")
        def forward(ctx, x):
            seen["plain"] = M.is_autocast_enabled("cpu")
            return M.mm(x, x)

        @staticmethod
        @M.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            seen["plain_bwd"] = M.is_autocast_enabled("cpu")
            return g

    return Square, Plain, seen


def test_custom_fwd_bwd():
    a = _arr(3, 3)

    def run(M):
        square, plain, seen = _custom_function(M)
        x = M.tensor(a).half().requires_grad_()
        with M.autocast("cpu", dtype=M.float16):
            y = square.apply(x)
            z = plain.apply(M.tensor(a, requires_grad=True))
        y.sum().backward()
        z.float().sum().backward()
        outside = plain.apply(M.tensor(a, requires_grad=True))
        return y, z, outside, seen

    e, t = run(ember), run(torch)
    assert_close(e[:3], t[:3], rtol=1e-2, atol=1e-2)
    assert e[3] == t[3]


# -- deprecated spellings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda M: M.cuda.amp.GradScaler(),
        lambda M: M.cpu.amp.GradScaler(init_scale=4.0),
        lambda M: M.cuda.amp.autocast(),
        lambda M: M.cpu.amp.autocast(dtype=M.float16),
    ],
)
def test_deprecated_spellings_warn_like_torch(make):
    (e, e_msgs), (t, t_msgs) = _warnings_of(lambda: make(ember)), _warnings_of(lambda: make(torch))
    assert e_msgs == t_msgs
    if hasattr(t, "get_scale"):
        assert e.get_scale() == t.get_scale() and e.is_enabled() == t.is_enabled()
    else:
        assert (e.device, e._enabled) == (t.device, t._enabled)
        _same_dtype(e.fast_dtype, t.fast_dtype)
