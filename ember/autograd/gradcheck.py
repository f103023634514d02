"""Numerical gradient checks: analytic Jacobians (from backward, or forward AD) against central
differences, with torch's options, its order of checks and its messages.

A Jacobian block for output ``o`` and input ``x`` has one row per element of ``x`` and one column
per element of ``o``. For a complex input an entry is ``d o/d re(x) + 1j * d o/d im(x)``; a
complex output is checked as its imaginary part, then its real part (backward from ``1j`` and
``1``), as torch does. Inputs and outputs are numbered among those that take part: the inputs
that require grad and the outputs that require grad.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """A gradient check failed."""


_FAST_NOTE = (
    "\nThe above quantities relating the numerical and analytical jacobians are computed \n"
    "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
    "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
    "Numerical:\n {n}\nAnalytical:\n{a}\n\n"
    "The max per-element difference (slow mode) is: {d}.\n"
)
_NONDET = (
    "Backward is not reentrant, i.e., running backward with same input and grad_output multiple "
    "times gives different values, although analytical gradient matches numerical gradient.The "
    "tolerance for nondeterminism was {tol}.\n\n"
    "NOTE: If your op relies on non-deterministic operations i.e., it is listed here:\n"
    "https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html\n"
    "this failure might be expected.\n\n"
    "If you are adding a new operator, please file an issue and then use one of the\n"
    "workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.\n"
    "If the test\n"
    "- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck\n"
    "  with `nondet_tol=<tol>` as a keyword argument.\n"
    "- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test\n"
    "  to have `gradcheck_nondet_tol=<tol>`.\n"
    "- is a Module test (e.g., in common_nn.py), then modify the corresponding\n"
    "  module_test entry to have `gradcheck_nondet_tol=<tol>`\n"
)
_UNDEFINED_WARNING = (
    "Backwards compatibility: New undefined gradient support checking feature is enabled by "
    "default, but it may break existing callers of this function. If this is true for you, you "
    'can call this function with "check_undefined_grad=False" to disable the feature'
)
_UNDEFINED = (
    "Expected all input grads to be undefined or zero when all output grads are undefined or "
    'zero. Please look at "Notes about undefined output gradients" in '
    '"tools/autograd/derivatives.yaml"'
)


def _tensor_cls():
    from .._tensor import Tensor

    return Tensor


def _wrap(array: np.ndarray):
    from .._tensor import _make

    return _make(array if array.flags.c_contiguous else array.copy())


def _as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _fail(message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(message)
    return False


class _Checker:
    """One gradcheck: the function, its inputs, and the inputs/outputs that take part."""

    def __init__(self, func, inputs: tuple, eps: float) -> None:
        tensor = _tensor_cls()
        self.func, self.inputs, self.eps = func, inputs, eps
        self.diff = [x for x in inputs if isinstance(x, tensor) and x.requires_grad]
        outs = _as_tuple(func(*inputs))
        # torch's "differentiable outputs": a non-tensor output fails here as it does in torch
        self.positions = [k for k, o in enumerate(outs) if o.requires_grad]
        self.outputs = [outs[k] for k in self.positions]

    def _evaluate(self, positions) -> list:
        outs = _as_tuple(self.func(*self.inputs))
        return [outs[k]._data.copy() for k in positions]

    def numerical(self, x, positions, parts) -> list:
        """Per output, the central-difference Jacobian block of ``x`` (``parts``: each output's
        ``np.real``/``np.imag`` picker)."""
        d = x._data
        cols: list = [[] for _ in positions]
        steps = (1, 1j) if d.dtype.kind == "c" else (1,)
        for idx in np.ndindex(d.shape):
            orig = d[idx]
            diffs = []
            for step in steps:
                d[idx] = orig + step * self.eps
                plus = self._evaluate(positions)
                d[idx] = orig - step * self.eps
                minus = self._evaluate(positions)
                d[idx] = orig
                diffs.append([(p - m) / (2 * self.eps) for p, m in zip(plus, minus)])
            for i, pick in enumerate(parts):
                col = pick(diffs[0][i]).reshape(-1)
                if len(steps) == 2:
                    col = col + 1j * pick(diffs[1][i]).reshape(-1)
                cols[i].append(col)
        return [
            np.stack(c) if c else np.zeros((0, self.outputs[i].numel())) for i, c in enumerate(cols)
        ]

    def vjp(self, out, go: np.ndarray) -> list:
        """The gradients of every differentiable input for the cotangent ``go`` of ``out``."""
        from . import grad

        gs = grad(out, self.diff, _wrap(go), retain_graph=True, allow_unused=True)
        return [
            np.zeros(x._data.shape, x._data.dtype) if g is None else g._data
            for g, x in zip(gs, self.diff)
        ]

    def analytical(self, out, scale) -> list:
        """Per differentiable input, the Jacobian block of ``out`` from backward with cotangents
        ``scale * e_k``."""
        rows: list = [[] for _ in self.diff]
        flat_dtype = out._data.dtype
        for k in range(out.numel()):
            go = np.zeros(out.numel(), flat_dtype)
            go[k] = scale
            for j, g in enumerate(self.vjp(out, go.reshape(out._data.shape))):
                x = self.diff[j]
                rows[j].append(g.reshape(-1) if x._data.dtype.kind == "c" else np.real(g).ravel())
        return [
            np.stack(r, axis=1).astype(x._data.dtype)
            if r
            else np.zeros((x.numel(), 0), x._data.dtype)
            for r, x in zip(rows, self.diff)
        ]


def _parts(out):
    """``(prefix, picker, backward scale)`` for each part of ``out`` that torch checks."""
    if out._data.dtype.kind != "c":
        return [("", np.real, 1)]
    return [
        ("While considering the imaginary part of complex outputs only, ", np.imag, 1j),
        ("While considering the real part of complex outputs only, ", np.real, 1),
    ]


def _numerical_dtype(out, x):
    real = np.real(np.zeros(0, out._data.dtype)).dtype
    return np.result_type(real, np.complex64) if x._data.dtype.kind == "c" else real


def _mismatch(prefix: str, what: str, i: int, j: int, n: str, a: str) -> str:
    return (
        f"{prefix}Jacobian {what}mismatch for output {i} with respect to input {j},\n"
        f"numerical:{n}\nanalytical:{a}\n"
    )


def _compare(c: _Checker, i: int, j: int, pick, jac, prefix: str, what: str, rtol, atol):
    """None when the block agrees with central differences, else torch's message."""
    out, x = c.outputs[i], c.diff[j]
    num = c.numerical(x, [c.positions[i]], [pick])[0].astype(_numerical_dtype(out, x))
    if np.allclose(jac, num, rtol=rtol, atol=atol):
        return None
    return _mismatch(prefix, what, i, j, repr(_wrap(num)), repr(_wrap(jac)))


def _slow_backward(c: _Checker, rtol, atol, nondet_tol, check_grad_dtypes) -> str | None:
    for i, out in enumerate(c.outputs):
        for prefix, pick, scale in _parts(out):
            jac = c.analytical(out, scale)
            again = c.analytical(out, scale)
            for j, x in enumerate(c.diff):
                if check_grad_dtypes and jac[j].dtype != x._data.dtype:
                    return "Gradient has dtype mismatch"
                if jac[j].size and np.abs(jac[j] - again[j]).max() > nondet_tol:
                    return _NONDET.format(tol=nondet_tol)
            for j in range(len(c.diff)):
                msg = _compare(c, i, j, pick, jac[j], prefix, "", rtol, atol)
                if msg:
                    return msg
    return None


def _fast_backward(c: _Checker, rtol, atol) -> str | None:
    """torch's fast mode: ``v^T J u`` for random ``u`` and ``v``, by central differences along
    ``u`` and by one backward from ``v``; a mismatch is shown again in slow mode."""
    rng = np.random.default_rng(0)
    for i, out in enumerate(c.outputs):
        v = rng.standard_normal(out._data.shape).astype(out._data.dtype)
        grads = c.vjp(out, v)
        for j, x in enumerate(c.diff):
            u = rng.standard_normal(x._data.shape)
            u = (u / max(float(np.linalg.norm(u)), 1e-12)).astype(x._data.dtype)
            analytical = float(np.sum(grads[j] * u))
            d = x._data
            orig = d.copy()
            d += c.eps * u
            plus = c._evaluate([c.positions[i]])[0]
            d[...] = orig - c.eps * u
            minus = c._evaluate([c.positions[i]])[0]
            d[...] = orig
            numerical = float(np.sum(v * (plus - minus) / (2 * c.eps)))
            if np.isclose(analytical, numerical, rtol=rtol, atol=atol):
                continue
            num = c.numerical(x, [c.positions[i]], [np.real])[0].astype(_numerical_dtype(out, x))
            jac = c.analytical(out, 1)[j]
            gap = float(np.abs(num - jac).max()) if num.size else 0.0
            note = _FAST_NOTE.format(n=repr(_wrap(num)), a=repr(_wrap(jac)), d=gap)
            return _mismatch("", "", i, j, repr(numerical), repr(analytical)) + note
    return None


def _forward_jacobian(c: _Checker, i: int, j: int, pick) -> np.ndarray:
    """The Jacobian block from forward AD: one tangent per element (two for a complex one)."""
    from . import forward_ad as fw

    x = c.diff[j]
    d = x._data
    steps = (1, 1j) if d.dtype.kind == "c" else (1,)
    rows = []
    for idx in np.ndindex(d.shape):
        entry = 0
        for step in steps:
            t = np.zeros(d.shape, d.dtype)
            t[idx] = step
            with fw.dual_level():
                args = [fw.make_dual(a, _wrap(t)) if a is x else a for a in c.inputs]
                outs = _as_tuple(c.func(*args))
                tangent = fw.unpack_dual(outs[c.positions[i]]).tangent
            col = np.zeros(c.outputs[i]._data.shape) if tangent is None else tangent._data
            entry = entry + (1 if step == 1 else 1j) * pick(col).reshape(-1)
        rows.append(entry)
    out = c.outputs[i]
    dtype = _numerical_dtype(out, x)
    return np.stack(rows).astype(dtype) if rows else np.zeros((0, out.numel()), dtype)


def _forward_check(c: _Checker, rtol, atol) -> str | None:
    for i, out in enumerate(c.outputs):
        for prefix, pick, _ in _parts(out):
            for j in range(len(c.diff)):
                jac = _forward_jacobian(c, i, j, pick)
                msg = _compare(
                    c, i, j, pick, jac, prefix, "computed with forward mode ", rtol, atol
                )
                if msg:
                    return msg
    return None


def _no_differentiable_outputs(c: _Checker) -> str | None:
    """Without outputs that require grad, every numerical derivative must be zero."""
    tensor = _tensor_cls()
    outs = _as_tuple(c.func(*c.inputs))
    positions = [k for k, o in enumerate(outs) if isinstance(o, tensor) and o.is_floating_point()]
    for x in c.diff:
        for block in c.numerical(x, positions, [np.real] * len(positions)):
            if np.any(block != 0):
                return "Numerical gradient for function expected to be zero"
    return None


def _backward_scaled_by_grad_output(c: _Checker) -> str | None:
    """Zero cotangents must give zero gradients."""
    from . import grad

    outs = [o for o in c.outputs]
    zeros = [o.new_zeros(o.shape) for o in outs]
    gs = grad(outs, c.diff, zeros, retain_graph=True, allow_unused=True)
    if any(g is not None and np.any(g._data != 0) for g in gs):
        return "backward not multiplied by grad_output"
    return None


def _undefined_grads(c: _Checker) -> str | None:
    """torch feeds undefined gradients through the graph, where built-in operations pass them on
    as undefined: only a custom Function's backward can turn them into values, so each one
    reached from the outputs is called with None (zeros where it materializes them)."""
    from .function import BackwardCFunction, _backward_of

    tensor = _tensor_cls()
    seen, stack = set(), [o.grad_fn for o in c.outputs if o.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(edge[0] for edge in node.next_functions)
        if not isinstance(node, BackwardCFunction):
            continue
        grads = [
            None if m is None or not node.materialize_grads else _wrap(np.zeros(*m))
            for m in node._out_meta
        ]
        res = _backward_of(node._fn)(node, *grads)
        for g in res if isinstance(res, tuple) else (res,):
            if isinstance(g, tensor) and np.any(g._data != 0):
                warnings.warn(_UNDEFINED_WARNING, stacklevel=4)
                return _UNDEFINED
    return None


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check ``func``'s gradients against central differences (torch's signature and checks).

    Inputs that require grad should be float64 or complex128. A failure raises
    ``GradcheckError`` with torch's message, or returns False with ``raise_exception=False``.
    ``check_batched_grad``/``check_batched_forward_grad`` pass: Ember's batching (``vmap``)
    runs the function per sample, which is what the unbatched check already covers.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    tensor = _tensor_cls()
    inputs = _as_tuple(inputs)
    any_diff = False
    for idx, x in enumerate(inputs):
        if isinstance(x, tensor) and x.requires_grad:
            any_diff = True
            if x.dtype.itemsize < 8 or not (x.is_floating_point() or x.is_complex()):
                warnings.warn(
                    f"Input #{idx} requires gradient and is not a double precision floating point "
                    "or complex. This check will likely fail if all the inputs are not of double "
                    "precision floating point or complex. ",
                    stacklevel=2,
                )
    if not any_diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )
    c = _Checker(func, inputs, eps)
    if not c.outputs:
        msg = _no_differentiable_outputs(c)
        return _fail(msg, raise_exception) if msg else True
    complex_io = any(t._data.dtype.kind == "c" for t in c.outputs + c.diff)
    if check_backward_ad:
        if fast_mode and not complex_io:
            msg = _fast_backward(c, rtol, atol)
        else:
            msg = _slow_backward(c, rtol, atol, nondet_tol, check_grad_dtypes)
        if msg:
            return _fail(msg, raise_exception)
    if check_forward_ad:
        msg = _forward_check(c, rtol, atol)
        if msg:
            return _fail(msg, raise_exception)
    if not check_backward_ad:
        return True
    msg = _backward_scaled_by_grad_output(c)
    if msg is None and check_undefined_grad:
        msg = _undefined_grads(c)
    return _fail(msg, raise_exception) if msg else True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the function that maps the inputs and the
    cotangents to the (``create_graph``) gradients. Missing ``grad_outputs`` are drawn uniformly
    from [-1, 1) with the global generator, and require grad."""
    from ..functions.random import rand  # the Tensor layer, imported on use
    from . import grad

    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    tensor = _tensor_cls()
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outs = [o for o in _as_tuple(func(*inputs)) if o.requires_grad]
        grad_outputs = tuple((rand(o.shape, dtype=o.dtype) * 2 - 1).requires_grad_() for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first(*args):
        ins, gos = args[:n], args[n:]
        outs = [o for o in _as_tuple(func(*ins)) if o.requires_grad]
        dx = [x for x in ins if isinstance(x, tensor) and x.requires_grad]
        gs = grad(outs, dx, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        first,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad,
        check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev,
        fast_mode=fast_mode,
        masked=masked,
    )
