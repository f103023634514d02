"""``ember.hub``, ``ember.multiprocessing``, ``ember.profiler`` / ``autograd.profiler`` and
``nn.DataParallel``, compared with torch (offline: downloads use ``file://`` URLs)."""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import time
import zipfile
from urllib.error import URLError

import numpy as np
import pytest
import test_api_gaps_workers as workers
import torch
import torch.multiprocessing as tmp_
from helpers import assert_close, check_raises, to_ember

import ember
import ember.multiprocessing as emp


# -- hub: cache directory ------------------------------------------------------------------------
@pytest.fixture
def fresh_hub_dirs(monkeypatch):
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    monkeypatch.setattr(ember.hub, "_hub_dir", None)
    for var in ("TORCH_HOME", "XDG_CACHE_HOME", "TORCH_HUB"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    "env", [{}, {"TORCH_HOME": "/tmp/th"}, {"XDG_CACHE_HOME": "/tmp/xdg"}, {"TORCH_HOME": "~/t"}]
)
def test_hub_get_dir(fresh_hub_dirs, env):
    for k, v in env.items():
        fresh_hub_dirs.setenv(k, v)
    assert ember.hub.get_dir() == torch.hub.get_dir()


def test_hub_set_dir(fresh_hub_dirs, tmp_path):
    for d in (str(tmp_path), "~/somewhere", tmp_path / "p"):
        ember.hub.set_dir(d)
        torch.hub.set_dir(d)
        assert ember.hub.get_dir() == torch.hub.get_dir()


def test_hub_api_names():
    assert set(ember.hub.__all__) == set(torch.hub.__all__)
    assert ember.hub.HASH_REGEX.pattern == torch.hub.HASH_REGEX.pattern


# -- hub: downloads ------------------------------------------------------------------------------
def test_download_url_to_file(tmp_path):
    src = tmp_path / "a.bin"
    src.write_bytes(b"some bytes" * 1000)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    for m in (ember, torch):
        dst = tmp_path / f"{m.__name__}.bin"
        m.hub.download_url_to_file(src.as_uri(), str(dst), hash_prefix=digest[:8], progress=False)
        assert dst.read_bytes() == src.read_bytes()
    e = check_raises(
        lambda m: m.hub.download_url_to_file(src.as_uri(), str(tmp_path / "x"), "abc", False)
    )
    assert str(e) == f'invalid hash value (expected "abc", got "{digest}")'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "ember.bin", "torch.bin"]


def test_download_offline_error(tmp_path):
    url = "http://127.0.0.1:9/weights.pth"  # nothing listens on the discard port
    e = check_raises(lambda m: m.hub.download_url_to_file(url, str(tmp_path / "w"), None, False))
    assert isinstance(e, URLError) and "could not download" in str(e) and url in str(e)
    assert list(tmp_path.iterdir()) == []


def _state_dict():
    torch.manual_seed(0)
    return torch.nn.Linear(3, 2).state_dict()


def test_load_state_dict_from_url(tmp_path, capsys):
    sd = _state_dict()
    src = tmp_path / "src" / "weights.pth"
    src.parent.mkdir()
    torch.save(sd, src)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    named = src.with_name(f"weights-{digest[:8]}.pth")
    src.rename(named)
    loaded = {}
    for m in (ember, torch):
        model_dir = str(tmp_path / m.__name__)
        loaded[m] = m.hub.load_state_dict_from_url(
            named.as_uri(), model_dir=model_dir, check_hash=True, progress=False
        )
        assert os.listdir(model_dir) == [named.name]
    assert list(loaded[ember]) == list(loaded[torch]) == list(sd)
    for k in sd:
        assert_close(loaded[ember][k], loaded[torch][k])
    assert f'Downloading: "{named.as_uri()}"' in capsys.readouterr().err
    named.unlink()  # the cache answers now: no download
    again = ember.hub.load_state_dict_from_url(named.as_uri(), model_dir=str(tmp_path / "ember"))
    assert_close(again["weight"], sd["weight"])
    assert "Downloading" not in capsys.readouterr().err


def test_load_state_dict_from_url_file_name_and_default_dir(fresh_hub_dirs, tmp_path):
    fresh_hub_dirs.setenv("TORCH_HOME", str(tmp_path / "home"))
    src = tmp_path / "w.pth"
    torch.save(_state_dict(), src)
    out = ember.hub.load_state_dict_from_url(src.as_uri(), file_name="named.pt", progress=False)
    assert os.listdir(tmp_path / "home" / "hub" / "checkpoints") == ["named.pt"]
    assert_close(out["bias"], _state_dict()["bias"])


def test_load_state_dict_from_url_bad_hash(tmp_path):
    src = tmp_path / "weights-0000abcd.pth"
    torch.save(_state_dict(), src)
    e = check_raises(
        lambda m: m.hub.load_state_dict_from_url(
            src.as_uri(), model_dir=str(tmp_path / m.__name__), check_hash=True, progress=False
        )
    )
    assert str(e).startswith('invalid hash value (expected "0000abcd"')
    assert not os.listdir(tmp_path / "ember")


def test_load_state_dict_from_url_legacy_zip(tmp_path):
    inner = tmp_path / "inner.pth"
    torch.save(_state_dict(), inner)
    src = tmp_path / "packed.zip"
    with zipfile.ZipFile(src, "w") as z:
        z.write(inner, "inner.pth")
    with pytest.warns(FutureWarning, match="Falling back to the old format"):
        e = ember.hub.load_state_dict_from_url(src.as_uri(), str(tmp_path / "e"), progress=False)
    with pytest.warns(FutureWarning, match="Falling back to the old format"):
        t = torch.hub.load_state_dict_from_url(src.as_uri(), str(tmp_path / "t"), progress=False)
    assert_close(e["weight"], t["weight"])


_ran = []


def _mark_ran():
    _ran.append(True)


class _Payload:
    def __reduce__(self):
        return (_mark_ran, ())


def test_load_state_dict_from_url_never_runs_code(tmp_path):
    src = tmp_path / "evil.pth"
    torch.save({"weight": torch.ones(1), "payload": _Payload()}, src)
    with pytest.raises(ember.serialization.UnpicklingError):
        ember.hub.load_state_dict_from_url(
            src.as_uri(), str(tmp_path / "e"), progress=False, weights_only=False
        )
    assert _ran == []
    torch.hub.load_state_dict_from_url(
        src.as_uri(), str(tmp_path / "t"), progress=False, weights_only=False
    )
    assert _ran == [True]  # torch, told weights_only=False, ran it: Ember did not


# -- hub: hubconf entry points -------------------------------------------------------------------
HUBCONF = '''dependencies = ["numpy"]


def scaled(x, factor=2):
    """Multiply by factor."""
    return x * factor


def _private():
    return 0


answer = 42
'''


@pytest.fixture
def repo(tmp_path):
    d = tmp_path / "repo"
    d.mkdir()
    (d / "hubconf.py").write_text(HUBCONF)
    return d


def test_hub_load_local(repo):
    for m in (ember, torch):
        assert m.hub.load(str(repo), "scaled", 5, source="local", factor=3) == 15
        assert m.hub.load(str(repo), "scaled", 5, source="LOCAL") == 10
    for model in ("answer", "_missing"):
        e = check_raises(lambda m, model=model: m.hub.load(str(repo), model, source="local"))
        assert str(e) == f"Cannot find callable {model} in hubconf"
    e = check_raises(lambda m: m.hub.load(str(repo), 3, source="local"))
    assert str(e) == "Invalid input: model should be a string of function name"
    e = check_raises(lambda m: m.hub.load(str(repo), "scaled", source="gitlab"))
    assert str(e) == 'Unknown source: "gitlab". Allowed values: "github" | "local".'
    check_raises(lambda m: m.hub.load(str(repo / "absent"), "scaled", source="local"))


def test_hub_missing_dependencies(repo):
    (repo / "hubconf.py").write_text('dependencies = ["numpy", "no_such_pkg_x", "no_such_y"]\n')
    e = check_raises(lambda m: m.hub.load(str(repo), "f", source="local"))
    assert str(e) == "Missing dependencies: no_such_pkg_x, no_such_y"


def test_hub_list_help_from_cache(fresh_hub_dirs, tmp_path, capsys):
    for m in (ember, torch):
        hub_dir = tmp_path / m.__name__
        (hub_dir / "owner_repo_main").mkdir(parents=True)
        (hub_dir / "owner_repo_main" / "hubconf.py").write_text(HUBCONF)
        m.hub.set_dir(str(hub_dir))
    kw = {"trust_repo": True, "skip_validation": True}
    assert ember.hub.list("owner/repo:main", **kw) == torch.hub.list("owner/repo:main", **kw)
    assert ember.hub.help("owner/repo:main", "scaled", **kw) == "Multiply by factor."
    assert torch.hub.help("owner/repo:main", "scaled", **kw) == "Multiply by factor."
    assert ember.hub.load("owner/repo:main", "scaled", 4, **kw) == 8
    assert ember.hub.load("owner/repo", "scaled", 5, **kw) == 10  # Ember's default ref: main
    assert "Using cache found in" in capsys.readouterr().err


def test_hub_untrusted_repo_refused(fresh_hub_dirs, tmp_path, monkeypatch):
    monkeypatch.setattr(builtins, "input", lambda prompt="": "n")
    for m in (ember, torch):
        m.hub.set_dir(str(tmp_path / m.__name__))
    e = check_raises(lambda m: m.hub.list("someone/thing:main", trust_repo="check"))
    assert str(e) == "Untrusted repository."
    monkeypatch.setattr(builtins, "input", lambda prompt="": "maybe")
    e = check_raises(lambda m: m.hub.list("someone/thing:main", trust_repo=False))
    assert str(e) == "Unrecognized response maybe."


# -- multiprocessing -----------------------------------------------------------------------------
def test_multiprocessing_names():
    for name in tmp_.__all__:
        assert hasattr(emp, name), name
    for name in ("spawn", "start_processes", "ProcessContext", "ProcessRaisedException"):
        assert hasattr(emp, name)
    assert emp.get_all_sharing_strategies() == tmp_.get_all_sharing_strategies()
    assert emp.get_sharing_strategy() == tmp_.get_sharing_strategy()
    assert emp.Process is tmp_.Process and emp.get_context("spawn").Process is not None


def test_sharing_strategy():
    old = emp.get_sharing_strategy()
    try:
        emp.set_sharing_strategy("file_system")
        assert emp.get_sharing_strategy() == "file_system"
    finally:
        emp.set_sharing_strategy(old)
    e = check_raises(lambda m: m.multiprocessing.set_sharing_strategy("x"))
    t = pytest.raises(AssertionError, tmp_.set_sharing_strategy, "x").value
    assert str(e) == str(t)


def test_spawn_runs_processes():
    queue = emp.get_context("spawn").SimpleQueue()
    scale = ember.tensor(2.0)  # a tensor argument: pickled into each process
    assert emp.spawn(workers.put_square, args=(queue, scale), nprocs=2) is None
    assert sorted([queue.get(), queue.get()]) == [(0, 0.0), (1, 4.0)]


def test_start_processes_join_false():
    queue = emp.get_context("fork").SimpleQueue()
    context = emp.start_processes(
        workers.put_square, args=(queue, 1.0), nprocs=2, join=False, start_method="fork"
    )
    assert isinstance(context, emp.ProcessContext) and len(context.pids()) == 2
    while not context.join():
        pass
    assert context.join() is True
    assert sorted([queue.get(), queue.get()]) == [(0, 0.0), (1, 1.0)]


def test_spawned_exception():
    with pytest.raises(emp.ProcessRaisedException) as info:
        emp.start_processes(workers.raise_in_one, nprocs=2, start_method="fork")
    e = info.value
    assert e.error_index == 1 and isinstance(e, emp.ProcessException)
    assert str(e).startswith("\n\n-- Process 1 terminated with the following error:\nTraceback")
    assert str(e).endswith("ValueError: boom 1\n")


def test_spawned_exit_code():
    with pytest.raises(emp.ProcessExitedException) as info:
        emp.start_processes(workers.exit_code, args=(3,), nprocs=2, start_method="fork")
    e = info.value
    assert (str(e), e.error_index, e.exit_code, e.signal_name) == (
        "process 0 terminated with exit code 3",
        0,
        3,
        None,
    )


def test_spawn_other_start_method_warns():
    queue = emp.get_context("spawn").SimpleQueue()
    with pytest.warns(FutureWarning, match="only supports start_method=spawn"):
        emp.spawn(workers.put_square, args=(queue, 1.0), nprocs=1, start_method="fork")
    assert queue.get() == (0, 0.0)


# -- profiler ------------------------------------------------------------------------------------
def _workload(m):
    with m.profiler.record_function("outer"):
        time.sleep(0.002)
        with m.profiler.record_function("inner"):
            time.sleep(0.001)
        with m.profiler.record_function("inner"):
            m.ones(3).sum()
    decorated = m.profiler.record_function("decorated")(lambda: time.sleep(0.001))
    decorated()


def _profile(m, **kw):
    with m.profiler.profile(activities=[m.profiler.ProfilerActivity.CPU], **kw) as prof:
        _workload(m)
    return prof


@pytest.fixture(scope="module")
def torch_profile():
    return _profile(torch)  # torch's profiler takes a while to start: once for these tests


def test_profiler_key_averages_and_table(torch_profile):
    e, t = _profile(ember), torch_profile
    e_avg = {a.key: a for a in e.key_averages()}
    t_avg = {a.key: a for a in t.key_averages() if a.key in ("outer", "inner", "decorated")}
    assert {k: a.count for k, a in e_avg.items()} == {k: a.count for k, a in t_avg.items()}
    outer = e_avg["outer"]
    assert outer.cpu_time_total >= 3000 and outer.self_cpu_time_total >= 2000
    assert outer.cpu_time_total == pytest.approx(
        outer.self_cpu_time_total + e_avg["inner"].cpu_time_total
    )
    table = e.key_averages().table(sort_by="cpu_time_total", row_limit=10)
    t_table = t.key_averages().table(sort_by="cpu_time_total", row_limit=10)
    lines, t_lines = table.splitlines(), t_table.splitlines()
    assert lines[1].split() == t_lines[1].split()  # the column headers
    assert set(lines[0]) == set(lines[2]) == set(lines[-2]) == {"-", " "}
    rows = [line.split() for line in lines[3:-2]]
    assert sorted(r[0] for r in rows) == ["decorated", "inner", "outer"]
    totals = [e_avg[r[0]].cpu_time_total for r in rows]
    assert totals == sorted(totals, reverse=True)  # sort_by="cpu_time_total"
    first = e_avg[rows[0][0]]
    share = 100 * first.self_cpu_time_total / e.key_averages().self_cpu_time_total
    assert rows[0][1] == f"{share:.2f}%"
    assert [r[-1] for r in rows] == [str(e_avg[r[0]].count) for r in rows]
    assert lines[-1].split(":")[0] == t_lines[-1].split(":")[0] == "Self CPU time total"


@pytest.mark.parametrize(
    "key", ["self_cpu_time_total", "cpu_time", "count", "cuda_time_total", "cpu_memory_usage"]
)
def test_profiler_table_sort_keys(key, torch_profile):
    e, t = _profile(ember).key_averages(), torch_profile.key_averages()
    e_rows = [line.split()[0] for line in e.table(sort_by=key).splitlines()[3:-2]]
    values = [getattr(next(a for a in e if a.key == name), key) for name in e_rows]
    assert values == sorted(values, reverse=True)
    t_values = [getattr(a, key, 0) for a in t if a.key in e_rows]  # torch says cuda via device
    assert all(v == 0 for v in values) == all(v == 0 for v in t_values)
    check_raises(lambda m: (e if m is ember else t).table(sort_by="bogus"))


def test_profiler_chrome_trace(tmp_path):
    path = tmp_path / "trace.json"
    _profile(ember).export_chrome_trace(str(path))
    events = json.loads(path.read_text())["traceEvents"]
    assert sorted(ev["name"] for ev in events) == ["decorated", "inner", "inner", "outer"]
    assert all(ev["ph"] == "X" and ev["dur"] >= 0 for ev in events)
    outer = next(ev for ev in events if ev["name"] == "outer")
    for ev in events:
        if ev["name"] == "inner":
            assert outer["ts"] <= ev["ts"] and ev["ts"] + ev["dur"] <= outer["ts"] + outer["dur"]


def test_record_function_outside_profile_records_nothing():
    with ember.profiler.record_function("alone") as rf:
        pass
    assert isinstance(rf, ember.profiler.record_function)
    prof = _profile(ember)
    assert "alone" not in {a.key for a in prof.key_averages()}


def test_record_function_decorator_recursion():
    counts = {}
    for m in (ember, torch):

        @m.profiler.record_function("fact")
        def fact(n):
            return 1 if n <= 1 else n * fact(n - 1)

        with m.profiler.profile() as prof:
            assert fact(4) == 24
        counts[m] = [a.count for a in prof.key_averages() if a.key == "fact"]
        if m is ember:
            chain = [e.cpu_parent.name if e.cpu_parent else None for e in prof.events()]
    assert counts[ember] == counts[torch] == [4]
    assert chain == [None, "fact", "fact", "fact"]  # each call nested in its caller's range


@pytest.mark.parametrize(
    "kw",
    [
        {"wait": 1, "warmup": 1, "active": 2},
        {"wait": 1, "warmup": 1, "active": 2, "repeat": 2, "skip_first": 1},
        {"wait": 2, "warmup": 1, "active": 1, "repeat": 2, "skip_first_wait": 1},
        {"wait": 0, "warmup": 1, "active": 3, "repeat": 1},
    ],
)
def test_profiler_schedule(kw):
    e, t = ember.profiler.schedule(**kw), torch.profiler.schedule(**kw)
    assert [e(i).name for i in range(16)] == [t(i).name for i in range(16)]


def test_profiler_schedule_errors_and_warning():
    e = check_raises(lambda m: m.profiler.schedule(wait=-1, warmup=1, active=1))
    t = pytest.raises(AssertionError, torch.profiler.schedule, wait=-1, warmup=1, active=1)
    assert str(e) == str(t.value)
    check_raises(lambda m: m.profiler.schedule(wait=1, warmup=1, active=0))
    with pytest.warns(UserWarning, match="won't be using warmup"):
        ember.profiler.schedule(wait=0, warmup=0, active=1)


def test_profiler_enums():
    for enum_name in ("ProfilerActivity", "ProfilerAction"):
        e, t = getattr(ember.profiler, enum_name), getattr(torch.profiler, enum_name)
        e_members = {name: member.value for name, member in e.__members__.items()}
        t_members = {name: int(member.value) for name, member in t.__members__.items()}
        assert e_members == t_members
    assert ember.profiler.supported_activities() == {ember.profiler.ProfilerActivity.CPU}


def _stepped(m, handler):
    sched = m.profiler.schedule(wait=1, warmup=1, active=2, repeat=1)
    with m.profiler.profile(schedule=sched, on_trace_ready=handler) as prof:
        for i in range(6):
            with m.profiler.record_function(f"step{i}"):
                pass
            prof.step()
    return prof


def test_profiler_steps_and_tensorboard_handler(tmp_path):
    seen = {}
    for m in (ember, torch):
        calls = []
        handler = m.profiler.tensorboard_trace_handler(str(tmp_path / m.__name__), "w")

        def on_ready(prof, calls=calls, handler=handler):
            calls.append(prof.step_num)
            handler(prof)

        prof = _stepped(m, on_ready)
        recorded = sorted(
            a.key for a in prof.key_averages() if isinstance(a.key, str) and "step" in a.key
        )
        seen[m] = (calls, recorded, prof.step_num)
    assert seen[ember] == seen[torch]
    (written,) = os.listdir(tmp_path / "ember")
    assert written.startswith("w.") and written.endswith(".pt.trace.json")
    events = json.loads((tmp_path / "ember" / written).read_text())["traceEvents"]
    assert sorted(ev["name"] for ev in events) == ["step2", "step3"]


def test_tensorboard_handler_gzip(tmp_path):
    handler = ember.profiler.tensorboard_trace_handler(str(tmp_path), use_gzip=True)
    handler(_profile(ember))
    (name,) = os.listdir(tmp_path)
    assert name.endswith(".pt.trace.json.gz")
    import gzip

    assert json.loads(gzip.decompress((tmp_path / name).read_bytes()))["traceEvents"]


def test_autograd_profiler():
    results = {}
    for m in (ember, torch):
        with m.autograd.profiler.profile() as prof:
            _workload(m)
        names = [e.name for e in prof.function_events if e.name in ("outer", "inner")]
        results[m] = names
        assert prof.key_averages().table()
    assert results[ember] == results[torch]
    with ember.autograd.profiler.profile() as prof:
        _workload(ember)
        with pytest.raises(RuntimeError, match="didn't finish"):
            prof.function_events  # noqa: B018
    outer = next(e for e in prof.function_events if e.name == "outer")
    assert [c.name for c in outer.cpu_children] == ["inner", "inner"]
    assert outer.cpu_children[0].cpu_parent is outer
    assert prof.total_average().count == 4


# -- DataParallel --------------------------------------------------------------------------------
def _pair():
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    e = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.ReLU(), ember.nn.Linear(4, 2))
    e.load_state_dict({k: to_ember(v) for k, v in t.state_dict().items()})
    return ember.nn.DataParallel(e), torch.nn.DataParallel(t)


def test_data_parallel_runs_module():
    e, t = _pair()
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert e.device_ids == t.device_ids == []
    assert isinstance(e.module, ember.nn.Sequential)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    e_out, t_out = e(ember.tensor(x)), t(torch.tensor(x))
    assert_close(e_out, t_out)
    e_out.sum().backward()
    t_out.sum().backward()
    assert_close(e.module[0].weight.grad, t.module[0].weight.grad)
    assert ember.nn.parallel.DataParallel is ember.nn.DataParallel


def test_data_parallel_kwargs_and_state_dict_round_trip():
    class Scale(ember.nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    wrapped = ember.nn.DataParallel(Scale(), device_ids=[0])
    assert wrapped(ember.ones(2), factor=3.0).tolist() == [3.0, 3.0]
    assert wrapped.device_ids == torch.nn.DataParallel(torch.nn.ReLU(), device_ids=[0]).device_ids
    e, t = _pair()
    e.load_state_dict({k: to_ember(v) * 0 for k, v in t.state_dict().items()})
    assert float(e.module[0].weight.abs().sum()) == 0.0
    assert e.train(False).module.training is False


def test_data_parallel_function_needs_accelerator():
    e = check_raises(lambda m: m.nn.parallel.data_parallel(m.nn.Linear(2, 3), m.ones(1, 2)))
    assert str(e) == "device type could not be determined"


# -- signatures ----------------------------------------------------------------------------------
SIGNATURES = {
    "hub": ember.hub.__all__,
    "jit": [n for n in ember.jit.__all__ if n not in ("Final", "Future", "Error", "Attribute")],
    "profiler": ["profile", "schedule", "tensorboard_trace_handler", "record_function"],
    "autograd.profiler": ["profile", "record_function"],
    "multiprocessing": ["spawn", "start_processes", "set_sharing_strategy", "ProcessContext"],
    "mps": ember.mps.__all__,
    "nn.parallel": ["DataParallel", "data_parallel"],
}


def _parameters(fn):
    import inspect

    return [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()]


NO_SIGNATURE = ("CompilationUnit", "ScriptFunction", "profiler")  # pybind classes, a module


@pytest.mark.parametrize(
    "path,name",
    [(p, n) for p, names in SIGNATURES.items() for n in names if n not in NO_SIGNATURE],
)
def test_signatures_match_torch(path, name):
    e, t = ember, torch
    for part in path.split("."):
        e, t = getattr(e, part), getattr(t, part)
    assert _parameters(getattr(e, name)) == _parameters(getattr(t, name))
