"""Re-reading a page whose answer looped: layout_only for the boxes, then grounding per block.

This is upstream's advice for looping pages, done automatically: the cheap prompts rarely
loop, and a loop inside one block's grounding only costs that block.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import aclosing

from desktop.core.document import Block, Page, PageStatus
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
) -> str | None:
    async with sem:
        body = engine.request_body(
            engine.messages(encoded, engine.prompt(PromptMode.GROUNDING, block.bbox, encoded)),
            GROUNDING_MAX_TOKENS,
        )
        parts: list[str] = []
        guard = LoopGuard(engine.loop_guard)
        async with aclosing(engine.stream_completion(body)) as stream:
            async for item in stream:
                if isinstance(item, _Restart):
                    parts.clear()
                    continue
                if item.content:
                    parts.append(item.content)
                    if guard.feed(item.content):
                        break  # keep what came before the loop for this block only
        return strip_loop("".join(parts), guard.unit).strip()


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
    blocks = tuple(
        Block(b.category, b.bbox, None if b.category == "Picture" else (t or ""), i)
        for i, (b, t) in enumerate(zip(boxes, texts, strict=True))
    )
    reason = Msg.of(Code.PAGE_LOOP_REREAD, chars=loop.chars, loop=loop.reason, regions=len(blocks))
    return Page(
        index=page.index,
        width=page.width,
        height=page.height,
        blocks=blocks,
        status=PageStatus.RECOVERED,
        facts=with_fit_notes((reason,), note),
        model_width=encoded.model_width,
        model_height=encoded.model_height,
    )
