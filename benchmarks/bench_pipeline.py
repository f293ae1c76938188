"""Batch pipeline vs the vLLM simulator's capacity, a sequential client, memory and latency.

Run: ``uv run python benchmarks/bench_pipeline.py`` (about 1-2 minutes on 2 cores).

1. Throughput: pages/minute of BatchPipeline against a simulator process with
   --max-num-seqs 1, 8 and 32, divided by the capacity its service-time model allows
   (each request takes prompt/prefill_tps + completion/decode_tps seconds, S at a time).
   Target >= 0.95. Also against what a minimal streaming client (same request bytes,
   nothing parsed) gets from the same simulator: the capacity measured on this machine,
   where server and client share the CPUs. And the same server read one page at a time
   (the old Streamlit way).
2. Peak memory (max RSS of a fresh process) for a 50- and a 200-page PDF: flat in pages.
3. Latency from a block's closing brace leaving the server to BlockFound in the client
   (in-process simulator, one clock). Target < 50 ms.
4. Loop guard: time and tokens until a looping answer is cut, vs running to max_tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from desktop.core.images import iter_pages  # noqa: E402
from desktop.engines.base import BlockFound, PageDone  # noqa: E402
from desktop.engines.batch.pipeline import BatchPipeline, PageFinished  # noqa: E402
from desktop.engines.remote.loopguard import LoopGuardConfig  # noqa: E402
from desktop.engines.remote.server import ServerEngine  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
JOURNAL = FIXTURES / "journal_page_tables.jpg"
DECODE_TPS = 100.0  # per sequence while batching, roughly a 3B model on a desktop GPU
PREFILL_TPS = 50_000.0
MEMORY_DPI = 100  # keeps the run short; the bound is pages in flight, not their size


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def sim_process(*flags: str) -> Iterator[str]:
    """The simulator as a separate process (its own GIL), yielding its base URL."""
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "tests.vllm_sim",
        "--model",
        "rednote-hilab/dots.ocr",
        "--port",
        str(port),
        "--sim-startup-seconds",
        "0",
        *flags,
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/health", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def metrics(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url + "/metrics", timeout=5) as resp:
        text = resp.read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(r"^(vllm:[a-z_]+)(?:\{[^}]*\})? ([0-9.eE+-]+)$", line)
        if m:
            out[m.group(1)] = out.get(m.group(1), 0.0) + float(m.group(2))
    return out


def copies(tmp: Path, n: int) -> list[str]:
    """``n`` one-page inputs: the real journal page at 1008 px wide (sent untouched)."""
    from PIL import Image

    first = tmp / "page000.jpg"
    if not first.exists():
        with Image.open(JOURNAL) as img:
            width = 1008
            height = round(img.height * width / img.width / 28) * 28
            img.convert("RGB").resize((width, height)).save(first, quality=90)
    paths = [str(first)]
    for i in range(1, n):
        path = tmp / f"page{i:03d}.jpg"
        if not path.exists():
            shutil.copyfile(first, path)
        paths.append(str(path))
    return paths


async def run_pipeline(url: str, sources: list[str], concurrency: int) -> tuple[float, float]:
    """(wall seconds, client CPU seconds) for the whole batch."""
    engine = ServerEngine(url, concurrency=concurrency)
    await engine.ensure_ready()
    cpu = time.process_time()
    start = time.perf_counter()
    ok = 0
    async for event in BatchPipeline(engine, concurrency=concurrency).run(sources):
        if isinstance(event, PageFinished) and event.page.status.value == "ok":
            ok += 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    await engine.aclose()
    assert ok == len(sources), f"only {ok}/{len(sources)} pages ok"
    return elapsed, cpu


async def run_raw_client(url: str, source: str, pages: int, concurrency: int) -> float:
    """Wall seconds for a minimal client: the same request bytes, the answer read and dropped.

    Plain asyncio streams, no HTTP library: it does nothing a client could skip (no parsing,
    no rendering, no bookkeeping), so its pages/minute is what the simulator itself delivers
    on this machine at this concurrency: the measured capacity the pipeline is compared with.
    The server and both clients share the same CPUs here, unlike a real GPU server.
    """
    from urllib.parse import urlsplit

    from desktop.core.prompts import PromptMode

    engine = ServerEngine(url, concurrency=concurrency)
    await engine.ensure_ready()
    page = next(iter_pages(source))
    encoded, max_tokens, _ = await engine.prepare(page, PromptMode.LAYOUT_ALL)
    messages = engine.messages(encoded, engine.prompt(PromptMode.LAYOUT_ALL, None, encoded))
    data = engine.encode_body(engine.request_body(messages, max_tokens))
    await engine.aclose()
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        "Connection: close\r\n\r\n"  # the server ends the answer by closing
    ).encode()
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(head)
            writer.write(data)
            first = await reader.read(65536)
            assert first.startswith(b"HTTP/1.1 200"), first[:80]
            while await reader.read(65536):
                pass
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(pages)))
    return time.perf_counter() - start


def throughput(tmp: Path) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for seqs, pages, concurrency in ((1, 4, 1), (8, 32, 8), (32, 128, 32), (8, 4, 1)):
        sources = copies(tmp, pages)
        flags = (
            "--max-num-seqs",
            str(seqs),
            "--sim-decode-tps",
            str(DECODE_TPS),
            "--sim-prefill-tps",
            str(PREFILL_TPS),
        )
        with sim_process(*flags) as url:
            raw_elapsed = asyncio.run(run_raw_client(url, sources[0], pages, concurrency))
        with sim_process(*flags) as url:
            elapsed, cpu = asyncio.run(run_pipeline(url, sources, concurrency))
            m = metrics(url)
        per_page = (
            m["vllm:prompt_tokens_total"] / pages / PREFILL_TPS
            + m["vllm:generation_tokens_total"] / pages / DECODE_TPS
        )
        ideal = math.ceil(pages / seqs) * per_page
        capacity = 60 * pages / ideal
        measured = 60 * pages / elapsed
        label = (
            f"pipeline, max-num-seqs {seqs}"
            if concurrency > 1 or seqs == 1
            else (f"sequential client, max-num-seqs {seqs}")
        )
        if concurrency == 1 and seqs > 1:
            capacity = 60 * seqs / per_page  # what the server could do
        # What one core of client CPU could sustain at this cost per page.
        ceiling = 60 * pages / cpu
        delivered = 60 * pages / raw_elapsed
        rows.append(
            (
                label,
                str(pages),
                f"{measured:.1f}",
                f"{capacity:.1f}",
                f"{measured / capacity:.3f}",
                f"{delivered:.1f}",
                f"{measured / delivered:.3f}",
                f"{1000 * cpu / pages:.0f} ms",
                f"{ceiling:.0f}",
            )
        )
    return rows


def make_pdf(path: Path, pages: int) -> None:
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(FIXTURES / "two_page_report.pdf")
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        out.import_pages(src, [0, 1][: pages - len(out)])
    out.save(path)


async def _memory_case(url: str, pdf: str) -> int:
    engine = ServerEngine(url, concurrency=8)
    pipeline = BatchPipeline(engine, concurrency=8, dpi=MEMORY_DPI)
    done = 0
    async for event in pipeline.run([pdf]):
        done += isinstance(event, PageFinished)
    await engine.aclose()
    return done


def memory_child(url: str, pdf: str) -> None:
    import psutil

    done = asyncio.run(_memory_case(url, pdf))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    end_kib = psutil.Process().memory_info().rss // 1024
    print(f"{done} {peak_kib} {end_kib}")


def memory(tmp: Path) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    with sim_process("--max-num-seqs", "8", "--sim-decode-tps", "20000") as url:
        for pages in (50, 200):
            pdf = tmp / f"doc{pages}.pdf"
            make_pdf(pdf, pages)
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, __file__, "--memory-child", url, str(pdf)],
                capture_output=True,
                text=True,
                check=True,
                cwd=REPO,
            )
            done, peak, end = (int(v) for v in out.stdout.split()[-3:])
            rows.append(
                (
                    f"{pages}-page PDF, {MEMORY_DPI} DPI",
                    str(done),
                    f"{peak / 1024:.0f} MiB",
                    f"{end / 1024:.0f} MiB",
                    f"{time.perf_counter() - start:.1f} s",
                )
            )
    return rows


async def _latency() -> list[float]:
    from tests.vllm_sim import engine as sim_engine
    from tests.vllm_sim.inprocess import start_sim

    closes: dict[int, list[float]] = {}
    original = sim_engine.Engine.run

    async def traced(self: Any, job: Any, emit: Any) -> Any:
        times: list[float] = []
        state = {"depth": 0, "str": False, "esc": False}

        async def send(piece: str) -> None:
            await emit(piece)
            now = time.perf_counter()
            for ch in piece:
                if state["str"]:
                    if state["esc"]:
                        state["esc"] = False
                    elif ch == "\\":
                        state["esc"] = True
                    elif ch == '"':
                        state["str"] = False
                elif ch == '"' and state["depth"]:
                    state["str"] = True
                elif ch == "{":
                    state["depth"] += 1
                elif ch == "}":
                    state["depth"] -= 1
                    if state["depth"] == 0:
                        times.append(now)

        closes[id(job)] = times
        return await original(self, job, send)

    sim_engine.Engine.run = traced  # type: ignore[method-assign]
    lat: list[float] = []
    try:
        with start_sim(decode_tps=DECODE_TPS, max_num_seqs=8) as sim:
            engine = ServerEngine(sim.base_url)
            page = next(iter_pages(JOURNAL))

            async def one() -> None:
                got: list[float] = []
                async for event in engine.recognize(page):
                    if isinstance(event, BlockFound):
                        got.append(time.perf_counter())
                    elif isinstance(event, PageDone):
                        break
                server = next(t for t in closes.values() if len(t) == len(got) and t)
                closes.pop(next(k for k, v in closes.items() if v is server))
                lat.extend((g - s) * 1000 for g, s in zip(got, server, strict=True))

            for _ in range(2):
                await asyncio.gather(*(one() for _ in range(4)))
            await engine.aclose()
    finally:
        sim_engine.Engine.run = original  # type: ignore[method-assign]
    return lat


async def _loop_case(guarded: bool) -> tuple[float, int, float, int]:
    """(seconds to abort, tokens by then, seconds to the final page, tokens in all)."""
    from tests.vllm_sim.inprocess import start_sim

    config = LoopGuardConfig() if guarded else LoopGuardConfig(min_span=10**9, block_repeats=10**9)
    with start_sim(faults=["loop"], decode_tps=2000.0) as sim:
        engine = ServerEngine(sim.base_url, max_tokens=8192, loop_guard=config)
        page = next(iter_pages(JOURNAL))
        start = time.perf_counter()
        aborted: list[tuple[float, int]] = []

        async def watch() -> None:  # the second request (layout_only) means the first was cut
            while len(sim.stats.prompt_modes) < 2:
                await asyncio.sleep(0.002)
            aborted.append((time.perf_counter() - start, sim.stats.generation_tokens_total))

        watcher = asyncio.create_task(watch())
        async for event in engine.recognize(page):
            if isinstance(event, PageDone):
                break
        total = time.perf_counter() - start
        watcher.cancel()
        await engine.aclose()
        tokens = sim.stats.generation_tokens_total
        cut_at, cut_tokens = aborted[0] if aborted else (total, tokens)
        return cut_at, cut_tokens, total, tokens


def table(title: str, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-child", nargs=2, metavar=("URL", "PDF"))
    parser.add_argument(
        "--only", action="append", choices=("throughput", "memory", "latency", "loop")
    )
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    os.environ.setdefault("DOTS_DESKTOP_HOME", tempfile.mkdtemp(prefix="bench-home-"))
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    only = set(args.only or ["throughput", "memory", "latency", "loop"])
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "throughput" in only:
            table(
                f"Throughput (decode {DECODE_TPS:.0f} tok/s per sequence;"
                " capacity from the sim's service-time model)",
                (
                    "client",
                    "pages",
                    "pages/min",
                    "capacity (model)",
                    "ratio",
                    "raw client pages/min",
                    "ratio vs raw",
                    "client CPU/page",
                    "pages/min per client core",
                ),
                throughput(tmp),
            )
        if "memory" in only:
            table(
                "Peak memory (max RSS, fresh process)",
                ("input", "pages", "peak RSS", "RSS at end", "time"),
                memory(tmp),
            )
    if "latency" in only:
        _print_latency()
    if "loop" in only:
        _print_loop()


def _print_latency() -> None:
    lat = asyncio.run(_latency())
    q = statistics.quantiles(lat, n=20)
    table(
        "Closing brace at the server -> BlockFound in the client (8 pages, 4 at a time)",
        ("blocks", "median ms", "p95 ms", "max ms"),
        [(str(len(lat)), f"{statistics.median(lat):.1f}", f"{q[18]:.1f}", f"{max(lat):.1f}")],
    )


def _print_loop() -> None:
    g_cut, g_cut_tokens, g_total, g_tokens = asyncio.run(_loop_case(True))
    n_cut, n_cut_tokens, _, _ = asyncio.run(_loop_case(False))
    table(
        "Looping page (sim decode 2000 tok/s, max_tokens 8192)",
        ("client", "tokens until stop", "s until stop", "at 100 tok/s", "page done (s, tokens)"),
        [
            (
                "loop guard",
                str(g_cut_tokens),
                f"{g_cut:.2f}",
                f"{g_cut_tokens / DECODE_TPS:.1f} s",
                f"{g_total:.2f} s, {g_tokens} (recovered)",
            ),
            (
                "no guard (to max_tokens)",
                str(n_cut_tokens),
                f"{n_cut:.2f}",
                f"{n_cut_tokens / DECODE_TPS:.1f} s",
                "partial",
            ),
        ],
    )


if __name__ == "__main__":
    main()
