"""Our XLSX, HTML export and clipboard HTML as a real office suite reads them (LibreOffice).

Every file is converted by ``soffice --headless`` to CSV twice: "as shown" (what a user sees
in each cell) and as stored (the value), with text cells quoted and numbers bare, so one
conversion tells value, type and displayed text apart. All conversions of a kind run in one
soffice call (it costs seconds to start). Skipped without LibreOffice, except where
``DOTS_REQUIRE_OFFICE=1`` (CI sets it): there a missing soffice fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.core.clipboard import spreadsheet_html
from desktop.core.exports import (
    atomic_write_text,
    document_to_html,
    write_csv,
    write_document_xlsx,
)
from desktop.core.sheets import document_convention, document_sheet_tables
from desktop.core.tables import TableCell, TableGrid
from tests.core.test_sheets import LABEL, _bold_caption_journal, _sample

#: LibreOffice's CSV filter tokens: separator ";", quote '"', UTF-8, from line 1, no cell
#: formats, US English, quote all text cells, detect special numbers, contents as shown
#: (true/false), no formulas, no space trimming, every sheet to its own file (-1).
_CSV = "csv:Text - txt - csv (StarCalc):59,34,76,1,,1033,true,true,{shown},false,false,-1"
#: Average character width of the default 11 pt font, in inches: a column narrower than
#: this times the label's length cuts the label.
_CHAR_INCH = 0.07


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    is_text: bool  # quoted by LibreOffice: a text cell; bare: a number


def read_cells(csv_text: str) -> list[list[Cell]]:
    """LibreOffice's CSV (";" separated, text quoted) with each cell's type kept."""
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    text = csv_text.replace("\r\n", "\n")
    i = 0
    bare = re.compile(r"[^;\n]*")
    while i < len(text):
        if text[i] == '"':
            j, buf = i + 1, []
            while not (text[j] == '"' and text[j + 1 : j + 2] != '"'):
                buf.append(text[j])
                j += 2 if text[j] == '"' else 1
            row.append(Cell("".join(buf), True))
            i = j + 1
        else:
            match = bare.match(text, i)
            assert match is not None
            row.append(Cell(match.group(0), False))
            i = match.end()
        if i < len(text) and text[i] == ";":
            i += 1
            if i == len(text) or text[i] == "\n":
                row.append(Cell("", False))
        if i < len(text) and text[i] == "\n":
            rows.append(row)
            row = []
            i += 1
    if row:
        rows.append(row)
    return rows


@dataclass
class Office:
    """Sheets as LibreOffice read them: file stem -> sheet name -> rows of cells."""

    shown: dict[str, dict[str, list[list[Cell]]]]
    stored: dict[str, dict[str, list[list[Cell]]]]
    column_inches: dict[str, list[float]]  # journal.xlsx: sheet name -> column widths

    def row_with(self, stem: str, sheet: str, first: str, *, shown: bool = True) -> list[Cell]:
        rows = (self.shown if shown else self.stored)[stem][sheet]
        return next(r for r in rows if r and r[0].text == first)


def _soffice(profile: Path, out: Path, files: list[Path], *args: str) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe is not None
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", *args]
    cmd += ["--outdir", str(out), *map(str, files)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def _sheets(out: Path) -> dict[str, dict[str, list[list[Cell]]]]:
    found: dict[str, dict[str, list[list[Cell]]]] = {}
    for path in sorted(out.glob("*.csv")):
        stem, _, sheet = path.stem.partition("-")
        found.setdefault(stem, {})[sheet] = read_cells(path.read_text("utf-8"))
    return found


def _column_widths(fods: str) -> dict[str, list[float]]:
    styles = dict(
        re.findall(
            r'<style:style style:name="(co\d+)" style:family="table-column">\s*'
            r'<style:table-column-properties[^>]*?style:column-width="([\d.]+)in"',
            fods,
        )
    )
    widths: dict[str, list[float]] = {}
    for name, body in re.findall(
        r'<table:table table:name="([^"]+)"(.*?)</table:table>', fods, re.S
    ):
        columns = []
        for style, repeat in re.findall(
            r'<table:table-column table:style-name="(co\d+)"'
            r'(?: table:number-columns-repeated="(\d+)")?',
            body,
        ):
            columns += [float(styles[style])] * int(repeat or 1)
        widths[name.replace("&apos;", "'")] = columns
    return widths


def _require_office() -> None:
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        reason = "LibreOffice (soffice) is not installed"
        if os.environ.get("DOTS_REQUIRE_OFFICE") == "1":
            pytest.fail(f"DOTS_REQUIRE_OFFICE=1 but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    _require_office()
    base = tmp_path_factory.mktemp("office")
    profile = base / "profile"  # our own profile: parallel runs never share one
    inputs = base / "in"
    inputs.mkdir()
    journal = _bold_caption_journal()
    ru = _sample("Выручка по регионам, тыс. руб.", ["Регион", "Сумма", "Доля"], "1 823,50", "2,273")
    en = _sample("Revenue by region for the year", ["Region", "Sum", "Count"], "1,823.50", "2,273")
    xlsx, htmls = [], []
    for stem, doc in (("journal", journal), ("ru", ru), ("en", en)):
        write_document_xlsx(doc, inputs / f"{stem}.xlsx")
        xlsx.append(inputs / f"{stem}.xlsx")
        # What the Tables tab's Copy puts on the clipboard for the document's first table.
        grid = document_sheet_tables(doc)[0].grid
        clip = inputs / f"{stem}clip.html"
        atomic_write_text(clip, spreadsheet_html(grid, document_convention(doc)))
        htmls.append(clip)
    export = inputs / "journalexport.html"
    atomic_write_text(export, document_to_html(journal))
    htmls.append(export)
    calc_html = "--infilter=HTML (StarCalc)"
    shown, stored = base / "shown", base / "stored"
    for out, flag in ((shown, "true"), (stored, "false")):
        _soffice(profile, out, xlsx, "--convert-to", _CSV.format(shown=flag))
        _soffice(profile, out, htmls, calc_html, "--convert-to", _CSV.format(shown=flag))
    _soffice(profile, base / "fods", xlsx[:1], "--convert-to", "fods")
    fods = (base / "fods" / "journal.fods").read_text("utf-8")
    return Office(_sheets(shown), _sheets(stored), _column_widths(fods))


TABLE_II = "TABLE II – ODDS RATIO OF HODGKI"


@pytest.mark.parametrize(
    ("stem", "sheet"),
    [("journal", TABLE_II), ("journalclip", "Sheet1"), ("journalexport", "Sheet1")],
)
def test_libreoffice_reads_the_journal_numbers_as_numbers_shown_as_printed(
    office: Office, stem: str, sheet: str
) -> None:
    # The HTML export's page lays tables on a shared grid: compare the cells that hold text.
    row = [c for c in office.row_with(stem, sheet, LABEL) if c.text]
    # "2,273" a number shown "2,273", 315 a number, "1.00" shown with its decimals, "–" text.
    assert row[1:5] == [
        Cell("2,273", False),
        Cell("315", False),
        Cell("1.00", False),
        Cell("–", True),
    ]
    assert row[5:7] == [Cell("1,823", False), Cell("1.00", False)]
    stored = [c for c in office.row_with(stem, sheet, LABEL, shown=False) if c.text]
    assert [c.text for c in stored[1:4]] == ["2273", "315", "1"]
    ranges = [c for c in office.row_with(stem, sheet, "Ever Exposed") if c.text]
    assert ranges[4] == Cell("0.65–1.71", True) and ranges[7] == Cell("0.95–1.46", True)


def test_libreoffice_shows_the_label_column_whole(office: Office) -> None:
    widths = office.column_inches[TABLE_II]
    assert widths[0] >= len(LABEL) * _CHAR_INCH, widths[:3]


def test_libreoffice_opens_the_workbook_on_an_index_of_the_tables(office: Office) -> None:
    index = office.shown["journal"]["Document"]
    assert [c.text for c in index[0]] == ["Sheet", "Page", "Caption"]
    assert index[1][:2] == [Cell(TABLE_II, True), Cell("1", False)]
    assert "**" not in index[1][2].text


def test_libreoffice_reads_the_html_export_without_markdown_marks(office: Office) -> None:
    rows = office.shown["journalexport"]["Sheet1"]
    texts = [c.text for r in rows for c in r]
    assert any("TABLE II – ODDS RATIO OF HODGKIN" in t for t in texts), texts[:10]
    assert not [t for t in texts if "**" in t or "*p*" in t]
    assert "p-value of test for linear trend" in texts


@pytest.mark.parametrize(("stem", "sheet"), [("journal", TABLE_II), ("journalclip", "Sheet1")])
def test_libreoffice_shows_cells_without_the_models_markdown_marks(
    office: Office, stem: str, sheet: str
) -> None:
    texts = [c.text for r in office.shown[stem][sheet] for c in r]
    assert "p-value of test for linear trend" in texts
    assert not [t for t in texts if "*" in t]


@pytest.mark.parametrize("stem", ["ru", "ruclip"])
def test_libreoffice_reads_a_russian_sample_by_russian_conventions(
    office: Office, stem: str
) -> None:
    sheet = next(iter(office.stored[stem]))
    stored = office.row_with(stem, sheet, "Север", shown=False)
    assert [float(c.text) for c in stored[1:3]] == [1823.5, 2.273]
    assert not any(c.is_text for c in stored[1:3])


@pytest.mark.parametrize("stem", ["en", "enclip"])
def test_libreoffice_reads_an_english_sample_by_english_conventions(
    office: Office, stem: str
) -> None:
    sheet = next(iter(office.stored[stem]))
    stored = office.row_with(stem, sheet, "Север", shown=False)
    assert [float(c.text) for c in stored[1:3]] == [1823.5, 2273]
    shown = office.row_with(stem, sheet, "Север")
    assert shown[1:3] == [Cell("1,823.50", False), Cell("2,273", False)]


def test_read_cells_tells_text_from_numbers() -> None:
    assert read_cells('"a;""b""";1,5;;"x\ny"\n2;\n') == [
        [Cell('a;"b"', True), Cell("1,5", False), Cell("", False), Cell("x\ny", True)],
        [Cell("2", False), Cell("", False)],
    ]


def test_libreoffice_opens_our_csv_without_running_an_injected_formula(tmp_path: Path) -> None:
    """GIVEN a table whose cells a hostile page made formulas, beside signed numbers,
    WHEN its CSV is opened in LibreOffice (UTF-8, comma-separated, as a user opens it),
    THEN no formula ran (the cell shows its text, quote first) and the numbers are numbers."""
    _require_office()
    values = ["=1+1", "@SUM(1;2)", "-2+3", "-12.5", "+7", "-", "plain"]
    grid = TableGrid(1, len(values), tuple(TableCell(0, i, 1, 1, v) for i, v in enumerate(values)))
    source = tmp_path / "in" / "inject.csv"
    source.parent.mkdir()
    write_csv(grid, source)
    out = tmp_path / "out"
    _soffice(
        tmp_path / "profile",
        out,
        [source],
        "--infilter=CSV:44,34,76,1",
        "--convert-to",
        _CSV.format(shown="false"),
    )
    (row,) = read_cells(next(out.glob("*.csv")).read_text("utf-8"))
    assert row[:3] == [Cell("'=1+1", True), Cell("'@SUM(1;2)", True), Cell("'-2+3", True)]
    assert row[3:] == [Cell("-12.5", False), Cell("7", False), Cell("-", True), Cell("plain", True)]
