"""The document list's actions: remove, read again (another mode), show in folder; each
entry's engine and seconds per page; an unchanged file reuses its finished result."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QPoint, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu

from desktop.core.document import Page, PageStatus
from desktop.core.fingerprint import file_digest
from desktop.engines.base import RecognizeMode
from desktop.ui.widgets.documents import short_engine

if TYPE_CHECKING:
    from desktop.ui.control.links import ControllerLink
    from desktop.ui.state.session import DocEntry

logger = logging.getLogger(__name__)


def t(text: str) -> str:
    return QCoreApplication.translate("DocumentActions", text)


def mode_words() -> list[tuple[RecognizeMode, str]]:
    """The modes "Read again" offers, as the toolbar's mode box names them."""
    return [
        (RecognizeMode.LAYOUT, t("Layout + text")),
        (RecognizeMode.TEXT, t("Text only")),
        (RecognizeMode.LAYOUT_ONLY, t("Layout only")),
    ]


def twin_hints(entries: list[DocEntry]) -> dict[str, str]:
    """For entries sharing a name: what differs (the folder, else the engine, else a number)."""
    by_name: dict[str, list[DocEntry]] = defaultdict(list)
    for entry in entries:
        by_name[entry.name].append(entry)
    hints: dict[str, str] = {}
    for group in by_name.values():
        if len(group) < 2:
            continue
        folders = {str(Path(e.path).parent) if e.path else "" for e in group}
        engines = {e.engine for e in group}
        for n, entry in enumerate(group, start=1):
            parts = []
            if len(folders) > 1:
                parts.append(Path(entry.path).parent.name or str(Path(entry.path).parent))
            if len(engines) > 1 and entry.engine:
                parts.append(short_engine(entry.engine))
            hints[entry.key] = ", ".join(p for p in parts if p) or f"#{n}"
    return hints


class DocumentActions(QObject):
    """Wires the list's menu and keys to the controller; times pages and finds twins."""

    def __init__(self, controller: ControllerLink) -> None:
        super().__init__(controller.window)
        self.controller = controller
        self.window = controller.window
        self.menu: QMenu | None = None  # the open menu (tests find it here)
        # Hands a folder to the desktop's file manager (another process: tests catch it here).
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        panel = self.window.documents
        panel.menu_requested.connect(self.show_menu)
        panel.remove_requested.connect(self.remove)
        bridge = controller.bridge
        bridge.page_started.connect(self._on_page_started)
        bridge.page_done.connect(self._on_page_done)

    # -- opening: an unchanged file is not read again --------------------------------
    def opened(self, entry: DocEntry) -> None:
        """A file was opened: its reading waits until its fingerprint is known."""
        entry.hashing = True
        self.controller.keep(asyncio.ensure_future(self._fingerprint(entry)))
        self.refresh_twins()

    def _candidates(self, entry: DocEntry) -> list[DocEntry]:
        """Finished entries whose file has the same size (the only ones worth hashing)."""
        try:
            size = os.stat(entry.path).st_size
        except OSError:
            return []
        out = []
        for other in self.controller.entries.values():
            if other is entry or other.status() != "done" or not other.path:
                continue
            try:
                if os.stat(other.path).st_size == size:
                    out.append(other)
            except OSError:
                continue
        return out

    async def _fingerprint(self, entry: DocEntry) -> None:
        candidates = self._candidates(entry)
        paths = [entry.path] + [c.path for c in candidates if not c.fingerprint]

        def digests() -> dict[str, str]:
            found = {}
            for path in paths:
                try:
                    found[path] = file_digest(path)
                except OSError as exc:  # the reader says why it cannot open it
                    logger.info("no fingerprint for %s: %s", path, exc)
            return found

        found = await asyncio.to_thread(digests)
        entry.hashing = False
        entry.fingerprint = found.get(entry.path, "")
        for other in candidates:
            other.fingerprint = other.fingerprint or found.get(other.path, "")
        twin = next(
            (c for c in candidates if entry.fingerprint and c.fingerprint == entry.fingerprint),
            None,
        )
        if entry.key not in self.controller.entries:
            return  # removed meanwhile
        if twin is not None and twin.status() == "done":
            self._reuse(entry, twin)
        elif entry.page_count:
            self.controller.read(entry.key, list(range(entry.page_count)))

    def _reuse(self, entry: DocEntry, twin: DocEntry) -> None:
        """Show the earlier result instead of a second, identical entry."""
        self.remove(entry.key, quiet=True)
        self.window.documents.select_document(twin.key)
        self.window.show_message(
            t(
                "%1 is unchanged since it was read: showing that result (Read again to re-read)."
            ).replace("%1", twin.name),
            10000,
        )

    # -- the list's menu ---------------------------------------------------------------
    def build_menu(self, key: str) -> QMenu | None:
        entry = self.controller.entries.get(key)
        if entry is None:
            return None
        menu = QMenu(self.window.documents.docs)
        menu.setObjectName("document_menu")
        bridge = self.controller.bridge
        engine = bridge.engine
        can_read = entry.page_count > 0 and bool(entry.path) and not entry.error
        # Which engine would read it: another one is picked in the settings or model panel.
        title = (
            t("Read again with %1").replace("%1", short_engine(engine.name))
            if engine is not None
            else t("Read again")
        )
        self._modes_menu(menu, title, "document_read_again", key, builtin=False).setEnabled(
            can_read and engine is not None
        )
        if bridge.other.offered_beside(engine):  # a second opinion from the CPU engine
            self._modes_menu(
                menu,
                t("Read again with the built-in engine"),
                "document_read_builtin",
                key,
                builtin=True,
            ).setEnabled(can_read)
        folder = menu.addAction(t("Show in folder"))
        folder.setObjectName("document_show_in_folder")
        folder.setEnabled(bool(entry.path))
        folder.triggered.connect(lambda: self.show_in_folder(key))
        menu.addSeparator()
        remove = menu.addAction(t("Remove from the list"))
        remove.setObjectName("document_remove")
        remove.setShortcut("Del")
        remove.triggered.connect(lambda: self.remove(key))
        return menu

    def _modes_menu(self, menu: QMenu, title: str, name: str, key: str, *, builtin: bool) -> QMenu:
        sub = menu.addMenu(title)
        sub.setObjectName(name)
        prefix = "read_builtin" if builtin else "read_again"
        for mode, words in mode_words():
            action = sub.addAction(words)
            action.setObjectName(f"{prefix}_{mode.value}")
            action.triggered.connect(
                lambda _c=False, m=mode: self.read_again(key, m, builtin=builtin)
            )
        return sub

    def show_menu(self, key: str, where: QPoint) -> None:
        menu = self.build_menu(key)
        if menu is None:
            return
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = menu
        menu.popup(where)

    def remove(self, key: str, quiet: bool = False) -> None:
        """Off the list and out of the history; a reading still going is cancelled."""
        c = self.controller
        entry = c.entries.pop(key, None)
        if entry is None:
            return
        c.bridge.forget(key)  # cancels its pages not read yet
        self.window.documents.remove_document(key)
        store = c.history
        if entry.history_id is not None and store is not None:
            c.keep(asyncio.ensure_future(self._forget_history(store, entry.history_id)))
        self.refresh_twins()
        if not quiet:
            self.window.show_message(t("Removed %1 from the list.").replace("%1", entry.name))

    @staticmethod
    async def _forget_history(store: object, entry_id: int) -> None:
        try:
            await asyncio.to_thread(store.delete, entry_id)  # type: ignore[attr-defined]
        except Exception:  # the list already forgot it; the history is a convenience
            logger.warning("could not delete history entry %s", entry_id, exc_info=True)

    def read_again(self, key: str, mode: RecognizeMode, *, builtin: bool = False) -> None:
        """Every page once more in ``mode``, even when the file is unchanged (``builtin``:
        with the built-in engine, whatever engine the window uses)."""
        entry = self.controller.entries.get(key)
        if entry is None or not entry.page_count:
            return
        if entry.path and not Path(entry.path).is_file():
            self.window.show_message(
                t("%1 is no longer there; it cannot be read again.").replace("%1", entry.path)
            )
            return
        entry.restored = False  # from now on a reading like any other
        entry.page_seconds.clear()
        self.controller.read(key, list(range(entry.page_count)), mode=mode, builtin=builtin)

    def show_in_folder(self, key: str) -> bool:
        entry = self.controller.entries.get(key)
        if entry is None or not entry.path:
            return False
        folder = Path(entry.path).parent
        return self.open_url(QUrl.fromLocalFile(str(folder)))

    # -- engine and seconds per page -----------------------------------------------------
    def _on_page_started(self, key: str, index: int) -> None:
        entry = self.controller.entries.get(key)
        if entry is None:
            return
        entry.started_at[index] = time.monotonic()
        name = self.controller.bridge.engine_name_for(key)
        if name and name != entry.engine:
            entry.engine = name
            self.refresh_twins()

    def _on_page_done(self, key: str, page: Page) -> None:
        entry = self.controller.entries.get(key)
        if entry is None:
            return
        started = entry.started_at.pop(page.index, None)
        if started is not None and page.status not in (PageStatus.PENDING, PageStatus.FAILED):
            entry.page_seconds[page.index] = time.monotonic() - started
        self.window.documents.update_document(entry)

    def refresh_twins(self) -> None:
        """Entries with the same name say what differs; the others lose their hint."""
        entries = list(self.controller.entries.values())
        hints = twin_hints(entries)
        for entry in entries:
            hint = hints.get(entry.key, "")
            if hint != entry.twin_hint:
                entry.twin_hint = hint
                self.window.documents.update_document(entry)
