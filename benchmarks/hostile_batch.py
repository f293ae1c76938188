"""A long mixed batch through the real ``ocr`` command under the hostile server's seeded
random faults (issue 15's acceptance): nothing lost, nothing overwritten, each page once.

Inputs: PNG, JPEG, WebP, 2-page TIFFs, animated GIFs (every frame a page), 1-, 3- and
10-page PDFs, and damaged ones (a PDF whose page 2 is missing, a GIF with a damaged frame,
empty files, PDFs without pages), spread over three folders under a few shared names so
output names collide. Every chat request is answered by a fault drawn from
``tests/reliability/mix.py`` (dying excepted: a dead server ends a batch by design). Retries
are short (as in the tests), so the run measures the reader, not backoff sleeps.

    uv run python benchmarks/hostile_batch.py --pages 500 --seed 15

Prints the counts: pages in, ok, recovered, partial, failed, lost, overwritten, duplicates,
requests and seconds. Exit status 0 when lost, overwritten and duplicates are all 0.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._util import print_table  # noqa: E402
from desktop.cli import run  # noqa: E402
from desktop.engines import factory  # noqa: E402
from desktop.engines.errors import RetryPolicy  # noqa: E402
from desktop.engines.remote.endpoint import Timeouts  # noqa: E402
from desktop.engines.remote.server import ServerEngine  # noqa: E402
from tests.reliability.conftest import blank_pdf  # noqa: E402
from tests.reliability.hostile import HostileServer  # noqa: E402
from tests.reliability.mix import FAULTS, KINDS, SUFFIX, fault_reply, write_input  # noqa: E402

#: Kinds drawn for the batch, with weights (pdf10 is written here: 10 blank pages).
WEIGHTS = {kind: 2 for kind in KINDS} | {"pdf10": 3, "empty": 1, "pdf0": 1}
STEMS = ("scan", "p1", "report", "page")
FOLDERS = ("a", "b", "c")


@dataclass
class BatchReport:
    inputs: int = 0
    unreadable_inputs: int = 0
    pages_in: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    overwritten: int = 0  # readable inputs without an output of their own
    duplicates: int = 0  # pages found more than once
    renamed: int = 0  # outputs given a distinct name because another input had the same one
    requests: int = 0
    seconds: float = 0.0
    exit_code: int = 0
    tracebacks: int = 0
    faults: Counter[str] = field(default_factory=Counter)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.overwritten or self.duplicates or self.tracebacks)


def _write_inputs(root: Path, pages: int, rng: random.Random) -> dict[str, int]:
    """Inputs until the readable ones hold ``pages`` pages (the last PDF is cut to fit)."""
    files: dict[str, int] = {}
    total = 0
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    n = 0
    while total < pages:
        kind = rng.choices(kinds, weights)[0]
        if kind != "pdf10" and KINDS[kind] > pages - total:
            kind = "pdf10"  # the last input is cut to fit
        folder = root / rng.choice(FOLDERS)
        stem = f"{rng.choice(STEMS)}{n // 40 or ''}"  # a few names, shared across folders
        n += 1
        suffix = "gif" if kind == "damaged-gif" else SUFFIX.get(kind, "pdf")
        if str(folder / f"{stem}.{suffix}") in files:
            continue  # that file is in the batch already (p1.png beside p1.pdf is fine)
        if kind == "pdf10":
            count = min(10, pages - total)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{stem}.pdf"
            path.write_bytes(blank_pdf(count, (200, 150)))
        else:
            path, count = write_input(folder, stem, kind)
        files[str(path)] = count
        total += count
    return files


def run_hostile_batch(pages: int = 500, seed: int = 15, concurrency: int = 8) -> BatchReport:
    """Write the mixed inputs, read them with ``ocr --format json --out``, count the pages."""
    rng = random.Random(seed)
    report = BatchReport()
    faults = [f for f in FAULTS if f != "die"]
    holder: list[HostileServer] = []

    def script(n: int) -> object:
        fault = rng.choice(faults)
        report.faults[fault] += 1
        return fault_reply(fault, n, holder[0], rng)

    quick = functools.partial(
        ServerEngine,
        retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, total=5),
        timeouts=Timeouts(first_token=10, idle=5),
    )
    original = factory.ServerEngine
    factory.ServerEngine = quick  # type: ignore[misc,assignment]
    server = HostileServer(script)  # type: ignore[arg-type]
    holder.append(server)
    err = io.StringIO()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            files = _write_inputs(root / "in", pages, rng)
            out = root / "out"
            args = [*files, "--endpoint", server.base_url, "--format", "json", "--out", str(out)]
            began = time.perf_counter()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                report.exit_code = run(["ocr", *args, "--concurrency", str(concurrency)])
            report.seconds = time.perf_counter() - began
            report.requests = server.chat_requests
            _count(report, files, out)
    finally:
        server.close()
        factory.ServerEngine = original  # type: ignore[misc]
    said = err.getvalue()
    report.tracebacks = said.count("Traceback") + said.count("Unexpected")
    report.renamed = said.count("another input has the same name")
    return report


def _count(report: BatchReport, files: dict[str, int], out: Path) -> None:
    readable = {f: n for f, n in files.items() if n}
    report.inputs = len(files)
    report.unreadable_inputs = len(files) - len(readable)
    report.pages_in = sum(readable.values())
    seen: Counter[tuple[str, int]] = Counter()
    sources: Counter[str] = Counter()
    for path in sorted(out.glob("*.json")) if out.exists() else []:
        doc = json.loads(path.read_text())
        sources[doc["source"]] += 1
        for page in doc["pages"]:
            seen[(doc["source"], page["index"])] += 1
            report.statuses[page["status"]] += 1
    report.overwritten = sum(1 for f in readable if sources[f] == 0)
    report.duplicates = sum(c - 1 for c in seen.values() if c > 1)
    expected = {(f, i) for f, n in readable.items() for i in range(n)}
    report.lost = len(expected - set(seen))


def print_report(report: BatchReport) -> None:
    headers = ["inputs", "unreadable", "pages in", "ok", "recovered", "partial", "failed"]
    headers += ["lost", "overwritten", "duplicates", "renamed", "requests", "seconds", "exit"]
    st = report.statuses
    row: list[object] = [
        report.inputs,
        report.unreadable_inputs,
        report.pages_in,
        st["ok"],
        st["recovered"],
    ]
    row += [st["partial"], st["failed"], report.lost, report.overwritten, report.duplicates]
    row += [report.renamed]
    row += [report.requests, round(report.seconds, 1), report.exit_code]
    print_table("Hostile mixed batch through `ocr`", [row], headers)
    print("faults drawn:", dict(sorted(report.faults.items())))
    print(f"LOST {report.lost}, OVERWRITTEN {report.overwritten}, DUPLICATES {report.duplicates}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    report = run_hostile_batch(args.pages, args.seed, args.concurrency)
    print_report(report)
    return 0 if report.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
