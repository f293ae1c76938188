"""Structured output: ``response_format`` json_schema, answered the way vLLM's guided decoding does.

vLLM constrains decoding to the schema, so its answer always parses and conforms; the
simulator builds a deterministic instance of the schema instead. Faults for tests:
``schema-breach`` (one field of the wrong type, as a server without guided decoding may
give), ``prose-answer`` (a chatty sentence instead of JSON) and ``invalid-json``.
A ``fields``/``boxes`` schema (the app's extraction wrapper) gets boxes for every field.
"""

from __future__ import annotations

import json
from typing import Any

from .chat import RequestError
from .imaging import SimImage
from .responses import _Picker

#: vLLM 0.11's xgrammar backend refusing a schema it cannot compile (HTTP 400).
UNSUPPORTED_SCHEMA = "The provided JSON schema contains features not supported by xgrammar."
_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})


def read_response_format(body: dict[str, object]) -> dict[str, Any] | None:
    """The JSON schema a request constrains its answer to, or None; 400 when malformed."""
    fmt = body.get("response_format")
    if fmt is None:
        return None
    if not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_object", "json_schema"):
        raise RequestError(
            400, "response_format.type must be one of text, json_object, json_schema.",
            "BadRequestError", "response_format",
        )  # fmt: skip
    if fmt["type"] != "json_schema":
        return None
    spec = fmt.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if not isinstance(schema, dict) or not _types_known(schema):
        raise RequestError(400, UNSUPPORTED_SCHEMA, "BadRequestError", "response_format")
    return schema


def _types_known(schema: Any) -> bool:
    if isinstance(schema, dict):
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
        if any(k not in _TYPES for k in kinds):
            return False
        return all(_types_known(v) for v in schema.values())
    if isinstance(schema, list):
        return all(_types_known(v) for v in schema)
    return True


def structured_answer(
    schema: dict[str, Any], image: SimImage | None, faults: frozenset[str], grid: bool
) -> str:
    """The answer text; ``grid``: boxes on Qwen's 0-1000 grid, else model-image pixels."""
    pick = _Picker(image.sha256 if image else "no-image")
    props = schema.get("properties", {})
    if isinstance(props, dict) and {"fields", "boxes"} <= set(props):
        fields = _instance(props["fields"], schema, "fields", pick, 0)
        boxes = _boxes(fields, image, grid)
        if "schema-breach" in faults:
            fields = _breach(fields)
        answer: Any = {"fields": fields, "boxes": boxes}
    else:
        answer = _instance(schema, schema, "value", pick, 0)
        if "schema-breach" in faults:
            answer = _breach(answer)
    text = json.dumps(answer, ensure_ascii=False)
    if "prose-answer" in faults:
        return "Sure! Here is what I found on the page: the invoice total is 42 euros."
    if "invalid-json" in faults:
        return text[: len(text) // 2]
    return text


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return target if isinstance(target, dict) else {}
    return schema


def _instance(schema: Any, root: dict[str, Any], key: str, pick: _Picker, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > 8:
        return None
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for combo in ("anyOf", "oneOf"):
        options = schema.get(combo)
        if isinstance(options, list) and options:
            usable = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            return _instance((usable or options)[0], root, key, pick, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties", {})
        return {k: _instance(v, root, k, pick, depth + 1) for k, v in props.items()}
    if kind == "array":
        low = int(schema.get("minItems", 2))
        count = min(max(low, 1), int(schema.get("maxItems", max(low, 2))))
        return [
            _instance(schema.get("items", {}), root, key, pick, depth + 1) for _ in range(count)
        ]
    if kind == "integer":
        low = int(schema.get("minimum", 1))
        return pick.number(key, low, max(low, int(schema.get("maximum", low + 99))))
    if kind == "number":
        return pick.number(key, 10, 999) + pick.number(key + ".c", 0, 99) / 100
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if schema.get("format") == "date":
        return f"2024-{pick.number(key + 'm', 1, 12):02d}-{pick.number(key + 'd', 1, 28):02d}"
    text = pick.words(key, 2).capitalize()
    return text[: int(schema.get("maxLength", len(text)))]


def _leaf_pointers(value: Any, pointer: str) -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_pointers(v, f"{pointer}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_pointers(v, f"{pointer}/{i}")]
    return [pointer]


def _boxes(fields: Any, image: SimImage | None, grid: bool) -> list[dict[str, Any]]:
    """A box per filled value, one text line each down the left half of the page."""
    width = 1000 if grid else (image.model_width if image else 1000)
    height = 1000 if grid else (image.model_height if image else 1000)
    found = []
    pointers = [p for p in _leaf_pointers(fields, "") if p]
    for i, pointer in enumerate(pointers):
        top = 0.08 + 0.84 * i / max(len(pointers), 1)
        bbox = [int(0.10 * width), int(top * height), int(0.55 * width), int((top + 0.03) * height)]
        found.append({"field": pointer, "bbox": bbox})
    return found


def _breach(value: Any) -> Any:
    """The first scalar field given a value of the wrong type (a number for a string)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                continue
            broken = dict(value)
            broken[key] = 12345 if isinstance(item, str) else "not a number"
            return broken
        for key, item in value.items():
            return {**value, key: _breach(item)}
    if isinstance(value, list) and value:
        return [_breach(value[0]), *value[1:]]
    return value
