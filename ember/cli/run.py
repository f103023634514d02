"""``ember run``: run a PyTorch script or module with ``torch``/``torchvision`` resolved to Ember.

usage: ember run [--check] script.py [args ...]
       ember run -m module [args ...]

The script runs as ``python script.py`` would run it: ``sys.argv`` is ``[script.py, args...]``,
``__name__ == "__main__"``, ``sys.path[0]`` is the script's folder, relative paths are relative to
the current folder, and a failure prints the script's traceback (without Ember's launcher frames)
and exits with status 1. ``--check`` lists, without running anything, the torch APIs the script
uses that Ember lacks.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import types

from .. import compat

USAGE = """usage: ember run [-h] [--check] [--lint] [--graph PATH] [--detect-anomaly]
                 (script.py | -m module) [args ...]

Run a PyTorch script on Ember: import torch / torchvision resolve to Ember.

options:
  -h, --help  show this help message and exit
  --check     list the torch APIs the script uses that Ember lacks (static, runs nothing)
  --lint      warn about training-loop pitfalls, naming the script's line
  --graph PATH  write the autograd graph of the first training step to PATH.dot (and .png)
  --detect-anomaly  a NaN made in backward raises, naming the forward operation behind it
  -m module   run a module as a script, like python -m"""

# Frames of the launcher (this file, runpy) and of the import hook are not the script's: drop them
# so the traceback reads as ``python script.py`` prints it.
_HIDDEN_FILES = {os.path.abspath(f) for f in (__file__, runpy.__file__, compat.__file__)}


def _strip_launcher(tb: types.TracebackType | None) -> types.TracebackType | None:
    kept = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename != "<frozen runpy>" and os.path.abspath(filename) not in _HIDDEN_FILES:
            kept.append(tb)
        tb = tb.tb_next
    for a, b in zip(kept, kept[1:] + [None]):
        a.tb_next = b
    return kept[0] if kept else None


def _run(target: str, as_module: bool, args: list[str]) -> int:
    compat.install()
    if as_module:
        sys.argv = [target, *args]  # runpy replaces argv[0] with the module's file
        sys.path[0:1] = [os.getcwd()]
    else:
        sys.argv = [target, *args]
        sys.path[0:1] = [os.path.dirname(os.path.realpath(target))]
    try:
        if as_module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            _run_path(target)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - reported like Python's own top level does
        tb = _strip_launcher(e.__traceback__)
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        if isinstance(e, KeyboardInterrupt):
            # die of SIGINT, as the interpreter does, so shells see the usual status
            sys.stdout.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        return 1
    return 0


def _run_path(path: str) -> None:
    """Execute a script file as ``__main__`` the way ``python path`` does.

    (``runpy.run_path`` would also do, but it sets ``sys.argv[0]`` and ``__file__`` to the same
    string, where Python keeps ``argv[0]`` as typed and makes ``__file__`` absolute.)
    """
    import builtins
    from importlib.machinery import SourceFileLoader

    filename = os.path.abspath(path)
    with open(filename, "rb") as f:
        source = f.read()
    code = compile(source, filename, "exec", dont_inherit=True)
    main = types.ModuleType("__main__")
    main.__dict__.update(
        __file__=filename,
        __cached__=None,
        __builtins__=builtins,
        __loader__=SourceFileLoader("__main__", filename),
        __spec__=None,
        __package__=None,
    )
    sys.modules["__main__"] = main
    exec(code, main.__dict__)


def checks(lint: bool = False, graph: str | None = None, anomaly: bool = False):
    """The context for ``--lint`` (pitfall warnings), ``--graph PATH`` and ``--detect-anomaly``."""
    import contextlib

    stack = contextlib.ExitStack()
    if anomaly:
        from ..autograd import detect_anomaly

        stack.enter_context(detect_anomaly())
    if lint:
        from .._pitfalls import set_detect_pitfalls

        set_detect_pitfalls(True)
        stack.callback(set_detect_pitfalls, False)
    if graph:
        from .viz import capture_graph

        stack.enter_context(capture_graph(graph))
    return stack


def main(argv: list[str]) -> int:
    check, module = False, None
    lint, graph, anomaly = False, None, False
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        opt = argv[i]
        if opt in ("-h", "--help"):
            print(USAGE)
            return 0
        if opt == "--check":
            check = True
        elif opt == "--lint":
            lint = True
        elif opt == "--detect-anomaly":
            anomaly = True
        elif opt == "--graph":
            if i + 1 >= len(argv):
                print(f"{USAGE}\nember run: error: --graph needs a path", file=sys.stderr)
                return 2
            graph = argv[i + 1]
            i += 1
        elif opt == "-m":
            if i + 1 >= len(argv):
                print(f"{USAGE}\nember run: error: -m needs a module name", file=sys.stderr)
                return 2
            module = argv[i + 1]
            i += 1
            break
        elif opt.startswith("-m") and len(opt) > 2:
            module = opt[2:]
            break
        else:
            print(f"{USAGE}\nember run: error: unknown option {opt}", file=sys.stderr)
            return 2
        i += 1
    rest = argv[i + 1 :]
    if module is not None:
        if check:
            spec = _module_file(module)
            return 2 if spec is None else _check(spec)
        with checks(lint, graph, anomaly):
            return _run(module, True, rest)
    if i >= len(argv):
        print(f"{USAGE}\nember run: error: a script (or -m module) is required", file=sys.stderr)
        return 2
    script = argv[i]
    if check:
        return _check(script)
    if not os.path.exists(script):
        print(
            f"ember run: can't open file '{os.path.abspath(script)}': [Errno 2] No such file or "
            "directory",
            file=sys.stderr,
        )
        return 2
    with checks(lint, graph, anomaly):
        return _run(script, False, rest)


def _check(path: str) -> int:
    from .check import main as check_main

    return check_main(path)


def _module_file(name: str) -> str | None:
    import importlib.util

    sys.path.insert(0, os.getcwd())
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.submodule_search_locations:
        spec = importlib.util.find_spec(f"{name}.__main__")
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        print(f"ember run --check: no Python source found for module '{name}'", file=sys.stderr)
        return None
    return spec.origin
