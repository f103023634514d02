"""The data path's shortcuts give torchvision's and torch's results exactly.

``CIFAR10`` with exactly ``ToTensor`` as its transform converts the stored HWC bytes without
building the PIL image; ``default_collate`` reads lists of plain ints with NumPy. Both are
checked against torchvision / torch and against Ember's general path.
"""

import numpy as np
import pytest
from fixtures.vision_fixtures import write_cifar10, write_cifar100

import ember
from ember.utils.data import DataLoader, default_collate
from ember.vision import datasets as ed
from ember.vision import transforms as et

PIL = pytest.importorskip("PIL")
torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cifar_s6")
    write_cifar10(root, n_per_batch=8, n_test=70, seed=3)
    write_cifar100(root, n_train=12, n_test=9, seed=4)
    return root


class _SeesInput(et.ToTensor):
    """A ToTensor subclass: not the plain ToTensor, so the dataset gives it the PIL image."""

    def __init__(self):
        self.seen = []

    def __call__(self, pic):
        self.seen.append(type(pic))
        return super().__call__(pic)


def _same(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.is_contiguous() and theirs.is_contiguous()
    assert ours.stride() == theirs.stride()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("train", [False, True])
def test_cifar_to_tensor_items_match_torchvision(tv_cifar, root, train, monkeypatch):
    ours = ed.CIFAR10(root, train=train, transform=et.ToTensor())
    general = ed.CIFAR10(root, train=train, transform=_SeesInput())
    theirs = tv_cifar.datasets.CIFAR10(root, train=train, transform=tv_cifar.transforms.ToTensor())
    indices = [0, 1, 5, len(ours) - 1, -1, -len(ours), np.int64(3)]
    with monkeypatch.context() as m:  # the shortcut builds no image
        m.setattr(PIL.Image, "fromarray", None)
        items = [ours[i] for i in indices]
    for i, (x, y) in zip(indices, items, strict=True):
        (gx, gy), (tx, ty) = general[i], theirs[i]
        assert isinstance(x, ember.Tensor) and x.dtype == ember.float32
        _same(x, tx)
        _same(gx, tx)
        assert type(y) is int and y == ty == gy
    assert set(general.transform.seen) == {PIL.Image.Image}
    with pytest.raises(IndexError):
        ours[len(ours)]


@pytest.mark.parametrize("train", [False, True])
def test_cifar100_to_tensor_items_match_torchvision(tv_cifar, root, train):
    ours = ed.CIFAR100(root, train=train, transform=et.ToTensor())
    theirs = tv_cifar.datasets.CIFAR100(root, train=train, transform=tv_cifar.transforms.ToTensor())
    assert len(ours) == len(theirs)
    for i in range(len(ours)):
        (x, y), (tx, ty) = ours[i], theirs[i]
        _same(x, tx)
        assert y == ty


def test_cifar_to_tensor_keeps_target_transform_and_default_dtype(tv_cifar, root):
    ours = ed.CIFAR10(root, train=False, transform=et.ToTensor(), target_transform=str)
    assert ours[4][1] == str(ours.targets[4])
    old_e, old_t = ember.get_default_dtype(), torch.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        theirs = tv_cifar.datasets.CIFAR10(
            root, train=False, transform=tv_cifar.transforms.ToTensor()
        )
        x = ours[4][0]
        assert x.dtype == ember.float64
        _same(x, theirs[4][0])
    finally:
        ember.set_default_dtype(old_e)
        torch.set_default_dtype(old_t)


def test_cifar_other_transforms_still_get_pil_images(root):
    seen = []
    ds = ed.CIFAR10(root, train=False, transform=lambda im: seen.append(im) or im)
    img, _ = ds[2]
    assert isinstance(img, PIL.Image.Image) and img.mode == "RGB" and img.size == (32, 32)
    composed = ed.CIFAR10(root, train=False, transform=et.Compose([et.ToTensor()]))
    expected = np.asarray(img).transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(composed[2][0].numpy(), expected)
    plain = ed.CIFAR10(root, train=False)
    assert isinstance(plain[2][0], PIL.Image.Image)
    # data replaced by the user with something ToTensor would treat differently: no shortcut
    odd = ed.CIFAR10(root, train=False, transform=et.ToTensor())
    odd.data = odd.data.astype(np.float32)
    with pytest.raises(TypeError):
        odd[0]  # Image.fromarray refuses 3-channel float32, as torchvision's item does


def test_loader_batches_match_torch(tv_cifar, root):
    ours = DataLoader(ed.CIFAR10(root, train=False, transform=et.ToTensor()), batch_size=32)
    theirs = torch.utils.data.DataLoader(
        tv_cifar.datasets.CIFAR10(root, train=False, transform=tv_cifar.transforms.ToTensor()),
        batch_size=32,
    )
    n = 0
    for (x, y), (tx, ty) in zip(ours, theirs, strict=True):
        _same(x, tx)
        _same(y, ty)
        assert y.dtype == ember.int64
        n += len(y)
    assert n == 70


@pytest.mark.parametrize(
    "batch",
    [
        [1, 2, 3],
        (4, -5, 6),
        [True, False],
        [1, True],
        [2**63 - 1, -(2**63)],
        [0],
    ],
)
def test_collate_ints_match_torch(batch):
    _same(default_collate(batch), torch.utils.data.default_collate(batch))


@pytest.mark.parametrize("batch", [[2**63], [1, -(2**63) - 1]])
def test_collate_ints_out_of_range_raise_as_torch(batch):
    with pytest.raises(Exception) as theirs:
        torch.utils.data.default_collate(batch)
    with pytest.raises(type(theirs.value)) as ours:
        default_collate(batch)
    assert str(ours.value) == str(theirs.value)


def test_collate_tuples_of_ints_match_torch():
    batch = [(i, 10 - i) for i in range(5)]
    ours, theirs = default_collate(batch), torch.utils.data.default_collate(batch)
    assert isinstance(ours, list) and len(ours) == 2
    for o, t in zip(ours, theirs, strict=True):
        _same(o, t)
