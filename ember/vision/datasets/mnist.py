"""MNIST-style datasets read from IDX files (raw or gzip-compressed)."""

from __future__ import annotations

import gzip
import os
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import ember

from .utils import VisionDataset, download_url, verify_str_arg

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "read_idx"]

# IDX type byte -> big-endian NumPy dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT")
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CHUNK = 1 << 20


def _open_idx(path: str):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _read_exact(f: Any, n: int, path: str, what: str) -> bytes:
    # Read in bounded chunks: never ask for (and so never allocate) more than the file yields.
    parts, got = [], 0
    while got < n:
        chunk = f.read(min(_CHUNK, n - got))
        if not chunk:
            raise ValueError(f"IDX file {path} is truncated: {what} needs {n} bytes, found {got}")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (``.gz`` or raw) into a native-endian array of the shape its header gives.

    The header is checked (zero magic bytes, known type, 1-3 dims) and the size it claims is
    compared with the data actually present before any array is allocated.
    """
    path = os.fspath(path)
    try:
        with _open_idx(path) as f:
            magic = _read_exact(f, 4, path, "the magic number")
            if magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_DTYPES:
                raise ValueError(
                    f"{path} is not an IDX file: bad magic number 0x{magic.hex()} (expected "
                    "0x0000TTDD with a known type TT)"
                )
            dtype, ndim = _IDX_DTYPES[magic[2]], magic[3]
            if not 1 <= ndim <= 3:
                raise ValueError(f"IDX file {path} has {ndim} dimensions; expected 1 to 3")
            dims = tuple(
                int(d) for d in np.frombuffer(_read_exact(f, 4 * ndim, path, "the header"), ">u4")
            )
            nbytes = int(np.prod(dims, dtype=object)) * dtype.itemsize
            if not path.endswith(".gz"):
                available = os.fstat(f.fileno()).st_size - 4 - 4 * ndim
                if available != nbytes:
                    raise ValueError(
                        f"IDX file {path} is truncated or padded: header says {dims} "
                        f"({nbytes} bytes of data) but the file holds {available}"
                    )
            payload = _read_exact(f, nbytes, path, f"data of shape {dims}")
            if f.read(1):
                raise ValueError(
                    f"IDX file {path} has data past the {nbytes} bytes its header {dims} describes"
                )
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"IDX file {path} could not be read: {e}") from e
    return np.frombuffer(payload, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="))


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_ Dataset.

    Args:
        root: directory holding ``MNIST/raw/train-images-idx3-ubyte`` etc.; each file may also be
            present only gzip-compressed (``...-ubyte.gz``).
        train: the 60,000 training images if True, else the 10,000 test images.
        transform: callable applied to the PIL image (mode ``"L"``).
        target_transform: callable applied to the int target.
        download: fetch the ``.gz`` files (MD5-checked) into ``raw/`` if missing.

    ``data`` is an ``(N, 28, 28)`` uint8 tensor and ``targets`` an ``(N,)`` int64 tensor.
    """

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: str | Path,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    @property
    def images_file(self) -> str:
        return os.path.join(
            self.raw_folder, f"{'train' if self.train else 't10k'}-images-idx3-ubyte"
        )

    @property
    def labels_file(self) -> str:
        return os.path.join(
            self.raw_folder, f"{'train' if self.train else 't10k'}-labels-idx1-ubyte"
        )

    @staticmethod
    def _present(path: str) -> str | None:
        """The raw file if present, else its ``.gz``, else None."""
        for candidate in (path, path + ".gz"):
            if os.path.isfile(candidate):
                return candidate
        return None

    def _required_files(self) -> list[str]:
        return [
            os.path.join(self.raw_folder, os.path.splitext(name)[0]) for name, _ in self.resources
        ]

    def _check_exists(self) -> bool:
        return all(self._present(p) is not None for p in self._required_files())

    def _load_data(self) -> tuple[ember.Tensor, ember.Tensor]:
        images_path = self._present(self.images_file)
        labels_path = self._present(self.labels_file)
        if images_path is None or labels_path is None:
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(
                f"{images_path}: expected a 3-dimensional uint8 IDX file, got {images.ndim} "
                f"dimensions of {images.dtype}"
            )
        if labels.dtype != np.uint8 or labels.ndim != 1:
            raise ValueError(
                f"{labels_path}: expected a 1-dimensional uint8 IDX file, got {labels.ndim} "
                f"dimensions of {labels.dtype}"
            )
        if len(images) != len(labels):
            raise ValueError(
                f"{images_path} holds {len(images)} images but {labels_path} holds "
                f"{len(labels)} labels"
            )
        return ember.from_numpy(images), ember.from_numpy(labels.astype(np.int64))

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a PIL image of mode ``"L"`` and the class index."""
        from PIL import Image

        img, target = self.data[index], int(self.targets[index])
        return self._apply_transforms(Image.fromarray(img.numpy(), mode="L"), target)

    def __len__(self) -> int:
        return len(self.data)

    def download(self) -> None:
        """Fetch the ``.gz`` files into ``raw_folder``, trying each mirror in turn."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            if self._present(os.path.join(self.raw_folder, os.path.splitext(filename)[0])):
                continue
            errors = []
            for mirror in self.mirrors:
                try:
                    download_url(mirror + filename, self.raw_folder, filename, md5)
                    break
                except RuntimeError as e:
                    errors.append(f"Tried {mirror}, got:\n{e}")
            else:
                raise RuntimeError(f"Error downloading {filename}:\n" + "\n".join(errors))

    def extra_repr(self) -> str:
        """The split line of the repr: ``Split: Train`` or ``Split: Test``."""
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_ Dataset.

    Same layout as :class:`MNIST` under ``root/FashionMNIST/raw``.
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_ Dataset.

    Same layout as :class:`MNIST` under ``root/KMNIST/raw``.
    """

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


_MERGED = set("cijklmopsuvwxyz")
_ALL = set(string.digits + string.ascii_letters)


class EMNIST(MNIST):
    """`EMNIST <https://www.westernsydney.edu.au/bens/home/reproducible_research/emnist>`_ Dataset.

    Reads ``root/EMNIST/raw/emnist-{split}-{train|test}-{images-idx3|labels-idx1}-ubyte[.gz]``.
    ``download`` is not supported (the official archive is a 560 MB zip); place the files there.
    Like torchvision, images are stored transposed in the files and are returned as stored.
    """

    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    classes_split_dict = {
        "byclass": sorted(_ALL),
        "bymerge": sorted(_ALL - _MERGED),
        "balanced": sorted(_ALL - _MERGED),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root: str | Path, split: str, **kwargs: Any) -> None:
        self.split = verify_str_arg(split, "split", self.splits)
        self.classes = self.classes_split_dict[self.split]
        super().__init__(root, **kwargs)

    @property
    def _file_prefix(self) -> str:
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _required_files(self) -> list[str]:
        return [self.images_file, self.labels_file]

    def download(self) -> None:
        """Do nothing if the IDX files are present; else raise, as Ember cannot fetch EMNIST."""
        if self._check_exists():
            return
        raise RuntimeError(
            f"EMNIST download is not supported; place the IDX files under {self.raw_folder}"
        )
