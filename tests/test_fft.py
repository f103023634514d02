"""ember.fft against torch.fft: values and dtypes over sizes, dims and norms, gradients of real
losses (real and complex inputs, gradients of gradients), ``out=``, the frequency helpers, the
shifts, and torch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_close, check_raises

NORMS = (None, "backward", "ortho", "forward")
# the complex-input transforms, and the ones taking a real signal only
C_1D = ("fft", "ifft", "irfft", "hfft")
R_1D = ("rfft", "ihfft")
C_ND = ("fft2", "ifft2", "fftn", "ifftn", "irfft2", "irfftn", "hfft2", "hfftn")
R_ND = ("rfft2", "rfftn", "ihfft2", "ihfftn")


def _tol(dtype):
    """Tolerances for a result (or gradient) of this NumPy or torch dtype."""
    precise = dtype in (np.float64, np.complex128, torch.float64, torch.complex128)
    return (1e-10, 1e-10) if precise else (1e-4, 1e-4)


def _real(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _complex(shape, dtype=np.complex128, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


def _resolved(t):
    """torch's result without its lazy conjugate bit (Ember always materialises)."""
    return t.resolve_conj() if isinstance(t, torch.Tensor) else t


def _compare(name, a, **kw):
    """``ember.fft.<name>(a, **kw)`` against torch's: values, shape, dtype."""
    t = _resolved(getattr(torch.fft, name)(torch.from_numpy(a.copy()), **kw))
    e = getattr(ember.fft, name)(ember.tensor(a.copy()), **kw)
    rtol, atol = _tol(t.dtype)
    assert_close(e, t, rtol, atol, msg=f"{name}{kw}")
    return e


# -- values and dtypes ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", C_1D + R_1D)
def test_1d_real_input(name, norm, dtype):
    a = _real((3, 6), dtype)
    for n, dim in ((None, -1), (None, 0), (4, -1), (9, 0), (1, 1), (7, 1)):
        if n == 1 and name in ("irfft", "hfft"):
            n = 2  # noqa: PLW2901  (one output point of a c2r is tested below)
        _compare(name, a, n=n, dim=dim, norm=norm)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", C_1D)
def test_1d_complex_input(name, norm, dtype):
    a = _complex((2, 5, 4), dtype)
    for n, dim in ((None, -1), (None, 1), (3, -1), (8, 1), (1, 0), (6, 0)):
        _compare(name, a, n=n, dim=dim, norm=norm)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", C_ND + R_ND)
def test_nd_real_input(name, norm, dtype):
    a = _real((3, 4, 6), dtype)
    two = name.endswith("2")
    cases = [{}, {"s": (5, 3)}, {"dim": (0, 2)}, {"s": (2, -1), "dim": (2, 0)}]
    if not two:
        cases += [{"s": (4, 2, 7)}, {"dim": (1,)}, {"s": (6,)}, {"dim": 1}, {"dim": (-1, 0, 1)}]
    for kw in cases:
        _compare(name, a, norm=norm, **kw)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name", C_ND)
def test_nd_complex_input(name, norm, dtype):
    a = _complex((3, 4, 5), dtype)
    cases = [{}, {"s": (5, 3)}, {"dim": (0, 2)}, {"s": (2, 7), "dim": (2, 0)}]
    if not name.endswith("2"):
        cases += [{"s": (4, 2, 7)}, {"dim": (1,)}, {"s": (-1, 6)}, {"dim": (2, 1, 0)}]
    for kw in cases:
        _compare(name, a, norm=norm, **kw)


@pytest.mark.parametrize("name", C_1D + R_1D + C_ND + R_ND)
def test_integer_and_bool_inputs_promote(name):
    for a in (np.arange(-3, 9).reshape(3, 4), np.arange(12).reshape(3, 4) % 3 == 0):
        _compare(name, a)


def test_integer_input_follows_default_dtype():
    a = np.arange(6).reshape(2, 3)
    prev = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for name in ("fft", "rfft", "irfft", "hfftn"):
            _compare(name, a)
    finally:
        ember.set_default_dtype(prev)
        torch.set_default_dtype(torch.float32)


def test_c2r_to_one_point_and_empty_transform_dims():
    _compare("irfft", _complex((3, 4)), n=1)
    _compare("irfftn", _complex((3, 4)), s=(2, 1))
    _compare("fftn", _real((3, 4)), dim=())
    _compare("fftn", _complex((3, 4)), s=())
    _compare("fftn", _real(()))
    _compare("fftn", _complex((3, 4)), dim=[])


def test_roundtrips_recover_the_signal():
    x = ember.tensor(_real((4, 7)))
    for norm in NORMS:
        assert_close(
            ember.fft.irfft(ember.fft.rfft(x, norm=norm), n=7, norm=norm),
            torch.tensor(x.numpy()),
            1e-12,
            1e-12,
        )
        assert_close(
            ember.fft.ifftn(ember.fft.fftn(x, norm=norm), norm=norm).real,
            torch.tensor(x.numpy()),
            1e-12,
            1e-12,
        )
        assert_close(
            ember.fft.hfft(ember.fft.ihfft(x, norm=norm), n=7, norm=norm),
            torch.tensor(x.numpy()),
            1e-12,
            1e-12,
        )


# -- gradients -----------------------------------------------------------------------------------
def _grads(fn, a, create_graph=False, seed=1):
    """Gradient of ``sum(w * fn(x))`` (``w`` on the real and imaginary parts) in both libraries."""
    out = []
    for m in (torch, ember):
        x = m.tensor(a.copy(), requires_grad=True)
        y = fn(m, x)
        w = np.random.default_rng(seed).standard_normal(tuple(y.shape) + (2,))
        w = m.tensor(w.astype(np.float64 if y.dtype in (m.float64, m.complex128) else np.float32))
        loss = (m.view_as_real(_resolved(y)) * w).sum() if y.is_complex() else (y * w[..., 0]).sum()
        if create_graph:
            (g,) = m.autograd.grad(loss, x, create_graph=True)
            (g.abs() ** 2).sum().backward()
        else:
            loss.backward()
        out.append(x.grad)
    return out


def _check_grads(fn, a, create_graph=False):
    t, e = _grads(fn, a, create_graph)
    rtol, atol = _tol(a.dtype.type)
    assert_close(e, _resolved(t), rtol, atol * 10, msg="gradient")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", C_1D + R_1D)
def test_1d_gradients_real_input(name, dtype):
    a = _real((3, 6), dtype)
    for norm in NORMS:
        for n, dim in ((None, -1), (4, -1), (9, 0), (7, 1)):
            _check_grads(
                lambda m, x, n=n, dim=dim, norm=norm: getattr(m.fft, name)(
                    x, n=n, dim=dim, norm=norm
                ),
                a,
            )


@pytest.mark.parametrize("name", C_1D)
def test_1d_gradients_complex_input(name):
    a = _complex((3, 6))
    for norm in NORMS:
        for n, dim in ((None, -1), (4, -1), (9, 0), (11, 1), (1, 0)):
            _check_grads(
                lambda m, x, n=n, dim=dim, norm=norm: getattr(m.fft, name)(
                    x, n=n, dim=dim, norm=norm
                ),
                a,
            )


@pytest.mark.parametrize("name", C_ND + R_ND)
def test_nd_gradients_real_input(name):
    a = _real((3, 4, 5))
    for norm in NORMS:
        for kw in ({}, {"s": (5, 2)}, {"s": (2, 6), "dim": (2, 0)}):
            _check_grads(lambda m, x, norm=norm, kw=kw: getattr(m.fft, name)(x, norm=norm, **kw), a)


@pytest.mark.parametrize("name", C_ND)
def test_nd_gradients_complex_input(name):
    a = _complex((3, 4, 5))
    for norm in NORMS:
        for kw in ({}, {"s": (5, 3)}, {"s": (2, 7), "dim": (2, 0)}):
            _check_grads(lambda m, x, norm=norm, kw=kw: getattr(m.fft, name)(x, norm=norm, **kw), a)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_of_real_losses(dtype):
    a = _real((2, 9), dtype)
    _check_grads(lambda m, x: m.fft.rfft(x).abs(), a)
    _check_grads(lambda m, x: m.fft.irfft(m.fft.rfft(x)), a)
    _check_grads(lambda m, x: m.fft.irfft(m.fft.rfft(x), n=9), a)
    _check_grads(lambda m, x: m.fft.ifft(m.fft.fft(x) * 3).real, a)
    _check_grads(lambda m, x: m.fft.fftshift(m.fft.fft2(x)).real, a)
    _check_grads(lambda m, x: m.fft.hfft(m.fft.ihfft(x), n=5, norm="ortho"), a)


def test_gradient_names():
    x = ember.ones(4, 6, requires_grad=True)
    z = ember.tensor(_complex((4, 6))).requires_grad_()
    assert ember.fft.rfft(x).grad_fn.name() == "FftR2CBackward0"
    assert ember.fft.fft(x).grad_fn.name() == "FftR2CBackward0"
    assert ember.fft.fft(z).grad_fn.name() == "FftC2CBackward0"
    assert ember.fft.ifftn(z).grad_fn.name() == "FftC2CBackward0"
    assert ember.fft.irfft(z).grad_fn.name() == "FftC2RBackward0"
    assert ember.fft.hfft2(z).grad_fn.name() == "FftC2RBackward0"


# Ember's engine casts a complex gradient reaching a real tensor's cast (ToCopyBackward0) to real
# with NumPy's warning; the real part is the right value, so only the warning is silenced here.
@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
def test_gradients_of_gradients():
    # each rule is made of the transforms themselves: create_graph works through them
    a, z = _real((3, 8)), _complex((3, 5))
    _check_grads(lambda m, x: m.fft.rfft(x, n=10).real ** 3, a, create_graph=True)
    _check_grads(lambda m, x: m.fft.irfft(m.fft.fft(x), n=6) ** 3, a, create_graph=True)
    _check_grads(lambda m, x: m.fft.fft(m.fft.ifft(x, n=7)).imag ** 3, a, create_graph=True)
    _check_grads(lambda m, x: m.fft.irfftn(x, s=(4, 6)) ** 3, z, create_graph=True)
    _check_grads(lambda m, x: m.fft.fft2(x, s=(2, 7)).real ** 3, z, create_graph=True)


# -- out= ----------------------------------------------------------------------------------------
def test_out():
    a = _real((3, 4), np.float32)
    for name, dt in (("fft", "complex64"), ("rfftn", "complex128"), ("irfft", "float64")):
        t_out = torch.empty(0, dtype=getattr(torch, dt))
        e_out = ember.empty(0, dtype=getattr(ember, dt))
        t = getattr(torch.fft, name)(torch.from_numpy(a), out=t_out)
        e = getattr(ember.fft, name)(ember.tensor(a), out=e_out)
        assert e is e_out and t is t_out
        assert_close(e, t, 1e-4, 1e-4)
    a = _real((3, 4), np.float64)  # double results into complex64 outs, as torch allows
    for name in ("ihfftn", "ifft2", "fft"):
        t_out = torch.empty(0, dtype=torch.complex64)
        e_out = ember.empty(0, dtype=ember.complex64)
        getattr(torch.fft, name)(torch.from_numpy(a), out=t_out)
        getattr(ember.fft, name)(ember.tensor(a), out=e_out)
        assert_close(e_out, _resolved(t_out), 1e-5, 1e-5)


def test_out_errors():
    x = _real((3, 4), np.float32)
    for name in C_1D + R_1D + C_ND + R_ND:
        # ifft and ihfft of a real signal want out's dtype exactly
        for dt in ("int64", "float32", "complex64", "float64", "complex128"):

            def f(m, name=name, dt=dt):
                return getattr(m.fft, name)(m.tensor(x), out=m.empty(0, dtype=getattr(m, dt)))

            try:
                _resolved(f(torch))
            except RuntimeError as t_exc:
                assert str(check_raises(f)) == str(t_exc)
            else:
                f(ember)
    exc = check_raises(
        lambda m: m.fft.fft(m.ones(3, requires_grad=True), out=m.empty(3, dtype=m.complex64))
    )
    assert "don't support automatic differentiation" in str(exc)


# -- frequencies and shifts ----------------------------------------------------------------------
def test_fftfreq_and_rfftfreq():
    for n in (-1, -3, 0, 1, 2, 5, 8, 11):
        for d in (1.0, 0.1, 3, 2.5, 0):
            for fn in ("fftfreq", "rfftfreq") if n >= 0 else ("rfftfreq",):
                assert_close(getattr(ember.fft, fn)(n, d), getattr(torch.fft, fn)(n, d))
                assert_close(
                    getattr(ember.fft, fn)(n, d=d, dtype=ember.float64),
                    getattr(torch.fft, fn)(n, d=d, dtype=torch.float64),
                )
    assert_close(
        ember.fft.fftfreq(4, d=ember.tensor(2.0)), torch.fft.fftfreq(4, d=torch.tensor(2.0))
    )
    e = ember.fft.rfftfreq(6, requires_grad=True)
    assert e.requires_grad and e.is_leaf
    e_out, t_out = ember.empty(2, dtype=ember.float64), torch.empty(2, dtype=torch.float64)
    with pytest.warns(UserWarning, match="was resized"):
        ember.fft.fftfreq(5, 0.3, out=e_out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.fft.fftfreq(5, 0.3, out=t_out)
    assert_close(e_out, t_out)


def test_fftfreq_errors():
    for fn in ("fftfreq", "rfftfreq"):
        exc = check_raises(lambda m, fn=fn: getattr(m.fft, fn)(5, dtype=m.int64))
        assert str(exc) == f"{fn} requires a floating point or complex dtype"
        check_raises(lambda m, fn=fn: getattr(m.fft, fn)(-1 if fn == "fftfreq" else -4))
        check_raises(lambda m, fn=fn: getattr(m.fft, fn)(3.0))
        check_raises(lambda m, fn=fn: getattr(m.fft, fn)(3, out=m.empty(3), dtype=m.float64))


def test_shifts():
    a = np.arange(30.0).reshape(5, 6)
    for fn in ("fftshift", "ifftshift"):
        for dim in (None, 0, 1, -1, (0,), (1, 0), [0, 1]):
            t = getattr(torch.fft, fn)(torch.from_numpy(a), dim=dim)
            assert_close(getattr(ember.fft, fn)(ember.tensor(a), dim=dim), t)
        exc = check_raises(lambda m, fn=fn: getattr(m.fft, fn)(m.tensor(1.0)))
        assert str(exc) == "`shifts` required"
        check_raises(lambda m, fn=fn: getattr(m.fft, fn)(m.ones(2, 3), dim=2))
    b = _real((4, 5))
    _check_grads(lambda m, x: m.fft.ifftshift(x, dim=1) ** 2, b)
    # the shifts undo each other on odd sizes too
    x = ember.tensor(b)
    assert_close(ember.fft.ifftshift(ember.fft.fftshift(x)), torch.from_numpy(b))


# -- errors --------------------------------------------------------------------------------------
ERRORS = [
    lambda m, x, z: m.fft.fft(x, n=0),
    lambda m, x, z: m.fft.rfft(x, n=-1),
    lambda m, x, z: m.fft.fft(x, dim=2),
    lambda m, x, z: m.fft.ifft(x, dim=-3),
    lambda m, x, z: m.fft.fft(x, norm="bad"),
    lambda m, x, z: m.fft.fft(x, norm="Ortho"),
    lambda m, x, z: m.fft.fft(m.tensor(1.0)),
    lambda m, x, z: m.fft.fft(x, dim=(0, 1)),
    lambda m, x, z: m.fft.fft(x, n=3.0),
    lambda m, x, z: m.fft.fft2(x, s=(3,)),
    lambda m, x, z: m.fft.fft2(x, dim=(0, 0)),
    lambda m, x, z: m.fft.irfftn(z, dim=(1, -1)),
    lambda m, x, z: m.fft.fftn(x, s=(3, 4, 5)),
    lambda m, x, z: m.fft.fftn(x, s=(3, 4), dim=(1,)),
    lambda m, x, z: m.fft.fftn(x, s=(0, 3)),
    lambda m, x, z: m.fft.fftn(x, s=(3, 3), dim=(0, 3)),
    lambda m, x, z: m.fft.fft2(m.ones(3)),
    lambda m, x, z: m.fft.irfft2(m.ones(3)),
    lambda m, x, z: m.fft.irfft(z, n=0),
    lambda m, x, z: m.fft.irfft(z[:, :1]),
    lambda m, x, z: m.fft.hfftn(z[:, :1]),
    lambda m, x, z: m.fft.irfftn(z, s=(3, 0)),
    lambda m, x, z: m.fft.rfft(z),
    lambda m, x, z: m.fft.ihfft(z),
    lambda m, x, z: m.fft.rfftn(z),
    lambda m, x, z: m.fft.rfft2(z),
    lambda m, x, z: m.fft.ihfftn(z),
    lambda m, x, z: m.fft.ihfft2(z),
    lambda m, x, z: m.fft.rfftn(m.tensor(2.0)),
    lambda m, x, z: m.fft.irfftn(z, dim=()),
    lambda m, x, z: m.fft.hfftn(z, dim=()),
    lambda m, x, z: m.fft.ihfftn(x, dim=()),
    lambda m, x, z: m.fft.fft(x.half()),
    lambda m, x, z: m.fft.irfft(x.half()),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors(case):
    x, z = _real((4, 5), np.float32), _complex((4, 5), np.complex64)
    fn = ERRORS[case]
    exc = check_raises(lambda m: fn(m, m.tensor(x), m.tensor(z)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(torch, torch.tensor(x), torch.tensor(z))
        except Exception as t_exc:  # noqa: BLE001
            assert str(exc) == str(t_exc)


# -- stft and istft ------------------------------------------------------------------------------
@pytest.fixture
def _no_window_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _check_spectral(fn, *arrays, seed=2):
    """``fn(m, *tensors)`` in both libraries: values, dtype, and the gradients of every float or
    complex input for a random real loss on the output."""
    ins = {
        m: [m.tensor(a.copy(), requires_grad=a.dtype.kind in "fc") for a in arrays]
        for m in (torch, ember)
    }
    outs = {m: fn(m, *ins[m]) for m in (torch, ember)}
    t_out, e_out = _resolved(outs[torch]), outs[ember]
    rtol, atol = _tol(t_out.dtype)
    assert_close(e_out, t_out, rtol, atol, msg="forward")
    w = np.random.default_rng(seed).standard_normal(tuple(t_out.shape) + (2,))
    for m, y in ((torch, t_out), (ember, e_out)):
        wm = m.tensor(w.astype(np.float64 if y.dtype in (m.float64, m.complex128) else np.float32))
        loss = (m.view_as_real(y) * wm).sum() if y.is_complex() else (y * wm[..., 0]).sum()
        loss.backward()
    for i, (t, e) in enumerate(zip(ins[torch], ins[ember])):
        if t.requires_grad:  # a float32 input's gradient is float32 whatever the output's dtype
            g = _resolved(t.grad)
            rtol, atol = _tol(g.dtype)
            assert_close(e.grad, g, rtol, atol * 10, msg=f"grad of input {i}")


@pytest.mark.usefixtures("_no_window_warnings")
def test_stft():
    x, xb = _real(40), _real((3, 40), np.float32)
    w8, w6 = np.hanning(8), np.hanning(6)
    z = _complex(40)
    _check_spectral(lambda m, x: m.stft(x, 8, return_complex=True), x)
    _check_spectral(lambda m, x, w: m.stft(x, 8, window=w, return_complex=True), x, w8)
    _check_spectral(lambda m, x: x.stft(8, hop_length=3, win_length=6, return_complex=True), x)
    _check_spectral(
        lambda m, x, w: m.stft(x, 8, hop_length=3, win_length=6, window=w, return_complex=True),
        x,
        w6,
    )
    _check_spectral(
        lambda m, x: m.stft(x, 16, hop_length=5, normalized=True, return_complex=True), xb
    )
    _check_spectral(lambda m, x, w: m.stft(x, 8, window=w, return_complex=True), xb, w8)
    _check_spectral(lambda m, x: m.stft(x, 8, onesided=False, return_complex=True), x)
    _check_spectral(lambda m, x: m.stft(x, 8, return_complex=False), x)
    _check_spectral(lambda m, x, w: m.stft(x, 8, window=w, center=False), x, _complex(8))
    _check_spectral(lambda m, x, w: m.stft(x, 8, 2, window=w, center=False), z, w8)
    _check_spectral(
        lambda m, x, w: m.stft(
            x, 8, 3, 6, w, center=False, align_to_window=True, return_complex=True
        ),
        x,
        w6,
    )
    for mode in ("constant", "replicate", "circular"):
        _check_spectral(lambda m, x, p=mode: m.stft(x, 8, pad_mode=p, return_complex=True), x)
    _check_spectral(lambda m, x, w: m.stft(x, 8, window=w), z, w8)
    _check_spectral(lambda m, x, w: m.stft(x, 8, window=w, return_complex=True), x, _complex(8))


@pytest.mark.usefixtures("_no_window_warnings")
def test_istft():
    w8, ones = np.hanning(8), np.ones(8)
    hann = torch.hann_window(8, dtype=torch.float64)
    spec = torch.stft(torch.from_numpy(_real(40)), 8, window=hann, return_complex=True).numpy()
    signals = torch.from_numpy(_real((3, 40), np.float32))
    batch = torch.stft(signals, 16, 4, window=torch.hann_window(16), return_complex=True).numpy()
    two_sided = _complex((8, 11))
    _check_spectral(lambda m, s, w: m.istft(s, 8, window=w), spec, w8)
    _check_spectral(lambda m, s, w: m.istft(s, 8, window=w, length=37), spec, w8)
    _check_spectral(lambda m, s, w: m.istft(s, 8, window=w, length=46), spec, ones)
    _check_spectral(lambda m, s: m.istft(s, 16, 4, window=m.hann_window(16)), batch)
    _check_spectral(lambda m, s, w: m.istft(s, 8, window=w, normalized=True), spec, w8)
    _check_spectral(lambda m, s, w: m.istft(s, 8, window=w), two_sided, w8)
    _check_spectral(
        lambda m, s, w: m.istft(s, 8, window=w, onesided=False, return_complex=True),
        two_sided,
        w8,
    )
    _check_spectral(lambda m, s, w: m.istft(s, 8, 2, 6, w), spec, np.hanning(6))
    _check_spectral(lambda m, s: s.istft(8), spec)
    _check_spectral(lambda m, s, w: m.istft(s, 8, 4, center=False, window=w), spec, ones)
    # the inverse recovers the signal
    x = ember.tensor(_real(40))
    w = ember.hann_window(8, dtype=ember.float64)
    back = ember.istft(ember.stft(x, 8, window=w, return_complex=True), 8, window=w, length=40)
    assert_close(back, torch.from_numpy(x.numpy()), 1e-12, 1e-12)


def test_stft_warnings():
    # torch warns these once per process (an earlier test may have used that up): Ember only
    x = _real(20)
    for m in (ember,):
        with pytest.warns(UserWarning, match="A window was not provided"):
            m.stft(m.tensor(x), 8, window=None, return_complex=True)
        with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
            m.stft(m.tensor(x), 8, window=m.ones(8, dtype=m.float64), return_complex=False)
        s = m.stft(m.tensor(x), 8, window=m.ones(8, dtype=m.float64), return_complex=True)
        with pytest.warns(UserWarning, match="Please provide the same window used by stft"):
            m.istft(s, 8)
        with pytest.warns(UserWarning, match="Result is being padded with zeros in the tail"):
            m.istft(s, 8, window=m.ones(8, dtype=m.float64), length=30)


STFT_ERRORS = [
    lambda m, x, s: m.stft(x, 8),
    lambda m, x, s: m.stft(x, 40, return_complex=True),
    lambda m, x, s: m.stft(x, 32, center=False, return_complex=True),
    lambda m, x, s: m.stft(x, 0, return_complex=True),
    lambda m, x, s: m.stft(x, 8, hop_length=0, return_complex=True),
    lambda m, x, s: m.stft(x, 8, win_length=9, return_complex=True),
    lambda m, x, s: m.stft(x, 8, window=m.ones(7), return_complex=True),
    lambda m, x, s: m.stft(x.reshape(1, 2, 10), 8, return_complex=True),
    lambda m, x, s: m.stft(x.long(), 8, return_complex=True),
    lambda m, x, s: m.stft(s[:, 0], 8, onesided=True, return_complex=True),
    lambda m, x, s: m.stft(x, 8, pad_mode="bad", return_complex=True),
    lambda m, x, s: m.stft(x, 8, align_to_window=True, return_complex=True),
    lambda m, x, s: m.istft(s, 8, win_length=9),
    lambda m, x, s: m.istft(s, 8, win_length=0),
    lambda m, x, s: m.istft(s, 8, hop_length=9),
    lambda m, x, s: m.istft(s, 8, window=m.ones(7)),
    lambda m, x, s: m.istft(s[None, None], 8),
    lambda m, x, s: m.istft(s[0], 8),
    lambda m, x, s: m.istft(s[:, :0], 8),
    lambda m, x, s: m.istft(s, 10),
    lambda m, x, s: m.istft(s, 8, onesided=False),
    lambda m, x, s: m.istft(s.real, 8),
    lambda m, x, s: m.istft(m.view_as_real(s), 8),
    lambda m, x, s: m.istft(s, 8, return_complex=True),
    lambda m, x, s: m.istft(s, 8, window=m.ones(8, dtype=m.complex64)),
    lambda m, x, s: m.istft(s, 8, window=m.hann_window(8), center=False),
]


@pytest.mark.usefixtures("_no_window_warnings")
@pytest.mark.parametrize("case", range(len(STFT_ERRORS)))
def test_stft_errors(case):
    x, s = _real(20, np.float32), _complex((5, 11), np.complex64)
    fn = STFT_ERRORS[case]
    exc = check_raises(lambda m: fn(m, m.tensor(x), m.tensor(s)))
    try:
        fn(torch, torch.tensor(x), torch.tensor(s))
    except Exception as t_exc:  # noqa: BLE001
        # torch names the input by its C++ type (torch.FloatTensor, CPUComplexFloatType), Ember by
        # its own: the messages agree from the shape on
        expected = str(t_exc).replace("torch.", "ember.").split("[", 1)[-1]
        assert str(exc).split("[", 1)[-1] == expected
