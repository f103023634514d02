"""Shared pieces of the dataset readers: the base class, integrity checks, downloads, extraction."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ember.utils.data import Dataset

__all__ = [
    "VisionDataset",
    "StandardTransform",
    "calculate_md5",
    "check_md5",
    "check_integrity",
    "download_url",
    "extract_archive",
    "download_and_extract_archive",
    "verify_str_arg",
]

USER_AGENT = "ember/vision"
DOWNLOAD_TIMEOUT_S = 30.0


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(
        self, transform: Callable | None = None, target_transform: Callable | None = None
    ) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input: Any, target: Any) -> tuple[Any, Any]:
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    @staticmethod
    def _format_transform_repr(transform: Callable, head: str) -> list[str]:
        lines = repr(transform).splitlines()
        return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]

    def __repr__(self) -> str:
        body = [type(self).__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)


class VisionDataset(Dataset):
    """Base class of the vision datasets: root, transforms and torchvision's ``repr``.

    Args:
        root: where the dataset lives (``~`` is expanded for strings); only shown by ``repr``.
        transforms: a callable taking and returning ``(input, target)``.
        transform: a callable applied to the input (usually a PIL image).
        target_transform: a callable applied to the target.
    """

    _repr_indent = 4

    def __init__(
        self,
        root: str | Path | None = None,
        transforms: Callable | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ) -> None:
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        has_separate = transform is not None or target_transform is not None
        if transforms is not None and has_separate:
            raise ValueError(
                "Only transforms or transform/target_transform can be passed as argument"
            )
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def _apply_transforms(self, sample: Any, target: Any) -> tuple[Any, Any]:
        # Items apply transform / target_transform (not a user's joint ``transforms``), exactly
        # what StandardTransform does with the same two attributes.
        return StandardTransform.__call__(self, sample, target)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        indent = " " * self._repr_indent
        return "\n".join([f"Dataset {type(self).__name__}"] + [indent + line for line in body])

    def extra_repr(self) -> str:
        """Extra lines for the repr, after the size and root; none by default."""
        return ""


def calculate_md5(fpath: str | Path, chunk_size: int = 1024 * 1024) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath: str | Path, md5: str) -> bool:
    return md5 == calculate_md5(fpath)


def check_integrity(fpath: str | Path, md5: str | None = None) -> bool:
    """True if ``fpath`` is a file and, when ``md5`` is given, has that MD5 digest."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def verify_str_arg(value: Any, arg: str, valid_values: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Expected type str for argument {arg}, but got type {type(value)}.")
    if value not in valid_values:
        choices = "'" + "', '".join(valid_values) + "'"
        raise ValueError(
            f"Unknown value '{value}' for argument {arg}. Valid values are {{{choices}}}."
        )
    return value


def _fetch(url: str, dest: str) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with (
        urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response,
        open(dest, "wb") as out,
    ):
        shutil.copyfileobj(response, out, length=1024 * 1024)


def download_url(
    url: str, root: str | Path, filename: str | None = None, md5: str | None = None
) -> str:
    """Download ``url`` to ``root/filename`` unless an intact copy is already there.

    The file is written under a temporary name and moved into place only once complete and, when
    ``md5`` is given, verified, so a failed download leaves nothing behind that looks valid.
    Returns the path of the file. Raises ``RuntimeError`` when the download fails.
    """
    root = os.path.expanduser(os.fspath(root))
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    if check_integrity(fpath, md5):
        return fpath
    os.makedirs(root, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=root)
    os.close(fd)
    try:
        try:
            _fetch(url, tmp)
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            raise RuntimeError(
                f"Could not download {url}: {reason}. Check the network connection, or place the "
                f"file at {fpath} yourself."
            ) from e
        if md5 is not None:
            got = calculate_md5(tmp)
            if got != md5:
                raise RuntimeError(
                    f"Downloaded file from {url} is corrupted: MD5 {got}, expected {md5}."
                )
        os.replace(tmp, fpath)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return fpath


def _check_member_path(name: str, to_path: str, archive: str) -> str:
    target = os.path.realpath(os.path.join(to_path, name))
    base = os.path.realpath(to_path)
    if os.path.isabs(name) or os.path.commonpath([base, target]) != base:
        raise RuntimeError(
            f"Refusing to extract {name!r} from {archive}: it would be written outside {to_path}."
        )
    return target


def _extract_tar(archive: str, to_path: str) -> None:
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for m in members:
            _check_member_path(m.name, to_path, archive)
            if m.issym() or m.islnk():
                link_base = os.path.dirname(m.name) if m.issym() else ""
                _check_member_path(os.path.join(link_base, m.linkname), to_path, archive)
            elif not (m.isfile() or m.isdir()):
                raise RuntimeError(
                    f"Refusing to extract {m.name!r} from {archive}: not a regular file or folder."
                )
        if hasattr(tarfile, "data_filter"):
            tar.extractall(to_path, members=members, filter="data")
        else:  # Python < 3.10.12 / 3.11.4: the checks above are the whole defence
            tar.extractall(to_path, members=members)


def _extract_zip(archive: str, to_path: str) -> None:
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            _check_member_path(name, to_path, archive)
        zf.extractall(to_path)


def extract_archive(from_path: str | Path, to_path: str | Path | None = None) -> str:
    """Extract a ``.tar[.gz|.bz2|.xz]``, ``.tgz`` or ``.zip`` archive, refusing any member whose
    path (or link target) would land outside ``to_path``. Returns ``to_path``."""
    from_path = os.fspath(from_path)
    to_path = os.fspath(to_path) if to_path is not None else os.path.dirname(from_path)
    if zipfile.is_zipfile(from_path):
        _extract_zip(from_path, to_path)
    elif tarfile.is_tarfile(from_path):
        _extract_tar(from_path, to_path)
    else:
        raise RuntimeError(f"{from_path} is neither a tar nor a zip archive.")
    return to_path


def download_and_extract_archive(
    url: str,
    download_root: str | Path,
    extract_root: str | Path | None = None,
    filename: str | None = None,
    md5: str | None = None,
    remove_finished: bool = False,
) -> None:
    """Download an archive with :func:`download_url` and extract it with :func:`extract_archive`."""
    download_root = os.path.expanduser(os.fspath(download_root))
    archive = download_url(url, download_root, filename, md5)
    extract_archive(archive, extract_root if extract_root is not None else download_root)
    if remove_finished:
        os.remove(archive)
