"""Weights enums and the model registry (torchvision.models' ``_api``), without downloads.

Ember builds every architecture with torchvision's initialisation, but it cannot fetch pretrained
checkpoints: asking for weights raises an error naming them.  A checkpoint downloaded elsewhere
can still be loaded with ``ember.load`` and ``model.load_state_dict``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

_URL = "https://download.pytorch.org/models/"


@dataclass(frozen=True)
class Weights:
    """One pretrained checkpoint: where torchvision downloads it from and its metadata."""

    url: str
    transforms: Callable | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _weights(file: str, num_params: int) -> Weights:
    return Weights(url=_URL + file, meta={"num_params": num_params})


class WeightsEnum(Enum):
    """Base of the ``*_Weights`` enums; members are ``Weights`` and ``DEFAULT`` is an alias."""

    @classmethod
    def verify(cls, obj: Any) -> Any:
        """Turn a member name such as ``"DEFAULT"`` into the member; ``None`` stays ``None``."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            return cls[obj.replace(cls.__name__ + ".", "")]
        raise TypeError(
            f"Invalid Weight class provided; expected {cls.__name__} "
            f"but received {obj.__class__.__name__}."
        )

    def get_state_dict(self, *args: Any, **kwargs: Any) -> dict:
        """Pretrained state dicts need a download, which Ember cannot do."""
        raise _no_download(self)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self) -> str:
        return self.value.url

    @property
    def transforms(self) -> Callable | None:
        return self.value.transforms

    @property
    def meta(self) -> dict[str, Any]:
        return self.value.meta


def _no_download(weights: WeightsEnum) -> RuntimeError:
    return RuntimeError(
        f"{weights!r}: Ember cannot download pretrained weights (from {weights.url}). "
        "Build the model with weights=None and load a checkpoint you already have with "
        "model.load_state_dict(ember.load(path))."
    )


def handle_weights(weights_enum: type[WeightsEnum], weights: Any) -> None:
    """Check ``weights`` as torchvision does; any actual request for weights raises."""
    weights = weights_enum.verify(weights)
    if weights is not None:
        raise _no_download(weights)


def overwrite_named_param(kwargs: dict[str, Any], param: str, new_value: Any) -> None:
    """Fix ``kwargs[param]`` for a named variant, refusing a conflicting user value."""
    if param in kwargs and kwargs[param] != new_value:
        raise ValueError(
            f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead."
        )
    kwargs[param] = new_value


BUILTIN_MODELS: dict[str, Callable[..., Any]] = {}


def register_model(name: str | None = None) -> Callable:
    """Decorator registering a model builder under ``name`` (default: the function's name)."""

    def wrapper(fn: Callable) -> Callable:
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn

    return wrapper


def list_models(
    module: Any = None,
    include: str | Iterable[str] | None = None,
    exclude: str | Iterable[str] | None = None,
) -> list[str]:
    """Sorted names of the registered models, filtered by module and fnmatch patterns."""
    import fnmatch

    names = {
        k
        for k, v in BUILTIN_MODELS.items()
        if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__
    }
    if include:
        patterns = [include] if isinstance(include, str) else include
        names = {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}
    if exclude:
        patterns = [exclude] if isinstance(exclude, str) else exclude
        names = {n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns)}
    return sorted(names)


def get_model_builder(name: str) -> Callable[..., Any]:
    """The builder function registered under ``name``."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name: str, **config: Any) -> Any:
    """Build the registered model ``name`` with ``config`` passed to its builder."""
    return get_model_builder(name)(**config)


def get_model_weights(name: Callable | str) -> type[WeightsEnum]:
    """The weights enum class of a model builder (given by name or as the function)."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    weights = fn.__annotations__.get("weights")
    module = sys.modules[fn.__module__]
    if isinstance(weights, str):
        # Annotations are strings under `from __future__ import annotations`.
        weights = weights.replace("| None", "").strip()
        weights = getattr(module, weights, None)
    if not (isinstance(weights, type) and issubclass(weights, WeightsEnum)):
        raise ValueError("The weight enum for the specific method couldn't be retrieved.")
    return weights


def get_weight(name: str) -> WeightsEnum:
    """The weights member named like ``"ResNet50_Weights.IMAGENET1K_V1"``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    for builder in BUILTIN_MODELS.values():
        enum = getattr(sys.modules[builder.__module__], enum_name, None)
        if isinstance(enum, type) and issubclass(enum, WeightsEnum):
            return enum[value_name]
    raise ValueError(
        f"The weight enum '{enum_name}' for the specific method couldn't be retrieved."
    )
