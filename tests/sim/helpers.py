"""Building requests for the simulator tests: images, prompts and chat bodies."""

from __future__ import annotations

import base64
import hashlib
import io

from PIL import Image

from tests.vllm_sim.responses import (
    GROUNDING_PROMPT,
    IMAGE_PLACEHOLDER,
    LAYOUT_ALL_PROMPT,
    LAYOUT_ONLY_PROMPT,
    OCR_PROMPT,
)

PROMPTS = {
    "layout_all": LAYOUT_ALL_PROMPT,
    "layout_only": LAYOUT_ONLY_PROMPT,
    "ocr": OCR_PROMPT,
}


def image_bytes(
    width: int = 280, height: int = 420, fmt: str = "PNG", colour: str = "white"
) -> bytes:
    """A plain image of the given size encoded as ``fmt``."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format=fmt)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def chat_body(
    prompt: str = LAYOUT_ALL_PROMPT,
    image: bytes | None = None,
    model: str | None = "rednote-hilab/dots.ocr",
    mime: str = "image/png",
    **extra: object,
) -> dict[str, object]:
    """One user message the way the dots.ocr client sends it (image first, placeholder prefix)."""
    content: list[dict[str, object]] = []
    if image is not None:
        content.append({"type": "image_url", "image_url": {"url": data_url(image, mime)}})
        prompt = IMAGE_PLACEHOLDER + prompt
    content.append({"type": "text", "text": prompt})
    body: dict[str, object] = {"messages": [{"role": "user", "content": content}], **extra}
    if model is not None:
        body["model"] = model
    return body


def grounding_prompt(box: tuple[int, int, int, int]) -> str:
    return GROUNDING_PROMPT + str(list(box))


def sse_events(lines: list[str]) -> list[str]:
    """The ``data:`` payloads of a server-sent event stream, in order."""
    return [line[len("data: ") :] for line in lines if line.startswith("data: ")]


def metric(text: str, name: str) -> float:
    """The value of the first sample of ``name`` in a Prometheus exposition."""
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise KeyError(name)
