"""A gated model's token, asked once: a password field, kept in the system keyring by a worker
thread (the keyring may wait on D-Bus), then the start is tried again on the GUI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from desktop.core.messages import Code, Msg
from desktop.ui.words.facts import fact_words

logger = logging.getLogger(__name__)


def _ask(parent: QWidget, model: str) -> str:
    text, ok = QInputDialog.getText(
        parent,
        fact_words(Msg(Code.WEIGHTS_TOKEN_TITLE)),
        fact_words(Msg.of(Code.WEIGHTS_TOKEN_ASK, model=model)),
        QLineEdit.EchoMode.Password,
    )
    return text.strip() if ok else ""


class TokenAsk(QObject):
    """``ask(parent, model, then)``: ask, keep the token, then call ``then(fact)``."""

    _kept = Signal(object, object)  # the fact, the callback

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.prompt: Callable[[QWidget, str], str] = _ask  # tests answer for the user
        self._kept.connect(lambda fact, then: then(fact))

    def ask(self, parent: QWidget, model: str, then: Callable[[Msg], None]) -> bool:
        """False when the user gave no token (nothing is started then)."""
        token = self.prompt(parent, model)
        if not token:
            return False
        threading.Thread(
            target=self._keep, args=(token, then), name="dots-hf-token", daemon=True
        ).start()
        return True

    def _keep(self, token: str, then: Callable[[Msg], None]) -> None:
        from desktop.runtime.containers import save_hf_token

        fact = save_hf_token(token)
        try:
            self._kept.emit(fact, then)  # queued to the GUI thread
        except RuntimeError:
            logger.debug("token kept after the panel closed")
