"""A page's formula, rendered: LaTeX -> SVG by ziamath (pure Python), shown with QtSvg.

It appears above the page text when a Formula block is clicked on the page or in the
text, with "Copy as LaTeX" and "Copy as MathML". Rendering runs in Qt's thread pool (a
long formula takes tens of milliseconds) and each LaTeX is rendered once (cached). A
formula ziamath cannot render shows its LaTeX with a one-line note.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core.document import Block

logger = logging.getLogger(__name__)

#: Rendered formulas kept (LaTeX -> SVG bytes, or None for one that cannot be rendered).
CACHE_SIZE = 256
#: Point size formulas are rendered at; the view scales the SVG to fit its height.
RENDER_SIZE = 28
MAX_HEIGHT = 160


def render_svg(latex: str) -> bytes:
    """``latex`` as SVG 1.1 bytes (xlink:href, which QtSvg reads); raises on LaTeX it
    cannot parse."""
    import ziamath

    ziamath.config.svg2 = False
    return ziamath.Latex(latex, size=RENDER_SIZE).svg().encode("utf-8")


def latex_to_mathml(latex: str) -> str:
    """``latex`` as a MathML ``<math>`` element (display block), for Word and browsers."""
    from latex2mathml.converter import convert

    return str(convert(latex, display="block"))


def formula_latex(block: Block) -> str:
    """A Formula block's LaTeX without the ``$$``/``\\[`` fences models sometimes add."""
    text = (block.text or "").strip()
    for start, end in (("$$", "$$"), ("\\[", "\\]"), ("$", "$")):
        if text.startswith(start) and text.endswith(end) and len(text) > len(start + end):
            return text[len(start) : -len(end)].strip()
    return text


_POOL: list[QThreadPool] = []


def _pool() -> QThreadPool:
    """One render thread: ziamath keeps font state in globals."""
    if not _POOL:
        pool = QThreadPool()
        pool.setMaxThreadCount(1)
        _POOL.append(pool)
    return _POOL[0]


class _Rendered(QObject):
    done = Signal(str, object)  # latex, SVG bytes or None


class _RenderJob(QRunnable):
    def __init__(self, latex: str, sink: _Rendered) -> None:
        super().__init__()
        self.latex = latex
        self.sink = sink

    def run(self) -> None:
        try:
            svg: bytes | None = render_svg(self.latex)
        except Exception:  # ziamath/latex2mathml raise many kinds on bad LaTeX
            logger.info("formula not rendered: %r", self.latex[:200], exc_info=True)
            svg = None
        self.sink.done.emit(self.latex, svg)


class FormulaBox(QWidget):
    """The rendered formula of the selected Formula block, with its copy buttons."""

    rendered = Signal(bool)  # True: drawn, False: shown as LaTeX with the note

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formula_box")
        self._latex = ""
        self._cache: OrderedDict[str, bytes | None] = OrderedDict()
        self._sink = _Rendered(self)
        self._sink.done.connect(self._on_rendered, Qt.ConnectionType.QueuedConnection)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        head = QHBoxLayout()
        title = QLabel(self.tr("Formula"))
        title.setObjectName("section_label")
        head.addWidget(title)
        head.addStretch(1)
        self.copy_latex = QPushButton(self.tr("Copy as LaTeX"))
        self.copy_latex.setObjectName("copy_latex")
        self.copy_mathml = QPushButton(self.tr("Copy as MathML"))
        self.copy_mathml.setObjectName("copy_mathml")
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("formula_close")
        for button in (self.copy_latex, self.copy_mathml, self.close_button):
            head.addWidget(button)
        layout.addLayout(head)
        self.svg = QSvgWidget()
        self.svg.setObjectName("formula_svg")
        self.svg.setAccessibleName(self.tr("Rendered formula"))
        layout.addWidget(self.svg, 0, Qt.AlignmentFlag.AlignHCenter)
        self.source = QLabel()
        self.source.setObjectName("formula_latex")
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.source)
        self.note = QLabel()
        self.note.setObjectName("formula_note")
        self.note.hide()
        layout.addWidget(self.note)
        self.copy_latex.clicked.connect(self._copy_latex)
        self.copy_mathml.clicked.connect(self._copy_mathml)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    # -- what the window calls ---------------------------------------------------------
    def show_block_at(self, blocks: Callable[[], Sequence[Block]], position: int) -> None:
        """Show the block at ``position`` of ``blocks()`` if it is a formula; else hide."""
        found = blocks()
        block = found[position] if 0 <= position < len(found) else None
        if block is None or block.category != "Formula" or not (block.text or "").strip():
            self.hide()
            return
        self.show_latex(formula_latex(block))

    def show_latex(self, latex: str) -> None:
        self._latex = latex
        self.source.setText(latex)
        self.show()
        if latex in self._cache:
            self._cache.move_to_end(latex)
            self._draw(self._cache[latex])
            return
        self.svg.hide()
        self.note.hide()
        _pool().start(_RenderJob(latex, self._sink))

    def latex(self) -> str:
        return self._latex

    def is_rendered(self) -> bool:
        return self.isVisible() and self.svg.isVisible()

    # -- rendering ----------------------------------------------------------------------
    def _on_rendered(self, latex: str, svg: bytes | None) -> None:
        self._cache[latex] = svg
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        if latex == self._latex:
            self._draw(svg)

    def _draw(self, svg: bytes | None) -> None:
        if svg is None:
            self.svg.hide()
            self.note.setText(self.tr("This formula could not be drawn; its LaTeX is shown."))
            self.note.show()
            self.rendered.emit(False)
            return
        self.note.hide()
        # ziamath draws in black: in the text colour, the formula reads on a dark theme too.
        colour = self.palette().windowText().color().name()
        self.svg.load(QByteArray(svg.replace(b'fill="black"', f'fill="{colour}"'.encode())))
        size = self.svg.renderer().defaultSize()
        if size.height() > MAX_HEIGHT:  # keep the aspect ratio, cap the height
            size = QSize(max(1, size.width() * MAX_HEIGHT // size.height()), MAX_HEIGHT)
        self.svg.setFixedSize(size)
        self.svg.show()
        self.rendered.emit(True)

    # -- copying ------------------------------------------------------------------------
    def _copy_latex(self) -> None:
        QGuiApplication.clipboard().setText(self._latex)

    def _copy_mathml(self) -> None:
        from PySide6.QtCore import QMimeData

        try:
            mathml = latex_to_mathml(self._latex)
        except Exception:  # latex2mathml raises many kinds on LaTeX it cannot parse
            logger.info("no MathML for %r", self._latex[:200], exc_info=True)
            self.note.setText(self.tr("This formula cannot be written as MathML."))
            self.note.show()
            return
        mime = QMimeData()
        mime.setText(mathml)
        mime.setData("application/mathml+xml", QByteArray(mathml.encode("utf-8")))
        QGuiApplication.clipboard().setMimeData(mime)
