"""Reading one streamed answer into a page: layout blocks as they arrive, or plain text.

The loop guard watches every stream. When the stream starts over (``StreamRestart``), the
parser and the guard start over too, and blocks already shown are not shown again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Any

from desktop.core.document import BBox, Block, Page, PageStatus
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.core.parse import IncrementalLayoutParser, parse_layout
from desktop.core.request import EncodedImage, with_fit_notes
from desktop.core.resize import BoxMapping
from desktop.engines.base import (
    BlockFound,
    EngineError,
    PageDone,
    RecognizeEvent,
    RecognizeMode,
    TextDelta,
)
from desktop.engines.net.sse import StreamRestart
from desktop.engines.remote.limits import AnswerLimits, bounded
from desktop.engines.remote.loopguard import LoopDetected, LoopGuard, strip_loop
from desktop.engines.remote.recovery import recover_page
from desktop.engines.remote.source import AnswerSource

logger = logging.getLogger(__name__)


async def read_layout_answer(
    engine: AnswerSource,
    page: PageImage,
    mode: RecognizeMode,
    encoded: EncodedImage,
    body: bytes,
    *,
    note: tuple[Msg, ...],
    limits: AnswerLimits | None = None,
) -> AsyncGenerator[RecognizeEvent, None]:
    """Blocks as the layout answer streams in, then the page (re-read if it loops).

    ``limits`` bound the answer's size and total time (kept blocks: the page is partial)."""
    parser = IncrementalLayoutParser(encoded.mapping)
    guard = LoopGuard(engine.loop_guard)
    delivered = count = 0
    finish: str | None = None
    loop: LoopDetected | None = None
    # Complete blocks of the attempt that got furthest: a stream that breaks for good (a bad
    # event, an error event, a stall, a cut on the last retry) leaves the page partial with
    # them, not failed with nothing.
    kept: tuple[Block, ...] = ()
    try:
        async with aclosing(bounded(engine.stream_completion(body, note), limits)) as stream:
            async for item in stream:
                if isinstance(item, StreamRestart):
                    kept = max(kept, parser.blocks, key=len)
                    parser = IncrementalLayoutParser(encoded.mapping)
                    guard = LoopGuard(engine.loop_guard)
                    count = 0
                    continue
                finish = item.finish_reason or finish
                if not item.content:
                    continue
                for block in parser.feed(item.content):
                    count += 1
                    if count > delivered:  # after a restart, blocks already shown are skipped
                        delivered = count
                        yield BlockFound(page.index, block)
                    if found := guard.feed_block(block):
                        raise LoopDetected(found, guard.chars_seen)
                if found := guard.feed(item.content):
                    raise LoopDetected(found, guard.chars_seen)
    except LoopDetected as exc:
        loop = exc
    except EngineError as exc:
        kept = max(kept, parser.blocks, key=len)
        if not kept:
            raise  # nothing arrived: the page fails with the reason
        logger.info("page %d: the answer broke after %d blocks: %s", page.index, len(kept), exc)
        facts = (Msg.of(Code.PAGE_STREAM_CUT, count=len(kept), why=exc.facts),)
        yield PageDone(
            page_result(page, encoded, kept, PageStatus.PARTIAL, with_fit_notes(facts, note))
        )
        return
    if loop is not None:
        partial = parser.finish("length")
        logger.info("page %d: loop cut after %d chars: %s", page.index, loop.chars, loop)
        if mode is RecognizeMode.LAYOUT:
            recovered = await recover_page(
                engine, page, encoded, partial=partial.blocks, loop=loop, note=note
            )
            yield PageDone(recovered)
            return
        yield PageDone(
            page_result(
                page,
                encoded,
                partial.blocks,
                PageStatus.PARTIAL,
                with_fit_notes((Msg.of(Code.PAGE_LOOP_CUT, loop=loop.reason),), note),
            )
        )
        return
    result = parser.finish(finish or "stop")
    yield PageDone(
        page_result(page, encoded, result.blocks, result.status, with_fit_notes(result.facts, note))
    )


async def read_text_answer(
    engine: AnswerSource,
    page: PageImage,
    mode: RecognizeMode,
    encoded: EncodedImage,
    body: bytes,
    *,
    note: tuple[Msg, ...],
    region: BBox | None,
    limits: AnswerLimits | None = None,
) -> AsyncGenerator[RecognizeEvent, None]:
    """Text as it streams in, then the page (blocks for Qwen layout and for a region)."""
    parts: list[str] = []
    guard = LoopGuard(engine.loop_guard)
    finish: str | None = None
    reason: tuple[Msg, ...] = ()
    kept = ""  # the longest text of an attempt, for a stream that breaks for good
    broke: tuple[Msg, ...] = ()
    try:
        async with aclosing(bounded(engine.stream_completion(body, note), limits)) as stream:
            async for item in stream:
                if isinstance(item, StreamRestart):
                    kept = max(kept, "".join(parts), key=len)
                    parts.clear()
                    guard = LoopGuard(engine.loop_guard)
                    continue
                finish = item.finish_reason or finish
                if item.content:
                    parts.append(item.content)
                    yield TextDelta(page.index, item.content)
                    if found := guard.feed(item.content):
                        reason = (Msg.of(Code.PAGE_LOOP_CUT, loop=found),)
                        break
    except EngineError as exc:
        kept = max(kept, "".join(parts), key=len)
        if not kept.strip():
            raise  # nothing arrived: the page fails with the reason
        parts, broke = [kept], (Msg.of(Code.PAGE_TEXT_CUT, why=exc.facts),)
    text = strip_loop("".join(parts), guard.unit) if reason else "".join(parts)
    status = PageStatus.OK
    if broke:
        status, reason = PageStatus.PARTIAL, broke
    elif reason:
        status = PageStatus.PARTIAL
    elif finish == "length":
        status = PageStatus.PARTIAL
        reason = (Msg(Code.PAGE_CUT_AT_LIMIT),)
    blocks: tuple[Any, ...] = ()
    if engine.is_qwen and mode in (RecognizeMode.LAYOUT, RecognizeMode.LAYOUT_ONLY):
        grid = BoxMapping(page.width, page.height, 1000, 1000)
        parsed = parse_layout(text.replace('"bbox_2d"', '"bbox"'), grid, finish_reason=finish)
        if parsed.blocks:
            blocks, text = parsed.blocks, ""
    if mode is RecognizeMode.GROUNDING and region is not None:
        category = "Table" if text.lstrip().lower().startswith("<table") else "Text"
        box = clip_box(region, page.width, page.height)
        blocks, text = (Block(category, box, text.strip(), 0),), ""
    yield PageDone(
        Page(
            index=page.index,
            width=page.width,
            height=page.height,
            blocks=blocks,
            status=status,
            facts=with_fit_notes(reason, note),
            model_width=encoded.model_width,
            model_height=encoded.model_height,
            text=text,
        )
    )


def page_result(
    page: PageImage,
    encoded: EncodedImage,
    blocks: Sequence[Any],
    status: PageStatus,
    facts: tuple[Msg, ...],
) -> Page:
    """The page read with ``encoded``: its blocks, status and why (as facts)."""
    return Page(
        index=page.index,
        width=page.width,
        height=page.height,
        blocks=tuple(blocks),
        status=status,
        facts=facts,
        model_width=encoded.model_width,
        model_height=encoded.model_height,
    )


def clip_box(box: BBox, width: int, height: int) -> BBox:
    """``box`` inside a ``width`` x ``height`` page, at least one pixel each way."""
    x1, y1, x2, y2 = box
    x1, x2 = sorted((min(max(int(x1), 0), width), min(max(int(x2), 0), width)))
    y1, y2 = sorted((min(max(int(y1), 0), height), min(max(int(y2), 0), height)))
    return (x1, y1, max(x2, x1 + 1), max(y2, y1 + 1))
