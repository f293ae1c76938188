"""Where the real pages live (same place tests/conftest.py's ``fixtures_dir`` uses)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JOURNAL = FIXTURES / "journal_page_tables.jpg"
RUSSIAN = FIXTURES / "russian_page.png"
REPORT_PDF = FIXTURES / "two_page_report.pdf"
