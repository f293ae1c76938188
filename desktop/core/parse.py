"""dots.ocr layout answers -> blocks: strict JSON, salvage with boxes kept, and streaming."""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from desktop.core.document import CATEGORIES, Block, PageStatus
from desktop.core.messages import Code, Msg, say
from desktop.core.resize import BoxMapping

logger = logging.getLogger(__name__)

#: Upstream drops a (category, text) pair repeated this often to its first occurrence.
REPEAT_LIMIT = 5
#: Upstream caps the text salvaged from a cut-off object.
TRUNCATED_TEXT_LIMIT = 10_000

#: Coordinates beyond this are nonsense, not a page position (model images are < 1e5 px).
MAX_COORDINATE = 1e9

_CANONICAL = {c.lower().replace("_", "-").replace(" ", "-"): c for c in CATEGORIES}
_BAD_ESCAPE = re.compile(r'\\(?!["\\/bfnrtu])')
_OBJECT_RE = re.compile(r'\{[^{}]*?"bbox"\s*:\s*\[[^\]]*\][^{}]*\}')
_SPECIAL = re.compile(r'[{}"\\]')
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")
_TAIL_RE = re.compile(
    r'\{\s*"bbox"\s*:\s*\[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]'
    r'\s*,\s*"category"\s*:\s*"([^"\\]*)"\s*(?:,\s*"text"\s*:\s*"(.*))?$',
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """A page's blocks (original pixels), how complete they are, and why."""

    blocks: tuple[Block, ...]
    status: PageStatus
    facts: tuple[Msg, ...] = ()

    @property
    def reason(self) -> str:
        """Why the page is not complete, in English ("" when it is)."""
        return say(self.facts)


def canonical_category(value: object) -> str:
    """The category as one of the eleven names; unknown or missing ones become Text."""
    if not isinstance(value, str):
        return "Text"
    return _CANONICAL.get(value.strip().lower().replace("_", "-").replace(" ", "-"), "Text")


_UNREADABLE: Any = object()


def _loads(text: str) -> Any:
    """json.loads for model output; _UNREADABLE for anything it rejects or chokes on."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # deep nesting, 5000-digit numbers, bad JSON
        return _UNREADABLE


def _loads_object(text: str) -> Any:
    value = _loads(text)
    if value is _UNREADABLE:
        # LaTeX such as "\(" is an invalid JSON escape the model emits often.
        value = _loads(_BAD_ESCAPE.sub(r"\\\\", text))
    return None if value is _UNREADABLE else value


def _number_box(value: object) -> tuple[float, float, float, float] | None:
    if not isinstance(value, list | tuple) or len(value) != 4:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in value)
    except (TypeError, ValueError, OverflowError):  # 10**400 overflows a float
        return None
    if not all(math.isfinite(v) and abs(v) <= MAX_COORDINATE for v in (x1, y1, x2, y2)):
        return None  # NaN, Infinity or 1e308: no place on any page (and scaling overflows)
    return x1, y1, x2, y2


def block_from_item(item: object, mapping: BoxMapping, index: int = 0) -> Block | None:
    """One answer object -> Block in original pixels; None if it has no usable box."""
    if not isinstance(item, dict):
        return None
    raw = _number_box(item.get("bbox"))
    if raw is None:
        return None
    x1, y1, x2, y2 = raw
    if x2 <= x1 or y2 <= y1:
        return None  # inverted or empty: nothing to draw
    bbox = mapping.to_original(raw)
    if bbox[2] <= bbox[0] or bbox[3] <= bbox[1]:
        return None  # entirely outside the page
    raw_category = item.get("category")
    category = canonical_category(raw_category)
    text = item.get("text")
    if category == "Picture" or text is None:
        value = None
    else:
        value = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    facts: tuple[Msg, ...] = ()
    shown = raw_category.strip()[:40] if isinstance(raw_category, str) else ""
    if shown and category == "Text" and shown.lower() != "text":  # kept as Text, said so
        facts = (Msg.of(Code.BLOCK_CATEGORY_UNKNOWN, category=shown),)
    return Block(category=category, bbox=bbox, text=value, index=index, facts=facts)


class _Deduper:
    """Online duplicate rules: one block per box; a (category, text) pair at most 4 times."""

    def __init__(self) -> None:
        self.boxes: set[tuple[int, int, int, int]] = set()
        self.pairs: Counter[tuple[str, str | None]] = Counter()
        self.dropped = 0

    def accept(self, block: Block) -> bool:
        pair = (block.category, block.text)
        if block.bbox in self.boxes or self.pairs[pair] >= REPEAT_LIMIT - 1:
            self.pairs[pair] += 1
            self.dropped += 1
            return False
        self.boxes.add(block.bbox)
        self.pairs[pair] += 1
        return True


def _final_dedupe(blocks: Iterable[Block]) -> tuple[list[Block], int]:
    """Upstream's rules on the whole answer: a pair seen 5+ times keeps its first only."""
    items = list(blocks)
    counts = Counter((b.category, b.text) for b in items)
    kept: list[Block] = []
    seen_boxes: set[tuple[int, int, int, int]] = set()
    seen_pairs: set[tuple[str, str | None]] = set()
    for block in items:
        pair = (block.category, block.text)
        if block.bbox in seen_boxes or (counts[pair] >= REPEAT_LIMIT and pair in seen_pairs):
            continue
        seen_boxes.add(block.bbox)
        seen_pairs.add(pair)
        kept.append(block)
    return [_reindex(b, i) for i, b in enumerate(kept)], len(items) - len(kept)


def _reindex(block: Block, index: int) -> Block:
    if block.index == index:
        return block
    return Block(block.category, block.bbox, block.text, index, block.facts)


def _strict_items(text: str) -> list[Any] | None:
    body = _FENCE.sub("", text) if "```" in text else text
    value = _loads(body)
    if value is _UNREADABLE:
        return None
    if isinstance(value, dict):
        # {"bbox": ...} alone, or a wrapper such as {"layout": [...]}.
        if "bbox" in value:
            return [value]
        lists = [v for v in value.values() if isinstance(v, list)]
        return lists[0] if len(lists) == 1 else None
    return value if isinstance(value, list) else None


def _truncated_tail(fragment: str, mapping: BoxMapping, index: int) -> Block | None:
    """The object cut off at the end: keep its box and the text written so far."""
    match = _TAIL_RE.search(fragment)
    if match is None:
        return None
    box = [match.group(i) for i in range(1, 5)]  # "1.2.3" matches too: _number_box checks
    raw_text = match.group(6)
    text: str | None = None
    if raw_text is not None:
        raw_text = raw_text[:TRUNCATED_TEXT_LIMIT]
        raw_text = re.sub(r"\\u[0-9a-fA-F]{0,3}$|\\$", "", raw_text)
        decoded = _loads_object('"' + raw_text.split('"', 1)[0] + '"')
        text = decoded if isinstance(decoded, str) else None
    return block_from_item({"bbox": box, "category": match.group(5), "text": text}, mapping, index)


class IncrementalLayoutParser:
    """Feed the streamed answer; get each block the moment its closing brace arrives."""

    def __init__(self, mapping: BoxMapping) -> None:
        self.mapping = mapping
        self._chunks: list[str] = []
        self._current: list[str] = []  # characters of the open top-level object
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._blocks: list[Block] = []
        self._all: list[Block] = []  # every converted block, duplicates included
        self._unreadable = 0  # complete objects that were not valid JSON
        self._dedupe = _Deduper()

    @property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(self._blocks)

    def feed(self, chunk: str) -> list[Block]:
        """Consume more answer text; return the blocks it completed, in order."""
        self._chunks.append(chunk)
        done: list[Block] = []
        current = self._current
        start: int | None = 0 if self._depth else None  # open object's start in this chunk
        skip = 0 if self._escape else -1  # index of a character escaped by a backslash
        self._escape = False
        # Only quotes, braces and backslashes change the state: jump between them.
        for match in _SPECIAL.finditer(chunk):
            i = match.start()
            if i == skip:
                continue
            ch = chunk[i]
            if self._in_string:
                if ch == "\\":
                    skip = i + 1
                elif ch == '"':
                    self._in_string = False
                continue
            if ch == '"':
                self._in_string = self._depth > 0
            elif ch == "{":
                if self._depth == 0:
                    start = i
                self._depth += 1
            elif ch == "}" and self._depth:
                self._depth -= 1
                if self._depth == 0 and start is not None:
                    current.append(chunk[start : i + 1])
                    block = self._complete("".join(current))
                    current.clear()
                    start = None
                    if block is not None:
                        done.append(block)
        if skip == len(chunk):
            self._escape = True
        if self._depth and start is not None:
            current.append(chunk[start:])
        return done

    def _complete(self, text: str) -> Block | None:
        item = _loads_object(text)
        if item is None:
            self._unreadable += 1
        block = block_from_item(item, self.mapping, len(self._blocks))
        if block is None:
            return None
        self._all.append(block)
        if not self._dedupe.accept(block):
            return None
        self._blocks.append(block)
        return block

    def finish(self, finish_reason: str | None = "stop") -> ParseResult:
        """The page's final result, with the whole answer known."""
        full = "".join(self._chunks)
        if not full.strip():
            return ParseResult((), PageStatus.FAILED, (Msg(Code.PAGE_EMPTY_ANSWER),))
        items = _strict_items(full)
        salvaged = items is None
        candidates: list[Block] = []
        cut = False
        unusable = 0
        if items is not None:
            for item in items:
                block = block_from_item(item, self.mapping)
                if block is not None:
                    candidates.append(block)
                else:
                    unusable += 1
        else:
            candidates = list(self._all)
            tail = "".join(self._current) if self._depth else ""
            if tail:
                extra = _truncated_tail(tail, self.mapping, len(candidates))
                if extra is not None:
                    candidates.append(extra)
                    cut = True
            # A stray quote desynchronises the scanner: fall back to upstream's regex.
            desynced = self._unreadable or not candidates or tail.count('"bbox"') > 1
            by_regex = self._regex_blocks(full) if desynced else []
            if len(by_regex) > len(candidates):
                candidates, cut = by_regex, False
        if salvaged and not candidates and _looks_like_prose(full):
            return self._prose(full)
        blocks, dropped = _final_dedupe(candidates)
        verdict = self._verdict(len(blocks) - cut, salvaged, dropped, cut, finish_reason)
        if unusable:
            verdict = _with_unusable(verdict, unusable, len(blocks))
        return ParseResult(tuple(blocks), *_with_unknown_categories(verdict, blocks))

    def _prose(self, full: str) -> ParseResult:
        """The model wrote prose, not layout JSON: its text kept as one Text block over the
        whole page (no positions are known), the page partial with the reason."""
        page = (0, 0, self.mapping.orig_w, self.mapping.orig_h)
        block = Block("Text", page, _FENCE.sub("", full).strip(), 0)
        return ParseResult((block,), PageStatus.PARTIAL, (Msg(Code.PAGE_PROSE_KEPT),))

    def _regex_blocks(self, full: str) -> list[Block]:
        found: list[Block] = []
        for match in _OBJECT_RE.finditer(full):
            block = block_from_item(_loads_object(match.group(0)), self.mapping, len(found))
            if block is not None:
                found.append(block)
        return found

    def _verdict(
        self, count: int, salvaged: bool, dropped: int, cut: bool, finish_reason: str | None
    ) -> tuple[PageStatus, tuple[Msg, ...]]:
        if finish_reason == "length":
            if not count and not cut:
                return PageStatus.FAILED, (Msg(Code.PAGE_LIMIT_BEFORE_BLOCK),)
            kept = Code.PAGE_LIMIT_KEPT_CUT if cut else Code.PAGE_LIMIT_KEPT
            return PageStatus.PARTIAL, (Msg.of(kept, count=count),)
        if salvaged and not count and not cut:
            return PageStatus.FAILED, (Msg(Code.PAGE_NO_LAYOUT),)
        reasons = []
        if salvaged:
            got = Code.PAGE_JSON_RECOVERED_CUT if cut else Code.PAGE_JSON_RECOVERED
            reasons.append(Msg.of(got, count=count))
        if dropped:
            reasons.append(Msg.of(Code.PAGE_REPEATS_REMOVED, count=dropped))
        if finish_reason not in (None, "stop", "length"):
            reasons.append(Msg.of(Code.PAGE_STOPPED_EARLY, finish=finish_reason))
        if reasons:
            return PageStatus.PARTIAL, tuple(reasons)
        return PageStatus.OK, ()


def _with_unusable(
    verdict: tuple[PageStatus, tuple[Msg, ...]], unusable: int, kept: int
) -> tuple[PageStatus, tuple[Msg, ...]]:
    """Blocks left out for an unusable box (missing, not numbers, outside the page) are lost
    text: the page must not look complete."""
    status, reasons = verdict
    note = Msg.of(Code.PAGE_BOXLESS_LEFT_OUT, count=unusable)
    if not kept:
        return PageStatus.FAILED, (Msg.of(Code.PAGE_NO_USABLE_BOX, left_out=note),)
    if status is PageStatus.OK:
        return PageStatus.PARTIAL, (note,)
    return status, (*reasons, note)


def _looks_like_prose(full: str) -> bool:
    """Words, not JSON gone wrong: no bracket first, mostly letters, digits and spaces."""
    body = _FENCE.sub("", full).strip() if "```" in full else full.strip()
    if not body or body[0] in "[{" or '"bbox"' in body:
        return False
    sample = body[:4096]
    wordish = sum(c.isalnum() or c.isspace() for c in sample)
    return wordish >= 0.6 * len(sample) and any(c.isalpha() for c in sample)


def _with_unknown_categories(
    verdict: tuple[PageStatus, tuple[Msg, ...]], blocks: Iterable[Block]
) -> tuple[PageStatus, tuple[Msg, ...]]:
    """Blocks whose category dots.ocr does not have are kept (as Text) and noted."""
    names: dict[str, None] = {}
    count = 0
    for block in blocks:
        for fact in block.facts:
            if fact.code is Code.BLOCK_CATEGORY_UNKNOWN:
                names[str(fact.params["category"])] = None
                count += 1
    if not count:
        return verdict
    status, reasons = verdict
    note = Msg.of(Code.PAGE_UNKNOWN_CATEGORIES, count=count, names=tuple(names))
    return status, (*reasons, note)


def parse_layout(
    text: str, mapping: BoxMapping, *, finish_reason: str | None = "stop"
) -> ParseResult:
    """A complete layout answer -> blocks in original pixels, with status and reason."""
    parser = IncrementalLayoutParser(mapping)
    parser.feed(text)
    return parser.finish(finish_reason)
