"""What the first paint shows before the real panels exist: the drop zone and stand-ins.

The window builds these before anything else (see window.py); names of PySide6's ``Qt``
namespace wait until after the first paint, as each costs enum set-up.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


class DropZone(QFrame):
    """The empty state: what to do, and which engine will do it.

    A QFrame (draws its style-sheet background) with centred labels; the centring is
    set again in code by ``centre()`` after the first paint. Before it, the style sheet's
    ``qproperty-alignment`` does it: naming ``Qt`` in Python costs ~20 ms of enum set-up.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drop_zone")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)  # + the style sheet's margin and border
        layout.addStretch(2)
        self.title = QLabel(self.tr("Drop scans, photos or PDFs here, or paste with Ctrl+V"))
        self.title.setObjectName("drop_title")
        self.title.setWordWrap(True)
        self.engine_line = QLabel()
        self.engine_line.setObjectName("drop_engine_line")
        self.engine_line.setWordWrap(True)
        self.hint = QLabel(
            self.tr("Tables can be copied into a spreadsheet; chat asks about the page.")
        )
        self.hint.setObjectName("drop_hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addSpacing(10)
        layout.addWidget(self.engine_line)
        layout.addSpacing(4)
        layout.addWidget(self.hint)
        layout.addStretch(3)

    def centre(self) -> None:
        from PySide6.QtCore import Qt

        for label in (self.title, self.engine_line, self.hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)


def documents_skeleton() -> QWidget:
    """What the documents pane shows before its lists exist: the same labels and frames.

    Both lists are empty at the first paint (history is read after it), so this looks
    the same as DocumentsPanel while costing none of its list-view set-up (~8 ms).
    """
    from PySide6.QtCore import QCoreApplication

    pane = QWidget()
    pane.setObjectName("documents_panel")
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(8, 8, 4, 8)  # as DocumentsPanel
    layout.setSpacing(6)
    for label, stretch in (("Documents", 2), ("Pages", 5)):
        title = QLabel(QCoreApplication.translate("DocumentsPanel", label))
        title.setObjectName("section_label")
        frame = QFrame()
        frame.setObjectName("list_placeholder")
        layout.addWidget(title)
        layout.addWidget(frame, stretch)
    return pane
