"""Seeded random mixes for the hostile server and hostile inputs (issue 15): the property
test over the ``ocr`` command and the long batch run (benchmarks/hostile_batch.py) draw
from here, so both cover every fault and every kind of input the reader must survive."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image

from tests.reliability.conftest import blank_pdf
from tests.reliability.hostile import (
    HostileServer,
    Reply,
    block_pieces,
    chunk_event,
    complete_json,
    error_json,
    layout_blocks,
    looping_stream,
    ok_stream,
    prose_reply,
    text_reply,
)

FAULTS = (
    "ok",
    "ok",
    "context-400",
    "refused-400",
    "http-500",
    "429",
    "json",
    "malformed-after-blocks",
    "error-event-after-blocks",
    "cut-after-blocks",
    "control-characters",
    "loop",  # the layout answer loops: the page is re-read as layout plus regions
    "prose",
    "unknown-category",
    "die",
)
#: How a region's read (the loop recovery's grounding request) is answered.
REGION_FAULTS = ("text", "text", "loop", "http-500")

#: Input kinds and how many pages each has (0: it cannot be read at all).
KINDS = {
    "png": 1,
    "jpeg": 1,
    "webp": 1,
    "tiff2": 2,
    "gif3": 3,
    "pdf1": 1,
    "pdf3": 3,
    "damaged-pdf": 3,  # page 2 fails alone
    "damaged-gif": 3,  # frame 2 and the frames drawn over it fail
    "empty": 0,
    "pdf0": 0,
}


def fault_reply(fault: str, n: int, server: HostileServer, rng: random.Random) -> Reply | None:
    """The reply to chat request ``n`` under ``fault``; requests of the loop recovery (the
    layout-only pass and the region reads) are answered as such."""
    kind = server.prompts[n - 1] if len(server.prompts) >= n else "layout"
    if kind == "layout-only":
        boxes: list[dict[str, object]] = [
            {"bbox": [10, 10 + 50 * i, 180, 50 + 50 * i], "category": "Text"} for i in (0, 1)
        ]
        return ok_stream(boxes)
    if kind == "grounding":
        region = rng.choice(REGION_FAULTS)
        if region == "loop":
            return looping_stream([f"region {n} starts "], unit="and on ")
        if region == "http-500":
            return error_json("EngineCore encountered an issue.", 500)
        return text_reply(f"region text {n}")
    blocks = layout_blocks(f"block one of {n}", f"block two of {n}")
    pieces = [chunk_event(p) for p in block_pieces(blocks)[:2]]
    if fault == "context-400":
        return error_json("This model's maximum context length is 32768 tokens.", 400)
    if fault == "refused-400":
        return error_json("bad image", 400)
    if fault == "http-500":
        return error_json("EngineCore encountered an issue.", 500)
    if fault == "429":
        reply = error_json("rate limited", 429)
        reply.headers["Retry-After"] = "0"
        return reply
    if fault == "json":
        return complete_json(blocks)
    if fault == "malformed-after-blocks":
        return Reply(events=[*pieces, "data: {oops\n\n"], then="cut")
    if fault == "error-event-after-blocks":
        return Reply(events=[*pieces, 'data: {"error": {"message": "died"}}\n\n'], then="cut")
    if fault == "cut-after-blocks":
        return Reply(events=pieces, then="cut")
    if fault == "control-characters":
        return ok_stream(layout_blocks("bad\x00 \x1b[2J text\x9b"))
    if fault == "loop":
        return looping_stream(block_pieces(blocks)[:1])
    if fault == "prose":
        return prose_reply(f"This page {n} says hello in plain words")
    if fault == "unknown-category":
        return ok_stream([*blocks, *layout_blocks("aside", category="Sidebar")])
    if fault == "die":
        server.kill()
        return None
    return ok_stream(blocks)


def _gif(frames: int, damaged: int | None = None) -> bytes:
    images = [Image.new("RGB", (200, 150), (i * 70 % 256, 180, 90)) for i in range(frames)]
    buf = io.BytesIO()
    images[0].save(buf, "GIF", save_all=True, append_images=images[1:], duration=80)
    data = bytearray(buf.getvalue())
    if damaged is not None:
        at = [i for i in range(13, len(data)) if data[i] == 0x2C][damaged]
        flags = data[at + 9]
        data[at + 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)] = 0x0F
    return bytes(data)


def _image(fmt: str, frames: int = 1) -> bytes:
    images = [Image.new("RGB", (200, 150), (255, 255 - 40 * i, 255)) for i in range(frames)]
    buf = io.BytesIO()
    images[0].save(buf, fmt, save_all=frames > 1, append_images=images[1:])
    return buf.getvalue()


SUFFIX = {"png": "png", "jpeg": "jpg", "webp": "webp", "tiff2": "tif", "gif3": "gif"}


def write_input(folder: Path, stem: str, kind: str) -> tuple[Path, int]:
    """The input file of ``kind`` and how many pages it has (0: it cannot be read)."""
    from tests.reliability.test_hostile_batch import _pdf_with_a_missing_page_2

    folder.mkdir(parents=True, exist_ok=True)
    pages = KINDS[kind]
    if kind in SUFFIX:
        path = folder / f"{stem}.{SUFFIX[kind]}"
        fmt = {"jpeg": "JPEG", "webp": "WEBP", "tiff2": "TIFF", "png": "PNG"}.get(kind)
        path.write_bytes(_gif(3) if kind == "gif3" else _image(fmt or "PNG", pages))
        return path, pages
    if kind == "damaged-gif":
        path = folder / f"{stem}.gif"
        path.write_bytes(_gif(3, damaged=1))
        return path, pages
    path = folder / f"{stem}.pdf"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "pdf0":
        path.write_bytes(blank_pdf(0))
    elif kind == "damaged-pdf":
        path.write_bytes(_pdf_with_a_missing_page_2())
    else:
        path.write_bytes(blank_pdf(pages, (200, 150)))
    return path, pages
