"""ember.save / ember.load: round trips, hostile and damaged files, torch interop, dlpack."""

from __future__ import annotations

import collections
import io
import json
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest
import safetensors.torch as st
import torch
from nn_helpers import toy_layers

import ember
from ember import serialization as S


class Evil:
    """Pickles to a call of os.system that would create ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y


def same(a, b) -> bool:
    a = a.numpy() if hasattr(a, "numpy") else a
    b = b.detach().numpy() if hasattr(b, "detach") else b
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


# -- round trips ---------------------------------------------------------------------------------
def test_round_trip_nested(tmp_path):
    t = ember.randn(3, 4)
    obj = {
        "a": t,
        "b": [t, ember.arange(5), (1, 2.5, float("nan"), float("-inf"), None, "s", True)],
        "c": collections.OrderedDict(w=ember.zeros(2, dtype=ember.float16)),
        7: np.arange(4, dtype=np.int32),
        "dtype": ember.float64,
        "size": ember.Size([2, 3]),
        "dev": ember.device("cpu"),
        "bytes": b"\x00\xff",
        "set": {3, 1},
        "cx": ember.tensor([1 + 2j, 3 - 1j], dtype=ember.complex128),
        "u8": ember.tensor([0, 255], dtype=ember.uint8),
        "bool": ember.tensor([True, False]),
        "empty": ember.zeros(0, 3),
        "scalar": ember.tensor(3.5),
        "w": ember.ones(2).requires_grad_(),
    }
    path = tmp_path / "obj.pt"
    ember.save(obj, path)
    out = ember.load(path)
    assert list(out) == list(obj)
    assert same(out["a"], t.numpy()) and out["b"][0] is out["a"]
    assert same(out["b"][1], np.arange(5))
    assert out["b"][2][:2] == (1, 2.5) and np.isnan(out["b"][2][2])
    assert out["b"][2][3:] == (float("-inf"), None, "s", True)
    assert type(out["c"]) is collections.OrderedDict and out["c"]["w"].dtype == ember.float16
    assert same(out[7], np.arange(4, dtype=np.int32))
    assert out["dtype"] is ember.float64 and out["size"] == (2, 3)
    assert isinstance(out["size"], ember.Size) and out["dev"] == ember.device("cpu")
    assert out["bytes"] == b"\x00\xff" and out["set"] == {1, 3}
    assert same(out["cx"], np.array([1 + 2j, 3 - 1j]))
    assert out["u8"].tolist() == [0, 255] and out["bool"].tolist() == [True, False]
    assert out["empty"].shape == (0, 3) and out["scalar"].item() == 3.5
    assert out["w"].requires_grad and not out["a"].requires_grad
    assert os.listdir(tmp_path) == ["obj.pt"]  # no temporary file left behind


def test_loaded_tensors_are_writable_and_independent(tmp_path):
    ember.save({"a": ember.ones(3), "b": ember.zeros(2)}, tmp_path / "f")
    out = ember.load(tmp_path / "f")
    out["a"].add_(1)
    assert out["a"].tolist() == [2.0, 2.0, 2.0] and out["b"].tolist() == [0.0, 0.0]


def test_file_objects():
    buf = io.BytesIO()
    ember.save([ember.arange(3), "x"], buf)
    buf.seek(0)
    out = ember.load(buf)
    assert out[0].tolist() == [0, 1, 2] and out[1] == "x"


def test_ember_file_is_a_safetensors_file(tmp_path):
    sd = collections.OrderedDict(w=ember.randn(2, 3), b=ember.arange(2))
    ember.save(sd, tmp_path / "sd.pt")
    loaded = st.load_file(tmp_path / "sd.pt")
    assert set(loaded) == {"w", "b"}
    assert same(sd["w"], loaded["w"]) and same(sd["b"], loaded["b"])


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    ember.save({"v": ember.ones(4)}, path)
    before = path.read_bytes()

    def crash(f, arrays, metadata):
        f.write(b"partial garbage")
        raise KeyboardInterrupt

    monkeypatch.setattr(S, "_write_safetensors", crash)
    with pytest.raises(KeyboardInterrupt):
        ember.save({"v": ember.zeros(4)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.pt"]
    assert ember.load(path)["v"].tolist() == [1.0] * 4


# -- objects that are not plain data -------------------------------------------------------------
def test_custom_objects_need_explicit_permission(tmp_path):
    path = tmp_path / "p.pt"
    ember.save({"p": Point(1, 2)}, path)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL .*Point"):
        ember.load(path)
    with S.safe_globals([Point]):
        assert ember.load(path)["p"].y == 2
    with pytest.raises(pickle.UnpicklingError):
        ember.load(path)  # the context manager's permission ended
    assert ember.load(path, weights_only=False)["p"].x == 1
    S.add_safe_globals([Point])
    try:
        assert Point in S.get_safe_globals() and ember.load(path)["p"].x == 1
    finally:
        S.clear_safe_globals()


def test_hostile_pickles_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    # inside an Ember file
    ember.save({"x": Evil(str(marker))}, path)
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system"):
        ember.load(path)
    # inside a torch.save zip
    torch.save({"x": Evil(str(marker))}, path)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        ember.load(path)
    # a bare pickle
    path.write_bytes(pickle.dumps(Evil(str(marker))))
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        ember.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("writer", ["ember", "torch"])
def test_truncated_files_give_clear_errors(tmp_path, writer):
    path = tmp_path / "m.pt"
    sd = toy_layers(torch).state_dict()
    if writer == "torch":
        torch.save(sd, path)
    else:
        ember.save({k: ember.tensor(v.numpy()) for k, v in sd.items()}, path)
    data = path.read_bytes()
    for n in (0, 3, 20, len(data) // 2, len(data) - 1):
        path.write_bytes(data[:n])
        with pytest.raises(S.CheckpointError, match="not a valid checkpoint"):
            ember.load(path)
    path.write_bytes(b"hello, not a checkpoint")
    with pytest.raises(RuntimeError, match="unrecognised format"):
        ember.load(path)


def _safetensors_bytes(header: dict, data: bytes) -> bytes:
    import json
    import struct

    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


@pytest.mark.parametrize(
    "header, data, message",
    [
        ({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8, "truncated"),
        ({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}, b"\0" * 8, "needs 16"),
        ({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4, "bad shape"),
        ({"a": {"dtype": "X9", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4, "unknown dtype"),
        (
            {
                "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
            },
            b"\0" * 12,
            "overlap",
        ),
        (
            {
                "__metadata__": {"ember.structure": '{"tensor": "zz"}'},
                "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
            },
            b"\0" * 4,
            "missing tensor",
        ),
    ],
)
def test_hostile_safetensors_headers(tmp_path, header, data, message):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(_safetensors_bytes(header, data))
    with pytest.raises(S.CheckpointError, match=message):
        ember.load(path)


def test_huge_header_length_is_refused(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes((2**40).to_bytes(8, "little") + b"{}")
    with pytest.raises(S.CheckpointError, match="exceeds"):
        ember.load(path)


def test_torch_zip_with_out_of_bounds_view_is_refused(tmp_path):
    storage = object()

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return ("storage", torch.FloatStorage, "0", "cpu", 4) if obj is storage else None

    class Lying:
        def __reduce__(self):  # a 100-element view of a 4-element storage
            return (
                torch._utils._rebuild_tensor_v2,
                (storage, 0, (100,), (1,), False, collections.OrderedDict()),
            )

    pkl = io.BytesIO()
    Pickler(pkl, protocol=2).dump({"t": Lying()})
    path = tmp_path / "lie.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pkl.getvalue())
        zf.writestr("archive/data/0", b"\0" * 16)
    with pytest.raises(S.CheckpointError, match="reaches past its storage"):
        ember.load(path)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pkl.getvalue())
        zf.writestr("archive/data/0", b"\0" * 12)  # shorter than the 4 floats it claims
    with pytest.raises(S.CheckpointError, match="holds 12 bytes"):
        ember.load(path)


# -- interop with torch --------------------------------------------------------------------------
def test_torch_save_loads_into_ember(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "_bf16_warned", False)
    x = torch.arange(10.0)
    obj = {
        "x": x,
        "view": x[2:8:2],
        "t": x.view(2, 5).t(),
        "p": torch.nn.Parameter(torch.ones(2)),
        "bf16": torch.tensor([1.5, -2.25], dtype=torch.bfloat16),
        "i": torch.arange(3),
        "size": torch.Size([1, 2]),
        "dtype": torch.float16,
        "epoch": 3,
        "nested": [(1, "a")],
    }
    torch.save(obj, tmp_path / "t.pt")
    with pytest.warns(UserWarning, match="Ember stores bfloat16 as float32"):
        out = ember.load(tmp_path / "t.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per process
        ember.load(tmp_path / "t.pt")
    assert same(out["x"], x) and same(out["view"], x[2:8:2]) and same(out["t"], x.view(2, 5).t())
    assert out["p"].requires_grad and out["p"].tolist() == [1.0, 1.0]
    assert out["bf16"].dtype == ember.float32 and out["bf16"].tolist() == [1.5, -2.25]
    assert out["i"].dtype == ember.int64 and out["size"] == ember.Size([1, 2])
    assert out["dtype"] is ember.float16 and out["epoch"] == 3 and out["nested"] == [(1, "a")]


def test_load_arguments_ember_does_not_act_on(tmp_path):
    ember.save({"a": ember.ones(2)}, tmp_path / "e.pt")
    path = tmp_path / "e.pt"
    assert ember.load(path, pickle_module=pickle)["a"].tolist() == [1.0, 1.0]  # the default
    with pytest.warns(UserWarning, match="ignores pickle_module=json"):
        ember.load(path, pickle_module=json)
    with pytest.warns(UserWarning, match="mmap=True saves no memory"):
        assert ember.load(path, mmap=True)["a"].tolist() == [1.0, 1.0]
    with open(path, "rb") as f, pytest.raises(ValueError, match="must be a file path"):
        ember.load(f, mmap=True)
    with pytest.warns(UserWarning, match="only works if `weights_only=False`"):
        ember.load(path, encoding="latin1")
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        ember.load(path, foo=1)


def test_torch_optimizer_state_loads(tmp_path):
    m = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(m.parameters(), betas=(0.8, 0.9))
    m(torch.randn(4, 3)).sum().backward()
    opt.step()
    torch.save(opt.state_dict(), tmp_path / "o.pt")
    out = ember.load(tmp_path / "o.pt")
    assert out["param_groups"][0]["betas"] == (0.8, 0.9)
    assert out["param_groups"][0]["params"] == [0, 1]
    assert same(out["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])


def test_map_location(tmp_path):
    torch.save({"a": torch.ones(2)}, tmp_path / "a.pt")
    assert ember.load(tmp_path / "a.pt", map_location="cpu")["a"].tolist() == [1.0, 1.0]
    doubled = ember.load(tmp_path / "a.pt", map_location=lambda t, loc: t * 2)
    assert doubled["a"].tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="torch.cuda.is_available\\(\\) is False"):
        ember.load(tmp_path / "a.pt", map_location="cuda")


@pytest.mark.parametrize("how", ["torch.save", "safetensors"])
def test_seed_model_torch_to_ember(tmp_path, how):
    torch.manual_seed(0)
    tm = toy_layers(torch)
    path = tmp_path / "m"
    if how == "torch.save":
        torch.save(tm.state_dict(), path)
    else:
        st.save_file(tm.state_dict(), path)
    em = toy_layers(ember)
    em.load_state_dict(ember.load(path))
    x = np.random.default_rng(0).random((2, 3, 32, 32), dtype=np.float32)
    with torch.no_grad():
        expected = tm(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("how", ["ember.save", "save_safetensors"])
def test_seed_model_ember_to_torch(tmp_path, how):
    ember.manual_seed(0)
    em = toy_layers(ember)
    path = tmp_path / "m.safetensors"
    if how == "ember.save":
        ember.save(em.state_dict(), path)
    else:
        S.save_safetensors(em.state_dict(), path)
    tm = toy_layers(torch)
    tm.load_state_dict(st.load_file(path))
    for name, value in em.state_dict().items():
        assert same(value, tm.state_dict()[name]), name


# -- dlpack --------------------------------------------------------------------------------------
def test_dlpack_shares_memory_both_ways():
    t = torch.arange(4.0)
    e = ember.from_dlpack(t)
    e.add_(1)
    assert t.tolist() == [1.0, 2.0, 3.0, 4.0]
    x = ember.zeros(3)
    t2 = torch.from_dlpack(x)
    t2.add_(5)
    assert x.tolist() == [5.0, 5.0, 5.0]
    n = np.from_dlpack(x)
    x.sub_(1)
    assert n.tolist() == [4.0, 4.0, 4.0] and x.__dlpack_device__() == (1, 0)
    with pytest.raises(RuntimeError, match="require gradient"):
        torch.from_dlpack(ember.ones(2, requires_grad=True))
