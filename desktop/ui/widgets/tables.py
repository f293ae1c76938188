"""Table viewer: every table of the document, editable, copied as spreadsheet cells."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.clipboard import spreadsheet_html
from desktop.core.document import Document
from desktop.core.numbers import NumberConvention
from desktop.core.sheets import document_convention, document_sheet_tables
from desktop.core.tables import TableCell, TableGrid

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class NamedTable:
    """A table found in the document, with where it came from."""

    title: str
    page_index: int
    grid: TableGrid


def document_tables(doc: Document) -> list[NamedTable]:
    """Every table of the document, as the workbook names them (a Table block's second
    table included); each block is parsed once (``read_table_block`` keeps it)."""
    return [
        NamedTable(t.name, t.page_index or 0, t.grid)
        for t in document_sheet_tables(doc)
        if t.grid.rows and t.grid.cols
    ]


class TableModel(QAbstractTableModel):
    """Cells of one TableGrid as an editable matrix; merged cells become view spans."""

    def __init__(self, grid: TableGrid, parent: Any = None) -> None:
        super().__init__(parent)
        self.set_grid(grid)

    def set_grid(self, grid: TableGrid) -> None:
        self.beginResetModel()
        self._rows, self._cols = grid.rows, grid.cols
        self._cells: dict[tuple[int, int], TableCell] = {(c.row, c.col): c for c in grid.cells}
        self._text = grid.as_matrix()
        self.endResetModel()

    def spans(self) -> list[TableCell]:
        return [c for c in self._cells.values() if c.rowspan > 1 or c.colspan > 1]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._cols

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole) and index.isValid():
            return self._text[index.row()][index.column()]
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        self._text[index.row()][index.column()] = str(value)
        self.dataChanged.emit(index, index, [role])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    def grid(self, top: int = 0, left: int = 0, bottom: int = -1, right: int = -1) -> TableGrid:
        """The (edited) table, or the rectangle [top..bottom] x [left..right] of it."""
        bottom = self._rows - 1 if bottom < 0 else bottom
        right = self._cols - 1 if right < 0 else right
        cells = []
        for (r, c), cell in sorted(self._cells.items()):
            if top <= r <= bottom and left <= c <= right:
                cells.append(
                    TableCell(
                        row=r - top,
                        col=c - left,
                        rowspan=min(cell.rowspan, bottom - r + 1),
                        colspan=min(cell.colspan, right - c + 1),
                        text=self._text[r][c],
                        header=cell.header,
                    )
                )
        return TableGrid(rows=bottom - top + 1, cols=right - left + 1, cells=tuple(cells))


def grid_mime(
    grid: TableGrid, convention: NumberConvention = NumberConvention.DECIMAL_POINT
) -> QMimeData:
    """HTML (spans kept, numbers typed as printed) for spreadsheets, TSV for plain text."""
    from desktop.core.clipcontent import ClipContent
    from desktop.ui.state.clipmime import content_mime  # the one clipboard layout

    tsv = grid.to_tsv()
    return content_mime(ClipContent(text=tsv, html=spreadsheet_html(grid, convention), tsv=tsv))


class TablesPanel(QWidget):
    """A table picker, the editable grid, and copy/export buttons."""

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tables_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        bar = QHBoxLayout()
        self.picker = QComboBox()
        self.picker.setObjectName("table_picker")
        self.picker.setAccessibleName(self.tr("Table"))
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setObjectName("copy_table")
        self.copy_button.setToolTip(
            self.tr("Copy the selection, or the whole table (Ctrl+Shift+C)")
        )
        self.csv_button = QPushButton(self.tr("CSV…"))
        self.csv_button.setObjectName("export_csv")
        self.xlsx_button = QPushButton(self.tr("Excel…"))
        self.xlsx_button.setObjectName("export_xlsx")
        bar.addWidget(self.picker, 1)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.xlsx_button)
        layout.addLayout(bar)
        self.view = QTableView()
        self.view.setObjectName("table_view")
        self.view.setAccessibleName(self.tr("Table cells"))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.empty = QLabel(self.tr("No tables on the pages read so far."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("empty_hint")
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        self.model = TableModel(TableGrid(rows=0, cols=0, cells=()), self)
        self.view.setModel(self.model)
        self._tables: list[NamedTable] = []
        self._document: Document | None = None
        self.picker.currentIndexChanged.connect(self._show)
        self.copy_button.clicked.connect(self.copy)
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        shortcut = QShortcut(QKeySequence("Ctrl+Shift+C"), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self.copy)
        copy_sc = QShortcut(QKeySequence.StandardKey.Copy, self.view)
        copy_sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        copy_sc.activated.connect(self.copy)
        self._sync_empty()

    def set_document(self, doc: Document | None) -> None:
        self._document = doc  # its language decides number separators at copy and export
        tables = document_tables(doc) if doc is not None else []
        if [t.grid for t in tables] == [t.grid for t in self._tables]:
            return  # unchanged: keep the user's edits and selection
        self._tables = tables
        self.picker.blockSignals(True)
        self.picker.clear()
        for t in tables:
            self.picker.addItem(
                self.tr("Page %1, table %2 (%3×%4)")
                .replace("%1", str(t.page_index + 1))
                .replace("%2", t.title.rsplit("_t", 1)[-1])
                .replace("%3", str(t.grid.rows))
                .replace("%4", str(t.grid.cols))
            )
        self.picker.blockSignals(False)
        self._show(0)
        self._sync_empty()

    def show_table(self, page_index: int, ordinal: int) -> bool:
        """Pick the ``ordinal``-th table (from 1) of page ``page_index``; False if not listed."""
        title = f"p{page_index + 1}_t{ordinal}"
        for row, table in enumerate(self._tables):
            if table.title == title:
                self.picker.setCurrentIndex(row)
                return True
        return False

    def current_title(self) -> str:
        row = self.picker.currentIndex()
        return self._tables[row].title if 0 <= row < len(self._tables) else ""

    def _convention(self) -> NumberConvention:
        doc = self._document
        return document_convention(doc) if doc is not None else NumberConvention.DECIMAL_POINT

    def table_count(self) -> int:
        return len(self._tables)

    def _sync_empty(self) -> None:
        has = bool(self._tables)
        self.view.setVisible(has)
        self.empty.setVisible(not has)
        for w in (self.copy_button, self.csv_button, self.xlsx_button, self.picker):
            w.setEnabled(has)

    def _show(self, row: int) -> None:
        grid = self._tables[row].grid if 0 <= row < len(self._tables) else TableGrid(0, 0, ())
        self.view.clearSpans()
        self.model.set_grid(grid)
        for cell in self.model.spans():
            self.view.setSpan(cell.row, cell.col, cell.rowspan, cell.colspan)

    def selected_grid(self) -> TableGrid:
        """The selected rectangle (bounding box of the selection), else the whole table."""
        indexes = self.view.selectionModel().selectedIndexes()
        if len(indexes) <= 1:
            return self.model.grid()
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes]
        return self.model.grid(min(rows), min(cols), max(rows), max(cols))

    def copy(self) -> None:
        if not self._tables:
            return
        grid = self.selected_grid()
        QGuiApplication.clipboard().setMimeData(grid_mime(grid, self._convention()))
        self.message.emit(
            self.tr("Copied %1 rows × %2 columns: paste into a spreadsheet.")
            .replace("%1", str(grid.rows))
            .replace("%2", str(grid.cols))
        )

    def export(self, fmt: str, path: str | None = None) -> str:
        """Write the current table as CSV (UTF-8 BOM) or all tables as XLSX; returns the path."""
        if not self._tables:
            return ""
        row = max(0, self.picker.currentIndex())
        name = self._tables[row].title
        if path is None:
            filt = self.tr("CSV (*.csv)") if fmt == "csv" else self.tr("Excel workbook (*.xlsx)")
            from desktop.ui.state.savepaths import beside_source

            source = self._document.source if self._document is not None else ""
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export table"), beside_source(source, f"{name}.{fmt}"), filt
            )
            if not path:
                return ""
        from desktop.core.exports import write_csv, write_xlsx

        # The same tables as the picker's (same document, same filter), with captions and
        # the text of their Table block around them; the shown one as edited.
        sheets = document_sheet_tables(self._document) if self._document else []
        at = next(i for i, sheet in enumerate(sheets) if sheet.name == name)
        sheets[at] = replace(sheets[at], grid=self.model.grid())
        try:
            if fmt == "csv":
                write_csv(sheets[at], Path(path))
            else:
                write_xlsx(sheets, Path(path), self._convention())
        except OSError as exc:
            self.message.emit(self.tr("Could not save: %1").replace("%1", str(exc)))
            return ""
        self.message.emit(self.tr("Saved %1").replace("%1", path))
        return path
