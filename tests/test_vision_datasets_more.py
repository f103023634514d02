"""SVHN, STL10, USPS, SEMEION, QMNIST, FER2013, PCAM against torchvision 0.28 on tiny fixture files.

Each dataset's on-disk format is written in a temporary folder (a few images), loaded with both
libraries (``download=False``) and compared: lengths, items (pixels, modes, targets), attributes,
reprs, and the error when the files are missing. torchvision's MD5 checks are reduced to "the file
exists", since fixtures are not the official files (Ember does not check MD5s of present files).
"""

import bz2
import importlib.util
import os
import struct
import urllib.error

import numpy as np
import pytest
from conftest import import_torchvision
from test_vision_datasets import Tagged

import ember
from ember.vision import datasets as ed

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

sio = pytest.importorskip("scipy.io")  # writes the .mat fixtures; torchvision reads them with it


@pytest.fixture(scope="module")
def tv():
    return import_torchvision()


def exists_only(fpath, md5=None):
    return os.path.isfile(fpath)


@pytest.fixture
def tvd(tv, monkeypatch):
    """torchvision.datasets with every module's MD5 check reduced to "the file exists"."""
    for name in ("svhn", "stl10", "semeion", "fer2013", "lfw", "omniglot", "flowers102", "celeba"):
        monkeypatch.setattr(getattr(tv.datasets, name), "check_integrity", exists_only)
    return tv.datasets


def same_value(a, b, exact_type=True):
    """Assert that an Ember value equals torchvision's: images, tensors, arrays, tuples, ints."""
    if isinstance(b, PIL.Image.Image):
        assert isinstance(a, PIL.Image.Image)
        assert (a.mode, a.size) == (b.mode, b.size)
        assert a.tobytes() == b.tobytes()
    elif type(b).__module__.startswith("torch"):
        assert isinstance(a, ember.Tensor)
        assert str(a.dtype) == str(b.dtype).replace("torch.", "ember.")
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a.shape == tuple(b.shape)
    elif isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(b, tuple | list):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            same_value(x, y, exact_type)
    else:
        assert a == b
        if exact_type:
            assert type(a) is type(b), (type(a), type(b))


def same_dataset(ours, theirs, attrs=(), exact_type=True):
    """Compare length, repr, every item and the named attributes."""
    assert len(ours) == len(theirs) > 0
    assert repr(ours) == repr(theirs)
    for i in range(len(theirs)):
        same_value(ours[i], theirs[i], exact_type)
    for name in attrs:
        same_value(getattr(ours, name), getattr(theirs, name), exact_type)


def same_error(make_ours, make_theirs, match_message=True):
    """Both constructors raise the same exception type (and message)."""
    with pytest.raises(Exception) as theirs:
        make_theirs()
    with pytest.raises(type(theirs.value)) as ours:
        make_ours()
    assert type(ours.value) is type(theirs.value)
    if match_message:
        assert str(ours.value) == str(theirs.value)
    return ours.value


def write_image(path, size=(7, 5), mode="RGB", seed=0, fmt=None):
    """A small random image; PNG by default, JPEG / PPM by extension."""
    rng = np.random.default_rng(seed)
    channels = {"RGB": 3, "L": 1}[mode]
    pixels = rng.integers(0, 256, (size[1], size[0], channels), dtype=np.uint8)
    img = Image.fromarray(pixels[..., 0] if channels == 1 else pixels, mode)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path, format=fmt)
    return path


# --- SVHN --------------------------------------------------------------------------------------


def write_svhn(root, split="train", n=5, seed=0, compress=False):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (32, 32, 3, n), dtype=np.uint8)
    labels = rng.integers(1, 11, (n, 1)).astype(np.uint8)
    labels[0] = 10  # the digit 0
    path = os.path.join(root, f"{split}_32x32.mat")
    sio.savemat(path, {"X": images, "y": labels}, do_compression=compress)
    return images, labels


@pytest.mark.parametrize("split,compress", [("train", False), ("test", True), ("extra", False)])
def test_svhn_matches_torchvision(tvd, tmp_path, split, compress):
    write_svhn(tmp_path, split, compress=compress)
    ours, theirs = ed.SVHN(tmp_path, split=split), tvd.SVHN(tmp_path, split=split)
    same_dataset(ours, theirs, attrs=("data", "labels", "split", "filename"))
    assert ours.labels[0] == 0 and ours.data.shape == (5, 3, 32, 32)


def test_svhn_transforms_and_errors(tvd, tmp_path):
    write_svhn(tmp_path)
    kwargs = dict(
        transform=Tagged("ToArray", np.asarray), target_transform=Tagged("Neg", int.__neg__)
    )
    ours, theirs = ed.SVHN(tmp_path, **kwargs), tvd.SVHN(tmp_path, **kwargs)
    assert repr(ours) == repr(theirs) and "Transform: ToArray(" in repr(ours)
    np.testing.assert_array_equal(ours[2][0], theirs[2][0])
    assert ours[2][1] == theirs[2][1] == -int(theirs.labels[2])
    same_error(lambda: ed.SVHN(tmp_path, split="test"), lambda: tvd.SVHN(tmp_path, split="test"))
    same_error(lambda: ed.SVHN(tmp_path, split="valid"), lambda: tvd.SVHN(tmp_path, split="valid"))


def test_svhn_bad_file_fails_clearly(tmp_path):
    sio.savemat(tmp_path / "train_32x32.mat", {"X": np.zeros((4, 4), np.float64), "y": np.ones(1)})
    with pytest.raises(RuntimeError, match="'X' must be a 4-dimensional uint8 array"):
        ed.SVHN(tmp_path)
    (tmp_path / "test_32x32.mat").write_bytes(b"not a mat file" * 20)
    with pytest.raises(ValueError, match="not a level-5 MAT-file"):
        ed.SVHN(tmp_path, split="test")


# --- STL10 -------------------------------------------------------------------------------------


def write_stl10(root, n_train=4, n_unlabeled=3, n_test=2, seed=0):
    rng = np.random.default_rng(seed)
    folder = root / "stl10_binary"
    folder.mkdir(parents=True)

    def images(name, n):
        (folder / name).write_bytes(rng.integers(0, 256, n * 3 * 96 * 96, dtype=np.uint8).tobytes())

    images("train_X.bin", n_train)
    images("unlabeled_X.bin", n_unlabeled)
    images("test_X.bin", n_test)
    (folder / "train_y.bin").write_bytes(rng.integers(1, 11, n_train, dtype=np.uint8).tobytes())
    (folder / "test_y.bin").write_bytes(rng.integers(1, 11, n_test, dtype=np.uint8).tobytes())
    (folder / "class_names.txt").write_text("\n".join(f"class{i}" for i in range(10)) + "\n")
    folds = [" ".join(str(j) for j in rng.permutation(n_train)[:2]) for _ in range(10)]
    (folder / "fold_indices.txt").write_text("\n".join(folds) + "\n")


@pytest.mark.parametrize(
    "split,folds",
    [("train", None), ("train", 3), ("train+unlabeled", 1), ("unlabeled", None), ("test", None)],
)
def test_stl10_matches_torchvision(tvd, tmp_path, split, folds):
    write_stl10(tmp_path)
    ours = ed.STL10(tmp_path, split=split, folds=folds)
    theirs = tvd.STL10(tmp_path, split=split, folds=folds)
    same_dataset(ours, theirs, attrs=("data", "labels", "classes", "split", "folds"))


def test_stl10_errors(tvd, tmp_path):
    same_error(lambda: ed.STL10(tmp_path), lambda: tvd.STL10(tmp_path))
    for folds in (10, "1", 1.0):
        same_error(
            lambda f=folds: ed.STL10(tmp_path, folds=f),
            lambda f=folds: tvd.STL10(tmp_path, folds=f),
        )
    same_error(lambda: ed.STL10(tmp_path, split="val"), lambda: tvd.STL10(tmp_path, split="val"))


def test_stl10_without_class_names(tvd, tmp_path):
    write_stl10(tmp_path)
    (tmp_path / "stl10_binary" / "class_names.txt").unlink()
    ours, theirs = ed.STL10(tmp_path, split="test"), tvd.STL10(tmp_path, split="test")
    assert not hasattr(ours, "classes") and not hasattr(theirs, "classes")
    same_dataset(ours, theirs)


# --- USPS and SEMEION --------------------------------------------------------------------------


def write_usps(root, name, n=4, seed=0):
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        values = rng.uniform(-1, 1, 256)
        values[:3] = (-1.0, 1.0, 0.0)
        pixels = " ".join(f"{j + 1}:{v:.6f}" for j, v in enumerate(values))
        lines.append(f"{i % 10 + 1} {pixels} \n")
    (root / name).write_bytes(bz2.compress("".join(lines).encode()))


@pytest.mark.parametrize("train", [True, False])
def test_usps_matches_torchvision(tv, tmp_path, train):
    write_usps(tmp_path, "usps.bz2" if train else "usps.t.bz2", seed=int(train))
    ours, theirs = ed.USPS(tmp_path, train=train), tv.datasets.USPS(tmp_path, train=train)
    same_dataset(ours, theirs, attrs=("data", "targets"))
    assert ours.data.dtype == np.uint8 and ours.data.shape == (4, 16, 16)


def test_usps_missing_file(tv, tmp_path):
    same_error(lambda: ed.USPS(tmp_path), lambda: tv.datasets.USPS(tmp_path))


def write_semeion(root, n=5, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        pixels = " ".join(f"{v:.4f}" for v in rng.integers(0, 2, 256))
        onehot = " ".join("1" if j == (3 * i) % 10 else "0" for j in range(10))
        rows.append(f"{pixels} {onehot} \n")
    (root / "semeion.data").write_text("".join(rows))


def test_semeion_matches_torchvision(tvd, tmp_path):
    write_semeion(tmp_path)
    ours = ed.SEMEION(tmp_path, download=False)
    theirs = tvd.SEMEION(tmp_path, download=False)
    same_dataset(ours, theirs, attrs=("data", "labels"))
    assert [t for _, t in ours] == [0, 3, 6, 9, 2]


def test_semeion_missing_and_bad_files(tvd, tmp_path):
    same_error(
        lambda: ed.SEMEION(tmp_path, download=False),
        lambda: tvd.SEMEION(tmp_path, download=False),
    )
    (tmp_path / "semeion.data").write_text(" ".join(["0"] * 256 + ["1", "1"] + ["0"] * 8) + "\n")
    with pytest.raises(RuntimeError, match="exactly one label"):
        ed.SEMEION(tmp_path, download=False)


# --- QMNIST ------------------------------------------------------------------------------------


def idx_file(array):
    """An IDX file of uint8 or big-endian int32 data."""
    code = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C}[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_qmnist(root, prefix, n, seed=0):
    rng = np.random.default_rng(seed)
    raw = root / "QMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 100000, (n, 8), dtype=np.int32)
    labels[:, 0] %= 10
    (raw / f"{prefix}-images-idx3-ubyte").write_bytes(idx_file(images))
    (raw / f"{prefix}-labels-idx2-int").write_bytes(idx_file(labels))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"compat": False},
        {"train": False},
        {"what": "test10k", "compat": False},
        {"what": "nist"},
    ],
)
def test_qmnist_matches_torchvision(tv, tmp_path, kwargs):
    write_qmnist(tmp_path, "qmnist-train", 4, seed=0)
    write_qmnist(tmp_path, "qmnist-test", 3, seed=1)
    write_qmnist(tmp_path, "xnist", 2, seed=2)
    ours, theirs = ed.QMNIST(tmp_path, **kwargs), tv.datasets.QMNIST(tmp_path, **kwargs)
    same_dataset(ours, theirs, attrs=("data", "targets", "classes", "class_to_idx", "what"))


def test_qmnist_test50k_and_missing(tv, tmp_path):
    write_qmnist(tmp_path, "qmnist-test", 3)
    ours = ed.QMNIST(tmp_path, what="test50k")
    theirs = tv.datasets.QMNIST(tmp_path, what="test50k")
    assert len(ours) == len(theirs) == 0 and repr(ours) == repr(theirs)
    same_error(lambda: ed.QMNIST(tmp_path), lambda: tv.datasets.QMNIST(tmp_path))
    same_error(
        lambda: ed.QMNIST(tmp_path, what="x"), lambda: tv.datasets.QMNIST(tmp_path, what="x")
    )


# --- FER2013 -----------------------------------------------------------------------------------


def fer_row(rng):
    return " ".join(str(v) for v in rng.integers(0, 256, 48 * 48))


def write_fer(root, kind, seed=0):
    rng = np.random.default_rng(seed)
    folder = root / "fer2013"
    folder.mkdir(parents=True, exist_ok=True)
    usages = ["Training", "PublicTest", "Training", "PrivateTest"]
    if kind == "fer":
        rows = [f"{i % 7},{fer_row(rng)},{u}" for i, u in enumerate(usages)]
        (folder / "fer2013.csv").write_text("emotion,pixels,Usage\n" + "\n".join(rows) + "\n")
    elif kind == "icml":
        rows = [f"{i % 7},{u},{fer_row(rng)}" for i, u in enumerate(usages)]
        (folder / "icml_face_data.csv").write_text(
            "emotion, Usage, pixels\n" + "\n".join(rows) + "\n"
        )
    else:
        rows = [f"{i},{fer_row(rng)}" for i in range(3)]
        (folder / "train.csv").write_text("emotion,pixels\n" + "\n".join(rows) + "\n")
        rows = [f'"{fer_row(rng)}"' for i in range(2)]
        (folder / "test.csv").write_text("pixels\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("kind", ["fer", "icml", "split"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_fer2013_matches_torchvision(tvd, tmp_path, kind, split):
    write_fer(tmp_path, kind)
    same_dataset(ed.FER2013(tmp_path, split=split), tvd.FER2013(tmp_path, split=split))


def test_fer2013_missing(tvd, tmp_path):
    same_error(lambda: ed.FER2013(tmp_path), lambda: tvd.FER2013(tmp_path))


# --- PCAM --------------------------------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("h5py") is not None, reason="h5py is installed")
def test_pcam_without_h5py_fails_like_torchvision(tv, tmp_path):
    err = same_error(lambda: ed.PCAM(tmp_path), lambda: tv.datasets.PCAM(tmp_path))
    assert isinstance(err, RuntimeError) and "pip install h5py" in str(err)


# --- downloads ---------------------------------------------------------------------------------


def test_download_offline_fails_clearly_and_leaves_nothing(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    cases = [
        (lambda: ed.SVHN(tmp_path, download=True), "http://ufldl.stanford.edu/housenumbers/"),
        (lambda: ed.SEMEION(tmp_path), "http://archive.ics.uci.edu/ml/machine-learning-databases"),
        (lambda: ed.USPS(tmp_path, download=True), "https://www.csie.ntu.edu.tw/"),
        (lambda: ed.STL10(tmp_path, download=True), "http://ai.stanford.edu/~acoates/stl10/"),
        (lambda: ed.QMNIST(tmp_path, download=True), "https://raw.githubusercontent.com/"),
    ]
    for make, url in cases:
        with pytest.raises(RuntimeError, match="Could not download " + url) as info:
            make()
        assert "name resolution" in str(info.value)
    leftovers = [f for _, _, files in os.walk(tmp_path) for f in files]
    assert leftovers == []


def test_download_from_file_url(tmp_path, monkeypatch):
    import hashlib

    src = tmp_path / "src"
    src.mkdir()
    write_svhn(src, "test", n=3)
    md5 = hashlib.md5((src / "test_32x32.mat").read_bytes()).hexdigest()
    url = (src / "test_32x32.mat").as_uri()
    monkeypatch.setitem(ed.SVHN.split_list, "test", [url, "test_32x32.mat", md5])
    ds = ed.SVHN(tmp_path / "root", split="test", download=True)
    assert len(ds) == 3
    reference = ed.SVHN(src, split="test")
    np.testing.assert_array_equal(ds.data, reference.data)
    monkeypatch.setitem(ed.SVHN.split_list, "test", [url, "test_32x32.mat", "0" * 32])
    assert len(ed.SVHN(tmp_path / "root", split="test", download=True)) == 3  # present: no fetch
    with pytest.raises(RuntimeError, match="corrupted: MD5"):
        ed.SVHN(tmp_path / "other", split="test", download=True)
    assert os.listdir(tmp_path / "other") == []


# --- API ---------------------------------------------------------------------------------------

NEW_DATASETS = (
    "SVHN STL10 USPS QMNIST SEMEION EuroSAT Imagenette GTSRB DTD Flowers102 Food101 OxfordIIITPet "
    "Caltech101 Caltech256 CelebA Omniglot FER2013 Country211 StanfordCars FGVCAircraft PCAM "
    "LFWPeople LFWPairs"
).split()


@pytest.mark.parametrize("name", NEW_DATASETS)
def test_signature_matches_torchvision(tv, name):
    import inspect

    def params(cls):
        return [
            (p.name, p.kind, getattr(p.default, "__name__", p.default))
            for p in inspect.signature(cls).parameters.values()
        ]

    assert name in ed.__all__
    assert params(getattr(ed, name)) == params(getattr(tv.datasets, name))
    assert issubclass(getattr(ed, name), ed.VisionDataset)
