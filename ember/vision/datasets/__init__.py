"""Datasets in torchvision's layout: CIFAR, MNIST family, image folders, fake data, and Digits.

Items are ``(PIL image, int)`` pairs passed through ``transform`` / ``target_transform``.
Pillow is needed to build items (``pip install ember[vision]``), not to import this package.
"""

from .cifar import CIFAR10, CIFAR100
from .digits import Digits
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from .utils import VisionDataset

__all__ = [
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
