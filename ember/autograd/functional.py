"""``ember.autograd.functional``: Jacobian-vector products, Jacobians and Hessians of functions.

Everything here is built on reverse mode (``autograd.grad``). Forward-mode products (``jvp``,
``hvp``) use the double-backward trick: the gradient of a vector-Jacobian product ``u^T J`` with
respect to the dummy cotangent ``u`` is ``J v``, so a second backward through the first one's
graph (``create_graph=True``) gives the forward product.

Inputs and outputs are a Tensor or a tuple of Tensors; results mirror them as torch's do (a
tuple exactly where the corresponding argument was a tuple).
"""

from __future__ import annotations

from collections.abc import Callable

from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

_STRICT_NO_GRAD = (
    "Output {i} of the user-provided function does not require gradients. The outputs must be "
    "computed in a differentiable manner from the input when running in strict mode."
)
_STRICT_JACOBIAN_CONST = (
    "While computing the hessian, found that the jacobian of the user-provided function with "
    "respect to input {i} is independent of the input. This is not allowed in strict mode. You "
    "should ensure that your function is twice differentiable and that the jacobian depends on "
    "the inputs (this would be violated by a linear function for example)."
)
_STRICT_HESSIAN_CONST = (
    "The hessian of the user-provided function with respect to input {i} is independent of the "
    "input. This is not allowed in strict mode. You should ensure that your function is thrice "
    "differentiable and that the hessian depends on the inputs."
)
_STRICT_GRAD_INPUT_CONST = (
    "The gradient with respect to input {i} is independent of the inputs of the user-provided "
    "function. This is not allowed in strict mode."
)
# What a missing (None) gradient means at each stage, in strict mode.
_STRICT_UNUSED = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
    "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. This "
    "is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
    "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
    "in the grad_jacobian. This is not allowed in strict mode as it prevents from using the "
    "double backward trick to replace forward mode AD.",
}
_INPUT_IS = "the input to the user-provided function is"
_STRICT_CONSTANT = (
    "The {what} of the user-provided function is independent of input {i}. This is not allowed "
    "in strict mode when create_graph=True."
)


def _tensor_type():
    from .._tensor import Tensor

    return Tensor


def _as_tuple(value, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was_tuple, value as a tuple)``; anything but Tensors raises torch's TypeError."""
    tensor = _tensor_type()
    was_tuple = isinstance(value, tuple)
    items = value if was_tuple else (value,)
    for i, el in enumerate(items):
        if not isinstance(el, tensor):
            where = f"the value at index {i}" if was_tuple else f"the given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but {where} has type {type(el)}."
            )
    return was_tuple, items


def _fresh(tensors: tuple, create_graph: bool, requires_grad: bool) -> tuple:
    """Inputs for the user function: aliases of the caller's tensors (keeping their graph) when
    ``create_graph`` asks for derivatives of the result, else detached copies of the data."""
    keep = create_graph
    if requires_grad and any(not (t.is_floating_point() or t.is_complex()) for t in tensors):
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    return tuple(
        t.view_as(t) if keep and t.requires_grad else t.detach().requires_grad_(requires_grad)
        for t in tensors
    )


def _check_v(v: tuple, ref: tuple, ref_is_tuple: bool) -> None:
    if len(v) != len(ref):
        if ref_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(ref)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, ref)):
        if a.shape != b.shape:
            entry = f"Entry {i} in " if ref_is_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {b.shape} but got {a.shape}.")


def _strict_requires_grad(tensors: tuple, message: str, strict: bool) -> None:
    """In strict mode every tensor must be present and differentiable."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(_STRICT_UNUSED["back"].format(i=i))
        if not t.requires_grad:
            raise RuntimeError(message.format(i=i))


def _grad(outputs: tuple, inputs: tuple, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad; None for every unreached input."""
    from . import grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gos = zip(*pairs)
    return grad(
        outs,
        inputs,
        gos,
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _zeros_for_unused(grads, refs, strict: bool, create_graph: bool, stage: str) -> tuple:
    """Replace missing gradients by zeros shaped like ``refs`` (an error in strict mode)."""
    res = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_UNUSED[stage].format(i=i))
            g = ref.new_zeros(ref.shape)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(_STRICT_CONSTANT.format(what=what, i=i))
        res.append(g)
    return tuple(res)


def _finish(value, create_graph: bool):
    """Detach results (recursively through tuples) unless the caller wants their graph."""
    if create_graph:
        return value
    if isinstance(value, tuple):
        return tuple(_finish(v, False) for v in value)
    return value.detach()


def _unpack(res: tuple, was_tuple: bool):
    return res if was_tuple else res[0]


def _default_v(v, ref: tuple, ref_is_tuple: bool, create_graph: bool, fn_name: str, who: str):
    """Validate the user's ``v`` against ``ref`` (or allow None for a single-element ``ref``)."""
    if v is None:
        if len(ref) != 1 or ref[0].numel() != 1:
            raise RuntimeError(
                f"The vector v can only be None if {who} a single Tensor with a single element."
            )
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _fresh(v, create_graph, requires_grad=False)
    _check_v(v, ref, ref_is_tuple)
    return v


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product of ``func`` at ``inputs``."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, requires_grad=True)
        outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "vjp"
        )
        _strict_requires_grad(outputs, _STRICT_NO_GRAD, strict)
        v = _default_v(
            v, outputs, outputs_tuple, create_graph, "vjp", "the user-provided function returns"
        )
        grads = _grad(outputs, inputs, v, create_graph=create_graph)
        res = _zeros_for_unused(grads, inputs, strict, create_graph, "back")
    return (
        _unpack(_finish(outputs, create_graph), outputs_tuple),
        _unpack(_finish(res, create_graph), inputs_tuple),
    )


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, requires_grad=True)
        v = _default_v(v, inputs, inputs_tuple, create_graph, "jvp", _INPUT_IS)
        outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "jvp"
        )
        _strict_requires_grad(outputs, _STRICT_NO_GRAD, strict)
        # u^T J is linear in u, so u's value never matters: zeros keep inf/nan out.
        dummy = tuple(o.new_zeros(o.shape).requires_grad_(True) for o in outputs)
        u_jac = _grad(outputs, inputs, dummy, create_graph=True)
        _strict_requires_grad(u_jac, _STRICT_GRAD_INPUT_CONST, strict)
        grads = _grad(u_jac, dummy, v, create_graph=create_graph)
        res = _zeros_for_unused(grads, outputs, strict, create_graph, "back_trick")
    return (
        _unpack(_finish(outputs, create_graph), outputs_tuple),
        _unpack(_finish(res, create_graph), outputs_tuple),
    )


def jacobian_rows(out, inputs: tuple, create_graph: bool, strict: bool = False, i: int = 0):
    """Per input, the Jacobian of ``out`` (shape ``out.shape + input.shape``): one backward per
    element of ``out``. ``i`` numbers ``out`` in strict mode's messages."""
    from ..functions.shape import stack  # the Tensor layer, imported on use as gradcheck does

    rows = [[] for _ in inputs]
    flat = out.reshape(-1)
    for k in range(out.numel()):
        grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (g, inp) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of "
                        f"input {j}. This is not allowed in strict mode."
                    )
                g = inp.new_zeros(inp.shape)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(_STRICT_CONSTANT.format(what="jacobian", i=j))
            rows[j].append(g)
    return tuple(
        stack(r, 0).view(tuple(out.shape) + tuple(inp.shape)) for r, inp in zip(rows, inputs)
    )


def _check_strategy(strategy: str, create_graph: bool, strict: bool, vectorize: bool) -> None:
    """torch's checks on ``jacobian``'s options, in its order."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`."
            )
    if vectorize and strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
            "supported together. Please either set `strict=False` or `vectorize=False`."
        )


def _lists(tree):
    """Tuples made lists, as torch's forward-mode results over tuple inputs are."""
    return [_lists(x) for x in tree] if isinstance(tree, tuple) else tree


def jacobian(
    func: Callable,
    inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
):
    """The Jacobian of ``func`` at ``inputs``, one backward per output element.

    Shape: ``output.shape + input.shape`` per (output, input) pair, nested as
    ``jac[i][j]`` where ``func`` returns a tuple (``i``) and ``inputs`` is a tuple (``j``).
    ``vectorize=True`` is accepted and computed by the same loop.
    """
    _check_strategy(strategy, create_graph, strict, vectorize)
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, requires_grad=True)
        outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "jacobian"
        )
        _strict_requires_grad(outputs, _STRICT_NO_GRAD, strict)
        jac = tuple(
            jacobian_rows(out, inputs, create_graph, strict, i) for i, out in enumerate(outputs)
        )
        jac = _finish(jac, create_graph)
    jac = _unpack(tuple(_unpack(row, inputs_tuple) for row in jac), outputs_tuple)
    # Ember has no forward-mode AD: the reverse-mode loop gives the same Jacobian.
    return _lists(jac) if strategy == "forward-mode" and inputs_tuple else jac


def hessian(
    func: Callable,
    inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
):
    """The Hessian of the scalar function ``func``: the Jacobian of its gradient.

    Shape: ``inputs[i].shape + inputs[j].shape`` for ``hess[i][j]`` when ``inputs`` is a tuple.
    """
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar(*args):
        out = func(*args)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _strict_requires_grad(outs, _STRICT_NO_GRAD, strict)
        if out_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return out.squeeze()

    def gradient(*args):
        jac = jacobian(scalar, args, create_graph=True)
        _strict_requires_grad(jac, _STRICT_JACOBIAN_CONST, strict)
        return jac

    if outer_jacobian_strategy == "forward-mode":
        # torch's forward-over-reverse result keeps its graph (it requires grad) and comes in
        # lists: the reverse-mode loop with create_graph gives the same.
        _check_strategy(outer_jacobian_strategy, create_graph, strict, vectorize)
        res = _lists(jacobian(gradient, inputs, create_graph=True, vectorize=vectorize))
    else:
        res = jacobian(
            gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize
        )
    return res if inputs_tuple else res[0][0]


def _scalar_and_gradient(func, inputs, v, create_graph, strict, fn_name):
    """The shared first half of ``vhp``/``hvp``: inputs, ``v``, the output and its gradient."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _fresh(inputs, create_graph, requires_grad=True)
    v = _default_v(v, inputs, inputs_tuple, create_graph, fn_name, _INPUT_IS)
    out = func(*inputs)
    outputs_tuple, outputs = _as_tuple(out, "outputs of the user-provided function", fn_name)
    _strict_requires_grad(outputs, _STRICT_NO_GRAD, strict)
    if outputs_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if out.numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a single "
            "element"
        )
    jac = _grad(outputs, inputs, create_graph=True)
    _strict_requires_grad(jac, _STRICT_JACOBIAN_CONST, strict)
    return inputs_tuple, inputs, v, out, jac


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)``: the vector-Hessian product of the scalar function ``func``."""
    with enable_grad():
        inputs_tuple, inputs, v, out, jac = _scalar_and_gradient(
            func, inputs, v, create_graph, strict, "vhp"
        )
        grads = _grad(jac, inputs, v, create_graph=create_graph)
        res = _zeros_for_unused(grads, inputs, strict, create_graph, "double_back")
    return _finish(out, create_graph), _unpack(_finish(res, create_graph), inputs_tuple)


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)``: the Hessian-vector product, by the double-backward trick."""
    with enable_grad():
        inputs_tuple, inputs, v, out, jac = _scalar_and_gradient(
            func, inputs, v, create_graph, strict, "hvp"
        )
        dummy = tuple(x.new_zeros(x.shape).requires_grad_(True) for x in inputs)
        u_hess = _grad(jac, inputs, dummy, create_graph=True)
        _strict_requires_grad(jac, _STRICT_HESSIAN_CONST, strict)
        grads = _grad(u_hess, dummy, v, create_graph=create_graph)
        res = _zeros_for_unused(grads, inputs, strict, create_graph, "double_back_trick")
    return _finish(out, create_graph), _unpack(_finish(res, create_graph), inputs_tuple)
