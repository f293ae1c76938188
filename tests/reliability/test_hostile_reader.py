"""Nothing silently wrong on the reader side (issue 15, items 5, 11 and 12): the ``ocr``
command against a hostile server and odd inputs. Each test is what a user would notice:
the page's status and reason, the text written, the stderr lines and the exit code."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image

from desktop.cli import run
from desktop.core.document import CUT_MARK
from desktop.engines import factory
from desktop.engines.errors import RetryPolicy
from desktop.engines.remote.endpoint import Timeouts
from desktop.engines.remote.server import ServerEngine
from tests.reliability.conftest import blank_pdf
from tests.reliability.hostile import (
    HostileServer,
    Reply,
    block_pieces,
    layout_blocks,
    looping_stream,
    ok_stream,
    prose_reply,
    text_reply,
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _quick_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    quick = functools.partial(
        ServerEngine,
        retry=RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.1, total=10),
        timeouts=Timeouts(first_token=10, idle=1.0),
    )
    monkeypatch.setattr(factory, "ServerEngine", quick)


@pytest.fixture
def hostile() -> Iterator[Callable[..., HostileServer]]:
    servers: list[HostileServer] = []

    def start(script: Callable[[int], Reply | None], **kw: Any) -> HostileServer:
        server = HostileServer(script, **kw)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 300), "white").save(path)
    return path


def _ocr(server: HostileServer, *args: str) -> int:
    return run(["ocr", *args, "--endpoint", server.base_url, "--concurrency", "1"])


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and "Unexpected error" not in err, err


def _boxes_only(n: int) -> list[dict[str, object]]:
    return [{"bbox": [10, 10 + 60 * i, 300, 50 + 60 * i], "category": "Text"} for i in range(n)]


# -- 5. a region whose grounding read loops -------------------------------------------------


def test_a_region_whose_reread_loops_makes_the_page_partial_and_flags_that_block(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a page whose layout answer loops; the layout-only pass finds 3 regions; the
    # second region's grounding read loops too (its text is cut), the others are fine
    holder: list[HostileServer] = []
    grounded: list[int] = []

    def script(n: int) -> Reply:
        kind = holder[0].prompts[n - 1]
        if kind == "layout":
            grounded.clear()  # each run: the second region loops
            return looping_stream(block_pieces(layout_blocks("Heading"))[:1])
        if kind == "layout-only":
            return ok_stream(_boxes_only(3))
        grounded.append(n)
        if len(grounded) == 2:
            return looping_stream(["Second region starts well "], unit="and on ")
        return text_reply(f"region text {len(grounded)}")

    server = hostile(script)
    holder.append(server)
    src = _png(tmp_path / "page.png")
    out = tmp_path / "out"
    # WHEN it is read to JSON and Markdown
    code = _ocr(server, str(src), "--format", "json", "--out", str(out))
    code_md = _ocr(server, str(src), "--format", "md", "--out", str(out))
    err = capsys.readouterr().err
    _no_traceback(err)
    # THEN the page is partial (exit 3 as for any partial page), not "recovered" (exit 0)
    assert code == 3 and code_md == 3, err
    page = json.loads((out / "page.json").read_text())["pages"][0]
    assert page["status"] == "partial"
    # the reason names the cut region, by number, and the loop
    assert "Region 2 was cut short and is marked […]" in page["reason"], page["reason"]
    assert "looped" in page["reason"]
    codes = [f["code"] for f in page["reason_facts"]]
    assert "page_regions_cut" in codes
    # the cut block's text ends with the visible mark; the others are whole and unmarked
    texts = [b["text"] for b in page["blocks"]]
    assert texts[1].startswith("Second region starts well") and texts[1].endswith(CUT_MARK)
    assert not texts[0].endswith(CUT_MARK) and not texts[2].endswith(CUT_MARK)
    md = (out / "page.md").read_text()
    assert f"Second region starts well {CUT_MARK}" in md or f"well{CUT_MARK}" in md, md
    assert "page 1/1 partial" in err


# -- 11. --dpi beyond what the model reads --------------------------------------------------


def test_dpi_400_on_an_a4_page_is_honoured_up_to_the_models_pixel_limit_and_said(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an A4 page (595 x 842 pt) and --dpi 400 (3307 x 4677 px, 15.5 MP: more than
    # the 11.29 MP dots.ocr reads), and --dpi 200 (1653 x 2339 px, well under it)
    server = hostile(lambda n: ok_stream(layout_blocks("A4 text")))
    src = tmp_path / "a4.pdf"
    src.write_bytes(blank_pdf(1, (595, 842)))
    out = tmp_path / "out"
    # WHEN it is read at 400 DPI, then at 200 DPI
    code = _ocr(server, str(src), "--dpi", "400", "--format", "json", "--out", str(out))
    err = capsys.readouterr().err
    page = json.loads((out / "a4.json").read_text())["pages"][0]
    code_200 = _ocr(server, str(src), "--dpi", "200", "--format", "json", "--out", str(out))
    err_200 = capsys.readouterr().err
    page_200 = json.loads((out / "a4.json").read_text())["pages"][0]
    _no_traceback(err + err_200)
    # THEN 400 DPI is reduced only as far as the model's limit (341 DPI, not 72), the page
    # is still ok, and the page and stderr both say which DPI was used and why
    assert code == 0, err
    assert page["status"] == "ok"
    assert (page["width"], page["height"]) == (round(595 * 341 / 72), round(842 * 341 / 72))
    said = "Rendered at 341 DPI instead of 400: at 400 DPI the page would have 15.5 million"
    assert said in page["reason"], page
    assert [f["code"] for f in page["reason_facts"]] == ["page_dpi_reduced"]
    assert said in err
    sent_w, sent_h = server.image_sizes[0]
    assert sent_w * sent_h > 10_000_000  # the model got (nearly) all the pixels it reads
    # and 200 DPI is used as asked, without a word
    assert code_200 == 0 and (page_200["width"], page_200["height"]) == (1653, 2339)
    assert "reason" not in page_200 and "DPI" not in err_200


async def test_the_windows_reader_path_says_the_dpi_was_reduced_too(tmp_path: Path) -> None:
    # GIVEN the shared page reader the window uses, set to 400 DPI, and an A4 PDF
    from desktop.engines.batch.pipeline import BatchPipeline, PageFinished
    from tests.reliability.hostile import HostileServer as Server

    server = Server(lambda n: ok_stream(layout_blocks("A4 text")))
    try:
        engine = ServerEngine(server.base_url)
        src = tmp_path / "a4.pdf"
        src.write_bytes(blank_pdf(1, (595, 842)))
        pipeline = BatchPipeline(engine, dpi=400)
        # WHEN the page is read
        finished = [e async for e in pipeline.run([src]) if isinstance(e, PageFinished)]
        await engine.aclose()
    finally:
        server.close()
    # THEN its result carries the same fact the command line prints
    (event,) = finished
    assert event.page.status.value == "ok"
    assert [f.code.value for f in event.page.facts] == ["page_dpi_reduced"]
    assert event.page.facts[0].params["used"] == 341
