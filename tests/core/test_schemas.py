"""Extraction schemas and answers: hostile schema files, breaches by pointer, rows, merging."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from desktop.core.messages import render
from desktop.core.schemas import (
    ExtractSchema,
    SchemaInvalid,
    breaches,
    extraction_table,
    flatten,
    load_schema_file,
    load_schema_text,
)
from desktop.engines.remote.extraction import (
    ExtractionFailed,
    FieldSource,
    PageAnswer,
    merge_pages,
    read_answer,
    request_schema,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "a/b": {"type": "string"},
        "total": {"type": "number"},
        "paid": {"type": "boolean"},
        "seller": {"type": "object", "properties": {"name": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "items": {"$ref": "#/$defs/items"},
    },
    "required": ["total"],
    "$defs": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
            },
        }
    },
}


def schema() -> ExtractSchema:
    return load_schema_text(json.dumps(SCHEMA), "my schema!")


def identity(box: Sequence[int]) -> tuple[int, int, int, int]:
    return int(box[0]), int(box[1]), int(box[2]), int(box[3])


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"null", "must describe an object"),
        (b'{"type": "object", "properties": {}}', "must describe an object"),
        (b'{"type": "object", "properties": {"a": {"minimum": "x"}}}', "not a valid JSON Schema"),
        (b"{" * 100_000, "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),  # deeper than Python recurses
    ],
)
def test_a_hostile_schema_file_is_one_sentence(tmp_path: Path, raw: bytes, said: str) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(raw)
    with pytest.raises(SchemaInvalid) as caught:
        load_schema_file(path)
    assert said in str(caught.value)
    assert "\n" not in str(caught.value)
    assert render(caught.value.msg, "ru") != str(caught.value)  # said in Russian too


def test_a_schema_with_a_bom_and_its_name_sanitised(tmp_path: Path) -> None:
    path = tmp_path / "счёт 2024.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({k: v for k, v in SCHEMA.items()}).encode())
    loaded = load_schema_file(path)
    assert loaded.name == "2024"  # vLLM and OpenAI accept [A-Za-z0-9_-] only


def test_a_breach_names_the_field_by_json_pointer_escaped() -> None:
    found = breaches(schema(), {"total": 1, "a/b": 5})
    assert [b.pointer for b in found] == ["/a~1b"]
    missing = breaches(schema(), {"seller": {"name": "x"}})
    assert [b.pointer for b in missing] == ["/total"]
    assert "/total" in str(missing[0].msg) and "missing" in str(missing[0].msg)


def test_the_request_schema_keeps_references_resolvable() -> None:
    sent = request_schema(schema())
    Draft202012Validator.check_schema(sent)
    answer = {"fields": {"total": 3, "items": [{"name": "a", "price": 1}]}, "boxes": []}
    assert not list(Draft202012Validator(sent).iter_errors(answer))
    answer["fields"]["items"] = [{"price": "one"}]  # type: ignore[index]
    assert list(Draft202012Validator(sent).iter_errors(answer))


def test_columns_flatten_nested_objects_and_arrays() -> None:
    loaded = schema()
    assert loaded.columns == [
        "a/b", "total", "paid", "seller.name", "tags", "items",
    ]  # fmt: skip
    row = flatten(
        loaded,
        {"total": 12.5, "paid": False, "seller": None, "tags": ["x", "y"], "items": [{"a": 1}]},
    )
    assert row == {
        "a/b": "", "total": 12.5, "paid": "false", "seller.name": "",
        "tags": "x; y", "items": '{"a": 1}',
    }  # fmt: skip


def test_arrays_of_objects_declared_inline_open_into_columns() -> None:
    inline = load_schema_text(
        json.dumps(
            {
                "type": "object",
                "properties": {
                    "items": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"price": {"type": "number"}}},
                    }
                },
            }
        ),
        "x",
    )
    assert inline.columns == ["items.price"]
    assert flatten(inline, {"items": [{"price": 1}, {"price": 2.5}]}) == {"items.price": "1; 2.5"}


def test_the_table_writes_whole_floats_without_a_point() -> None:
    grid = extraction_table(["file", "n"], [{"file": "a.png", "n": 12.0}, {"file": "b", "n": 0.5}])
    assert grid.as_matrix() == [["file", "n"], ["a.png", "12"], ["b", "0.5"]]


@pytest.mark.parametrize(
    "text", ["[]", "Sure! The total is 5.", '"x"', "", "{", "[" * 50_000 + "]" * 50_000]
)
def test_an_answer_that_is_not_a_json_object_fails_the_page(text: str) -> None:
    with pytest.raises(ExtractionFailed) as caught:
        read_answer(text, schema(), 2, identity)
    assert "Page 3" in str(caught.value)


def test_junk_boxes_are_ignored_and_bare_fields_accepted() -> None:
    boxes = [
        {"field": "/total", "bbox": [10, 20, 30, 40]},
        {"field": "total", "bbox": [30, 40, 10, 20]},  # inverted
        {"field": "/paid", "bbox": [1, 2, "3", 4]},
        {"field": "/paid", "bbox": [True, 2, 3, 4]},
        {"bbox": [1, 2, 3, 4]},
        "junk",
    ]
    answer = read_answer(
        json.dumps({"fields": {"total": 5}, "boxes": boxes}),
        schema(),
        0,
        identity,
    )
    assert answer.sources == (FieldSource("/total", 0, (10, 20, 30, 40)),)
    bare = read_answer('{"total": 7}', schema(), 0, identity)
    assert bare.values == {"total": 7} and bare.sources == ()


def test_pages_merge_first_values_and_all_array_items() -> None:
    one = PageAnswer(
        0,
        {"total": None, "seller": {"name": "A"}, "items": [{"name": "x"}]},
        (
            FieldSource("/items/0/name", 0, (1, 1, 2, 2)),
            FieldSource("/seller/name", 0, (1, 1, 3, 3)),
        ),
    )
    two = PageAnswer(
        1,
        {"total": 9, "seller": {"name": "B"}, "items": [{"name": "y"}]},
        (
            FieldSource("/items/0/name", 1, (5, 5, 6, 6)),
            FieldSource("/total", 1, (7, 7, 8, 8)),
            FieldSource("/seller/name", 1, (9, 9, 10, 10)),
        ),
    )
    values, sources = merge_pages([one, two])
    assert values == {"total": 9, "seller": {"name": "A"}, "items": [{"name": "x"}, {"name": "y"}]}
    assert [(s.pointer, s.page_index) for s in sources] == [
        ("/items/0/name", 0),
        ("/seller/name", 0),
        ("/items/1/name", 1),
        ("/total", 1),
    ]
