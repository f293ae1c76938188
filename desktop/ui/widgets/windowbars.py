"""The main window's toolbar (open, paste, OCR mode, engine chip, export, settings) and its
status bar (batch progress, GPU gauge, model state): built for the first paint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QProgressBar,
    QStatusBar,
    QToolBar,
    QToolButton,
    QWidget,
)

from desktop.ui.widgets.statusbar import GpuGauge

#: RecognizeMode values (engines.base), spelled here so the first paint needs no engine code.
MODES = ("layout", "text", "layout-only")


def t(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


# NamedTuples, not dataclasses: dataclasses load after the first paint (test_startup.py).
class Toolbar(NamedTuple):
    bar: QToolBar
    mode_combo: QComboBox
    engine_chip: QToolButton


class StatusParts(NamedTuple):
    batch_label: QLabel
    batch_progress: QProgressBar
    gpu_gauge: GpuGauge
    model_state: QLabel
    model_dot: QLabel


def build_toolbar(
    window: QMainWindow, leading: Sequence[QAction], trailing: Sequence[QAction]
) -> Toolbar:
    """The toolbar, added to ``window``: ``leading`` actions, the mode box, the engine chip,
    then ``trailing`` actions at the far end."""
    bar = QToolBar(t("Main"))
    bar.setObjectName("main_toolbar")
    bar.setMovable(False)
    bar.setIconSize(QSize(20, 20))
    # Text beside icons comes from the style sheet until complete() sets it in code.
    for action in leading:
        bar.addAction(action)
    bar.addSeparator()
    mode_combo = QComboBox()
    mode_combo.setObjectName("ocr_mode")
    mode_combo.setAccessibleName(t("OCR mode"))
    mode_combo.setToolTip(t("What to read from each page"))
    mode_combo.addItem(t("Layout + text"), MODES[0])
    mode_combo.addItem(t("Text only"), MODES[1])
    mode_combo.addItem(t("Layout only"), MODES[2])
    bar.addWidget(mode_combo)
    bar.addSeparator()
    engine_chip = QToolButton()
    engine_chip.setObjectName("engine_chip")
    engine_chip.setAccessibleName(t("Engine and model state"))
    engine_chip.setToolTip(t("The engine reading your pages; click to manage the model"))
    bar.addWidget(engine_chip)
    spacer = QWidget()
    spacer.setSizePolicy(
        spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy()
    )
    bar.addWidget(spacer)
    for action in trailing:
        bar.addAction(action)
    window.addToolBar(bar)
    return Toolbar(bar, mode_combo, engine_chip)


def build_status(status: QStatusBar) -> StatusParts:
    """The status bar's widgets, added to ``status``."""
    status.setObjectName("status_bar")
    batch_label = QLabel()
    batch_label.setObjectName("batch_label")
    batch_progress = QProgressBar()
    batch_progress.setObjectName("batch_progress")
    batch_progress.setAccessibleName(t("Batch progress"))
    batch_progress.setMaximumWidth(200)
    batch_progress.setMaximumHeight(14)
    batch_progress.setTextVisible(False)
    batch_progress.hide()
    gpu_gauge = GpuGauge()
    model_state = QLabel()
    model_state.setObjectName("model_state")
    model_dot = QLabel()
    status.addWidget(batch_label)
    status.addWidget(batch_progress)
    status.addPermanentWidget(gpu_gauge)
    status.addPermanentWidget(model_dot)
    status.addPermanentWidget(model_state)
    return StatusParts(batch_label, batch_progress, gpu_gauge, model_state, model_dot)
