"""Client-side seconds per page to write a searchable PDF and a Word file (target < 0.3 s).

Run: ``uv run python -m benchmarks.bench_docout [--repeat N]``

Per input, in this process, best of N interleaved runs:
- OURS pdf: ``write_searchable_pdf`` (the page read again, the JPEG passed through or the
  PDF page kept, the text flowed into its blocks under a glyphless font);
- REFERENCE pdf: Pillow's own PDF writer saving the decoded page (re-encoded, no text): the
  simplest "image to PDF" a client could do;
- OURS docx: ``docx_bytes`` (headings, lists, merged tables, equations, picture crops);
- REFERENCE docx: python-docx with one plain paragraph per block (no tables or formatting).

No model outputs are published for the fixtures: every page gets the hand-written journal
answer (tests/core/journal_output.py) mapped to its size, plus a formula and a picture.
"scanned pdf" is the journal scan as a 2-page image-only PDF, so every page gains a layer;
"scan.tif" is the same 2 pages as a colour TIFF, whose pixels must be compressed again;
"office scan" the page in black and white (G4), as office scanners save it;
the report PDF already has text, so its pages are kept as they are.
"""

from __future__ import annotations

import argparse
import io
import tempfile
from functools import partial
from pathlib import Path

import docx
from PIL import Image

from benchmarks._util import measure_interleaved, print_table
from desktop.core.document import Block, Document, Page, PageStatus
from desktop.core.docxout import docx_bytes
from desktop.core.images import count_pages, iter_pages
from desktop.core.parse import parse_layout
from desktop.core.pdfout import write_searchable_pdf
from desktop.core.resize import BoxMapping
from desktop.core.textflow import block_text
from tests.core.journal_output import JOURNAL_OUTPUT, MODEL_H, MODEL_W

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
_EXTRA = (
    Block("Formula", (100, 100, 600, 180), r"\sum_{i=1}^{n} \frac{a_i}{\sqrt{b_i}}", index=900),
    Block("Picture", (100, 200, 600, 600), None, index=901),
)


def _document(source: Path) -> Document:
    pages = []
    for image in iter_pages(source):
        result = parse_layout(
            JOURNAL_OUTPUT, BoxMapping(image.width, image.height, MODEL_W, MODEL_H)
        )
        pages.append(Page(image.index, image.width, image.height, result.blocks + _EXTRA))
    return Document(str(source), tuple(pages))


def _scanned_pdf(folder: Path) -> Path:
    """The journal scan twice, as an image-only PDF written by the writer itself."""
    tiff = folder / "scan.tif"
    page = Image.open(FIXTURES / "journal_page_tables.jpg").convert("RGB")
    page.save(tiff, save_all=True, append_images=[page], dpi=(200, 200), compression="jpeg")
    failed = tuple(Page(i, page.width, page.height, status=PageStatus.FAILED) for i in (0, 1))
    target = folder / "scanned.pdf"
    write_searchable_pdf(Document(str(tiff), failed), target)
    return target


def _bilevel_tiff(folder: Path) -> Path:
    """The journal as an office scanner saves it: black and white, CCITT G4."""
    target = folder / "office.tif"
    page = Image.open(FIXTURES / "journal_page_tables.jpg").convert("L")
    page.point(lambda v: 255 if v > 160 else 0).convert("1").save(
        target, compression="group4", dpi=(200, 200)
    )
    return target


def reference_pdf(doc: Document) -> bytes:
    images = [p.image for p in iter_pages(doc.source)]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=200)
    return out.getvalue()


def reference_docx(doc: Document) -> bytes:
    word = docx.Document()
    for page in doc.pages:
        for block in page.blocks:
            text = block_text(block)
            if text:
                word.add_paragraph(text)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = {
            "journal_page_tables.jpg": FIXTURES / "journal_page_tables.jpg",
            "russian_page.png (JPEG)": FIXTURES / "russian_page.png",
            "scanned pdf (2 pages)": _scanned_pdf(folder),
            "scan.tif (2 pages, re-encoded)": folder / "scan.tif",
            "office scan G4 TIFF (1-bit)": _bilevel_tiff(folder),
            "two_page_report.pdf": FIXTURES / "two_page_report.pdf",
        }
        rows = []
        for label, source in inputs.items():
            doc = _document(source)
            pages = count_pages(source)
            target = folder / "out.pdf"
            ours_pdf, ref_pdf, ours_docx, ref_docx = measure_interleaved(
                [
                    partial(write_searchable_pdf, doc, target),
                    partial(reference_pdf, doc),
                    partial(docx_bytes, doc),
                    partial(reference_docx, doc),
                ],
                repeat=args.repeat,
            )
            rows.append(
                (
                    label,
                    pages,
                    ours_pdf / 1000 / pages,
                    ref_pdf / 1000 / pages,
                    ours_pdf / ref_pdf,
                    ours_docx / 1000 / pages,
                    ref_docx / 1000 / pages,
                    ours_docx / ref_docx,
                )
            )
    print_table(
        "Documents out: seconds per page (best of interleaved runs; target < 0.3 s/page)",
        rows,
        [
            "input",
            "pages",
            "pdf s/page",
            "ref pdf s/page",
            "pdf/ref",
            "docx s/page",
            "ref docx s/page",
            "docx/ref",
        ],
    )


if __name__ == "__main__":
    main()
