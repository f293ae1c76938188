"""Layout answers -> blocks: strict, streaming, salvage, dedupe, clipping, status."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.document import CATEGORIES, Block, PageStatus
from desktop.core.parse import IncrementalLayoutParser, parse_layout
from desktop.core.resize import BoxMapping
from tests.core.journal_output import BLOCKS, JOURNAL_OUTPUT, MODEL_H, MODEL_W, ORIG_H, ORIG_W

JOURNAL_MAP = BoxMapping(ORIG_W, ORIG_H, MODEL_W, MODEL_H)
IDENTITY = BoxMapping(1000, 1000, 1000, 1000)


def _answer(items: Sequence[Mapping[str, object]]) -> str:
    return json.dumps(items, ensure_ascii=False)


def _stream(text: str, cuts: list[int], mapping: BoxMapping = IDENTITY) -> list[Block]:
    parser = IncrementalLayoutParser(mapping)
    streamed = []
    start = 0
    for cut in [*sorted(cuts), len(text)]:
        streamed.extend(parser.feed(text[start:cut]))
        start = cut
    return streamed


# ------------------------------------------------------------------ strict


def test_journal_answer_parses_to_its_blocks_in_original_pixels() -> None:
    result = parse_layout(JOURNAL_OUTPUT, JOURNAL_MAP)
    assert result.status is PageStatus.OK and result.reason == ""
    assert [b.category for b in result.blocks] == [b["category"] for b in BLOCKS]
    assert [b.index for b in result.blocks] == list(range(len(BLOCKS)))
    table = result.blocks[3]
    # model box [167, 245, 1545, 703] scaled by 1700/1708 and 2250/2240
    assert table.bbox == (166, 246, 1538, 706)
    assert table.text is not None and table.text.startswith("<table>")


def test_empty_array_is_a_blank_page() -> None:
    result = parse_layout("[]", IDENTITY)
    assert result.status is PageStatus.OK and result.blocks == ()


def test_code_fenced_answer_is_accepted() -> None:
    text = '```json\n[{"bbox": [1, 2, 30, 40], "category": "Text", "text": "a"}]\n```'
    result = parse_layout(text, IDENTITY)
    assert result.status is PageStatus.OK and len(result.blocks) == 1


def test_block_rules_unknown_category_picture_text_and_boxes() -> None:
    text = _answer(
        [
            {"bbox": [10, 10, 50, 50], "category": "Weird", "text": "kept as text"},
            {"bbox": [10, 60, 50, 90], "category": "Picture", "text": "dropped"},
            {"bbox": [10, 100, 50, 100], "category": "Text", "text": "zero height"},
            {"bbox": [50, 120, 10, 150], "category": "Text", "text": "inverted"},
            {"bbox": [900, 900, 1500, 1600], "category": "section_header", "text": "clip"},
            {"bbox": [1200, 1200, 1300, 1300], "category": "Text", "text": "off page"},
            {"bbox": [1, 2, 3], "category": "Text", "text": "bad box"},
            {"bbox": [5, 5, 9, 9], "category": "Text", "text": 12},
            {"bbox": [5, 20, 9, 29], "category": "Text"},
        ]
    )
    result = parse_layout(text, IDENTITY)
    got = [(b.category, b.bbox, b.text) for b in result.blocks]
    assert got == [
        ("Text", (10, 10, 50, 50), "kept as text"),
        ("Picture", (10, 60, 50, 90), None),
        ("Section-header", (900, 900, 1000, 1000), "clip"),
        ("Text", (5, 5, 9, 9), "12"),
        ("Text", (5, 20, 9, 29), None),
    ]
    assert all(b.category in CATEGORIES for b in result.blocks)


# ------------------------------------------------------------------ streaming


def test_each_block_arrives_the_moment_its_closing_brace_does() -> None:
    parser = IncrementalLayoutParser(JOURNAL_MAP)
    first_end = JOURNAL_OUTPUT.index("}") + 1
    assert parser.feed(JOURNAL_OUTPUT[: first_end - 1]) == []
    (block,) = parser.feed(JOURNAL_OUTPUT[first_end - 1 : first_end])
    assert block.category == "Page-header"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, len(JOURNAL_OUTPUT)), max_size=40))
def test_any_split_of_the_journal_answer_streams_the_same_blocks(cuts: list[int]) -> None:
    expected = parse_layout(JOURNAL_OUTPUT, JOURNAL_MAP).blocks
    assert tuple(_stream(JOURNAL_OUTPUT, cuts, JOURNAL_MAP)) == expected


_TEXT = st.lists(
    st.sampled_from([*'ab {}[]"\\\n/:,Жé$', "\\(x\\)", "\\frac{1}{2}", "😀", "}, {"]),
    max_size=12,
).map("".join)
_ITEM = st.fixed_dictionaries(
    {
        "bbox": st.tuples(st.integers(0, 400), st.integers(0, 400)).map(
            lambda p: [p[0], p[1], p[0] + 1 + p[1] % 97, p[1] + 1 + p[0] % 89]
        ),
        "category": st.sampled_from(CATEGORIES),
        "text": _TEXT,
    }
)


@settings(max_examples=120, deadline=None)
@given(st.lists(_ITEM, max_size=8), st.lists(st.integers(0, 2000), max_size=20), st.booleans())
def test_any_split_of_any_valid_answer_streams_what_parse_layout_returns(
    items: list[dict[str, object]], cuts: list[int], pretty: bool
) -> None:
    text = json.dumps(items, ensure_ascii=False, indent=2 if pretty else None)
    cuts = [c % (len(text) + 1) for c in cuts]
    parser = IncrementalLayoutParser(IDENTITY)
    streamed = []
    start = 0
    for cut in [*sorted(cuts), len(text)]:
        streamed.extend(parser.feed(text[start:cut]))
        start = cut
    whole = parse_layout(text, IDENTITY)
    final = parser.finish("stop")
    assert final == whole
    assert whole.status in (PageStatus.OK, PageStatus.PARTIAL)  # partial only if deduped
    if whole.status is PageStatus.OK:
        assert tuple(streamed) == whole.blocks


# ------------------------------------------------------------------ salvage


def _object_ends(text: str) -> list[int]:
    """Offsets just after each top-level block object in a valid answer."""
    ends, depth, in_str, esc = [], 0, False, False
    for i, ch in enumerate(text):
        if in_str:
            esc, in_str = (False, in_str) if esc else (ch == "\\", ch != '"')
            continue
        if ch == '"':
            in_str = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                ends.append(i + 1)
    return ends


def test_truncation_at_every_byte_offset_never_raises_nor_loses_a_complete_block() -> None:
    data = JOURNAL_OUTPUT.encode("utf-8")
    full = parse_layout(JOURNAL_OUTPUT, JOURNAL_MAP).blocks
    ends = [len(JOURNAL_OUTPUT[:e].encode("utf-8")) for e in _object_ends(JOURNAL_OUTPUT)]
    assert len(ends) == len(full)
    for offset in range(len(data) + 1):
        prefix = data[:offset].decode("utf-8", errors="ignore")
        result = parse_layout(prefix, JOURNAL_MAP, finish_reason="length")
        complete = sum(1 for e in ends if e <= offset)
        got = [(b.category, b.bbox, b.text) for b in result.blocks]
        want = [(b.category, b.bbox, b.text) for b in full[:complete]]
        assert got[:complete] == want, offset
        assert len(got) <= complete + 1  # at most the cut-off block in addition
        if offset < len(data):
            assert result.status in (PageStatus.PARTIAL, PageStatus.FAILED)


def test_cut_off_last_block_keeps_its_box_and_the_text_so_far() -> None:
    text = '[{"bbox": [1, 2, 30, 40], "category": "Text", "text": "one"}, ' + (
        '{"bbox": [5, 50, 90, 80], "category": "Text", "text": "the quick br'
    )
    result = parse_layout(text, IDENTITY, finish_reason="length")
    assert [b.text for b in result.blocks] == ["one", "the quick br"]
    assert result.status is PageStatus.PARTIAL
    assert "token limit" in result.reason and "cut-off" in result.reason


def test_missing_commas_and_bad_latex_escapes_are_recovered_with_boxes() -> None:
    text = (
        '[{"bbox": [1, 2, 30, 40], "category": "Formula", "text": "\\(x^2\\)"}'
        '{"bbox": [1, 50, 30, 90], "category": "Text", "text": "b"}]'
    )
    result = parse_layout(text, IDENTITY)
    assert [(b.bbox, b.text) for b in result.blocks] == [
        ((1, 2, 30, 40), "\\(x^2\\)"),
        ((1, 50, 30, 90), "b"),
    ]
    assert result.status is PageStatus.PARTIAL and "malformed" in result.reason


def test_looping_receipt_table_keeps_the_good_table_and_marks_the_page_partial() -> None:
    good = '{"bbox": [10, 10, 500, 300], "category": "Table", "text": "<table><tr><td>Milk</td><td>1.20</td></tr></table>"}'  # noqa: E501
    loop = "<tr><td></td><td></td><td></td><td></td></tr>" * 60
    text = f'[{good}, {{"bbox": [10, 320, 500, 900], "category": "Table", "text": "<table>{loop}<tr><td'  # noqa: E501
    result = parse_layout(text, IDENTITY, finish_reason="length")
    assert result.blocks[0].text == "<table><tr><td>Milk</td><td>1.20</td></tr></table>"
    assert result.blocks[0].bbox == (10, 10, 500, 300)
    assert result.status is PageStatus.PARTIAL


def test_unescaped_quote_falls_back_to_extracting_every_complete_object() -> None:
    text = (
        '[{"bbox": [1, 2, 30, 40], "category": "Text", "text": "say "hi" now"}, '
        '{"bbox": [1, 50, 30, 90], "category": "Text", "text": "b"}, '
        '{"bbox": [1, 95, 30, 99], "category": "Title", "text": "c"}]'
    )
    result = parse_layout(text, IDENTITY)
    assert [b.text for b in result.blocks][-2:] == ["b", "c"]
    assert result.status is PageStatus.PARTIAL


def test_repeated_text_five_times_keeps_only_the_first() -> None:
    items = [
        {"bbox": [1, 10 * i + 1, 30, 10 * i + 9], "category": "Text", "text": "..."}
        for i in range(6)
    ] + [{"bbox": [1, 200, 30, 210], "category": "Text", "text": "end"}]
    result = parse_layout(_answer(items), IDENTITY)
    assert [b.text for b in result.blocks] == ["...", "end"]
    assert result.status is PageStatus.PARTIAL and "repeated" in result.reason
    # the stream never shows more than four copies while it is still writing
    assert len(_stream(_answer(items), [])) == 5


def test_same_box_twice_keeps_the_first() -> None:
    items = [
        {"bbox": [1, 2, 30, 40], "category": "Text", "text": "a"},
        {"bbox": [1, 2, 30, 40], "category": "Text", "text": "b"},
    ]
    result = parse_layout(_answer(items), IDENTITY)
    assert [b.text for b in result.blocks] == ["a"]


def test_empty_or_garbage_answers_fail_with_a_reason() -> None:
    empty = parse_layout("  ", IDENTITY)
    assert empty.status is PageStatus.FAILED and "empty" in empty.reason
    garbage = parse_layout("}{}{ ]][[ {{", IDENTITY)
    assert garbage.status is PageStatus.FAILED and garbage.blocks == ()


def test_prose_instead_of_json_is_kept_as_one_text_block_and_the_page_is_partial() -> None:
    # Issue 15: prose was "no readable layout blocks" and its text thrown away.
    prose = parse_layout("I cannot read this page.", IDENTITY)
    assert prose.status is PageStatus.PARTIAL
    assert [(b.category, b.text, b.bbox) for b in prose.blocks] == [
        ("Text", "I cannot read this page.", (0, 0, 1000, 1000))
    ]
    assert "in prose" in prose.reason


def test_valid_answer_cut_by_the_token_limit_is_partial() -> None:
    result = parse_layout(JOURNAL_OUTPUT, JOURNAL_MAP, finish_reason="length")
    assert result.status is PageStatus.PARTIAL and len(result.blocks) == len(BLOCKS)


def test_a_block_with_an_unusable_box_makes_the_page_partial_not_silently_ok() -> None:
    mapping = BoxMapping(ORIG_W, ORIG_H, MODEL_W, MODEL_H)
    good = {"bbox": [10, 10, 200, 60], "category": "Text", "text": "kept"}
    bad = {"bbox": [float("nan"), 10, 200, 60], "category": "Text", "text": "lost"}
    result = parse_layout(json.dumps([good, bad]), mapping)  # json.dumps writes NaN
    assert [b.text for b in result.blocks] == ["kept"]
    assert result.status is PageStatus.PARTIAL
    assert "1 block without a usable box left out" in result.reason


def test_an_answer_whose_every_box_is_unusable_fails_the_page_with_a_reason() -> None:
    mapping = BoxMapping(ORIG_W, ORIG_H, MODEL_W, MODEL_H)
    bad = [{"bbox": [1e400, 0, 5, 5], "category": "Text", "text": "x"}]
    result = parse_layout(json.dumps(bad).replace("Infinity", "1" + "0" * 401), mapping)
    assert result.blocks == ()
    assert result.status is PageStatus.FAILED
    assert "no block with a usable box" in result.reason


def test_an_empty_layout_is_an_ok_blank_page() -> None:
    result = parse_layout("[]", BoxMapping(ORIG_W, ORIG_H, MODEL_W, MODEL_H))
    assert result.blocks == () and result.status is PageStatus.OK
