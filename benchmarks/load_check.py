"""Load check: many pages through the batch pipeline while the server misbehaves on purpose.

Run: ``uv run python benchmarks/load_check.py [--pages 200] [--seed 1]`` (about 30-60 s).

Phase "chaos" (in-process simulator): every few hundred milliseconds a random fault is
switched on for a short window: HTTP 500 / 503 storms, a slow first token (beyond the
client's first-token limit), truncated JSON, invalid JSON, a repetition loop.
Phase "crash" (the simulator as a separate process): the engine crashes after a few
requests and is restarted on the same port while the batch runs.
Then the failed pages are resumed once with the faults off, as a user would.

The report counts pages ok / recovered / partial / failed (with reasons), HTTP retries,
and LOST pages: a page is lost when no result for it was ever delivered. Lost must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from benchmarks._util import print_table  # noqa: E402
from desktop.core.document import Page, PageStatus  # noqa: E402
from desktop.engines.batch.batchstore import BatchStore  # noqa: E402
from desktop.engines.batch.pipeline import BatchPipeline, PageFinished  # noqa: E402
from desktop.engines.errors import RetryPolicy  # noqa: E402
from desktop.engines.remote.server import ServerEngine, Timeouts  # noqa: E402

PAGES_PER_FILE = 10
#: Faults the chaos phase switches between (weights); "" is a quiet spell.
CHAOS = {
    "": 6,
    "http-500": 1,
    "http-503": 1,
    "slow-first-token": 1,
    "truncated-json": 1,
    "invalid-json": 1,
    "loop": 1,
}
FIRST_TOKEN_LIMIT = 1.0  # the client gives up on a silent server after this long...
SLOW_FIRST_TOKEN = 1.5  # ...and the slow-first-token fault waits this long


@dataclass
class PhaseReport:
    name: str
    pages: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    delivered: set[tuple[str, int]] = field(default_factory=set)
    duplicates: int = 0
    seconds: float = 0.0

    @property
    def lost(self) -> int:
        return self.pages - len(self.delivered)


@dataclass
class LoadReport:
    phases: list[PhaseReport]
    after_resume: PhaseReport

    @property
    def lost(self) -> int:
        return sum(p.lost for p in self.phases) + self.after_resume.lost


class _RetryCounter(logging.Handler):
    """Counts the engine's "retry N in X s" log records (one per HTTP retry)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "retry" in record.getMessage():
            self.count += 1


def make_pages(folder: Path, pages: int, tag: str) -> list[Path]:
    """``pages`` pages as 10-page TIFFs (small, so the check measures faults, not pixels)."""
    files = []
    for n in range(0, pages, PAGES_PER_FILE):
        count = min(PAGES_PER_FILE, pages - n)
        frames = [
            Image.new("RGB", (400, 560), (255, 250 - (n + i) % 200, 245 - i)) for i in range(count)
        ]
        path = folder / f"{tag}-{n // PAGES_PER_FILE:03d}.tiff"
        frames[0].save(path, save_all=True, append_images=frames[1:])
        files.append(path)
    return files


def _reason_key(page: Page) -> str:
    text = page.reason or "(no reason given)"
    for marker in (" (HTTP", " within", "; ", " ("):
        if marker in text:
            text = text.split(marker, 1)[0]
    return text.strip()[:70]


async def _run_batch(
    engine: ServerEngine,
    store: BatchStore,
    files: list[Path],
    report: PhaseReport,
    *,
    concurrency: int,
    batch_id: str | None = None,
) -> str:
    retries = _RetryCounter()
    server_log = logging.getLogger("desktop.engines")
    level = server_log.level
    server_log.setLevel(logging.INFO)  # the retry records are INFO
    server_log.addHandler(retries)
    loop = asyncio.get_running_loop()
    start = loop.time()
    pipeline = BatchPipeline(engine, store=store, concurrency=concurrency)
    events = pipeline.resume(batch_id) if batch_id else pipeline.run(files)
    try:
        async for event in events:
            if not isinstance(event, PageFinished) or event.cached:
                continue
            key = (event.source, event.page.index)
            if key in report.delivered:
                report.duplicates += 1
            report.delivered.add(key)
            report.statuses[str(event.page.status)] += 1
            if event.page.status is PageStatus.FAILED:
                report.reasons[_reason_key(event.page)] += 1
    finally:
        server_log.removeHandler(retries)
        server_log.setLevel(level)
    report.retries += retries.count
    report.seconds += loop.time() - start
    assert pipeline.batch_id is not None
    return pipeline.batch_id


async def _chaos(sim: Any, rng: random.Random, stop: asyncio.Event) -> Counter[str]:
    """Switch random faults on for short windows until ``stop`` is set."""
    names, weights = list(CHAOS), list(CHAOS.values())
    used: Counter[str] = Counter()
    while not stop.is_set():
        fault = rng.choices(names, weights)[0]
        used[fault or "quiet"] += 1
        await asyncio.to_thread(sim.set_faults, [fault] if fault else [])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rng.uniform(0.2, 0.6))
    await asyncio.to_thread(sim.set_faults, [])
    return used


def _engine(base_url: str, first_token: float = FIRST_TOKEN_LIMIT) -> ServerEngine:
    return ServerEngine(
        base_url,
        timeouts=Timeouts(connect=2.0, first_token=first_token, idle=5.0, request=5.0),
        retry=RetryPolicy(attempts=30, base_delay=0.1, max_delay=1.0, total=60.0),
    )


async def run_load_check(
    pages: int = 200, *, seed: int = 1, concurrency: int = 8, crash: bool = True
) -> LoadReport:
    """Run both phases and one resume of the failed pages; returns the report."""
    from tests.vllm_sim.fixtures import SimProcess
    from tests.vllm_sim.inprocess import start_sim

    rng = random.Random(seed)
    crash_pages = (pages // 4 // PAGES_PER_FILE) * PAGES_PER_FILE if crash else 0
    chaos_pages = pages - crash_pages
    with tempfile.TemporaryDirectory(prefix="dots-load-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        store = BatchStore(folder / "batches.sqlite3")
        stack.callback(store.close)
        sim = start_sim([], decode_tps=20_000.0, first_token_delay=SLOW_FIRST_TOKEN, fail_count=0)
        stack.callback(sim.stop)
        proc: SimProcess | None = None
        if crash_pages:
            proc = SimProcess(
                ["--sim-fault", "crash-after", "--sim-crash-after", str(max(2, crash_pages // 2)),
                 "--sim-decode-tps", "20000", "--max-num-seqs", str(concurrency)]
            )  # fmt: skip
            stack.callback(proc.stop)
            proc.wait_ready()
        phases, after = await _phases(
            store, sim, proc, folder,
            rng=rng, counts=(chaos_pages, crash_pages), concurrency=concurrency,
        )  # fmt: skip
    return LoadReport(phases, after)


async def _phases(
    store: BatchStore,
    sim: Any,
    proc: Any,
    folder: Path,
    *,
    rng: random.Random,
    counts: tuple[int, int],
    concurrency: int,
) -> tuple[list[PhaseReport], PhaseReport]:
    chaos_pages, crash_pages = counts
    phases: list[PhaseReport] = []
    batches: list[tuple[str, ServerEngine]] = []
    chaos = PhaseReport("chaos", chaos_pages)
    engine = _engine(sim.base_url)
    stop = asyncio.Event()
    switcher = asyncio.create_task(_chaos(sim, rng, stop))
    try:
        bid = await _run_batch(
            engine, store, make_pages(folder, chaos_pages, "chaos"), chaos,
            concurrency=concurrency,
        )  # fmt: skip
    finally:
        stop.set()
        used = await switcher
    print("chaos windows:", dict(sorted(used.items())))
    phases.append(chaos)
    batches.append((bid, engine))

    if proc is not None:
        crashed = PhaseReport("crash+restart", crash_pages)
        cengine = _engine(proc.base_url)

        async def restart_when_dead() -> None:
            while proc.returncode is None:
                await asyncio.sleep(0.05)
            proc.args = [a for a in proc.args if a not in ("crash-after", "--sim-fault")]
            await asyncio.to_thread(proc.restart)

        restarter = asyncio.create_task(restart_when_dead())
        try:
            bid = await _run_batch(
                cengine, store, make_pages(folder, crash_pages, "crash"), crashed,
                concurrency=concurrency,
            )  # fmt: skip
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(restarter), 10)
        finally:
            restarted = restarter.done() and not restarter.cancelled()
            restarter.cancel()
        print(f"crash phase: simulator process crashed and restarted: {restarted}")
        phases.append(crashed)
        batches.append((bid, cengine))

    # The user presses "retry failed pages": the same batches, faults off.
    after = PhaseReport("resume failed", sum(p.statuses["failed"] for p in phases))
    for bid, eng in batches:
        # A fresh client with the default first-token patience, as after a restart.
        again = _engine(str(eng.base_url), first_token=60.0)
        try:
            await _run_batch(again, store, [], after, concurrency=concurrency, batch_id=bid)
        finally:
            await again.aclose()
            await eng.aclose()
    return phases, after


def print_report(report: LoadReport) -> None:
    rows = []
    for p in [*report.phases, report.after_resume]:
        s = p.statuses
        rows.append(
            [p.name, p.pages, s["ok"], s["recovered"], s["partial"], s["failed"],
             p.retries, p.duplicates, p.lost, round(p.seconds, 1)]
        )  # fmt: skip
    print_table(
        "Load check: pages through the pipeline with faults injected",
        rows,
        ["phase", "pages", "ok", "recovered", "partial", "failed", "http retries",
         "duplicates", "lost", "seconds"],
    )  # fmt: skip
    reasons: Counter[str] = Counter()
    for p in [*report.phases, report.after_resume]:
        reasons.update({f"{p.name}: {r}": n for r, n in p.reasons.items()})
    if reasons:
        print_table(
            "Failed pages by phase and reason",
            [[r, n] for r, n in reasons.most_common()],
            ["reason", "pages"],
        )
    print(f"LOST PAGES: {report.lost} (must be 0)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-crash", action="store_true", help="skip the process-crash phase")
    args = parser.parse_args()
    report = asyncio.run(
        run_load_check(
            args.pages, seed=args.seed, concurrency=args.concurrency, crash=not args.no_crash
        )
    )
    print_report(report)
    return 0 if report.lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
