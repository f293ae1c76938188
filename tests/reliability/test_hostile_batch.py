"""Nothing lost, nothing silently wrong (issue 15): the ``ocr`` command against a hostile
server and hostile inputs. Each test is what a user would notice: which files are written,
what they hold, what stderr says, and the exit code."""

from __future__ import annotations

import functools
import io
import json
import struct
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from desktop.cli import run
from desktop.engines import factory
from desktop.engines.remote import limits
from desktop.engines.remote.endpoint import Timeouts
from desktop.engines.remote.server import ServerEngine
from tests.reliability.conftest import blank_pdf
from tests.reliability.hostile import (
    QUICK_RETRY,
    HostileServer,
    LayoutBlock,
    Reply,
    block_pieces,
    chunk_event,
    complete_json,
    error_json,
    layout_blocks,
    ok_stream,
)

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("quick_engine")]


def _png(path: Path, shade: int = 255) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 300), (shade, shade, shade)).save(path)
    return path


def _numbered(n: int) -> Reply:
    return ok_stream(layout_blocks(f"text of request {n}"))


def _ocr(*args: str) -> list[str]:
    return ["ocr", *args, "--concurrency", "1"]


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and "Unexpected error" not in err, err


# -- 1. colliding output names ---------------------------------------------------------


def test_inputs_sharing_a_stem_get_distinct_outputs_and_each_is_named_on_stderr(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN two folders each holding scan.png, and p1.png beside p1.pdf
    server = hostile(_numbered)
    inputs = [_png(tmp_path / "a" / "scan.png"), _png(tmp_path / "b" / "scan.png")]
    inputs.append(_png(tmp_path / "c" / "p1.png"))
    (tmp_path / "c" / "p1.pdf").write_bytes(blank_pdf(1))
    inputs.append(tmp_path / "c" / "p1.pdf")
    out = tmp_path / "out"
    # WHEN they are read into one folder
    code = run(
        _ocr(
            *map(str, inputs), "--endpoint", server.base_url, "--format", "json", "--out", str(out)
        )
    )
    err = capsys.readouterr().err
    # THEN four files, one per input, each holding its own input; nothing overwritten
    assert code == 0, err
    files = sorted(p.name for p in out.iterdir())
    assert files == ["p1-2.json", "p1.json", "scan-2.json", "scan.json"]
    sources = {json.loads((out / f).read_text())["source"] for f in files}
    assert sources == {str(p) for p in inputs}
    for name in files:
        assert f"wrote {out / name}" in err


def test_the_same_run_again_replaces_its_own_outputs_and_keeps_the_names(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a run that wrote scan.md and scan-2.md
    server = hostile(_numbered)
    inputs = [str(_png(tmp_path / d / "scan.png")) for d in ("a", "b")]
    out = tmp_path / "out"
    args = _ocr(*inputs, "--endpoint", server.base_url, "--out", str(out))
    assert run(args) == 0
    # WHEN it runs again (the documented behaviour: a rerun replaces its own files)
    assert run(args) == 0
    capsys.readouterr()
    # THEN the same two names, holding the second run's text
    assert sorted(p.name for p in out.iterdir()) == ["scan-2.md", "scan.md"]
    assert "request 3" in (out / "scan.md").read_text()
    assert "request 4" in (out / "scan-2.md").read_text()


# -- 2. a fatal error mid-batch keeps finished pages ------------------------------------


def test_a_context_length_400_fails_that_page_only(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a server that refuses the second page as too long for its context
    too_long = "This model's maximum context length is 32768 tokens. However, you requested 40000"

    def script(n: int) -> Reply:
        return error_json(too_long, 400) if n == 2 else _numbered(n)

    server = hostile(script)
    inputs = [str(_png(tmp_path / f"{name}.png")) for name in ("one", "two", "three")]
    out = tmp_path / "out"
    # WHEN three inputs are read
    code = run(_ocr(*inputs, "--endpoint", server.base_url, "--format", "json", "--out", str(out)))
    err = capsys.readouterr().err
    # THEN the others are written, the second is marked failed with the reason, exit 3
    assert code == 3, err
    _no_traceback(err)
    one = json.loads((out / "one.json").read_text())
    three = json.loads((out / "three.json").read_text())
    two = json.loads((out / "two.json").read_text())
    assert one["pages"][0]["status"] == "ok" and three["pages"][0]["status"] == "ok"
    assert two["pages"][0]["status"] == "failed"
    assert "context" in two["pages"][0]["reason"].lower()
    assert "two.png: page 1/1 failed" in err


def test_a_server_that_dies_mid_batch_keeps_every_finished_page(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a server that stops answering after two pages
    holder: list[HostileServer] = []

    def script(n: int) -> Reply | None:
        if n <= 2:
            return _numbered(n)
        holder[0].kill()
        return None

    server = hostile(script)
    holder.append(server)
    pdf = tmp_path / "five.pdf"
    pdf.write_bytes(blank_pdf(5))
    other = _png(tmp_path / "after.png")
    out = tmp_path / "out"
    # WHEN a 5-page PDF and an image are read
    code = run(
        _ocr(
            str(pdf),
            str(other),
            "--endpoint",
            server.base_url,
            "--format",
            "json",
            "--out",
            str(out),
        )
    )
    err = capsys.readouterr().err
    # THEN the two finished pages are written, every other page is there as failed, exit 3
    assert code == 3, err
    _no_traceback(err)
    doc = json.loads((out / "five.json").read_text())
    statuses = [p["status"] for p in doc["pages"]]
    assert [p["index"] for p in doc["pages"]] == [0, 1, 2, 3, 4]
    assert sorted(statuses) == ["failed", "failed", "failed", "ok", "ok"]
    texts = {p["blocks"][0]["text"] for p in doc["pages"] if p["status"] == "ok"}
    assert texts == {"text of request 1", "text of request 2"}
    after = json.loads((out / "after.json").read_text())
    assert [p["status"] for p in after["pages"]] == ["failed"]
    # which two pages finish first depends on the request order; every failed one says why
    assert all(p["reason"] for p in doc["pages"] + after["pages"] if p["status"] == "failed")


# -- 8. progress lines name the page by its number --------------------------------------


def test_progress_lines_name_each_page_by_its_number(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a 4-page PDF whose page 3 (the only landscape page) is refused by the server
    holder: list[HostileServer] = []

    def script(n: int) -> Reply:
        width, height = holder[0].image_sizes[-1]
        return error_json("bad image", 400) if width > height else _numbered(n)

    server = hostile(script)
    holder.append(server)
    pdf = tmp_path / "four.pdf"
    pdf.write_bytes(_pdf_of_sizes([(300, 400), (300, 400), (500, 300), (300, 400)]))
    # WHEN pages 2-4 are read
    code = run(_ocr(str(pdf), "--pages", "2-4", "--endpoint", server.base_url))
    err = capsys.readouterr().err
    # THEN each line names its page of the file: the failure is pinned on page 3
    assert code == 3
    assert "page 2/4 ok" in err
    assert "page 3/4 failed" in err
    assert "page 4/4 ok" in err


def _pdf_of_sizes(sizes: list[tuple[float, float]]) -> bytes:
    doc = pdfium.PdfDocument.new()
    try:
        for size in sizes:
            doc.new_page(*size).close()
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()
    finally:
        doc.close()


# -- 15. control characters never reach the terminal -----------------------------------


def test_nul_and_terminal_escapes_from_the_model_are_stripped_from_what_is_printed(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a model whose text and whose error carry NUL, ANSI and OSC escapes
    nasty = "red\x1b[31m text\x00 title\x1b]0;owned\x07 end\x9b2J"

    def script(n: int) -> Reply:
        return error_json(f"refused {nasty}", 400) if n == 2 else ok_stream(layout_blocks(nasty))

    server = hostile(script)
    inputs = [str(_png(tmp_path / f"{i}.png")) for i in (1, 2)]
    # WHEN the pages are printed (Markdown, then plain text)
    for fmt in ("md", "txt", "html"):
        code = run(_ocr(*inputs, "--endpoint", server.base_url, "--format", fmt))
        out, err = capsys.readouterr()
        server.chat_requests = 0
        # THEN neither stdout nor stderr holds a control character; the words remain
        assert code == 3
        for text in (out, err):
            bad = [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0]
            assert not bad, (fmt, text)
        assert "red" in out and "end" in out
        assert "refused red" in err


# -- 6. HTTP 429 and Retry-After -------------------------------------------------------


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_a_429_is_retried_after_the_time_the_server_asks_for(
    form: str,
    hostile: Callable[..., HostileServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN a server that says "too many requests, come back in 2 s" once
    def script(n: int) -> Reply:
        if n == 1:
            when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
            after = "2" if form == "seconds" else when
            reply = error_json("rate limited", 429)
            reply.headers["Retry-After"] = after
            return reply
        return _numbered(n)

    server = hostile(script)
    started = time.monotonic()
    # WHEN a page is read
    code = run(_ocr(str(_png(tmp_path / "p.png")), "--endpoint", server.base_url))
    out, err = capsys.readouterr()
    # THEN it is read on the second try, not before the server's time
    assert code == 0, err
    assert "request 2" in out
    assert time.monotonic() - started >= 1.0
    assert server.chat_requests == 2


# -- 10. a complete JSON answer to a streaming request ----------------------------------


def test_a_complete_json_answer_to_a_streaming_request_is_read(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = hostile(lambda n: complete_json(layout_blocks("whole answer at once")))
    code = run(_ocr(str(_png(tmp_path / "p.png")), "--endpoint", server.base_url))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "whole answer at once" in out
    assert "page 1/1 ok" in err


# -- 4. a stream that breaks keeps what arrived -----------------------------------------


def _broken(kind: str) -> Callable[[int], Reply]:
    pieces = block_pieces(layout_blocks("first block", "second block", "never finished"))
    head = [chunk_event(p) for p in pieces[:2]]  # two complete blocks
    tail = [chunk_event(pieces[2][:12])]  # and the start of a third

    def script(n: int) -> Reply:
        if kind == "malformed":
            return Reply(events=[*head, *tail, "data: {not json\n\n"], then="cut")
        if kind == "error-event":
            error = {"error": {"message": "engine died", "code": 500}}
            return Reply(events=[*head, *tail, f"data: {json.dumps(error)}\n\n"], then="cut")
        if kind == "stall":
            return Reply(events=[*head, *tail], then="stall")
        return Reply(events=[*head, *tail], then="cut")  # every try is cut

    return script


@pytest.mark.parametrize("kind", ["malformed", "error-event", "stall", "cut-every-try"])
def test_a_stream_that_breaks_keeps_every_complete_block_and_marks_the_page_partial(
    kind: str,
    hostile: Callable[..., HostileServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = hostile(_broken(kind))
    code = run(
        _ocr(str(_png(tmp_path / "p.png")), "--endpoint", server.base_url, "--format", "json")
    )
    out, err = capsys.readouterr()
    _no_traceback(err)
    assert code == 3, err
    (page,) = json.loads(out)["pages"]
    assert page["status"] == "partial"
    assert [b["text"] for b in page["blocks"]] == ["first block", "second block"]
    assert page["reason"]
    assert "page 1/1 partial" in err


# -- 7. damaged inputs among good ones ---------------------------------------------------


def _tiff_without_width_on_page_2() -> bytes:
    """A 3-page TIFF whose second page lost its ImageWidth tag (Pillow: TypeError)."""
    frames = [Image.new("RGB", (120, 90), c) for c in ("white", "grey", "black")]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    data = bytearray(buf.getvalue())
    assert data[:2] == b"II"
    ifd = struct.unpack_from("<I", data, 4)[0]
    ifd = struct.unpack_from("<I", data, ifd + 2 + 12 * struct.unpack_from("<H", data, ifd)[0])[0]
    for i in range(struct.unpack_from("<H", data, ifd)[0]):
        at = ifd + 2 + 12 * i
        if struct.unpack_from("<H", data, at)[0] == 256:
            struct.pack_into("<H", data, at, 0xBEEF)
    return bytes(data)


def _pdf_with_a_missing_page_2() -> bytes:
    """A 3-page PDF whose second page object does not exist (PDFium: Failed to load page)."""
    body = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 9 0 R 4 0 R] /Count 3 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    }
    parts, offsets = [b"%PDF-1.4\n"], {}
    for n, obj in body.items():
        offsets[n] = sum(map(len, parts))
        parts.append(b"%d 0 obj\n%s\nendobj\n" % (n, obj))
    xref = sum(map(len, parts))
    parts.append(b"xref\n0 5\n0000000000 65535 f \n")
    parts += [b"%010d 00000 n \n" % offsets[n] for n in range(1, 5)]
    parts.append(b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return b"".join(parts)


def _gif_with_a_damaged_frame() -> bytes:
    """A GIF whose first frame's LZW data is garbage."""
    frames = [Image.new("P", (120, 90), i) for i in range(3)]
    for i, frame in enumerate(frames):
        frame.putpixel((i, i), 7)
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=50)
    data = bytearray(buf.getvalue())
    start = data.index(b"\x2c")  # the first image descriptor
    data[start + 10 : start + 30] = b"\xff" * 20
    return bytes(data)


def test_damaged_tiff_pdf_and_gif_among_good_files_each_fail_alone_in_one_sentence(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN good files around a TIFF with a damaged page, a PDF with a missing page, a bad GIF
    server = hostile(_numbered)
    first = _png(tmp_path / "first.png")
    tiff = tmp_path / "scan.tif"
    tiff.write_bytes(_tiff_without_width_on_page_2())
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_pdf_with_a_missing_page_2())
    gif = tmp_path / "anim.gif"
    gif.write_bytes(_gif_with_a_damaged_frame())
    last = _png(tmp_path / "last.png")
    out = tmp_path / "out"
    files = [str(p) for p in (first, tiff, pdf, gif, last)]
    # WHEN they are read in one batch
    code = run(_ocr(*files, "--endpoint", server.base_url, "--format", "json", "--out", str(out)))
    err = capsys.readouterr().err
    # THEN no traceback; the good pages are read; each damaged page or file fails alone, in
    # one sentence
    _no_traceback(err)
    assert code == 3, err
    for name in ("first", "last"):
        assert json.loads((out / f"{name}.json").read_text())["pages"][0]["status"] == "ok"
    pages = json.loads((out / "report.json").read_text())["pages"]
    assert [p["status"] for p in pages] == ["ok", "failed", "ok"]
    assert pages[1]["reason"].endswith(".")
    assert "report.pdf: page 2/3 failed (report.pdf: page 2 cannot be read" in err
    # A TIFF whose page header is broken cannot even be counted: the input fails as a whole
    assert "scan.tif: the image is damaged or truncated (Missing dimensions)." in err
    assert "anim.gif: the image is damaged or truncated" in err
    assert not (out / "scan.json").exists()
    (gif_page,) = json.loads((out / "anim.json").read_text())["pages"]
    assert gif_page["status"] == "failed" and gif_page["reason"].endswith(".")
    for line in err.splitlines():
        assert len(line) < 400


# -- 6a. pictures saved beside the Markdown ---------------------------------------------


def test_markdown_written_to_a_folder_has_its_pictures_beside_it_and_links_that_resolve(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    picture: LayoutBlock = {"bbox": [100, 50, 300, 250], "category": "Picture"}
    blocks = [*layout_blocks("caption"), picture]
    server = hostile(lambda n: ok_stream(blocks))
    inputs = [_png(tmp_path / d / "scan.png") for d in ("a", "b")]
    out = tmp_path / "out"
    code = run(_ocr(*map(str, inputs), "--endpoint", server.base_url, "--out", str(out)))
    err = capsys.readouterr().err
    assert code == 0, err
    for md in ("scan.md", "scan-2.md"):
        text = (out / md).read_text()
        links = [
            line[line.index("(") + 1 : -1] for line in text.splitlines() if line.startswith("![")
        ]
        assert len(links) == 1, text
        target = (out / links[0]).resolve()
        assert target.is_file(), links[0]
        with Image.open(target) as crop:
            assert crop.width > 50 and crop.height > 50
    assert len({(out / "scan.md").read_text(), (out / "scan-2.md").read_text()}) == 2


def test_a_text_answer_that_breaks_keeps_the_text_received(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a plain-text answer that ends in vLLM's mid-stream error event
    error = {"error": {"message": "engine died", "code": 500}}
    events = [chunk_event("First line of the page.\n"), chunk_event("Second line.\n")]
    server = hostile(
        lambda n: Reply(events=[*events, f"data: {json.dumps(error)}\n\n"], then="cut")
    )
    # WHEN the page is read in text mode
    code = run(_ocr(str(_png(tmp_path / "p.png")), "--mode", "text", "--endpoint", server.base_url))
    out, err = capsys.readouterr()
    # THEN the text received is printed and the page is partial, saying why
    _no_traceback(err)
    assert code == 3, err
    assert "First line of the page." in out and "Second line." in out
    assert "page 1/1 partial (The answer broke off; the text received is kept" in err
    assert "engine died" in err


# -- 9. a total deadline and a size cap from the token budget ---------------------------


@pytest.mark.parametrize(("then", "says"), [("drip", "still coming after"), ("flood", "passed")])
def test_an_answer_that_never_ends_is_cut_at_its_token_budget_and_says_which_limit(
    then: str,
    says: str,
    hostile: Callable[..., HostileServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a server that drips a letter every 0.2 s (never quiet for the idle limit), or
    # streams text past max_tokens forever, after two complete blocks
    monkeypatch.setattr(limits, "EXTRA_SECONDS", 0.0)  # the margin is not the point here
    # The idle limit is 12x the drip (was 5x): a busy machine's pause must not make the
    # drip look quiet; the total deadline (3.1 s) still ends it first.
    quick = functools.partial(
        ServerEngine, retry=QUICK_RETRY, timeouts=Timeouts(first_token=1.5, idle=2.5)
    )
    monkeypatch.setattr(factory, "ServerEngine", quick)
    pieces = block_pieces(layout_blocks("first block", "second block", "third"))
    head = [chunk_event(p) for p in pieces[:2]] + [chunk_event(pieces[2][:50])]
    server = hostile(lambda n: Reply(events=head, then=then))
    started = time.monotonic()
    # WHEN a page is read with an 8-token budget (limits: 4352 characters, 1.5 + 1.6 s)
    code = run(
        _ocr(
            str(_png(tmp_path / "p.png")),
            "--endpoint",
            server.base_url,
            "--max-tokens",
            "8",
            "--format",
            "json",
        )
    )
    out, err = capsys.readouterr()
    # THEN it ends in bounded time, partial with the complete blocks, saying which limit
    assert time.monotonic() - started < 20
    _no_traceback(err)
    assert code == 3, err
    (page,) = json.loads(out)["pages"]
    assert page["status"] == "partial"
    assert [b["text"] for b in page["blocks"]] == ["first block", "second block"]
    assert says in page["reason"] and "token budget" in page["reason"]
