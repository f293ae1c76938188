"""The headless CLI with bad input: one line on stderr, no traceback, the batch goes on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import run
from tests.reliability.conftest import BAD_INPUTS, ODD_INPUTS, BadInput
from tests.reliability.helpers import assert_one_clear_line

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def endpoint(vllm_sim: Any) -> str:
    return str(vllm_sim(decode_tps=100_000.0).base_url)


@pytest.mark.parametrize("case", BAD_INPUTS, ids=lambda c: c.name)
def test_a_bad_file_alone_exits_1_with_one_line_and_no_traceback(
    case: BadInput, corpus_dir: Path, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.make(corpus_dir)
    code = run(["ocr", str(path), "--endpoint", endpoint])
    _, err = capsys.readouterr()
    assert code in (1, 3), err  # refused up front (1) or as a failed page (3)
    lines = err.strip().splitlines()
    assert_one_clear_line(lines[-1] if code == 1 else lines[0])
    assert "Traceback" not in err
    assert path.name in err
    if code == 3:
        assert "failed" in err


def test_a_bad_file_among_good_ones_does_not_stop_the_batch(
    corpus_dir: Path,
    good_page: Callable[[str], Path],
    endpoint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, last = good_page("first.png"), good_page("last.png")
    broken = corpus_dir / "broken.png"
    broken.write_bytes(b"")
    out_dir = corpus_dir / "out"
    code = run(
        ["ocr", str(first), str(broken), str(last), "--endpoint", endpoint, "--out", str(out_dir)]
    )
    _, err = capsys.readouterr()
    assert "broken.png: the file is empty." in err
    assert (out_dir / "first.md").is_file() and (out_dir / "last.md").is_file(), err
    assert code == 3  # finished, but not every input was read


def test_a_folder_given_as_input_is_named_as_a_folder(
    corpus_dir: Path, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["ocr", str(corpus_dir), "--endpoint", endpoint])
    _, err = capsys.readouterr()
    assert code in (1, 3)
    assert_one_clear_line(err.strip().splitlines()[-1])
    assert "no such file" not in err, "the folder exists: 'no such file' misleads"
    assert "folder" in err


def test_a_folder_given_as_input_reads_its_images_and_skips_other_files(
    tmp_path: Path,
    good_page: Callable[[str], Path],
    endpoint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = good_page("b.png").parent
    good_page("a.png")
    (folder / "notes.txt").write_text("not a page")
    out_dir = tmp_path / "out"
    code = run(["ocr", str(folder), "--endpoint", endpoint, "--out", str(out_dir)])
    _, err = capsys.readouterr()
    assert code == 0, err  # an unrelated file in the folder is no failure
    # One Markdown file per image (with its pictures' folder when the page has pictures)
    assert sorted(p.name for p in out_dir.glob("*.md")) == ["a.md", "b.md"]
    assert {p.name for p in out_dir.iterdir()} <= {"a.md", "b.md", "a_files", "b_files"}
    assert "skipped 1 file" in err


def test_a_damaged_page_file_in_a_folder_is_named_not_just_counted(
    tmp_path: Path,
    good_page: Callable[[str], Path],
    endpoint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = good_page("a.png").parent
    (folder / "scan.png").write_bytes(b"")
    code = run(["ocr", str(folder), "--endpoint", endpoint, "--out", str(tmp_path / "out")])
    _, err = capsys.readouterr()
    assert code == 3, err  # a.png read, scan.png not
    assert "scan.png: the file is empty." in err
    assert "skipped" not in err


def test_only_bad_inputs_exit_1_with_a_line_for_each(
    corpus_dir: Path, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = corpus_dir / "empty.png"
    empty.write_bytes(b"")
    missing = corpus_dir / "missing.png"
    code = run(["ocr", str(empty), str(missing), "--endpoint", endpoint])
    out, err = capsys.readouterr()
    assert code == 1
    assert not out.strip()
    assert "empty.png: the file is empty." in err and "missing.png: no such file." in err
    assert_one_clear_line(err.strip().splitlines()[-1])


def test_a_non_utf8_file_name_is_read_and_printed(
    corpus_dir: Path, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = next(c for c in ODD_INPUTS if c.name == "non-utf8-name").make(corpus_dir)
    code = run(["ocr", str(path), "--endpoint", endpoint])
    out, err = capsys.readouterr()
    assert "Unexpected error" not in err
    assert code == 0, err
    assert out.strip()


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_a_250_byte_file_name_exports_next_to_it(
    fmt: str, corpus_dir: Path, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = next(c for c in ODD_INPUTS if c.name == "250-byte-name").make(corpus_dir)
    out_dir = corpus_dir / "out"
    code = run(["ocr", str(path), "--endpoint", endpoint, "--out", str(out_dir), "--format", fmt])
    _, err = capsys.readouterr()
    assert "Unexpected error" not in err, err
    assert code == 0, err
    written = [p for p in out_dir.iterdir() if not p.name.startswith(".")]
    assert written and all(p.stat().st_size > 0 for p in written)
    assert not [p for p in out_dir.iterdir() if p.name.endswith(".tmp")]


def test_the_cli_as_a_subprocess_prints_one_line_for_a_corrupt_pdf(
    corpus_dir: Path, endpoint: str
) -> None:
    import subprocess
    import sys

    path = next(c for c in BAD_INPUTS if c.name == "corrupt-pdf").make(corpus_dir)
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "ocr", str(path), "--endpoint", endpoint],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert_one_clear_line(result.stderr)
    assert "broken.pdf: the PDF is damaged or incomplete" in result.stderr
    assert ".)." not in result.stderr and ".." not in result.stderr  # one full stop, not two
