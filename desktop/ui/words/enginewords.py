"""The engine's state in the user's words (the chip, the status bar, the tray, the model panel)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def t(text: str) -> str:
    return QCoreApplication.translate("DesktopApp", text)  # the shell's strings


def state_words(state: str) -> str:
    """``starting``, ``ready``, ``busy``, ``failed`` or ``stopped`` as the user reads it."""
    words = {
        "starting": t("starting…"),
        "ready": t("ready"),
        "busy": t("reading"),
        "failed": t("failed"),
        "stopped": t("not running"),
    }
    return words.get(state, state)
