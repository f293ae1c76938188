"""``dots-desktop ocr``: OCR files headless; progress on stderr, results on stdout or in --out.

Exit codes: 0 all pages ok; 3 finished, but some inputs or pages failed or are partial;
1 error, or no input could be read (one line on stderr each); 2 usage.
A bad input (missing, broken) is reported in one line and the batch goes on without it.
A page the server refuses fails alone; when the server goes away (or refuses the key)
reading stops, and what was finished is still written, the rest as failed pages (exit 3).
Where and under which names results are written: ``ocrout``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from contextlib import aclosing
from pathlib import Path

from desktop.commands.docout import DOCUMENT_FORMATS
from desktop.commands.ocrout import OutputOptions, write_results
from desktop.commands.words import cli_words, say_facts, status_fact
from desktop.core.document import Document, Page, PageStatus
from desktop.core.errors import DotsError, PageRangeError
from desktop.core.formats import PAGE_SUFFIXES
from desktop.core.images import count_pages, page_file_kind, parse_page_ranges
from desktop.core.messages import Code, Msg
from desktop.engines.base import Engine, RecognizeMode
from desktop.engines.batch.batchrun import failed_page
from desktop.engines.batch.pipeline import (
    BatchPipeline,
    DocumentFinished,
    PageFinished,
    SourceFailed,
)
from desktop.engines.errors import AuthFailed, ContextTooLong, ModelNotServed, ServerUnavailable
from desktop.engines.factory import create_engine, default_engine_kind

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
#: Failures that would hit every page the same way: reading stops, finished pages are
#: written, the pages not read are written as failed (exit code 3).
FATAL = (AuthFailed, ModelNotServed, ServerUnavailable)
#: ``--lang``: ``auto`` or Tesseract codes joined by ``+`` (``rus``, ``rus+eng``, ``chi_sim``).
LANG_SPEC = re.compile(r"^[A-Za-z][A-Za-z_]*(\+[A-Za-z][A-Za-z_]*)*$")

#: (input, 0-based pages to read or None for all, pages in the file).
Plan = list[tuple[str, list[int] | None, int]]


class UsageError(Exception):
    """Bad flags: exit code 2. ``msg`` says which and how (``str()`` is the English)."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(str(msg))
        self.msg = msg


def run_ocr(args: argparse.Namespace) -> int:
    """Entry from desktop.cli; never raises (except KeyboardInterrupt, which cli handles)."""
    try:
        return asyncio.run(_main(args))
    except UsageError as exc:
        print(f"dots-desktop ocr: {cli_words(exc.msg)}", file=sys.stderr, flush=True)
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
    if args.fmt in DOCUMENT_FORMATS and not args.out:
        raise UsageError(Msg.of(Code.USAGE_DOCUMENT_OUT, fmt=args.fmt))
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
            plan.append((str(file), pages, count))
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
    """Read every planned input; ``unread`` inputs already failed (exit 3 when some did).

    An error that would hit every page the same way (the server gone, the key refused)
    stops the reading; every page finished before it is still written, and every page not
    read is written as failed with that reason.
    """
    pipeline = BatchPipeline(
        engine, concurrency=args.concurrency, mode=RecognizeMode(args.mode), dpi=args.dpi
    )
    documents: list[Document] = []
    multi = len(plan) > 1
    fatal: DotsError | None = None
    for source, pages, count in plan:
        wanted = list(pages) if pages is not None else list(range(count))
        if fatal is not None:  # not read: each page says why
            documents.append(_unread(source, wanted, fatal))
            continue
        prefix = f"{Path(source).name}: " if multi else ""
        finished: dict[int, Page] = {}
        async with aclosing(pipeline.run([source], pages=pages)) as events:
            async for event in events:
                if isinstance(event, SourceFailed):
                    say_facts(*event.facts)  # this input is lost; the others go on
                    unread += 1
                elif isinstance(event, PageFinished):
                    if _is_fatal(event.error):
                        fatal = event.error
                        break
                    finished[event.page.index] = event.page
                    _say_page(event.page, prefix, count)
                elif isinstance(event, DocumentFinished):
                    documents.append(event.document)
                    finished.clear()
        if fatal is not None:
            say_facts(*fatal.facts)
            documents.append(_unread(source, wanted, fatal, finished))
    if not documents:
        return EXIT_ERROR  # each input already said why it could not be read
    if fatal is not None and all(p.status is PageStatus.FAILED for d in documents for p in d.pages):
        return EXIT_ERROR  # nothing was read: the one line said why, nothing to write
    options = OutputOptions(
        args.fmt, Path(args.out) if args.out else None, not args.no_header_footer, args.dpi
    )
    await asyncio.to_thread(write_results, documents, options)
    ok = all(p.status in (PageStatus.OK, PageStatus.RECOVERED) for d in documents for p in d.pages)
    return EXIT_OK if ok and not unread and fatal is None else EXIT_PARTIAL


def _is_fatal(error: DotsError | None) -> bool:
    """An error every page would meet: the server gone, the key refused, a context too small
    for any page (a 400 for one page too long is that page's alone)."""
    if isinstance(error, ContextTooLong):
        return error.msg.code is Code.CONTEXT_TOO_SMALL
    return isinstance(error, FATAL)


def _say_page(page: Page, prefix: str, count: int) -> None:
    """``page 3/12 ok``: the page's number in its file, never a count of finished pages."""
    where = {"prefix": prefix, "done": page.index + 1, "total": count}
    where["status"] = status_fact(page.status)
    why = page.facts or page.reason  # why it is partial, or how an OK page was read
    if why:
        say_facts(Msg(Code.CLI_PAGE_LINE_WHY, {**where, "why": why}))
    else:
        say_facts(Msg(Code.CLI_PAGE_LINE, where))


def _unread(
    source: str, wanted: list[int], error: DotsError, finished: dict[int, Page] | None = None
) -> Document:
    """The input's document after a stop: pages finished, the others failed with ``error``."""
    done = finished or {}
    facts = (Msg.of(Code.CLI_PAGE_NOT_READ, why=error.facts),)
    return Document(source, tuple(done.get(i) or failed_page(i, facts) for i in wanted))
