"""Extraction by schema: the engine mode that fills a JSON Schema's fields from a page.

Each page goes to the server with the schema as vLLM structured output
(``response_format: {"type": "json_schema", "json_schema": {"name", "schema"}}``, as
vLLM 0.11 and OpenAI accept it). The schema sent wraps the user's: ``fields`` is the
user's schema, ``boxes`` lists where on the page each value was read (``field`` as a JSON
pointer, ``bbox`` in the model's box convention), so the window can highlight the source.
The answer is parsed, its ``fields`` validated against the user's schema (a breach names
the field by its JSON pointer), and the boxes mapped to original page pixels.

Multi-page inputs are read page by page (dots.mocr and most served VLMs take one image per
prompt) and merged in page order: a scalar field takes the first page's value that is not
empty, an array field the items of every page in order. ``sources`` keep each value's page.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from desktop.core.document import BBox
from desktop.core.images import count_pages, iter_pages
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.core.prompts import IMAGE_PLACEHOLDER, PromptMode, from_qwen_grid
from desktop.core.request import EncodedImage, encode_page, plan_budget
from desktop.core.schemas import ExtractSchema, breaches
from desktop.engines.base import Engine, EngineError
from desktop.engines.net.sse import StreamRestart
from desktop.engines.remote.requestbody import ImageRef
from desktop.engines.remote.server import DEFAULT_CONTEXT, ServerEngine

#: Tokens an answer may take (a filled form, with boxes, is far shorter).
EXTRACT_MAX_TOKENS = 4096
#: Characters of a page's OCR text sent along (the rest would crowd out the answer).
MAX_OCR_CHARS = 12_000
#: Characters of answer read before it is cut (a looping model).
MAX_ANSWER_CHARS = 200_000
DEFAULT_PROMPT = (
    "Fill in the fields of the JSON schema from this document page. Copy values exactly as "
    "printed; use null for a field the page does not show. For every value you fill, add "
    'an entry to "boxes": the field\'s JSON pointer (for example /total or /items/0/price) '
    "and the bounding box [x1, y1, x2, y2] of the text it was read from."
)


class ExtractionFailed(EngineError):
    """The answer is not JSON, or breaks the schema (``pointer`` names the field)."""

    def __init__(self, msg: Msg, pointer: str = "") -> None:
        super().__init__(msg)
        self.pointer = pointer


class CannotExtract(EngineError):
    """The model or engine cannot answer a schema (dots.ocr, the built-in engine)."""


@dataclass(frozen=True, slots=True)
class FieldSource:
    """Where a value was read: its JSON pointer, the page (0-based) and the box in pixels."""

    pointer: str
    page_index: int
    bbox: BBox


@dataclass(frozen=True, slots=True)
class PageAnswer:
    """One page's answer: the values (valid for the schema) and their boxes."""

    page_index: int
    values: Mapping[str, Any]
    sources: tuple[FieldSource, ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    """One input's result: merged values and their sources, or the error that failed it."""

    source: str
    values: Mapping[str, Any] = field(default_factory=dict)
    sources: tuple[FieldSource, ...] = ()
    error: EngineError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def check_can_extract(engine: Engine) -> None:
    """Refuse an engine or model that cannot answer a schema, with the fix."""
    fix = Msg(Code.FIX_EXTRACT_CHAT_MODEL)
    if not isinstance(engine, ServerEngine):
        raise CannotExtract(Msg.of(Code.EXTRACT_NO_CHAT, model=engine.name), fix=fix)
    model = (engine.info.model if engine.info else engine.requested_model or "").lower()
    if "dots.ocr" in model or "dots_ocr" in model:
        raise CannotExtract(Msg.of(Code.EXTRACT_NO_CHAT, model=model), fix=fix)


def request_schema(schema: ExtractSchema) -> dict[str, Any]:
    """The schema the server constrains its answer to: the user's fields plus their boxes."""
    user = dict(schema.schema)
    wrapper: dict[str, Any] = {
        "type": "object",
        "properties": {
            "fields": {k: v for k, v in user.items() if k not in ("$defs", "definitions")},
            "boxes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string"},
                        # No minItems/maxItems: xgrammar before vLLM 0.9 refused them
                        # (400); a box of another length is dropped when read.
                        "bbox": {"type": "array", "items": {"type": "integer"}},
                    },
                    "required": ["field", "bbox"],
                },
            },
        },
        "required": ["fields", "boxes"],
    }
    for key in ("$defs", "definitions"):  # "#/$defs/x" references resolve at the root
        if key in user:
            wrapper[key] = user[key]
    return wrapper


def response_format(schema: ExtractSchema) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": schema.name, "schema": request_schema(schema)},
    }


def extraction_prompt(prompt: str | None, ocr_text: str | None) -> str:
    """The instruction, with the page's OCR text when the caller has it."""
    text = (prompt or "").strip() or DEFAULT_PROMPT
    if ocr_text and ocr_text.strip():
        text += "\n\nThe page's text, as read by OCR:\n" + ocr_text.strip()[:MAX_OCR_CHARS]
    return text


def read_answer(
    text: str, schema: ExtractSchema, page_index: int, to_pixels: Callable[[Sequence[int]], BBox]
) -> PageAnswer:
    """The answer text as values and boxes; raise ``ExtractionFailed`` naming the fault."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # nesting deeper than Python recurses
        raise ExtractionFailed(Msg.of(Code.EXTRACT_NOT_JSON, page=page_index + 1)) from None
    if not isinstance(data, dict):
        raise ExtractionFailed(Msg.of(Code.EXTRACT_NOT_JSON, page=page_index + 1))
    # A server that ignores response_format may answer the user's fields bare.
    values = data.get("fields", data)
    found = breaches(schema, values)
    if found:
        first = found[0]
        raise ExtractionFailed(
            Msg.of(Code.EXTRACT_BREACH, page=page_index + 1, breach=first.msg), first.pointer
        )
    return PageAnswer(page_index, values, _sources(data.get("boxes"), page_index, to_pixels))


def _sources(
    boxes: Any, page_index: int, to_pixels: Callable[[Sequence[int]], BBox]
) -> tuple[FieldSource, ...]:
    found: list[FieldSource] = []
    for item in boxes if isinstance(boxes, list) else []:
        if not isinstance(item, dict):
            continue
        pointer, bbox = item.get("field"), item.get("bbox")
        if not isinstance(pointer, str) or not isinstance(bbox, list) or len(bbox) != 4:
            continue
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in bbox):
            continue
        box = to_pixels(bbox)
        if box[2] > box[0] and box[3] > box[1]:
            found.append(FieldSource("/" + pointer.lstrip("/"), page_index, box))
    return tuple(found)


def merge_pages(answers: Sequence[PageAnswer]) -> tuple[dict[str, Any], tuple[FieldSource, ...]]:
    """Page answers as one: scalars from the first page that has them, arrays concatenated."""
    values: dict[str, Any] = {}
    sources: list[FieldSource] = []
    offsets: dict[str, int] = {}
    for answer in answers:
        taken: set[str] = set()
        for key, value in answer.values.items():
            before = values.get(key)
            if isinstance(value, list) and (before is None or isinstance(before, list)):
                offsets[key] = len(before or [])
                values[key] = [*(before or []), *value]
                taken.add(key)
            elif key not in values or _empty(values[key]):
                values[key] = value
                taken.add(key)
        for source in answer.sources:
            top, _, rest = source.pointer[1:].partition("/")
            if top not in taken:
                continue
            pointer = source.pointer
            if top in offsets and rest.split("/")[0].isdigit():
                index, _, tail = rest.partition("/")
                pointer = f"/{top}/{int(index) + offsets[top]}" + (f"/{tail}" if tail else "")
            sources.append(FieldSource(pointer, source.page_index, source.bbox))
    return values, tuple(sources)


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


async def _encode(engine: ServerEngine, page: PageImage) -> EncodedImage:
    info = engine.info
    decision = plan_budget(
        page.width,
        page.height,
        max_model_len=(info.max_model_len if info else None) or DEFAULT_CONTEXT,
        mode=PromptMode.OCR,
        max_tokens=EXTRACT_MAX_TOKENS,
    )
    return await asyncio.to_thread(encode_page, page, decision.max_pixels)


async def extract_page(
    engine: ServerEngine,
    page: PageImage,
    schema: ExtractSchema,
    *,
    prompt: str | None = None,
    ocr_text: str | None = None,
) -> PageAnswer:
    """One page's values by ``schema``; raises ``ExtractionFailed`` or the server's error."""
    await engine.ensure_ready()
    check_can_extract(engine)
    encoded = await _encode(engine, page)
    text = extraction_prompt(prompt, ocr_text)
    content = [
        {"type": "image_url", "image_url": {"url": ImageRef(encoded)}},
        {"type": "text", "text": text if engine.is_qwen else IMAGE_PLACEHOLDER + text},
    ]
    body = engine.request_body(
        [{"role": "user", "content": content}],
        EXTRACT_MAX_TOKENS,
        response_format=response_format(schema),
    )
    parts: list[str] = []
    size = 0
    async with aclosing(engine.stream_completion(body)) as stream:
        async for item in stream:
            if isinstance(item, StreamRestart):
                parts.clear()
                size = 0
            elif item.content:
                parts.append(item.content)
                size += len(item.content)
                if size > MAX_ANSWER_CHARS:
                    break
    mapping = encoded.mapping

    def to_pixels(box: Sequence[int]) -> BBox:
        if engine.is_qwen:
            return from_qwen_grid(box, mapping.orig_w, mapping.orig_h)
        return mapping.to_original(box)

    return await asyncio.to_thread(read_answer, "".join(parts), schema, page.index, to_pixels)


async def extract_source(
    engine: ServerEngine,
    source: str,
    schema: ExtractSchema,
    *,
    prompt: str | None = None,
    ocr_texts: Mapping[int, str] | None = None,
    dpi: float = 200,
    on_page: Callable[[int, int], None] | None = None,
) -> Extraction:
    """Every page of ``source`` extracted and merged; a failure is the input's, as facts.

    Errors every input would meet (the server gone, the key refused) propagate.
    ``on_page(done, total)`` reports progress.
    """
    from desktop.core.errors import DotsError

    try:
        total = await asyncio.to_thread(count_pages, source)
    except DotsError as exc:
        return Extraction(source, error=EngineError(exc.msg, fix=exc.fix_msg))
    answers: list[PageAnswer] = []
    for index in range(total):
        try:
            page = await asyncio.to_thread(_read_page, source, index, dpi)
            text = (ocr_texts or {}).get(index)
            answers.append(await extract_page(engine, page, schema, prompt=prompt, ocr_text=text))
        except ExtractionFailed as exc:
            return Extraction(source, error=exc)
        except EngineError:
            raise
        except DotsError as exc:
            return Extraction(source, error=EngineError(exc.msg, fix=exc.fix_msg))
        if on_page is not None:
            on_page(index + 1, total)
    values, sources = merge_pages(answers)
    if total > 1:
        found = breaches(schema, values)
        if found:
            msg = Msg.of(Code.EXTRACT_BREACH_MERGED, breach=found[0].msg)
            return Extraction(source, error=ExtractionFailed(msg, found[0].pointer))
    return Extraction(source, values, sources)


def _read_page(source: str, index: int, dpi: float) -> PageImage:
    return next(iter(iter_pages(source, dpi=dpi, pages=[index])))
