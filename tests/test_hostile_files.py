"""Hostile files: every reader fed malformed, truncated and adversarial bytes.

Only clear exceptions may come out (the reader's own error types, naming the file), never a crash,
a hang, an allocation the file does not back, or code from the file running. ``TRIED`` counts the
inputs fed; ``test_inputs_tried`` reports it.
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
import tracemalloc

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from ember.serialization import CheckpointError
from ember.vision.datasets import _safe_pickle
from ember.vision.datasets.cifar import _load_batch
from ember.vision.datasets.mnist import read_idx

TRIED = {"n": 0}
CLEAR = (CheckpointError, pickle.UnpicklingError, ValueError, RuntimeError)
# One worker runs this whole file in order, so test_inputs_tried sees every fuzz test's count.
pytestmark = pytest.mark.xdist_group("hostile_files")

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


def _valid_files():
    state = {"w": ember.arange(12.0).reshape(3, 4), "n": 3, "names": ["a", "b"]}
    ember_buf = io.BytesIO()
    ember.save(state, ember_buf)
    torch_buf = io.BytesIO()
    torch.save({"w": torch.arange(12.0).reshape(3, 4), "b": torch.ones(2)}, torch_buf)
    st_buf = io.BytesIO()
    ember.serialization.save_safetensors({"w": ember.ones(2, 3)}, st_buf)
    return {
        "ember": ember_buf.getvalue(),
        "torch_zip": torch_buf.getvalue(),
        "safetensors": st_buf.getvalue(),
    }


VALID = _valid_files()


def _mutate(data: bytes, cuts: list[tuple[int, int]], truncate: int | None) -> bytes:
    b = bytearray(data)
    for pos, val in cuts:
        b[pos % len(b)] = val
    if truncate is not None:
        b = b[: truncate % (len(b) + 1)]
    return bytes(b)


mutations = st.tuples(
    st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=8),
    st.none() | st.integers(0, 1 << 20),
)


def _load_clearly(data: bytes):
    TRIED["n"] += 1
    try:
        ember.load(io.BytesIO(data))
    except CLEAR as e:
        assert str(e), "an error without a message"


@FUZZ
@given(st.sampled_from(sorted(VALID)), mutations)
def test_checkpoint_readers_mutated(kind, mut):
    _load_clearly(_mutate(VALID[kind], *mut))


@FUZZ
@given(st.binary(max_size=512))
def test_checkpoint_random_bytes(data):
    _load_clearly(data)


@FUZZ
@given(st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"\x80\x04", b""]), st.binary(max_size=300))
def test_checkpoint_magic_then_garbage(magic, rest):
    _load_clearly(magic + rest)


def _safetensors(header: dict, payload: bytes = b"") -> bytes:
    import json

    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + payload


@pytest.mark.parametrize(
    "shape",
    [[10**12], [10**6, 10**6], [2**62, 4], [-1, 3], [2**64]],
)
def test_safetensors_huge_claim_does_not_allocate(shape):
    data = _safetensors(
        {"w": {"dtype": "F32", "shape": shape, "data_offsets": [0, 16]}}, b"\0" * 16
    )
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match="w"):
            ember.load(io.BytesIO(data))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20, f"peak {peak} bytes for a 16-byte payload"


def test_safetensors_header_length_beyond_file():
    with pytest.raises(CheckpointError):
        ember.load(io.BytesIO(struct.pack("<Q", 10**15) + b"{}"))


class _System:
    def __reduce__(self):
        return (os.system, ("touch /tmp/ember_pwned_marker",))


def _evil_pickles() -> list[bytes]:
    out = [pickle.dumps(_System(), protocol=p) for p in (2, 4)]
    out.append(b"cos\nsystem\n(S'touch /tmp/ember_pwned_marker'\ntR.")  # protocol 0
    out.append(b'cbuiltins\neval\n(S\'__import__("os").system("true")\'\ntR.')
    return out


@pytest.mark.parametrize("payload", _evil_pickles())
def test_pickle_reduce_os_system_refused_everywhere(payload, tmp_path):
    marker = "/tmp/ember_pwned_marker"
    if os.path.exists(marker):
        os.remove(marker)
    # bare pickle to ember.load (protocol 0 is not even recognised as a checkpoint)
    with pytest.raises((pickle.UnpicklingError, CheckpointError)):
        ember.load(io.BytesIO(payload))
    # the same pickle inside a torch.save zip archive
    buf = io.BytesIO()
    torch.save({"x": torch.ones(1)}, buf)
    zipped = _replace_zip_member(buf.getvalue(), "data.pkl", payload)
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(zipped))
    # a CIFAR batch file
    path = tmp_path / "data_batch_1"
    path.write_bytes(payload)
    with pytest.raises(pickle.UnpicklingError):
        _safe_pickle.load(path)
    assert not os.path.exists(marker), "code from the file ran"
    TRIED["n"] += 3


def _replace_zip_member(data: bytes, suffix: str, payload: bytes) -> bytes:
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            body = payload if info.filename.endswith(suffix) else src.read(info)
            dst.writestr(info.filename, body)
    return out.getvalue()


@FUZZ
@given(mutations)
def test_cifar_pickle_mutated(tmp_path_factory, mut):
    good = pickle.dumps(
        {"data": np.zeros((2, 3072), np.uint8), "labels": [1, 2], "batch_label": "x"}, protocol=2
    )
    path = tmp_path_factory.mktemp("c") / "data_batch_1"
    path.write_bytes(_mutate(good, *mut))
    TRIED["n"] += 1
    try:
        _load_batch(str(path))
    except CLEAR as e:  # the CIFAR reader names the damaged file
        assert "data_batch_1" in str(e)


def _idx(dims, dtype_code=0x08, payload=b"", gz=False) -> bytes:
    data = bytes([0, 0, dtype_code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + payload
    return gzip.compress(data) if gz else data


@FUZZ
@given(
    st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=4),
    st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x07]),
    st.binary(max_size=64),
    st.booleans(),
)
def test_mnist_idx_hostile(tmp_path_factory, dims, code, payload, gz):
    path = tmp_path_factory.mktemp("m") / ("x.idx.gz" if gz else "x.idx")
    path.write_bytes(_idx(dims, code, payload, gz))
    TRIED["n"] += 1
    tracemalloc.start()
    try:
        try:
            read_idx(path)
        except ValueError as e:
            assert str(path) in str(e)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_mnist_idx_claims_10_to_12_elements(tmp_path):
    for gz in (False, True):
        path = tmp_path / ("big.idx.gz" if gz else "big.idx")
        path.write_bytes(_idx([10**6, 10**6], payload=b"\0" * 100, gz=gz))
        tracemalloc.start()
        with pytest.raises(ValueError, match="truncated"):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 10 * 2**20
        TRIED["n"] += 1


@FUZZ
@given(st.binary(max_size=400))
def test_image_folder_hostile_images(tmp_path_factory, data):
    pytest.importorskip("PIL")
    from ember.vision.datasets import ImageFolder

    root = tmp_path_factory.mktemp("img")
    (root / "cls").mkdir()
    (root / "cls" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + data)
    ds = ImageFolder(str(root))
    TRIED["n"] += 1
    try:
        ds[0]
    except (
        OSError,
        ValueError,
        SyntaxError,
        RuntimeError,
    ):  # PIL's UnidentifiedImageError: OSError
        pass


def test_inputs_tried():
    # runs last in this file: every fuzz test above has fed its inputs
    print(f"hostile inputs tried: {TRIED['n']}")
    assert TRIED["n"] >= 1000
