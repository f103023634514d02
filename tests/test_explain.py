"""ember explain: every figure it prints against torch."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from ember.cli import explain

LOSSES = [(fn, kw) for _, fn, kw, _ in explain.REGRESSION]


def torch_loss_and_grad(fn, x, y, reduction, **kw):
    inp = torch.tensor(x, requires_grad=True)
    out = getattr(TF, fn)(inp, torch.tensor(y), reduction=reduction, **kw)
    (out.sum() if reduction == "none" else out).backward()
    return out.detach().tolist(), inp.grad.tolist()


@pytest.mark.parametrize("reduction", explain.REDUCTIONS)
@pytest.mark.parametrize("fn,kw", LOSSES, ids=[fn for fn, _ in LOSSES])
def test_loss_values_and_gradients_match_torch(fn, kw, reduction):
    got = explain.loss_and_grad(fn, explain.INPUT, explain.TARGET, reduction, **kw)
    want = torch_loss_and_grad(fn, explain.INPUT, explain.TARGET, reduction, **kw)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)


def test_error_curves_match_torch():
    for (name, losses, grads), (_, fn, kw, _) in zip(
        explain.error_curves(explain.ERRORS), explain.REGRESSION
    ):
        for e, loss, grad in zip(explain.ERRORS, losses, grads):
            want = torch_loss_and_grad(fn, [e], [0.0], "sum", **kw)
            assert loss == pytest.approx(want[0], rel=1e-6), (name, e)
            assert grad == pytest.approx(want[1][0], rel=1e-6, abs=1e-12), (name, e)


def numbers(line: str) -> list:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", line)]


def test_losses_report_shows_the_seed_values(capsys):
    assert explain.main(["losses"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    # the note's numbers: L1 mean 0.6667, MSE mean 1.3333
    l1 = lines.index(next(line for line in lines if line.startswith("L1Loss")))
    assert numbers(lines[l1 + 2]) == pytest.approx([0.6667, 0, 0, 0.3333])
    mse = lines.index(next(line for line in lines if line.startswith("MSELoss")))
    assert numbers(lines[mse + 2]) == pytest.approx([1.333, 0, 0, 1.333])
    assert numbers(lines[mse + 1]) == pytest.approx([0, 0, 4, 0, 0, 4])
    # the error table: one loss row and one gradient row per loss, one column per error
    row = next(line for line in lines if line.startswith("  MSELoss grad"))
    assert numbers(row) == pytest.approx([2 * e for e in explain.ERRORS])


def test_cross_entropy_report_matches_torch(capsys):
    assert explain.main(["cross-entropy"]) == 0
    out = capsys.readouterr().out
    z = torch.tensor([explain.LOGITS], requires_grad=True)
    t = torch.tensor([explain.CLASS])
    lines = out.splitlines()

    def line(prefix):
        return next(x for x in lines if x.startswith(prefix))

    probs = TF.softmax(z, 1)[0].tolist()
    logp = TF.log_softmax(z, 1)[0].tolist()
    assert numbers(line("softmax(z)").split("=")[-1]) == pytest.approx(probs, rel=1e-3)
    assert numbers(line("log_softmax(z)").split("=")[-1]) == pytest.approx(logp, rel=1e-3)
    assert numbers(line("NLL pick").split("=")[-1]) == pytest.approx([-logp[0]], rel=1e-3)
    grads = [x for x in lines if x.strip().startswith("gradient ") and "=" in x and "[" in x]
    for ls, text in zip((0.0, explain.SMOOTHING), grads):
        zz = z.detach().clone().requires_grad_()
        loss = TF.cross_entropy(zz, t, label_smoothing=ls)
        loss.backward()
        title = "cross_entropy = " if ls == 0 else f"cross_entropy(label_smoothing={ls}) = "
        assert numbers(line(title).split("=")[-1]) == pytest.approx([loss.item()], rel=1e-3)
        assert numbers(text.split("=")[-1]) == pytest.approx(zz.grad[0].tolist(), rel=1e-3)


def test_plot_written_or_clear_message(tmp_path, capsys):
    path = tmp_path / "losses.png"
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(SystemExit, match="matplotlib"):
            explain.main(["losses", "--plot", str(path)])
        return
    assert explain.main(["losses", "--plot", str(path)]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plot written to {path}" in capsys.readouterr().out


def test_registered_in_the_cli(capsys):
    from ember.cli import main

    assert main(["explain", "losses"]) == 0
    assert "L1Loss" in capsys.readouterr().out
