"""``dots-desktop ocr``: OCR files headless; progress on stderr, results on stdout or in --out.

Exit codes: 0 all pages ok; 3 finished, but some inputs or pages failed or are partial;
1 error, or no input could be read (one line on stderr each); 2 usage.
A bad input (missing, broken) is reported in one line and the batch goes on without it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from desktop.commands.words import cli_words, say_facts, status_fact
from desktop.core.document import Document, PageStatus
from desktop.core.errors import DotsError, PageRangeError
from desktop.core.exports import (
    atomic_write_text,
    document_to_html,
    document_to_json,
    document_to_markdown,
    document_to_text,
    json_text,
    write_csv,
    write_document_xlsx,
)
from desktop.core.formats import PAGE_SUFFIXES
from desktop.core.images import count_pages, page_file_kind, parse_page_ranges
from desktop.core.messages import Code, Msg
from desktop.core.tables import TableGrid, parse_table_html
from desktop.engines.base import Engine, RecognizeMode
from desktop.engines.batch.pipeline import (
    BatchPipeline,
    DocumentFinished,
    PageFinished,
    SourceFailed,
)
from desktop.engines.errors import (
    AuthFailed,
    ContextTooLong,
    ModelNotServed,
    ServerUnavailable,
)
from desktop.engines.factory import create_engine, default_engine_kind

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
#: Failures that would hit every page the same way: stop at once with exit code 1.
FATAL = (AuthFailed, ContextTooLong, ModelNotServed, ServerUnavailable)
TEXT_FORMATS = {"md": "md", "json": "json", "txt": "txt", "html": "html"}
#: ``--lang``: ``auto`` or Tesseract codes joined by ``+`` (``rus``, ``rus+eng``, ``chi_sim``).
LANG_SPEC = re.compile(r"^[A-Za-z][A-Za-z_]*(\+[A-Za-z][A-Za-z_]*)*$")
#: Most file systems refuse longer names (in bytes).
NAME_MAX = 255

Plan = list[tuple[str, list[int] | None, int]]


class UsageError(Exception):
    """Bad flags: exit code 2. ``msg`` says which and how (``str()`` is the English)."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(str(msg))
        self.msg = msg


class ExportFailed(DotsError):
    """A result could not be written (disk full, no permission): exit code 1."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_ocr(args: argparse.Namespace) -> int:
    """Entry from desktop.cli; never raises (except KeyboardInterrupt, which cli handles)."""
    try:
        return asyncio.run(_main(args))
    except UsageError as exc:
        _say(f"dots-desktop ocr: {cli_words(exc.msg)}")
        return EXIT_USAGE
    except DotsError as exc:
        say_facts(*exc.facts)
        return EXIT_ERROR
    except Exception as exc:  # a bug must still end in one line, not a traceback
        logger.debug("unexpected failure", exc_info=True)
        say_facts(Msg.of(Code.CLI_UNEXPECTED, kind=type(exc).__name__, detail=str(exc)))
        return EXIT_ERROR


def _check_args(args: argparse.Namespace) -> str:
    if args.concurrency is not None and args.concurrency < 1:
        raise UsageError(Msg(Code.USAGE_CONCURRENCY))
    if args.dpi is not None and not 36 <= args.dpi <= 1200:
        raise UsageError(Msg(Code.USAGE_DPI))
    if args.max_tokens is not None and args.max_tokens < 1:
        raise UsageError(Msg(Code.USAGE_MAX_TOKENS))
    if args.fmt == "xlsx" and not args.out:
        raise UsageError(Msg(Code.USAGE_XLSX_OUT))
    kind = args.engine or default_engine_kind(args.endpoint)
    if kind == "server" and not args.endpoint:
        raise UsageError(Msg(Code.USAGE_SERVER_ENDPOINT))
    lang = _languages(args)
    if not LANG_SPEC.match(lang):
        raise UsageError(Msg.of(Code.USAGE_LANG, lang=lang))
    return str(kind)


def _languages(args: argparse.Namespace) -> str:
    return str(getattr(args, "lang", None) or "auto").strip()


def _plan_inputs(
    args: argparse.Namespace,
) -> tuple[Plan, list[tuple[Msg, ...]], list[Msg]]:
    """Readable inputs with their pages; why each unreadable input cannot be read; notes.

    Checked BEFORE any request; a folder stands for the images and PDFs in it.
    """
    plan: Plan = []
    problems: list[tuple[Msg, ...]] = []
    notes: list[Msg] = []
    for raw in args.inputs:
        path = Path(raw)
        if path.is_dir():
            try:
                files, skipped = _folder_files(path)
            except OSError as exc:
                detail = str(exc.strerror or exc)
                problems.append((Msg.of(Code.CLI_FOLDER_UNREADABLE, path=raw, detail=detail),))
                continue
            if skipped:
                notes.append(Msg.of(Code.CLI_SKIPPED, path=raw, count=skipped))
            if not files:
                problems.append((Msg.of(Code.CLI_FOLDER_EMPTY, path=raw),))
        elif not path.exists():
            problems.append((Msg.of(Code.CLI_NO_SUCH_FILE, path=raw),))
            continue
        else:
            files = [path]
        for file in files:
            try:
                count = count_pages(file)
            except DotsError as exc:
                problems.append(exc.facts)
                continue
            pages: list[int] | None = None
            if args.pages:
                try:
                    pages = parse_page_ranges(args.pages, count)
                except PageRangeError as exc:
                    raise UsageError(
                        Msg.of(Code.USAGE_IN_FILE, file=str(file), error=exc.facts)
                    ) from exc
            plan.append((str(file), pages, len(pages) if pages is not None else count))
    return plan, problems, notes


def _folder_files(folder: Path) -> tuple[list[Path], int]:
    """The images and PDFs directly in ``folder`` (by content, sorted), and how many others."""
    files: list[Path] = []
    skipped = 0
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue  # hidden: thumbnails, .DS_Store, our own temp files
        # A file named like a page but unreadable is kept, so it is reported by name
        # ("scan.png: the file is empty.") instead of vanishing into the skipped count.
        if page_file_kind(child) is None and child.suffix.lower() not in PAGE_SUFFIXES:
            skipped += 1
        else:
            files.append(child)
    return files, skipped


async def _main(args: argparse.Namespace) -> int:
    kind = _check_args(args)
    plan, problems, notes = await asyncio.to_thread(_plan_inputs, args)
    for note in notes:
        say_facts(note)
    for problem in problems:
        say_facts(*problem)
    if not plan:
        if len(problems) > 1:
            say_facts(Msg.of(Code.CLI_NONE_READ, count=len(problems)))
        return EXIT_ERROR
    languages = _languages(args)
    if kind == "server" and languages != "auto":
        say_facts(Msg.of(Code.CLI_LANG_IGNORED, languages=languages))
    options = {"max_tokens": args.max_tokens}
    if args.concurrency:
        options["concurrency"] = args.concurrency
    engine = create_engine(
        kind,
        args.endpoint,
        args.api_key,
        args.model,
        languages=languages,
        **({k: v for k, v in options.items() if v is not None} if kind == "server" else {}),
    )
    try:
        await engine.ensure_ready()
        return await _ocr_all(engine, plan, args, len(problems))
    finally:
        await engine.aclose()


async def _ocr_all(engine: Engine, plan: Plan, args: argparse.Namespace, unread: int = 0) -> int:
    """Read every planned input; ``unread`` inputs already failed (exit 3 when some did)."""
    pipeline = BatchPipeline(
        engine, concurrency=args.concurrency, mode=RecognizeMode(args.mode), dpi=args.dpi
    )
    documents: list[Document] = []
    multi = len(plan) > 1
    for source, pages, _count in plan:
        prefix = f"{Path(source).name}: " if multi else ""
        async for event in pipeline.run([source], pages=pages):
            if isinstance(event, SourceFailed):
                say_facts(*event.facts)  # this input is lost; the others go on
                unread += 1
                continue
            if isinstance(event, PageFinished):
                if isinstance(event.error, FATAL):
                    await pipeline.cancel()
                    raise event.error
                page = event.page
                where = {"prefix": prefix, "done": event.done, "total": event.total}
                where["status"] = status_fact(page.status)
                why = page.facts or page.reason  # why it is partial, or how an OK page was read
                if why:
                    say_facts(Msg(Code.CLI_PAGE_LINE_WHY, {**where, "why": why}))
                else:
                    say_facts(Msg(Code.CLI_PAGE_LINE, where))
            elif isinstance(event, DocumentFinished):
                documents.append(event.document)
    if not documents:
        return EXIT_ERROR  # each input already said why it could not be read
    _write_results(documents, args)
    ok = all(p.status in (PageStatus.OK, PageStatus.RECOVERED) for d in documents for p in d.pages)
    return EXIT_OK if ok and not unread else EXIT_PARTIAL


def _tables(doc: Document) -> list[tuple[str, int, int, TableGrid]]:
    found = []
    for page in doc.pages:
        n = 0
        for block in page.blocks:
            if block.is_table and block.text:
                n += 1
                found.append(
                    (f"p{page.index + 1} t{n}", page.index + 1, n, parse_table_html(block.text))
                )
    return found


def _render(doc: Document, fmt: str, header_footer: bool) -> str:
    if fmt == "md":
        return document_to_markdown(doc, header_footer=header_footer)
    if fmt == "txt":
        return document_to_text(doc, header_footer=header_footer)
    if fmt == "html":
        return document_to_html(doc, header_footer=header_footer)
    if fmt == "csv":
        return "\n".join(grid.to_csv() for *_, grid in _tables(doc))
    return document_to_json(doc)


def _write_results(documents: list[Document], args: argparse.Namespace) -> None:
    header_footer = not args.no_header_footer
    if not args.out:
        if args.fmt == "json" and len(documents) > 1:
            _stdout(json_text([json.loads(document_to_json(d)) for d in documents]))
        else:
            for doc in documents:
                _stdout(_render(doc, args.fmt, header_footer))
        sys.stdout.flush()
        return
    out = Path(args.out)
    with _writing(out):
        out.mkdir(parents=True, exist_ok=True)
    for doc in documents:
        stem = Path(doc.source).stem
        if args.fmt == "xlsx":
            target = _out_path(out, stem, ".xlsx")
            with _writing(target):
                count = write_document_xlsx(doc, target)
            say_facts(Msg.of(Code.CLI_WROTE_WORKBOOK, target=str(target), count=count))
        elif args.fmt == "csv":
            tables = _tables(doc)
            for _name, page_no, n, grid in tables:
                target = _out_path(out, stem, f"_p{page_no}_t{n}.csv")
                with _writing(target):
                    write_csv(grid, target)
            say_facts(Msg.of(Code.CLI_WROTE_CSVS, count=len(tables), folder=str(out)))
        else:
            target = _out_path(out, stem, f".{TEXT_FORMATS[args.fmt]}")
            with _writing(target):
                atomic_write_text(target, _render(doc, args.fmt, header_footer))
            say_facts(Msg.of(Code.CLI_WROTE, target=str(target)))


def _out_path(out: Path, stem: str, suffix: str) -> Path:
    """``out/stem+suffix``, the stem shortened so the name fits the file-system limit."""
    while stem and len(os.fsencode(stem + suffix)) > NAME_MAX:
        stem = stem[:-1]
    return out / f"{stem}{suffix}"


@contextlib.contextmanager
def _writing(target: Path) -> Iterator[None]:
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


def _stdout(text: str) -> None:
    """Results on stdout; text the terminal cannot encode (a non-UTF-8 name) never fails."""
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
