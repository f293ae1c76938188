"""Screenshots of Dots Desktop for review: main window light/dark, English/Russian, the table
viewer, the tray menu, the Extract tab and a rendered formula, against the in-process vLLM
simulator.

    DISPLAY=:99 uv run python scripts/screenshots.py /tmp/shots

Without DISPLAY it renders offscreen (no tray, no full-screen capture). Each variant runs in
its own process so language and palette start clean.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
VARIANTS = ("light-en", "dark-en", "light-ru", "dark-ru")


def run_variant(out: Path, variant: str) -> int:
    """Inside the child: start the simulator and the app, read two files, grab PNGs."""
    sys.path.insert(0, str(REPO))
    from tests.vllm_sim.inprocess import start_sim

    sim = start_sim([], decode_tps=4000.0)
    sims = [sim]
    os.environ["DOTS_DESKTOP_ENDPOINT"] = sim.base_url
    from PySide6.QtCore import QPoint, QTimer

    import desktop.ui.appshell.shell as shell_module
    from desktop.ui import app as app_module

    dark = variant.startswith("dark")
    original_start = shell_module.DesktopApp.start

    def start(self: shell_module.DesktopApp, files: list[str]) -> None:
        original_start(self, files)
        self._retheme(dark)
        self.window.resize(1440, 900)
        if variant == "light-en":
            self.window.grab().save(str(out / "empty-state.png"))
        self.controller.open_files(
            [str(FIXTURES / "two_page_report.pdf"), str(FIXTURES / "journal_page_tables.jpg")]
        )

        def done() -> bool:
            entries = self.controller.entries.values()
            return bool(entries) and all(
                e.page_count and len(e.results) >= e.page_count for e in entries
            )

        def shoot() -> None:
            if not done():
                QTimer.singleShot(200, shoot)
                return
            w = self.window
            w.documents.select_page(0)
            QTimer.singleShot(600, lambda: grab(self))

        QTimer.singleShot(300, shoot)

    def grab(self: shell_module.DesktopApp) -> None:
        w = self.window
        w.grab().save(str(out / f"main-{variant}.png"))
        overlay_and_list_shots(self, out, variant)
        w.tabs.setCurrentWidget(w.tables)
        w.grab().save(str(out / f"tables-{variant}.png"))
        # The chat about a region drawn on the page (as the page view reports one).
        w.page_view.region_selected.emit((120, 160, 1100, 620))
        w.tabs.setCurrentWidget(w.chat)
        w.chat.input.setPlainText("What does this part say?")
        w.chat.send_button.click()
        QTimer.singleShot(300, lambda: chat_done(self))

    def chat_done(self: shell_module.DesktopApp) -> None:
        w = self.window
        if w.chat.is_streaming() or not w.chat.last_answer():
            QTimer.singleShot(200, lambda: chat_done(self))
            return
        w.grab().save(str(out / f"chat-{variant}.png"))
        w.tabs.setCurrentIndex(0)
        menu = self.tray.menu
        menu.popup(w.mapToGlobal(QPoint(w.width() - 320, 60)))
        QTimer.singleShot(400, lambda: finish(self))

    def finish(self: shell_module.DesktopApp) -> None:
        self.tray.menu.grab().save(str(out / f"tray-menu-{variant}.png"))
        if os.environ.get("DISPLAY") and shutil.which("import"):
            subprocess.run(
                ["import", "-window", "root", str(out / f"screen-{variant}.png")],
                check=False,
                timeout=30,
            )
        self.tray.menu.hide()
        self.tray.icon.icon().pixmap(64, 64).save(str(out / f"tray-icon-{variant}.png"))
        dialogs(self)
        extract_shots(self)

    def extract_shots(self: shell_module.DesktopApp) -> None:
        """The Extract tab filled by a chat model (dots.mocr), a source box marked; a formula."""
        from desktop.engines.remote.server import ServerEngine
        from desktop.ui.widgets.documents import USER_ROLE

        chat_sim = start_sim([], model="rednote-hilab/dots.mocr", decode_tps=4000.0)
        sims.append(chat_sim)
        self.bridge.set_engine(ServerEngine(chat_sim.base_url))
        w = self.window
        journal = next(k for k, e in self.controller.entries.items() if e.name.endswith(".jpg"))
        for row in range(w.documents.docs.count()):
            if w.documents.docs.item(row).data(USER_ROLE) == journal:
                w.documents.docs.setCurrentRow(row)
        w.tabs.setCurrentWidget(w.extract)
        w.extract.run_button.click()
        QTimer.singleShot(300, lambda: extract_done(self))

    def extract_done(self: shell_module.DesktopApp) -> None:
        w = self.window
        if self.controller.extract.is_running():
            QTimer.singleShot(200, lambda: extract_done(self))
            return
        w.page_view.mark_region(None)  # the chat's region, from the chat shot
        w.extract.source_wanted.emit(self.controller.current_key, "invoice_number")
        edit = w.extract.field_edit("invoice_number")
        if edit is not None:
            edit.setFocus()
        QTimer.singleShot(500, lambda: extract_grab(self))

    def extract_grab(self: shell_module.DesktopApp) -> None:
        w = self.window
        w.grab().save(str(out / f"extract-{variant}.png"))
        w.tabs.setCurrentIndex(0)
        w.page_view.fit()
        items = w.page_view.block_items()
        formula = next((i for i in items if i.block.category == "Formula"), None)
        if formula is not None:
            w.page_view.block_clicked.emit(formula.number)
        QTimer.singleShot(800, lambda: formula_grab(self))

    def formula_grab(self: shell_module.DesktopApp, waited: int = 0) -> None:
        box = self.window.formula
        if not box.is_rendered() and not box.note.isVisible() and waited < 30:
            QTimer.singleShot(200, lambda: formula_grab(self, waited + 1))  # the first loads a font
            return
        self.window.grab().save(str(out / f"formula-{variant}.png"))
        from shots_notes import notes_shots  # the page-area notes and the chat's answers

        notes_shots(self, out, variant, done=self.request_quit)

    def dialogs(self: shell_module.DesktopApp) -> None:
        """Settings -> About, and the notice an unexpected error shows."""
        from desktop.core.paths import log_dir
        from desktop.ui.widgets.crashdialog import CrashDialog
        from desktop.ui.widgets.settings import SettingsDialog

        settings = SettingsDialog(self.prefs, self._profile_names(), self.window)
        settings.tabs.setCurrentIndex(settings.tabs.count() - 1)
        settings.adjustSize()
        settings.grab().save(str(out / f"about-{variant}.png"))
        settings.deleteLater()
        notice = CrashDialog("Traceback (most recent call last):\n  ...", log_dir(), self.window)
        notice.adjustSize()
        notice.grab().save(str(out / f"crash-notice-{variant}.png"))
        notice.deleteLater()

    shell_module.DesktopApp.start = start  # type: ignore[method-assign]
    code = app_module.run_gui([])
    for each in sims:
        each.stop()
    return code


def _settle(ms: int = 300) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def overlay_and_list_shots(shell: object, out: Path, variant: str) -> None:
    """The page overlay (labels, legend) and the document list with its menu open."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter

    w = shell.window  # type: ignore[attr-defined]
    w.tabs.setCurrentIndex(0)
    w.page_view.fit()
    _settle()
    w.page_view.parentWidget().grab().save(str(out / f"overlay-{variant}.png"))
    w.page_view.zoom_by(2.2)  # labels keep their size: closer, they name small blocks
    _settle()
    w.page_view.grab().save(str(out / f"overlay-zoomed-{variant}.png"))
    w.page_view.fit()
    docs = w.documents.docs
    key = w.documents.keys()[0]
    actions = shell.controller.document_actions  # type: ignore[attr-defined]
    # Under the entries, as a right-click on the first one would open it, but not over them.
    below = docs.visualItemRect(docs.item(docs.count() - 1)).bottom() + 6
    where = docs.viewport().mapToGlobal(QPoint(40, below))
    actions.show_menu(key, where)
    _settle()
    again = actions.menu.actions()[0]  # Read again: show its modes too
    actions.menu.setActiveAction(again)
    again.menu().popup(actions.menu.mapToGlobal(actions.menu.actionGeometry(again).topRight()))
    _settle(500)
    # The display may be shared (other windows on top): the window and its two menus are
    # grabbed each on its own and laid together where they are on the screen.
    sheet = w.grab()
    painter = QPainter(sheet)
    for menu in (actions.menu, again.menu()):
        painter.drawPixmap(w.mapFromGlobal(menu.mapToGlobal(QPoint(0, 0))), menu.grab())
    painter.end()
    width = min(sheet.width(), w.documents.width() + 520)
    sheet.copy(0, 0, width, sheet.height()).save(str(out / f"documents-menu-{variant}.png"))
    again.menu().hide()
    actions.menu.hide()
    _settle()


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[1] == "--variant":
        return run_variant(Path(argv[3]), argv[2])
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for variant in VARIANTS:
        with tempfile.TemporaryDirectory() as home:
            lang = "ru" if variant.endswith("ru") else "en"
            (Path(home) / "config").mkdir()
            (Path(home) / "config" / "settings.ini").write_text(f"[General]\nlanguage={lang}\n")
            env = {**os.environ, "DOTS_DESKTOP_HOME": home}
            if not env.get("DISPLAY"):
                env["QT_QPA_PLATFORM"] = "offscreen"
            cmd = [sys.executable, __file__, "--variant", variant, str(out)]
            result = subprocess.run(cmd, env=env, timeout=240, check=False)
            print(f"{variant}: exit {result.returncode}")
            failures += result.returncode != 0
    for png in sorted(out.glob("*.png")):
        print(png)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
