"""Nothing silently wrong on the reader side (issue 15, items 5, 11 and 12): the ``ocr``
command against a hostile server and odd inputs. Each test is what a user would notice:
the page's status and reason, the text written, the stderr lines and the exit code."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from desktop.cli import run
from desktop.core.document import CUT_MARK
from desktop.engines.remote.server import ServerEngine
from tests.reliability.conftest import blank_pdf
from tests.reliability.hostile import (
    HostileServer,
    Reply,
    block_pieces,
    layout_blocks,
    looping_stream,
    ok_stream,
    prose_reply,
    text_reply,
)

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("quick_engine")]


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 300), "white").save(path)
    return path


def _ocr(server: HostileServer, *args: str) -> int:
    return run(["ocr", *args, "--endpoint", server.base_url, "--concurrency", "1"])


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and "Unexpected error" not in err, err


def _boxes_only(n: int) -> list[dict[str, object]]:
    return [{"bbox": [10, 10 + 60 * i, 300, 50 + 60 * i], "category": "Text"} for i in range(n)]


# -- 5. a region whose grounding read loops -------------------------------------------------


def test_a_region_whose_reread_loops_makes_the_page_partial_and_flags_that_block(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a page whose layout answer loops; the layout-only pass finds 3 regions; the
    # second region's grounding read loops too (its text is cut), the others are fine
    holder: list[HostileServer] = []
    grounded: list[int] = []

    def script(n: int) -> Reply:
        kind = holder[0].prompts[n - 1]
        if kind == "layout":
            grounded.clear()  # each run: the second region loops
            return looping_stream(block_pieces(layout_blocks("Heading"))[:1])
        if kind == "layout-only":
            return ok_stream(_boxes_only(3))
        grounded.append(n)
        if len(grounded) == 2:
            return looping_stream(["Second region starts well "], unit="and on ")
        return text_reply(f"region text {len(grounded)}")

    server = hostile(script)
    holder.append(server)
    src = _png(tmp_path / "page.png")
    out = tmp_path / "out"
    # WHEN it is read to JSON and Markdown
    code = _ocr(server, str(src), "--format", "json", "--out", str(out))
    code_md = _ocr(server, str(src), "--format", "md", "--out", str(out))
    err = capsys.readouterr().err
    _no_traceback(err)
    # THEN the page is partial (exit 3 as for any partial page), not "recovered" (exit 0)
    assert code == 3 and code_md == 3, err
    page = json.loads((out / "page.json").read_text())["pages"][0]
    assert page["status"] == "partial"
    # the reason names the cut region, by number, and the loop
    assert "Region 2 was cut short and is marked […]" in page["reason"], page["reason"]
    assert "looped" in page["reason"]
    codes = [f["code"] for f in page["reason_facts"]]
    assert "page_regions_cut" in codes
    # the cut block's text ends with the visible mark; the others are whole and unmarked
    texts = [b["text"] for b in page["blocks"]]
    assert texts[1].startswith("Second region starts well") and texts[1].endswith(CUT_MARK)
    assert not texts[0].endswith(CUT_MARK) and not texts[2].endswith(CUT_MARK)
    # and the cut block carries its own fact in the JSON; the whole ones carry none
    flagged = [i for i, b in enumerate(page["blocks"]) if b.get("facts")]
    assert flagged == [1], page["blocks"]
    md = (out / "page.md").read_text()
    assert f"Second region starts well {CUT_MARK}" in md or f"well{CUT_MARK}" in md, md
    assert "page 1/1 partial" in err


# -- 11. --dpi beyond what the model reads --------------------------------------------------


def test_dpi_400_on_an_a4_page_is_honoured_up_to_the_models_pixel_limit_and_said(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an A4 page (595 x 842 pt) and --dpi 400 (3307 x 4677 px, 15.5 MP: more than
    # the 11.29 MP dots.ocr reads), and --dpi 200 (1653 x 2339 px, well under it)
    server = hostile(lambda n: ok_stream(layout_blocks("A4 text")))
    src = tmp_path / "a4.pdf"
    src.write_bytes(blank_pdf(1, (595, 842)))
    out = tmp_path / "out"
    # WHEN it is read at 400 DPI, then at 200 DPI
    code = _ocr(server, str(src), "--dpi", "400", "--format", "json", "--out", str(out))
    err = capsys.readouterr().err
    page = json.loads((out / "a4.json").read_text())["pages"][0]
    code_200 = _ocr(server, str(src), "--dpi", "200", "--format", "json", "--out", str(out))
    err_200 = capsys.readouterr().err
    page_200 = json.loads((out / "a4.json").read_text())["pages"][0]
    _no_traceback(err + err_200)
    # THEN 400 DPI is reduced only as far as the model's limit (341 DPI, not 72), the page
    # is still ok, and the page and stderr both say which DPI was used and why
    assert code == 0, err
    assert page["status"] == "ok"
    assert (page["width"], page["height"]) == (round(595 * 341 / 72), round(842 * 341 / 72))
    said = "Rendered at 341 DPI instead of 400: at 400 DPI the page would have 15.5 million"
    assert said in page["reason"], page
    assert [f["code"] for f in page["reason_facts"]] == ["page_dpi_reduced"]
    assert said in err
    sent_w, sent_h = server.image_sizes[0]
    assert sent_w * sent_h > 10_000_000  # the model got (nearly) all the pixels it reads
    # and 200 DPI is used as asked, without a word
    assert code_200 == 0 and (page_200["width"], page_200["height"]) == (1653, 2339)
    assert "reason" not in page_200 and "DPI" not in err_200


async def test_the_windows_reader_path_says_the_dpi_was_reduced_too(tmp_path: Path) -> None:
    # GIVEN the shared page reader the window uses, set to 400 DPI, and an A4 PDF
    from desktop.engines.batch.pipeline import BatchPipeline, PageFinished
    from tests.reliability.hostile import HostileServer as Server

    server = Server(lambda n: ok_stream(layout_blocks("A4 text")))
    try:
        engine = ServerEngine(server.base_url)
        src = tmp_path / "a4.pdf"
        src.write_bytes(blank_pdf(1, (595, 842)))
        pipeline = BatchPipeline(engine, dpi=400)
        # WHEN the page is read
        finished = [e async for e in pipeline.run([src]) if isinstance(e, PageFinished)]
        await engine.aclose()
    finally:
        server.close()
    # THEN its result carries the same fact the command line prints
    (event,) = finished
    assert event.page.status.value == "ok"
    assert [f.code.value for f in event.page.facts] == ["page_dpi_reduced"]
    assert event.page.facts[0].params["used"] == 341


# -- 12. deliberate outcomes for odd answers and odd inputs ---------------------------------


def test_prose_instead_of_json_is_kept_as_a_text_block_and_the_page_is_partial(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a server whose model answers the layout prompt in prose, no JSON at all
    prose = "The page shows a letter from the bank: your account 42 is now closed."
    server = hostile(lambda n: prose_reply(prose))
    src = _png(tmp_path / "letter.png")
    out = tmp_path / "out"
    # WHEN it is read to JSON and to text
    code = _ocr(server, str(src), "--format", "json", "--out", str(out))
    code_txt = _ocr(server, str(src), "--format", "txt", "--out", str(out))
    err = capsys.readouterr().err
    _no_traceback(err)
    # THEN the text is kept as one Text block over the whole page, the page is partial
    # with the reason, and the exit code says so (3)
    assert code == 3 and code_txt == 3, err
    page = json.loads((out / "letter.json").read_text())["pages"][0]
    assert page["status"] == "partial"
    assert [(b["category"], b["text"]) for b in page["blocks"]] == [("Text", prose)]
    assert page["blocks"][0]["bbox"] == [0, 0, 400, 300]
    assert "answered in prose instead of layout JSON" in page["reason"]
    assert prose in (out / "letter.txt").read_text()
    assert "page 1/1 partial (The model answered in prose" in err


@pytest.mark.parametrize(
    "garbage",
    ["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", '{"bbox": [1, 2', "```json\n[\n```", "}{}{}{"],
)
def test_broken_json_is_not_mistaken_for_prose(
    hostile: Callable[..., HostileServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    garbage: str,
) -> None:
    # GIVEN an answer that is JSON gone wrong, not prose
    server = hostile(lambda n: text_reply(garbage))
    src = _png(tmp_path / "p.png")
    # WHEN it is read
    code = _ocr(server, str(src), "--format", "json", "--out", str(tmp_path / "o"))
    err = capsys.readouterr().err
    # THEN the page fails as before (no block made of brackets)
    assert code == 3, err
    page = json.loads((tmp_path / "o" / "p.json").read_text())["pages"][0]
    assert page["status"] == "failed" and not page["blocks"], page


def test_an_unknown_category_is_kept_as_text_and_noted(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an answer with a category dots.ocr does not have ("Sidebar", twice)
    blocks = [
        *layout_blocks("Main text"),
        *layout_blocks("", "Aside one", "Aside two", category="Sidebar")[1:],
    ]
    server = hostile(lambda n: ok_stream(blocks))
    src = _png(tmp_path / "odd.png")
    out = tmp_path / "out"
    # WHEN it is read
    code = _ocr(server, str(src), "--format", "json", "--out", str(out))
    err = capsys.readouterr().err
    _no_traceback(err)
    # THEN every block is kept (as Text, nothing lost), and the page says which category
    # was unknown; the text is whole, so the page is ok (exit 0)
    assert code == 0, err
    page = json.loads((out / "odd.json").read_text())["pages"][0]
    assert page["status"] == "ok"
    assert [(b["category"], b["text"]) for b in page["blocks"]] == [
        ("Text", "Main text"),
        ("Text", "Aside one"),
        ("Text", "Aside two"),
    ]
    assert page["reason"] == (
        "2 blocks have a category dots.ocr does not use (Sidebar); kept as Text."
    )
    assert "page 1/1 ok (2 blocks have a category dots.ocr does not use" in err


def _animated_gif(path: Path, frames: int, damage_frame: int | None = None) -> Path:
    images = [Image.new("RGB", (120, 80), (i * 60 % 256, 200, 100)) for i in range(frames)]
    buf = io.BytesIO()
    images[0].save(buf, "GIF", save_all=True, append_images=images[1:], duration=100)
    data = bytearray(buf.getvalue())
    if damage_frame is not None:
        descriptors = [i for i in range(13, len(data)) if data[i] == 0x2C]
        at = descriptors[damage_frame]
        flags = data[at + 9]
        start = at + 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
        data[start] = 0x0F  # an LZW code size no decoder accepts
    path.write_bytes(bytes(data))
    return path


def test_every_frame_of_an_animated_gif_is_read_as_its_own_page(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a 4-frame animated GIF whose frame 3 is damaged, and a good PNG after it
    server = hostile(lambda n: ok_stream(layout_blocks(f"frame text {n}")))
    gif = _animated_gif(tmp_path / "anim.gif", 4, damage_frame=2)
    png = _png(tmp_path / "after.png")
    out = tmp_path / "out"
    # WHEN they are read
    code = _ocr(server, str(gif), str(png), "--format", "json", "--out", str(out))
    err = capsys.readouterr().err
    _no_traceback(err)
    # THEN the GIF is 4 pages: frames 1 and 2 read, frame 3 failed in one sentence naming
    # it; frame 4 is drawn over frame 3 (GIF frames are deltas), so it cannot be made and
    # says so; the PNG after it is read; no traceback, exit 3
    assert code == 3, err
    pages = json.loads((out / "anim.json").read_text())["pages"]
    assert [p["status"] for p in pages] == ["ok", "ok", "failed", "failed"]
    assert pages[2]["reason"].startswith("anim.gif: page 3 cannot be read ("), pages[2]
    assert pages[3]["reason"].startswith("anim.gif: page 4 cannot be read ("), pages[3]
    assert "page 3/4 failed (anim.gif: page 3 cannot be read" in err
    assert json.loads((out / "after.json").read_text())["pages"][0]["status"] == "ok"
    # and --pages picks frames like pages; an undamaged animation reads every frame
    code = _ocr(server, str(gif), "--pages", "2", "--format", "json", "--out", str(out))
    assert code == 0
    assert [p["index"] for p in json.loads((out / "anim.json").read_text())["pages"]] == [1]
    whole = _animated_gif(tmp_path / "whole.gif", 3)
    code = _ocr(server, str(whole), "--format", "json", "--out", str(out))
    pages = json.loads((out / "whole.json").read_text())["pages"]
    assert code == 0 and [p["status"] for p in pages] == ["ok", "ok", "ok"]


def test_a_pdf_with_no_pages_is_one_plain_sentence(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a valid PDF with an empty page tree (what PDFium reports as "Success")
    server = hostile(lambda n: ok_stream(layout_blocks("x")))
    src = tmp_path / "zero.pdf"
    src.write_bytes(blank_pdf(0))
    # WHEN it is read
    code = _ocr(server, str(src), "--format", "json")
    err = capsys.readouterr().err
    # THEN one plain sentence, no PDFium status word, exit 1
    assert code == 1
    assert "zero.pdf: the PDF has no pages." in err
    assert "Success" not in err and "PDFium" not in err
    _no_traceback(err)


def test_a_pdf_with_no_pages_after_a_locked_and_a_damaged_pdf_is_still_called_empty(
    hostile: Callable[..., HostileServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a password-protected PDF, a damaged one and then a PDF without pages: PDFium
    # sets no error of its own for the last, and its "last error" still holds the one before
    from tests.core.pdfcrypt import encrypted_pdf

    server = hostile(lambda n: ok_stream(layout_blocks("x")))
    locked, broken, zero = tmp_path / "locked.pdf", tmp_path / "broken.pdf", tmp_path / "zero.pdf"
    locked.write_bytes(encrypted_pdf("secret"))
    broken.write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    zero.write_bytes(blank_pdf(0))
    # WHEN they are read in one batch, in either order
    for order in ([locked, zero], [broken, zero], [zero, locked]):
        code = _ocr(server, *map(str, order), "--format", "json")
        err = capsys.readouterr().err
        # THEN each is named with its own sentence
        assert code == 1, err
        assert "zero.pdf: the PDF has no pages." in err, err
        assert (
            "zero.pdf: the PDF is protected" not in err
            and "zero.pdf: the PDF is damaged" not in err
        )


def _listing(entry: str) -> bytes:
    return ('{"object": "list", "data": [' + entry + "]}").encode()


ODD_CONTEXTS = {
    "huge": _listing('{"id": "m", "max_model_len": 1000000000000000000000000000000}'),
    "negative": _listing('{"id": "m", "max_model_len": -5}'),
    "zero": _listing('{"id": "m", "max_model_len": 0}'),
    "overflowing-float": _listing('{"id": "m", "max_model_len": 1e999}'),
    "infinity": _listing('{"id": "m", "max_model_len": Infinity}'),
    "nan": _listing('{"id": "m", "max_model_len": NaN}'),
    "fraction": _listing('{"id": "m", "max_model_len": 32768.5}'),
    "string": _listing('{"id": "m", "max_model_len": "32768"}'),
    "word": _listing('{"id": "m", "max_model_len": "lots"}'),
    "bool": _listing('{"id": "m", "max_model_len": true}'),
    "list": _listing('{"id": "m", "max_model_len": [1]}'),
    "numeric-id": _listing('{"id": 7, "max_model_len": 32768}'),
}


@pytest.mark.parametrize("body", ODD_CONTEXTS.values(), ids=ODD_CONTEXTS.keys())
def test_odd_values_in_the_model_list_never_reach_the_user_as_an_exception(
    hostile: Callable[..., HostileServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: bytes,
) -> None:
    # GIVEN a server listing its model with an odd max_model_len (or a numeric id)
    server = hostile(lambda n: ok_stream(layout_blocks("read")), models=body)
    src = _png(tmp_path / "p.png")
    # WHEN a page is read
    code = _ocr(server, str(src), "--format", "json", "--out", str(tmp_path / "o"))
    err = capsys.readouterr().err
    # THEN the odd value is ignored (the usual context is assumed) and the page is read
    _no_traceback(err)
    assert "Overflow" not in err and "StopIteration" not in err
    assert code == 0, err
    page = json.loads((tmp_path / "o" / "p.json").read_text())["pages"][0]
    assert page["status"] == "ok"


BAD_LISTS = {
    "empty-data": b'{"object": "list", "data": []}',
    "data-is-an-object": b'{"object": "list", "data": {"id": "m"}}',
    "data-is-a-number": b'{"object": "list", "data": 5}',
    "data-is-a-string": b'{"object": "list", "data": "m"}',
    "no-data": b'{"object": "list"}',
    "a-list": b'[{"id": "m"}]',
    "not-json": b"<html>hello</html>",
    "entries-without-id": b'{"data": [{"object": "model"}, 5, null]}',
}


@pytest.mark.parametrize("body", BAD_LISTS.values(), ids=BAD_LISTS.keys())
def test_a_model_list_that_is_not_one_is_one_sentence_and_exit_1(
    hostile: Callable[..., HostileServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: bytes,
) -> None:
    # GIVEN a server whose /v1/models is empty or not a list of models
    server = hostile(lambda n: ok_stream(layout_blocks("read")), models=body)
    src = _png(tmp_path / "p.png")
    # WHEN a page is read
    code = _ocr(server, str(src), "--format", "json")
    err = capsys.readouterr().err
    # THEN one sentence naming the server, exit 1, and the doctor's probe says the same
    _no_traceback(err)
    assert code == 1, err
    assert server.base_url in err
    assert "lists no models" in err or "is not a model list" in err, err
    from desktop.engines.serverprobe import probe_server

    probe = probe_server(server.base_url, None)
    assert not probe.ok and probe.problem is not None
    assert probe.problem.code.value in ("doc_server_no_model", "doc_server_http")


@pytest.mark.parametrize("body", ODD_CONTEXTS.values(), ids=ODD_CONTEXTS.keys())
def test_the_doctors_probe_reads_odd_context_values_as_unknown(
    hostile: Callable[..., HostileServer], body: bytes
) -> None:
    from desktop.engines.serverprobe import probe_server

    server = hostile(lambda n: ok_stream(layout_blocks("read")), models=body)
    probe = probe_server(server.base_url, None)
    assert probe.ok, probe
    assert probe.context in (None, 32768)


def test_a_camera_jpeg_with_a_second_picture_inside_is_still_one_page(tmp_path: Path) -> None:
    # An MPO JPEG (a camera's preview or a stereo pair) is not an animation: one page
    from desktop.core.images import count_pages, iter_pages

    buf = io.BytesIO()
    first, second = Image.new("RGB", (200, 100), "white"), Image.new("RGB", (20, 10), "red")
    first.save(buf, "MPO", save_all=True, append_images=[second])
    path = tmp_path / "camera.jpg"
    path.write_bytes(buf.getvalue())
    assert getattr(Image.open(path), "n_frames", 1) == 2  # Pillow sees two frames
    pages = list(iter_pages(path))
    assert len(pages) == 1 == count_pages(path) and pages[0].width == 200


def test_a_flagged_block_keeps_its_flag_through_the_batch_store(tmp_path: Path) -> None:
    # A resumed batch (or the window's history) shows the cut region flagged as before
    from desktop.core.document import Block, Page, PageStatus
    from desktop.core.messages import Code, Msg
    from desktop.engines.batch.history import page_from_dict, page_to_dict

    cut = Msg.of(Code.BLOCK_CUT_LIMIT, tokens=2048)
    page = Page(
        0, 10, 10, (Block("Text", (0, 0, 5, 5), f"half {CUT_MARK}", 0, (cut,)),), PageStatus.PARTIAL
    )
    again = page_from_dict(json.loads(json.dumps(page_to_dict(page))))
    assert again.blocks[0].facts == (cut,) and again.blocks[0].text == f"half {CUT_MARK}"
