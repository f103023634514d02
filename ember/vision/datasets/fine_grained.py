"""Fine-grained classification datasets: DTD, Flowers102, Food101, FGVCAircraft, StanfordCars
and OxfordIIITPet."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._listing import NOT_FOUND, NOT_FOUND_OR_CORRUPTED, LabelledFiles, SampleList, open_image
from ._listing import split_repr as _split_repr
from ._matfile import loadmat
from .folder import default_loader
from .utils import VisionDataset, download_and_extract_archive, download_url, verify_str_arg

__all__ = ["DTD", "FGVCAircraft", "Flowers102", "Food101", "OxfordIIITPet", "StanfordCars"]


class DTD(LabelledFiles):
    """`Describable Textures Dataset (DTD) <https://www.robots.ox.ac.uk/~vgg/data/dtd/>`_.

    Args:
        root: directory holding ``dtd/dtd/images/<class>/<image>`` and ``dtd/dtd/labels``.
        split: ``"train"``, ``"val"`` or ``"test"``.
        partition: which of the ten official splits (1-10); each holds every image once.
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        download: fetch and extract the archive if missing.
        loader: callable loading an image from its path.
    """

    _URL = "https://www.robots.ox.ac.uk/~vgg/data/dtd/download/dtd-r1.0.1.tar.gz"
    _MD5 = "fff73e5086ae6bdbea199a49dfb8a4c1"

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        partition: int = 1,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str | Path], Any] = default_loader,
    ) -> None:
        self._split = verify_str_arg(split, "split", ("train", "val", "test"))
        # torchvision's check lets any int through (and then fails to open the labels file).
        if not isinstance(partition, int) or not 1 <= partition <= 10:
            raise ValueError(
                f"Parameter 'partition' should be an integer with `1 <= partition <= 10`, "
                f"but got {partition} instead"
            )
        self._partition = partition
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._base_folder = Path(self.root) / type(self).__name__.lower()
        self._data_folder = self._base_folder / "dtd"
        self._meta_folder = self._data_folder / "labels"
        self._images_folder = self._data_folder / "images"
        if download and not self._data_folder.is_dir():
            download_and_extract_archive(
                self._URL, download_root=str(self._base_folder), md5=self._MD5
            )
        if not self._data_folder.is_dir():
            raise RuntimeError(NOT_FOUND)
        self._image_files = []
        names = []
        with open(self._meta_folder / f"{self._split}{self._partition}.txt") as file:
            for line in file:
                cls, name = line.strip().split("/")
                self._image_files.append(self._images_folder.joinpath(cls, name))
                names.append(cls)
        self.classes = sorted(set(names))
        self.class_to_idx = dict(zip(self.classes, range(len(self.classes)), strict=True))
        self._labels = [self.class_to_idx[cls] for cls in names]
        self.loader = loader

    def extra_repr(self) -> str:
        """The split and partition line of the repr."""
        return f"split={self._split}, partition={self._partition}"


class Flowers102(LabelledFiles):
    """`Oxford 102 Flower <https://www.robots.ox.ac.uk/~vgg/data/flowers/102/>`_ Dataset.

    Args:
        root: directory holding ``flowers-102/jpg/image_NNNNN.jpg``, ``imagelabels.mat`` and
            ``setid.mat``.
        split: ``"train"``, ``"val"`` or ``"test"``.
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        download: fetch the images archive and the two ``.mat`` files if missing.
        loader: callable loading an image from its path.

    The ``.mat`` files are read by Ember's own MAT-file reader (scipy is not needed).
    """

    _download_url_prefix = "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/"
    _file_dict = {
        "image": ("102flowers.tgz", "52808999861908f626f3c1f4e79d11fa"),
        "label": ("imagelabels.mat", "e0620be6f572b9609742df49c70aed4d"),
        "setid": ("setid.mat", "a5357ecc9cb78c4bef273ce3793fc85c"),
    }
    _splits_map = {"train": "trnid", "val": "valid", "test": "tstid"}

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str | Path], Any] = default_loader,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._split = verify_str_arg(split, "split", ("train", "val", "test"))
        self._base_folder = Path(self.root) / "flowers-102"
        self._images_folder = self._base_folder / "jpg"
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        set_ids = loadmat(self._base_folder / self._file_dict["setid"][0])
        image_ids = np.asarray(set_ids[self._splits_map[self._split]]).ravel().tolist()
        labels = loadmat(self._base_folder / self._file_dict["label"][0])["labels"]
        image_id_to_label = dict(enumerate((np.asarray(labels, np.int64).ravel() - 1).tolist(), 1))
        self._labels = []
        self._image_files = []
        for image_id in image_ids:
            self._labels.append(image_id_to_label[image_id])
            self._image_files.append(self._images_folder / f"image_{image_id:05d}.jpg")
        self.loader = loader

    def extra_repr(self) -> str:
        """The split line of the repr."""
        return _split_repr(self)

    def _check_integrity(self) -> bool:
        files = [self._base_folder / self._file_dict[k][0] for k in ("label", "setid")]
        return self._images_folder.is_dir() and all(f.is_file() for f in files)

    def download(self) -> None:
        """Fetch the images archive and the label files unless they are already present."""
        if self._check_integrity():
            return
        name, md5 = self._file_dict["image"]
        download_and_extract_archive(
            self._download_url_prefix + name, str(self._base_folder), md5=md5
        )
        for key in ("label", "setid"):
            name, md5 = self._file_dict[key]
            download_url(self._download_url_prefix + name, str(self._base_folder), md5=md5)

    # fmt: off
    classes = [
        "pink primrose", "hard-leaved pocket orchid", "canterbury bells", "sweet pea",
        "english marigold", "tiger lily", "moon orchid", "bird of paradise", "monkshood",
        "globe thistle", "snapdragon", "colt's foot", "king protea", "spear thistle", "yellow iris",
        "globe-flower", "purple coneflower", "peruvian lily", "balloon flower",
        "giant white arum lily", "fire lily", "pincushion flower", "fritillary", "red ginger",
        "grape hyacinth", "corn poppy", "prince of wales feathers", "stemless gentian", "artichoke",
        "sweet william", "carnation", "garden phlox", "love in the mist", "mexican aster",
        "alpine sea holly", "ruby-lipped cattleya", "cape flower", "great masterwort", "siam tulip",
        "lenten rose", "barbeton daisy", "daffodil", "sword lily", "poinsettia", "bolero deep blue",
        "wallflower", "marigold", "buttercup", "oxeye daisy", "common dandelion", "petunia",
        "wild pansy", "primula", "sunflower", "pelargonium", "bishop of llandaff", "gaura",
        "geranium", "orange dahlia", "pink-yellow dahlia?", "cautleya spicata", "japanese anemone",
        "black-eyed susan", "silverbush", "californian poppy", "osteospermum", "spring crocus",
        "bearded iris", "windflower", "tree poppy", "gazania", "azalea", "water lily", "rose",
        "thorn apple", "morning glory", "passion flower", "lotus", "toad lily", "anthurium",
        "frangipani", "clematis", "hibiscus", "columbine", "desert-rose", "tree mallow", "magnolia",
        "cyclamen", "watercress", "canna lily", "hippeastrum", "bee balm", "ball moss", "foxglove",
        "bougainvillea", "camellia", "mallow", "mexican petunia", "bromelia", "blanket flower",
        "trumpet creeper", "blackberry lily",
    ]
    # fmt: on


class Food101(LabelledFiles):
    """`Food-101 <https://data.vision.ee.ethz.ch/cvl/datasets_extra/food-101/>`_ Dataset.

    Args:
        root: directory holding ``food-101/images/<class>/<id>.jpg`` and
            ``food-101/meta/{train,test}.json``.
        split: ``"train"`` or ``"test"``.
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        download: fetch and extract the archive if missing.
        loader: callable loading an image from its path.
    """

    _URL = "http://data.vision.ee.ethz.ch/cvl/food-101.tar.gz"
    _MD5 = "85eeb15f3717b99a5da872d97d918f87"

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str | Path], Any] = default_loader,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._split = verify_str_arg(split, "split", ("train", "test"))
        self._base_folder = Path(self.root) / "food-101"
        self._meta_folder = self._base_folder / "meta"
        self._images_folder = self._base_folder / "images"
        if download and not self._check_exists():
            download_and_extract_archive(self._URL, download_root=self.root, md5=self._MD5)
        if not self._check_exists():
            raise RuntimeError(NOT_FOUND)
        with open(self._meta_folder / f"{split}.json") as f:
            metadata = json.loads(f.read())
        self.classes = sorted(metadata.keys())
        self.class_to_idx = dict(zip(self.classes, range(len(self.classes)), strict=True))
        self._labels = []
        self._image_files = []
        for class_label, rel_paths in metadata.items():
            self._labels += [self.class_to_idx[class_label]] * len(rel_paths)
            self._image_files += [
                self._images_folder.joinpath(*f"{rel}.jpg".split("/")) for rel in rel_paths
            ]
        self.loader = loader

    def extra_repr(self) -> str:
        """The split line of the repr."""
        return _split_repr(self)

    def _check_exists(self) -> bool:
        return self._meta_folder.is_dir() and self._images_folder.is_dir()


class FGVCAircraft(LabelledFiles):
    """`FGVC Aircraft <https://www.robots.ox.ac.uk/~vgg/data/fgvc-aircraft/>`_ Dataset.

    Args:
        root: directory holding ``fgvc-aircraft-2013b/data``.
        split: ``"train"``, ``"val"``, ``"trainval"`` or ``"test"``.
        annotation_level: ``"variant"`` (100 classes), ``"family"`` (70) or ``"manufacturer"``
            (30).
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        download: fetch and extract the archive if missing.
        loader: callable loading an image from its path.
    """

    _URL = "https://www.robots.ox.ac.uk/~vgg/data/fgvc-aircraft/archives/fgvc-aircraft-2013b.tar.gz"
    _CLASS_FILES = {
        "variant": "variants.txt",
        "family": "families.txt",
        "manufacturer": "manufacturers.txt",
    }

    def __init__(
        self,
        root: str | Path,
        split: str = "trainval",
        annotation_level: str = "variant",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str], Any] = default_loader,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._split = verify_str_arg(split, "split", ("train", "val", "trainval", "test"))
        self._annotation_level = verify_str_arg(
            annotation_level, "annotation_level", ("variant", "family", "manufacturer")
        )
        self._data_path = os.path.join(self.root, "fgvc-aircraft-2013b")
        if download and not os.path.isdir(self._data_path):
            download_and_extract_archive(self._URL, self.root)
        if not os.path.isdir(self._data_path):
            raise RuntimeError(NOT_FOUND)
        data = os.path.join(self._data_path, "data")
        with open(os.path.join(data, self._CLASS_FILES[self._annotation_level])) as f:
            self.classes = [line.strip() for line in f]
        self.class_to_idx = dict(zip(self.classes, range(len(self.classes)), strict=True))
        labels_file = os.path.join(data, f"images_{self._annotation_level}_{self._split}.txt")
        self._image_files = []
        self._labels = []
        with open(labels_file) as f:
            for line in f:
                image_name, label_name = line.strip().split(" ", 1)
                self._image_files.append(os.path.join(data, "images", f"{image_name}.jpg"))
                self._labels.append(self.class_to_idx[label_name])
        self.loader = loader


class StanfordCars(SampleList):
    """`Stanford Cars <https://ai.stanford.edu/~jkrause/cars/car_dataset.html>`_ Dataset.

    Args:
        root: directory holding ``stanford_cars/devkit/{cars_meta,cars_train_annos}.mat``,
            ``stanford_cars/cars_train``, ``stanford_cars/cars_test`` and
            ``stanford_cars/cars_test_annos_withlabels.mat``.
        split: ``"train"`` or ``"test"``.
        transform: callable applied to the loaded image.
        target_transform: callable applied to the int target.
        download: not possible (the original URL is gone): raises ``ValueError``.
        loader: callable loading an image from its path.

    The ``.mat`` files are read by Ember's own MAT-file reader (scipy is not needed). Targets are
    Python ints (torchvision passes on the NumPy integer of the ``.mat`` file).
    """

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
        loader: Callable[[str], Any] = default_loader,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._split = verify_str_arg(split, "split", ("train", "test"))
        self._base_folder = Path(self.root) / "stanford_cars"
        devkit = self._base_folder / "devkit"
        if self._split == "train":
            self._annotations_mat_path = devkit / "cars_train_annos.mat"
            self._images_base_path = self._base_folder / "cars_train"
        else:
            self._annotations_mat_path = self._base_folder / "cars_test_annos_withlabels.mat"
            self._images_base_path = self._base_folder / "cars_test"
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found.")
        annotations = loadmat(self._annotations_mat_path)["annotations"]
        self._samples = [
            (str(self._images_base_path / ann["fname"]), _scalar(ann["class"]) - 1)
            for ann in np.asarray(annotations).ravel()
        ]
        names = loadmat(devkit / "cars_meta.mat")["class_names"]
        self.classes = list(np.asarray(names).ravel())
        self.class_to_idx = {cls: i for i, cls in enumerate(self.classes)}
        self.loader = loader

    def _check_exists(self) -> bool:
        return (
            (self._base_folder / "devkit").is_dir()
            and self._annotations_mat_path.exists()
            and self._images_base_path.is_dir()
        )

    def download(self) -> None:
        """Raise: the dataset can no longer be downloaded."""
        raise ValueError(
            "The original URL is broken so the StanfordCars dataset cannot be downloaded anymore."
        )


def _scalar(value: Any) -> int:
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "iuf":
        raise RuntimeError(f"expected a single number in the annotation file, got {value!r}")
    return int(array.ravel()[0])


class OxfordIIITPet(VisionDataset):
    """`Oxford-IIIT Pet <https://www.robots.ox.ac.uk/~vgg/data/pets/>`_ Dataset.

    Args:
        root: directory holding ``oxford-iiit-pet/images`` and ``oxford-iiit-pet/annotations``.
        split: ``"trainval"`` or ``"test"``.
        target_types: ``"category"`` (37 breeds), ``"binary-category"`` (cat or dog),
            ``"segmentation"`` (the trimap PIL image), or a sequence of them (the target is then a
            tuple; ``None`` for an empty sequence).
        transforms: callable taking and returning ``(image, target)``.
        transform: callable applied to the PIL RGB image.
        target_transform: callable applied to the target.
        download: fetch and extract the two archives if missing.
    """

    _RESOURCES = (
        (
            "https://www.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz",
            "5c4f3ee8e5d25df40f4fd59a7f44e54c",
        ),
        (
            "https://www.robots.ox.ac.uk/~vgg/data/pets/data/annotations.tar.gz",
            "95a8c909bbe2e81eed6a22bccdf3f68f",
        ),
    )
    _VALID_TARGET_TYPES = ("category", "binary-category", "segmentation")

    def __init__(
        self,
        root: str | Path,
        split: str = "trainval",
        target_types: Sequence[str] | str = "category",
        transforms: Callable | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        self._split = verify_str_arg(split, "split", ("trainval", "test"))
        if isinstance(target_types, str):
            target_types = [target_types]
        self._target_types = [
            verify_str_arg(t, "target_types", self._VALID_TARGET_TYPES) for t in target_types
        ]
        super().__init__(
            root, transforms=transforms, transform=transform, target_transform=target_transform
        )
        self._base_folder = Path(self.root) / "oxford-iiit-pet"
        self._images_folder = self._base_folder / "images"
        self._anns_folder = self._base_folder / "annotations"
        self._segs_folder = self._anns_folder / "trimaps"
        if download and not self._check_exists():
            for url, md5 in self._RESOURCES:
                download_and_extract_archive(url, download_root=str(self._base_folder), md5=md5)
        if not self._check_exists():
            raise RuntimeError(NOT_FOUND)
        image_ids = []
        self._labels = []
        self._bin_labels = []
        with open(self._anns_folder / f"{self._split}.txt") as file:
            for line in file:
                image_id, label, bin_label, _ = line.strip().split()
                image_ids.append(image_id)
                self._labels.append(int(label) - 1)
                self._bin_labels.append(int(bin_label) - 1)
        self.bin_classes = ["Cat", "Dog"]
        breeds = {(i.rsplit("_", 1)[0], label) for i, label in zip(image_ids, self._labels)}
        self.classes = [
            " ".join(part.title() for part in raw.split("_"))
            for raw, _ in sorted(breeds, key=lambda breed: breed[1])
        ]
        self.bin_class_to_idx = {c: i for i, c in enumerate(self.bin_classes)}
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self._images = [self._images_folder / f"{image_id}.jpg" for image_id in image_ids]
        self._segs = [self._segs_folder / f"{image_id}.png" for image_id in image_ids]

    def __len__(self) -> int:
        return len(self._images)

    def __getitem__(self, idx: int) -> tuple[Any, Any]:
        """Returns ``(image, target)`` with the target built from ``target_types``."""
        image = open_image(self._images[idx])
        target: Any = []
        for target_type in self._target_types:
            if target_type == "category":
                target.append(self._labels[idx])
            elif target_type == "binary-category":
                target.append(self._bin_labels[idx])
            else:
                target.append(open_image(self._segs[idx], mode=None))
        target = None if not target else target[0] if len(target) == 1 else tuple(target)
        if self.transforms:
            image, target = self.transforms(image, target)
        return image, target

    def _check_exists(self) -> bool:
        return self._images_folder.is_dir() and self._anns_folder.is_dir()
