"""Settings' "Test connection": asks the remote server for its models in a worker thread and
says which model it serves, its context length and the round-trip time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.core.messages import Code, Msg
from desktop.ui.words.facts import facts_words

logger = logging.getLogger(__name__)


class _Relay(QObject):
    answered = Signal(object, int)  # ServerProbe, the attempt it answers


class ConnectionTest(QWidget):
    """A button and the answer beside it; ``target()`` gives (address, key) when clicked."""

    def __init__(
        self, target: Callable[[], tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._target = target
        self._attempt = 0
        self._key = ""
        self.button = QPushButton(facts_words((Msg(Code.SETTINGS_TEST_CONNECTION),)))
        self.button.setObjectName("test_connection")
        self.result = QLabel()
        self.result.setObjectName("test_connection_result")
        self.result.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.result, 1)
        self._relay = _Relay(self)
        self._relay.answered.connect(self._show)
        self.button.clicked.connect(self.test)

    def test(self) -> None:
        endpoint, key = self._target()
        self._attempt += 1
        if not endpoint:
            self.result.setText(facts_words((Msg(Code.SETTINGS_NO_ADDRESS),)))
            return
        self._key = key
        self.result.setText(facts_words((Msg(Code.SETTINGS_TESTING),)))
        attempt = self._attempt
        threading.Thread(
            target=self._run, args=(endpoint, key, attempt), name="dots-test-server", daemon=True
        ).start()

    def _run(self, endpoint: str, key: str, attempt: int) -> None:
        from desktop.engines.serverprobe import probe_server

        probe = probe_server(endpoint, key or None)
        try:
            self._relay.answered.emit(probe, attempt)  # queued to the GUI thread
        except RuntimeError:  # the dialog closed meanwhile
            logger.debug("connection test answered after the dialog closed")

    def _show(self, probe: object, attempt: int) -> None:
        if attempt != self._attempt:
            return  # an older click's answer
        from desktop.engines.serverprobe import ServerProbe

        assert isinstance(probe, ServerProbe)
        if not probe.ok:
            self.result.setText(facts_words((probe.problem, probe.fix)))
            return
        ms = round(probe.seconds * 1000)
        if probe.context:
            fact = Msg.of(Code.SETTINGS_TEST_OK, ms=ms, model=probe.model, context=probe.context)
        else:
            fact = Msg.of(Code.SETTINGS_TEST_OK_NO_CONTEXT, ms=ms, model=probe.model)
        self.result.setText(facts_words((fact,)))
