"""``dots-desktop extract``: fill a JSON Schema's fields from each input, one row per input.

Exit codes: 0 every input extracted; 3 finished, but some inputs failed (an answer that is
not JSON or breaks the schema, a file that cannot be decoded: one line each on stderr,
naming the field at fault by its JSON pointer); 1 error (the server gone, a model that
cannot chat); 2 usage (a schema that is not JSON or not a schema: one sentence).

Output: ``--format json`` writes ``<name>.json`` per input into ``--out`` (stdout without
it: one object, or a list of ``{"file", "fields"}`` for several inputs); ``csv``/``xlsx``
write one table, ``extracted.csv``/``extracted.xlsx``: a ``file`` column, then the
schema's properties (nested ones joined with dots, arrays of values joined with "; "), one
row per input that was extracted. Names never collide within a run, and an existing file
is never replaced (``extracted-2.csv``). The page's OCR text is not sent from the command
line (it reads images only); the window sends it when the document was read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop.commands.ocrout import fit_name, write_stdout, writing
from desktop.commands.words import cli_words, say_facts
from desktop.core.errors import DotsError
from desktop.core.exports import atomic_write_text, json_text, write_csv, write_xlsx
from desktop.core.messages import Code, Msg
from desktop.core.schemas import (
    ExtractSchema,
    SchemaInvalid,
    extraction_table,
    flatten,
    load_schema_file,
)
from desktop.core.tables import TableGrid
from desktop.engines.remote.extraction import Extraction, check_can_extract, extract_source
from desktop.engines.remote.server import ServerEngine

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def run_extract(args: argparse.Namespace) -> int:
    """Entry from desktop.cli; never raises (except KeyboardInterrupt, which cli handles)."""
    try:
        schema = _check_args(args)
    except _Usage as exc:
        print(f"dots-desktop extract: {cli_words(*exc.facts)}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    try:
        return asyncio.run(_main(args, schema))
    except DotsError as exc:
        say_facts(*exc.facts)
        return EXIT_ERROR
    except Exception as exc:  # a bug must still end in one line, not a traceback
        logger.debug("unexpected failure", exc_info=True)
        say_facts(Msg.of(Code.CLI_UNEXPECTED, kind=type(exc).__name__, detail=str(exc)))
        return EXIT_ERROR


class _Usage(Exception):
    def __init__(self, *facts: Msg) -> None:
        super().__init__(" ".join(str(f) for f in facts))
        self.facts = facts


def _check_args(args: argparse.Namespace) -> ExtractSchema:
    if not args.endpoint:
        raise _Usage(Msg(Code.USAGE_SERVER_ENDPOINT))
    if args.fmt == "xlsx" and not args.out:
        raise _Usage(Msg(Code.USAGE_XLSX_OUT))
    if args.dpi is not None and not 36 <= args.dpi <= 1200:
        raise _Usage(Msg(Code.USAGE_DPI))
    try:
        return load_schema_file(args.schema)
    except SchemaInvalid as exc:
        raise _Usage(*exc.facts) from None


async def _main(args: argparse.Namespace, schema: ExtractSchema) -> int:
    engine = ServerEngine(args.endpoint, args.api_key, args.model)
    try:
        await engine.ensure_ready()
        check_can_extract(engine)
        results: list[Extraction] = []
        multi = len(args.inputs) > 1
        for source in args.inputs:
            name = Path(source).name

            def progress(done: int, total: int, name: str = name) -> None:
                if total > 1:
                    say_facts(Msg.of(Code.CLI_EXTRACT_PAGE, source=name, done=done, total=total))

            result = await extract_source(
                engine, source, schema, prompt=args.prompt, dpi=args.dpi, on_page=progress
            )
            if result.error is not None:
                say_facts(Msg.of(Code.CLI_EXTRACT_FAILED, source=name, why=result.error.facts))
            results.append(result)
    finally:
        await engine.aclose()
    done = [r for r in results if r.ok]
    if multi:
        say_facts(Msg.of(Code.CLI_EXTRACT_ROWS, ok=len(done), total=len(results)))
    if done:
        await asyncio.to_thread(_write, done, schema, args.fmt, args.out)
    if not done:
        return EXIT_PARTIAL if results else EXIT_ERROR
    return EXIT_OK if len(done) == len(results) else EXIT_PARTIAL


def extraction_grid(results: Sequence[Extraction], schema: ExtractSchema) -> TableGrid:
    """The table: ``file``, then the schema's columns; a row per extracted input."""
    rows = [{"file": Path(r.source).name, **flatten(schema, r.values)} for r in results]
    return extraction_table(["file", *schema.columns], rows)


def free_path(folder: Path, stem: str, suffix: str, taken: set[str]) -> Path:
    """``folder/stem+suffix``, else ``stem-2`` ...: never a name used in this run or on disk."""
    n = 1
    while True:
        name = fit_name(stem if n == 1 else f"{stem}-{n}", suffix)
        if name.casefold() not in taken and not (folder / name).exists():
            taken.add(name.casefold())
            return folder / name
        n += 1


def _write(results: list[Extraction], schema: ExtractSchema, fmt: str, out: str | None) -> None:
    if fmt == "json":
        _write_json(results, out)
        return
    grid = extraction_grid(results, schema)
    if out is None:  # csv on stdout
        write_stdout(grid.to_csv())
        sys.stdout.flush()
        return
    folder = Path(out)
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
    target = free_path(folder, "extracted", f".{fmt}", set())
    with writing(target):
        if fmt == "csv":
            write_csv(grid, target)
        else:
            write_xlsx([("Extracted", grid)], target)
    say_facts(Msg.of(Code.CLI_WROTE, target=str(target)))


def _write_json(results: list[Extraction], out: str | None) -> None:
    if out is None:
        if len(results) == 1:
            write_stdout(json_text(dict(results[0].values)))
        else:
            rows = [{"file": r.source, "fields": r.values} for r in results]
            write_stdout(json_text(rows))
        sys.stdout.flush()
        return
    folder = Path(out)
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for result in results:
        target = free_path(folder, Path(result.source).stem, ".json", taken)
        with writing(target):
            atomic_write_text(target, json.dumps(result.values, ensure_ascii=False, indent=2))
        say_facts(Msg.of(Code.CLI_WROTE, target=str(target)))
