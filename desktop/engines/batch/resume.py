"""Readings a crash or a quit stopped, as the window resumes them (one file per reading)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from desktop.engines.batch.batchstore import BatchStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Interrupted:
    """A reading stopped by a crash or a quit: its file and the pages it was reading."""

    batch_id: str
    source: str
    pages: tuple[int, ...]
    dpi: int = 200  # what its pages were rendered at (boxes are in those pixels)


def interrupted_readings(store: BatchStore, skip: Collection[str] = ()) -> list[Interrupted]:
    """The store's interrupted readings of one file each, newest first; ``skip``: batch ids
    still running here (begun by this session).

    Region reads are dropped instead: a region is a moment's question, not a batch.
    Blocking (SQLite): call it in a worker thread.
    """
    found: list[Interrupted] = []
    for info in store.interrupted_batches():
        if info.id in skip:
            continue
        if info.options.get("region") or len(info.sources) != 1:
            store.delete_batch(info.id)
            continue
        pages = tuple(r.page_index for r in store.pages(info.id))
        dpi = int(info.options.get("dpi") or 200)
        found.append(Interrupted(info.id, info.sources[0], pages, dpi))
    return found


def forget_batch(store: BatchStore, batch_id: str) -> None:
    """A finished reading leaves the store (its document is in the history). Blocking."""
    try:
        store.delete_batch(batch_id)
    except Exception:  # a store that cannot delete only keeps a finished batch
        logger.warning("could not drop finished batch %s", batch_id, exc_info=True)
