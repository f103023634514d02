"""``ember.hub``: pretrained weights by URL, and models published in a repository's ``hubconf.py``.

The cache is torch's: ``$TORCH_HOME/hub``, else ``$XDG_CACHE_HOME/torch/hub``, else
``~/.cache/torch/hub`` (or what ``set_dir`` chose), so checkpoints torch downloaded are found
offline. ``load_state_dict_from_url`` reads checkpoints with :func:`ember.load` and
``weights_only=True`` always: tensors and plain containers, never code from the file.

``list``/``help``/``load`` import a repository's ``hubconf.py``, which is running that
repository's code, as installing a package is: GitHub repositories are fetched only after the
``trust_repo`` check (as in torch), or used from the cache; ``source='local'`` imports a
directory you name. Downloads need network access; offline they fail with a ``URLError`` that says
which file to put where.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import types
import warnings
import zipfile
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

from . import _dtype as D

__all__ = [
    "download_url_to_file",
    "get_dir",
    "help",
    "list",
    "load",
    "load_state_dict_from_url",
    "set_dir",
]

ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
ENV_GITHUB_TOKEN = "GITHUB_TOKEN"
DEFAULT_CACHE_DIR = "~/.cache"
VAR_DEPENDENCY = "dependencies"
MODULE_HUBCONF = "hubconf.py"
READ_DATA_CHUNK = 128 * 1024
# the hex digits after the last '-' of a checkpoint's name: the start of its SHA-256
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
_TRUSTED_REPO_OWNERS = ("facebookresearch", "facebookincubator", "pytorch", "fairinternal")

_hub_dir: str | None = None


def _torch_home() -> str:
    xdg = os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR)
    return os.path.expanduser(os.getenv(ENV_TORCH_HOME, os.path.join(xdg, "torch")))


def get_dir() -> str:
    """The hub's cache directory: ``set_dir``'s, else ``$TORCH_HOME/hub``, else
    ``$XDG_CACHE_HOME/torch/hub``, else ``~/.cache/torch/hub``."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_torch_home(), "hub")


def set_dir(d: str | os.PathLike) -> None:
    """Use ``d`` (``~`` expanded) as the hub's cache directory."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


def _open(url: str, headers: dict | None = None):
    """``urlopen`` whose failure to reach the server (not an HTTP error) says what to do."""
    request = Request(url, headers={"User-Agent": "ember.hub", **(headers or {})})
    try:
        return urlopen(request)  # noqa: S310 - downloading what the caller asked for
    except HTTPError:
        raise
    except URLError as e:
        raise URLError(
            f"could not download {url} ({e.reason}). ember.hub needs network access for this; "
            f"offline, put the file in the cache under {get_dir()} first"
        ) from e


def download_url_to_file(
    url: str, dst: str, hash_prefix: str | None = None, progress: bool = True
) -> None:
    """Download ``url`` to the file ``dst``: written to a temporary file beside it, checked
    against ``hash_prefix`` (the start of its SHA-256 in hex) when given, then moved into place."""
    dst = os.path.expanduser(dst)
    folder = os.path.dirname(os.path.abspath(dst))
    tmp = tempfile.NamedTemporaryFile(delete=False, dir=folder, prefix=".ember-hub-")
    sha256 = hashlib.sha256()
    try:
        with _open(url) as response:
            total = response.headers.get("Content-Length") if response.headers else None
            done = 0
            while chunk := response.read(READ_DATA_CHUNK):
                tmp.write(chunk)
                sha256.update(chunk)
                done += len(chunk)
                if progress:
                    shown = f"{done}/{total}" if total else f"{done}"
                    sys.stderr.write(f"\r{shown} bytes")
        if progress:
            sys.stderr.write("\n")
        tmp.close()
        if hash_prefix is not None:
            digest = sha256.hexdigest()
            if digest[: len(hash_prefix)] != hash_prefix:
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(tmp.name, dst)
    finally:
        tmp.close()
        if os.path.exists(tmp.name):
            os.remove(tmp.name)


def _safe_extract(archive: zipfile.ZipFile, folder: str) -> None:
    """Extract every member, refusing names that would land outside ``folder``."""
    root = os.path.realpath(folder)
    for member in archive.infolist():
        target = os.path.realpath(os.path.join(root, member.filename))
        if os.path.commonpath([root, target]) != root:
            raise ValueError(f"The zip archive entry {member.filename!r} escapes {folder!r}")
    archive.extractall(root)


def _is_legacy_zip(path: str) -> bool:
    """A zip holding one file: how checkpoints of torch < 1.6 were published."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    return len(members) == 1 and not members[0].is_dir()


def load_state_dict_from_url(
    url: str,
    model_dir: str | None = None,
    map_location: Any = None,
    progress: bool = True,
    check_hash: bool = False,
    file_name: str | None = None,
    weights_only: bool = False,
) -> dict[str, Any]:
    """Download the checkpoint at ``url`` into ``model_dir`` (default ``get_dir()/checkpoints``)
    unless it is there already, and load it with ``ember.load``.

    With ``check_hash`` the digits after the last ``-`` of the file's name (``resnet18-f37072fd
    .pth``) must start its SHA-256. Ember always loads with ``weights_only=True``, whatever
    ``weights_only`` says: a checkpoint is data, never code to run.
    """
    from .serialization import load as ember_load

    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn(
            "TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead", stacklevel=2
        )
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name or os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stderr.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            match = HASH_REGEX.search(filename)
            hash_prefix = match.group(1) if match else None
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    if _is_legacy_zip(cached_file):
        warnings.warn(
            "Falling back to the old format < 1.6. This support will be deprecated in favor of "
            "default zipfile format introduced in 1.6. Please redo "
            f"{D.NAMESPACE}.save() to save it in the new zipfile format.",
            FutureWarning,
            stacklevel=2,
        )
        with zipfile.ZipFile(cached_file) as archive:
            inner = archive.infolist()[0].filename
            _safe_extract(archive, model_dir)
        cached_file = os.path.join(model_dir, inner)
    return ember_load(cached_file, map_location=map_location, weights_only=True)


# -- hubconf.py entry points ----------------------------------------------------------------------
def _parse_repo_info(github: str) -> tuple[str, str, str | None]:
    """``'owner/name[:ref]'`` as (owner, name, ref); ref None when not given."""
    repo_info, _, ref = github.partition(":")
    owner, name = repo_info.split("/")
    return owner, name, ref or None


def _check_trusted(repo_owner: str, owner_name_ref: str, trust_repo, calling_fn: str) -> None:
    """torch's ``trust_repo`` rules: True records the repository as trusted; ``'check'`` and
    False ask (``'check'`` only when it is not recorded yet); None only warns."""
    hub_dir = get_dir()
    trusted_file = os.path.join(hub_dir, "trusted_list")
    trusted: builtins.list[str] = []
    if os.path.exists(trusted_file):
        with open(trusted_file, encoding="utf-8") as f:
            trusted = [line.strip() for line in f]
    owner_name = "_".join(owner_name_ref.split("_")[:2])
    # a repository downloaded before the trust check existed counts as trusted
    cached_before = os.path.exists(os.path.join(hub_dir, owner_name_ref))
    is_trusted = owner_name in trusted or cached_before or repo_owner in _TRUSTED_REPO_OWNERS
    if trust_repo is None:
        if not is_trusted:
            warnings.warn(
                "You are about to download and run code from an untrusted repository. In a future "
                "release, this won't be allowed. To add the repository to your trusted list, "
                f"change the command to {calling_fn}(..., trust_repo=False) and a command prompt "
                f"will appear asking for an explicit confirmation of trust, or {calling_fn}(..., "
                "trust_repo=True), which will assume that the prompt is to be answered with 'yes'."
                " You can also use load(..., trust_repo='check') which will only prompt for "
                "confirmation if the repo is not already trusted. This will eventually be the "
                "default behaviour",
                stacklevel=3,
            )
        return
    record = trust_repo is True and not is_trusted
    if trust_repo is False or (trust_repo == "check" and not is_trusted):
        answer = input(
            f"The repository {owner_name} does not belong to the list of trusted repositories "
            "and as such cannot be downloaded. Do you trust this repository and wish to add it to "
            "the trusted list of repositories (y/N)?"
        )
        if answer.lower() in ("n", "no", ""):
            raise Exception("Untrusted repository.")  # noqa: TRY002 - torch's exception type
        if answer.lower() not in ("y", "yes"):
            raise ValueError(f"Unrecognized response {answer}.")
        record = owner_name not in trusted
    if record:
        os.makedirs(hub_dir, exist_ok=True)
        with open(trusted_file, "a", encoding="utf-8") as f:
            f.write(owner_name + "\n")


def _repo_dir(github: str, force_reload: bool, trust_repo, calling_fn: str, verbose: bool) -> str:
    """The cached copy of a GitHub repository, downloaded (after the trust check) if needed."""
    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    owner, name, ref = _parse_repo_info(github)
    if ref is None:
        # torch asks GitHub for the default branch; Ember takes a cached 'main' or 'master',
        # else downloads 'main', and 'master' when there is no 'main'
        for branch in ("main", "master"):
            cached = os.path.exists(os.path.join(hub_dir, f"{owner}_{name}_{branch}"))
            if cached and not force_reload:
                return _repo_dir(f"{github}:{branch}", False, trust_repo, calling_fn, verbose)
        try:
            return _repo_dir(f"{github}:main", force_reload, trust_repo, calling_fn, verbose)
        except HTTPError as e:
            if e.code != 404:
                raise
            return _repo_dir(f"{github}:master", force_reload, trust_repo, calling_fn, verbose)
    normalized_ref = ref.replace("/", "_")  # a branch such as 'fix/x' names one folder
    owner_name_ref = "_".join([owner, name, normalized_ref])
    repo_dir = os.path.join(hub_dir, owner_name_ref)
    _check_trusted(owner, owner_name_ref, trust_repo, calling_fn)
    if os.path.exists(repo_dir) and not force_reload:
        if verbose:
            sys.stderr.write(f"Using cache found in {repo_dir}\n")
        return repo_dir
    cached_zip = os.path.join(hub_dir, normalized_ref + ".zip")
    if os.path.exists(cached_zip):
        os.remove(cached_zip)
    url = f"https://github.com/{owner}/{name}/zipball/{ref}"
    sys.stderr.write(f'Downloading: "{url}" to {cached_zip}\n')
    download_url_to_file(url, cached_zip, progress=False)
    try:
        with zipfile.ZipFile(cached_zip) as archive:
            top = archive.infolist()[0].filename.split("/")[0]
            _safe_extract(archive, hub_dir)
        if os.path.exists(repo_dir):
            shutil.rmtree(repo_dir)
        shutil.move(os.path.join(hub_dir, top), repo_dir)
    finally:
        os.remove(cached_zip)
    return repo_dir


def _import_hubconf(repo_dir: str) -> types.ModuleType:
    """Run ``repo_dir/hubconf.py`` (with ``repo_dir`` on ``sys.path`` meanwhile), checking
    its ``dependencies`` are importable; it is not added to ``sys.modules``."""
    path = os.path.join(repo_dir, MODULE_HUBCONF)
    spec = importlib.util.spec_from_file_location(MODULE_HUBCONF[:-3], path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, repo_dir)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(repo_dir)
    dependencies = getattr(module, VAR_DEPENDENCY, None)
    if dependencies is not None:
        missing = [pkg for pkg in dependencies if importlib.util.find_spec(pkg) is None]
        if missing:
            raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")
    return module


def _entry(module: types.ModuleType, model) -> Any:
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    func = getattr(module, model, None)
    if func is None or not callable(func):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return func


def list(  # noqa: A001 - torch's name
    github: str,
    force_reload: bool = False,
    skip_validation: bool = False,
    trust_repo: bool | str | None = "check",
    verbose: bool = True,
) -> builtins.list[str]:
    """The callable entry points of the repository's ``hubconf.py`` (``'owner/name[:ref]'``).
    ``skip_validation`` is accepted; Ember does not ask GitHub's API about the ref."""
    repo_dir = _repo_dir(github, force_reload, trust_repo, "list", verbose)
    module = _import_hubconf(repo_dir)
    return [f for f in dir(module) if callable(getattr(module, f)) and not f.startswith("_")]


def help(  # noqa: A001 - torch's name
    github: str,
    model: str,
    force_reload: bool = False,
    skip_validation: bool = False,
    trust_repo: bool | str | None = "check",
) -> str | None:
    """The docstring of entry point ``model`` in the repository's ``hubconf.py``."""
    repo_dir = _repo_dir(github, force_reload, trust_repo, "help", True)
    return _entry(_import_hubconf(repo_dir), model).__doc__


def load(
    repo_or_dir: str,
    model: str,
    *args,
    source: str = "github",
    trust_repo: bool | str | None = "check",
    force_reload: bool = False,
    verbose: bool = True,
    skip_validation: bool = False,
    **kwargs,
) -> Any:
    """``model(*args, **kwargs)`` from the ``hubconf.py`` of a GitHub repository
    (``source='github'``, ``'owner/name[:ref]'``) or of a local directory (``source='local'``)."""
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "github":
        repo_or_dir = _repo_dir(repo_or_dir, force_reload, trust_repo, "load", verbose)
    return _entry(_import_hubconf(repo_or_dir), model)(*args, **kwargs)
