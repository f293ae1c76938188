"""``dots-desktop ocr``: OCR files headless; progress on stderr, results on stdout or in --out.

Exit codes: 0 all pages ok; 3 some pages partial/failed; 1 error (one line on stderr); 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from desktop.core.document import Document, PageStatus
from desktop.core.errors import DotsError, InputError, PageRangeError
from desktop.core.exports import (
    atomic_write_text,
    document_to_html,
    document_to_json,
    document_to_markdown,
    document_to_text,
    write_csv,
    write_xlsx,
)
from desktop.core.images import count_pages, parse_page_ranges
from desktop.core.tables import TableGrid, parse_table_html
from desktop.engines.base import Engine, RecognizeMode
from desktop.engines.errors import (
    AuthFailed,
    ContextTooLong,
    ModelNotServed,
    ServerUnavailable,
)
from desktop.engines.factory import create_engine, default_engine_kind
from desktop.engines.pipeline import BatchPipeline, DocumentFinished, PageFinished, SourceFailed

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
#: Failures that would hit every page the same way: stop at once with exit code 1.
FATAL = (AuthFailed, ContextTooLong, ModelNotServed, ServerUnavailable)
TEXT_FORMATS = {"md": "md", "json": "json", "txt": "txt", "html": "html"}


class UsageError(Exception):
    """Bad flags: exit code 2."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_ocr(args: argparse.Namespace) -> int:
    """Entry from desktop.cli; never raises (except KeyboardInterrupt, which cli handles)."""
    try:
        return asyncio.run(_main(args))
    except UsageError as exc:
        _say(f"dots-desktop ocr: {exc}")
        return EXIT_USAGE
    except DotsError as exc:
        _say(str(exc))
        return EXIT_ERROR
    except Exception as exc:  # a bug must still end in one line, not a traceback
        logger.debug("unexpected failure", exc_info=True)
        _say(f"Unexpected error: {type(exc).__name__}: {exc}")
        return EXIT_ERROR


def _check_args(args: argparse.Namespace) -> str:
    if args.concurrency is not None and args.concurrency < 1:
        raise UsageError("--concurrency must be 1 or more.")
    if args.dpi is not None and not 36 <= args.dpi <= 1200:
        raise UsageError("--dpi must be between 36 and 1200.")
    if args.max_tokens is not None and args.max_tokens < 1:
        raise UsageError("--max-tokens must be 1 or more.")
    if args.fmt == "xlsx" and not args.out:
        raise UsageError("--format xlsx writes a workbook: add --out DIR.")
    kind = args.engine or default_engine_kind(args.endpoint)
    if kind == "server" and not args.endpoint:
        raise UsageError("--engine server needs --endpoint URL (or DOTS_DESKTOP_ENDPOINT).")
    return str(kind)


def _plan_inputs(args: argparse.Namespace) -> list[tuple[str, list[int] | None, int]]:
    """Every input with its pages, checked BEFORE any request so a bad file fails fast."""
    plan: list[tuple[str, list[int] | None, int]] = []
    for raw in args.inputs:
        path = Path(raw)
        if not path.is_file():
            raise InputError(f"{raw}: no such file.", fix="Check the path.")
        count = count_pages(path)
        pages: list[int] | None = None
        if args.pages:
            try:
                pages = parse_page_ranges(args.pages, count)
            except PageRangeError as exc:
                raise UsageError(f"{raw}: {exc}") from exc
        plan.append((str(path), pages, len(pages) if pages is not None else count))
    return plan


async def _main(args: argparse.Namespace) -> int:
    kind = _check_args(args)
    plan = await asyncio.to_thread(_plan_inputs, args)
    options = {"max_tokens": args.max_tokens}
    if args.concurrency:
        options["concurrency"] = args.concurrency
    engine = create_engine(
        kind,
        args.endpoint,
        args.api_key,
        args.model,
        **({k: v for k, v in options.items() if v is not None} if kind == "server" else {}),
    )
    try:
        await engine.ensure_ready()
        return await _ocr_all(engine, plan, args)
    finally:
        await engine.aclose()


async def _ocr_all(
    engine: Engine, plan: list[tuple[str, list[int] | None, int]], args: argparse.Namespace
) -> int:
    pipeline = BatchPipeline(
        engine, concurrency=args.concurrency, mode=RecognizeMode(args.mode), dpi=args.dpi
    )
    documents: list[Document] = []
    multi = len(plan) > 1
    for source, pages, _count in plan:
        prefix = f"{Path(source).name}: " if multi else ""
        async for event in pipeline.run([source], pages=pages):
            if isinstance(event, SourceFailed):
                raise InputError(event.error)
            if isinstance(event, PageFinished):
                if isinstance(event.error, FATAL):
                    await pipeline.cancel()
                    raise event.error
                page = event.page
                line = f"{prefix}page {event.done}/{event.total} {page.status}"
                if page.status not in (PageStatus.OK,) and page.reason:
                    line += f" ({page.reason})"
                _say(line)
            elif isinstance(event, DocumentFinished):
                documents.append(event.document)
    _write_results(documents, args)
    ok = all(p.status in (PageStatus.OK, PageStatus.RECOVERED) for d in documents for p in d.pages)
    return EXIT_OK if ok else EXIT_PARTIAL


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
            payload = [json.loads(document_to_json(d)) for d in documents]
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        else:
            for doc in documents:
                sys.stdout.write(_render(doc, args.fmt, header_footer))
        sys.stdout.flush()
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for doc in documents:
        stem = Path(doc.source).stem
        if args.fmt == "xlsx":
            grids = [(name, grid) for name, _p, _n, grid in _tables(doc)]
            write_xlsx(grids, out / f"{stem}.xlsx")
            _say(f"wrote {out / f'{stem}.xlsx'} ({len(grids)} tables)")
        elif args.fmt == "csv":
            tables = _tables(doc)
            for _name, page_no, n, grid in tables:
                write_csv(grid, out / f"{stem}_p{page_no}_t{n}.csv")
            _say(f"wrote {len(tables)} CSV files to {out}")
        else:
            target = out / f"{stem}.{TEXT_FORMATS[args.fmt]}"
            atomic_write_text(target, _render(doc, args.fmt, header_footer))
            _say(f"wrote {target}")
