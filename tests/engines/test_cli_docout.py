"""``dots-desktop ocr --format pdf|docx`` against the simulator: files a user can open."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest

from desktop.cli import run


def test_a_two_page_pdf_gives_a_two_page_pdf_and_a_word_file(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = vllm_sim()
    report = fixtures_dir / "two_page_report.pdf"
    for fmt in ("pdf", "docx"):
        args = ["ocr", str(report), "--endpoint", sim.base_url, "--format", fmt]
        assert run([*args, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr()[1]
    assert "two_page_report.pdf" in err and "two_page_report.docx" in err
    with pikepdf.open(tmp_path / "two_page_report.pdf") as pdf:
        assert len(pdf.pages) == 2
    word = docx.Document(str(tmp_path / "two_page_report.docx"))
    assert any(p.text.strip() for p in word.paragraphs)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_two_scans_of_one_name_get_two_searchable_pdfs(
    vllm_sim: Any, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a/scan.jpg and b/scan.jpg
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(fixtures_dir / "journal_page_tables.jpg", tmp_path / folder / "scan.jpg")
    sim = vllm_sim()
    out = tmp_path / "out"
    inputs = [str(tmp_path / "a" / "scan.jpg"), str(tmp_path / "b" / "scan.jpg")]
    assert (
        run(["ocr", *inputs, "--endpoint", sim.base_url, "--format", "pdf", "--out", str(out)]) == 0
    )
    # THEN scan.pdf and scan-2.pdf, each with the scan's own JPEG and text to find
    assert sorted(p.name for p in out.iterdir()) == ["scan-2.pdf", "scan.pdf"]
    for name in ("scan.pdf", "scan-2.pdf"):
        text = subprocess.run(
            ["pdftotext", str(out / name), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert len(text.split()) > 50
    assert "scan-2" in capsys.readouterr()[1]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_document_format_without_out_is_a_usage_error(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    page = str(fixtures_dir / "journal_page_tables.jpg")
    assert run(["ocr", page, "--endpoint", "http://127.0.0.1:9", "--format", fmt]) == 2
    assert f"--format {fmt}" in capsys.readouterr()[1]
