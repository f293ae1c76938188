"""Everything the ``ocr`` command prints is free of NUL and terminal escapes (issue 15,
item 15), whatever the format on stdout, and on every stderr line: progress, renames,
"wrote" lines, error sentences, summaries, even for a file whose name carries an escape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.cli import run
from tests.reliability.hostile import HostileServer, Reply, error_json, layout_blocks, ok_stream
from tests.reliability.test_hostile_batch import _ocr, _png

pytestmark = [pytest.mark.timeout(180), pytest.mark.usefixtures("quick_engine")]

NASTY = "red\x1b[31m text\x00 title\x1b]0;owned\x07 end\x9b2J bell\x07 cr\r"
#: A cell and a caption of a Table block with the same characters in them.
TABLE = f"<table><caption>cap{NASTY}</caption><tr><td>cell{NASTY}</td><td>2</td></tr></table>"


def _bad(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0]


def _script(n: int) -> Reply:
    if n == 2:
        return error_json(f"refused {NASTY}", 400)
    blocks = layout_blocks(NASTY) + layout_blocks(TABLE, category="Table")
    blocks[1]["bbox"] = [10, 60, 300, 90]
    return ok_stream(blocks)


@pytest.mark.parametrize("fmt", ["md", "txt", "html", "json", "csv"])
def test_every_format_on_stdout_and_every_stderr_line_is_free_of_escapes(
    hostile: Callable[..., HostileServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    # GIVEN a model whose text, table cells and error carry NUL, ANSI, OSC and C1 escapes,
    # and an input whose very file name carries one
    server = hostile(_script)
    named = _png(tmp_path / "in" / "scan\x1b[2J.png")
    inputs = [str(named), str(_png(tmp_path / "in" / "b.png")), str(tmp_path / "missing\x07.png")]
    # WHEN the pages are printed on stdout
    code = run(_ocr(*inputs, "--endpoint", server.base_url, "--format", fmt))
    out, err = capsys.readouterr()
    # THEN neither stdout nor stderr holds a control character, and the words remain
    assert code in (1, 3)
    assert _bad(out) == [] and _bad(err) == [], (fmt, out, err)
    assert "red" in out and "end" in out and "cell" in out
    assert "refused red" in err and "scan[2J.png" not in err and "scan" in err


@pytest.mark.parametrize("fmt", ["md", "csv", "xlsx"])
def test_the_lines_about_written_files_are_free_of_escapes(
    hostile: Callable[..., HostileServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    # GIVEN two inputs of one name (one is renamed), whose name carries an escape
    server = hostile(lambda n: ok_stream([*layout_blocks(NASTY), _table_block()]))
    inputs = [str(_png(tmp_path / d / "scan\x1b]0;x\x07.png")) for d in ("a", "b")]
    # WHEN they are written into a folder
    run(_ocr(*inputs, "--endpoint", server.base_url, "--format", fmt, "--out", str(tmp_path / "o")))
    out, err = capsys.readouterr()
    # THEN the progress, rename and "wrote" lines hold no control character
    assert _bad(out) == [] and _bad(err) == [], err
    assert "wrote" in err or "Wrote" in err


def _table_block() -> dict[str, object]:
    block = layout_blocks(TABLE, category="Table")[0]
    block["bbox"] = [10, 60, 300, 90]
    return block
