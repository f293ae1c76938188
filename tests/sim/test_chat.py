"""POST /v1/chat/completions: shapes, streaming, token accounting and refusals."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from tests.sim.helpers import chat_body, image_bytes, sse_events
from tests.vllm_sim.imaging import TEMPLATE_TOKENS, text_tokens
from tests.vllm_sim.inprocess import SimHandle
from tests.vllm_sim.responses import IMAGE_PLACEHOLDER, LAYOUT_ALL_PROMPT

SimFactory = Callable[..., SimHandle]
MODEL = "rednote-hilab/dots.ocr"


def _post(http: httpx.Client, sim: SimHandle, body: dict[str, object]) -> httpx.Response:
    return http.post(sim.url("/v1/chat/completions"), json=body, headers=sim.headers, timeout=30)


def test_non_streaming_answer_has_the_openai_shape(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    body = _post(http, sim, chat_body(image=image_bytes(), max_tokens=4000)).json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert body["model"] == MODEL
    choice = body["choices"][0]
    assert choice["index"] == 0
    assert choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] == "stop"
    content = choice["message"]["content"]
    json.loads(content)  # a layout answer
    usage = body["usage"]
    assert usage["completion_tokens"] == text_tokens(content)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_prompt_tokens_count_the_smart_resized_image_and_the_text(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    # 1700x2250 becomes 1708x2240 (61 x 80 tiles of 28 px) in dots.ocr's processor.
    sim = vllm_sim()
    body = _post(http, sim, chat_body(image=image_bytes(1700, 2250, "JPEG"), max_tokens=100)).json()
    text = text_tokens(IMAGE_PLACEHOLDER + LAYOUT_ALL_PROMPT)
    assert body["usage"]["prompt_tokens"] == 61 * 80 + text + TEMPLATE_TOKENS


def test_a_text_only_request_is_a_chat_answer(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim()
    body = _post(http, sim, chat_body("What is the total?", model=None)).json()
    assert "What is the total?" in body["choices"][0]["message"]["content"]
    assert body["model"] == MODEL  # no model given: the first served name answers


def test_streaming_sends_chunks_then_finish_then_usage_then_done(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    request = chat_body(
        image=image_bytes(), stream=True, stream_options={"include_usage": True}, max_tokens=4000
    )
    with http.stream("POST", sim.url("/v1/chat/completions"), json=request) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(list(response.iter_lines()))
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert len({chunk["id"] for chunk in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    content_chunks = [
        c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"] is None
    ]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in content_chunks)
    finals = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert [c["choices"][0]["finish_reason"] for c in finals] == ["stop"]
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["completion_tokens"] == text_tokens(text)
    assert json.loads(text)[0]["category"] == "Page-header"


def test_streaming_without_include_usage_sends_no_usage(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    with http.stream(
        "POST", sim.url("/v1/chat/completions"), json=chat_body("Hi", stream=True)
    ) as r:
        events = sse_events(list(r.iter_lines()))
    assert events[-1] == "[DONE]"
    assert not any("usage" in json.loads(event) for event in events[:-1])


@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_cuts_the_answer_with_finish_reason_length(
    http: httpx.Client, vllm_sim: SimFactory, field: str
) -> None:
    sim = vllm_sim()
    request = chat_body(image=image_bytes())
    request[field] = 25
    body = _post(http, sim, request).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 25
    assert len(body["choices"][0]["message"]["content"]) == 100  # four characters a token


def test_streaming_max_tokens_also_ends_with_length(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim()
    request = chat_body(image=image_bytes(), stream=True, max_tokens=10)
    with http.stream("POST", sim.url("/v1/chat/completions"), json=request) as response:
        chunks = [json.loads(e) for e in sse_events(list(response.iter_lines()))[:-1]]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert sum(1 for c in chunks if c["choices"][0]["delta"].get("content")) == 10


def test_too_long_request_gets_the_newer_nested_400_body(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(max_model_len=8192)
    response = _post(http, sim, chat_body(image=image_bytes(1700, 2250), max_tokens=4000))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "BadRequestError"
    assert error["code"] == 400
    assert error["message"].startswith("This model's maximum context length is 8192 tokens. ")
    assert "However, you requested " in error["message"]
    assert "4000 in the completion" in error["message"]
    assert sim.stats.rejected_requests == 1


def test_too_long_request_gets_the_older_flat_400_body_when_asked(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim("--max-model-len", "8192", "--sim-error-style", "old")
    response = _post(http, sim, chat_body(image=image_bytes(1700, 2250), max_tokens=4000))
    body = response.json()
    assert response.status_code == 400
    assert body["object"] == "error"
    assert body["type"] == "BadRequestError"
    assert body["param"] is None
    assert body["code"] == 400
    assert "maximum context length is 8192 tokens" in body["message"]


def test_an_image_alone_longer_than_the_context_names_the_decoder_prompt(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(max_model_len=2048)
    response = _post(http, sim, chat_body(image=image_bytes(1700, 2250)))
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "is longer than the maximum model length of 2048" in message


def test_without_max_tokens_the_rest_of_the_context_is_the_limit(
    http: httpx.Client, vllm_sim: SimFactory
) -> None:
    sim = vllm_sim(max_model_len=8192)
    assert _post(http, sim, chat_body(image=image_bytes(1700, 2250))).status_code == 200


def test_an_unknown_model_gets_404_not_found(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim()
    response = _post(http, sim, chat_body("Hi", model="gpt-4"))
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["message"] == "The model `gpt-4` does not exist."
    assert error["type"] == "NotFoundError"
    assert error["code"] == 404


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"{not json", "Invalid JSON"),
        (b'{"model": "rednote-hilab/dots.ocr"}', "messages"),
        (
            json.dumps(
                {"messages": [{"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
                ]}]}
            ).encode(),
            "cannot identify image file",
        ),
    ],
)  # fmt: skip
def test_malformed_requests_get_400(
    http: httpx.Client, vllm_sim: SimFactory, content: bytes, needle: str
) -> None:
    sim = vllm_sim()
    response = http.post(
        sim.url("/v1/chat/completions"),
        content=content,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert needle in response.json()["error"]["message"]


def test_limit_mm_per_prompt_refuses_extra_images(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim("--limit-mm-per-prompt", '{"image": 1, "video": 0}')
    body = chat_body(image=image_bytes())
    content = body["messages"][0]["content"]  # type: ignore[index]
    content.insert(0, content[0])
    response = _post(http, sim, body)
    assert response.status_code == 400
    assert "At most 1 image" in response.json()["error"]["message"]


def test_mm_processor_kwargs_cap_the_image_tokens(http: httpx.Client, vllm_sim: SimFactory) -> None:
    sim = vllm_sim(mm_processor_kwargs='{"max_pixels": 1003520}')
    body = _post(http, sim, chat_body(image=image_bytes(1700, 2250), max_tokens=10)).json()
    image_tokens = body["usage"]["prompt_tokens"] - text_tokens(
        IMAGE_PLACEHOLDER + LAYOUT_ALL_PROMPT
    )
    assert image_tokens - TEMPLATE_TOKENS <= 1003520 // 784
