"""Each family of facts (files, PDF, servers, context, stream, engines, runtime, page reasons)
reads in Russian in the window: real errors from the code that raises them, worded through
the catalogue in the UI language, with no English sentence left over."""

from __future__ import annotations

import asyncio
import functools
import os
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop.core.document import Page, PageStatus
from desktop.core.errors import DotsError
from desktop.core.messages import Code, Msg
from desktop.ui.words.facts import facts_words, page_reason_words
from desktop.ui.words.i18n import install_language

pytestmark = pytest.mark.gui

#: Names that read the same in Russian (products, commands, settings of other programs).
PROPER = (
    "NVIDIA Container Toolkit",
    "Docker Desktop",
    "Settings > Resources",
    "sudo systemctl start docker",
    "sudo usermod -aG docker $USER",
    "Hugging Face",
)


def english_left(text: str) -> str | None:
    """Three English words in a row outside names, addresses, flags and quoted details."""
    for name in PROPER:
        text = text.replace(name, "")
    text = re.sub(r"\([^)]*\)|«[^»]*»|'[^']*'|https?://\S+|\S+\.(png|jpg|pdf|txt)", "", text)
    text = re.sub(r"\b(sudo|brew) [^.;]*", "", text)  # a command to type reads the same
    found = re.search(r"[A-Za-z]{2,}(\s+[A-Za-z]{2,}){2,}", text)
    return found.group(0) if found else None


def assert_russian(facts: tuple[Msg, ...]) -> str:
    shown = facts_words(facts)
    assert re.search("[а-яА-Я]", shown), shown
    assert english_left(shown) is None, shown
    return shown


def caught(make: Callable[[], object]) -> DotsError:
    try:
        make()
    except DotsError as exc:
        return exc
    raise AssertionError("no error was raised")


@pytest.fixture
def russian(qapp: QApplication) -> Iterator[None]:
    assert install_language(qapp, "ru")
    yield
    install_language(qapp, "en")


def test_the_english_check_itself_finds_an_english_sentence() -> None:
    assert english_left("photo.png: the file does not exist.") == "the file does not exist"
    assert english_left("photo.png: файл не найден.") is None


def test_given_russian_then_file_errors_read_in_russian(russian: None, tmp_path: Path) -> None:
    from desktop.core.images import iter_pages, load_image_bytes

    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    cut = tmp_path / "cut.png"
    cut.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    huge = tmp_path / "huge.png"
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    parts = [b"\x89PNG\r\n\x1a\n"]
    for kind, data in ((b"IHDR", ihdr), (b"IDAT", zlib.compress(b"\x00")), (b"IEND", b"")):
        parts += [
            struct.pack(">I", len(data)) + kind + data,
            struct.pack(">I", zlib.crc32(kind + data)),
        ]
    huge.write_bytes(b"".join(parts))
    errors = [
        caught(functools.partial(lambda p: list(iter_pages(p)), path))
        for path in (tmp_path / "missing.jpg", tmp_path, empty, text, cut, huge)
    ]
    errors.append(caught(lambda: load_image_bytes(b"", "clipboard.png")))
    shown = [assert_russian(e.facts) for e in errors]
    assert shown[0] == "missing.jpg: файл не найден."
    assert "больше предела в 150 Мп" in shown[-2]


def test_given_russian_then_pdf_errors_read_in_russian(russian: None, tmp_path: Path) -> None:
    from desktop.core.images import count_pages, parse_page_ranges

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    for exc in (
        caught(lambda: count_pages(broken)),
        caught(lambda: parse_page_ranges("9", 3)),
        caught(lambda: parse_page_ranges("x", 3)),
    ):
        assert_russian(exc.facts)
    beyond = caught(lambda: parse_page_ranges("2-7", 3))
    assert facts_words(beyond.facts) == "Страницы 7 нет; в документе 3 страницы."


def test_given_russian_then_server_and_http_errors_read_in_russian(
    russian: None, refused_port: int
) -> None:
    from desktop.engines.errors import AuthFailed, ModelNotServed, error_from_response
    from desktop.engines.remote.server import ServerEngine

    port = refused_port
    engine = ServerEngine(f"http://127.0.0.1:{port}")

    async def ready() -> None:
        try:
            await engine.ensure_ready()
        finally:
            await engine.aclose()

    down = caught(lambda: asyncio.run(ready()))
    assert facts_words(down.facts).startswith(f"По адресу http://127.0.0.1:{port} не отвечает")
    for exc in (
        down,
        AuthFailed("http://gpu-box:8000", key_given=True),
        AuthFailed("http://gpu-box:8000", key_given=False),
        ModelNotServed("qwen", ["dots.ocr"]),
        ModelNotServed("qwen", []),
        error_from_response(500, '{"error": {"message": "boom"}}', "http://x", key_given=False),
        error_from_response(403, "", "http://x", key_given=True),
    ):
        assert_russian(exc.facts)
    http = error_from_response(502, "", "http://x", key_given=False)
    assert str(http) == "The OCR server failed (HTTP 502): no details."
    assert (
        assert_russian(http.facts) == "Сервер распознавания дал сбой (HTTP 502) без подробностей."
    )


def test_given_russian_then_context_errors_read_in_russian(russian: None) -> None:
    from desktop.core.request import plan_budget
    from desktop.core.resize import smart_resize
    from desktop.engines.errors import error_from_response

    context = '{"error": {"message": "This model\'s maximum context length is 8192 tokens."}}'
    too_long = error_from_response(400, context, "http://x", key_given=False)
    assert "8192 токена" in assert_russian(too_long.facts)
    small = caught(lambda: plan_budget(1000, 1000, max_model_len=300, mode="prompt_layout_all_en"))
    assert_russian(small.facts)
    assert_russian(caught(lambda: smart_resize(10, 5000)).facts)
    fitted = plan_budget(
        4000, 4000, max_model_len=4096, mode="prompt_layout_all_en", max_tokens=4000
    )
    assert fitted.notes and english_left(facts_words(fitted.notes)) is None


def test_given_russian_then_stream_errors_read_in_russian(russian: None) -> None:
    from desktop.engines.net.sse import parse_chunk

    for data in (b"[1, 2]", b'{"error": {"message": "x"}}', b"[" * 100_000):
        assert_russian(caught(functools.partial(parse_chunk, data)).facts)


def test_given_russian_then_engine_errors_read_in_russian(
    russian: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.engines.builtin.engine import BuiltinEngine
    from desktop.engines.builtin.scripts import script_message
    from desktop.engines.factory import create_engine

    async def chat() -> None:
        async for _ in BuiltinEngine().chat([]):
            pass

    async def without_tesseract() -> None:
        engine = BuiltinEngine(languages="rus")
        try:
            await engine.ensure_ready()
        finally:
            await engine.aclose()

    monkeypatch.setenv("PATH", os.devnull)
    missing = caught(lambda: asyncio.run(without_tesseract()))
    for exc in (
        caught(lambda: asyncio.run(chat())),
        caught(lambda: create_engine("server")),
        caught(lambda: create_engine("gpu")),
        missing,
    ):
        assert_russian(exc.facts)
    assert "sudo apt install tesseract-ocr tesseract-ocr-rus" in facts_words(
        (script_message(have_tesseract=False, family="debian"),)
    )
    for family in ("windows", "linux"):  # steps in words: Russian too
        assert_russian((script_message(have_tesseract=True, family=family),))


def test_given_russian_then_runtime_and_docker_failures_read_in_russian(russian: None) -> None:
    from desktop.runtime.diagnosis import diagnose, diagnose_docker_error
    from desktop.runtime.docker_engine import unavailable_from
    from desktop.runtime.planner import plan_memory
    from desktop.runtime.profiles import GIB, find_profile, load_profiles
    from desktop.runtime.status import engine_lost

    logs = (
        "ValueError: Free memory on device cuda:0 (3.1/15.6 GiB) on startup is less than "
        "desired GPU memory utilization (0.9, 14.0 GiB)."
    )
    memory = diagnose(1, logs)
    assert (memory.free_gib, memory.total_gib) == (3.1, 15.6)  # numbers, not words
    kv = diagnose(1, "the estimated maximum model length is 6144")
    assert kv.estimated_max_len == 6144
    for diag in (
        memory,
        kv,
        diagnose(1, "torch.OutOfMemoryError: CUDA out of memory."),
        diagnose(137, "", oom_killed=True),
        diagnose(1, "OSError: [Errno 28] No space left on device"),
        diagnose_docker_error("dial tcp: lookup registry-1.docker.io: no such host"),
        engine_lost(),
    ):
        assert diag is not None
        assert_russian((diag.problem, *((diag.remedy,) if diag.remedy else ())))
    assert "6144 токена" in facts_words((kv.problem,))
    # What the runtime changed to make a profile fit is a fact the panel words too.
    profiles = load_profiles()
    card = int(15.92 * GIB)
    lowered = plan_memory(profiles["dots.ocr"], 12 * GIB, card).verdict
    shorter = plan_memory(profiles["qwen3-vl-4b"], int(11.9 * GIB), card).verdict
    for verdict in (lowered, shorter):
        assert verdict is not None
        shown = assert_russian((verdict,))
        assert shown.startswith("Помещается: нужно около")
    assert lowered is not None
    assert "свободно только 12.0 ГиБ из 15.9 ГиБ" in facts_words((lowered,))
    for exc in (
        unavailable_from(Exception("Permission denied"), None),
        unavailable_from(Exception("connection refused"), "unix:///var/run/docker.sock"),
        caught(lambda: find_profile(profiles, "no-such-profile")),
    ):
        assert_russian(exc.facts)


def test_given_russian_then_page_reasons_read_in_russian(russian: None) -> None:
    from desktop.core.parse import BoxMapping, parse_layout

    grid = BoxMapping(100, 100, 100, 100)
    cut = parse_layout('[{"bbox": [1, 1, 50, 50], "category": "Text", "text": "a"}, {"bbox"', grid)
    limit = parse_layout(
        '[{"bbox": [1, 1, 50, 50], "category": "Text", "text": "a"}', grid, finish_reason="length"
    )
    for result in (parse_layout("", grid), cut, limit, parse_layout("no json here", grid)):
        page = Page(0, 100, 100, result.blocks, result.status, facts=result.facts)
        assert page.reason == result.reason and page.reason  # the English stays for JSON
        shown = page_reason_words(page)
        assert re.search("[а-яА-Я]", shown) and english_left(shown) is None, shown
    cancelled = Page(0, 0, 0, status=PageStatus.FAILED, facts=(Msg(Code.PAGE_CANCELLED),))
    assert cancelled.reason == "Cancelled." and page_reason_words(cancelled) == "Отменено."
