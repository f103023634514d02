"""``ember train`` / ``ember evaluate`` on the bundled digits."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import safetensors.torch as st
import torch
from nn_helpers import toy_model

import ember
from ember.cli import main


def train(capsys, *args):
    code = main(["train", *args])
    return code, capsys.readouterr()


def rows(out):
    with open(out / "metrics.csv") as f:
        return list(csv.DictReader(f))


def test_one_epoch_on_digits(tmp_path, capsys):
    code, io = train(capsys, "--epochs", "1", "--out", str(tmp_path))
    assert code == 0, io.err
    (row,) = rows(tmp_path)
    assert row["epoch"] == "1" and 0 < float(row["train_loss"]) < 2.4
    assert 0.1 < float(row["test_acc"]) <= 1 and float(row["lr"]) == 0.01
    assert "epoch   1/1  train loss" in io.out
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["optimizer"] == "sgd" and config["batch_size"] == 32 and config["seed"] == 0
    assert config["data"]["size"] == [32, 32] and config["data"]["channels"] == 3
    for name in ("best.ckpt", "final.ckpt", "last.ckpt", "model.safetensors"):
        assert (tmp_path / name).exists()
    # the final weights load into the seed's model in torch, unchanged
    weights = st.load_file(tmp_path / "model.safetensors")
    toy_model(torch).load_state_dict(weights)
    # evaluate reports the same accuracy as training's last test
    assert main(["evaluate", "--checkpoint", str(tmp_path / "final.ckpt")]) == 0
    report = capsys.readouterr().out
    accuracy = float(report.split("accuracy: ")[1].split("%")[0])
    assert accuracy == pytest.approx(100 * float(row["test_acc"]), abs=0.01)
    assert "true \\ predicted" in report and len(report.splitlines()) >= 15


def _final_weights(path):
    return {k: v.numpy() for k, v in ember.load(path / "final.ckpt")["model"].items()}


@pytest.mark.parametrize("stop_after", [50, 45])  # mid-epoch 2, and exactly an epoch boundary
def test_resume_is_bit_exact(tmp_path, capsys, stop_after):
    common = [
        "--model",
        "mlp",
        "--epochs",
        "2",
        "--optimizer",
        "sgd",
        "--momentum",
        "0.9",
        "--scheduler",
        "step",
        "--step-size",
        "1",
        "--gamma",
        "0.5",
    ]
    a, b = tmp_path / "a", tmp_path / "b"
    assert train(capsys, *common, "--out", str(a))[0] == 0
    code, io = train(capsys, *common, "--out", str(b), "--interrupt-after-steps", str(stop_after))
    assert code == 130 and f"resume with: ember train --resume {b}" in io.out
    assert not (b / "final.ckpt").exists()
    code, io = train(capsys, "--resume", str(b))
    assert code == 0, io.err
    wa, wb = _final_weights(a), _final_weights(b)
    assert wa.keys() == wb.keys() and all(np.array_equal(wa[k], wb[k]) for k in wa)
    ra, rb = rows(a), rows(b)
    for x, y in zip(ra, rb, strict=True):
        for key in ("train_loss", "train_acc", "test_loss", "test_acc", "lr"):
            assert x[key] == y[key], (key, x, y)


def test_nan_loss_stops_with_the_step(tmp_path, capsys):
    code, io = train(
        capsys, "--model", "mlp", "--epochs", "2", "--lr", "1e30", "--out", str(tmp_path)
    )
    assert code == 1
    assert "the loss is" in io.err and "step" in io.err and "Try a lower --lr" in io.err
    assert not (tmp_path / "final.ckpt").exists()


def test_options_reach_the_objects(tmp_path, capsys):
    code, io = train(
        capsys,
        "--model",
        "mlp",
        "--epochs",
        "1",
        "--optimizer",
        "adam",
        "--lr",
        "0.001",
        "--betas",
        "0.8",
        "0.99",
        "--weight-decay",
        "0.01",
        "--loss",
        "nll",
        "--out",
        str(tmp_path),
    )
    assert code == 0, io.err
    ckpt = ember.load(tmp_path / "last.ckpt")
    group = ckpt["optimizer"]["param_groups"][0]
    assert group["betas"] == (0.8, 0.99) and group["weight_decay"] == 0.01
    assert ckpt["config"]["loss"] == "nll"
    with pytest.raises(SystemExit, match="Adam has no option --nesterov"):
        main(["train", "--optimizer", "adam", "--nesterov", "--out", str(tmp_path / "x")])


@pytest.mark.slow
def test_default_run_reaches_95_percent(tmp_path, capsys):
    code, io = train(capsys, "--out", str(tmp_path))
    assert code == 0, io.err
    accuracies = [float(r["test_acc"]) for r in rows(tmp_path)]
    # The final model is what counts (picking the best epoch would choose on the test set).
    assert len(accuracies) == 20 and accuracies[-1] >= 0.95, accuracies
