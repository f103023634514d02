"""Datasets in torchvision's layout: CIFAR, MNIST family, image folders, fake data, and Digits.

Items are ``(PIL image, int)`` pairs passed through ``transform`` / ``target_transform``.
Pillow is needed to build items (``pip install ember[vision]``), not to import this package.
"""

from .cifar import CIFAR10, CIFAR100
from .digits import Digits
from .faces import FER2013, CelebA, LFWPairs, LFWPeople
from .fakedata import FakeData
from .fine_grained import DTD, FGVCAircraft, Flowers102, Food101, OxfordIIITPet, StanfordCars
from .folder import DatasetFolder, ImageFolder
from .folder_sets import GTSRB, Caltech101, Caltech256, Country211, EuroSAT, Imagenette, Omniglot
from .handwritten import QMNIST, SEMEION, USPS
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from .pcam import PCAM
from .svhn import STL10, SVHN
from .utils import VisionDataset

__all__ = [
    "Caltech101",
    "Caltech256",
    "CelebA",
    "Country211",
    "DTD",
    "EuroSAT",
    "FER2013",
    "FGVCAircraft",
    "Flowers102",
    "Food101",
    "GTSRB",
    "Imagenette",
    "LFWPairs",
    "LFWPeople",
    "Omniglot",
    "OxfordIIITPet",
    "PCAM",
    "QMNIST",
    "SEMEION",
    "STL10",
    "StanfordCars",
    "SVHN",
    "USPS",
    "CIFAR10",
    "CIFAR100",
    "DatasetFolder",
    "Digits",
    "EMNIST",
    "FakeData",
    "FashionMNIST",
    "ImageFolder",
    "KMNIST",
    "MNIST",
    "VisionDataset",
]
