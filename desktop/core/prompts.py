"""The prompts dots.ocr was trained on (sent verbatim) and Qwen3-VL equivalents."""

from __future__ import annotations

import enum
from collections.abc import Sequence

#: What the upstream client prefixes to the prompt; without it vLLM inserts a newline.
IMAGE_PLACEHOLDER = "<|img|><|imgpad|><|endofimg|>"

_CATEGORY_LIST = (
    "['Caption', 'Footnote', 'Formula', 'List-item', 'Page-footer', 'Page-header', "
    "'Picture', 'Section-header', 'Table', 'Text', 'Title']"
)

# Whitespace matters: the model was trained on exactly these characters.
_LAYOUT_ALL = (
    "Please output the layout information from the PDF image, including each layout "
    "element's bbox, its category, and the corresponding text content within the bbox.\n"
    "\n"
    "1. Bbox format: [x1, y1, x2, y2]\n"
    "\n"
    f"2. Layout Categories: The possible categories are {_CATEGORY_LIST}.\n"
    "\n"
    "3. Text Extraction & Formatting Rules:\n"
    "    - Picture: For the 'Picture' category, the text field should be omitted.\n"
    "    - Formula: Format its text as LaTeX.\n"
    "    - Table: Format its text as HTML.\n"
    "    - All Others (Text, Title, etc.): Format their text as Markdown.\n"
    "\n"
    "4. Constraints:\n"
    "    - The output text must be the original text from the image, with no translation.\n"
    "    - All layout elements must be sorted according to human reading order.\n"
    "\n"
    "5. Final Output: The entire output must be a single JSON object.\n"
)

_LAYOUT_ONLY = (
    "Please output the layout information from this PDF image, including each layout's bbox "
    "and its category. The bbox should be in the format [x1, y1, x2, y2]. The layout "
    f"categories for the PDF document include {_CATEGORY_LIST}. Do not output the "
    "corresponding text. The layout result should be in JSON format."
)

_OCR = "Extract the text content from this image."

_GROUNDING = (
    "Extract text from the given bounding box on the image (format: [x1, y1, x2, y2]).\n"
    "Bounding Box:\n"
)

_QWEN_OCR = (
    "Read all text in this document image in reading order and return it as Markdown. "
    "Keep the original language; do not translate or summarise. Write headings with #, "
    "lists as Markdown lists, formulas as LaTeX between $ signs, and every table as an "
    "HTML <table> (use rowspan/colspan for merged cells). Output only the document text."
)

_QWEN_LAYOUT = (
    "Detect every layout element of this document page (title, section headers, text "
    "paragraphs, list items, tables, formulas, pictures, captions, page headers and "
    'footers). Return a JSON array of objects {"bbox_2d": [x1, y1, x2, y2], "category": '
    '"...", "text": "..."} in reading order, with coordinates on a 0-1000 grid relative to '
    "the image size. Tables as HTML, formulas as LaTeX, other text as Markdown."
)

_QWEN_LAYOUT_ONLY = (
    "Detect every layout element of this document page. Return a JSON array of objects "
    '{"bbox_2d": [x1, y1, x2, y2], "category": "..."} in reading order, with coordinates '
    "on a 0-1000 grid relative to the image size. Do not output the text."
)


class PromptMode(enum.StrEnum):
    """dots.ocr's prompt names (upstream's keys)."""

    LAYOUT_ALL = "prompt_layout_all_en"
    LAYOUT_ONLY = "prompt_layout_only_en"
    OCR = "prompt_ocr"
    GROUNDING = "prompt_grounding_ocr"


_DOTS_PROMPTS: dict[PromptMode, str] = {
    PromptMode.LAYOUT_ALL: _LAYOUT_ALL,
    PromptMode.LAYOUT_ONLY: _LAYOUT_ONLY,
    PromptMode.OCR: _OCR,
    PromptMode.GROUNDING: _GROUNDING,
}

_RECOGNIZE_TO_PROMPT: dict[str, PromptMode] = {
    "layout": PromptMode.LAYOUT_ALL,
    "text": PromptMode.OCR,
    "layout-only": PromptMode.LAYOUT_ONLY,
    "grounding": PromptMode.GROUNDING,
}


def _format_box(bbox: Sequence[int]) -> str:
    x1, y1, x2, y2 = (int(v) for v in bbox)
    return f"[{x1}, {y1}, {x2}, {y2}]"


def prompt_mode_for(mode: str) -> PromptMode:
    """Map a RecognizeMode value ("layout", "text", "layout-only", "grounding") to a prompt."""
    value = str(mode)
    if value in _RECOGNIZE_TO_PROMPT:
        return _RECOGNIZE_TO_PROMPT[value]
    return PromptMode(value)  # already a prompt name; ValueError otherwise


def dots_prompt(mode: PromptMode | str, bbox: Sequence[int] | None = None) -> str:
    """The exact dots.ocr prompt; grounding needs ``bbox`` in MODEL-input pixels."""
    pmode = prompt_mode_for(mode)
    if pmode is PromptMode.GROUNDING:
        if bbox is None:
            raise ValueError("the grounding prompt needs a bbox")
        return _GROUNDING + _format_box(bbox)
    return _DOTS_PROMPTS[pmode]


def qwen_prompt(mode: PromptMode | str, bbox: Sequence[int] | None = None) -> str:
    """A Qwen3-VL prompt for the same task; grounding boxes are on Qwen's 0-1000 grid."""
    pmode = prompt_mode_for(mode)
    if pmode is PromptMode.GROUNDING:
        if bbox is None:
            raise ValueError("the grounding prompt needs a bbox")
        return (
            "Read the text inside the region with bbox_2d "
            f"{_format_box(bbox)} (coordinates on a 0-1000 grid relative to the image size). "
            "Return only that text as Markdown; a table as an HTML <table>."
        )
    if pmode is PromptMode.LAYOUT_ALL:
        return _QWEN_LAYOUT
    if pmode is PromptMode.LAYOUT_ONLY:
        return _QWEN_LAYOUT_ONLY
    return _QWEN_OCR


def to_qwen_grid(bbox: Sequence[float], width: int, height: int) -> tuple[int, int, int, int]:
    """Pixel box -> Qwen3-VL's 0-1000 relative grid."""
    x1, y1, x2, y2 = bbox
    return (
        round(x1 * 1000 / width),
        round(y1 * 1000 / height),
        round(x2 * 1000 / width),
        round(y2 * 1000 / height),
    )


def from_qwen_grid(bbox: Sequence[float], width: int, height: int) -> tuple[int, int, int, int]:
    """Qwen3-VL 0-1000 grid box -> pixels of an image ``width`` x ``height``."""
    x1, y1, x2, y2 = bbox
    return (
        round(x1 * width / 1000),
        round(y1 * height / 1000),
        round(x2 * width / 1000),
        round(y2 * height / 1000),
    )
