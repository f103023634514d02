"""docs/tutorial.md: every ```python block runs, in order, and prints its ```text block."""

import contextlib
import io
import os
import re

import pytest

import ember

DOC = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "tutorial.md"
)
BLOCK = re.compile(r"```(python|text)\n(.*?)```\n", re.S)


def blocks():
    """(code, expected output or None) for each python block, the text block right after it."""
    text = open(DOC, encoding="utf-8").read()
    found = [(m.group(1), m.group(2), m.start(), m.end()) for m in BLOCK.finditer(text)]
    out = []
    for i, (kind, body, _, end) in enumerate(found):
        if kind != "python":
            continue
        expected = None
        if (
            i + 1 < len(found)
            and found[i + 1][0] == "text"
            and not text[end : found[i + 1][2]].strip()
        ):
            expected = found[i + 1][1]
        out.append((body, expected))
    return out


def test_tutorial_has_code_and_outputs():
    bs = blocks()
    assert len(bs) >= 8
    assert sum(expected is not None for _, expected in bs) >= 7


def test_tutorial_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__tutorial__"}
    try:
        for i, (code, expected) in enumerate(blocks()):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                exec(compile(code, f"<tutorial block {i}>", "exec"), namespace)
            if expected is not None:
                assert buf.getvalue() == expected, f"block {i}:\n{code}"
    finally:
        ember.autograd.set_detect_pitfalls(False)
    from ember.viz import has_dot

    if has_dot():
        assert (tmp_path / "seed_step.png").exists()


def test_tutorial_picture_is_committed():
    if not os.path.exists(os.path.join(os.path.dirname(DOC), "seed_step.png")):
        pytest.fail("docs/seed_step.png, the picture the tutorial shows, is missing")
