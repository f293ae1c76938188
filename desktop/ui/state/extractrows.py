"""The Extract pane's rows: one per extracted document, its values by column and their sources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core.document import BBox


@dataclass(slots=True)
class ExtractRow:
    """One document's extracted fields (mutable: the user fixes values by hand)."""

    key: str
    name: str
    values: dict[str, Any] = field(default_factory=dict)  # column -> cell value
    sources: dict[str, list[tuple[int, BBox]]] = field(default_factory=dict)
    error: str = ""  # why it failed, in the user's language ("" when extracted)
    edited: set[str] = field(default_factory=set)

    def set_value(self, column: str, text: str) -> None:
        """A value fixed by hand (kept as typed; the sheet writers read numbers from it)."""
        self.values[column] = text
        self.edited.add(column)

    def export_row(self, file_column: str = "file") -> dict[str, Any]:
        return {file_column: self.name, **self.values}


def column_of(pointer: str) -> str:
    """The table column a JSON pointer's value lands in: ``/items/0/price`` -> ``items.price``."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]
    return ".".join(p for p in parts if p and not p.isdigit())


def sources_by_column(
    sources: Iterable[tuple[str, int, BBox]], columns: Sequence[str]
) -> dict[str, list[tuple[int, BBox]]]:
    """(pointer, page, box) grouped by the column each pointer's value lands in."""
    known = set(columns)
    found: dict[str, list[tuple[int, BBox]]] = {}
    for pointer, page, box in sources:
        column = column_of(pointer)
        if column in known:
            found.setdefault(column, []).append((page, box))
    return found


def export_rows(rows: Mapping[str, ExtractRow]) -> list[dict[str, Any]]:
    """The rows that were extracted, as the table writers take them."""
    return [row.export_row() for row in rows.values() if not row.error]
