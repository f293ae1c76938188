"""The user-visible strings of desktop/ui (what tr() sees) and the Russian .ts file.

``python -m tests.ui.trstrings`` rewrites resources/i18n/dots_desktop_ru.ts: existing
translations are kept, new strings are added as unfinished, vanished ones are dropped.
Then ``pyside6-lrelease`` compiles the .qm.
"""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UI = REPO / "desktop" / "ui"
TS = REPO / "resources" / "i18n" / "dots_desktop_ru.ts"
#: Every (context, source) the window translates, shipped for switching language live
#: (words/retranslate.py): a bundle has no .py sources and no .ts to read them from.
SOURCES = REPO / "resources" / "i18n" / "sources.json"


def _module_contexts(tree: ast.Module) -> dict[str, str]:
    """Functions whose body is ``return QCoreApplication.translate("Ctx", text)``."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr == "translate"
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                    and len(inner.args) > 1
                    and isinstance(inner.args[1], ast.Name)
                ):
                    found[node.name] = str(inner.args[0].value)
    return found


def extract(folder: Path = UI) -> set[tuple[str, str]]:
    """(context, source) for self.tr("..."), t("...") wrappers and translate("C", "...")."""
    strings: set[tuple[str, str]] = set()
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        wrappers = _module_contexts(tree)
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
            for call in [n for n in ast.walk(cls) if isinstance(n, ast.Call)]:
                func = call.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr == "tr"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and isinstance(call.args[0].value, str)
                ):
                    strings.add((cls.name, call.args[0].value))
        for call in [n for n in ast.walk(tree) if isinstance(n, ast.Call)]:
            func = call.func
            args = call.args
            if (
                isinstance(func, ast.Name)
                and func.id in wrappers
                and args
                and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str)
            ):
                strings.add((wrappers[func.id], args[0].value))
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "translate"
                and len(args) > 1
                and all(isinstance(a, ast.Constant) for a in args[:2])
            ):
                strings.add((str(args[0].value), str(args[1].value)))  # type: ignore[attr-defined]
    return strings


def read_ts(path: Path = TS) -> dict[tuple[str, str], tuple[str, bool]]:
    """(context, source) -> (translation, finished)."""
    out: dict[tuple[str, str], tuple[str, bool]] = {}
    root = ET.parse(path).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            tr = message.find("translation")
            text = (tr.text or "") if tr is not None else ""
            unfinished = tr is not None and tr.get("type") in ("unfinished", "vanished", "obsolete")
            out[(name, source)] = (text, not unfinished and bool(text))
    return out


def write_ts(entries: dict[tuple[str, str], str], path: Path = TS) -> None:
    root = ET.Element("TS", version="2.1", language="ru_RU", sourcelanguage="en_US")
    for ctx in sorted({c for c, _ in entries}):
        context = ET.SubElement(root, "context")
        ET.SubElement(context, "name").text = ctx
        for (c, source), translation in sorted(entries.items()):
            if c != ctx:
                continue
            message = ET.SubElement(context, "message")
            ET.SubElement(message, "source").text = source
            tr = ET.SubElement(message, "translation")
            if translation:
                tr.text = translation
            else:
                tr.set("type", "unfinished")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n")


def write_sources(strings: set[tuple[str, str]], path: Path = SOURCES) -> None:
    import json

    rows = ",\n".join(json.dumps(list(pair), ensure_ascii=False) for pair in sorted(strings))
    path.write_text(f"[\n{rows}\n]\n", encoding="utf-8")


def main() -> int:
    old = read_ts() if TS.exists() else {}
    merged = {key: old.get(key, ("", False))[0] for key in extract()}
    write_ts(merged)
    write_sources(set(merged))
    missing = sum(1 for v in merged.values() if not v)
    print(f"{len(merged)} strings, {missing} untranslated -> {TS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
