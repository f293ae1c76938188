"""No import circles in desktop/, rooms and layers that import in one direction only.

What counts as an import is written in tests/importgraph.py: every statement, also inside
functions and under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

import pytest

from tests.importgraph import REPO, Edge, circles, describe, edges, graph, modules, tangles

LAYERS = ("core", "engines", "runtime", "ui", "commands")
#: What each layer may import besides itself (DESIGN.md: imports point downward only).
LAYER_MAY_IMPORT = {
    "core": set(),
    "engines": {"core"},
    "runtime": {"core"},
    "ui": {"core", "engines", "runtime"},
    "commands": {"core", "engines", "runtime", "ui"},  # the self-test shows the window
}
#: desktop/ui's rooms, and those each must never import: the direction is
#: appshell -> control / widgets -> state / words / look.
UI_ROOM_MUST_NOT_IMPORT = {
    "control": {"appshell"},
    "widgets": {"appshell", "control"},
    "state": {"appshell", "control", "widgets"},
    "words": {"appshell", "control", "widgets"},
    "look": {"appshell", "control", "widgets"},
}


@pytest.fixture(scope="module")
def desktop_edges() -> list[Edge]:
    return edges(REPO, "desktop")


def room(module: str) -> str:
    """``desktop.<layer>.<sub-package>`` for a module in a sub-package, else the module."""
    parts = module.split(".")
    if len(parts) > 3 or (REPO / Path(*parts[:3])).is_dir():
        return ".".join(parts[:3])
    return module


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_given_the_desktop_package_then_no_modules_import_each_other_in_a_circle(
    desktop_edges: list[Edge],
) -> None:
    nodes = graph(desktop_edges)
    loops = circles(nodes)
    tangled = "\n".join(", ".join(t) for t in tangles(nodes))
    assert not loops, f"import circles:\n{describe(loops, desktop_edges)}\namong:\n{tangled}"


def test_given_the_desktop_package_then_its_rooms_import_each_other_in_one_direction(
    desktop_edges: list[Edge],
) -> None:
    # Rooms (ui/control, engines/remote, ...) as one node each: no circle between them.
    between: dict[tuple[str, str], Edge] = {}
    for e in desktop_edges:
        if room(e.source) != room(e.target):
            between.setdefault((room(e.source), room(e.target)), e)
    loops = circles(graph([Edge(a, b, 0) for a, b in between]))
    # each step with one import that makes it
    text = [
        loop[0]
        + " -> "
        + " -> ".join(
            f"{b} ({between[a, b].source} line {between[a, b].line})" for a, b in pairwise(loop)
        )
        for loop in loops
    ]
    assert not loops, "circles between rooms:\n" + "\n".join(text)


def test_given_desktop_ui_then_each_room_imports_only_downward(
    desktop_edges: list[Edge],
) -> None:
    wrong = []
    for edge in desktop_edges:
        source, target = edge.source.split("."), edge.target.split(".")
        if source[:2] != ["desktop", "ui"] or target[:2] != ["desktop", "ui"]:
            continue
        if (
            len(source) > 3
            and len(target) > 2
            and target[2] in UI_ROOM_MUST_NOT_IMPORT.get(source[2], set())
        ):
            wrong.append(f"{edge.source} imports {edge.target} (line {edge.line})")
    assert not wrong, "imports against appshell -> control/widgets -> state/words/look:\n" + (
        "\n".join(wrong)
    )


def test_given_desktop_then_layers_import_downward_and_only_ui_and_commands_use_qt(
    desktop_edges: list[Edge],
) -> None:
    wrong = []
    for edge in desktop_edges:
        source, target = edge.source.split("."), edge.target.split(".")
        if len(source) < 2 or len(target) < 2 or source[1] not in LAYERS:
            continue
        layer, other = source[1], target[1]
        if other in LAYERS and other != layer and other not in LAYER_MAY_IMPORT[layer]:
            wrong.append(f"{edge.source} imports {edge.target} (line {edge.line})")
    for name, (path, _) in modules(REPO, "desktop").items():
        if name.split(".")[1:2] not in (["core"], ["engines"], ["runtime"]):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                found = [node.module or ""]
            else:
                continue
            if any(n.split(".")[0] == "PySide6" for n in found):
                wrong.append(f"{name} imports Qt (line {node.lineno})")
    assert not wrong, "\n".join(wrong)


def test_given_a_circle_through_a_lazy_or_type_only_import_then_it_is_found(
    tmp_path: Path,
) -> None:
    # GIVEN a package where a imports b at the top, b imports c inside a function and c
    # imports a for type hints only (relative imports, a package __init__ re-exporting)
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.a import A\n",
            "pkg/a.py": "from pkg import b\nA = 1\n",
            "pkg/b.py": "def f():\n    from .c import C\n    return C\n",
            "pkg/c.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.a import A\nC = 2\n"
            ),
            "pkg/d.py": "import pkg.a\nfrom pkg.a import A\n",  # imports, not imported
        },
    )
    found = edges(tmp_path, "pkg")
    # THEN the circle is reported, with the lines that make it
    loops = circles(graph(found))
    assert loops == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    text = describe(loops, found)
    assert "pkg.b (line 1 of pkg.a)" in text and "pkg.c (line 2 of pkg.b)" in text
    # AND a package importing its own module, or a module importing one, is no circle
    assert ("pkg", "pkg.a") in {(e.source, e.target) for e in found}
    assert not any(e.source == "pkg.d" and e.target == "pkg" for e in found)
