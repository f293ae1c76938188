"""Why a page failed, kept in the batch store as facts: worded in the language of the
moment it is shown again (after a restart, the language may have changed)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from PIL import Image

from desktop.core.document import Page
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.engines.base import RecognizeEvent, RecognizeMode
from desktop.engines.batch.batchstore import CANCELLED, FAILED, BatchStore
from desktop.engines.batch.pipeline import BatchPipeline
from desktop.engines.errors import ServerUnavailable
from tests.reliability.helpers import InstantEngine, drain

#: What the Russian catalogue says for a server that does not answer, and its fix.
SERVER_GONE_RU = (
    "По адресу http://gpu:8000 не отвечает сервер распознавания."
    " Запустите модель на панели «Модель» или проверьте адрес."
)

#: The pages table as the first version of the store made it (no facts column).
OLD_PAGES = """
CREATE TABLE batches (
    id TEXT PRIMARY KEY, sources TEXT NOT NULL, options TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE pages (
    batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    page_index INTEGER NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL,
    PRIMARY KEY (batch_id, source, page_index)
);
INSERT INTO batches VALUES ('old', '["a.pdf"]', '{"mode": "layout"}', 1.0);
INSERT INTO pages VALUES ('old', 'a.pdf', 0, 'failed', NULL, 'Server gone.', 1, 1.0);
INSERT INTO pages VALUES ('old', 'a.pdf', 1, 'pending', NULL, '', 0, 1.0);
"""


class ServerGoneOnPageTwo(InstantEngine):
    """The server stops answering while page 2 is read."""

    async def recognize(
        self, page: PageImage, mode: RecognizeMode = RecognizeMode.LAYOUT, region: Any = None
    ) -> AsyncIterator[RecognizeEvent]:
        if page.index == 1:
            raise ServerUnavailable("http://gpu:8000")
        async for event in super().recognize(page, mode, region):
            yield event


def _tiff(path: Path, pages: int) -> str:
    frames = [Image.new("RGB", (300, 200), (255, 255 - i, 255)) for i in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return str(path)


async def test_a_failed_page_read_back_after_a_restart_says_why_in_russian(
    tmp_path: Path,
) -> None:
    # GIVEN a reading whose page 2 failed (the server went away), stored on disk
    store_path = tmp_path / "batches.sqlite3"
    store = BatchStore(store_path)
    pipeline = BatchPipeline(ServerGoneOnPageTwo(), store=store, concurrency=1)
    await drain(pipeline.run([_tiff(tmp_path / "scan.tiff", 3)]), 10)
    assert pipeline.batch_id is not None
    store.close()
    # WHEN the app starts again, now in Russian
    again = BatchStore(store_path)
    failed = [r for r in again.pages(pipeline.batch_id) if r.status == FAILED]
    # THEN the page says why, and what to do, in Russian; in English where that is asked
    assert [r.page_index for r in failed] == [1]
    assert failed[0].words("ru") == SERVER_GONE_RU
    assert failed[0].words("en").startswith("No OCR server answers at http://gpu:8000.")
    assert failed[0].facts == ServerUnavailable("http://gpu:8000").facts
    again.close()


def test_a_cancelled_page_keeps_its_fact_and_a_later_result_clears_it(tmp_path: Path) -> None:
    store = BatchStore(tmp_path / "b.sqlite3")
    bid = store.create_batch(["a.png"], {"mode": "layout"})
    store.add_pages(bid, "a.png", [0])
    store.mark_failed(bid, "a.png", 0, (Msg(Code.PAGE_CANCELLED),), cancelled=True)
    (record,) = store.pages(bid)
    assert (record.status, record.words("ru"), record.words("en")) == (
        CANCELLED,
        "Отменено.",
        "Cancelled.",
    )
    store.mark_done(bid, "a.png", Page(0, 300, 200))  # read again: nothing to say any more
    (record,) = store.pages(bid)
    assert (record.facts, record.words("ru")) == ((), "")
    store.close()


def test_a_store_an_older_version_wrote_opens_and_its_text_reason_is_shown_as_written(
    tmp_path: Path,
) -> None:
    # GIVEN a store of the first schema, with a reason stored as English text
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(OLD_PAGES)
    db.close()
    # WHEN this version opens it
    store = BatchStore(path)
    records = {r.page_index: r for r in store.pages("old")}
    # THEN the old reason is shown as it was written, in any language
    assert records[0].words("ru") == records[0].words("en") == "Server gone."
    # AND a new failure in that store is kept as facts
    store.mark_failed("old", "a.pdf", 1, (Msg(Code.PAGE_CANCELLED),), cancelled=True)
    assert store.pages("old")[1].words("ru") == "Отменено."
    store.close()
    assert BatchStore(path).pages("old")[0].words("en") == "Server gone."  # opened twice
