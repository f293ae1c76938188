"""What the simulated model answers: dots.ocr-shaped layouts, text, grounding, scripted files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.sim.helpers import PROMPTS, chat_body, grounding_prompt, image_bytes, sha256
from tests.vllm_sim.inprocess import SimHandle
from tests.vllm_sim.responses import CATEGORIES

SimFactory = Callable[..., SimHandle]


def _answer(
    http: httpx.Client, sim: SimHandle, prompt: str, image: bytes | None = None
) -> dict[str, Any]:
    body = chat_body(prompt, image=image, max_tokens=8000)
    response = http.post(sim.url("/v1/chat/completions"), json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]


def test_layout_all_is_valid_dots_ocr_json_with_every_category(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    blocks = json.loads(
        _answer(http, sim, PROMPTS["layout_all"], image_bytes(1700, 2250))["message"]["content"]
    )
    assert isinstance(blocks, list)
    assert {block["category"] for block in blocks} == set(CATEGORIES)
    for block in blocks:
        x1, y1, x2, y2 = block["bbox"]
        assert all(isinstance(v, int) for v in block["bbox"])
        # Boxes live in the model's image: 1700x2250 is resized to 1708x2240.
        assert 0 <= x1 < x2 <= 1708
        assert 0 <= y1 < y2 <= 2240
        if block["category"] == "Picture":
            assert "text" not in block
        else:
            assert block["text"]
    tops = [block["bbox"][1] for block in blocks]
    assert tops == sorted(tops)  # reading order, top to bottom


def test_layout_table_is_html_with_rowspan_and_colspan(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    blocks = json.loads(
        _answer(http, sim, PROMPTS["layout_all"], image_bytes())["message"]["content"]
    )
    table = next(block["text"] for block in blocks if block["category"] == "Table")
    assert table.startswith("<table>") and table.endswith("</table>")
    assert re.search(r'rowspan="2"', table)
    assert re.search(r'colspan="2"', table)


def test_layout_is_deterministic_per_image_and_differs_between_images(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    first = _answer(http, sim, PROMPTS["layout_all"], image_bytes(colour="white"))["message"][
        "content"
    ]
    again = _answer(http, sim, PROMPTS["layout_all"], image_bytes(colour="white"))["message"][
        "content"
    ]
    other = _answer(http, sim, PROMPTS["layout_all"], image_bytes(colour="black"))["message"][
        "content"
    ]
    assert first == again
    assert first != other


def test_layout_only_has_the_same_boxes_without_text(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    image = image_bytes(900, 1200)
    full = json.loads(_answer(http, sim, PROMPTS["layout_all"], image)["message"]["content"])
    boxes = json.loads(_answer(http, sim, PROMPTS["layout_only"], image)["message"]["content"])
    assert [b["bbox"] for b in boxes] == [b["bbox"] for b in full]
    assert all(set(b) == {"bbox", "category"} for b in boxes)


def test_ocr_prompt_gives_markdown_text_not_json(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim()
    text = _answer(http, sim, PROMPTS["ocr"], image_bytes())["message"]["content"]
    assert text.startswith("Journal of ")
    assert "\n# A Study of " in text
    assert "<table>" in text
    assert not text.lstrip().startswith("[")


def test_grounding_returns_the_text_of_the_box(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim()
    image = image_bytes(1000, 1400)
    blocks = json.loads(_answer(http, sim, PROMPTS["layout_all"], image)["message"]["content"])
    title = next(b for b in blocks if b["category"] == "Title")
    table = next(b for b in blocks if b["category"] == "Table")
    assert (
        _answer(http, sim, grounding_prompt(title["bbox"]), image)["message"]["content"]
        == title["text"]
    )
    assert (
        _answer(http, sim, grounding_prompt(table["bbox"]), image)["message"]["content"]
        == table["text"]
    )


def test_other_prompts_get_a_chat_answer_that_mentions_the_question(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    text = _answer(http, sim, "Which region sold most?", image_bytes(600, 800))["message"][
        "content"
    ]
    assert "Which region sold most?" in text
    assert "600x800" in text
    assert sim.stats.prompt_modes == ["chat"]


def test_prompts_are_matched_exactly_and_loose_matches_are_counted(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    _answer(http, sim, PROMPTS["layout_all"], image_bytes())
    assert sim.stats.inexact_prompts == 0
    drifted = PROMPTS["layout_all"].replace("    - ", "  - ")
    content = _answer(http, sim, drifted, image_bytes())["message"]["content"]
    json.loads(content)  # still answered as a layout ...
    assert sim.stats.inexact_prompts == 1  # ... but the drift is visible to tests
    assert sim.stats.prompt_modes == ["layout_all", "layout_all"]


def test_scripted_answer_is_chosen_by_sha256_of_the_image_bytes(
    http: httpx.Client, vllm_sim: SimFactory, tmp_path: Path
) -> None:
    image = image_bytes(500, 700)
    scripted = '[{"bbox": [1, 2, 3, 4], "category": "Text", "text": "scripted"}]'
    (tmp_path / f"{sha256(image)}.txt").write_text(scripted, encoding="utf-8")
    (tmp_path / f"{sha256(image)}.ocr.txt").write_text("scripted text", encoding="utf-8")
    sim = vllm_sim(responses=tmp_path)
    assert _answer(http, sim, PROMPTS["layout_all"], image)["message"]["content"] == scripted
    assert _answer(http, sim, PROMPTS["ocr"], image)["message"]["content"] == "scripted text"
    other = _answer(http, sim, PROMPTS["layout_all"], image_bytes(501, 700))["message"]["content"]
    assert other != scripted


def test_scripted_answers_also_come_from_the_command_line_flag(
    http: httpx.Client, vllm_sim: SimFactory, tmp_path: Path
) -> None:
    image = image_bytes(320, 320, "JPEG")
    (tmp_path / f"{sha256(image)}.txt").write_text("from a file", encoding="utf-8")
    sim = vllm_sim("--sim-responses", str(tmp_path))
    body = chat_body("Describe it.", image=image, mime="image/jpeg", model=None)
    response = http.post(sim.url("/v1/chat/completions"), json=body).json()
    assert response["choices"][0]["message"]["content"] == "from a file"
