"""Resumable batch state in SQLite (stdlib) in the user data folder.

One row per page; every status change is one transaction, so after a crash the store
says exactly which pages are done (their results kept) and which still need a request.
Why a page failed is kept as facts (codes and parameters, JSON in ``facts``), worded
when it is shown, in that moment's language; ``error`` is the English an older version
stored instead, kept as it was written.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.document import Page
from desktop.core.messages import Msg, facts_from_json, facts_to_json, say
from desktop.core.paths import data_dir
from desktop.engines.batch.history import page_from_dict, page_to_dict

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    sources TEXT NOT NULL,
    options TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    page_index INTEGER NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    error TEXT NOT NULL DEFAULT '',
    facts TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL,
    PRIMARY KEY (batch_id, source, page_index)
);
"""

#: Columns added since the first schema, with their definitions (added on open).
ADDED_COLUMNS = {"facts": "TEXT"}

#: Page states in the store (a superset of PageStatus: "running" and "cancelled").
PENDING, RUNNING, DONE, FAILED, CANCELLED = "pending", "running", "done", "failed", "cancelled"


@dataclass(frozen=True, slots=True)
class BatchInfo:
    id: str
    sources: tuple[str, ...]
    options: dict[str, Any]
    created: float


@dataclass(frozen=True, slots=True)
class PageRecord:
    """One stored page; ``facts`` say why it failed (``error``: an older version's text)."""

    source: str
    page_index: int
    status: str
    page: Page | None
    error: str
    attempts: int
    facts: tuple[Msg, ...] = ()

    def words(self, lang: str = "en") -> str:
        """Why the page failed, in ``lang``; a reason stored as text stays as written."""
        return say(self.facts, lang) if self.facts else self.error


def _bind(text: str) -> str | bytes:
    """A str for SQLite: TEXT when valid UTF-8, else its file-system bytes as a BLOB.

    File names that are not UTF-8 arrive surrogate-escaped (os.fsdecode) and cannot be
    bound as TEXT; as bytes they round-trip. Valid names stay TEXT, as in older stores.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate no file system made: kept, not exact
            return text.encode("utf-8", "surrogatepass")
    return text


def _unbind(value: str | bytes) -> str:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def _json(value: Any) -> str:
    """JSON for a TEXT column; lone surrogates (non-UTF-8 names) become \\u escapes."""
    text = json.dumps(value, ensure_ascii=False)
    return text if isinstance(_bind(text), str) else json.dumps(value)


def default_store_path() -> Path:
    return data_dir() / "batches.sqlite3"


class BatchStore:
    """Batches and their pages. Thread-safe; each write is one committed transaction."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self._add_columns()

    def _add_columns(self) -> None:
        """Bring a store an older version made up to date; its rows keep what they hold."""
        with self._tx() as db:
            have = {row[1] for row in db.execute("PRAGMA table_info(pages)")}
            for name, definition in ADDED_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE pages ADD COLUMN {name} {definition}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # batches -------------------------------------------------------------------------
    def create_batch(
        self, sources: Sequence[str], options: dict[str, Any], batch_id: str | None = None
    ) -> str:
        bid = batch_id or uuid.uuid4().hex
        with self._tx() as db:
            db.execute(
                "INSERT INTO batches(id, sources, options, created) VALUES (?, ?, ?, ?)",
                (bid, json.dumps(list(sources)), json.dumps(options), time.time()),
            )
        return bid

    def batch(self, batch_id: str) -> BatchInfo | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, sources, options, created FROM batches WHERE id = ?", (batch_id,)
            ).fetchone()
        if row is None:
            return None
        return BatchInfo(row[0], tuple(json.loads(row[1])), json.loads(row[2]), row[3])

    def batches(self) -> list[BatchInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, sources, options, created FROM batches ORDER BY created DESC"
            ).fetchall()
        return [BatchInfo(r[0], tuple(json.loads(r[1])), json.loads(r[2]), r[3]) for r in rows]

    def unfinished_batches(self) -> list[BatchInfo]:
        """Batches with a page not done (what to offer to resume after a restart)."""
        return self._batches_with_pages("status != ?", (DONE,))

    def interrupted_batches(self) -> list[BatchInfo]:
        """Batches stopped with a page still to read (pending or running), newest first.

        What a crash or a quit leaves behind; pages that failed or were cancelled were
        seen ending and do not make a batch interrupted.
        """
        return self._batches_with_pages("status IN (?, ?)", (PENDING, RUNNING))

    def _batches_with_pages(self, where: str, params: tuple[str, ...]) -> list[BatchInfo]:
        """Batches (in ``batches()`` order) with at least one page matching ``where``."""
        with self._lock:
            ids = {
                r[0]
                for r in self._db.execute(
                    f"SELECT DISTINCT batch_id FROM pages WHERE {where}", params
                )
            }
        return [b for b in self.batches() if b.id in ids]

    def delete_batch(self, batch_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM pages WHERE batch_id = ?", (batch_id,))
            db.execute("DELETE FROM batches WHERE id = ?", (batch_id,))

    # pages ---------------------------------------------------------------------------
    def add_pages(self, batch_id: str, source: str, indexes: Sequence[int]) -> None:
        """Register pages as pending; pages already known keep their state."""
        now = time.time()
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO pages(batch_id, source, page_index, status, updated)"
                " VALUES (?, ?, ?, ?, ?)",
                [(batch_id, _bind(source), i, PENDING, now) for i in indexes],
            )

    def mark_running(self, batch_id: str, source: str, index: int) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE pages SET status = ?, attempts = attempts + 1, updated = ?"
                " WHERE batch_id = ? AND source = ? AND page_index = ? AND status != ?",
                (RUNNING, time.time(), batch_id, _bind(source), index, DONE),
            )

    def mark_done(self, batch_id: str, source: str, page: Page) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE pages SET status = ?, result = ?, error = '', facts = NULL, updated = ?"
                " WHERE batch_id = ? AND source = ? AND page_index = ?",
                (
                    DONE,
                    _json(page_to_dict(page)),
                    time.time(),
                    batch_id,
                    _bind(source),
                    page.index,
                ),
            )

    def mark_failed(
        self,
        batch_id: str,
        source: str,
        index: int,
        facts: Sequence[Msg],
        *,
        cancelled: bool = False,
    ) -> None:
        """The page ended without a result; ``facts`` say why (stored as data, not words)."""
        with self._tx() as db:
            db.execute(
                "UPDATE pages SET status = ?, error = '', facts = ?, updated = ?"
                " WHERE batch_id = ? AND source = ? AND page_index = ? AND status != ?",
                (
                    CANCELLED if cancelled else FAILED,
                    _json(facts_to_json(facts)),
                    time.time(),
                    batch_id,
                    _bind(source),
                    index,
                    DONE,
                ),
            )

    def pages(self, batch_id: str, source: str | None = None) -> list[PageRecord]:
        sql = (
            "SELECT source, page_index, status, result, error, attempts, facts FROM pages"
            " WHERE batch_id = ?"
        )
        params: tuple[Any, ...] = (batch_id,)
        if source is not None:
            sql += " AND source = ?"
            params = (batch_id, _bind(source))
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY source, page_index", params).fetchall()
        return [
            PageRecord(
                _unbind(r[0]),
                r[1],
                r[2],
                page_from_dict(json.loads(r[3])) if r[3] else None,
                _unbind(r[4]),
                r[5],
                facts_from_json(json.loads(r[6])) if r[6] else (),
            )
            for r in rows
        ]

    def done_pages(self, batch_id: str, source: str) -> dict[int, Page]:
        return {
            r.page_index: r.page
            for r in self.pages(batch_id, source)
            if r.status == DONE and r.page is not None
        }
