"""Ember's MAT-file reader (for SVHN, Flowers102, StanfordCars, Caltech101) against scipy's."""

import io
import struct
import zlib

import numpy as np
import pytest

from ember.vision.datasets._matfile import MatFileError, loadmat

sio = pytest.importorskip("scipy.io")


def assert_like_scipy(ours, theirs):
    """Ours is unsqueezed like scipy's default output, with char arrays as Python strings."""
    if isinstance(ours, str):
        assert theirs.dtype.kind == "U" and theirs.tolist() == ([ours] if ours else [])
    elif isinstance(ours, list):
        assert theirs.tolist() == ours
    elif theirs.dtype.names is not None:  # struct array: a record array in scipy
        assert ours.dtype == object and ours.shape == theirs.shape
        for index in np.ndindex(theirs.shape):
            assert list(ours[index]) == list(theirs.dtype.names)
            for field in theirs.dtype.names:
                assert_like_scipy(ours[index][field], theirs[index][field])
    elif theirs.dtype == object:  # cell array
        assert ours.dtype == object and ours.shape == theirs.shape
        for index in np.ndindex(theirs.shape):
            assert_like_scipy(ours[index], theirs[index])
    else:
        assert isinstance(ours, np.ndarray)
        # scipy keeps a big-endian file's byte order; Ember gives native arrays.
        assert ours.dtype == theirs.dtype.newbyteorder("=") and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)


def variables():
    rng = np.random.default_rng(0)
    out = {
        f"num_{dt}": rng.integers(-100 if dt[0] == "i" else 0, 100, (2, 3)).astype(dt)
        for dt in ("i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8")
    }
    out["doubles"] = rng.standard_normal((3, 1))
    out["singles"] = rng.standard_normal((1, 4)).astype(np.float32)
    out["images"] = rng.integers(0, 256, (4, 5, 3, 2), dtype=np.uint8)
    out["empty"] = np.zeros((0, 3))
    out["flags"] = np.array([[True, False, True]])
    out["text"] = "héllo ✓"
    out["rows"] = np.array(["ab", "cd", "ef"])
    out["blank"] = ""
    cells = np.empty((2, 2), dtype=object)
    cells[:] = [[np.arange(3.0), "x"], [np.array([[7]], np.uint16), "long name"]]
    out["cells"] = cells
    record = np.zeros((1, 3), dtype=[("x", "u1"), ("name", "O"), ("inner", "O")])
    record["x"] = [[1, 2, 3]]
    record["name"][0] = ["a.jpg", "b.jpg", "c.jpg"]
    record["inner"][0] = [{"deep": np.eye(2)}, {"deep": np.ones((1, 1))}, {"deep": "s"}]
    out["records"] = record
    out["scalar"] = {"a": 1.5, "b": "two"}
    return out


@pytest.mark.parametrize("compress", [False, True])
def test_reads_what_scipy_writes_as_scipy_does(tmp_path, compress):
    path = tmp_path / "vars.mat"
    values = variables()
    sio.savemat(path, values, do_compression=compress)
    ours, theirs = loadmat(path), sio.loadmat(path)
    assert sorted(ours) == sorted(values) == sorted(k for k in theirs if not k.startswith("__"))
    for name in values:
        assert_like_scipy(ours[name], theirs[name])


def big_endian_file(name, array):
    """A hand-built big-endian MAT-file with one double matrix (scipy writes native order)."""

    def element(mtype, payload):
        pad = b"\0" * (-len(payload) % 8)
        return struct.pack(">II", mtype, len(payload)) + payload + pad

    body = element(6, struct.pack(">II", 6, 0))  # flags: class double
    body += element(5, struct.pack(f">{array.ndim}i", *array.shape))
    body += element(1, name.encode())
    body += element(9, array.astype(">f8").tobytes(order="F"))
    header = b"MATLAB 5.0 MAT-file, hand made".ljust(116) + b"\0" * 8 + b"\x01\x00" + b"MI"
    return header + element(14, body)


def test_reads_big_endian_files(tmp_path):
    array = np.arange(6.0).reshape(2, 3) ** 2
    (tmp_path / "be.mat").write_bytes(big_endian_file("squares", array))
    ours, theirs = loadmat(tmp_path / "be.mat"), sio.loadmat(tmp_path / "be.mat")
    assert_like_scipy(ours["squares"], theirs["squares"])
    np.testing.assert_array_equal(ours["squares"], array)


@pytest.mark.parametrize(
    "value,message",
    [
        (np.array([[1 + 2j]]), "complex array 'v' is not supported"),
        ("sparse", "sparse array 'v' is not supported"),
        ("object", "object array 'v' is not supported"),
    ],
)
def test_unsupported_classes_are_refused(tmp_path, value, message):
    if isinstance(value, str) and value == "sparse":
        import scipy.sparse

        value = scipy.sparse.csc_matrix(np.eye(2))
    elif isinstance(value, str):
        from scipy.io.matlab import MatlabObject

        value = MatlabObject(np.zeros((1, 1), dtype=[("a", "O")]), "SomeClass")
    sio.savemat(tmp_path / "x.mat", {"v": value})
    with pytest.raises(MatFileError, match=message):
        loadmat(tmp_path / "x.mat")


def test_damaged_files_fail_clearly(tmp_path):
    path = tmp_path / "a.mat"
    sio.savemat(path, {"images": np.ones((50, 50), np.uint8)})
    data = path.read_bytes()
    assert issubclass(MatFileError, ValueError)
    for cut in (40, 140, len(data) - 10):
        path.write_bytes(data[:cut])
        with pytest.raises(MatFileError, match="a.mat"):
            loadmat(path)
    path.write_bytes(b"MATLAB 7.3 MAT-file".ljust(128, b" "))
    with pytest.raises(MatFileError, match=r"version 7.3 \(HDF5\) files are not supported"):
        loadmat(path)
    buffer = io.BytesIO()
    sio.savemat(buffer, {"a": np.arange(3.0)}, format="4")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(MatFileError, match="not a level-5 MAT-file"):
        loadmat(path)


def test_size_lies_are_caught_before_allocating(tmp_path):
    path = tmp_path / "lie.mat"
    sio.savemat(path, {"x": np.ones((4, 4))})
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 132, 0xFFFFFFF0)  # the matrix element claims ~4 GB
    path.write_bytes(bytes(data))
    with pytest.raises(MatFileError, match="claims 4294967280 bytes"):
        loadmat(path)


def compressed_file(inner):
    header = b"MATLAB 5.0 MAT-file".ljust(116) + b"\0" * 8 + b"\x00\x01IM"
    packed = zlib.compress(inner, 9)
    return header + struct.pack("<II", 15, len(packed)) + packed


def test_compressed_elements_inflate_only_as_far_as_declared(tmp_path):
    path = tmp_path / "c.mat"
    # A tag declaring 16 bytes followed by 5 MB of zeros: refused after 16 (+8) bytes.
    path.write_bytes(compressed_file(struct.pack("<II", 14, 16) + b"\0" * 5_000_000))
    with pytest.raises(MatFileError, match="holds more data than its tag declares"):
        loadmat(path)
    # A tag declaring 4 GB with a few bytes behind it: refused without allocating 4 GB.
    path.write_bytes(compressed_file(struct.pack("<II", 14, 0xFFFFFFF0) + b"\0" * 64))
    with pytest.raises(MatFileError, match="truncated: 64 of 4294967280 bytes"):
        loadmat(path)
    path.write_bytes(compressed_file(b"\x0e\0"))
    with pytest.raises(MatFileError, match="compressed element is too short"):
        loadmat(path)
    path.write_bytes(compressed_file(b"")[:-8] + b"not zlib")
    with pytest.raises(MatFileError, match="corrupt compressed element"):
        loadmat(path)
