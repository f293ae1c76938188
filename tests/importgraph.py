"""The import graph of the ``desktop`` package, read from its source with ast (nothing runs).

Every ``import`` and ``from ... import`` statement counts, wherever it stands: at module
level, inside a function (a lazy import is still a circle: it only moves the moment the
half-built module is met) and under ``if TYPE_CHECKING:`` (a type-only circle still means
two modules that know each other, and it turns into a real one the day a type is needed at
run time).

``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``.
Importing ``a.b.c`` also runs ``a/b/__init__.py``; that implicit edge to a parent package
is not counted, or every package whose ``__init__`` re-exports its modules would be a
circle with each of them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` imports ``target`` (both dotted module names) at ``line``."""

    source: str
    target: str
    line: int


def modules(root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package's ``__init__``) for every module under ``package``."""
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _known(name: str, known: Mapping[str, object]) -> str | None:
    """``name`` or the nearest enclosing module of ours (``a.b.Class`` -> ``a.b``)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.AST, here: str, is_package: bool, known: Mapping[str, object]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = here if is_package else here.rpartition(".")[0]
            for _ in range(node.level - 1):
                anchor = anchor.rpartition(".")[0]
            base = f"{anchor}.{base}" if base else anchor
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names
        ]
    else:
        return []
    return [t for t in (_known(n, known) for n in names) if t is not None and t != here]


def edges(root: Path = REPO, package: str = "desktop") -> list[Edge]:
    """Every import of one of ``package``'s modules by another, with its line."""
    known = modules(root, package)
    found: list[Edge] = []
    for name, (path, is_package) in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for target in _targets(node, name, is_package, known):
                found.append(Edge(name, target, getattr(node, "lineno", 0)))
    return list(dict.fromkeys(found))  # ``from m import a, b``: one edge


def graph(found: list[Edge]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for edge in found:
        out.setdefault(edge.source, set()).add(edge.target)
        out.setdefault(edge.target, set())
    return out


def _components(nodes: Mapping[str, set[str]]) -> Iterator[list[str]]:
    """Strongly connected components (Tarjan), each with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(v: str) -> Iterator[list[str]]:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(nodes.get(v, ())):
            if w not in index:
                yield from visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                yield sorted(component)

    for v in sorted(nodes):
        if v not in index:
            yield from visit(v)


def _shortest_loop(start: str, members: set[str], nodes: Mapping[str, set[str]]) -> list[str]:
    """The shortest path ``start -> ... -> start`` inside one component."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(nodes.get(v, set()) & members):
            if w == start:
                return [*paths[v], start]
            if w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    return [start]


def tangles(nodes: Mapping[str, set[str]]) -> list[list[str]]:
    """Each set of modules that reach each other through imports (sorted names)."""
    return list(_components(nodes))


def circles(nodes: Mapping[str, set[str]]) -> list[list[str]]:
    """One closed path per tangle of modules that import each other, e.g. [a, b, a]."""
    return [_shortest_loop(c[0], set(c), nodes) for c in _components(nodes)]


def describe(loops: list[list[str]], found: list[Edge]) -> str:
    """Each circle as ``a -> b (line) -> a (line)``, to fix from the message alone."""
    lines = {(e.source, e.target): e.line for e in found}
    text = []
    for loop in loops:
        steps = [loop[0]] + [
            f"{b} (line {lines.get((a, b), '?')} of {a})" for a, b in pairwise(loop)
        ]
        text.append(" -> ".join(steps))
    return "\n".join(text)
