"""``Tensor``: an n-dimensional array with a place in the autograd graph.

A tensor holds its values in a NumPy array (``_data``). When it requires grad and was made by an
operation, ``grad_fn`` is the node that operation left in the graph; ``backward()`` hands the graph
to the engine (``autograd/engine.py``). The operations themselves live in ``ember/functions/`` and
are bound as methods at the end of this file.
"""

from __future__ import annotations

import warnings
import weakref

import numpy as np

from . import _dtype as D
from ._device import CPU, check_device
from .autograd import backward as _backward
from .autograd import engine
from .autograd.engine import next_seq as _next_seq
from .autograd.grad_mode import _state
from .autograd.primitives import ALL, NO_CTX, OUT
from .autograd.primitives import shape as _shape_prims

_new = object.__new__
_anomaly = engine.anomaly


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``ember.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{D.NAMESPACE}.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    __slots__ = ("_data", "_rg", "grad_fn", "_output_nr", "_vc", "_grad", "__weakref__", "__dict__")
    # Rarely set per tensor: class-level defaults keep tensor creation cheap.
    _base = None
    _hooks = None
    _post_hooks = None
    _accum = None
    _retains_grad = False
    _is_param = False
    __array_priority__ = 1000  # ``ndarray op tensor`` defers to Tensor's reflected operators

    def __init__(self, *args, **kwargs):
        # ``ember.Tensor(2, 3)`` (uninitialised) and ``ember.Tensor([1, 2])`` (float), as torch.
        if len(args) == 1 and not isinstance(args[0], int) and not kwargs:
            data = np.asarray(args[0], dtype=D.get_default_dtype().np)
        elif all(isinstance(a, int) for a in args):
            data = np.zeros(args, dtype=D.get_default_dtype().np)
        else:
            raise TypeError(f"new(): invalid data type '{type(args[0]).__name__}'")
        _init(self, data)

    # -- basic properties ------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> D.dtype:
        return D._BY_NP[self._data.dtype]

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mps = False
    layout = "strided"

    def get_device(self) -> int:
        return -1

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def stride(self, dim: int | None = None):
        d = self._data
        # torch's strides are contiguous here: the internal layout, and an empty array made
        # without strides of its own (NumPy gives those all-zero strides)
        if (d.size == 0 and not any(d.strides)) or (self._base is None and _internal_layout(d)):
            st, n = [], 1
            for size in reversed(d.shape):
                st.append(n)
                n *= max(size, 1)
            st = tuple(reversed(st))
        else:
            st = tuple(s // d.itemsize for s in d.strides)
        return st if dim is None else st[_wrap_dim(dim, d.ndim)]

    def storage_offset(self) -> int:
        """Elements from the start of the memory this tensor views to its first element."""
        d = root = self._data
        while isinstance(root.base, np.ndarray):
            root = root.base
        if d.size == 0 or root is d:
            return 0
        start = d.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return start // d.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def is_contiguous(self, memory_format=None) -> bool:
        d = self._data
        return d.flags.c_contiguous or (self._base is None and _internal_layout(d))

    def _relayout(self) -> bool:
        """Give a tensor in Ember's internal channels-last layout the row-major memory torch's
        would have (values unchanged), so that views of it behave as torch's; True if done."""
        if self._base is None and _internal_layout(self._data):
            self._data = np.ascontiguousarray(self._data)
            return True
        return False

    # -- autograd state --------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not isinstance(requires_grad, bool):
            raise TypeError(
                "requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                f"{type(requires_grad).__name__}"
            )
        if requires_grad and self._data.dtype.kind not in "fc":  # the method's own wording
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def _version(self) -> int:
        """How many times this tensor's memory (shared with its views) was changed in place."""
        return self._vc[0]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
                "access the leaf Tensor instead.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype or value._data.shape != self._data.shape:
                from ._tensor_attrs import refuse_grad  # (a module over this one)

                refuse_grad(self, value)
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def data(self) -> Tensor:
        """The same values, detached from the graph and untracked by version counters."""
        return _make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    def detach(self) -> Tensor:
        """A tensor sharing these values, cut from the graph."""
        t = _make(self._data)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self.grad_fn = None
        self._rg = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        node = self.grad_fn
        if node._retained is None:
            node._retained = {}
            node._hooked = True
        node._retained[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a new one."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            return engine.add_hook(self._hooks, hook)
        node = self.grad_fn
        if node._tensor_hooks is None:
            node._tensor_hooks = {}
            node._hooked = True
        return engine.add_hook(node._tensor_hooks.setdefault(self._output_nr, {}), hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_hooks is None:
            self._post_hooks = {}
        return engine.add_hook(self._post_hooks, hook)

    def _grad_accumulator(self):
        """The leaf's AccumulateGrad node, made once and kept while the graph holds it."""
        ref = self._accum
        node = ref() if ref is not None else None
        if node is None:
            node = engine.AccumulateGrad(self)
            self._accum = weakref.ref(node)
        return node

    def _expand_to(self, shape: tuple) -> Tensor:
        """``expand`` to a shape known to be valid (derivative rules use it): no argument checks."""
        return apply(_shape_prims.expand, (self,), None, shape=shape)

    def _attach(self, node, output_nr: int) -> None:
        self.grad_fn = node
        self._output_nr = output_nr

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves it depends on.

        Args:
            gradient: the gradient of some scalar with respect to this tensor; may be omitted for a
                scalar (it is then 1).
            retain_graph: keep the saved tensors for another backward (default: ``create_graph``).
            create_graph: record the backward pass itself, for higher-order derivatives.
            inputs: accumulate only into these tensors.
        """
        node = self.grad_fn
        if gradient is None and inputs is None and not create_graph and node is not None:
            d = self._data
            if d.size == 1 and d.dtype.kind == "f":  # a loss (else autograd.backward's errors)
                seed = engine.ones_for(d)
                engine.run_backward(((node, self._output_nr),), (seed,), bool(retain_graph), False)
                return
        if type(gradient) is Tensor:  # as a 1-tuple: autograd.backward then needs no type test
            gradient = (gradient,)
        _backward((self,), gradient, retain_graph, create_graph, inputs=inputs)

    # -- conversion ------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item() if self._data.ndim else self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        if self._rg:  # as .numpy(): an array would silently leave the graph
            self.numpy()
        d = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return d.copy() if copy and d is self._data else d

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            many = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
        return bool(self._data.item())

    def _scalar(self):
        if self._data.size != 1:  # Python's conversions raise ValueError, unlike item()
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __float__(self) -> float:
        if self._rg and _state.enabled:
            _warn_scalar_of_grad()
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __complex__(self) -> complex:
        if self._rg and _state.enabled:
            _warn_scalar_of_grad()
        return complex(self._scalar())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __format__(self, spec: str) -> str:
        # As torch: only a plain 0-d tensor formats as its number; anything else is object's
        # format, so a non-empty spec raises TypeError.
        if self._data.ndim == 0 and type(self) is Tensor:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._tensor_str import format_tensor

        if self.grad_fn is not None:
            tail = [f"grad_fn=<{type(self.grad_fn).__name__}>"]
        elif self._rg:
            tail = ["requires_grad=True"]
        else:
            tail = []
        return format_tensor(
            self._data,
            dtype_name=D._BY_NP[self._data.dtype].name,
            default_float_name=D.get_default_dtype().name,
            tail=tail,
            namespace=D.NAMESPACE,
        )

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                "because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self))
        _init(new, self._data.copy(), self._rg)
        new.__dict__.update({k: v for k, v in self.__dict__.items()})
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto):
        return (_rebuild, (type(self), self._data.copy(), self._rg))

    # -- dlpack ------------------------------------------------------------------------------
    def __dlpack__(self, stream=None, **kwargs):
        if self._rg:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(**({"stream": stream} if stream is not None else {}))

    def __dlpack_device__(self):
        return (1, 0)


def _rebuild(cls, data, requires_grad):
    t = cls.__new__(cls)
    _init(t, data, requires_grad)
    return t


def _init(t: Tensor, data: np.ndarray, requires_grad: bool = False) -> None:
    t._data = data
    t._rg = requires_grad
    t.grad_fn = None
    t._output_nr = 0
    t._vc = [0]
    t._grad = None


def _make(data: np.ndarray, requires_grad: bool = False) -> Tensor:
    """Wrap an array as a new leaf tensor (no copy)."""
    t = _new(Tensor)
    t._data = data
    t._rg = requires_grad
    t.grad_fn = None
    t._output_nr = 0
    t._vc = [0]
    t._grad = None
    if _state.inference:
        t._inference = True
    return t


def _mark_inference(result) -> None:
    """Tensors made inside ``inference_mode`` report ``is_inference()`` (torch's flag)."""
    for t in result if type(result) is tuple else (result,):
        t._inference = True


engine.wrap_array = _make


def _internal_layout(d: np.ndarray) -> bool:
    """Channels-last memory shown as (N, C, *spatial): how Ember's convolution and pooling kernels
    leave activations (and elementwise ops keep them). torch's tensor would be contiguous. Only
    asked of tensors that are not views: a user's ``permute`` of NHWC data is not contiguous in
    torch either."""
    nd = d.ndim
    if nd < 3 or d.flags.c_contiguous:
        return False
    return d.transpose((0, *range(2, nd), 1)).flags.c_contiguous


def _wrap_dim(dim: int, ndim: int) -> int:
    """A possibly negative dimension index, checked as torch checks it."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


# -- recording an operation ---------------------------------------------------------------------
def _shape_error_or(exc: ValueError, arrays) -> Exception:
    """NumPy's broadcast failure inside any primitive becomes torch's message naming both shapes."""
    if "broadcast" not in str(exc):
        return exc
    from .functions._util import shape_error

    shapes = [np.shape(a) for a in arrays if isinstance(a, np.ndarray)]
    for i, a in enumerate(shapes):
        for b in shapes[i + 1 :]:
            try:
                np.broadcast_shapes(a, b)
            except ValueError:
                return shape_error(a, b)
    return exc


def apply(prim, inputs: tuple, arrays=None, **params):
    """Run primitive ``prim`` on ``inputs`` (tensors or Python scalars); record it when needed.

    ``arrays`` overrides the values handed to the forward (already promoted to a common dtype).
    This is the hot path of every operation (and of every derivative rule under ``no_grad``),
    hence the plain loops, the inlined output wrapping and no property access.
    """
    record = False
    if arrays is None:
        arrays = []
        for x in inputs:
            if type(x) is Tensor or isinstance(x, Tensor):
                arrays.append(x._data)
                if x._rg:
                    record = True
            else:
                arrays.append(x)
    else:
        for x in inputs:
            if (type(x) is Tensor or isinstance(x, Tensor)) and x._rg:
                record = True
                break
    if record and _state.enabled:
        node = _new(prim.node)  # its slots are set below or by save_for_backward
    else:
        node = record = None
    try:
        if prim.needs_ctx:
            out = prim.forward(NO_CTX if node is None else node, *arrays, **params)
        else:
            out = prim.forward(*arrays, **params)
    except ValueError as exc:
        raise _shape_error_or(exc, arrays) from None
    if not prim.plain:  # several outputs, or a view
        result = (
            tuple([_output(o, prim, inputs) for o in out])
            if prim.num_outputs != 1
            else _output(out, prim, inputs)
        )
    else:  # _output inlined: one call fewer on every operation
        result = _new(Tensor)
        result._data = out if type(out) is np.ndarray else np.asarray(out)
        result._rg = False
        result.grad_fn = None
        result._output_nr = 0
        result._vc = [0]
        result._grad = None
    if node is None:  # the fast path: computed and wrapped, nothing recorded
        if _state.inference:
            _mark_inference(result)
        return result

    edges, meta = [], []
    needs = 0  # bit i set: input i needs a gradient (what the save plan depends on)
    bit = 1
    for x in inputs:
        if type(x) is Tensor or isinstance(x, Tensor):
            d = x._data
            meta.append((d.shape, d.dtype))
            if not x._rg:
                edges.append(_NO_EDGE)
            else:
                needs |= bit
                if x.grad_fn is not None:
                    edges.append((x.grad_fn, x._output_nr))
                else:
                    edges.append((x._grad_accumulator(), 0))
        else:
            meta.append(None)
            edges.append(_NO_EDGE)
        bit <<= 1
    node.next_functions = tuple(edges)
    node._input_meta = tuple(meta)
    node._seq = _next_seq()
    if _anomaly.enabled:
        engine._record_trace(node)
    if prim.num_outputs == 1:
        if result._data.dtype.kind in "fc":
            result._rg = True
            result.grad_fn = node
    else:
        if prim.num_outputs < 0:
            node._num_outputs = len(result)
        diff = prim.differentiable_outputs
        for i, r in enumerate(result):
            if (diff is None or i in diff) and r._data.dtype.kind in "fc":
                r._rg = True
                r.grad_fn = node
                r._output_nr = i
    _save(prim, node, needs, inputs, result if prim.num_outputs == 1 else result[0])
    return result


def _save(prim, node, needs: int, inputs: tuple, first: Tensor) -> None:
    """Keep on ``node`` what ``prim``'s rules read (``first`` is its first output), with the
    versions that catch in-place changes made before backward."""
    plan = prim.save
    if prim.uses is not None:  # only what the rules of inputs needing a gradient read
        plan = prim.plans.get(needs)
        if plan is None:
            plan = prim.save_plan(needs)
    if not plan:
        node._saved = node._versions = ()
        return
    if plan[0] == ALL:
        node.save_for_backward(*inputs)
        return
    # save_for_backward inlined (a call and a comprehension fewer on most operations)
    values, versions = [], []
    for i in plan:
        if i is None:  # a value that no rule of an input needing a gradient reads
            values.append(None)
            versions.append(None)
        elif i == OUT:
            v = engine.SavedOutput(first)
            values.append(v)
            versions.append(v._vc[0])
        else:
            v = inputs[i]
            values.append(v)
            versions.append(v._vc[0] if type(v) is Tensor else getattr(v, "_vc", _NO_VC)[0])
    node._saved = tuple(values)
    node._versions = tuple(versions)
    if engine.saved_tensors_hooks_stack:  # inside saved_tensors_hooks: pack them
        node.save_for_backward(*node._saved)


UNARY = object()  # ``recorded``'s second input for a primitive of one input


def new_node(prim):
    """The node (and ``ctx``) that ``recorded`` will fill, for a forward taking ``ctx``."""
    return _new(prim.node)


def recorded(prim, x: Tensor, y, out, node=None) -> Tensor:
    """What ``apply`` returns, in grad mode, for a primitive of one output (not a view) whose
    forward the caller ran: ``out``, from Tensor ``x`` and ``y`` (a Tensor, a number, or
    ``UNARY``), one of which requires grad. A forward that takes ``ctx`` got ``node``, made by
    ``new_node(prim)``. The fast path of the operators, the elementwise functions and the loss
    of a classification step: apply's loops over the inputs and its checks, unrolled (about half
    of the cost of recording a small operation)."""
    r = _new(Tensor)
    r._data = out if type(out) is np.ndarray else np.asarray(out)
    r._output_nr = 0
    r._vc = [0]
    r._grad = None
    if node is None:
        node = _new(prim.node)
    d = x._data
    needs = 0
    edge = _NO_EDGE
    if x._rg:
        needs = 1
        edge = (x.grad_fn, x._output_nr) if x.grad_fn is not None else (x._grad_accumulator(), 0)
    if y is UNARY:
        inputs = (x,)
        node.next_functions = (edge,)
        node._input_meta = ((d.shape, d.dtype),)
    else:
        inputs = (x, y)
        meta = None
        other = _NO_EDGE
        if isinstance(y, Tensor):
            e = y._data
            meta = (e.shape, e.dtype)
            if y._rg:
                needs |= 2
                other = (y.grad_fn, y._output_nr) if y.grad_fn is not None else None
                if other is None:
                    other = (y._grad_accumulator(), 0)
        node.next_functions = (edge, other)
        node._input_meta = ((d.shape, d.dtype), meta)
    node._seq = _next_seq()
    if _anomaly.enabled:
        engine._record_trace(node)
    if r._data.dtype.kind in "fc":
        r._rg = True
        r.grad_fn = node
    else:
        r._rg = False
        r.grad_fn = None
    _save(prim, node, needs, inputs, r)
    return r


def _warn_scalar_of_grad() -> None:
    """torch's once-per-process warning for ``float()``/``complex()`` of a tensor requiring grad
    while grad mode is on (``int()``, ``item()`` and ``bool()`` say nothing)."""
    from ._runtime import warn_once  # _runtime imports this module

    warn_once(
        "scalar of a tensor requiring grad",
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
        "behavior.\nConsider using tensor.detach() first.",
        stacklevel=4,
    )


_NO_EDGE = (None, 0)
_NO_VC = engine._NO_VC


def _edge(x):
    if not isinstance(x, Tensor) or not x._rg:
        return (None, 0)
    if x.grad_fn is not None:
        return (x.grad_fn, x._output_nr)
    return (x._grad_accumulator(), 0)


def _output(data, prim, inputs) -> Tensor:
    t = _new(Tensor)
    t._data = data if type(data) is np.ndarray else np.asarray(data)
    t._rg = False
    t.grad_fn = None
    t._output_nr = 0
    t._grad = None
    if prim.is_view:
        base = inputs[0]
        t._vc = base._vc
        root = t._base = base._base if base._base is not None else base
        if root._rg and _state.enabled:
            _register_view(root, t)
    else:
        t._vc = [0]
    return t


def _register_view(root: Tensor, view: Tensor) -> None:
    """Remember ``view`` (weakly) on its base, so that an in-place change of the base or of
    another of its views can re-point it at the base's new node (``refresh_views``)."""
    views = root.__dict__.get("_views")
    if views is None:
        views = root._views = []
    views.append(weakref.ref(view))
    n = len(views)
    if n >= 8 and not n & (n - 1):  # at each power of two, drop the views that died meanwhile
        views[:] = [r for r in views if r() is not None]


__all__ = ["Tensor", "Size", "apply", "check_device"]
