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
