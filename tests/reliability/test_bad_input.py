"""Bad input on purpose: every broken, odd or hostile file gets one clear sentence and the
batch goes on; memory stays bounded on a 1,000-page PDF."""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from desktop.core.document import PageStatus
from desktop.core.errors import DotsError, UnreadableFile
from desktop.core.images import count_pages, iter_pages
from desktop.engines.batch.pipeline import BatchPipeline, PageFinished, SourceFailed
from desktop.engines.remote.server import ServerEngine
from tests.reliability.conftest import BAD_INPUTS, ODD_INPUTS, BadInput, blank_pdf, png_bytes
from tests.reliability.helpers import InstantEngine, assert_one_clear_line, drain

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("case", BAD_INPUTS, ids=lambda c: c.name)
def test_each_bad_file_is_refused_with_its_typed_error_and_one_sentence(
    case: BadInput, corpus_dir: Path
) -> None:
    path = case.make(corpus_dir)
    assert case.error is not None
    with pytest.raises(case.error) as info:
        list(iter_pages(path))
    message = str(info.value)
    assert_one_clear_line(message)
    assert case.says in message
    assert path.name in message  # the user learns WHICH file


@pytest.mark.parametrize("case", ODD_INPUTS, ids=lambda c: c.name)
def test_each_odd_but_valid_file_reads_as_one_rgb_page(case: BadInput, corpus_dir: Path) -> None:
    path = case.make(corpus_dir)
    pages = list(iter_pages(path))
    assert len(pages) == 1 == count_pages(path)
    assert pages[0].image.mode == "RGB"
    assert pages[0].width >= 1 and pages[0].height >= 1


def test_a_named_pipe_is_refused_instead_of_blocking_forever(fifo: Path) -> None:
    # Root reads any file, so "unreadable" is tried with what even root cannot read
    # normally: a FIFO nobody writes to (open() would wait for a writer forever).
    outcome: dict[str, Any] = {}

    def read() -> None:
        try:
            outcome["pages"] = list(iter_pages(fifo))
        except DotsError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(3)
    blocked = worker.is_alive()
    assert not blocked, "iter_pages() blocked on a named pipe"
    assert isinstance(outcome.get("error"), UnreadableFile)


async def test_one_batch_of_every_bad_and_odd_file_finishes_with_a_sentence_for_each(
    vllm_sim: Any, corpus_dir: Path, good_page: Callable[[str], Path]
) -> None:
    sim = vllm_sim(decode_tps=100_000.0)
    odd = [c for c in ODD_INPUTS if c.name != "non-utf8-name"]  # its own test below
    bad = [c.make(corpus_dir) for c in BAD_INPUTS]
    sources = [good_page("first.png"), *bad, *(c.make(corpus_dir) for c in odd)]
    sources.append(good_page("last.png"))
    engine = ServerEngine(sim.base_url)
    try:
        events = await drain(BatchPipeline(engine, concurrency=4).run(sources))
    finally:
        await engine.aclose()
    failed = {Path(e.source).name: e.error for e in events if isinstance(e, SourceFailed)}
    pages = [e for e in events if isinstance(e, PageFinished)]
    done = Counter(Path(e.source).name for e in pages)
    # Every input is accounted for exactly once: a page result or a refusal.
    assert set(failed) | set(done) == {p.name for p in sources}
    assert not set(failed) & set(done)
    assert all(n == 1 for n in done.values()), done
    by_name = {Path(e.source).name: e.page for e in pages}
    # Each bad file is refused as a whole (SourceFailed) or as its failed page, with a sentence.
    for path in bad:
        message = failed.get(path.name) or by_name[path.name].reason
        assert path.name not in by_name or by_name[path.name].status is PageStatus.FAILED
        assert_one_clear_line(message)
        assert path.name in message
    assert by_name["first.png"].status is PageStatus.OK
    assert by_name["last.png"].status is PageStatus.OK
    # The 1 x 5000 strip decodes, but the model cannot take it: a failed page, said clearly.
    strip = by_name["strip.png"]
    assert strip.status is PageStatus.FAILED
    assert "aspect ratio" in strip.reason
    assert_one_clear_line(strip.reason)
    for name in ("photo.png", "scan.pdf", "cmyk.jpg", "deep.png", "palette.png", "moving.gif"):
        assert by_name[name].status is PageStatus.OK, (name, by_name[name].reason)


async def test_a_folder_of_two_thousand_files_with_bad_ones_loses_none(corpus_dir: Path) -> None:
    data = png_bytes((64, 48))
    sources: list[Path] = []
    for i in range(2000):
        path = corpus_dir / f"scan-{i:04d}.png"
        path.write_bytes(b"" if i % 100 == 7 else data)
        sources.append(path)
    engine = InstantEngine()
    events = await drain(BatchPipeline(engine, concurrency=8).run(sources), timeout=120)
    failed = [e for e in events if isinstance(e, SourceFailed)]
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert len(failed) == 20 and all("empty" in e.error for e in failed)
    assert len(finished) == 1980
    assert len({e.source for e in finished} | {e.source for e in failed}) == 2000
    assert len(engine.requests) == 1980 == len(set(engine.requests))


async def test_a_file_with_a_non_utf8_name_is_read_and_its_page_stored(
    vllm_sim: Any, corpus_dir: Path
) -> None:
    path = next(c for c in ODD_INPUTS if c.name == "non-utf8-name").make(corpus_dir)
    sim = vllm_sim(decode_tps=100_000.0)
    engine = ServerEngine(sim.base_url)
    try:
        events = await drain(BatchPipeline(engine).run([path]))
    finally:
        await engine.aclose()
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert [e.page.status for e in finished] == [PageStatus.OK]


def test_a_thousand_page_pdf_is_counted_at_once_and_read_in_bounded_memory(
    corpus_dir: Path,
) -> None:
    path = corpus_dir / "thousand.pdf"
    path.write_bytes(blank_pdf(1000))
    assert count_pages(path) == 1000
    proc = psutil.Process()
    rss: dict[int, int] = {}
    seen = 0
    # 72 DPI keeps the test quick; each page is still a fresh 612x792 RGB render.
    for page in iter_pages(path, dpi=72):
        seen += 1
        if page.index in (49, 999):
            gc.collect()
            rss[page.index] = proc.memory_info().rss
    assert seen == 1000
    growth = rss[999] - rss[49]
    # One page is ~1.4 MB; holding every page would be ~1.4 GB. Allow 40 MB of noise.
    assert growth < 40 * 2**20, f"RSS grew {growth / 2**20:.1f} MiB over 950 pages"


def test_a_real_81_megapixel_scan_is_read_and_shrunk_for_the_model(corpus_dir: Path) -> None:
    from PIL import Image

    from desktop.core.request import encode_page

    path = corpus_dir / "poster.png"
    Image.new("L", (9000, 9000), 255).save(path, "PNG", compress_level=1)
    (page,) = list(iter_pages(path))
    encoded = encode_page(page)
    assert (page.width, page.height) == (9000, 9000)
    assert encoded.model_width * encoded.model_height <= 11_289_600
    assert encoded.mapping.to_original((0, 0, encoded.model_width, encoded.model_height)) == (
        0,
        0,
        9000,
        9000,
    )


async def test_a_thousand_page_pdf_through_the_pipeline_keeps_few_pages_in_memory(
    corpus_dir: Path,
) -> None:
    path = corpus_dir / "thousand.pdf"
    path.write_bytes(blank_pdf(1000))
    engine = InstantEngine()
    pipeline = BatchPipeline(engine, concurrency=4, dpi=72)
    events = await drain(pipeline.run([path]), timeout=120)
    finished = [e for e in events if isinstance(e, PageFinished)]
    assert sorted(e.page.index for e in finished) == list(range(1000))
    assert len(engine.requests) == 1000 == len(set(engine.requests))
    assert pipeline.peak_decoded <= 4 + 2  # backpressure: never more pages decoded than that
