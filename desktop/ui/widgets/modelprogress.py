"""The model panel's progress bar: image pull and weights download in bytes (the weights with
speed and time left), start-up stages in steps, a busy bar while stopping."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QProgressBar

from desktop.ui.words.modelwords import GIB, weights_progress_words

STAGES = (
    "downloading the image",
    "starting container",
    "loading weights",
    "profiling memory",
    "allocating KV cache",
    "capturing CUDA graphs",
    "starting API server",
)
WEIGHTS_STAGE = "downloading the weights"


def _gib(n: float) -> str:
    return f"{n / GIB:.1f} GiB"


def show_progress(bar: QProgressBar, status: Any, state: str) -> None:
    """Set ``bar`` for ``status`` (a runtime ControllerStatus) in ``state``."""
    if state == "pulling" and status.total_bytes:
        percent = round(100 * status.pulled_bytes / max(1, status.total_bytes))
        bar.setRange(0, 100)
        bar.setValue(percent)
        bar.setTextVisible(True)
        if status.stage == WEIGHTS_STAGE:
            bar.setFormat(weights_progress_words(status))
        else:
            bar.setFormat(
                QCoreApplication.translate("ModelPanel", "%1 of %2 (%3%)")
                .replace("%1", _gib(status.pulled_bytes))
                .replace("%2", _gib(status.total_bytes))
                .replace("%3", str(percent))
            )
        bar.show()
    elif state == "starting":
        stage = STAGES.index(status.stage) if status.stage in STAGES else 1
        bar.setRange(0, len(STAGES) - 1)
        bar.setValue(max(0, stage))
        bar.setTextVisible(False)  # the stage is named in the line above
        bar.show()
    elif state in ("pulling", "stopping"):
        bar.setTextVisible(False)
        bar.setRange(0, 0)
        bar.show()
    else:
        bar.hide()
