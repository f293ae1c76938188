"""The Extract tab: a schema (a shipped template, a file, or typed), run, the fields as a form.

The pane only shows and asks; ``control/extractcontrol.py`` runs the extraction off the GUI
thread and hands rows back. Each field has a button that shows where on the page its
value was read (when the model gave a box); a value can be fixed by hand; all rows are
exported to CSV or XLSX.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.schemas import cell_text
from desktop.ui.look.icons import line_icon, resources_dir
from desktop.ui.state.extractrows import ExtractRow

#: The shipped templates, in the order the picker lists them (resources/schemas/<id>.json).
TEMPLATES = ("invoice", "receipt", "business_card", "table_of_contents")


def template_path(template: str) -> Path:
    return resources_dir() / "schemas" / f"{template}.json"


class ExtractPane(QWidget):
    """Schema, run controls, the form of the selected document's fields, export."""

    run_requested = Signal(bool)  # True: every open document; False: the current one
    cancel_requested = Signal()
    export_requested = Signal(str)  # target path (.csv or .xlsx)
    source_wanted = Signal(str, str)  # row key, column
    value_edited = Signal(str, str, str)  # row key, column, text
    schema_file_chosen = Signal(str)  # a schema file to read (off the GUI thread)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("extract_pane")
        self._rows: dict[str, ExtractRow] = {}
        self._edits: dict[str, QLineEdit] = {}
        self._columns: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(self._build_schema_bar())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("extract_splitter")
        self.schema_edit = QPlainTextEdit()
        self.schema_edit.setObjectName("schema_edit")
        self.schema_edit.setAccessibleName(self.tr("JSON Schema of the fields to extract"))
        self.schema_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.schema_edit.setPlaceholderText(self.tr("Pick a template or write a JSON Schema"))
        self.schema_edit.textChanged.connect(self._on_schema_typed)
        splitter.addWidget(self.schema_edit)
        splitter.addWidget(self._build_results())
        splitter.setSizes([160, 420])
        layout.addWidget(splitter, 1)
        self.template_combo.setCurrentIndex(0)
        self._load_template(0)

    # -- construction --------------------------------------------------------------------
    def _build_schema_bar(self) -> QVBoxLayout:
        box = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Schema")))
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("schema_template")
        self.template_combo.setAccessibleName(self.tr("Schema template"))
        names = {
            "invoice": self.tr("Invoice"),
            "receipt": self.tr("Receipt"),
            "business_card": self.tr("Business card"),
            "table_of_contents": self.tr("Table of contents"),
        }
        for template in TEMPLATES:
            self.template_combo.addItem(names[template], template)
        self.template_combo.addItem(self.tr("Custom"), "")
        self.template_combo.activated.connect(self._load_template)
        top.addWidget(self.template_combo, 1)
        self.open_button = QPushButton(self.tr("Open schema…"))
        self.open_button.setObjectName("schema_open")
        self.open_button.clicked.connect(self._choose_schema)
        top.addWidget(self.open_button)
        box.addLayout(top)
        run = QHBoxLayout()
        self.run_button = QPushButton(self.tr("Extract this document"))
        self.run_button.setObjectName("extract_run")
        self.run_all_button = QPushButton(self.tr("Extract all open documents"))
        self.run_all_button.setObjectName("extract_run_all")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("extract_cancel")
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(lambda: self.run_requested.emit(False))
        self.run_all_button.clicked.connect(lambda: self.run_requested.emit(True))
        self.cancel_button.clicked.connect(self.cancel_requested)
        for button in (self.run_button, self.run_all_button, self.cancel_button):
            run.addWidget(button)
        run.addStretch(1)
        box.addLayout(run)
        self.progress = QProgressBar()
        self.progress.setObjectName("extract_progress")
        self.progress.setAccessibleName(self.tr("Extraction progress"))
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.hide()
        box.addWidget(self.progress)
        self.status = QLabel()
        self.status.setObjectName("extract_status")
        self.status.setWordWrap(True)
        box.addWidget(self.status)
        return box

    def _build_results(self) -> QWidget:
        results = QWidget()
        layout = QVBoxLayout(results)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel(self.tr("Fields of")))
        self.row_combo = QComboBox()
        self.row_combo.setObjectName("extract_rows")
        self.row_combo.setAccessibleName(self.tr("Extracted document"))
        self.row_combo.currentIndexChanged.connect(lambda _i: self._show_row())
        head.addWidget(self.row_combo, 1)
        self.export_button = QPushButton(self.tr("Export rows…"))
        self.export_button.setObjectName("extract_export")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._choose_export)
        head.addWidget(self.export_button)
        layout.addLayout(head)
        self.row_error = QLabel()
        self.row_error.setObjectName("extract_row_error")
        self.row_error.setWordWrap(True)
        self.row_error.hide()
        layout.addWidget(self.row_error)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea()
        scroll.setObjectName("extract_form")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_host)
        layout.addWidget(scroll, 1)
        return results

    # -- schema --------------------------------------------------------------------------
    def schema_text(self) -> str:
        return self.schema_edit.toPlainText()

    def set_schema_text(self, text: str) -> None:
        self.schema_edit.blockSignals(True)
        self.schema_edit.setPlainText(text)
        self.schema_edit.blockSignals(False)

    def _load_template(self, index: int) -> None:
        template = self.template_combo.itemData(index)
        if not template:
            return
        try:
            text = template_path(str(template)).read_text(encoding="utf-8")
        except OSError as exc:  # a damaged install: say so, keep what was typed
            self.set_status(self.tr("The template cannot be read: %1").replace("%1", str(exc)))
            return
        self.set_schema_text(text)

    def _on_schema_typed(self) -> None:
        self.template_combo.setCurrentIndex(self.template_combo.count() - 1)  # Custom

    def _choose_schema(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open a JSON Schema"), "", self.tr("JSON Schema (*.json);;All files (*)")
        )
        if path:
            self.schema_file_chosen.emit(path)

    # -- running -------------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.run_all_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)

    def set_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.status.setText(text)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def is_running(self) -> bool:
        return self.cancel_button.isEnabled()

    # -- rows ----------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[ExtractRow], columns: Sequence[str], show: str = "") -> None:
        """Show ``rows`` (``show``: the key of the one to select, else keep the selection)."""
        keep = show or (self.row_combo.currentData() or "")
        self._rows = {row.key: row for row in rows}
        self._columns = list(columns)
        self.row_combo.blockSignals(True)
        self.row_combo.clear()
        for row in rows:
            self.row_combo.addItem(row.name, row.key)
        found = self.row_combo.findData(keep)
        self.row_combo.setCurrentIndex(found if found >= 0 else 0)
        self.row_combo.blockSignals(False)
        self.export_button.setEnabled(any(not row.error for row in rows))
        self._show_row()

    def current_row(self) -> ExtractRow | None:
        return self._rows.get(self.row_combo.currentData() or "")

    def field_edit(self, column: str) -> QLineEdit | None:
        return self._edits.get(column)

    def _show_row(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self._edits.clear()
        row = self.current_row()
        self.row_error.setVisible(bool(row and row.error))
        self.row_error.setText(row.error if row else "")
        if row is None or row.error:
            return
        for column in self._columns:
            self.form.addRow(column, self._field(row, column))

    def _field(self, row: ExtractRow, column: str) -> QWidget:
        holder = QWidget()
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit(cell_text(row.values.get(column, "")))
        edit.setObjectName(f"field:{column}")
        edit.setAccessibleName(column)
        edit.setProperty("edited", column in row.edited)
        if column in row.edited:
            font = edit.font()
            font.setItalic(True)
            edit.setFont(font)
        edit.textEdited.connect(lambda text, c=column: self._edited(c, text))
        edit.installEventFilter(self)
        locate = QToolButton()
        locate.setObjectName(f"locate:{column}")
        locate.setIcon(line_icon("region", self.palette().windowText().color().name()))
        locate.setAccessibleName(self.tr("Show where this value was read"))
        has_source = bool(row.sources.get(column))
        locate.setEnabled(has_source)
        locate.setToolTip(
            self.tr("Show where this value was read")
            if has_source
            else self.tr("The model gave no place on the page for this value")
        )
        locate.clicked.connect(lambda _c=False, c=column: self._locate(c))
        line.addWidget(edit, 1)
        line.addWidget(locate)
        self._edits[column] = edit
        return holder

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            column = next((c for c, e in self._edits.items() if e is watched), "")
            row = self.current_row()
            if column and row is not None and row.sources.get(column):
                self._locate(column)
        return super().eventFilter(watched, event)

    def _locate(self, column: str) -> None:
        row = self.current_row()
        if row is not None:
            self.source_wanted.emit(row.key, column)

    def _edited(self, column: str, text: str) -> None:
        row = self.current_row()
        if row is None:
            return
        edit = self._edits.get(column)
        if edit is not None and not edit.property("edited"):
            edit.setProperty("edited", True)
            font = edit.font()
            font.setItalic(True)  # a value fixed by hand reads apart from the model's
            edit.setFont(font)
        self.value_edited.emit(row.key, column, text)

    def _choose_export(self) -> None:
        csv_filter = self.tr("CSV (*.csv)")
        xlsx_filter = self.tr("Excel workbook (*.xlsx)")
        path, chosen = QFileDialog.getSaveFileName(
            self, self.tr("Export extracted rows"), "extracted.csv", f"{csv_filter};;{xlsx_filter}"
        )
        if not path:
            return
        if Path(path).suffix.lower() not in (".csv", ".xlsx"):
            path += ".xlsx" if chosen == xlsx_filter else ".csv"
        self.export_requested.emit(path)
