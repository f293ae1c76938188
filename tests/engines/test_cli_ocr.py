"""`dots-desktop ocr` end to end against the simulator (in-process via desktop.cli.run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from desktop.cli import run
from desktop.core.tables import parse_table_html

REPO = Path(__file__).resolve().parents[2]


def test_ocr_prints_markdown_with_the_servers_blocks(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim()
    code = run(["ocr", str(fixtures_dir / "journal_page_tables.jpg"), "--endpoint", sim.base_url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("Journal of") or "# " in out
    assert "<table" in out  # the simulator's table block, as HTML
    assert "page 1/1 ok" in err
    assert "Traceback" not in err


def test_json_output_matches_the_contract(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(api_key="secret")
    page = fixtures_dir / "journal_page_tables.jpg"
    code = run(
        [
            "ocr",
            str(page),
            "--endpoint",
            sim.base_url + "/v1",
            "--api-key",
            "secret",
            "--format",
            "json",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)
    assert doc["source"].endswith("journal_page_tables.jpg")
    (p,) = doc["pages"]
    assert {"index", "width", "height", "status", "blocks"} <= set(p)
    assert p["status"] == "ok" and p["index"] == 0
    for block in p["blocks"]:
        x1, y1, x2, y2 = block["bbox"]
        assert 0 <= x1 < x2 <= p["width"] and 0 <= y1 < y2 <= p["height"]
        assert ("text" in block) == (block["category"] != "Picture")


def test_xlsx_workbook_merges_cells_like_the_html_spans(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim()
    page = fixtures_dir / "journal_page_tables.jpg"
    code = run(
        ["ocr", str(page), "--endpoint", sim.base_url, "--format", "xlsx", "--out", str(tmp_path)]
    )
    assert code == 0
    run(["ocr", str(page), "--endpoint", sim.base_url, "--format", "json"])
    doc = json.loads(capsys.readouterr()[0])
    tables = [b["text"] for b in doc["pages"][0]["blocks"] if b["category"] == "Table"]
    assert tables
    book = load_workbook(tmp_path / "journal_page_tables.xlsx")
    # Several tables: a "Document" index sheet first, then one sheet per table.
    sheets = book.worksheets[1:] if len(tables) > 1 else book.worksheets
    assert len(sheets) == len(tables)
    assert len(tables) == 1 or book.worksheets[0].title == "Document"
    for sheet, html in zip(sheets, tables, strict=True):
        grid = parse_table_html(html)
        expected = {
            (c.row + 1, c.col + 1, c.row + c.rowspan, c.col + c.colspan)
            for c in grid.cells
            if c.rowspan > 1 or c.colspan > 1
        }
        merged = {(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges}
        assert merged == expected and expected


def test_csv_writes_one_file_per_table(vllm_sim: Any, fixtures_dir: Path, tmp_path: Path) -> None:
    sim = vllm_sim()
    page = fixtures_dir / "journal_page_tables.jpg"
    assert (
        run(
            [
                "ocr",
                str(page),
                "--endpoint",
                sim.base_url,
                "--format",
                "csv",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    files = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert files and files[0] == "journal_page_tables_p1_t1.csv"
    assert (tmp_path / files[0]).read_bytes().startswith(b"\xef\xbb\xbf")
    assert run(["ocr", str(page), "--endpoint", sim.base_url, "--out", str(tmp_path)]) == 0
    assert "<table" in (tmp_path / "journal_page_tables.md").read_text(encoding="utf-8")


def test_a_jpeg_named_png_loads_and_a_two_page_pdf_gives_two_pages(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim()
    assert (
        run(
            [
                "ocr",
                str(fixtures_dir / "russian_page.png"),
                "--endpoint",
                sim.base_url,
                "--format",
                "txt",
            ]
        )
        == 0
    )
    assert capsys.readouterr()[0].strip()
    code = run(
        [
            "ocr",
            str(fixtures_dir / "two_page_report.pdf"),
            "--endpoint",
            sim.base_url,
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert [p["index"] for p in json.loads(out)["pages"]] == [0, 1]
    assert "page 2/2 ok" in err


def test_pages_option_reads_only_the_chosen_pages(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim()
    pdf = fixtures_dir / "two_page_report.pdf"
    assert (
        run(["ocr", str(pdf), "--endpoint", sim.base_url, "--format", "json", "--pages", "2"]) == 0
    )
    assert [p["index"] for p in json.loads(capsys.readouterr()[0])["pages"]] == [1]
    assert sim.stats.requests_total == 1


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([], "No OCR server answers at"),
    ],
)
def test_an_unreachable_server_is_exit_1_with_one_line(
    fixtures_dir: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    expected: str,
    refused_port: int,
) -> None:
    url = f"http://127.0.0.1:{refused_port}"
    code = run(["ocr", str(fixtures_dir / "journal_page_tables.jpg"), "--endpoint", url, *extra])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert expected in err


def test_wrong_key_missing_file_and_bad_usage_have_their_exit_codes(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(api_key="right")
    page = str(fixtures_dir / "journal_page_tables.jpg")
    assert run(["ocr", page, "--endpoint", sim.base_url, "--api-key", "wrong"]) == 1
    assert "API key" in capsys.readouterr()[1]
    assert run(["ocr", str(tmp_path / "missing.png"), "--endpoint", sim.base_url]) == 1
    err = capsys.readouterr()[1]
    assert len(err.strip().splitlines()) == 1 and "missing.png" in err
    assert run(["ocr", page, "--engine", "server", "--endpoint", ""]) == 2
    assert run(["ocr", page, "--endpoint", sim.base_url, "--format", "xlsx"]) == 2
    assert run(["ocr", page, "--endpoint", sim.base_url, "--pages", "9"]) == 2


def test_a_looping_page_is_recovered_and_exits_0(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(faults=["loop"])
    assert (
        run(["ocr", str(fixtures_dir / "journal_page_tables.jpg"), "--endpoint", sim.base_url]) == 0
    )
    assert "page 1/1 recovered" in capsys.readouterr()[1]


def test_a_looping_page_whose_regions_loop_too_is_partial_and_exits_3(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 15, item 5: the re-read's region texts are cut short, so not "recovered"
    sim = vllm_sim(faults=["loop", "loop-grounding"])
    code = run(["ocr", str(fixtures_dir / "journal_page_tables.jpg"), "--endpoint", sim.base_url])
    out, err = capsys.readouterr()
    assert code == 3
    assert "page 1/1 partial" in err and "were cut short and are marked […]" in err
    assert "[…]" in out


def test_a_truncated_answer_is_partial_and_exits_3(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(faults=["truncated-json"])
    code = run(["ocr", str(fixtures_dir / "journal_page_tables.jpg"), "--endpoint", sim.base_url])
    out, err = capsys.readouterr()
    assert code == 3
    assert "page 1/1 partial" in err and out.strip()


def test_the_module_entry_point_runs_as_a_subprocess(vllm_sim: Any, fixtures_dir: Path) -> None:
    sim = vllm_sim()
    env = {**os.environ, "DOTS_DESKTOP_ENDPOINT": sim.base_url}
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "ocr", str(fixtures_dir / "two_page_report.pdf")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "page 2/2 ok" in result.stderr
    assert result.stdout.strip()
    assert "Traceback" not in result.stderr


def test_a_context_too_small_for_any_page_is_exit_1_with_one_line(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim(max_model_len=300)
    code = run(["ocr", str(fixtures_dir / "journal_page_tables.jpg"), "--endpoint", sim.base_url])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "300" in err and "context" in err


def test_no_header_footer_drops_the_running_header(
    vllm_sim: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim()
    page = str(fixtures_dir / "journal_page_tables.jpg")
    assert run(["ocr", page, "--endpoint", sim.base_url, "--format", "json"]) == 0
    blocks = json.loads(capsys.readouterr()[0])["pages"][0]["blocks"]
    header = next(b["text"] for b in blocks if b["category"] == "Page-header")
    assert run(["ocr", page, "--endpoint", sim.base_url]) == 0
    assert header in capsys.readouterr()[0]
    assert run(["ocr", page, "--endpoint", sim.base_url, "--no-header-footer"]) == 0
    assert header not in capsys.readouterr()[0]
