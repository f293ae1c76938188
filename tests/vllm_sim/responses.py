"""What the simulated model answers: scripted text, or a deterministic dots.ocr-like page.

Prompts are recognised by the texts dots.ocr documents (after the image placeholder).
An exact match is expected; a match on the key sentence only still works but is counted
as an inexact prompt so tests can catch a client that drifts from the upstream text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .imaging import SimImage

IMAGE_PLACEHOLDER = "<|img|><|imgpad|><|endofimg|>"
CATEGORIES = (
    "Caption",
    "Footnote",
    "Formula",
    "List-item",
    "Page-footer",
    "Page-header",
    "Picture",
    "Section-header",
    "Table",
    "Text",
    "Title",
)
_CATS = "['" + "', '".join(CATEGORIES) + "']"
LAYOUT_ALL_PROMPT = (
    "Please output the layout information from the PDF image, including each layout element's "
    "bbox, its category, and the corresponding text content within the bbox.\n\n"
    "1. Bbox format: [x1, y1, x2, y2]\n\n"
    f"2. Layout Categories: The possible categories are {_CATS}.\n\n"
    "3. Text Extraction & Formatting Rules:\n"
    "    - Picture: For the 'Picture' category, the text field should be omitted.\n"
    "    - Formula: Format its text as LaTeX.\n"
    "    - Table: Format its text as HTML.\n"
    "    - All Others (Text, Title, etc.): Format their text as Markdown.\n\n"
    "4. Constraints:\n"
    "    - The output text must be the original text from the image, with no translation.\n"
    "    - All layout elements must be sorted according to human reading order.\n\n"
    "5. Final Output: The entire output must be a single JSON object.\n"
)
LAYOUT_ONLY_PROMPT = (
    "Please output the layout information from this PDF image, including each layout's bbox "
    "and its category. The bbox should be in the format [x1, y1, x2, y2]. The layout categories "
    f"for the PDF document include {_CATS}. Do not output the corresponding text. "
    "The layout result should be in JSON format."
)
OCR_PROMPT = "Extract the text content from this image."
GROUNDING_PROMPT = (
    "Extract text from the given bounding box on the image (format: [x1, y1, x2, y2]).\n"
    "Bounding Box:\n"
)
_KEY_SENTENCES = (
    ("layout_all", "Please output the layout information from the PDF image"),
    ("layout_only", "Please output the layout information from this PDF image"),
    ("grounding", "Extract text from the given bounding box"),
    ("ocr", "Extract the text content from this image"),
)
_LOOP_ROW = "<tr><td></td><td></td><td></td><td></td></tr>"
_WORDS = (
    "analysis", "budget", "quarterly", "results", "method", "sample", "growth", "survey",
    "region", "measured", "report", "table", "value", "model", "average", "naïve",
    "baseline", "result", "estimate", "document", "review", "summary", "index", "ratio",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Answer:
    """The full answer text, an optional endless tail, and whether it ends by 'length'."""

    mode: str
    text: str
    repeat: str = ""
    cut: bool = False
    exact_prompt: bool = True


def detect_prompt(text: str) -> tuple[str, bool]:
    """(mode, exact) for the user's text; mode is layout_all/layout_only/ocr/grounding/chat."""
    body = text.removeprefix(IMAGE_PLACEHOLDER)
    if body == LAYOUT_ALL_PROMPT:
        return "layout_all", True
    if body == LAYOUT_ONLY_PROMPT:
        return "layout_only", True
    if body == OCR_PROMPT:
        return "ocr", True
    if body.startswith(GROUNDING_PROMPT) and _parse_box(body[len(GROUNDING_PROMPT) :]):
        return "grounding", True
    for mode, sentence in _KEY_SENTENCES:
        if sentence in body:
            return mode, False
    return "chat", True


def _parse_box(text: str) -> tuple[int, int, int, int] | None:
    match = re.search(r"\[\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*\]", text)
    if not match:
        return None
    x1, y1, x2, y2 = (int(v) for v in match.groups())
    return x1, y1, x2, y2


class _Picker:
    """Deterministic choices seeded by the image hash (stable across Python versions)."""

    def __init__(self, seed: str) -> None:
        self._seed = seed.encode()

    def number(self, key: str, low: int, high: int) -> int:
        digest = hashlib.sha256(self._seed + key.encode()).digest()
        return low + int.from_bytes(digest[:4], "big") % (high - low + 1)

    def words(self, key: str, count: int) -> str:
        return " ".join(_WORDS[self.number(f"{key}{i}", 0, len(_WORDS) - 1)] for i in range(count))


# Reading order: (category, x1, y1, x2, y2) as fractions of the model image.
_PLAN = (
    ("Page-header", 0.08, 0.02, 0.60, 0.045),
    ("Title", 0.15, 0.06, 0.85, 0.10),
    ("Section-header", 0.08, 0.12, 0.50, 0.145),
    ("Text", 0.08, 0.155, 0.92, 0.26),
    ("List-item", 0.10, 0.27, 0.90, 0.30),
    ("List-item", 0.10, 0.305, 0.90, 0.335),
    ("Formula", 0.30, 0.35, 0.70, 0.39),
    ("Picture", 0.20, 0.41, 0.80, 0.58),
    ("Caption", 0.20, 0.59, 0.80, 0.615),
    ("Table", 0.08, 0.63, 0.92, 0.86),
    ("Footnote", 0.08, 0.88, 0.92, 0.91),
    ("Page-footer", 0.45, 0.95, 0.55, 0.975),
)


def _box(frac: tuple[float, float, float, float], width: int, height: int) -> list[int]:
    x1 = int(frac[0] * width)
    y1 = int(frac[1] * height)
    x2 = min(width, max(x1 + 1, int(frac[2] * width)))
    y2 = min(height, max(y1 + 1, int(frac[3] * height)))
    return [x1, y1, x2, y2]


def _table_html(pick: _Picker) -> str:
    a, b, c, d, e, f = (pick.number(f"cell{i}", 1, 99) for i in range(6))
    return (
        '<table><thead><tr><th rowspan="2">Region</th><th colspan="2">Sales</th></tr>'
        "<tr><th>2023</th><th>2024</th></tr></thead><tbody>"
        f"<tr><td>North</td><td>{a}</td><td>{b}</td></tr>"
        f'<tr><td rowspan="2">South</td><td>{c}</td><td>{d}</td></tr>'
        f"<tr><td>{e}</td><td>{f}</td></tr></tbody></table>"
    )


def _block_text(category: str, index: int, pick: _Picker) -> str:
    words = pick.words(f"b{index}", 6)
    if category == "Page-header":
        return f"Journal of {pick.words('journal', 2).title()} — Vol. {pick.number('vol', 1, 40)}"
    if category == "Title":
        return f"A Study of {pick.words('title', 3).title()}"
    if category == "Section-header":
        return f"{pick.number('sec', 1, 9)}. {pick.words('section', 2).capitalize()}"
    if category == "Text":
        return (
            f"This **{words}** paragraph reports $x^2 + y^2 = r^2$ for "
            f"{pick.number('n', 10, 500)} samples."
        )
    if category == "List-item":
        return f"- {words.capitalize()}."
    if category == "Formula":
        return r"\int_{0}^{1} x^{2} \, dx = \frac{1}{3}"
    if category == "Caption":
        return f"Figure {pick.number('fig', 1, 9)}: {words.capitalize()}."
    if category == "Table":
        return _table_html(pick)
    if category == "Footnote":
        return f"[{pick.number('fn', 1, 9)}] {words.capitalize()}."
    return str(pick.number("page", 1, 300))


def layout_blocks(image: SimImage | None, with_text: bool = True) -> list[dict[str, object]]:
    """The deterministic page: every category once or more, boxes in model-image pixels."""
    width = image.model_width if image else 1008
    height = image.model_height if image else 1316
    pick = _Picker(image.sha256 if image else "no-image")
    blocks: list[dict[str, object]] = []
    for index, (category, *frac) in enumerate(_PLAN):
        block: dict[str, object] = {
            "bbox": _box((frac[0], frac[1], frac[2], frac[3]), width, height),
            "category": category,
        }
        if with_text and category != "Picture":
            block["text"] = _block_text(category, index, pick)
        blocks.append(block)
    return blocks


def _dump(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def blocks_to_markdown(blocks: list[dict[str, object]]) -> str:
    parts: list[str] = []
    for block in blocks:
        text = str(block.get("text", ""))
        category = block["category"]
        if category == "Picture":
            continue
        if category == "Title":
            text = f"# {text}"
        elif category == "Section-header":
            text = f"## {text}"
        elif category == "Formula":
            text = f"$$\n{text}\n$$"
        parts.append(text)
    return "\n\n".join(parts)


def _grounded_text(image: SimImage | None, prompt: str) -> str:
    box = _parse_box(prompt.removeprefix(IMAGE_PLACEHOLDER)[len(GROUNDING_PROMPT) :])
    blocks = layout_blocks(image)
    best: tuple[int, dict[str, object]] | None = None
    if box:
        for block in blocks:
            bx = block["bbox"]
            assert isinstance(bx, list)
            overlap_w = min(box[2], bx[2]) - max(box[0], bx[0])
            overlap_h = min(box[3], bx[3]) - max(box[1], bx[1])
            area = max(0, overlap_w) * max(0, overlap_h)
            if area > 0 and "text" in block and (best is None or area > best[0]):
                best = (area, block)
    if best is None:
        return "(blank region)"
    return str(best[1]["text"])


def _chat_text(question: str, image: SimImage | None) -> str:
    question = " ".join(question.removeprefix(IMAGE_PLACEHOLDER).split())
    if len(question) > 200:
        question = question[:200] + "..."
    title = str(layout_blocks(image)[1]["text"])
    if image is None:
        return f'You asked: "{question}". I can only answer questions about a document image.'
    return (
        f'You asked: "{question}". The page ({image.width}x{image.height} pixels) is titled '
        f'"{title}" and contains a table with merged header cells.'
    )


def build_answer(
    prompt: str,
    image: SimImage | None,
    faults: frozenset[str],
    responses_dir: str | None,
) -> Answer:
    """The answer for one request (scripted text wins over generated text)."""
    mode, exact = detect_prompt(prompt)
    scripted = _scripted(responses_dir, image, mode)
    if scripted is not None:
        return Answer(mode, scripted, exact_prompt=exact)
    if mode in ("layout_all", "layout_only"):
        blocks = layout_blocks(image, with_text=mode == "layout_all")
        if "loop" in faults:
            # The failure users report: a table row repeated until the token limit.
            head = _dump(blocks[:9])[:-1]
            table_box = json.dumps(blocks[9]["bbox"])
            if mode == "layout_only":
                row = ', {"bbox": ' + table_box + ', "category": "Table"}'
                return Answer(mode, head, repeat=row, exact_prompt=exact)
            prefix = head + ', {"bbox": ' + table_box + ', "category": "Table", "text": "<table>'
            return Answer(mode, prefix, repeat=_LOOP_ROW, exact_prompt=exact)
        text = _dump(blocks)
        if "invalid-json" in faults:
            text = text.replace("}, {", "}{")
        if "truncated-json" in faults:
            # Cut inside the Table object, as a model stopped by max_tokens would leave it.
            cut = text.find('"category": "Table"')
            text = text[: cut + 40] if cut > 0 else text[: len(text) * 2 // 3]
            return Answer(mode, text, cut=True, exact_prompt=exact)
        return Answer(mode, text, exact_prompt=exact)
    if mode == "ocr":
        text = blocks_to_markdown(layout_blocks(image))
    elif mode == "grounding":
        text = _grounded_text(image, prompt)
    else:
        text = _chat_text(prompt, image)
    # "loop" loops every answer but a region's (the loop recovery's grounding reads work, as
    # they mostly do); "loop-grounding" loops those too: their texts are cut short.
    loops = "loop-grounding" if mode == "grounding" else "loop"
    if loops in faults:
        return Answer(mode, text + "\n\n", repeat="| | | |\n", exact_prompt=exact)
    if "truncated-json" in faults:
        return Answer(mode, text[: max(1, len(text) * 2 // 3)], cut=True, exact_prompt=exact)
    return Answer(mode, text, exact_prompt=exact)


def _scripted(responses_dir: str | None, image: SimImage | None, mode: str) -> str | None:
    """DIR/<sha256>.<mode>.txt, then DIR/<sha256>.txt, then DIR/<sha256>.json (raw text)."""
    if not responses_dir or image is None:
        return None
    folder = Path(responses_dir)
    for name in (f"{image.sha256}.{mode}.txt", f"{image.sha256}.txt", f"{image.sha256}.json"):
        path = folder / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None
