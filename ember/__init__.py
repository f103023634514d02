"""Ember: a deep-learning framework on NumPy that speaks PyTorch's API.

``import ember as torch`` and most PyTorch CPU code runs: tensors with reverse-mode autograd
(``ember.autograd``), layers and losses (``ember.nn``), optimizers (``ember.optim``), data loading
(``ember.utils.data``) and torchvision's datasets and transforms (``ember.vision``).
"""

from __future__ import annotations

import builtins as _builtins
import importlib as _importlib
import warnings as _warnings

from . import (
    _tensor_methods,  # noqa: F401 - binds the Tensor methods
    autograd,
)
from ._device import device
from ._dtype import (
    bool,
    channels_last,
    channels_last_3d,
    complex64,
    complex128,
    contiguous_format,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    memory_format,
    preserve_format,
    promote_types,
    set_default_dtype,
    uint8,
    uint16,
    uint32,
    uint64,
)
from ._inplace_functions import *  # noqa: F403 - ember.relu_(x) and the like, ember.fill
from ._layout import (
    jagged,
    layout,
    sparse_bsc,
    sparse_bsr,
    sparse_coo,
    sparse_csc,
    sparse_csr,
    strided,
)
from ._tensor import Size, Tensor
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .functions.arrange import (
    atleast_3d,
    block_diag,
    cartesian_prod,
    column_stack,
    combinations,
    diag_embed,
    diagflat,
    dsplit,
    dstack,
    hsplit,
    meshgrid,
    ravel,
    row_stack,
    tril_indices,
    triu_indices,
    unravel_index,
    vander,
    vsplit,
)
from .functions.compare import *  # noqa: F403
from .functions.complex import *  # noqa: F403
from .functions.creation import *  # noqa: F403
from .functions.creation import range_ as _range  # noqa: F401
from .functions.dtypes import can_cast, is_signed, result_type
from .functions.index import (
    argwhere,
    diagonal_scatter,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_reduce,
    index_select,
    masked_fill,
    masked_scatter,
    masked_select,
    nonzero,
    nonzero_static,
    put,
    scatter,
    scatter_add,
    scatter_reduce,
    select_scatter,
    slice_scatter,
    take,
    take_along_dim,
)
from .functions.info import e, finfo, iinfo, inf, nan, newaxis, pi
from .functions.linalg import (
    _weight_norm,
    addbmm,
    addmm,
    addmv,
    addr,
    baddbmm,
    bmm,
    chain_matmul,
    dist,
    dot,
    einsum,
    ger,
    inner,
    kron,
    matmul,
    mm,
    mv,
    norm_except_dim,
    outer,
    pdist,
    tensordot,
    vdot,
)
from .functions.math import *  # noqa: F403
from .functions.quantile import nanquantile, quantile
from .functions.random import (
    Generator,
    bernoulli,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from .functions.reduce import (
    all,
    amax,
    amin,
    aminmax,
    any,
    argmax,
    argmin,
    corrcoef,
    count_nonzero,
    cov,
    cummax,
    cummin,
    cumprod,
    cumsum,
    cumulative_trapezoid,
    log_softmax,
    logcumsumexp,
    logsumexp,
    max,
    mean,
    min,
    nanmean,
    nansum,
    norm,
    prod,
    renorm,
    softmax,
    std,
    std_mean,
    sum,
    trace,
    trapezoid,
    trapz,
    var,
    var_mean,
)
from .functions.shape import (
    adjoint,
    atleast_1d,
    atleast_2d,
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    diagonal,
    diff,
    expand_as,
    flatten,
    flip,
    fliplr,
    flipud,
    hstack,
    is_same_size,
    moveaxis,
    movedim,
    narrow,
    narrow_copy,
    permute,
    repeat_interleave,
    reshape,
    roll,
    rot90,
    select,
    split,
    split_with_sizes,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    tensor_split,
    tile,
    transpose,
    tril,
    triu,
    unbind,
    unflatten,
    unsafe_chunk,
    unsafe_split,
    unsafe_split_with_sizes,
    unsqueeze,
    vstack,
)
from .functions.windows import (
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    kaiser_window,
)

# NumPy warns about floating-point events (log(0), 0/0, overflow) that torch computes silently,
# as IEEE arithmetic: the same inf/nan, no warning. Only warnings raised from Ember's own code
# are silenced (a filter costs nothing until a warning is raised; np.errstate costs per call).
_warnings.filterwarnings(
    "ignore",
    message=r"(divide by zero|invalid value|overflow|underflow) encountered",
    category=RuntimeWarning,
    module=r"ember(\.|$)",
)

# Imported on first use, to keep ``import ember`` quick: ``ember.<name>`` resolves through
# ``__getattr__`` below to ``<module>.<attribute>``.
_LAZY_ATTRS = {
    "digamma": ("special", "digamma"),
    "erfc": ("special", "erfc"),
    "lgamma": ("special", "gammaln"),
    "logit": ("special", "logit"),
    "polygamma": ("special", "polygamma"),
    "i0": ("special", "i0"),
    "igamma": ("special", "igamma"),
    "igammac": ("special", "igammac"),
    "mvlgamma": ("special", "mvlgamma"),
    "gradient": ("functions.gradient", "gradient"),
    "histogramdd": ("functions.histogramdd", "histogramdd"),
    "sinc": ("special", "sinc"),
    "clone": ("_tensor_methods", "clone"),
    "range": ("functions.creation", "range_"),
    "stft": ("fft._stft", "stft"),
    "istft": ("fft._stft", "istft"),
    "autocast": ("amp.autocast_mode", "autocast"),
    **{
        name: ("amp.autocast_mode", name)
        for name in (
            "is_autocast_enabled",
            "set_autocast_enabled",
            "get_autocast_dtype",
            "set_autocast_dtype",
            "is_autocast_cache_enabled",
            "set_autocast_cache_enabled",
            "clear_autocast_cache",
            "autocast_increment_nesting",
            "autocast_decrement_nesting",
            "is_autocast_cpu_enabled",
            "get_autocast_cpu_dtype",
            "get_autocast_gpu_dtype",
        )
    },
    # torch.* aliases of nn.functional ops with the same signature
    **{
        name: ("nn.functional", name)
        for name in (
            "avg_pool1d",
            "bilinear",
            "celu",
            "channel_shuffle",
            "conv1d",
            "conv2d",
            "conv3d",
            "conv_transpose1d",
            "conv_transpose2d",
            "conv_transpose3d",
            "cosine_similarity",
            "hardshrink",
            "max_pool1d",
            "max_pool2d",
            "max_pool3d",
            "pairwise_distance",
            "pixel_shuffle",
            "pixel_unshuffle",
            "prelu",
            "selu",
            "celu_",
            "selu_",
            "rrelu",
            "rrelu_",
            "rms_norm",
        )
    },
    "adaptive_avg_pool1d": ("nn.functional", "adaptive_avg_pool1d"),
    # torch.* spellings that return (values, indices) and take no return_indices
    "adaptive_max_pool1d": ("nn.functional.pooling", "_torch_adaptive_max_pool1d"),
    "max_pool1d_with_indices": ("nn.functional.pooling", "_torch_max_pool1d_with_indices"),
    "mode": ("functions.reduce", "mode"),  # lazy: use_deterministic_algorithms has a `mode`
    "cdist": ("linalg", "cdist"),
    "det": ("linalg", "legacy_det"),
    "inverse": ("linalg", "inverse"),
    "logdet": ("linalg", "logdet"),
    "matrix_power": ("linalg", "legacy_matrix_power"),
    "pinverse": ("linalg", "pinverse"),
    "cross": ("linalg", "legacy_cross"),
    "qr": ("linalg", "legacy_qr"),
    "slogdet": ("linalg", "legacy_slogdet"),
    "svd": ("linalg", "legacy_svd"),
    "cholesky": ("linalg", "legacy_cholesky"),
    "cholesky_solve": ("linalg", "cholesky_solve"),
    "cholesky_inverse": ("linalg", "cholesky_inverse"),
    "triangular_solve": ("linalg", "triangular_solve"),
    "lu": ("linalg", "legacy_lu"),
    "lu_solve": ("linalg", "legacy_lu_solve"),
    "lu_unpack": ("linalg", "lu_unpack"),
    "matrix_exp": ("linalg", "matrix_exp"),
    "matrix_rank": ("linalg", "legacy_matrix_rank"),
    "eig": ("linalg", "legacy_eig"),
    "lstsq": ("linalg", "legacy_lstsq"),
    "solve": ("linalg", "legacy_solve"),
    "symeig": ("linalg", "legacy_symeig"),
    "nuclear_norm": ("linalg", "nuclear_norm"),
    "frobenius_norm": ("linalg", "frobenius_norm"),
    "geqrf": ("linalg", "geqrf"),
    "orgqr": ("linalg", "orgqr"),
    "ormqr": ("linalg", "ormqr"),
    # the legacy typed constructors and the default device
    **{
        name: ("_typed_tensors", name)
        for name in (
            "BoolTensor",
            "ByteTensor",
            "CharTensor",
            "DoubleTensor",
            "FloatTensor",
            "HalfTensor",
            "IntTensor",
            "LongTensor",
            "ShortTensor",
            "get_default_device",
            "set_default_device",
        )
    },
    "get_printoptions": ("_tensor_str", "get_printoptions"),
    "set_printoptions": ("_tensor_str", "set_printoptions"),
    # torch.* spellings of nn.functional ops (ATen's argument order, integer reductions)
    **{
        name: ("nn.functional._torch_level", name)
        for name in (
            "alpha_dropout",
            "alpha_dropout_",
            "batch_norm",
            "binary_cross_entropy_with_logits",
            "convolution",
            "cosine_embedding_loss",
            "ctc_loss",
            "dropout",
            "dropout_",
            "embedding",
            "embedding_bag",
            "feature_alpha_dropout",
            "feature_alpha_dropout_",
            "feature_dropout",
            "feature_dropout_",
            "group_norm",
            "hinge_embedding_loss",
            "instance_norm",
            "kl_div",
            "layer_norm",
            "margin_ranking_loss",
            "poisson_nll_loss",
            "threshold",
            "triplet_margin_loss",
        )
    },
    "threshold_": ("nn.functional", "threshold_"),
    "vmap": ("func", "vmap"),
    "fork": ("jit", "_fork"),  # TorchScript's fork/wait: run at once (Ember has no compiler)
    "wait": ("jit", "_wait"),
    "constant_pad_nd": ("functions.shape", "pad_constant"),
    # views copied into fresh memory, and tensors over explicit memory
    **{
        name: ("functions.copies", name)
        for name in (
            "alias_copy",
            "as_strided_copy",
            "detach",
            "detach_",
            "detach_copy",
            "diagonal_copy",
            "expand_copy",
            "permute_copy",
            "select_copy",
            "slice_copy",
            "split_copy",
            "split_with_sizes_copy",
            "squeeze_copy",
            "t_copy",
            "transpose_copy",
            "unbind_copy",
            "unfold_copy",
            "unsqueeze_copy",
            "view_as_complex_copy",
            "view_as_real_copy",
            "view_copy",
        )
    },
    **{
        name: ("functions.strided", name)
        for name in (
            "as_strided",
            "as_strided_",
            "as_strided_scatter",
            "empty_permuted",
            "empty_strided",
            "frombuffer",
        )
    },
    # process-wide switches; compile is the identity (Ember has no compiler)
    **{
        name: ("_runtime", name)
        for name in (
            "compile",
            "get_device",
            "get_num_interop_threads",
            "is_warn_always_enabled",
            "set_default_tensor_type",
            "set_flush_denormal",
            "set_num_interop_threads",
            "set_warn_always",
        )
    },
}

# Tensor methods that ember.linalg binds (``A.det()``): until it is imported, each is a stub that
# imports it (which replaces the stubs) and calls the real method.
_LINALG_METHODS = (
    "inverse",
    "det",
    "logdet",
    "slogdet",
    "cholesky",
    "qr",
    "svd",
    "pinverse",
    "matrix_power",
    "cross",
    "_linalg_solve",
    "_linalg_cross",
    "cholesky_solve",
    "cholesky_inverse",
    "triangular_solve",
    "lu",
    "lu_solve",
    "matrix_exp",
    "geqrf",
    "orgqr",
    "ormqr",
    "eig",
    "lstsq",
    "solve",
    "symeig",
)


def _linalg_stub(name: str):
    def method(self, *args, **kwargs):
        _importlib.import_module(".linalg", __name__)
        return getattr(self, name)(*args, **kwargs)

    method.__name__ = name
    method._lazy_stub = True
    return method


for _name in _LINALG_METHODS:
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _linalg_stub(_name))


def _functional_method(name: str):
    """``tensor.<name>(...)`` for an ``nn.functional`` op that torch also binds on Tensor;
    ``nn`` is imported on the first call (it sits above the Tensor layer)."""

    def method(self, *args, **kwargs):
        return __getattr__(name)(self, *args, **kwargs)

    method.__name__ = name
    return method


for _name in ("hardshrink", "prelu"):
    setattr(Tensor, _name, _functional_method(_name))

float = float32  # noqa: A001 - torch's aliases
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128
bfloat16 = float32  # Ember has no bfloat16 storage; computed as float32

__version__ = "0.1.0"

_LAZY = {
    "nn",
    "optim",
    "utils",
    "vision",
    "cuda",
    "backends",
    "linalg",
    "serialization",
    "testing",
    "viz",
    "compat",
    "onnx",
    "accelerator",
    "mps",
    "special",
    "fft",
    "jit",
    "distributions",
    "multiprocessing",
    "hub",
    "amp",
    "cpu",
    "cli",
    "func",
    "random",
    "profiler",
    "version",
}


def __getattr__(name: str):
    lazy = _LAZY_ATTRS.get(name)
    if lazy is not None:
        value = getattr(_importlib.import_module(f".{lazy[0]}", __name__), lazy[1])
        globals()[name] = value
        return value
    if name in _LAZY:
        try:
            module = _importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":  # a dependency of the module is missing: say so
                raise
            # a name listed without its module: ``hasattr(ember, name)`` must answer False
            raise AttributeError(f"module 'ember' has no attribute '{name}'") from e
        globals()[name] = module
        return module
    if name in ("save", "load"):
        from . import serialization

        return getattr(serialization, name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def is_storage(obj) -> bool:
    """Always False: Ember has no Storage objects."""
    return False


def typename(obj) -> str:
    """The tensor's type string (e.g. ``'ember.FloatTensor'``), else the object's class name."""
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads for BLAS-backed ops."""
    from . import _threads

    _threads.set_num_threads(n)


def get_num_threads() -> int:
    """The number of threads BLAS-backed ops may use."""
    from . import _threads

    return _threads.get_num_threads()


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the flag that ``are_deterministic_algorithms_enabled`` reports.

    Nothing in Ember changes with it (no kernel checks it); ``warn_only`` is recorded too.
    """
    global _deterministic, _deterministic_warn_only
    _deterministic, _deterministic_warn_only = mode, _builtins.bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """The flag last set by ``use_deterministic_algorithms`` (False by default)."""
    return _deterministic


_deterministic = False
_deterministic_warn_only = False


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` flag last set by ``use_deterministic_algorithms`` (False by default)."""
    return _deterministic_warn_only


def get_deterministic_debug_mode() -> int:
    """0 (``'default'``), 1 (``'warn'``) or 2 (``'error'``): the deterministic-algorithms flags."""
    return 0 if not _deterministic else 1 if _deterministic_warn_only else 2


def set_deterministic_debug_mode(debug_mode: _builtins.int | str) -> None:
    """``use_deterministic_algorithms`` by number or name: 0/``'default'``, 1/``'warn'``,
    2/``'error'``."""
    names = ("default", "warn", "error")
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                f"{debug_mode}"
            )
        debug_mode = names.index(debug_mode)
    elif not isinstance(debug_mode, _builtins.int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def set_anomaly_enabled(enabled: _builtins.bool, check_nan: _builtins.bool = True) -> None:
    """Switch autograd's anomaly detection on or off (``autograd.set_detect_anomaly`` for good)."""
    from .autograd.engine import anomaly

    for name, value in (("enabled", enabled), ("check_nan", check_nan)):
        if not isinstance(value, _builtins.bool):
            position = 1 if name == "enabled" else 2
            raise TypeError(
                f"set_anomaly_enabled(): argument '{name}' (position {position}) must be bool, "
                f"not {type(value).__name__}"
            )
    anomaly.enabled, anomaly.check_nan = enabled, check_nan


def is_anomaly_enabled() -> _builtins.bool:
    """Whether autograd's anomaly detection is on."""
    from .autograd.engine import anomaly

    return anomaly.enabled


def is_anomaly_check_nan_enabled() -> _builtins.bool:
    """Whether anomaly detection also checks backward results for NaN."""
    from .autograd.engine import anomaly

    return anomaly.check_nan


def get_device_module(device: device | str | None = None):
    """The module for a device type: ``ember.cpu`` for None or ``'cpu'``, ``ember.cuda``..."""
    from ._device import device as device_type
    from ._dtype import NAMESPACE

    if isinstance(device, str):
        device = device_type(device)
    elif device is not None and not isinstance(device, device_type):
        raise RuntimeError(
            f"Invalid value of device '{device}', expect {NAMESPACE}.device, str, or None"
        )
    kind = "cpu" if device is None else device.type
    if kind not in ("cpu", "cuda", "mps"):
        raise RuntimeError(
            f"Device '{kind}' does not have a corresponding module registered as "
            f"'{NAMESPACE}.{kind}'."
        )
    return __getattr__(kind)


def init_num_threads() -> None:
    """Nothing to initialise: Ember's thread settings are process-wide."""


def compiled_with_cxx11_abi() -> _builtins.bool:
    """True, as for torch's own builds; Ember has no C++ extension ABI to match."""
    return True


# What torch's CPU build reports; NumPy provides the linear algebra (LAPACK) and FFTs.
has_lapack = has_mkl = has_openmp = has_spectral = True


def set_float32_matmul_precision(precision: str) -> None:
    """Record ``'highest'``, ``'high'`` or ``'medium'``; Ember always multiplies in full float32."""
    global _matmul_precision
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision '{precision}'")
    _matmul_precision = precision


def get_float32_matmul_precision() -> str:
    """The precision last set by ``set_float32_matmul_precision`` (``'highest'`` by default)."""
    return _matmul_precision


_matmul_precision = "highest"
