"""Worker functions for ``ember.multiprocessing.spawn`` in test_api_gaps_io.py: a module that a
spawned child imports without torch (collected by pytest, it holds no tests)."""

from __future__ import annotations

import sys

import ember


def put_square(i: int, queue, scale: float) -> None:
    queue.put((i, float((ember.tensor(float(i)) * scale) ** 2)))


def raise_in_one(i: int) -> None:
    if i == 1:
        raise ValueError(f"boom {i}")


def exit_code(i: int, code: int) -> None:
    if i == 0:
        sys.exit(code)
