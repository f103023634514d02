"""Run PyTorch code on Ember: an import hook that makes ``import torch`` resolve to Ember.

``install()`` puts a finder first on ``sys.meta_path``. It answers for ``torch``, ``torch.*``,
``torchvision`` and ``torchvision.*`` with *views* of Ember's modules (``torch`` -> ``ember``,
``torch.nn.functional`` -> ``ember.nn.functional``, ``torchvision`` -> ``ember.vision``): every
attribute read or write goes to the Ember module, so ``torch.nn.Module`` *is*
``ember.nn.Module`` and ``torch.backends.cudnn.benchmark = True`` sets Ember's flag. What Ember
lacks raises :class:`EmberNotImplementedError`, naming the torch API: ``torch.fft.rfft`` gives
``ember does not implement torch.fft.rfft``. It is an ``AttributeError`` too, so
``hasattr(torch, "compile")`` and ``getattr(..., default)`` keep working.

:func:`resolve` does the same lookup without raising, for ``ember run --check``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

__all__ = ["EmberNotImplementedError", "install", "installed", "resolve", "uninstall"]

# Top-level names the hook answers for, and the Ember package each maps to.
ROOTS = {"torch": "ember", "torchvision": "ember.vision"}

# torch/torchvision modules that exist in PyTorch: when Ember lacks one, it is still importable
# (as in torch) and using anything from it names what is missing.
KNOWN_MODULES = frozenset(
    """torch.fft torch.linalg torch.special torch.distributions torch.jit torch.onnx torch.amp
    torch.cuda torch.cuda.amp torch.backends torch.backends.cudnn torch.backends.mps
    torch.backends.cuda torch.backends.mkldnn torch.backends.openmp torch.hub
    torch.multiprocessing torch.distributed torch.profiler torch.quantization torch.ao
    torch.sparse torch.masked torch.nested torch.func torch.export torch.compiler torch.fx
    torch.package torch.mps torch.xpu torch.random torch.library torch.overrides torch.types
    torch.testing torch.accelerator torch.cpu torch.futures torch.monitor torch.signal
    torch.storage torch.version torch.serialization torch.nn torch.nn.functional torch.nn.init
    torch.nn.utils torch.nn.utils.rnn torch.nn.utils.parametrize torch.nn.utils.prune
    torch.nn.parallel torch.nn.parameter torch.nn.modules torch.nn.attention torch.optim
    torch.optim.lr_scheduler torch.optim.swa_utils torch.utils torch.utils.data
    torch.utils.checkpoint torch.utils.tensorboard torch.utils.benchmark torch.utils.hooks
    torch.utils.cpp_extension torch.utils.dlpack torch.autograd torch.autograd.functional
    torch.autograd.forward_ad torch.autograd.profiler torch.autograd.graph
    torchvision.models torchvision.ops torchvision.io torchvision.utils torchvision.datasets
    torchvision.transforms torchvision.transforms.functional torchvision.transforms.v2
    torchvision.tv_tensors""".split()
)


class EmberNotImplementedError(NotImplementedError, AttributeError):
    """A PyTorch API that Ember does not implement (an ``AttributeError`` for ``hasattr``)."""

    def __init__(self, torch_name: str) -> None:
        super().__init__(f"ember does not implement {torch_name}")
        self.torch_name = torch_name


def _ember_name(torch_name: str) -> str | None:
    root, _, rest = torch_name.partition(".")
    if root not in ROOTS:
        return None
    return ROOTS[root] + ("." + rest if rest else "")


def _import_ember(torch_name: str) -> types.ModuleType | None:
    """The Ember module behind ``torch_name``, or None when Ember has no such module."""
    name = _ember_name(torch_name)
    if name is None:
        return None
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        # only "this module does not exist"; a missing dependency inside it is a real error
        if e.name is not None and (name == e.name or name.startswith(e.name + ".")):
            return None
        raise


# The API each view speaks: ``torch.__version__`` reads "2.13.0+ember<version>", so that a
# program gating a feature on torch's version takes the 2.13 path, and the local label says who
# answers. Ember's own version stays ``ember.__version__``.
API_VERSIONS = {"torch": "2.13.0", "torch.version": "2.13.0", "torchvision": "0.28.0"}


def _api_version(torch_name: str) -> str:
    from . import __version__

    return f"{API_VERSIONS[torch_name]}+ember{__version__}"


class _TorchView(types.ModuleType):
    """``sys.modules["torch..."]``: forwards to an Ember module, or to nothing if Ember lacks it."""

    def __init__(self, torch_name: str, target: types.ModuleType | None) -> None:
        super().__init__(torch_name)
        object.__setattr__(self, "_ember_target", target)
        self.__package__ = torch_name
        self.__path__ = []  # a package, so that ``import torch.x.y`` asks the finder
        # for a module Ember lacks, ``from torch.fft import rfft`` reports this "location"
        self.__file__ = getattr(target, "__file__", f"ember does not implement {torch_name}")
        self.__doc__ = getattr(target, "__doc__", None)
        self.__spec__ = importlib.machinery.ModuleSpec(torch_name, _finder, is_package=True)
        self.__loader__ = _finder

    def __getattr__(self, attr: str) -> Any:
        target = self._ember_target
        if attr == "__version__" and self.__name__ in API_VERSIONS:
            return _api_version(self.__name__)
        if attr.startswith("__") and attr.endswith("__"):  # __version__, __all__, ...
            if target is not None and hasattr(target, attr):
                return getattr(target, attr)
            raise AttributeError(f"module '{self.__name__}' has no attribute '{attr}'")
        full = f"{self.__name__}.{attr}"
        if isinstance(sys.modules.get(full), _TorchView):
            return sys.modules[full]
        if target is not None:
            try:
                value = getattr(target, attr)
            except (AttributeError, ModuleNotFoundError):
                value = _MISSING
            if isinstance(value, types.ModuleType) and value.__name__ == _ember_name(full):
                return _view(full)
            if value is not _MISSING:
                return value
        if full in KNOWN_MODULES:
            return _view(full)
        raise EmberNotImplementedError(full)

    def __setattr__(self, attr: str, value: Any) -> None:
        target = self._ember_target
        if (attr.startswith("__") and attr.endswith("__")) or target is None:
            object.__setattr__(self, attr, value)
        else:
            setattr(target, attr, value)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._ember_target)) if self._ember_target else set())

    def __repr__(self) -> str:
        target = self._ember_target
        shown = f"'{target.__name__}'" if target is not None else "not implemented"
        return f"<module '{self.__name__}' (ember: {shown})>"


_MISSING = object()
_views: dict[str, _TorchView] = {}


def _view(torch_name: str) -> _TorchView:
    if torch_name not in _views:
        view = _TorchView(torch_name, _import_ember(torch_name))
        _views[torch_name] = view
        sys.modules[torch_name] = view
        parent, _, child = torch_name.rpartition(".")
        if parent and parent in _views:
            object.__setattr__(_views[parent], child, view)
    return _views[torch_name]


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.partition(".")[0] not in ROOTS:
            return None
        if _import_ember(fullname) is None and fullname not in KNOWN_MODULES and "." in fullname:
            raise ModuleNotFoundError(
                f"No module named '{fullname}' (ember does not implement {fullname})",
                name=fullname,
            )
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: Any) -> types.ModuleType:
        return _view(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        pass


_finder = _Finder()


def install() -> None:
    """Make ``import torch`` / ``import torchvision`` (and submodules) resolve to Ember.

    For notebooks: call it before the first ``import torch``. Raises ``RuntimeError`` if the real
    torch is already imported in this process.
    """
    for root in ROOTS:
        mod = sys.modules.get(root)
        if mod is not None and not isinstance(mod, _TorchView):
            raise RuntimeError(
                f"ember.compat.install(): the real '{root}' is already imported; call install() "
                "before importing it (restart the kernel/interpreter)"
            )
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    from ._dtype import set_namespace

    set_namespace("torch")  # the script prints torch.float64, torch.Size([...]) as under torch


def uninstall() -> None:
    """Remove the hook and the ``torch``/``torchvision`` views from ``sys.modules``."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    from ._dtype import set_namespace

    set_namespace("ember")
    for name in list(_views):
        if sys.modules.get(name) is _views[name]:
            del sys.modules[name]
    _views.clear()


def installed() -> bool:
    return _finder in sys.meta_path


def resolve(dotted: str) -> tuple[bool, str]:
    """Whether Ember provides the torch API ``dotted`` (e.g. ``"torch.nn.Conv2d"``).

    Returns ``(True, dotted)`` or ``(False, first missing prefix)``. Imports Ember modules only;
    installs nothing.
    """
    parts = dotted.split(".")
    if parts[0] not in ROOTS:
        return True, dotted
    obj: Any = _import_ember(parts[0])
    for i in range(1, len(parts)):
        name = ".".join(parts[: i + 1])
        if isinstance(obj, types.ModuleType) and hasattr(obj, "__path__"):
            sub = _import_ember(name)
            if sub is not None:
                obj = sub
                continue
        try:
            obj = getattr(obj, parts[i])
        except (AttributeError, ModuleNotFoundError):
            if name in KNOWN_MODULES:  # name the API used in the missing module: torch.fft.rfft
                name = ".".join(parts[: i + 2])
            return False, name
    return True, dotted
