"""``ember viz script.py``: draw the autograd graph of one training step of a script.

The script runs until its first ``backward()``; the graph of the tensor being differentiated is
written as DOT text (always) and as a picture (PNG or SVG, where Graphviz's ``dot`` is installed),
with leaves named after the parameters of the script's model; the script stops after its first
``optimizer.step()``.

For ``ember train --graph``/``ember run --graph``: wrap the run in ``with capture_graph(path):``.
Register with the CLI: ``viz.register(subparsers)``; alone: ``python -m ember.cli.viz``.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys


class _StopScript(Exception):
    """Raised out of the first ``step()`` to end the script once the graph is written."""


def _model_names(frame) -> dict:
    """Parameter names from the largest Module among the variables of the user's frames."""
    try:
        from ..nn import Module
    except ImportError:  # pragma: no cover - nn absent
        return {}
    best: dict = {}
    seen = set()
    while frame is not None:
        for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
            if isinstance(value, Module) and id(value) not in seen:
                seen.add(id(value))
                named = dict(value.named_parameters())
                if len(named) > len(best):
                    best = named
        frame = frame.f_back
    return best


class capture_graph:  # noqa: N801 - used like a function
    """While active, the first ``backward()`` writes the graph of its tensor to ``path``.

    Args:
        path: output path without extension: ``path.dot`` always, ``path.<format>`` with ``dot``.
        format: ``"png"`` or ``"svg"``.
        show_saved: also draw the tensors saved for backward.
        stop_after_step: end the script after its first ``step()``.
    """

    def __init__(
        self,
        path: str,
        format: str = "png",
        show_saved: bool = False,
        stop_after_step: bool = False,
    ) -> None:
        self.path, self.format, self.show_saved = path, format, show_saved
        self.stop_after_step = stop_after_step
        self.written: list[str] = []
        self._orig = self._handle = None

    def __enter__(self):
        from .._tensor import Tensor

        self._orig = orig = Tensor.__dict__["backward"]
        capture = self

        def backward(t, *args, **kwargs):
            if not capture.written:
                capture.write(t, sys._getframe(1))
            return orig(t, *args, **kwargs)

        backward.__doc__ = orig.__doc__
        Tensor.backward = backward
        if self.stop_after_step:
            from ..optim.optimizer import register_optimizer_step_post_hook

            self._handle = register_optimizer_step_post_hook(self._after_step)
        return self

    def _after_step(self, *args) -> None:
        if self.written:
            raise _StopScript

    def __exit__(self, *exc) -> None:
        from .._tensor import Tensor

        Tensor.backward = self._orig
        if self._handle is not None:
            self._handle.remove()

    def write(self, tensor, frame=None) -> list[str]:
        from ..viz import build_dot, has_dot

        params = _model_names(frame) if frame is not None else {}
        dot = build_dot(tensor, params=params, show_saved=self.show_saved)
        self.written.append(dot.save(self.path + ".dot"))
        if has_dot():
            self.written.append(dot.render(self.path, format=self.format, cleanup=True))
        return self.written


def run_script(
    script: str, args=(), out: str | None = None, format: str = "png", show_saved: bool = False
) -> list[str]:
    """Run ``script`` up to its first optimizer step; returns the files written."""
    from .. import compat

    try:
        compat.install()  # ``import torch`` in the script resolves to Ember, as under ``ember run``
    except RuntimeError:  # the real torch is loaded here already: the script must use ember
        pass
    out = out or os.path.splitext(os.path.basename(script))[0] + "_graph"
    argv = sys.argv
    sys.argv = [script, *args]
    try:
        with capture_graph(out, format, show_saved, stop_after_step=True) as cap:
            try:
                runpy.run_path(script, run_name="__main__")
            except _StopScript:
                pass
    finally:
        sys.argv = argv
    return cap.written


def run(args) -> int:
    written = run_script(args.script, args.args, args.output, args.format, args.show_saved)
    if not written:
        print(
            f"ember viz: {args.script} never called backward(); no graph to draw", file=sys.stderr
        )
        return 1
    for path in written:
        print(f"wrote {path}")
    if len(written) == 1:
        print("(only the DOT text: install Graphviz and `pip install graphviz` for a picture)")
    return 0


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("script", help="a training script")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    p.add_argument("-o", "--output", help="output path without extension (default: SCRIPT_graph)")
    p.add_argument("--format", choices=("png", "svg", "pdf"), default="png")
    p.add_argument("--show-saved", action="store_true", help="draw the saved tensors too")
    p.set_defaults(func=run)


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``viz`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser("viz", help="draw the autograd graph of one training step")
    configure(p)
    return p


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="ember viz", description=__doc__.splitlines()[0])
    configure(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
