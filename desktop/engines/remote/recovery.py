"""Re-reading a page whose answer looped: layout_only for the boxes, then grounding per block.

This is upstream's advice for looping pages, done automatically: the cheap prompts rarely
loop, and a loop inside one block's grounding only costs that block.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import aclosing

from desktop.core.document import CUT_MARK, Block, Page, PageStatus
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.core.parse import IncrementalLayoutParser
from desktop.core.prompts import PromptMode
from desktop.core.request import EncodedImage, with_fit_notes
from desktop.engines.base import EngineError
from desktop.engines.net.sse import StreamRestart as _Restart
from desktop.engines.remote.loopguard import LoopDetected, LoopGuard, strip_loop
from desktop.engines.remote.source import AnswerSource

logger = logging.getLogger(__name__)

GROUNDING_MAX_TOKENS = 2048
GROUNDING_CONCURRENCY = 4


async def _layout_only(
    engine: AnswerSource, encoded: EncodedImage, max_tokens: int
) -> tuple[Block, ...]:
    body = engine.request_body(
        engine.messages(encoded, engine.prompt(PromptMode.LAYOUT_ONLY, None, encoded)), max_tokens
    )
    parser = IncrementalLayoutParser(encoded.mapping)
    guard = LoopGuard(engine.loop_guard)
    finish: str | None = None
    async with aclosing(engine.stream_completion(body)) as stream:
        async for item in stream:
            if isinstance(item, _Restart):
                parser = IncrementalLayoutParser(encoded.mapping)
                continue
            finish = item.finish_reason or finish
            if item.content:
                parser.feed(item.content)
                if guard.feed(item.content):
                    finish = "length"
                    break
    return parser.finish(finish or "stop").blocks


async def _ground(
    engine: AnswerSource, encoded: EncodedImage, block: Block, sem: asyncio.Semaphore
) -> tuple[str, Msg | None]:
    """The region's text, and why it was cut short (None when it came whole)."""
    async with sem:
        body = engine.request_body(
            engine.messages(encoded, engine.prompt(PromptMode.GROUNDING, block.bbox, encoded)),
            GROUNDING_MAX_TOKENS,
        )
        parts: list[str] = []
        guard = LoopGuard(engine.loop_guard)
        finish: str | None = None
        async with aclosing(engine.stream_completion(body)) as stream:
            async for item in stream:
                if isinstance(item, _Restart):
                    parts.clear()
                    finish = None
                    continue
                finish = item.finish_reason or finish
                if item.content:
                    parts.append(item.content)
                    if guard.feed(item.content):
                        break  # keep what came before the loop for this block only
        text = strip_loop("".join(parts), guard.unit).strip()
        if guard.reason is not None:
            return text, Msg.of(Code.BLOCK_CUT_LOOP, loop=guard.reason)
        if finish == "length":
            return text, Msg.of(Code.BLOCK_CUT_LIMIT, tokens=GROUNDING_MAX_TOKENS)
        return text, None


def _regions(
    boxes: Sequence[Block], reads: Sequence[tuple[str, Msg | None] | None]
) -> tuple[Block, ...]:
    """The re-read blocks; a region cut short keeps its text, flagged and marked ``[…]``."""
    blocks = []
    for i, (box, read) in enumerate(zip(boxes, reads, strict=True)):
        if box.category == "Picture" or read is None:
            blocks.append(Block(box.category, box.bbox, None, i))
            continue
        text, cut = read
        if cut is None:
            blocks.append(Block(box.category, box.bbox, text, i))
        else:
            marked = f"{text} {CUT_MARK}" if text else CUT_MARK
            blocks.append(Block(box.category, box.bbox, marked, i, facts=(cut,)))
    return tuple(blocks)


async def recover_page(
    engine: AnswerSource,
    page: PageImage,
    encoded: EncodedImage,
    *,
    partial: Sequence[Block],
    loop: LoopDetected,
    note: tuple[Msg, ...],
) -> Page:
    """The looping page read again; RECOVERED when it worked, PARTIAL with what we had if not."""
    try:
        boxes = await _layout_only(engine, encoded, GROUNDING_MAX_TOKENS * 2)
        if not boxes:
            raise EngineError(Msg(Code.LAYOUT_PASS_EMPTY))
        sem = asyncio.Semaphore(min(GROUNDING_CONCURRENCY, engine.concurrency))
        texts = await asyncio.gather(
            *(
                _ground(engine, encoded, b, sem)
                if b.category != "Picture"
                else asyncio.sleep(0, result=None)
                for b in boxes
            )
        )
    except EngineError as exc:
        logger.info("page %d: recovery failed: %s", page.index, exc)
        return Page(
            index=page.index,
            width=page.width,
            height=page.height,
            blocks=tuple(partial),
            status=PageStatus.PARTIAL,
            facts=with_fit_notes(
                (
                    Msg.of(
                        Code.PAGE_LOOP_REREAD_FAILED,
                        chars=loop.chars,
                        loop=loop.reason,
                        error=exc.facts,
                    ),
                ),
                note,
            ),
            model_width=encoded.model_width,
            model_height=encoded.model_height,
        )
    blocks = _regions(boxes, texts)
    reason = Msg.of(Code.PAGE_LOOP_REREAD, chars=loop.chars, loop=loop.reason, regions=len(blocks))
    cut = tuple(b.index + 1 for b in blocks if b.facts)
    facts: tuple[Msg, ...] = (reason,)
    if cut:  # a region's own read looped or ran out: its text is truncated, not recovered
        why: dict[Code, Msg] = {}  # one reason of each kind: each block keeps its own
        for fact in (f for b in blocks for f in b.facts):
            why.setdefault(fact.code, fact)
        facts += (
            Msg.of(Code.PAGE_REGIONS_CUT, count=len(cut), regions=cut, why=tuple(why.values())),
        )
    return Page(
        index=page.index,
        width=page.width,
        height=page.height,
        blocks=blocks,
        status=PageStatus.PARTIAL if cut else PageStatus.RECOVERED,
        facts=with_fit_notes(facts, note),
        model_width=encoded.model_width,
        model_height=encoded.model_height,
    )
