"""Extraction schemas: a user's JSON Schema checked, an answer validated, a row flattened.

The schema is the user's (a file, a shipped template, or typed in the window); it must be
an object schema with properties, because each property becomes a column. Answers are
validated with ``jsonschema`` (Draft 2020-12); a breach is reported as facts naming the
field by its JSON pointer (``/total``, ``/items/0/price``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.core.tables import TableCell, TableGrid

_NAME_FORBIDDEN = re.compile(r"[^A-Za-z0-9_-]+")
#: Larger schema files are not schemas a person wrote (and would not fit a prompt).
MAX_SCHEMA_BYTES = 1_000_000
#: What joins the values of an array in one cell.
JOIN = "; "


class SchemaInvalid(DotsError):
    """The schema file is not JSON, not a JSON Schema, or not an object with properties."""


@dataclass(frozen=True, slots=True)
class ExtractSchema:
    """A checked schema and the name the server is given for it."""

    name: str
    schema: Mapping[str, Any]

    @property
    def columns(self) -> list[str]:
        """The table's columns after ``file``: properties, nested ones joined with dots."""
        return [name for name, _ in _leaves(self.schema, "")]


@dataclass(frozen=True, slots=True)
class Breach:
    """One place where an answer breaks the schema: its JSON pointer and what was expected."""

    pointer: str
    msg: Msg


def schema_name(raw: str) -> str:
    """A name vLLM and OpenAI accept (``^[A-Za-z0-9_-]{1,64}$``)."""
    return _NAME_FORBIDDEN.sub("_", raw).strip("_")[:64] or "extraction"


def load_schema_text(text: str, name: str) -> ExtractSchema:
    """``text`` as a checked schema; ``name`` labels errors (the file name)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # nesting deeper than Python recurses
        line = getattr(exc, "lineno", 0)
        raise SchemaInvalid(
            Msg.of(Code.SCHEMA_NOT_JSON, name=name, line=line), fix=Msg(Code.FIX_SCHEMA_FILE)
        ) from None
    if not isinstance(data, dict):
        raise SchemaInvalid(
            Msg.of(Code.SCHEMA_NOT_OBJECT, name=name), fix=Msg(Code.FIX_SCHEMA_FILE)
        )
    try:
        Draft202012Validator.check_schema(data)
    except SchemaError as exc:
        raise SchemaInvalid(
            Msg.of(Code.SCHEMA_BROKEN, name=name, pointer=_pointer(exc.absolute_path)),
            fix=Msg(Code.FIX_SCHEMA_FILE),
        ) from None
    properties = data.get("properties")
    if data.get("type") != "object" or not isinstance(properties, dict) or not properties:
        raise SchemaInvalid(
            Msg.of(Code.SCHEMA_NOT_OBJECT, name=name), fix=Msg(Code.FIX_SCHEMA_FILE)
        )
    title = data.get("title")
    return ExtractSchema(schema_name(title if isinstance(title, str) else name), data)


def load_schema_file(path: str | Path) -> ExtractSchema:
    """The schema in ``path`` (UTF-8 JSON), checked."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_SCHEMA_BYTES + 1)
    except OSError as exc:
        detail = str(exc.strerror or exc)
        raise SchemaInvalid(Msg.of(Code.SCHEMA_UNREADABLE, name=str(path), detail=detail)) from None
    if len(raw) > MAX_SCHEMA_BYTES:
        raise SchemaInvalid(Msg.of(Code.SCHEMA_NOT_JSON, name=file.name, line=0))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemaInvalid(
            Msg.of(Code.SCHEMA_NOT_JSON, name=file.name, line=0), fix=Msg(Code.FIX_SCHEMA_FILE)
        ) from None
    return load_schema_text(text, file.stem)


def breaches(schema: ExtractSchema, value: Any) -> list[Breach]:
    """Every place ``value`` breaks the schema, first in document order."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema.schema)
    found = sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path])
    return [_breach(error) for error in found]


def _breach(error: Any) -> Breach:
    pointer = _pointer(error.absolute_path)
    kind = str(error.validator)
    if kind == "required":
        missing = next((r for r in error.validator_value if r not in error.instance), "")
        field = f"{pointer.rstrip('/')}/{missing}"
        return Breach(field, Msg.of(Code.BREACH_MISSING, pointer=field))
    if kind == "type":
        expected = error.validator_value
        expected = " | ".join(expected) if isinstance(expected, list) else str(expected)
        return Breach(pointer, Msg.of(Code.BREACH_TYPE, pointer=pointer, expected=expected))
    if kind in ("enum", "const"):
        return Breach(pointer, Msg.of(Code.BREACH_CHOICE, pointer=pointer))
    return Breach(pointer, Msg.of(Code.BREACH_RULE, pointer=pointer, rule=kind))


def _pointer(path: Iterable[Any]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


def _leaves(schema: Mapping[str, Any], prefix: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(column, sub-schema) of every scalar place; objects open, arrays of objects open."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return found
    for key, raw in properties.items():
        name = f"{prefix}{key}"
        sub = raw if isinstance(raw, dict) else {}
        inner = sub.get("items") if sub.get("type") == "array" else sub
        if isinstance(inner, dict) and isinstance(inner.get("properties"), dict):
            found.extend(_leaves(inner, f"{name}."))
        else:
            found.append((name, sub))
    return found


def flatten(schema: ExtractSchema, values: Mapping[str, Any]) -> dict[str, Any]:
    """One row: each column's value (numbers stay numbers; arrays joined with ``JOIN``)."""
    return {column: cell_value(_dig(values, column.split("."))) for column in schema.columns}


def _dig(value: Any, path: Sequence[str]) -> Any:
    """The value at ``path``; through an array of objects, the list of each item's value."""
    if not path:
        return value
    if isinstance(value, list):
        return [_dig(item, path) for item in value]
    if isinstance(value, dict):
        return _dig(value.get(path[0]), path[1:])
    return None


def cell_value(value: Any) -> Any:
    """A JSON value as one cell: None -> "", bools as words, lists joined, objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return JOIN.join(str(cell_value(v)) for v in value if v is not None)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def cell_text(value: Any) -> str:
    """A cell as the text the sheet writers read (numbers as printed with a decimal point)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def extraction_table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> TableGrid:
    """A header row (``columns``), then one row per mapping; the sheet writers take it."""
    cells = [TableCell(0, c, 1, 1, name, header=True) for c, name in enumerate(columns)]
    for r, row in enumerate(rows, start=1):
        cells.extend(
            TableCell(r, c, 1, 1, cell_text(row.get(name, ""))) for c, name in enumerate(columns)
        )
    return TableGrid(len(rows) + 1, len(columns), tuple(cells))
