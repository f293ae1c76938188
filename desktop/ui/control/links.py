"""What the window controller offers the helpers it builds (block menu, document list).

A protocol, so the helpers need not import the controller that imports them (ADR 006).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from desktop.core.document import BBox
    from desktop.engines.base import RecognizeMode
    from desktop.ui.control.bridge import EngineBridge
    from desktop.ui.control.pagenotes import PageNotes
    from desktop.ui.state.session import DocEntry
    from desktop.ui.widgets.window import MainWindow


class ControllerLink(Protocol):
    """The part of ``WindowController`` its helpers use."""

    window: MainWindow
    bridge: EngineBridge
    dpi: int
    entries: dict[str, DocEntry]
    current_key: str
    current_page: int
    history: object | None
    notes: PageNotes  # the copy notice (with Undo) and the failed-page banner

    def keep(self, task: asyncio.Future[None]) -> None: ...

    def read(
        self,
        key: str,
        pages: list[int],
        region: BBox | None = None,
        mode: RecognizeMode | None = None,
        *,
        builtin: bool = False,
    ) -> None: ...

    def read_region(self, bbox: BBox) -> None: ...
