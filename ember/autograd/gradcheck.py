"""Numerical gradient checks: analytic gradients against float64 central differences."""

from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _numerical_jacobian(fn, inputs, i, eps):
    x = inputs[i]
    if not x._data.flags.c_contiguous:
        x._data = np.ascontiguousarray(x._data)
    flat = x._data.reshape(-1)  # a view: writing it perturbs the input
    cols = []
    for k in range(flat.size):
        orig = flat[k]
        flat[k] = orig + eps
        plus = [o._data.astype(np.float64).reshape(-1).copy() for o in _as_tuple(fn(*inputs))]
        flat[k] = orig - eps
        minus = [o._data.astype(np.float64).reshape(-1).copy() for o in _as_tuple(fn(*inputs))]
        flat[k] = orig
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]))
    return np.stack(cols, axis=0) if cols else np.zeros((0, 0))


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    fast_mode=False,
    masked=None,
) -> bool:
    """Compare ``func``'s analytic Jacobian with central differences (torch's signature).

    Inputs that require grad should be float64; a mismatch raises ``GradcheckError`` naming the
    output, input and the two Jacobians, or returns False with ``raise_exception=False``.
    """
    from .. import _tensor
    from . import grad as autograd_grad

    # No no_grad() around the evaluations: ``func`` may itself differentiate (gradgradcheck).
    inputs = _as_tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, _tensor.Tensor) and x._rg]
    outputs = _as_tuple(func(*inputs))
    sizes = [o._data.size for o in outputs]
    for i in diff:
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytical = np.zeros((inputs[i]._data.size, sum(sizes)))
        col = 0
        for oi, n in enumerate(sizes):
            for k in range(n):
                outs = _as_tuple(func(*inputs))
                if not outs[oi]._rg:
                    col += 1
                    continue
                g = np.zeros(outs[oi]._data.size, dtype=outs[oi]._data.dtype)
                g[k] = 1
                (gi,) = autograd_grad(
                    outs[oi],
                    inputs[i],
                    _tensor._make(g.reshape(outs[oi]._data.shape)),
                    allow_unused=True,
                )
                if gi is not None:
                    analytical[:, col] = gi._data.reshape(-1)
                col += 1
        if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
            msg = (
                f"Jacobian mismatch for output 0 with respect to input {i},\n"
                f"numerical:{numerical}\nanalytical:{analytical}\n"
            )
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    gen_non_contig_grad_outputs=False,
    raise_exception=True,
    **kw,
) -> bool:
    """Check second derivatives: gradcheck of the (create_graph) gradient function."""
    from .. import _tensor
    from . import grad as autograd_grad

    inputs = _as_tuple(inputs)
    outputs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _tensor._make(rng.standard_normal(o._data.shape)).requires_grad_() for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)

    def first(*args):
        ins, gos = args[: len(inputs)], args[len(inputs) :]
        outs = _as_tuple(func(*ins))
        dx = [x for x in ins if isinstance(x, _tensor.Tensor) and x._rg]
        gs = autograd_grad(outs, dx, gos, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else x.new_zeros(x.shape) for g, x in zip(gs, dx))

    return gradcheck(
        first, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )
