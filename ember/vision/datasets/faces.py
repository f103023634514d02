"""Face datasets: CelebA, FER2013 and Labeled Faces in the Wild (LFWPeople, LFWPairs)."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

import ember

from ._listing import NOT_FOUND_OR_CORRUPTED, open_image, split_repr
from .folder import default_loader
from .utils import VisionDataset, check_integrity, verify_str_arg

__all__ = ["CelebA", "FER2013", "LFWPairs", "LFWPeople"]


class _Table(NamedTuple):
    header: list[str]
    index: list[str]
    data: np.ndarray


class CelebA(VisionDataset):
    """`Large-scale CelebFaces Attributes (CelebA) <https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html>`_
    Dataset (the aligned and cropped images).

    Args:
        root: directory holding ``celeba/img_align_celeba/`` and the ``celeba/*.txt`` lists.
        split: ``"train"``, ``"valid"``, ``"test"`` or ``"all"``.
        target_type: ``"attr"`` (40 binary attributes), ``"identity"``, ``"bbox"``,
            ``"landmarks"``, or a list of them (the target is then a tuple; ``None`` if empty).
            Targets are int64 tensors.
        transform: callable applied to the PIL image.
        target_transform: callable applied to the target.
        download: the files live on Google Drive, which Ember does not download from: with
            files missing this raises a ``RuntimeError`` saying where to put them.
    """

    base_folder = "celeba"
    file_list = [
        (
            "0B7EVK8r0v71pZjFTYXZWM3FlRnM",
            "00d2c5bc6d35e252742224ab0c1e8fcb",
            "img_align_celeba.zip",
        ),
        (
            "0B7EVK8r0v71pblRyaVFSWGxPY0U",
            "75e246fa4810816ffd6ee81facbd244c",
            "list_attr_celeba.txt",
        ),
        (
            "1_ee_0u7vcNLOfNLegJRHmolfH5ICW-XS",
            "32bd1bd63d3c78cd57e08160ec5ed1e2",
            "identity_CelebA.txt",
        ),
        (
            "0B7EVK8r0v71pbThiMVRxWXZ4dU0",
            "00566efa6fedff7a56946cd1c10f1c16",
            "list_bbox_celeba.txt",
        ),
        (
            "0B7EVK8r0v71pd0FJY3Blby1HUTQ",
            "cc24ecafdb5b50baae59b03474781f8c",
            "list_landmarks_align_celeba.txt",
        ),
        (
            "0B7EVK8r0v71pY0NSMzRuSXJEVkk",
            "d32c9cbf5e040fd4025c592c306e6668",
            "list_eval_partition.txt",
        ),
    ]
    _SPLITS = {"train": 0, "valid": 1, "test": 2, "all": None}

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        target_type: list[str] | str = "attr",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = split
        self.target_type = target_type if isinstance(target_type, list) else [target_type]
        if not self.target_type and self.target_transform is not None:
            raise RuntimeError("target_transform is specified but target_type is empty")
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        chosen = split.lower() if isinstance(split, str) else split
        split_id = self._SPLITS[verify_str_arg(chosen, "split", tuple(self._SPLITS))]
        splits = self._load_csv("list_eval_partition.txt")
        identity = self._load_csv("identity_CelebA.txt")
        bbox = self._load_csv("list_bbox_celeba.txt", header=1)
        landmarks_align = self._load_csv("list_landmarks_align_celeba.txt", header=1)
        attr = self._load_csv("list_attr_celeba.txt", header=1)
        if split_id is None:
            mask: Any = slice(None)
            self.filename = splits.index
        else:
            mask = splits.data[:, 0] == split_id
            self.filename = [splits.index[i] for i in np.flatnonzero(mask)]
        self.identity = ember.from_numpy(identity.data[mask])
        self.bbox = ember.from_numpy(bbox.data[mask])
        self.landmarks_align = ember.from_numpy(landmarks_align.data[mask])
        # {-1, 1} -> {0, 1}
        self.attr = ember.from_numpy((attr.data[mask] + 1) // 2)
        self.attr_names = attr.header

    def _load_csv(self, filename: str, header: int | None = None) -> _Table:
        path = os.path.join(self.root, self.base_folder, filename)
        with open(path) as csv_file:
            rows = list(csv.reader(csv_file, delimiter=" ", skipinitialspace=True))
        headers: list[str] = []
        if header is not None:
            headers, rows = rows[header], rows[header + 1 :]
        try:
            data = np.array([[int(v) for v in row[1:]] for row in rows], dtype=np.int64)
        except ValueError as e:
            raise RuntimeError(f"CelebA file {path}: {e}") from e
        return _Table(headers, [row[0] for row in rows], data.reshape(len(rows), -1))

    def _check_integrity(self) -> bool:
        folder = os.path.join(self.root, self.base_folder)
        lists = [name for _, _, name in self.file_list if not name.endswith(".zip")]
        return all(check_integrity(os.path.join(folder, n)) for n in lists) and os.path.isdir(
            os.path.join(folder, "img_align_celeba")
        )

    def download(self) -> None:
        """Raise unless the files are present: CelebA is only on Google Drive."""
        if self._check_integrity():
            return
        raise RuntimeError(
            "CelebA is hosted on Google Drive, which Ember does not download from. Download "
            "img_align_celeba.zip (extracted) and the list files from "
            "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html into "
            f"{os.path.join(self.root, self.base_folder)}"
        )

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)`` with the target built from ``target_type``."""
        path = os.path.join(self.root, self.base_folder, "img_align_celeba", self.filename[index])
        image = open_image(path, mode=None)
        target: Any = []
        for t in self.target_type:
            if t == "attr":
                target.append(self.attr[index, :])
            elif t == "identity":
                target.append(self.identity[index, 0])
            elif t == "bbox":
                target.append(self.bbox[index, :])
            elif t == "landmarks":
                target.append(self.landmarks_align[index, :])
            else:
                raise ValueError(f'Target type "{t}" is not recognized.')
        if self.transform is not None:
            image = self.transform(image)
        if target:
            target = tuple(target) if len(target) > 1 else target[0]
            if self.target_transform is not None:
                target = self.target_transform(target)
        else:
            target = None
        return image, target

    def __len__(self) -> int:
        return len(self.attr)

    def extra_repr(self) -> str:
        """The target-type and split lines of the repr."""
        return f"Target type: {self.target_type}\nSplit: {self.split}"


class FER2013(VisionDataset):
    """`FER2013 <https://www.kaggle.com/c/challenges-in-representation-learning-facial-expression-recognition-challenge>`_
    Dataset: 48x48 grayscale faces, 7 expressions.

    Args:
        root: directory holding ``fer2013/fer2013.csv``, ``fer2013/icml_face_data.csv``, or
            ``fer2013/train.csv`` and ``fer2013/test.csv`` (used in that order of preference; only
            the first two have test labels, else test targets are ``None``).
        split: ``"train"`` or ``"test"``.
        transform: callable applied to the PIL image (mode ``"L"``).
        target_transform: callable applied to the target.
    """

    _RESOURCES = {
        "train": ("train.csv", "3f0dfb3d3fd99c811a1299cb947e3131"),
        "test": ("test.csv", "b02c2298636a634e8c2faabbf3ea9a23"),
        "fer": ("fer2013.csv", "f8428a1edbd21e88f42c73edd2a14f95"),
        "icml": ("icml_face_data.csv", "b114b9e04e6949e5fe8b6a98b3892b1d"),
    }
    _KAGGLE = (
        "https://www.kaggle.com/c/"
        "challenges-in-representation-learning-facial-expression-recognition-challenge"
    )

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ) -> None:
        self._split = verify_str_arg(split, "split", ("train", "test"))
        super().__init__(root, transform=transform, target_transform=target_transform)
        base_folder = Path(self.root) / "fer2013"
        use_fer = (base_folder / self._RESOURCES["fer"][0]).exists()
        use_icml = not use_fer and (base_folder / self._RESOURCES["icml"][0]).exists()
        file_name, _ = self._RESOURCES["fer" if use_fer else "icml" if use_icml else self._split]
        data_file = base_folder / file_name
        if not check_integrity(str(data_file)):
            raise RuntimeError(
                f"{file_name} not found in {base_folder} or corrupted. "
                f"You can download it from {self._KAGGLE}"
            )
        # icml_face_data.csv has a space after each comma of its header.
        pixels_key = " pixels" if use_icml else "pixels"
        usage_key = " Usage" if use_icml else "Usage"
        labelled = use_fer or use_icml or self._split == "train"
        with open(data_file, newline="") as file:
            rows: Any = csv.DictReader(file)
            if use_fer or use_icml:
                keep = ("Training",) if self._split == "train" else ("PublicTest", "PrivateTest")
                rows = (row for row in rows if row[usage_key] in keep)
            self._samples = [
                (_face(row[pixels_key], data_file), int(row["emotion"]) if labelled else None)
                for row in rows
            ]

    def __len__(self) -> int:
        return len(self._samples)

    def __getitem__(self, idx: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a 48x48 PIL image of mode ``"L"`` and the expression."""
        from PIL import Image

        pixels, target = self._samples[idx]
        return self._apply_transforms(Image.fromarray(pixels), target)

    def extra_repr(self) -> str:
        """The split line of the repr."""
        return split_repr(self)


def _face(pixels: str, path: Path) -> np.ndarray:
    values = [int(v) for v in pixels.split()]
    if len(values) != 48 * 48 or min(values, default=0) < 0 or max(values, default=0) > 255:
        raise RuntimeError(f"FER2013 file {path}: a row does not hold 48x48 pixel values 0-255")
    return np.array(values, dtype=np.uint8).reshape(48, 48)


class _LFW(VisionDataset):
    base_folder = "lfw-py"
    download_url_prefix = "http://vis-www.cs.umass.edu/lfw/"
    file_dict = {
        "original": ("lfw", "lfw.tgz", "a17d05bd522c52d84eca14327a23d494"),
        "funneled": ("lfw_funneled", "lfw-funneled.tgz", "1b42dfed7d15c9b2dd63d5e5840c86ad"),
        "deepfunneled": (
            "lfw-deepfunneled",
            "lfw-deepfunneled.tgz",
            "68331da3eb755a505a502b5aacb3c201",
        ),
    }
    annot_file = {"10fold": "", "train": "DevTrain", "test": "DevTest"}
    names = "lfw-names.txt"
    _view = ""

    def __init__(
        self,
        root: str | Path,
        split: str = "10fold",
        image_set: str = "funneled",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str], Any] = default_loader,
    ) -> None:
        super().__init__(
            os.path.join(root, self.base_folder),
            transform=transform,
            target_transform=target_transform,
        )
        self.image_set = verify_str_arg(image_set.lower(), "image_set", tuple(self.file_dict))
        images_dir, self.filename, self.md5 = self.file_dict[self.image_set]
        self.view = self._view
        self.split = verify_str_arg(split.lower(), "split", ("10fold", "train", "test"))
        self.labels_file = f"{self.view}{self.annot_file[self.split]}.txt"
        self.data: list[Any] = []
        if download:
            # torchvision's wording, run-on sentences included.
            raise ValueError(
                "LFW dataset is no longer available for automatic download."
                "Please download the dataset manually and place it in the specified directory."
                "A commonly used mirror is available at: "
                "https://www.kaggle.com/datasets/jessicali9530/lfw-dataset"
            )
        self.images_dir = os.path.join(self.root, images_dir)
        if not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        self._loader = loader
        self._load()

    def _load(self) -> None:
        raise NotImplementedError

    def _check_integrity(self) -> bool:
        # The extracted images and the list files; torchvision also demands the archive.
        needed = [self.labels_file] + ([self.names] if self.view == "people" else [])
        files = all(check_integrity(os.path.join(self.root, name)) for name in needed)
        return files and os.path.isdir(self.images_dir)

    def _read_lines(self, name: str) -> list[str]:
        with open(os.path.join(self.root, name)) as f:
            return f.readlines()

    def _get_path(self, identity: str, no: int | str) -> str:
        return os.path.join(self.images_dir, identity, f"{identity}_{int(no):04d}.jpg")

    def extra_repr(self) -> str:
        """The alignment and split lines of the repr."""
        return f"Alignment: {self.image_set}\nSplit: {self.split}"

    def __len__(self) -> int:
        return len(self.data)


class LFWPeople(_LFW):
    """`LFW <http://vis-www.cs.umass.edu/lfw/>`_ Dataset, "people" view: face image -> identity.

    Args:
        root: directory holding ``lfw-py/<images dir>/<name>/<name>_NNNN.jpg``,
            ``lfw-py/people[DevTrain|DevTest].txt`` and ``lfw-py/lfw-names.txt``.
        split: ``"10fold"`` (default), ``"train"`` or ``"test"``.
        image_set: ``"original"`` (``lfw``), ``"funneled"`` (``lfw_funneled``, default) or
            ``"deepfunneled"`` (``lfw-deepfunneled``).
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        download: no longer possible (raises ``ValueError``, as torchvision).
        loader: callable loading an image from its path.
    """

    _view = "people"

    def _load(self) -> None:
        names = [line.strip().split()[0] for line in self._read_lines(self.names)]
        self.class_to_idx = {name: i for i, name in enumerate(names)}
        self.data, self.targets = self._get_people()

    def _get_people(self) -> tuple[list[str], list[int]]:
        data, targets = [], []
        lines = self._read_lines(self.labels_file)
        n_folds, s = (int(lines[0]), 1) if self.split == "10fold" else (1, 0)
        for _ in range(n_folds):
            n_lines = int(lines[s])
            people = [line.strip().split("\t") for line in lines[s + 1 : s + n_lines + 1]]
            s += n_lines + 1
            for identity, num_imgs in people:
                for num in range(1, int(num_imgs) + 1):
                    data.append(self._get_path(identity, num))
                    targets.append(self.class_to_idx[identity])
        return data, targets

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: the face and the identity index."""
        return self._apply_transforms(self._loader(self.data[index]), self.targets[index])

    def extra_repr(self) -> str:
        """The alignment, split and number-of-identities lines of the repr."""
        return super().extra_repr() + f"\nClasses (identities): {len(self.class_to_idx)}"


class LFWPairs(_LFW):
    """`LFW <http://vis-www.cs.umass.edu/lfw/>`_ Dataset, "pairs" view: two faces -> same person?

    Args:
        root: directory holding ``lfw-py/<images dir>/...`` and
            ``lfw-py/pairs[DevTrain|DevTest].txt``.
        split: ``"10fold"`` (default), ``"train"`` or ``"test"``.
        image_set: ``"original"``, ``"funneled"`` (default) or ``"deepfunneled"``.
        transform: callable applied to each of the two loaded images.
        target_transform: callable applied to the int target (1: same identity, 0: not).
        download: no longer possible (raises ``ValueError``, as torchvision).
        loader: callable loading an image from its path.
    """

    _view = "pairs"

    def _load(self) -> None:
        self.pair_names, self.data, self.targets = self._get_pairs()

    def _get_pairs(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[int]]:
        pair_names, data, targets = [], [], []
        lines = self._read_lines(self.labels_file)
        if self.split == "10fold":
            n_folds, n_pairs = (int(v) for v in lines[0].split("\t"))
        else:
            n_folds, n_pairs = 1, int(lines[0])
        s = 1
        for _ in range(n_folds):
            block = [line.strip().split("\t") for line in lines[s : s + 2 * n_pairs]]
            s += 2 * n_pairs
            for name, a, b in block[:n_pairs]:
                pair_names.append((name, name))
                data.append((self._get_path(name, a), self._get_path(name, b)))
                targets.append(1)
            for name1, a, name2, b in block[n_pairs:]:
                pair_names.append((name1, name2))
                data.append((self._get_path(name1, a), self._get_path(name2, b)))
                targets.append(0)
        return pair_names, data, targets

    def __getitem__(self, index: int) -> tuple[Any, Any, int]:
        """Returns ``(image1, image2, target)``: 1 if both show the same person, else 0."""
        path1, path2 = self.data[index]
        img1, img2 = self._loader(path1), self._loader(path2)
        target = self.targets[index]
        if self.transform is not None:
            img1, img2 = self.transform(img1), self.transform(img2)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img1, img2, target
