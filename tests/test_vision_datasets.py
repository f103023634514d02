"""ember.vision.datasets against torchvision 0.28 on byte-faithful fixture files."""

import gzip
import hashlib
import io
import os
import pickle
import pickletools
import shutil
import tarfile
import tracemalloc
import urllib.error

import numpy as np
import pytest
from fixtures.vision_fixtures import (
    idx_bytes,
    malicious_pickle,
    py2_pickle,
    write_cifar10,
    write_cifar100,
    write_idx,
    write_image_folder,
    write_mnist,
)

import ember
from ember.vision import datasets as ed
from ember.vision.datasets import _safe_pickle, digits

PIL = pytest.importorskip("PIL")


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("vision")
    write_cifar10(root, n_per_batch=64, n_test=40)
    write_cifar100(root, n_train=100, n_test=30)
    write_mnist(root / "raw", "MNIST", gz=False, seed=1)
    write_mnist(root / "gz", "MNIST", gz=True, seed=1)
    write_mnist(root / "raw", "FashionMNIST", gz=False, seed=2)
    write_mnist(root / "raw", "KMNIST", gz=False, seed=3)
    write_image_folder(root / "folder")
    return root


def assert_same_item(a, b):
    (img_a, t_a), (img_b, t_b) = a, b
    assert type(t_a) is type(t_b) and t_a == t_b
    assert isinstance(img_a, PIL.Image.Image)
    assert (img_a.mode, img_a.size) == (img_b.mode, img_b.size)
    assert img_a.tobytes() == img_b.tobytes()


def assert_same_dataset(ours, theirs, items=(0, 1, -1)):
    assert len(ours) == len(theirs)
    assert ours.classes == theirs.classes
    assert ours.class_to_idx == theirs.class_to_idx
    assert repr(ours) == repr(theirs)
    for i in items:
        assert_same_item(ours[i], theirs[i])


class Tagged:
    """A transform with a fixed repr, so dataset reprs can be compared."""

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def __call__(self, x):
        return self.fn(x)

    def __repr__(self):
        return f"{self.name}(\n  multi-line\n)"


# --- CIFAR -------------------------------------------------------------------------------------


def test_fixture_is_a_python2_protocol2_pickle(data_root):
    raw = (data_root / "cifar-10-batches-py" / "data_batch_1").read_bytes()
    ops = [(op.name, arg) for op, arg, _ in pickletools.genops(raw)]
    assert ops[0] == ("PROTO", 2)
    names = {name for name, _ in ops}
    assert not names & {"BINUNICODE", "SHORT_BINBYTES", "BINBYTES", "STACK_GLOBAL", "FRAME"}
    assert ("GLOBAL", "numpy.core.multiarray _reconstruct") in ops
    assert ("SHORT_BINSTRING", "data") in ops
    assert "BINSTRING" in names  # the 64 * 3072 image bytes as one Python 2 str


@pytest.mark.parametrize("name", ["CIFAR10", "CIFAR100"])
@pytest.mark.parametrize("train", [True, False])
def test_cifar_matches_torchvision(tv_cifar, data_root, name, train):
    ours = getattr(ed, name)(str(data_root), train=train)
    theirs = getattr(tv_cifar.datasets, name)(str(data_root), train=train)
    assert ours.data.dtype == np.uint8 and ours.data.shape == theirs.data.shape
    assert ours.data.shape[1:] == (32, 32, 3)
    np.testing.assert_array_equal(ours.data, theirs.data)
    assert ours.targets == theirs.targets and all(type(t) is int for t in ours.targets)
    assert ours.train is train and ours.root == str(data_root)
    assert_same_dataset(ours, theirs)


def test_cifar_transforms_and_repr(tv_cifar, data_root):
    kwargs = dict(
        train=False,
        transform=Tagged("ToArray", lambda im: np.asarray(im)),
        target_transform=Tagged("PlusOne", lambda t: t + 1),
    )
    ours = ed.CIFAR10(data_root, **kwargs)
    theirs = tv_cifar.datasets.CIFAR10(data_root, **kwargs)
    assert repr(ours) == repr(theirs)
    assert repr(ours).startswith(
        "Dataset CIFAR10\n    Number of datapoints: 40\n    Root location: "
    )
    assert "    Split: Test\n    StandardTransform\nTransform: ToArray(\n" in repr(ours)
    img, target = ours[3]
    np.testing.assert_array_equal(img, theirs[3][0])
    assert target == theirs.targets[3] + 1


def test_cifar100_keeps_coarse_labels(data_root):
    ds = ed.CIFAR100(data_root, train=True)
    assert len(ds.classes) == 100 and ds.classes[7] == "fine_07"
    assert ds.coarse_classes == [f"coarse_{i:02d}" for i in range(20)]
    assert ds.coarse_targets == [t // 5 for t in ds.targets]


def test_cifar_missing_files(tv_cifar, tmp_path):
    msg = "Dataset not found or corrupted. You can use download=True to download it"
    for make in (ed.CIFAR10, tv_cifar.datasets.CIFAR10):
        with pytest.raises(RuntimeError, match=f"^{msg}$"):
            make(tmp_path)
    folder = write_cifar10(tmp_path, n_per_batch=4)
    os.remove(os.path.join(folder, "batches.meta"))
    meta_msg = "Dataset metadata file not found or corrupted"
    for make in (ed.CIFAR10, tv_cifar.datasets.CIFAR10):
        with pytest.raises(RuntimeError, match=meta_msg):
            make(tmp_path)


def _replace(folder, name, data: bytes):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    return os.path.join(folder, name)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[: len(raw) // 2], "corrupted or not a pickle"),
        (lambda raw: raw[:-1], "corrupted or not a pickle"),
        (lambda raw: b"\x00garbage" + raw, "corrupted or not a pickle"),
        (lambda raw: b"", "corrupted or not a pickle"),
    ],
)
def test_cifar_damaged_file_names_the_file(tmp_path, damage, message):
    folder = write_cifar10(tmp_path, n_per_batch=8)
    path = os.path.join(folder, "data_batch_3")
    with open(path, "rb") as f:
        raw = f.read()
    _replace(folder, "data_batch_3", damage(raw))
    with pytest.raises(RuntimeError, match=message) as info:
        ed.CIFAR10(tmp_path)
    assert path in str(info.value)
    ed.CIFAR10(tmp_path, train=False)  # the test split does not read the damaged file


def _batch(n=4, **override):
    entry = {
        "data": np.zeros((n, 3072), np.uint8),
        "labels": [1] * n,
        "filenames": [b"f.png"] * n,
    }
    entry.update(override)
    return {k.encode(): v for k, v in entry.items() if v is not None}


@pytest.mark.parametrize(
    "entry, message",
    [
        (_batch(labels=None), "has no 'labels' entry"),
        (_batch(data=None), "has no 'data' entry"),
        (_batch(data=np.zeros((4, 3000), np.uint8)), r"shape \(4, 3000\)"),
        (_batch(data=np.zeros((4, 32, 32, 3), np.uint8)), "expected \\(N, 3072\\)"),
        (_batch(data=np.zeros((4, 3072), np.float32)), "must be a uint8 array"),
        (_batch(labels=[1, 2, 3]), "4 images but 3 labels"),
        (_batch(labels=[1, 2, 3, 10]), r"label 10 in 'labels' is outside \[0, 10\)"),
        (_batch(labels=[1, 2, -1, 0]), r"label -1 .* is outside"),
        (_batch(labels=[b"a"] * 4), "must be a list of ints"),
        ([1, 2, 3], "expected a dict, got list"),
    ],
)
def test_cifar_structure_is_validated(tmp_path, entry, message):
    folder = write_cifar10(tmp_path, n_per_batch=4)
    path = _replace(folder, "test_batch", py2_pickle(entry))
    with pytest.raises(RuntimeError, match=message) as info:
        ed.CIFAR10(tmp_path, train=False)
    assert path in str(info.value)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_cifar_format_files_written_by_python3_load(tmp_path, protocol):
    folder = write_cifar10(tmp_path, n_per_batch=4)
    rng = np.random.default_rng(5)
    data = rng.integers(0, 256, (6, 3072), dtype=np.uint8)
    entry = {"data": data, "labels": np.array([0, 1, 2, 3, 4, 9]), "filenames": [b"x"] * 6}
    _replace(folder, "test_batch", pickle.dumps(entry, protocol=protocol))
    ds = ed.CIFAR10(tmp_path, train=False)
    np.testing.assert_array_equal(ds.data, data.reshape(6, 3, 32, 32).transpose(0, 2, 3, 1))
    assert ds.targets == [0, 1, 2, 3, 4, 9]


# --- the restricted unpickler ------------------------------------------------------------------

KINDS = ["os.system", "posix.system", "builtins.eval", "builtins.exec", "__builtin__.eval"]


@pytest.mark.parametrize("kind", KINDS)
def test_malicious_pickle_is_refused_and_not_run(tmp_path, kind):
    live_marker = tmp_path / "live"
    if kind != "__builtin__.eval":  # prove the payload is live: plain pickle runs it
        pickle.loads(malicious_pickle(live_marker, kind), encoding="latin1")
        assert live_marker.exists()
    marker = tmp_path / "pwned"
    with pytest.raises(pickle.UnpicklingError, match=f"refused to load global '{kind}'"):
        _safe_pickle.loads(malicious_pickle(marker, kind))
    assert not marker.exists()

    folder = write_cifar10(tmp_path / "root", n_per_batch=4)
    path = _replace(folder, "data_batch_1", malicious_pickle(marker, kind))
    with pytest.raises(pickle.UnpicklingError, match=kind) as info:
        ed.CIFAR10(tmp_path / "root")
    assert path in str(info.value)
    assert not marker.exists()


def test_unpickler_refuses_other_routes_to_code():
    # protocol 0 INST opcode, protocol 2 EXT1 (copyreg registry), persistent ids, codecs abuse
    inst = b"(S'echo hi'\nios\nsystem\n."
    with pytest.raises(pickle.UnpicklingError, match="os.system"):
        _safe_pickle.loads(inst)
    with pytest.raises(pickle.UnpicklingError, match="persistent"):
        _safe_pickle.loads(b"\x80\x02U\x01xQ.")
    stack_global = pickle.dumps(print, protocol=4)
    with pytest.raises(pickle.UnpicklingError, match="builtins.print"):
        _safe_pickle.loads(stack_global)
    zlib_call = b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00xX\x04\x00\x00\x00zlib\x86R."
    with pytest.raises(pickle.UnpicklingError, match="only latin-1"):
        _safe_pickle.loads(zlib_call)
    # the admitted callables do their job
    assert _safe_pickle.loads(pickle.dumps(b"\xff\x00", protocol=2)) == b"\xff\x00"
    arr = np.arange(12, dtype=np.int64).reshape(3, 4)[:, ::2]
    for protocol in (2, 5):
        np.testing.assert_array_equal(_safe_pickle.loads(pickle.dumps(arr, protocol=protocol)), arr)


def test_unpickler_length_lie_does_not_allocate():
    # BINSTRING claiming 2 GiB of data that is not there
    lie = b"\x80\x02T\xff\xff\xff\x7f" + b"x" * 10
    tracemalloc.start()
    try:
        with pytest.raises(pickle.UnpicklingError, match="truncated"):
            _safe_pickle.loads(lie)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


# --- downloads ---------------------------------------------------------------------------------


def _cifar_archive(tmp_path, members=None):
    src = tmp_path / "src"
    folder = write_cifar10(src, n_per_batch=4)
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-py")
        for info, data in members or []:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return archive, hashlib.md5(archive.read_bytes()).hexdigest()


def test_cifar_download_from_file_url(tmp_path, monkeypatch):
    archive, md5 = _cifar_archive(tmp_path)
    monkeypatch.setattr(ed.CIFAR10, "url", archive.as_uri())
    monkeypatch.setattr(ed.CIFAR10, "tgz_md5", md5)
    root = tmp_path / "root"
    ds = ed.CIFAR10(root, train=True, download=True)
    assert len(ds) == 20
    reference = ed.CIFAR10(tmp_path / "src", train=True)
    np.testing.assert_array_equal(ds.data, reference.data)
    assert (root / "cifar-10-python.tar.gz").is_file()
    archive.unlink()  # present files are not fetched again
    assert len(ed.CIFAR10(root, train=False, download=True)) == 4


def test_download_md5_mismatch_leaves_nothing(tmp_path, monkeypatch):
    archive, _ = _cifar_archive(tmp_path)
    monkeypatch.setattr(ed.CIFAR10, "url", archive.as_uri())
    root = tmp_path / "root"
    with pytest.raises(RuntimeError, match="corrupted: MD5 [0-9a-f]{32}, expected c58f3010"):
        ed.CIFAR10(root, download=True)
    assert os.listdir(root) == []


def test_download_without_network_fails_clearly(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    with pytest.raises(RuntimeError) as info:
        ed.CIFAR10(tmp_path, download=True)
    text = str(info.value)
    assert "Could not download https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz" in text
    assert "name resolution" in text and "network" in text
    assert os.listdir(tmp_path) == []  # no partial file left behind
    with pytest.raises(RuntimeError, match="Error downloading train-images-idx3-ubyte.gz"):
        ed.MNIST(tmp_path, download=True)


def test_download_unreachable_host(tmp_path, monkeypatch):
    monkeypatch.setattr(ed.CIFAR10, "url", "http://127.0.0.1:9/cifar-10-python.tar.gz")
    with pytest.raises(RuntimeError, match="Could not download http://127.0.0.1:9/.*refused"):
        ed.CIFAR10(tmp_path, download=True)


def _member(name, type_=tarfile.REGTYPE, linkname="", data=b"evil"):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = type_, linkname
    info.size = len(data) if type_ == tarfile.REGTYPE else 0
    return info, data if type_ == tarfile.REGTYPE else None


@pytest.mark.parametrize(
    "member",
    [
        _member("../escaped.txt"),
        _member("cifar-10-batches-py/../../escaped.txt"),
        _member("/tmp/ember-absolute-escape.txt"),
        _member("link", tarfile.SYMTYPE, "../escaped.txt"),
        _member("hard", tarfile.LNKTYPE, "../escaped.txt"),
        _member("dev", tarfile.CHRTYPE),
    ],
)
def test_extraction_refuses_escaping_members(tmp_path, monkeypatch, member):
    archive, md5 = _cifar_archive(tmp_path, [member])
    monkeypatch.setattr(ed.CIFAR10, "url", archive.as_uri())
    monkeypatch.setattr(ed.CIFAR10, "tgz_md5", md5)
    root = tmp_path / "deep" / "root"
    with pytest.raises(RuntimeError, match="Refusing to extract"):
        ed.CIFAR10(root, download=True)
    assert not (tmp_path / "deep" / "escaped.txt").exists()
    assert not os.path.exists("/tmp/ember-absolute-escape.txt")
    assert os.listdir(root) == ["cifar-10-python.tar.gz"]  # nothing extracted


# --- MNIST -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["MNIST", "FashionMNIST", "KMNIST"])
@pytest.mark.parametrize("train", [True, False])
def test_mnist_matches_torchvision(tv, data_root, name, train):
    ours = getattr(ed, name)(data_root / "raw", train=train, transform=Tagged("T", lambda x: x))
    theirs = getattr(tv.datasets, name)(
        data_root / "raw", train=train, transform=Tagged("T", lambda x: x)
    )
    # data and targets are tensors, as in torchvision
    assert isinstance(ours.data, ember.Tensor) and isinstance(ours.targets, ember.Tensor)
    assert ours.data.dtype == ember.uint8 and ours.data.shape[1:] == (28, 28)
    np.testing.assert_array_equal(ours.data, theirs.data.numpy())
    np.testing.assert_array_equal(ours.targets, theirs.targets.numpy())
    assert ours.targets.dtype == ember.int64
    assert_same_dataset(ours, theirs)
    assert ours[0][0].mode == "L"


def test_mnist_gz_equals_raw(data_root):
    for train in (True, False):
        gz, raw = ed.MNIST(data_root / "gz", train=train), ed.MNIST(data_root / "raw", train=train)
        np.testing.assert_array_equal(gz.data, raw.data)
        np.testing.assert_array_equal(gz.targets, raw.targets)


def test_emnist_matches_torchvision(tv, tmp_path):
    raw = tmp_path / "EMNIST" / "raw"
    rng = np.random.default_rng(0)
    for part in ("train", "test"):
        write_idx(
            raw / f"emnist-letters-{part}-images-idx3-ubyte", rng.integers(0, 256, (9, 28, 28))
        )
        write_idx(raw / f"emnist-letters-{part}-labels-idx1-ubyte", rng.integers(1, 27, 9))
    ours, theirs = ed.EMNIST(tmp_path, "letters"), tv.datasets.EMNIST(tmp_path, "letters")
    np.testing.assert_array_equal(ours.data, theirs.data.numpy())
    assert_same_dataset(ours, theirs)
    with pytest.raises(ValueError, match="Unknown value 'bogus' for argument split"):
        ed.EMNIST(tmp_path, "bogus")


def test_mnist_missing_files(tv, tmp_path):
    for make in (ed.MNIST, tv.datasets.MNIST):
        with pytest.raises(RuntimeError, match="^Dataset not found. You can use download=True"):
            make(tmp_path)
    raw = write_mnist(tmp_path, n_train=2, n_test=2)
    os.remove(os.path.join(raw, "t10k-labels-idx1-ubyte"))
    with pytest.raises(RuntimeError, match="^Dataset not found"):
        ed.MNIST(tmp_path, train=True)  # like torchvision: all four files are required


def _mnist_with(tmp_path, filename, data: bytes, gz=False):
    raw = write_mnist(tmp_path, n_train=3, n_test=3, gz=gz)
    target = os.path.join(raw, filename + (".gz" if gz else ""))
    with open(target, "wb") as f:
        f.write(gzip.compress(data) if gz else data)
    return target


HUGE = bytes([0, 0, 8, 3]) + (1_000_000).to_bytes(4, "big") + (1000).to_bytes(4, "big") * 2


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("train-images-idx3-ubyte", HUGE + b"\x00" * 100, r"header says \(1000000, 1000, 1000\)"),
        ("train-images-idx3-ubyte", b"\x08\x03\x00\x00" + b"\x00" * 64, "bad magic number"),
        ("train-images-idx3-ubyte", bytes([0, 0, 0x42, 3]) + b"\x00" * 64, "bad magic"),
        ("train-images-idx3-ubyte", bytes([0, 0, 8, 4]) + b"\x00" * 64, "4 dimensions"),
        ("train-images-idx3-ubyte", bytes([0, 0, 8, 3, 0, 0]), "truncated"),
        ("train-images-idx3-ubyte", idx_bytes(np.zeros((3, 28, 28)))[:-5], "truncated"),
        ("train-images-idx3-ubyte", idx_bytes(np.zeros((3, 28, 28))) + b"\x01", "past|padded"),
        ("train-images-idx3-ubyte", idx_bytes(np.zeros((3, 784))), "3-dimensional uint8"),
        ("train-labels-idx1-ubyte", idx_bytes(np.zeros((3, 1))), "1-dimensional uint8"),
        ("train-labels-idx1-ubyte", idx_bytes(np.zeros(4)), "3 images but .* 4 labels"),
        ("train-labels-idx1-ubyte", bytes([0, 0, 0x0C, 1, 0, 0, 0, 1]) + b"\0" * 4, "int32"),
    ],
)
def test_mnist_bad_files_fail_clearly_without_allocating(tmp_path, gz, filename, data, message):
    if gz and "header says" in message:
        message = r"truncated: data of shape \(1000000, 1000, 1000\)"
    if gz and "past|padded" in message:
        message = "past the"
    target = _mnist_with(tmp_path, filename, data, gz=gz)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=message) as info:
            ed.MNIST(tmp_path, train=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert target in str(info.value) or target[:-3] in str(info.value)
    assert peak < 20_000_000


def test_mnist_gz_corrupt_stream(tmp_path):
    target = _mnist_with(tmp_path, "train-images-idx3-ubyte", b"", gz=True)
    with open(target, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ValueError, match="could not be read") as info:
        ed.MNIST(tmp_path)
    assert target in str(info.value)


# --- folders -----------------------------------------------------------------------------------


def test_image_folder_matches_torchvision(tv, data_root):
    root = str(data_root / "folder")
    ours, theirs = ed.ImageFolder(root), tv.datasets.ImageFolder(root)
    assert ours.classes == ["cat", "dog"]
    assert ours.samples == theirs.samples and ours.imgs is ours.samples
    assert ours.targets == theirs.targets == [0, 0, 0, 1, 1, 1]
    assert [os.path.basename(p) for p, _ in ours.samples] == [
        "a.PNG",
        "b.png",
        "c.bmp",
        "x.jpg",
        "y.png",
        "z.png",
    ]
    assert_same_dataset(ours, theirs, items=range(len(theirs)))
    assert {ours[i][0].mode for i in range(len(ours))} == {"RGB"}


def test_image_folder_options_match_torchvision(tv, data_root, tmp_path):
    root = str(data_root / "folder")

    def only_png(path):
        return path.endswith(".png")

    for kwargs in (
        dict(is_valid_file=only_png),
        dict(loader=lambda p: PIL.Image.open(p).convert("L"), transform=Tagged("T", lambda x: x)),
    ):
        ours, theirs = ed.ImageFolder(root, **kwargs), tv.datasets.ImageFolder(root, **kwargs)
        assert ours.samples == theirs.samples
        assert_same_dataset(ours, theirs, items=range(len(theirs)))

    shutil.copytree(root, tmp_path / "t")
    os.makedirs(tmp_path / "t" / "empty")
    for make in (ed.ImageFolder, tv.datasets.ImageFolder):
        with pytest.raises(FileNotFoundError) as info:
            make(tmp_path / "t")
        assert str(info.value) == (
            "Found no valid file for the classes empty. Supported extensions are: .jpg, .jpeg, "
            ".png, .ppm, .bmp, .pgm, .tif, .tiff, .webp"
        )
    ours = ed.ImageFolder(tmp_path / "t", allow_empty=True)
    assert ours.classes == ["cat", "dog", "empty"] and len(ours) == 6

    os.makedirs(tmp_path / "noclass")
    for make in (ed.ImageFolder, tv.datasets.ImageFolder):
        with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in"):
            make(tmp_path / "noclass")


def test_dataset_folder_matches_torchvision(tv, data_root):
    root = str(data_root / "folder")
    kwargs = dict(loader=lambda p: os.path.getsize(p), extensions=(".txt", ".bmp", ".jpg"))
    ours, theirs = ed.DatasetFolder(root, **kwargs), tv.datasets.DatasetFolder(root, **kwargs)
    assert ours.samples == theirs.samples and len(ours) == 3
    assert ours.targets == [0, 0, 1] and ours[0] == theirs[0] == (12, 0) and ours[1] == theirs[1]
    with pytest.raises(
        FileNotFoundError, match="classes dog. Supported extensions are: .txt, .bmp"
    ):
        ed.DatasetFolder(root, loader=print, extensions=(".txt", ".bmp"), allow_empty=False)
    for make in (ed.DatasetFolder, tv.datasets.DatasetFolder):
        with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None"):
            make(root, loader=print)


# --- FakeData ----------------------------------------------------------------------------------


def test_fakedata_behaviour(tv):
    ds = ed.FakeData(size=5, image_size=(3, 6, 4), num_classes=3)
    img, target = ds[2]
    assert (img.mode, img.size) == ("RGB", (4, 6)) and type(target) is int and 0 <= target < 3
    assert img.tobytes() == ds[2][0].tobytes()  # a pure function of the index
    assert img.tobytes() != ds[3][0].tobytes()
    shifted = ed.FakeData(size=5, image_size=(3, 6, 4), num_classes=3, random_offset=1)
    assert shifted[2][0].tobytes() == ds[3][0].tobytes()
    assert ed.FakeData(size=2, image_size=(1, 5, 5))[0][0].mode == "L"
    assert ed.FakeData(size=2, image_size=(4, 5, 5))[0][0].mode == "RGBA"
    targets = {ed.FakeData(size=200, image_size=(1, 2, 2), num_classes=4)[i][1] for i in range(200)}
    assert targets == {0, 1, 2, 3}
    theirs = tv.datasets.FakeData(size=5, image_size=(3, 6, 4), num_classes=3)
    assert repr(ds) == repr(theirs)
    for d in (ds, theirs):
        with pytest.raises(IndexError, match="^FakeData index out of range$"):
            d[5]


@pytest.mark.parametrize("image_size", [(3, 9, 7), (1, 4, 4), (3, 32, 32), (2, 3, 5), (1, 3, 3)])
def test_fakedata_matches_torchvision_exactly(tv, image_size):
    kwargs = dict(size=6, image_size=image_size, num_classes=7, random_offset=3)
    ours, theirs = ed.FakeData(**kwargs), tv.datasets.FakeData(**kwargs)
    for i in range(6):
        assert_same_item(ours[i], theirs[i])


# --- Digits ------------------------------------------------------------------------------------


def test_digits_bundle():
    train, test = ed.Digits(), ed.Digits(train=False)
    assert (len(train), len(test)) == (1437, 360)
    assert train.classes == [str(d) for d in range(10)] and train.class_to_idx["7"] == 7
    counts = np.bincount(train.targets + test.targets)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert train.data.dtype == np.uint8 and train.data.shape == (1437, 8, 8)
    assert train.data.max() == 255 and train.data.min() == 0
    # every pixel is one of the 17 scaled levels of 0..16
    levels = (np.arange(17) * 255 + 8) // 16
    assert set(np.unique(np.concatenate([train.data, test.data]))) <= set(levels.tolist())
    img, target = test[5]
    assert (img.mode, img.size) == ("L", (8, 8)) and target == test.targets[5]
    np.testing.assert_array_equal(np.asarray(img), test.data[5])
    assert repr(test) == "Dataset Digits\n    Number of datapoints: 360\n    Split: Test"
    assert ed.Digits(train=True, target_transform=lambda t: -t)[0][1] == -train.targets[0]


def test_digits_package_data():
    assert os.path.getsize(digits.DATA_FILE) < 100_000
    with np.load(digits.DATA_FILE, allow_pickle=False) as f:
        assert f["images"].dtype == np.uint8 and f["images"].max() == 16
        assert f["labels"].dtype == np.int64
        assert sorted(f["source_index"].tolist()) == list(range(1797))
        # The first row of scikit-learn's digits.csv.gz is a 0.
        first = int(np.flatnonzero(f["source_index"] == 0)[0])
        assert f["labels"][first] == 0
        assert f["images"][first][0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    licence = open(os.path.join(os.path.dirname(digits.DATA_FILE), "DIGITS_LICENSE.txt")).read()
    assert "CC BY 4.0" in licence and "Alpaydin" in licence and "scikit-learn" in licence


# --- base class --------------------------------------------------------------------------------


def test_transforms_and_transform_are_exclusive(tv):
    for base in (ed.VisionDataset, tv.datasets.VisionDataset):
        with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
            base("r", transforms=print, transform=print)
    assert ed.VisionDataset("~/x").root == os.path.expanduser("~/x")
