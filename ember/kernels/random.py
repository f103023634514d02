"""PyTorch-compatible CPU random streams on NumPy.

torch's CPU generator is a 32-bit Mersenne Twister (mt19937).  Every sampler below draws from it in
exactly the order and width torch's CPU kernels do, so a program seeded with ``manual_seed(s)``
gets bit-identical numbers in Ember and in torch.  Each sampler's docstring names the draws it
consumes; the shared building blocks are:

* ``_words(n)``: the next ``n`` tempered 32-bit outputs (torch's ``random()``), run by NumPy's
  C ``MT19937`` bit generator from Ember's state (the same recurrence; only seeding differs);
* ``_words64(n)``: ``n`` 64-bit draws, each two 32-bit outputs, the first one the high half
  (torch's ``random64()``);
* ``_unit(n, dtype)``: uniform floats in [0, 1) with ``digits`` random bits of mantissa: float32
  and float16 take the low 24 / 11 bits of a 32-bit draw, float64 the low 53 bits of a 64-bit one.

Two pieces of torch arithmetic have to be imitated, not just its formulas:

* torch's kernels are compiled with floating-point contraction, so ``a * b + c`` is one fused
  multiply-add with a single rounding.  NumPy has no FMA, so ``_fma32``/``_fma64`` emulate it
  exactly with error-free transformations and round-to-odd.
* ``randn`` for float32 with 16 or more elements runs a vectorised Box-Muller that uses cephes
  polynomial approximations of log, sin and cos (torch's ``avx_mathfun``), not libm; ``_log_ps``
  and ``_sincos_ps`` replay those polynomials step by step in float32.  This is the path of
  every x86 CPU with AVX2 (torch's ``ATEN_CPU_CAPABILITY=default`` build uses libm instead).

Where a kernel calls libm in double precision, Ember calls the same libm through ``math``: NumPy's
``log`` and ``log1p`` are not glibc's (on the development machine they differ in the last bit for
about 0.35% and 7% of uniform inputs), so no NumPy path replaces them; NumPy's float64
``sin``/``cos`` match libm and are used directly.

Not reproduced bit for bit: float16 ``normal`` with 16 or more elements (torch computes it in
Half arithmetic; Ember rounds a double result), torch's non-AVX2 float32 ``randn`` path, and
randperm's 64-bit algorithm for n >= 2**32 / 20 (implemented, too large to test).  poisson's
rejection test calls CPython's ``math.lgamma``, which is not glibc's: a draw whose test lands
within a rounding error of the bound could in principle go the other way (none seen in 200,000).
"""

from __future__ import annotations

import math
import os

import numpy as np

__all__ = ["Generator", "default_generator"]

# torch.initial_seed() of a fresh process: torch seeds its default generator non-deterministically
# at start-up.  67280421310721 is the value torch's Generator() objects start from.
_DEFAULT_SEED = 67280421310721

# ------------------------------------------------------------------------------------------------
# mt19937
# ------------------------------------------------------------------------------------------------
_N, _M = 624, 397
_U32 = 0xFFFFFFFF

# Layout of torch's get_state() bytes (its legacy THGeneratorState struct plus the float-normal
# cache): initial seed u64 @0, left i32 @8, seeded i32 @12, next u64 @16, state u64[624] @24,
# normal_x/normal_y/normal_rho f64 @5016/5024/5032, normal_is_valid i32 @5040,
# next_float_normal_sample f32 @5048, its validity flag u8 @5052; 5056 bytes with padding.
_STATE_SIZE = 5056
_LEGACY_STATE_SIZE = 5048


def _seed_block(seed: int) -> np.ndarray:
    """mt19937's initialisation from a 32-bit seed (a scalar recurrence: it runs once per seed)."""
    mt = np.empty(_N, np.uint32)
    x = seed & _U32
    for i in range(_N):
        mt[i] = x
        x = (1812433253 * (x ^ (x >> 30)) + i + 1) & _U32
    return mt


def _mt19937(mt: np.ndarray, pos: int) -> np.random.MT19937:
    """NumPy's ``MT19937`` bit generator holding block ``mt``, read up to ``pos`` (624: twist
    first).

    It runs mt19937's very recurrence (twist and tempering) in C; only its seeding differs, and
    Ember sets its state directly, so torch's stream comes out of it.
    """
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": {"key": mt, "pos": pos}}
    return bits


# ------------------------------------------------------------------------------------------------
# Exact fused multiply-add on NumPy arrays
# ------------------------------------------------------------------------------------------------
def _two_sum(a, b):
    """s + e == a + b exactly, s = fl(a + b) (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a, b):
    """p + e == a * b exactly, p = fl(a * b) (Dekker, with Veltkamp splitting)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _split(a):
    c = a * 134217729.0  # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


def _round_to_odd(s, e):
    """The double nearest s + e, rounded to odd: s, or its neighbour towards e when s is even.

    Rounding a result to odd in double and then to nearest in float32 equals rounding it once,
    which is what makes the emulated FMAs below exact.
    """
    even = (s.view(np.int64) & 1) == 0
    towards = np.nextafter(s, np.where(e > 0, np.inf, -np.inf))
    return np.where((e != 0) & even, towards, s)


def _fma32(a, b, c) -> np.ndarray:
    """float32 a * b + c with a single rounding.

    The product is exact in double (24 + 24 bits < 53), so only the double sum rounds before the
    final rounding to float32.  That double rounding can go wrong only where the double sum lands
    exactly halfway between two floats (or among float32 subnormals): those few elements are
    recomputed with the sum rounded to odd, which makes the two roundings equal to one.
    """
    a, b, c = (np.asarray(v, np.float32).astype(np.float64) for v in (a, b, c))  # scalars stay
    product = a * b
    total = np.asarray(product + c)
    bits = total.view(np.int64)
    risky = ((bits & 0x1FFFFFFF) == 0x10000000) | ((bits & 0x7FF0000000000000) < 0x3810000000000000)
    risky &= total != 0
    out = total.astype(np.float32)
    if risky.any():
        p, addend = (np.broadcast_to(v, total.shape)[risky] for v in (product, c))
        out[risky] = _round_to_odd(*_two_sum(p, addend)).astype(np.float32)
    return out


def _fma32n(a, b64, c) -> np.ndarray:
    """``_fma32`` for the polynomial steps below, whose results are never float32 subnormals:
    ``b64`` is b already in double (a Horner loop converts its x once), and only the halfway
    check remains (about half the passes over memory of ``_fma32``)."""
    product = np.multiply(a, b64, dtype=np.float64)
    total = product + c
    risky = (total.view(np.int64) & 0x1FFFFFFF) == 0x10000000
    out = total.astype(np.float32)
    if risky.any():
        p, addend = (np.broadcast_to(v, total.shape)[risky] for v in (product, c))
        out[risky] = _round_to_odd(*_two_sum(p, np.float64(addend))).astype(np.float32)
    return out


def _fma64(a, b, c) -> np.ndarray:
    """float64 a * b + c with a single rounding (Boldo and Melquiond's emulation)."""
    a, b, c = np.broadcast_arrays(np.float64(a), np.float64(b), np.float64(c))
    ph, pl = _two_prod(a, b)
    sh, sl = _two_sum(c, ph)
    return sh + _round_to_odd(*_two_sum(sl, pl))


# ------------------------------------------------------------------------------------------------
# torch's avx_mathfun (cephes) log / sincos in float32, with its fused multiply-adds
# ------------------------------------------------------------------------------------------------
_F = np.float32
_LOG_POLY = [_F(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                             -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                             2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]  # fmt: skip
_LOG_Q1, _LOG_Q2 = _F(-2.12194440e-4), _F(0.693359375)  # log(2) = q2 - q1, q2 exact in 9 bits
_SQRT_HALF = _F(0.707106781186547524)
_FOUR_OVER_PI = _F(1.27323954473516)
_PI_OVER_4_PARTS = [_F(-0.78515625), _F(-2.4187564849853515625e-4), _F(-3.77489497744594108e-8)]
_COS_POLY = [_F(c) for c in (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)]
_SIN_POLY = [_F(c) for c in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]


_BM_BLOCK = 4096  # Box-Muller groups of 16 per block: 65536 values


def _log_ps(x: np.ndarray) -> np.ndarray:
    """cephes logf for x in (0, 1]: x = m * 2**e with m in [sqrt(1/2), sqrt(2)), then a degree-9
    polynomial in m - 1, and e * log(2) added in two parts for precision."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_F) + _F(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F)  # mantissa scaled into [0.5, 1)
    small = m < _SQRT_HALF  # then use 2m in [sqrt(1/2), 1) and e - 1
    x = (m - _F(1)) + np.where(small, m, _F(0))
    e = e - np.where(small, _F(1), _F(0))
    z = x * x
    x64, z64 = x.astype(np.float64), z.astype(np.float64)
    y = np.full_like(x, _LOG_POLY[0])
    for c in _LOG_POLY[1:]:
        y = _fma32n(y, x64, c)
    y = y * x
    y = _fma32n(y, z64, e * _LOG_Q1)
    y = _fma32n(-z, 0.5, y)
    return _fma32n(e, float(_LOG_Q2), x + y)


def _sincos_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cephes sinf/cosf together: reduce |x| by j * pi/4 (j the even octant count, pi/4 in three
    parts so the reduction stays exact), evaluate the sine and cosine polynomials of the reduced
    argument, and pick and sign them by the octant."""
    sin_negative = np.signbit(x)
    x = np.abs(x)
    j = (x * _FOUR_OVER_PI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F)
    sin_negative = sin_negative ^ ((j & 4) != 0)
    cos_negative = (~(j - 2) & 4) != 0
    use_sin_poly = (j & 2) == 0  # octants where sin comes from the sine polynomial
    y64 = y.astype(np.float64)
    for part in _PI_OVER_4_PARTS:
        x = _fma32n(part, y64, x)
    z = x * x
    z64 = z.astype(np.float64)
    c = np.full_like(x, _COS_POLY[0])
    for coef in _COS_POLY[1:]:
        c = _fma32n(c, z64, coef)
    c = _fma32n(c * z, z64, -(z * _F(0.5))) + _F(1)  # 1 - z/2 + z**2 * poly(z)
    s = np.full_like(x, _SIN_POLY[0])
    for coef in _SIN_POLY[1:]:
        s = _fma32n(s, z64, coef)
    s = _fma32n(s * z, x.astype(np.float64), x)  # x + x**3 * poly(z)
    sin = np.where(use_sin_poly, s, c)
    cos = np.where(use_sin_poly, c, s)
    return np.where(sin_negative, -sin, sin), np.where(cos_negative, -cos, cos)


def _from_double(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Round doubles to dt as torch's casts do: to Half by way of float, two roundings."""
    return (x.astype(np.float32) if dt == np.float16 else x).astype(dt)


def _libm(fn, x: np.ndarray) -> np.ndarray:
    """Apply a libm function elementwise through ``math``: the very C library torch calls."""
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


# ------------------------------------------------------------------------------------------------
# Generator
# ------------------------------------------------------------------------------------------------
_FLOAT_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}
_TWO_PI = 2.0 * math.pi


def _float_dtype(dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in _FLOAT_DIGITS:
        raise TypeError(f"expected a floating point dtype, got {dt}")
    return dt


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


class Generator:
    """A torch-compatible CPU random generator: mt19937 plus torch's cached Box-Muller normal."""

    def __init__(self, seed: int = _DEFAULT_SEED) -> None:
        self.manual_seed(seed)

    # -- state ------------------------------------------------------------------------------------
    def manual_seed(self, seed: int) -> Generator:
        """Seed like torch: any int, taken modulo 2**64; mt19937 itself uses the low 32 bits."""
        seed = int(seed) & 0xFFFFFFFFFFFFFFFF
        self._initial_seed = seed
        self._load(_seed_block(seed), 1, 0)  # torch's counters: twist when --left reaches 0
        self._normal_double: float | None = None  # the second Box-Muller value, kept for later
        self._normal_float: float | None = None
        return self

    def seed(self) -> int:
        """Re-seed from a non-deterministic source and return the seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self) -> np.ndarray:
        """The generator state as torch's 5056 ``get_state()`` bytes."""
        buf = np.zeros(_STATE_SIZE, np.uint8)
        buf[0:8].view(np.uint64)[0] = self._initial_seed
        mt, left, nxt = self._block()
        buf[8:12].view(np.int32)[0] = left
        buf[12:16].view(np.int32)[0] = 1  # seeded
        buf[16:24].view(np.uint64)[0] = nxt
        buf[24:5016].view(np.uint64)[:] = mt
        if self._normal_double is not None:
            buf[5024:5032].view(np.float64)[0] = self._normal_double
            buf[5040:5044].view(np.int32)[0] = 1
        if self._normal_float is not None:
            buf[5048:5052].view(np.float32)[0] = self._normal_float
            buf[5052] = 1
        return buf

    def set_state(self, state: np.ndarray) -> Generator:
        """Restore a state from ``get_state()`` (Ember's or torch's bytes)."""
        buf = np.ascontiguousarray(state)
        if buf.dtype != np.uint8:
            raise TypeError(f"expected a uint8 state array, got {buf.dtype}")
        buf = buf.ravel()
        if buf.size not in (_STATE_SIZE, _LEGACY_STATE_SIZE):
            raise RuntimeError(
                f"Expected either a THGeneratorState of size {_LEGACY_STATE_SIZE} or a "
                f"THGeneratorStateNew of size {_STATE_SIZE} but found the input RNG state size "
                f"to be {buf.size}"
            )
        left = int(buf[8:12].view(np.int32)[0])
        nxt = int(buf[16:24].view(np.uint64)[0])
        if not (1 <= left <= _N and 0 <= nxt <= _N and (left + nxt == _N + 1 or nxt == 0)):
            raise RuntimeError("Invalid mt19937 state")
        self._initial_seed = int(buf[0:8].view(np.uint64)[0])
        self._load(buf[24:5016].view(np.uint64).astype(np.uint32), left, nxt)
        valid = buf[5040:5044].view(np.int32)[0] != 0
        self._normal_double = float(buf[5024:5032].view(np.float64)[0]) if valid else None
        fvalid = buf.size == _STATE_SIZE and buf[5052] != 0
        self._normal_float = float(buf[5048:5052].view(np.float32)[0]) if fvalid else None
        return self

    # -- raw draws --------------------------------------------------------------------------------
    def _load(self, mt: np.ndarray, left: int, nxt: int) -> None:
        """Make block ``mt`` with torch's counters ``left``/``next`` the live state.

        The state lives in one NumPy bit generator between draws (rebuilding one per draw cost a
        third of a millisecond, more than a small transform's whole work). torch reads word
        ``next`` of the block and twists first when ``--left`` hits 0, so left + next == 625
        once the first block exists; the counters as loaded are kept until the next draw, so
        that a fresh generator's state reads back as torch's (next 0, not 624). The bit
        generator itself is made at the first draw (``numpy.random`` is a slow import).
        """
        self._bits = None
        self._loaded = (mt, left, nxt)
        self._counters: tuple[int, int] | None = (left, nxt)

    def _block(self) -> tuple[np.ndarray, int, int]:
        """The live state as torch holds it: (block, left, next)."""
        if self._bits is None:
            mt, left, nxt = self._loaded
            return mt.copy(), left, nxt
        st = self._bits.state["state"]
        if self._counters is not None:
            left, nxt = self._counters
        else:
            nxt = int(st["pos"])
            left = _N + 1 - nxt
        return st["key"].astype(np.uint32), left, nxt

    def _words(self, n: int) -> np.ndarray:
        """The next n 32-bit outputs (torch's ``random()``)."""
        if n <= 0:
            return np.empty(0, np.uint32)
        if self._bits is None:
            mt, left, nxt = self._loaded
            self._bits = _mt19937(mt, _N if left == 1 else nxt)
        self._counters = None
        return self._bits.random_raw(n).astype(np.uint32)

    def _words64(self, n: int) -> np.ndarray:
        w = self._words(2 * n).astype(np.uint64)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def _unit(self, n: int, dtype) -> np.ndarray:
        """n uniforms in [0, 1) as torch's uniform_real_distribution<dtype>(0, 1) makes them."""
        dt = np.dtype(dtype)
        digits = _FLOAT_DIGITS[dt]
        raw = self._words64(n) if digits > 32 else self._words(n)
        mantissa = raw & raw.dtype.type((1 << digits) - 1)
        return (mantissa * 2.0**-digits).astype(dt if dt != np.float16 else np.float32)

    # -- uniform ----------------------------------------------------------------------------------
    def uniform(self, shape, dtype=np.float32, low: float = 0.0, high: float = 1.0) -> np.ndarray:
        """torch.rand / Tensor.uniform_: one draw per element (64-bit for float64, else 32-bit),
        x in [0, 1) scaled as fma(x, high - low, low) with low and high cast to dtype first.
        float16 draws a float32 uniform, scales it in float32 and rounds at the end.  A value that
        rounds up to ``high`` becomes ``low``, as in torch, keeping the result in [low, high)."""
        shape = _shape(shape)
        dt = _float_dtype(dtype)
        n = math.prod(shape)
        x = self._unit(n, np.float32 if dt == np.float16 else dt)
        if dt == np.float64:
            lo, hi = np.float64(low), np.float64(high)
            out = x if (lo, hi) == (0.0, 1.0) else _fma64(x, hi - lo, lo)
        else:
            lo, hi = (np.float32(np.float16(v)) if dt == np.float16 else np.float32(v)
                      for v in (low, high))  # fmt: skip
            out = x if (lo, hi) == (0.0, 1.0) else _fma32(x, hi - lo, lo)
            out = out.astype(dt, copy=False)
        out[out == dt.type(hi)] = dt.type(lo)
        return out.reshape(shape)

    # -- normal -----------------------------------------------------------------------------------
    def normal(self, shape, dtype=np.float32, mean=0.0, std=1.0, vector: bool = True):
        """torch.randn / Tensor.normal_ / torch.normal.

        Scalar mean and std follow ``normal_(mean, std)``.  Array mean or std (broadcast to shape)
        follow ``torch.normal(mean, std)``: a standard normal draw, then ``* std + mean`` in dtype.
        ``vector=False`` takes torch's element-by-element path at every size, as torch does for a
        non-contiguous tensor.
        """
        shape = _shape(shape)
        dt = _float_dtype(dtype)
        if np.ndim(mean) or np.ndim(std):
            z = self._normal(math.prod(shape), dt, 0.0, 1.0, vector).reshape(shape)
            return (z * np.asarray(std, dt) + np.asarray(mean, dt)).astype(dt, copy=False)
        return self._normal(math.prod(shape), dt, float(mean), float(std), vector).reshape(shape)

    def _normal(self, n: int, dt: np.dtype, mean: float, std: float, vector: bool = True):
        """Box-Muller, in one of torch's two layouts.

        n >= 16 (``normal_fill``): n uniforms fill the output; each group of 16, [u_0..u_15],
        becomes radius_j = sqrt(-2 log(1 - u_j)), theta_j = 2 pi u_{j+8}, out_j = radius_j
        cos(theta_j), out_{j+8} = radius_j sin(theta_j) for j < 8.  When 16 does not divide n, 16
        fresh uniforms replace the last 16 (partly overwriting the last full group).  float32
        uses the cephes polynomials in float32, float64 libm in double.

        n < 16 (``normal_distribution<double>``): pairs of double uniforms (u1, u2) give
        r = sqrt(-2 log1p(-u2)), r cos(2 pi u1) now and r sin(2 pi u1) cached in the generator
        for the next scalar normal; results are rounded to dtype at the end.
        """
        if n >= 16 and vector:
            u = self._unit(n, dt)
            if n % 16:
                u = np.concatenate([u[: n - n % 16], self._unit(16, dt)])
            out = self._box_muller_16(u, dt, mean, std)
            if n % 16:  # the last group, computed on the fresh uniforms, overlaps the tail
                out = np.concatenate([out[: n - 16], out[-16:]])
            return out.astype(dt, copy=False)
        return _from_double(self._normal_scalar(n, mean, std), dt)

    @staticmethod
    def _box_muller_16(u: np.ndarray, dt: np.dtype, mean: float, std: float) -> np.ndarray:
        groups = u.reshape(-1, 2, 8)  # per group: [u_0..u_7] for the radius, [u_8..u_15] angle
        if dt == np.float32:
            # In blocks that stay in cache: the emulated log/sincos make dozens of temporaries
            # each, which for a large tensor are fresh pages every time (elementwise: same bits).
            out = np.empty((len(groups), 2, 8), np.float32)
            for i in range(0, len(groups), _BM_BLOCK):
                g = groups[i : i + _BM_BLOCK]
                radius = np.sqrt(_F(-2) * _log_ps(_F(1) - g[:, 0]))
                sin, cos = _sincos_ps(_F(_TWO_PI) * g[:, 1])
                block = np.stack([radius * cos, radius * sin], axis=1)
                if (mean, std) != (0.0, 1.0):
                    block = _fma32(block, _F(std), _F(mean))
                out[i : i + _BM_BLOCK] = block
        else:  # float64; float16 (computed in Half by torch) is approximated here in double
            groups = groups.astype(np.float64, copy=False)
            radius = np.sqrt(-2.0 * _libm(math.log, 1.0 - groups[:, 0]))
            theta = _TWO_PI * groups[:, 1]
            out = np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1)
            if (mean, std) != (0.0, 1.0):
                out = _fma64(out, std, mean)
        return out.reshape(-1)

    def _normal_scalar(self, n: int, mean: float, std: float) -> np.ndarray:
        z = np.empty(n, np.float64)
        start = 0
        if n and self._normal_double is not None:
            z[0], self._normal_double, start = self._normal_double, None, 1
        pairs = (n - start + 1) // 2
        if pairs:
            u = self._unit(2 * pairs, np.float64)
            r = np.sqrt(-2.0 * _libm(math.log1p, -u[1::2]))
            theta = _TWO_PI * u[0::2]
            both = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).reshape(-1)
            z[start:] = both[: n - start]
            if (n - start) % 2:
                self._normal_double = float(both[-1])
        return z if (mean, std) == (0.0, 1.0) else _fma64(z, std, mean)

    # -- integers ---------------------------------------------------------------------------------
    def randint(self, low: int, high: int, shape, dtype=np.int64) -> np.ndarray:
        """torch.randint(low, high, shape): uniform integers in [low, high)."""
        return self.random_(shape, dtype, low, high)

    def random_(self, shape, dtype=np.int64, low: int | None = None, high: int | None = None):
        """Tensor.random_(): ``random_()``, ``random_(to)`` (pass it as ``low``, as torch does) and
        ``random_(from, to)``; torch's ``random_(from, None)`` is ``high = dtype max + 1``.

        With a range, each element is ``draw % (high - low) + low``: a 64-bit draw when the range
        is 2**28 or more (float32 always takes a 32-bit one), else a 32-bit draw.  Without a
        range, int64 and float64 take a 64-bit draw, other dtypes a 32-bit one, reduced modulo
        (max + 1) of the dtype; for floats "max" is 2**digits, the largest integer below which
        every integer is exactly representable.
        """
        shape = _shape(shape)
        dt = np.dtype(dtype)
        n = math.prod(shape)
        if low is not None and high is None:  # a lone bound is `to`, as in torch's random_(to)
            low, high = 0, low
        if low is None:  # the dtype's whole range [0, max]
            if dt.kind == "b":
                return (self._words(n) & np.uint32(1)).astype(dt).reshape(shape)
            wide = dt.itemsize == 8
            raw = self._words64(n) if wide else self._words(n).astype(np.uint64)
            values = raw % np.uint64(_dtype_max(dt) + 1)
            return values.astype(dt).reshape(shape)
        _check_bounds(dt, int(low), int(high))
        span = int(high) - int(low)
        if span <= 0:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        if span >= 2**64:  # the full int64 range: the 64-bit draw itself, reinterpreted
            return self._words64(n).view(np.int64).astype(dt).reshape(shape)
        wide = span >= 2**28 and dt not in (np.float32, np.float16)
        raw = self._words64(n) if wide else self._words(n).astype(np.uint64)
        offsets = raw % np.uint64(span)
        # low + offset in 64-bit two's complement, as torch adds them in int64
        values = (offsets + np.uint64(int(low) & 0xFFFFFFFFFFFFFFFF)).view(np.int64)
        return values.astype(dt).reshape(shape)

    def randperm(self, n: int, dtype=np.int64) -> np.ndarray:
        """torch.randperm(n).

        For n < 2**32 / 20 (every size that fits in memory): start from 0..n-1 and for i in
        0..n-2 swap element i with element i + random() % (n - i), one 32-bit draw per step.
        Above that, where 32-bit draws would skew the modulo, torch runs the "inside-out"
        Fisher-Yates with 64-bit draws: for i in 0..n-1, z = random64() % (i + 1), r[i] = r[z],
        r[z] = i.  The draws come in one batch; the swaps are inherently sequential.
        """
        n = int(n)
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
        if n < _U32 // 20:
            picks = self._words(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint64)
            targets = np.arange(n, dtype=np.int64)
            targets[: n - 1] += picks.astype(np.int64)
            return _swept(targets).astype(dtype)
        picks = (self._words64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
        items = list(range(n))
        for i, z in enumerate(picks):
            items[i] = items[z]
            items[z] = i
        return np.array(items, dtype=np.int64).astype(dtype)

    # -- bernoulli, exponential, multinomial ------------------------------------------------------
    def bernoulli(self, p, shape=None, dtype=None) -> np.ndarray:
        """torch.bernoulli(p) for an array p, Tensor.bernoulli_(p) for a float p: 1 where a uniform
        draw is below p.  A float p, or a float64 array, takes a double uniform (64-bit draw) per
        element, a float32 array a float uniform (32-bit draw).  dtype defaults to p's dtype (or
        float32 for a float p); shape defaults to p's shape."""
        if np.ndim(p) == 0 and not isinstance(p, np.ndarray):
            shape = _shape(() if shape is None else shape)
            u = self._unit(math.prod(shape), np.float64)
            return (u < float(p)).astype(dtype or np.float32).reshape(shape)
        p = np.asarray(p)
        if p.dtype.kind != "f":
            raise TypeError(f"bernoulli expects a floating point probability array, got {p.dtype}")
        shape = p.shape if shape is None else _shape(shape)
        p = np.broadcast_to(p, shape)
        unit = np.float64 if p.dtype == np.float64 else np.float32
        u = self._unit(p.size, unit)
        return (u < p.astype(unit).ravel()).astype(dtype or p.dtype).reshape(shape)

    def exponential(self, shape, dtype=np.float32, lambd: float = 1.0) -> np.ndarray:
        """Tensor.exponential_(lambd): -1 / lambd * log1p(-u) per element, u a double uniform."""
        shape = _shape(shape)
        dt = _float_dtype(dtype)
        u = self._unit(math.prod(shape), np.float64)
        return _from_double(-1.0 / lambd * _libm(math.log1p, -u), dt).reshape(shape)

    def cauchy(self, shape, dtype=np.float32, median: float = 0.0, sigma: float = 1.0):
        """Tensor.cauchy_: fma(tan(pi (u - 1/2)), sigma, median) from a double uniform u per
        element, whatever the dtype, rounded to it at the end."""
        shape = _shape(shape)
        u = self._unit(math.prod(shape), np.float64)
        x = _fma64(_libm(math.tan, math.pi * (u - 0.5)), float(sigma), float(median))
        return _from_double(x, _float_dtype(dtype)).reshape(shape)

    def log_normal(self, shape, dtype=np.float32, mean: float = 1.0, std: float = 2.0):
        """Tensor.log_normal_: exp of torch's scalar double normal (never the 16-wide path)."""
        shape = _shape(shape)
        z = self._normal_scalar(math.prod(shape), float(mean), float(std))
        return _from_double(_libm(math.exp, z), _float_dtype(dtype)).reshape(shape)

    def geometric(self, shape, dtype=np.float32, p: float = 0.5) -> np.ndarray:
        """Tensor.geometric_: ceil(log(u) / log1p(-p)) from a double uniform u per element."""
        shape = _shape(shape)
        u = self._unit(math.prod(shape), np.float64)
        x = np.ceil(_libm(math.log, u) / math.log1p(-float(p)))
        return _from_double(x, np.dtype(dtype)).reshape(shape)

    def poisson(self, rates: np.ndarray) -> np.ndarray:
        """torch.poisson: one count per rate, element by element in order, as int64.

        Rates below 10 multiply double uniforms until the product drops to exp(-rate) or below;
        the count is the number of factors before that.  Rates of 10 or more use Hoermann's
        transformed rejection (PTRS, 1993), two double uniforms per attempt.  The number of draws
        varies, so uniforms are drawn ahead in batches and the stream is then re-advanced by
        exactly the number used.
        """
        lam = np.asarray(rates, np.float64).ravel().tolist()
        mark = self._block()
        used = 0
        batch: list[float] = []

        def uniform() -> float:
            nonlocal used, batch
            if used == len(batch):
                batch += self._unit(256, np.float64).tolist()
            used += 1
            return batch[used - 1]

        out = np.empty(len(lam), np.int64)
        for i, rate in enumerate(lam):
            out[i] = _poisson_one(rate, uniform)
        self._load(*mark)
        self._words(2 * used)
        return out.reshape(np.shape(rates))

    def multinomial(self, probs: np.ndarray, num_samples: int, replacement: bool = False):
        """torch.multinomial on a 1-D or 2-D array of (unnormalised) weights, rows in order.

        Without replacement, or for a single sample (Gumbel top-k trick): q = exponential draws
        shaped like probs, then the indices of the num_samples largest probs / q per row.
        With replacement: per row, the running sum of the weights in their dtype divided by the
        total, then per sample a double uniform u and the first index whose cumulative weight is
        not below u (a binary search).
        """
        probs = np.asarray(probs)
        if probs.ndim not in (1, 2):
            raise RuntimeError("prob_dist must be 1 or 2 dim")
        k = int(num_samples)
        if k <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        if not replacement and k > probs.shape[-1]:
            raise RuntimeError(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
            )
        rows = probs.reshape(int(np.prod(probs.shape[:-1])), probs.shape[-1])
        if not len(rows):
            return np.empty(probs.shape[:-1] + (k,), np.int64)
        _check_weights(rows, sequential=replacement and k > 1)
        if not replacement or k == 1:
            q = rows / self.exponential(rows.shape, rows.dtype)
            # stable descending sort: the largest first, ties to the lower index
            out = np.argsort(-q, axis=1, kind="stable")[:, :k]
        else:
            out = np.empty((rows.shape[0], k), np.int64)
            for i, row in enumerate(rows):
                cum = np.cumsum(row)  # sequential, in the weights' dtype, like torch
                cum = cum / cum[-1]
                u = self._unit(k, np.float64)
                out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
        return out.astype(np.int64).reshape(probs.shape[:-1] + (k,))


_INT64_MIN = -(2**63)


def _check_weights(rows: np.ndarray, sequential: bool) -> None:
    """multinomial's checks of its weights, in torch's words: one check of the whole array for
    a draw without replacement (or of one sample), else row by row, element by element."""
    sums = rows.sum(axis=1)
    if not sequential:
        if not rows.size:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                "no identity."
            )
        if not np.all(np.isfinite(rows) & (rows >= 0)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if np.any(sums <= 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        return
    bad = ~(rows >= 0) | ~np.isfinite(rows)  # NaN fails the first test, as in torch
    failing = bad.any(axis=1) | ~(sums > 0)
    if not failing.any():
        return
    row = int(np.argmax(failing))
    if bad[row].any():
        first = rows[row, int(np.argmax(bad[row]))]
        what = "< 0" if not first >= 0 else "= infinity or NaN"
        raise RuntimeError(
            f"invalid multinomial distribution (encountering probability entry {what})"
        )
    raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


def _poisson_one(rate: float, uniform) -> int:
    """One Poisson count for ``rate`` from the double uniforms ``uniform()`` returns."""
    if rate >= 10:  # PTRS: a transformed rejection with a squeeze
        root, log_rate = math.sqrt(rate), math.log(rate)
        b = 0.931 + 2.53 * root
        a = -0.059 + 0.02483 * b
        inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
        v_r = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            x = (2 * a / us + b) * u + rate + 0.43
            # C's double -> int64 conversion: out-of-range values (inf, nan) become INT64_MIN
            k = math.floor(x) if math.isfinite(x) and -(2**63) <= x < 2**63 else _INT64_MIN
            if us >= 0.07 and v <= v_r:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            accept = (
                (math.log(v) if v > 0 else -math.inf)
                + math.log(inv_alpha)
                - math.log(a / (us * us) + b)
            )
            if accept <= -rate + k * log_rate - math.lgamma(k + 1.0):
                return k
    if rate == 0:
        return 0
    threshold, product, count = math.exp(-rate), 1.0, 0
    while True:
        product *= uniform()
        if product <= threshold:
            return count
        count += 1


def _swept(targets: np.ndarray) -> np.ndarray:
    """``r = 0..n-1; for i in range(n): r[i], r[t] = r[t], r[i]`` with t = targets[i] >= i,
    computed without the sequential loop.

    Step i fixes position i for good: it takes what position t held just before step i.  That
    is t itself if no earlier step targeted t, else what the last such step q moved there:
    ``v(q)``, the value position q held just before step q.  ``v`` follows the same rule one step
    back (v(k) comes from the last step before k that targeted k, else it is k), so it is the
    root of a forest of "came from" links, found by pointer jumping in O(log n) gathers.
    """
    n = targets.size
    if n == 0:
        return targets
    steps = np.arange(n, dtype=np.int64)
    order = np.argsort(targets * n + steps)  # grouped by target, steps ascending (keys unique)
    grouped = targets[order]
    same = grouped[1:] == grouped[:-1]
    prev = np.full(n, -1, np.int64)  # the previous step with the same target
    prev[order[1:][same]] = order[:-1][same]
    last = np.full(n, -1, np.int64)  # the last step targeting each position
    group_end = np.append(~same, True)
    last[grouped[group_end]] = order[group_end]
    # the step that last wrote position k before step k (a step targets only k or later)
    came_from = np.where(targets == steps, prev, last)
    root = np.where(came_from >= 0, came_from, steps)
    while True:
        up = root[root]
        if np.array_equal(up, root):
            break
        root = up
    return np.where(prev >= 0, root[np.maximum(prev, 0)], targets)


_C_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
            "int64": "long int", "bool": "bool"}  # fmt: skip


def _check_bounds(dt: np.dtype, low: int, high: int) -> None:
    """torch's range checks for random_(from, to) on integer dtypes (floats only warn there)."""
    if dt.kind not in "biu" or high <= low:
        return
    lo, hi = (0, 1) if dt.kind == "b" else (int(np.iinfo(dt).min), int(np.iinfo(dt).max))
    if not lo <= low <= hi:
        raise RuntimeError(f"from is out of bounds for {_C_NAMES[dt.name]}")
    if not lo <= high - 1 <= hi:
        raise RuntimeError(f"to - 1 is out of bounds for {_C_NAMES[dt.name]}")


def _dtype_max(dt: np.dtype) -> int:
    """The largest value random_() may produce for dtype."""
    if dt.kind == "f":
        return 2 ** _FLOAT_DIGITS[dt]
    if dt.kind == "b":
        return 1
    return int(np.iinfo(dt).max)


default_generator = Generator()
default_generator.seed()  # like torch, the global generator starts from a non-deterministic seed
