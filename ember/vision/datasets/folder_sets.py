"""Classification datasets laid out as folders of images: EuroSAT, Country211, Imagenette,
GTSRB, Caltech101, Caltech256 and Omniglot."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._listing import NOT_FOUND, NOT_FOUND_OR_CORRUPTED, SampleList, open_image
from ._matfile import loadmat
from .folder import ImageFolder, default_loader, find_classes, make_dataset
from .utils import VisionDataset, download_and_extract_archive, extract_archive, verify_str_arg

__all__ = [
    "Caltech101",
    "Caltech256",
    "Country211",
    "EuroSAT",
    "GTSRB",
    "Imagenette",
    "Omniglot",
]


class EuroSAT(ImageFolder):
    """`EuroSAT <https://github.com/phelber/eurosat>`_ Dataset (RGB, 10 land-use classes).

    Args:
        root: directory holding ``eurosat/2750/<class>/<image>``.
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        download: fetch and extract the archive if missing.
        loader: callable loading an image from its path.
    """

    _URL = (
        "https://huggingface.co/datasets/torchgeo/eurosat/resolve/"
        "c877bcd43f099cd0196738f714544e355477f3fd/EuroSAT.zip"
    )
    _MD5 = "c8fa014336c82ac7804f0398fcb19387"

    def __init__(
        self,
        root: str | Path,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str], Any] = default_loader,
    ) -> None:
        self.root = os.path.expanduser(root)
        self._base_folder = os.path.join(self.root, "eurosat")
        self._data_folder = os.path.join(self._base_folder, "2750")
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(NOT_FOUND)
        super().__init__(
            self._data_folder, transform=transform, target_transform=target_transform, loader=loader
        )
        self.root = os.path.expanduser(root)

    def _check_exists(self) -> bool:
        return os.path.exists(self._data_folder)

    def download(self) -> None:
        """Fetch and extract the archive unless the images are already present."""
        if self._check_exists():
            return
        os.makedirs(self._base_folder, exist_ok=True)
        download_and_extract_archive(self._URL, download_root=self._base_folder, md5=self._MD5)


class Country211(ImageFolder):
    """`Country211 <https://github.com/openai/CLIP/blob/main/data/country211.md>`_ Dataset
    (geolocation over 211 countries).

    Args:
        root: directory holding ``country211/{train,valid,test}/<country code>/<image>``.
        split: ``"train"``, ``"valid"`` or ``"test"``.
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        download: fetch and extract the archive if missing.
        loader: callable loading an image from its path.
    """

    _URL = "https://openaipublic.azureedge.net/clip/data/country211.tgz"
    _MD5 = "84988d7644798601126c29e9877aab6a"

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str], Any] = default_loader,
    ) -> None:
        self._split = verify_str_arg(split, "split", ("train", "valid", "test"))
        self.root = str(Path(root).expanduser())
        self._base_folder = Path(self.root) / "country211"
        if download:
            self._download()
        if not self._base_folder.is_dir():
            raise RuntimeError(NOT_FOUND)
        super().__init__(
            str(self._base_folder / self._split),
            transform=transform,
            target_transform=target_transform,
            loader=loader,
        )
        self.root = str(Path(root).expanduser())

    def _download(self) -> None:
        if not self._base_folder.is_dir():
            download_and_extract_archive(self._URL, download_root=self.root, md5=self._MD5)


class Imagenette(SampleList):
    """`Imagenette <https://github.com/fastai/imagenette#imagenette-1>`_ Dataset: 10 easy
    ImageNet classes.

    Args:
        root: directory holding ``imagenette2[-320|-160]/{train,val}/<wnid>/<image>.JPEG``.
        split: ``"train"`` or ``"val"``.
        size: ``"full"``, ``"320px"`` or ``"160px"``.
        download: fetch and extract the archive of that size if missing.
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        loader: callable loading an image from its path.

    ``classes`` holds a tuple of names per class; ``class_to_idx`` maps every name;
    ``wnids`` and ``wnid_to_idx`` give the WordNet ids.
    """

    _ARCHIVES = {
        "full": (
            "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2.tgz",
            "fe2fc210e6bb7c5664d602c3cd71e612",
        ),
        "320px": (
            "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-320.tgz",
            "3df6f0d01a2c9592104656642f5e78a3",
        ),
        "160px": (
            "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz",
            "e793b78cc4c9e9a4ccc0c1155377a412",
        ),
    }
    _WNID_TO_CLASS = {
        "n01440764": ("tench", "Tinca tinca"),
        "n02102040": ("English springer", "English springer spaniel"),
        "n02979186": ("cassette player",),
        "n03000684": ("chain saw", "chainsaw"),
        "n03028079": ("church", "church building"),
        "n03394916": ("French horn", "horn"),
        "n03417042": ("garbage truck", "dustcart"),
        "n03425413": ("gas pump", "gasoline pump", "petrol pump", "island dispenser"),
        "n03445777": ("golf ball",),
        "n03888257": ("parachute", "chute"),
    }

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        size: str = "full",
        download: bool = False,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        loader: Callable[[str], Any] = default_loader,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._split = verify_str_arg(split, "split", ["train", "val"])
        self._size = verify_str_arg(size, "size", ["full", "320px", "160px"])
        self._url, self._md5 = self._ARCHIVES[self._size]
        self._size_root = Path(self.root) / Path(self._url).stem
        self._image_root = str(self._size_root / self._split)
        if download:
            if not self._size_root.exists():
                download_and_extract_archive(self._url, self.root, md5=self._md5)
        elif not self._size_root.exists():
            raise RuntimeError(NOT_FOUND + ".")
        self.wnids, self.wnid_to_idx = find_classes(self._image_root)
        unknown = sorted(set(self.wnids) - set(self._WNID_TO_CLASS))
        if unknown:
            raise RuntimeError(f"Imagenette: unknown classes {unknown} in {self._image_root}")
        self.classes = [self._WNID_TO_CLASS[wnid] for wnid in self.wnids]
        self.class_to_idx = {
            name: idx
            for wnid, idx in self.wnid_to_idx.items()
            for name in self._WNID_TO_CLASS[wnid]
        }
        self._samples = make_dataset(self._image_root, self.wnid_to_idx, extensions=".jpeg")
        self.loader = loader


class GTSRB(SampleList):
    """`German Traffic Sign Recognition Benchmark <https://benchmark.ini.rub.de/>`_ Dataset.

    Args:
        root: directory holding ``gtsrb/GTSRB/Training/<class>/*.ppm`` (train) or
            ``gtsrb/GTSRB/Final_Test/Images/*.ppm`` with ``gtsrb/GT-final_test.csv`` (test).
        split: ``"train"`` or ``"test"``.
        transform: callable applied to the PIL RGB image.
        target_transform: callable applied to the int target.
        download: fetch and extract the archives of the split if missing.
    """

    _BASE_URL = "https://sid.erda.dk/public/archives/daaeac0d7ce1152aea9b61d9f1e19370/"
    _ARCHIVES = {
        "train": [("GTSRB-Training_fixed.zip", "513f3c79a4c5141765e10e952eaa2478")],
        "test": [
            ("GTSRB_Final_Test_Images.zip", "c7e4e6327067d32654124b0fe9e82185"),
            ("GTSRB_Final_Test_GT.zip", "fe31e9c9270bbcd7b84b7f21a9d9d9e5"),
        ],
    }

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._split = verify_str_arg(split, "split", ("train", "test"))
        self._base_folder = Path(self.root) / "gtsrb"
        sub = "Training" if self._split == "train" else "Final_Test/Images"
        self._target_folder = self._base_folder / "GTSRB" / sub
        if download:
            self.download()
        if not self._target_folder.is_dir():
            raise RuntimeError(NOT_FOUND)
        if self._split == "train":
            self._samples = make_dataset(str(self._target_folder), extensions=(".ppm",))
        else:
            with open(self._base_folder / "GT-final_test.csv") as csv_file:
                rows = csv.DictReader(csv_file, delimiter=";", skipinitialspace=True)
                self._samples = [
                    (str(self._target_folder / row["Filename"]), int(row["ClassId"]))
                    for row in rows
                ]
        self.loader = open_image

    def download(self) -> None:
        """Fetch and extract the split's archives unless the images are already present."""
        if self._target_folder.is_dir():
            return
        for name, md5 in self._ARCHIVES[self._split]:
            download_and_extract_archive(
                self._BASE_URL + name, download_root=str(self._base_folder), md5=md5
            )


def _open_as_stored(path: str) -> Any:
    return open_image(path, mode=None)


class Caltech101(VisionDataset):
    """`Caltech 101 <https://data.caltech.edu/records/20086>`_ Dataset.

    Args:
        root: directory holding ``caltech101/101_ObjectCategories/<category>/image_NNNN.jpg``
            (and ``caltech101/Annotations`` for ``"annotation"`` targets).
        target_type: ``"category"``, ``"annotation"`` (the outline points, a float64
            ``(2, N)`` array from the annotation ``.mat`` file) or a list of both.
        transform: callable applied to the PIL image (in the mode stored; some are grayscale).
        target_transform: callable applied to the target.
        download: fetch and extract the archive if missing.

    ``BACKGROUND_Google`` is not a class. ``categories`` lists the class folder names.
    """

    _URL = "https://data.caltech.edu/records/mzrjq-6wc02/files/caltech-101.zip"
    _MD5 = "3138e1922a9193bfa496528edbbc45d0"
    _NAME_MAP = {
        "Faces": "Faces_2",
        "Faces_easy": "Faces_3",
        "Motorbikes": "Motorbikes_16",
        "airplanes": "Airplanes_Side_2",
    }

    def __init__(
        self,
        root: str | Path,
        target_type: list[str] | str = "category",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(
            os.path.join(root, "caltech101"),
            transform=transform,
            target_transform=target_transform,
        )
        if isinstance(target_type, str):
            target_type = [target_type]
        self.target_type = [
            verify_str_arg(t, "target_type", ("category", "annotation")) for t in target_type
        ]
        self._images_root = os.path.join(self.root, "101_ObjectCategories")
        if download:
            self.download()
        if not os.path.exists(self._images_root):
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        found = sorted(os.listdir(self._images_root))
        self.categories = [c for c in found if c != "BACKGROUND_Google"]
        self.annotation_categories = [self._NAME_MAP.get(c, c) for c in self.categories]
        self.index: list[int] = []
        self.y: list[int] = []
        for i, c in enumerate(self.categories):
            n = len(os.listdir(os.path.join(self._images_root, c)))
            self.index.extend(range(1, n + 1))
            self.y.extend(n * [i])

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``; the target is a tuple when several types were asked."""
        category, number = self.y[index], self.index[index]
        name = f"image_{number:04d}.jpg"
        img = _open_as_stored(os.path.join(self._images_root, self.categories[category], name))
        target: list[Any] = []
        for t in self.target_type:
            if t == "category":
                target.append(category)
            else:
                ann = os.path.join(
                    self.root,
                    "Annotations",
                    self.annotation_categories[category],
                    f"annotation_{number:04d}.mat",
                )
                target.append(loadmat(ann)["obj_contour"])
        return self._apply_transforms(img, tuple(target) if len(target) > 1 else target[0])

    def download(self) -> None:
        """Fetch the archive and extract the inner image and annotation archives."""
        if os.path.exists(self._images_root):
            return
        os.makedirs(self.root, exist_ok=True)
        download_and_extract_archive(
            self._URL, download_root=self.root, filename="caltech-101.zip", md5=self._MD5
        )
        inner = os.path.join(self.root, "caltech-101")
        for name in os.listdir(inner):
            if name.endswith((".tar.gz", ".tgz", ".tar")):
                extract_archive(os.path.join(inner, name), self.root)
        shutil.rmtree(inner)
        os.remove(os.path.join(self.root, "caltech-101.zip"))

    def extra_repr(self) -> str:
        """The target-type line of the repr."""
        return f"Target type: {self.target_type}"


class Caltech256(SampleList):
    """`Caltech 256 <https://data.caltech.edu/records/20087>`_ Dataset.

    Args:
        root: directory holding ``caltech256/256_ObjectCategories/NNN.<name>/NNN_MMMM.jpg``.
        transform: callable applied to the PIL image (in the mode stored).
        target_transform: callable applied to the int target.
        download: fetch and extract the archive if missing.
    """

    _URL = "https://data.caltech.edu/records/nyy15-4j048/files/256_ObjectCategories.tar"
    _MD5 = "67b4f42ca05d46448c6bb8ecd2220f6d"

    def __init__(
        self,
        root: str,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(
            os.path.join(root, "caltech256"),
            transform=transform,
            target_transform=target_transform,
        )
        self._images_root = os.path.join(self.root, "256_ObjectCategories")
        if download and not os.path.exists(self._images_root):
            download_and_extract_archive(
                self._URL, self.root, filename="256_ObjectCategories.tar", md5=self._MD5
            )
        if not os.path.exists(self._images_root):
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        self.categories = sorted(os.listdir(self._images_root))
        self.index: list[int] = []
        self.y: list[int] = []
        self._samples = []
        for i, c in enumerate(self.categories):
            folder = os.path.join(self._images_root, c)
            n = len([f for f in os.listdir(folder) if f.endswith(".jpg")])
            self.index.extend(range(1, n + 1))
            self.y.extend(n * [i])
            self._samples += [
                (os.path.join(folder, f"{i + 1:03d}_{k:04d}.jpg"), i) for k in range(1, n + 1)
            ]
        self.loader = _open_as_stored


class Omniglot(SampleList):
    """`Omniglot <https://github.com/brendenlake/omniglot>`_ Dataset: handwritten characters of
    50 alphabets; the target is the character.

    Args:
        root: directory holding ``omniglot-py/images_background`` (or ``images_evaluation``),
            laid out ``<alphabet>/<character>/<image>.png``.
        background: the "background" set if True, else the "evaluation" set.
        transform: callable applied to the image.
        target_transform: callable applied to the int target.
        download: fetch and extract the zip if missing.
        loader: callable loading an image from its path (default: Pillow, mode ``"L"``).

    Alphabets, characters and images are listed in directory order, as torchvision does.
    """

    folder = "omniglot-py"
    download_url_prefix = "https://raw.githubusercontent.com/brendenlake/omniglot/master/python"
    zips_md5 = {
        "images_background": "68d2efa1b9178cc56df9314c21c6e718",
        "images_evaluation": "6b91aef0f799c5bb55b94e3f2daec811",
    }

    def __init__(
        self,
        root: str | Path,
        background: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str | Path], Any] | None = None,
    ) -> None:
        super().__init__(
            os.path.join(root, self.folder), transform=transform, target_transform=target_transform
        )
        self.background = background
        name = "images_background" if background else "images_evaluation"
        self.target_folder = os.path.join(self.root, name)
        if download and not os.path.isdir(self.target_folder):
            url = f"{self.download_url_prefix}/{name}.zip"
            download_and_extract_archive(
                url, self.root, filename=name + ".zip", md5=self.zips_md5[name]
            )
        if not os.path.isdir(self.target_folder):
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        self._alphabets = _list_dirs(self.target_folder)
        self._characters = [
            os.path.join(a, c)
            for a in self._alphabets
            for c in _list_dirs(os.path.join(self.target_folder, a))
        ]
        self._character_images = [
            [(image, idx) for image in _list_pngs(os.path.join(self.target_folder, character))]
            for idx, character in enumerate(self._characters)
        ]
        self._flat_character_images = [item for images in self._character_images for item in images]
        self._samples = [
            (os.path.join(self.target_folder, self._characters[idx], image), idx)
            for image, idx in self._flat_character_images
        ]
        self.loader = loader if loader is not None else _open_gray


def _open_gray(path: str) -> Any:
    return open_image(path, mode="L")


def _list_dirs(root: str) -> list[str]:
    return [p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))]


def _list_pngs(root: str) -> list[str]:
    names = [p for p in os.listdir(root) if p.endswith(".png")]
    return [p for p in names if os.path.isfile(os.path.join(root, p))]
