"""Where ``dots-desktop ocr`` puts its results: stdout, or one file (or set) per input in --out.

Names come from the input's name: ``scan.png`` -> ``scan.md``. Two inputs of one name
(``a/scan.png`` and ``b/scan.png``; ``p1.png`` beside ``p1.pdf``) get ``scan.md`` and
``scan-2.md`` in the order given, and the renamed one is said on stderr; names are compared
as a case-insensitive file system would. Within a run nothing is written twice; a file of
the same name from an earlier run is replaced (running the same command again gives the
same names). Markdown keeps its pictures in ``<name>_files/`` beside it, linked by relative
paths. CSV is one file per table (``scan_p1_t1.csv``, numbered like the workbook's sheets),
the text of its Table block around it (caption and text before it above, text after the
block's last table below, a blank row between), formula starts neutralised. Everything
printed is stripped of terminal control characters.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from desktop.commands.docout import DOCUMENT_FORMATS, write_document_file
from desktop.commands.words import say_facts, terminal_safe
from desktop.core.document import Document
from desktop.core.errors import DotsError
from desktop.core.exports import (
    atomic_write_bytes,
    atomic_write_text,
    document_to_html,
    document_to_json,
    document_to_markdown,
    document_to_text,
    json_text,
    picture_name,
    write_csv,
    write_document_xlsx,
)
from desktop.core.images import iter_pages
from desktop.core.messages import Code, Msg
from desktop.core.pngfast import encode_png
from desktop.core.sheets import SheetTable, document_sheet_tables, sheet_csv

TEXT_FORMATS = {"md": "md", "json": "json", "txt": "txt", "html": "html"}
#: Most file systems refuse longer names (in bytes).
NAME_MAX = 255
#: A picture link as the Markdown export writes it (the name from ``picture_name``).
_PICTURE_LINK = re.compile(r"!\[Picture\]\((page-\d+-block-\d+\.png)\)")


class ExportFailed(DotsError):
    """A result could not be written (disk full, no permission): exit code 1."""


@dataclass(frozen=True, slots=True)
class OutputOptions:
    """What to write: the format, the folder (None: stdout), headers/footers, the DPI read at."""

    fmt: str
    out: Path | None
    header_footer: bool = True
    dpi: float = 200


def tables_of(doc: Document) -> list[SheetTable]:
    """Every table of ``doc`` (``p<page>_t<n>``) with the text of its Table block around it."""
    return document_sheet_tables(doc)


def render(doc: Document, fmt: str, header_footer: bool) -> str:
    """``doc`` as text in ``fmt`` (CSV: every table, one after the other)."""
    if fmt == "md":
        return document_to_markdown(doc, header_footer=header_footer)
    if fmt == "txt":
        return document_to_text(doc, header_footer=header_footer)
    if fmt == "html":
        return document_to_html(doc, header_footer=header_footer)
    if fmt == "csv":
        return "\n".join(sheet_csv(table) for table in tables_of(doc))
    return document_to_json(doc)


def write_results(documents: list[Document], options: OutputOptions) -> None:
    """Every document on stdout, or into ``options.out`` under names that never collide."""
    if options.out is None:
        if options.fmt == "json" and len(documents) > 1:
            write_stdout(json_text([json.loads(document_to_json(d)) for d in documents]))
        else:
            for doc in documents:
                write_stdout(render(doc, options.fmt, options.header_footer))
        sys.stdout.flush()
        return
    out = options.out
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for doc in documents:
        stem = _free_stem(Path(doc.source).stem, _names(doc, options.fmt), taken)
        if stem != Path(doc.source).stem:
            say_facts(Msg.of(Code.CLI_RENAMED, source=doc.source, name=stem))
        _write_one(doc, stem, options)


def _names(doc: Document, fmt: str) -> list[str]:
    """The suffixes ``doc`` is written under (one per file or folder)."""
    if fmt == "xlsx":
        return [".xlsx"]
    if fmt in DOCUMENT_FORMATS:
        return [f".{fmt}"]
    if fmt == "csv":
        return [f"_{table.name}.csv" for table in tables_of(doc)]
    names = [f".{TEXT_FORMATS[fmt]}"]
    if fmt == "md" and _pictures(doc):
        names.append("_files")
    return names


def _free_stem(stem: str, suffixes: list[str], taken: set[str]) -> str:
    """``stem``, else ``stem-2``, ``stem-3`` ...: the first whose every name is free."""
    n = 1
    while True:
        candidate = stem if n == 1 else f"{stem}-{n}"
        names = [fit_name(candidate, suffix).casefold() for suffix in suffixes]
        if not taken.intersection(names):
            taken.update(names)
            return candidate
        n += 1


def fit_name(stem: str, suffix: str) -> str:
    """``stem+suffix``, the stem shortened so the name fits the file-system limit."""
    while stem and len(os.fsencode(stem + suffix)) > NAME_MAX:
        stem = stem[:-1]
    return f"{stem}{suffix}"


def _write_one(doc: Document, stem: str, options: OutputOptions) -> None:
    out = options.out
    assert out is not None
    if options.fmt == "xlsx":
        target = out / fit_name(stem, ".xlsx")
        with writing(target):
            count = write_document_xlsx(doc, target)
        say_facts(Msg.of(Code.CLI_WROTE_WORKBOOK, target=str(target), count=count))
        return
    if options.fmt in DOCUMENT_FORMATS:
        target = out / fit_name(stem, f".{options.fmt}")
        with writing(target):
            write_document_file(
                doc, target, options.fmt, dpi=options.dpi, header_footer=options.header_footer
            )
        return
    if options.fmt == "csv":
        tables = tables_of(doc)
        for table in tables:
            target = out / fit_name(stem, f"_{table.name}.csv")
            with writing(target):
                write_csv(table, target)
        say_facts(Msg.of(Code.CLI_WROTE_CSVS, count=len(tables), folder=str(out)))
        return
    text = render(doc, options.fmt, options.header_footer)
    if options.fmt == "md" and _pictures(doc):
        folder = fit_name(stem, "_files")
        _write_pictures(doc, out / folder, options.dpi)
        prefix = quote(folder) + "/"
        text = _PICTURE_LINK.sub(lambda m: f"![Picture]({prefix}{m.group(1)})", text)
    target = out / fit_name(stem, f".{TEXT_FORMATS[options.fmt]}")
    with writing(target):
        atomic_write_text(target, text)
    say_facts(Msg.of(Code.CLI_WROTE, target=str(target)))


def _pictures(doc: Document) -> dict[int, list[int]]:
    """Page index -> indexes (in ``page.blocks``) of its picture blocks."""
    found: dict[int, list[int]] = {}
    for page in doc.pages:
        for i, block in enumerate(page.blocks):
            if block.category == "Picture":
                found.setdefault(page.index, []).append(i)
    return found


def _write_pictures(doc: Document, folder: Path, dpi: float) -> None:
    """Each picture block cut from its page (rendered again as it was read) into ``folder``."""
    wanted = _pictures(doc)
    pages = {p.index: p for p in doc.pages}
    with writing(folder):
        folder.mkdir(exist_ok=True)
    count = 0
    try:
        for image in iter_pages(doc.source, dpi=dpi, pages=sorted(wanted)):
            page = pages[image.index]
            for i in wanted[image.index]:
                block = page.blocks[i]
                x1, y1, x2, y2 = block.bbox
                crop = image.image.crop((x1, y1, max(x2, x1 + 1), max(y2, y1 + 1)))
                target = folder / picture_name(page, block)
                with writing(target):
                    atomic_write_bytes(target, encode_png(crop))
                count += 1
    except ExportFailed:
        raise
    except DotsError as exc:  # the input changed since it was read: the text is still written
        say_facts(*exc.facts)
    say_facts(Msg.of(Code.CLI_WROTE_PICTURES, count=count, folder=str(folder)))


@contextlib.contextmanager
def writing(target: Path) -> Iterator[None]:
    """An OSError while writing ``target`` -> one sentence (disk full, no permission)."""
    try:
        yield
    except OSError as exc:
        code = exc.errno
        reason = os.strerror(code) if code else str(exc) or type(exc).__name__
        reason = reason[:1].lower() + reason[1:]
        fix = {
            errno.ENOSPC: Code.FIX_FREE_SPACE,
            errno.EDQUOT: Code.FIX_FREE_SPACE,
            errno.EACCES: Code.FIX_WRITABLE_FOLDER,
            errno.EROFS: Code.FIX_WRITABLE_FOLDER,
        }.get(code or 0)
        raise ExportFailed(
            Msg.of(Code.EXPORT_FAILED, target=str(target), detail=reason),
            fix=Msg(fix) if fix else None,
        ) from None


def write_stdout(text: str) -> None:
    """Results on stdout, never with a control character the terminal would act on; text
    the terminal cannot encode (a non-UTF-8 name) never fails."""
    text = terminal_safe(text)
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        data = text.encode(encoding, "backslashreplace")
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            sys.stdout.flush()
            buffer.write(data)
        else:
            sys.stdout.write(data.decode(encoding, "replace"))
