"""Other libraries' private internals: each use tagged, versioned, listed and tested.

A use is tagged ``WORKAROUND(<library> <version>): <why>`` in the function (or the lines
above it) that reaches in; docs/ARCHITECTURE.md lists each one with the test that fails
when the library moves. What counts as reaching in (read from the code, not its types):

- ``x._name`` where ``x`` is not ``self``/``cls``, a class of the same module, or an
  attribute chain starting at ``self`` (our own objects' helpers);
- ``getattr``/``setattr``/``hasattr``/``delattr`` with a ``"_name"`` string;
- writing or deleting ``sys.modules[...]``.

Names with a leading underscore that their makers document as public are not counted.
"""

from __future__ import annotations

import ast
import re
from importlib import import_module, metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DESKTOP = REPO / "desktop"
ARCHITECTURE = REPO / "docs" / "ARCHITECTURE.md"
TAG = re.compile(r"WORKAROUND\(([^)]*)\)(:?)\s*(.*)")
WELL_FORMED = re.compile(r"^([A-Za-z][\w.-]*) (\d+(?:\.\d+)+\S*)$")
#: Documented public despite the underscore: PyInstaller's bundle folder, namedtuple's API.
PUBLIC_BY_DOCS = {"_MEIPASS", "_replace", "_asdict", "_fields", "_make"}
ATTRIBUTE_CALLS = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith("_") and not dunder and name not in PUBLIC_BY_DOCS


def _rooted_at_self(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def reaching_in(source: str) -> list[tuple[int, str]]:
    """(line, what) for each private access of another library's object in ``source``."""
    tree = ast.parse(source)
    own = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            if isinstance(base, ast.Name) and base.id in own:
                continue
            if not _rooted_at_self(base):
                found.append((node.lineno, f"{ast.unparse(node)}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ATTRIBUTE_CALLS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
            and not _rooted_at_self(node.args[0])
        ) or (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store | ast.Del)
            and ast.unparse(node.value) == "sys.modules"
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


def _spans(tree: ast.Module) -> list[tuple[int, int]]:
    """(first, last) line of each function and class, with the comment lines above it."""
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            spans.append((first - 3, node.end_lineno or node.lineno))
    return spans


def untagged(source: str) -> list[tuple[int, str]]:
    """The accesses of ``reaching_in`` with no WORKAROUND tag in their function (or, at
    module level, in the five lines above)."""
    lines = source.splitlines()
    spans = _spans(ast.parse(source))
    missing = []
    for line, what in reaching_in(source):
        inside = [s for s in spans if s[0] <= line <= s[1]]
        first, last = min(inside, key=lambda s: s[1] - s[0]) if inside else (line - 5, line)
        if not any("WORKAROUND(" in text for text in lines[max(first - 1, 0) : last]):
            missing.append((line, what))
    return missing


def _sources() -> list[Path]:
    return sorted(DESKTOP.rglob("*.py"))


def _tags() -> list[tuple[str, int, str, str]]:
    """(file, line, "library version", why) for each tag under desktop/."""
    tags = []
    for path in _sources():
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = TAG.search(text)
            if match:
                why = match.group(3).strip() if match.group(2) else ""
                tags.append((str(path.relative_to(REPO)), number, match.group(1), why))
    return tags


def _installed(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:  # PySide6 comes as PySide6-Essentials
        return str(import_module(library).__version__)


def test_no_code_in_desktop_reaches_into_a_library_without_a_workaround_tag() -> None:
    found = {
        str(path.relative_to(REPO)): untagged(path.read_text(encoding="utf-8"))
        for path in _sources()
    }
    assert {path: hits for path, hits in found.items() if hits} == {}


def test_every_tag_names_a_library_its_installed_version_and_a_reason() -> None:
    tags = _tags()
    assert len(tags) >= 3
    for where, line, named, why in tags:
        match = WELL_FORMED.match(named)
        assert match, f"{where}:{line}: WORKAROUND({named}) is not '<library> <version>'"
        assert why, f"{where}:{line}: WORKAROUND({named}) says no why"
        library, version = match.groups()
        # An upgrade fails here: check the workaround still holds, then bump its tag.
        assert _installed(library) == version, f"{where}:{line}: {library} is now installed"


def test_every_tag_is_listed_in_the_architecture_with_a_test_that_exists() -> None:
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    section = doc.split("## Workarounds", 1)[1].split("\n## ", 1)[0]
    entries: list[str] = []
    for line in section.splitlines():
        if line.startswith("- "):
            entries.append(line)
        elif line.startswith("  ") and entries:  # a list item's continuation
            entries[-1] += " " + line.strip()
    for where, number, named, _why in _tags():
        listed = [e for e in entries if f"`{where}`" in e and named in e]
        assert listed, f"{where}:{number}: WORKAROUND({named}) is not in ARCHITECTURE.md"
    for entry in entries:
        tests = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", entry)
        assert tests, f"no test named in: {entry}"
        for file, name in tests:
            text = (REPO / file).read_text(encoding="utf-8")
            assert re.search(rf"def {name}\(", text), f"{file}::{name} does not exist"


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        ("def f(t):\n    t._pool._network_backend = 1\n", True),
        ("def f(t):\n    return getattr(t, '_pool', None)\n", True),
        ("import sys\ndef f(m):\n    sys.modules['cv2'] = m\n", True),
        ("def f(t):\n    # WORKAROUND(httpx 0.28.1): why\n    t._pool = 1\n", False),
        ("class A:\n    def f(self):\n        return self._x, self.other._y, A._z\n", False),
        ("import sys\ndef f():\n    return getattr(sys, '_MEIPASS', None)\n", False),
    ],
)
def test_the_check_flags_private_access_unless_tagged(code: str, flagged: bool) -> None:
    assert bool(untagged(code)) is flagged
