"""Finished documents kept so the UI can reopen them instantly, and Document <-> JSON.

The JSON is the CLI's ``--format json`` shape (DESIGN.md) plus the keys needed to rebuild
the exact objects: ``reason``, ``model_width``, ``model_height``, ``text`` and block ``index``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.document import Block, Document, Page, PageStatus
from desktop.core.messages import facts_from_json, facts_to_json
from desktop.core.paths import data_dir


def block_to_dict(block: Block) -> dict[str, Any]:
    out: dict[str, Any] = {"bbox": list(block.bbox), "category": block.category}
    if block.text is not None:
        out["text"] = block.text
    out["index"] = block.index
    if block.facts:
        out["facts"] = facts_to_json(block.facts)
    return out


def block_from_dict(d: dict[str, Any]) -> Block:
    x1, y1, x2, y2 = (int(v) for v in d["bbox"])
    return Block(
        category=str(d["category"]),
        bbox=(x1, y1, x2, y2),
        text=d.get("text"),
        index=int(d.get("index", 0)),
        facts=facts_from_json(d.get("facts")),
    )


def page_to_dict(page: Page) -> dict[str, Any]:
    return {
        "index": page.index,
        "width": page.width,
        "height": page.height,
        "status": str(page.status),
        "reason": page.reason,
        "facts": facts_to_json(page.facts),
        "model_width": page.model_width,
        "model_height": page.model_height,
        "text": page.text,
        "blocks": [block_to_dict(b) for b in page.blocks],
    }


def page_from_dict(d: dict[str, Any]) -> Page:
    return Page(
        index=int(d["index"]),
        width=int(d["width"]),
        height=int(d["height"]),
        blocks=tuple(block_from_dict(b) for b in d.get("blocks", ())),
        status=PageStatus(d.get("status", "ok")),
        reason=str(d.get("reason", "")),
        model_width=int(d.get("model_width", 0)),
        model_height=int(d.get("model_height", 0)),
        text=str(d.get("text", "")),
        facts=facts_from_json(d.get("facts")),
    )


def document_to_dict(doc: Document) -> dict[str, Any]:
    return {"source": doc.source, "pages": [page_to_dict(p) for p in doc.pages]}


def document_from_dict(d: dict[str, Any]) -> Document:
    return Document(str(d["source"]), tuple(page_from_dict(p) for p in d.get("pages", ())))


def document_dumps(doc: Document) -> str:
    return json.dumps(document_to_dict(doc), ensure_ascii=False)


def document_loads(text: str) -> Document:
    return document_from_dict(json.loads(text))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    source: str
    created: float
    page_count: int
    ok: bool


class HistoryStore:
    """Documents in SQLite (``history.sqlite3`` in the data folder), newest first."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else data_dir() / "history.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " source TEXT NOT NULL, created REAL NOT NULL, page_count INTEGER NOT NULL,"
            " ok INTEGER NOT NULL, document TEXT NOT NULL, chat TEXT NOT NULL DEFAULT '[]')"
        )

    def add(self, doc: Document) -> int:
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO history(source, created, page_count, ok, document)"
                " VALUES (?, ?, ?, ?, ?)",
                (doc.source, time.time(), len(doc.pages), int(doc.ok), document_dumps(doc)),
            )
            return int(cur.lastrowid or 0)

    def entries(self, limit: int = 200) -> list[HistoryEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, source, created, page_count, ok FROM history"
                " ORDER BY created DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [HistoryEntry(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def load(self, entry_id: int) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT document FROM history WHERE id = ?", (entry_id,)
            ).fetchone()
        return document_loads(row[0]) if row else None

    def save_chat(self, entry_id: int, turns: list[dict[str, str]]) -> None:
        """Keep a document's chat (text turns only) with it."""
        with self._lock:
            self._db.execute(
                "UPDATE history SET chat = ? WHERE id = ?",
                (json.dumps(turns, ensure_ascii=False), entry_id),
            )

    def load_chat(self, entry_id: int) -> list[dict[str, str]]:
        with self._lock:
            row = self._db.execute("SELECT chat FROM history WHERE id = ?", (entry_id,)).fetchone()
        return list(json.loads(row[0])) if row else []

    def delete(self, entry_id: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM history WHERE id = ?", (entry_id,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
