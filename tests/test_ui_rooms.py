"""desktop/ui keeps its rooms: few modules at its top, and no engine read from the window."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.importgraph import REPO

UI = REPO / "desktop" / "ui"


def recognize_calls(source: str) -> list[tuple[int, str]]:
    """(line, receiver) of each ``<receiver>.recognize(...)`` on an engine.

    ``bridge.recognize(...)`` is the window asking its bridge to read pages, not an engine.
    """
    calls = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "recognize"
        ):
            receiver = ast.unparse(node.func.value)
            if receiver.rpartition(".")[2] != "bridge":
                calls.append((node.lineno, receiver))
    return calls


def test_given_desktop_ui_then_no_module_calls_an_engines_recognize() -> None:
    # Pages are read by the page reader (engines/batch), for the window as for the CLI.
    found = sorted(
        (str(path.relative_to(REPO)), line, receiver)
        for path in sorted(UI.rglob("*.py"))
        for line, receiver in recognize_calls(path.read_text(encoding="utf-8"))
    )
    assert not found, f"engine.recognize called from the UI: {found}"


def test_given_engine_calls_in_any_form_then_each_is_found() -> None:
    source = (
        "async def read(self, engine, page):\n"
        "    self.bridge.recognize('k', [0])\n"  # the bridge's own API: allowed
        "    async for e in engine.recognize(page):\n"
        "        pass\n"
        "    stream = self._engine.recognize(page, mode, region)\n"
    )
    assert recognize_calls(source) == [(3, "engine"), (5, "self._engine")]


def test_given_desktop_ui_then_at_most_three_modules_sit_at_its_top() -> None:
    top = sorted(p.name for p in UI.glob("*.py"))
    assert len(top) <= 3, f"desktop/ui/{top}: a module belongs in one of its rooms"
    assert Path(UI / "__init__.py").is_file() and Path(UI / "app.py").is_file()
