"""The ``ember`` command: ``ember run``, ``ember train``, ``ember evaluate``.

Each subcommand lives in its own module, imported only when used, so ``ember run`` starts without
loading the training stack.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["main"]

COMMANDS = {
    "run": ("run", "run a PyTorch script or module on Ember (torch imports resolve to Ember)"),
    "train": ("train", "train a model on a dataset (default: the seed CNN on bundled digits)"),
    "evaluate": ("evaluate", "report loss, accuracy and confusion matrix of a checkpoint"),
    "explain": ("explain", "work the seed note's losses out, with their gradients"),
    "viz": ("viz", "draw the autograd graph of one training step of a script"),
}

USAGE = "usage: ember [-h] [--version] {" + ",".join(COMMANDS) + "} ..."


def _help() -> str:
    lines = [USAGE, "", "Ember: PyTorch's API on NumPy.", "", "commands:"]
    lines += [f"  {name:<10} {doc}" for name, (_, doc) in COMMANDS.items()]
    lines += ["", "Run 'ember COMMAND -h' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ember`` console script and of ``python -m ember``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_help())
        return 0 if args else 2
    if args[0] == "--version":
        from .. import __version__

        print(f"ember {__version__}")
        return 0
    if args[0] not in COMMANDS:
        print(
            f"{USAGE}\nember: error: unknown command '{args[0]}' (choose from "
            f"{', '.join(COMMANDS)})",
            file=sys.stderr,
        )
        return 2
    module = importlib.import_module(f".{COMMANDS[args[0]][0]}", __name__)
    return module.main(args[1:])
