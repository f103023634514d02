"""Every workload of the performance issue, Ember against torch, in one command.

Each in-process workload runs Ember and torch in the same process, interleaved: a round times a
block of Ember iterations, then a block of torch iterations, and the figures are the medians over
the rounds (per iteration). The epoch, its peak memory and the import time run each library in
its own subprocess, alternately. Prints a table and writes ``benchmarks/results.json`` and
``benchmarks/RESULTS.md``. The machine's load average is recorded with the figures: on a shared
machine, compare ratios, not absolute times.

Run: python benchmarks/run_all.py [--rounds N] [--quick] [--skip-epoch]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # run from a checkout

import numpy as np  # noqa: E402
from _common import toy_model  # noqa: E402


def seed_flops(batch: int, size: int = 32) -> float:
    """FLOPs of one training step (forward, input and weight gradients; the images need none)."""
    fwd = 0.0
    conv1 = 0.0
    for i, (cin, cout) in enumerate(((3, 32), (32, 32), (32, 64))):
        hw = (size >> i) ** 2
        f = 2.0 * batch * hw * cin * 25 * cout
        fwd += f
        conv1 = conv1 or f
    fwd += 2.0 * batch * (64 * (size // 8) ** 2 * 64 + 64 * 10)
    return 3 * fwd - conv1


# ----------------------------------------------------------------------------- paired timing
def paired(fns: dict, rounds: int, per_round: int) -> dict:
    """Median seconds per call of each fn, timed in interleaved blocks, after a warm-up."""
    for fn in fns.values():
        fn()
        fn()
    times: dict = {k: [] for k in fns}
    for r in range(rounds):
        order = list(fns) if r % 2 == 0 else list(fns)[::-1]
        for k in order:
            t0 = time.perf_counter()
            for _ in range(per_round):
                fns[k]()
            times[k].append((time.perf_counter() - t0) / per_round)
    return {k: statistics.median(v) for k, v in times.items()}


def _models(ember, torch, size=32):
    torch.manual_seed(0)
    tm = toy_model(torch.nn, size)
    em = toy_model(ember.nn, size)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    return em, tm


def _step_fns(ember, torch, batch=32, size=32):
    em, tm = _models(ember, torch, size)
    rng = np.random.default_rng(0)
    x = rng.random((batch, 3, size, size), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    fns = {}
    for name, lib, model, xx, yy in (
        ("ember", ember, em, ember.tensor(x), ember.tensor(y)),
        ("torch", torch, tm, torch.from_numpy(x), torch.from_numpy(y)),
    ):
        loss_fn = lib.nn.CrossEntropyLoss()
        opt = lib.optim.SGD(model.parameters(), lr=0.01)

        def step(model=model, xx=xx, yy=yy, loss_fn=loss_fn, opt=opt):
            loss = loss_fn(model(xx), yy)
            opt.zero_grad()
            loss.backward()
            opt.step()

        fns[name] = step
    return fns


def _forward_fns(ember, torch, batch=32):
    em, tm = _models(ember, torch)
    x = np.random.default_rng(0).random((batch, 3, 32, 32), dtype=np.float32)
    ex, tx = ember.tensor(x), torch.from_numpy(x)

    def e():
        with ember.no_grad():
            em(ex)

    def t():
        with torch.no_grad():
            tm(tx)

    return {"ember": e, "torch": t}


def _l1_fns(ember, torch):
    fns = {}
    for name, lib in (("ember", ember), ("torch", torch)):
        x = lib.tensor([1.0, 2.0, 5.0], requires_grad=True)
        t = lib.tensor([1.0, 2.0, 3.0])
        crit = lib.nn.L1Loss()

        def f(x=x, t=t, crit=crit):
            crit(x, t).backward()

        fns[name] = f
    return fns


def _chain_fns(ember, torch):
    fns = {}
    for name, lib in (("ember", ember), ("torch", torch)):
        x = lib.ones(8, requires_grad=True)

        def f(x=x):
            y = x
            for _ in range(5):  # 4 ops a round, 20 in all
                y = (y * 1.01 + 0.1).tanh() - x
            y.sum().backward()

        fns[name] = f
    return fns


def _mlp_fns(ember, torch):
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    em = ember.nn.Sequential(ember.nn.Linear(784, 256), ember.nn.ReLU(), ember.nn.Linear(256, 10))
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.random((64, 784), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    fns = {}
    for name, lib, model, xx, yy in (
        ("ember", ember, em, ember.tensor(x), ember.tensor(y)),
        ("torch", torch, tm, torch.from_numpy(x), torch.from_numpy(y)),
    ):
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        crit = lib.nn.CrossEntropyLoss()

        def f(model=model, xx=xx, yy=yy, opt=opt, crit=crit):
            opt.zero_grad()
            crit(model(xx), yy).backward()
            opt.step()

        fns[name] = f
    return fns


def matmul_peak(threads: int) -> float:
    """NumPy's float32 matmul rate (FLOP/s) on a 2048 cube, best of a few."""
    import ember

    ember.set_num_threads(threads)
    a = np.random.default_rng(0).random((2048, 2048), dtype=np.float32)
    a @ a
    best = min(_timed(lambda: a @ a) for _ in range(4))
    return 2 * 2048**3 / best


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------- subprocesses
EPOCH_CODE = r"""
import sys, time
sys.path.insert(0, {root!r})
lib_name, data_root = sys.argv[1], sys.argv[2]
t_import = time.perf_counter()
if lib_name == "torch":
    sys.modules.setdefault("torchvision._meta_registrations", type(sys)("m"))
    import torch as lib, torchvision as vision
    from torch.utils.data import DataLoader
    # the fixture's files are not the official ones, whose checksums torchvision checks
    import os, torchvision.datasets.cifar as cifar
    cifar.check_integrity = lambda path, md5=None: os.path.isfile(path)
else:
    import ember as lib
    from ember import vision
    from ember.utils.data import DataLoader
sys.path.insert(0, {here!r})
from _common import toy_model
lib.manual_seed(0)
ds = vision.datasets.CIFAR10(data_root, train=False, transform=vision.transforms.ToTensor())
loader = DataLoader(ds, batch_size=32)
model = toy_model(lib.nn)
crit = lib.nn.CrossEntropyLoss()
opt = lib.optim.SGD(model.parameters(), lr=0.01)
t0 = time.perf_counter()
running = 0.0
for imgs, label in loader:
    out = model(imgs)
    loss = crit(out, label)
    opt.zero_grad()
    loss.backward()
    opt.step()
    running = running + loss.item() * imgs.size(0)
elapsed = time.perf_counter() - t0
# VmHWM: this process's peak (ru_maxrss would carry the parent's peak across fork and exec)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(elapsed, int(hwm) * 1024, running)
"""


def epoch(rounds: int) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.vision_fixtures import write_cifar10

    res = {"ember": [], "torch": []}
    with tempfile.TemporaryDirectory() as tmp:
        write_cifar10(tmp, n_per_batch=16, n_test=10000)
        code = EPOCH_CODE.format(root=str(ROOT), here=str(HERE))
        for r in range(rounds):
            for lib in ("ember", "torch") if r % 2 == 0 else ("torch", "ember"):
                out = subprocess.run(
                    [sys.executable, "-c", code, lib, tmp],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=str(ROOT),
                )
                secs, rss, _ = out.stdout.split()
                res[lib].append((float(secs), int(rss)))
    return {
        lib: (statistics.median(s for s, _ in v), statistics.median(m for _, m in v))
        for lib, v in res.items()
    }


def import_time(rounds: int) -> dict:
    # A user's second import reads compiled bytecode; with PYTHONDONTWRITEBYTECODE set (as on
    # some machines) edited modules would be recompiled on every import, so compile them first.
    import compileall

    compileall.compile_dir(str(ROOT / "ember"), quiet=1)
    res = {"ember": [], "torch": []}
    for _ in range(rounds):
        for lib in ("ember", "torch"):
            code = f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); t=time.perf_counter(); "
            code += f"import {lib}; print(time.perf_counter() - t)"
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            res[lib].append(float(out.stdout.split()[-1]))
    return {k: statistics.median(v) for k, v in res.items()}


# ----------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--quick", action="store_true", help="fewer rounds, no scaling sweep")
    ap.add_argument("--skip-epoch", action="store_true")
    ap.add_argument("--epoch-rounds", type=int, default=1, help="subprocess pairs for the epoch")
    args = ap.parse_args()
    rounds = 3 if args.quick else args.rounds
    import torch

    import ember

    default_threads = torch.get_num_threads()
    loads = [os.getloadavg()[0]]
    rows = []

    def add(name, res, target=None, unit="ms", scale=1e3, note=""):
        e, t = res["ember"], res["torch"]
        ratio = e / t
        row = {
            "workload": name,
            "ember": e * scale,
            "torch": t * scale,
            "unit": unit,
            "ratio": ratio,
            "target": target,
            "met": None if target is None else ratio <= target,
            "load": os.getloadavg()[0],
            "note": note,
        }
        rows.append(row)
        mark = "" if target is None else ("  ok" if row["met"] else "  MISSED")
        print(
            f"{name:<44}{row['ember']:>10.2f}{row['torch']:>10.2f} {unit:<3}"
            f"{ratio:>7.2f}{'' if target is None else f'  (<= {target})'}{mark}",
            flush=True,
        )
        return row

    print(f"torch {torch.__version__}, threads {default_threads}, load {loads[0]:.2f}")
    print(f"{'workload':<44}{'ember':>10}{'torch':>10}     {'ratio':>7}")
    ember.set_num_threads(default_threads)
    torch.set_num_threads(default_threads)
    step = add(
        f"seed train step, batch 32, {default_threads} threads",
        paired(_step_fns(ember, torch), rounds, 3),
        1.25,
    )
    ember.set_num_threads(1)
    torch.set_num_threads(1)
    add("seed train step, batch 32, 1 thread", paired(_step_fns(ember, torch), rounds, 3), 1.25)
    ember.set_num_threads(default_threads)
    torch.set_num_threads(default_threads)
    add("seed forward under no_grad, batch 32", paired(_forward_fns(ember, torch), rounds, 5), 0.9)
    add(
        "tiny graph: L1Loss 3 elements fwd+bwd",
        paired(_l1_fns(ember, torch), rounds, 200),
        0.5,
        unit="us",
        scale=1e6,
    )
    add(
        "tiny graph: 20-op chain fwd+bwd",
        paired(_chain_fns(ember, torch), rounds, 100),
        0.5,
        unit="us",
        scale=1e6,
    )
    add("MLP step 784-256-10, batch 64, Adam", paired(_mlp_fns(ember, torch), rounds, 10), 1.1)
    imp = import_time(3 if args.quick else 5)
    row = add("import wall time", imp, None, unit="s", scale=1)
    row["target"], row["met"] = "ember <= 0.15 s", imp["ember"] <= 0.15
    print(f"{'':<44}ember import {'ok' if row['met'] else 'MISSED'} (<= 0.15 s)")

    if not args.skip_epoch:
        ep = epoch(args.epoch_rounds)
        add("epoch, 10,000 images via DataLoader", {k: v[0] for k, v in ep.items()}, 1.25, "s", 1)
        add("peak RSS of that epoch", {k: v[1] for k, v in ep.items()}, 0.7, "MB", 1 / 2**20)

    peak = matmul_peak(default_threads)
    frac_e = seed_flops(32) / (step["ember"] / 1e3) / peak
    frac_t = seed_flops(32) / (step["torch"] / 1e3) / peak
    print(
        f"matmul peak {peak / 1e9:.0f} GFLOP/s ({default_threads} threads, 2048 cube); step "
        f"{seed_flops(32) / 1e9:.2f} GFLOP: ember {frac_e:.0%} of peak, torch {frac_t:.0%}"
    )
    scaling = []
    if not args.quick:
        for batch, size in ((8, 32), (32, 32), (128, 32), (256, 32), (32, 64)):
            per = max(1, 64 // batch) if size == 32 else 1
            n = max(3, rounds // (2 if batch >= 128 or size > 32 else 1))
            res = paired(_step_fns(ember, torch, batch, size), n, per)
            r = add(f"scaling: step batch {batch}, {size}x{size}", res)
            r["per_image_ember_ms"] = r["ember"] / batch
            r["per_image_torch_ms"] = r["torch"] / batch
            scaling.append(r)
    loads.append(os.getloadavg()[0])
    summary = {
        "torch": torch.__version__,
        "threads": default_threads,
        "load_avg_start_end": loads,
        "matmul_peak_gflops": peak / 1e9,
        "step_gflop": seed_flops(32) / 1e9,
        "step_fraction_of_peak": {"ember": frac_e, "torch": frac_t},
        "rows": rows,
    }
    (HERE / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    write_markdown(summary)
    print(f"wrote {HERE / 'results.json'} and {HERE / 'RESULTS.md'}")


def write_markdown(s: dict) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run_all.py`: torch {s['torch']}, {s['threads']} threads, load "
        f"average {s['load_avg_start_end'][0]:.1f} -> {s['load_avg_start_end'][1]:.1f} (a "
        "shared machine: ratios from interleaved runs, not absolute times, are the figures).",
        "",
        "| workload | Ember | torch | unit | ratio | target | met |",
        "| --- | ---: | ---: | --- | ---: | --- | --- |",
    ]
    for r in s["rows"]:
        tgt = (
            ""
            if r["target"] is None
            else (f"<= {r['target']}" if isinstance(r["target"], float) else r["target"])
        )
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(
            f"| {r['workload']} | {r['ember']:.2f} | {r['torch']:.2f} | {r['unit']} | "
            f"{r['ratio']:.2f} | {tgt} | {met} |"
        )
    f = s["step_fraction_of_peak"]
    lines += [
        "",
        f"Matmul peak {s['matmul_peak_gflops']:.0f} GFLOP/s (float32 2048 cube); one seed step is "
        f"{s['step_gflop']:.2f} GFLOP: Ember runs at {f['ember']:.0%} of the peak, torch at "
        f"{f['torch']:.0%}.",
        "",
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
