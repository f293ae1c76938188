"""The model panel's "Downloaded models": each model's weights on this computer with their size,
and Delete (asked first; refused while that model runs). Listing and deleting walk the disk in a
worker thread; the answers come back to the GUI thread through a signal."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.ui.words.facts import fact_words, facts_words

logger = logging.getLogger(__name__)


class _Relay(QObject):
    listed = Signal(object, int)  # list[Downloaded], the attempt it answers
    deleted = Signal(object)  # Msg or DotsError


def _root() -> Path | None:
    from desktop.runtime.weightsfetch import weights_root

    return weights_root("")


def _ask(parent: QWidget, question: str) -> bool:
    title = fact_words(Msg(Code.WEIGHTS_LIST_TITLE))
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes


class WeightsList(QWidget):
    """``running()`` gives the Hugging Face ids of the models pulled, started or serving."""

    def __init__(
        self,
        running: Callable[[], frozenset[str]],
        root: Callable[[], Path | None] = _root,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._running = running
        self._root = root
        self.confirm: Callable[[QWidget, str], bool] = _ask  # tests answer for the user
        self._attempt = 0
        self._sizes: dict[str, int] = {}
        title = QLabel(fact_words(Msg(Code.WEIGHTS_LIST_TITLE)))
        title.setObjectName("section_label")
        self.list = QListWidget()
        self.list.setObjectName("downloaded_models")
        self.list.setAccessibleName(title.text())
        self.list.setMaximumHeight(110)
        self.delete_button = QPushButton(fact_words(Msg(Code.WEIGHTS_DELETE_BUTTON)))
        self.delete_button.setObjectName("delete_weights")
        self.result = QLabel()
        self.result.setObjectName("weights_result")
        self.result.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.result, 1)
        row.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self._relay = _Relay(self)
        self._relay.listed.connect(self._show)
        self._relay.deleted.connect(self._on_deleted)
        self.list.currentItemChanged.connect(lambda *_: self.sync())
        self.delete_button.clicked.connect(self.delete_selected)
        self.sync()

    # -- listing ----------------------------------------------------------------------
    def refresh(self) -> None:
        """List the folder again (in a worker thread)."""
        self._attempt += 1
        attempt = self._attempt
        threading.Thread(
            target=self._list, args=(attempt,), name="dots-weights-list", daemon=True
        ).start()

    def _list(self, attempt: int) -> None:
        from desktop.runtime.weightstore import downloaded

        root = self._root()
        try:
            found = downloaded(root) if root is not None else []
        except OSError as exc:
            logger.info("weights folder unreadable: %s", exc)
            found = []
        self._emit(self._relay.listed, found, attempt)

    def _show(self, found: object, attempt: int) -> None:
        if attempt != self._attempt:
            return  # an older listing
        assert isinstance(found, list)
        selected = self.selected()
        self.list.clear()
        self._sizes = {}
        for entry in found:
            item = QListWidgetItem(fact_words(entry.fact()))
            item.setData(Qt.ItemDataRole.UserRole, entry.repo_id)
            self.list.addItem(item)
            self._sizes[entry.repo_id] = entry.size
            if entry.repo_id == selected:
                self.list.setCurrentItem(item)
        if not found:
            empty = QListWidgetItem(fact_words(Msg(Code.WEIGHTS_NONE)))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        self.sync()

    def selected(self) -> str | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return str(value) if value else None

    def sync(self) -> None:
        """Delete is on for a selected model that does not run; the reason shows when it runs."""
        repo = self.selected()
        running = repo is not None and repo in self._running()
        self.delete_button.setEnabled(repo is not None and not running)
        why = Msg.of(Code.WEIGHTS_DELETE_RUNNING, model=repo) if running else None
        self.delete_button.setToolTip(
            facts_words((why, Msg(Code.FIX_WEIGHTS_DELETE_RUNNING))) if why else ""
        )

    # -- deleting ---------------------------------------------------------------------
    def delete_selected(self) -> None:
        repo = self.selected()
        if repo is None:
            return
        size = self._sizes.get(repo, 0) / 1024**3
        question = fact_words(Msg.of(Code.WEIGHTS_DELETE_CONFIRM, model=repo, size_gib=size))
        if not self.confirm(self, question):
            return
        running = self._running()  # asked again now: it may have started meanwhile
        self.delete_button.setEnabled(False)
        threading.Thread(
            target=self._delete, args=(repo, running), name="dots-weights-delete", daemon=True
        ).start()

    def _delete(self, repo: str, running: frozenset[str]) -> None:
        from desktop.runtime.weightstore import delete

        root = self._root()
        outcome: Msg | DotsError
        try:
            outcome = delete(root, repo, running) if root is not None else Msg(Code.WEIGHTS_NONE)
        except DotsError as exc:
            outcome = exc
        self._emit(self._relay.deleted, outcome)

    def _on_deleted(self, outcome: object) -> None:
        if isinstance(outcome, DotsError):
            self.result.setText(facts_words(outcome.facts))
        elif isinstance(outcome, Msg):
            self.result.setText(fact_words(outcome))
        self.refresh()

    def _emit(self, signal: object, *args: object) -> None:
        try:
            signal.emit(*args)  # type: ignore[attr-defined]  # queued to the GUI thread
        except RuntimeError:  # the panel closed meanwhile
            logger.debug("weights answer after the panel closed")
