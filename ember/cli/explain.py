"""``ember explain``: the seed note's losses worked out, with their gradients.

``ember explain losses`` takes the note's example (``input = [1, 2, 5]``, ``target = [1, 2, 3]``)
through L1, MSE, SmoothL1 and Huber under each reduction, with the gradient with respect to the
input, then tabulates each loss and its gradient against the prediction error (``--plot FILE``
draws them when matplotlib is installed). ``ember explain cross-entropy`` takes a small logit vector
through softmax, log-softmax and the NLL pick, with and without label smoothing.

Register with the CLI: ``explain.register(subparsers)``; alone: ``python -m ember.cli.explain``.
"""

from __future__ import annotations

import argparse
import sys

INPUT = [1.0, 2.0, 5.0]
TARGET = [1.0, 2.0, 3.0]
LOGITS = [2.0, 1.0, 0.1]
CLASS = 0
SMOOTHING = 0.1
ERRORS = [-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]
REDUCTIONS = ("none", "mean", "sum")

# name, functional, extra keyword arguments, one-line description
REGRESSION = (
    ("L1Loss", "l1_loss", {}, "|x - y|: constant-size gradient (sign of the error)"),
    ("MSELoss", "mse_loss", {}, "(x - y)^2: gradient grows with the error"),
    (
        "SmoothL1Loss",
        "smooth_l1_loss",
        {"beta": 1.0},
        "0.5 e^2 / beta for |e| < beta, else |e| - 0.5 beta",
    ),
    (
        "HuberLoss",
        "huber_loss",
        {"delta": 1.0},
        "0.5 e^2 for |e| < delta, else delta (|e| - 0.5 delta)",
    ),
)


def _fmt(values) -> str:
    if isinstance(values, float):
        return f"{values:.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


def loss_and_grad(fn_name: str, x, y, reduction: str, **kw):
    """The loss of ``x`` against ``y`` and its gradient wrt ``x`` (of the sum for 'none')."""
    import ember
    import ember.nn.functional as F

    inp = ember.tensor(x, requires_grad=True)
    out = getattr(F, fn_name)(inp, ember.tensor(y), reduction=reduction, **kw)
    (out.sum() if reduction == "none" else out).backward()
    value = out.detach().tolist()
    return value, inp.grad.tolist()


def regression_report(x=INPUT, y=TARGET) -> str:
    """The text of ``ember explain losses``."""
    err = [a - b for a, b in zip(x, y)]
    lines = [
        f"input = {_fmt(x)}, target = {_fmt(y)}, error = input - target = {_fmt(err)}",
        "gradient: d loss / d input ('none': of the sum of the elementwise losses)",
        "",
    ]
    for name, fn, kw, what in REGRESSION:
        args = ", ".join(f"{k}={v}" for k, v in kw.items())
        lines.append(f"{name}({args})  {what}")
        for reduction in REDUCTIONS:
            value, grad = loss_and_grad(fn, x, y, reduction, **kw)
            lines.append(f"  {reduction:<5} loss = {_fmt(value):<22} gradient = {_fmt(grad)}")
        lines.append("")
    lines.append("HuberLoss(delta=d) = d * SmoothL1Loss(beta=d): with the defaults (1) they agree.")
    lines.append("")
    lines.append("loss and gradient against the error e = input - target (one element, 'sum'):")
    header = "  e".ljust(22) + "".join(f"{e:>8.3g}" for e in ERRORS)
    lines.append(header)
    for name, loss_row, grad_row in error_curves(ERRORS):
        lines.append(f"  {name} loss".ljust(22) + "".join(f"{v:>8.3g}" for v in loss_row))
        lines.append(f"  {name} grad".ljust(22) + "".join(f"{v:>8.3g}" for v in grad_row))
    return "\n".join(lines)


def error_curves(errors):
    """``(name, losses, gradients)`` of each regression loss at each prediction error."""
    out = []
    for name, fn, kw, _ in REGRESSION:
        pairs = [loss_and_grad(fn, [e], [0.0], "sum", **kw) for e in errors]
        out.append((name, [p[0] for p in pairs], [p[1][0] for p in pairs]))
    return out


def _row(label: str, formula: str, value: str) -> str:
    return f"{label:<16}= {formula:<25}= {value}"


def cross_entropy_report(logits=LOGITS, target: int = CLASS, smoothing: float = SMOOTHING):
    """The text of ``ember explain cross-entropy``."""
    import ember
    import ember.nn.functional as F

    z = ember.tensor([logits])
    probs = F.softmax(z, dim=1)[0].tolist()
    logp = F.log_softmax(z, dim=1)[0].tolist()
    t = ember.tensor([target])
    lines = [
        f"logits z = {_fmt(logits)} (one sample, {len(logits)} classes), target class = {target}",
        "",
        _row("softmax(z)", "exp(z) / sum(exp(z))", _fmt(probs)),
        _row("log_softmax(z)", "z - logsumexp(z)", _fmt(logp)),
        _row("NLL pick", f"-log_softmax(z)[{target}]", f"{-logp[target]:.4g}"),
    ]
    for ls in (0.0, smoothing):
        zz = ember.tensor([logits], requires_grad=True)
        loss = F.cross_entropy(zz, t, label_smoothing=ls)
        loss.backward()
        title = "cross_entropy" if ls == 0 else f"cross_entropy(label_smoothing={ls})"
        lines.append("")
        lines.append(f"{title} = {loss.item():.4g}")
        if ls == 0:
            lines.append("  = nll_loss(log_softmax(z), target): the NLL pick above")
            lines.append("  gradient wrt z = softmax(z) - one_hot(target)")
        else:
            n = len(logits)
            lines.append(
                f"  target distribution = (1 - {ls}) one_hot + {ls}/{n} = "
                + _fmt([(1 - ls) * (i == target) + ls / n for i in range(n)])
            )
            lines.append(f"  = (1 - {ls}) NLL pick + {ls} * mean(-log_softmax(z))")
            lines.append("  gradient wrt z = softmax(z) - target distribution")
        lines.append(f"  gradient        = {_fmt(zz.grad[0].tolist())}")
    return "\n".join(lines)


def plot_losses(path: str) -> str:
    """Draw each regression loss and its gradient against the error into ``path`` (matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit(
            "ember explain: --plot needs matplotlib (pip install matplotlib); the tables above "
            "hold the same numbers"
        ) from None
    errors = [i / 20 for i in range(-60, 61)]
    fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(10, 4))
    for name, losses, grads in error_curves(errors):
        style = "--" if name == "HuberLoss" else "-"  # it lies on SmoothL1Loss with defaults
        ax_loss.plot(errors, losses, style, label=name)
        ax_grad.plot(errors, grads, style, label=name)
    ax_loss.set(title="loss", xlabel="error = input - target")
    ax_grad.set(title="d loss / d input", xlabel="error = input - target")
    for ax in (ax_loss, ax_grad):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def run(args) -> int:
    if args.topic == "losses":
        print(regression_report())
        if args.plot:
            print(f"\nplot written to {plot_losses(args.plot)}")
    else:
        print(cross_entropy_report())
    return 0


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``explain`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser("explain", help="work the seed note's losses out, with gradients")
    configure(p)
    return p


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("topic", choices=("losses", "cross-entropy"))
    p.add_argument("--plot", metavar="FILE", help="losses: draw loss and gradient vs error")
    p.set_defaults(func=run)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="ember explain", description=__doc__.splitlines()[0])
    configure(p)
    args = p.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
