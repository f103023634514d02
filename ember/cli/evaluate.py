"""``ember evaluate``: a checkpoint's loss, accuracy and confusion matrix on a test set.

usage: ember evaluate --checkpoint F [--dataset NAME] [--root DIR] [--loss NAME] [--batch-size N]

The checkpoint is one written by ``ember train`` (``best.ckpt``, ``final.ckpt`` or ``last.ckpt``):
it holds the model's weights and the configuration that built it. The dataset and loss default to
the ones it was trained with.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np


def format_confusion(confusion: np.ndarray, classes: list[str]) -> str:
    """The matrix as text: one row per true class, one column per predicted class."""
    labels = [c[:8] for c in classes]
    width = max([len(str(confusion.max()))] + [len(x) for x in labels]) + 1
    lines = ["true \\ predicted", " " * 9 + "".join(f"{x:>{width}}" for x in labels)]
    for label, row in zip(labels, confusion):
        lines.append(f"{label:>8} " + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="ember evaluate", description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True, help="a .ckpt file written by ember train")
    p.add_argument("--dataset", default=None, help="default: the one it was trained on")
    p.add_argument("--root", default=None)
    p.add_argument("--loss", default=None)
    p.add_argument("--batch-size", type=int, default=256)
    args = p.parse_args(argv)

    import ember

    from ..utils.data import DataLoader
    from .train import build_datasets, build_loss, build_model, evaluate

    try:
        ckpt = ember.load(args.checkpoint)
    except (OSError, RuntimeError) as e:
        print(f"ember evaluate: {e}", file=sys.stderr)
        return 2
    if not (isinstance(ckpt, dict) and "model" in ckpt and "config" in ckpt):
        print(
            f"ember evaluate: {args.checkpoint} is not a checkpoint written by ember train",
            file=sys.stderr,
        )
        return 2
    cfg = ckpt["config"]
    dataset = args.dataset or cfg["dataset"]
    _, test_set, info = build_datasets(dataset, args.root or cfg["root"])
    trained = ckpt["data"]
    if [info["channels"], list(info["size"]), info["num_classes"]] != [
        trained["channels"],
        list(trained["size"]),
        trained["num_classes"],
    ]:
        print(
            f"ember evaluate: the model was trained on {trained['channels']}x"
            f"{trained['size'][0]}x{trained['size'][1]} images in {trained['num_classes']} "
            f"classes; {dataset} has {info['channels']}x{info['size'][0]}x{info['size'][1]} in "
            f"{info['num_classes']}",
            file=sys.stderr,
        )
        return 2
    model = build_model(cfg["model"], info["channels"], info["size"], info["num_classes"])
    model.load_state_dict(ckpt["model"])
    loss_name = args.loss or cfg["loss"]
    loss_fn, prepare = build_loss(loss_name, info["num_classes"], cfg.get("label_smoothing", 0.0))
    loader = DataLoader(test_set, batch_size=args.batch_size)
    loss, accuracy, confusion = evaluate(model, loader, loss_fn, prepare, info["num_classes"])
    print(f"checkpoint: {args.checkpoint} ({cfg['model']}, epoch {ckpt.get('epoch', '?')})")
    print(f"dataset: {dataset} test split, {int(confusion.sum())} images")
    print(f"loss ({loss_name}): {loss:.4f}")
    print(f"accuracy: {100 * accuracy:.2f}% ({int(np.trace(confusion))}/{int(confusion.sum())})")
    print(format_confusion(confusion, info["classes"]))
    return 0
