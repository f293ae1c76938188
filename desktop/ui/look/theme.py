"""Light and dark looks that follow the system colour scheme."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.ui.look.icons import FULLNESS

LIGHT = {
    "window": "#f5f6f8",
    "base": "#ffffff",
    "alt": "#f0f2f5",
    "text": "#1f2329",
    "mid": "#d5d9e0",
    "muted": "#6b7280",
    "accent": "#2f6fde",
    "drop": "#eef3fd",
}
DARK = {
    "window": "#1e2024",
    "base": "#25282d",
    "alt": "#2b2f35",
    "text": "#e6e8eb",
    "mid": "#3a3f47",
    "muted": "#9aa1ab",
    "accent": "#5b92f0",
    "drop": "#232a36",
}


def system_is_dark() -> bool:
    from PySide6.QtCore import Qt

    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def chosen_dark(theme: str, system_dark: bool) -> bool:
    """Dark or not for the theme setting: light and dark are fixed, system follows the OS."""
    return theme == "dark" if theme in ("light", "dark") else system_dark


def platform_palette_is_dark() -> bool:
    """Before our palette is set: whether the platform's is dark (Qt 6.5+ follows the
    system scheme there). Used for the first paint, where ``system_is_dark`` would name
    ``Qt`` (~20 ms of enum set-up); DesktopApp corrects with it right after."""
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


_applied: list[bool] = []  # the last palette apply_theme set: dark or not


def applied_dark() -> bool | None:
    return _applied[-1] if _applied else None


def colours(dark: bool) -> dict[str, str]:
    return DARK if dark else LIGHT


def apply_theme(
    app: QApplication, dark: bool | None = None, *, set_style: bool = True, sheet: bool = True
) -> bool:
    """Fusion with our palette and a small style sheet; returns whether dark was chosen.

    ``set_style=False``: the application was started with ``-style Fusion`` already.
    ``sheet=False``: palette only; the caller sets ``style_sheet(dark)`` later. Before the
    first paint that is after the window is built: with an application style sheet in
    place, each widget added to a parent restyles its whole subtree again (~150 style
    changes, ~8 ms, for our window); set afterwards, each widget is styled once.
    """
    dark = system_is_dark() if dark is None else dark
    _applied[:] = [dark]
    c = colours(dark)
    if set_style:
        app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(c["window"]))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(c["text"]))
    pal.setColor(QPalette.ColorRole.Base, QColor(c["base"]))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(c["alt"]))
    pal.setColor(QPalette.ColorRole.Text, QColor(c["text"]))
    pal.setColor(QPalette.ColorRole.Button, QColor(c["base"] if not dark else c["alt"]))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(c["text"]))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(c["accent"]))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(c["base"]))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor(c["text"]))
    pal.setColor(QPalette.ColorRole.Mid, QColor(c["mid"]))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(c["muted"]))
    pal.setColor(QPalette.ColorRole.Link, QColor(c["accent"]))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(c["muted"]))
    app.setPalette(pal)
    if sheet:
        app.setStyleSheet(style_sheet(dark))
    return dark


def style_sheet(dark: bool) -> str:
    """The looks a palette cannot give: toolbar, drop zone, tabs, lists, status bar.

    The ``qproperty-`` lines give the first paint what code sets once ``Qt`` is loaded
    (see window.py).
    """
    c = colours(dark)
    return f"""
        QToolBar#main_toolbar {{ padding: 4px 8px; spacing: 6px; border: none;
            border-bottom: 1px solid {c["mid"]}; background: {c["window"]};
            qproperty-toolButtonStyle: ToolButtonTextBesideIcon; }}
        QToolBar#page_toolbar {{ padding: 2px 6px; border: none;
            border-bottom: 1px solid {c["mid"]}; }}
        QToolButton {{ padding: 4px 8px; border-radius: 6px; }}
        QToolButton:hover {{ background: {c["alt"]}; }}
        QToolButton:checked {{ background: {c["drop"]}; border: 1px solid {c["accent"]}; }}
        QToolButton#engine_chip {{ border: 1px solid {c["mid"]}; border-radius: 13px;
            padding: 3px 12px; background: {c["base"]};
            qproperty-toolButtonStyle: ToolButtonTextBesideIcon; }}
        QWidget#drop_zone {{ background: {c["drop"]}; border: 2px dashed {c["accent"]};
            border-radius: 14px; margin: 18px; }}
        QLabel#drop_title, QLabel#drop_engine_line, QLabel#drop_hint {{
            qproperty-alignment: AlignCenter; }}
        QLabel#drop_title {{ font-size: 20px; font-weight: 600; color: {c["text"]}; }}
        QLabel#drop_engine_line {{ font-size: 14px; color: {c["accent"]}; }}
        QLabel#drop_hint, QLabel#empty_hint, QLabel#chat_disabled_reason {{ color: {c["muted"]}; }}
        QLabel#section_label {{ font-weight: 600; color: {c["muted"]}; padding: 2px 2px; }}
        QLabel#page_status {{ color: {c["muted"]}; }}
        QListWidget, QFrame#list_placeholder {{ border: 1px solid {c["mid"]}; border-radius: 8px;
            background: {c["base"]}; }}
        QListWidget#documents_list::item {{ padding: 6px 4px; }}
        QTabWidget::pane {{ border: none; }}
        QTabBar::tab {{ padding: 7px 14px; border: none; background: transparent;
            border-bottom: 2px solid transparent; color: {c["muted"]}; }}
        QTabBar::tab:selected {{ color: {c["text"]}; border-bottom: 2px solid {c["accent"]}; }}
        QTabBar::tab:hover {{ color: {c["text"]}; }}
        QTextBrowser, QPlainTextEdit, QTableView, QFrame#text_placeholder {{
            border: 1px solid {c["mid"]};
            border-radius: 6px;
            background: {c["base"]}; }}
        QStatusBar {{ border-top: 1px solid {c["mid"]}; }}
        QStatusBar QLabel {{ padding: 0 6px; }}
        QProgressBar {{ border: none; background: {c["mid"]}; border-radius: 4px;
            max-height: 8px; }}
        QProgressBar::chunk {{ background: {c["accent"]}; border-radius: 4px; }}
        QLabel#gpu_text[gpu="none"] {{ color: {c["muted"]}; }}
        """ + "".join(
        f'QProgressBar#gpu_bar[level="{level}"]::chunk {{ background: {colour}; }}\n'
        for _limit, level, colour in FULLNESS
    )
