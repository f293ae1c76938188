"""Security on purpose: keys never written anywhere, model output rendered inert (nothing
fetched, nothing run), and no shell command lines built in the app.

The managed server listening on 127.0.0.1 only and refusing /v1 without the generated key is
verified on the real engine by tests/runtime/test_controller_docker.py::
test_the_port_is_on_loopback_only_and_v1_refuses_requests_without_the_key (not repeated here).
"""

from __future__ import annotations

import ast
import base64
import html.parser
import http.server
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.document import Block, Document, Page
from desktop.core.exports import document_to_html, document_to_markdown
from tests.reliability.helpers import assert_one_clear_line

pytestmark = pytest.mark.timeout(60)
DESKTOP = Path(__file__).resolve().parents[2] / "desktop"


# -- no shell strings -------------------------------------------------------------------

_SHELL_CALLS = {
    ("os", "system"),
    ("os", "popen"),
    ("subprocess", "getoutput"),
    ("subprocess", "getstatusoutput"),
    ("asyncio", "create_subprocess_shell"),
}
_SPAWNERS = {"run", "Popen", "call", "check_call", "check_output", "create_subprocess_exec"}


def _shell_uses(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
        if (owner, name) in _SHELL_CALLS:
            found.append((node.lineno, f"{owner}.{name}"))
        for kw in node.keywords:
            if kw.arg == "shell" and not (
                isinstance(kw.value, ast.Constant) and kw.value.value is False
            ):
                found.append((node.lineno, "shell=..."))
        # A command given as one string (f-string, concatenation) is a shell line in disguise.
        spawner = owner in ("subprocess", "asyncio") or (
            isinstance(func, ast.Name) and name in ("Popen", "check_output", "check_call")
        )
        if spawner and name in _SPAWNERS and node.args:
            first = node.args[0]
            if isinstance(first, ast.JoinedStr | ast.BinOp) or (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and " " in first.value
            ):
                found.append((node.lineno, f"{name}(<string command>)"))
    return found


def test_no_shell_command_lines_are_built_anywhere_in_the_app() -> None:
    offenders = []
    files = sorted(DESKTOP.rglob("*.py"))
    assert len(files) > 20  # the scan really looked at the app
    for file in files:
        for line, what in _shell_uses(ast.parse(file.read_text(), str(file))):
            offenders.append(f"{file.relative_to(DESKTOP.parent)}:{line} {what}")
    assert offenders == []


def test_the_shell_scan_does_find_what_it_looks_for() -> None:
    sample = (
        "import os, subprocess\nos.system('ls ' + x)\nsubprocess.run(cmd, shell=True)\n"
        "subprocess.run(f'docker rm {name}')\n"
    )
    assert len(_shell_uses(ast.parse(sample))) == 3


# -- keys and tokens ---------------------------------------------------------------------

KEY = "sk-reliability-7f3a9c1e5b"


def test_the_api_key_never_reaches_logs_output_files_or_the_batch_store(
    vllm_sim: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop.cli import run
    from desktop.core.paths import config_dir, data_dir
    from tests.reliability.conftest import png_bytes

    sim = vllm_sim(api_key=KEY, decode_tps=100_000.0)
    page = tmp_path / "page.png"
    page.write_bytes(png_bytes())
    out = tmp_path / "out"
    caplog.set_level(logging.DEBUG)  # httpx/httpcore included
    outputs = []
    for fmt in ("json", "md", "html", "txt", "xlsx", "csv"):
        code = run(
            ["-v", "ocr", str(page), "--endpoint", sim.base_url, "--api-key", KEY,
             "--out", str(out), "--format", fmt]
        )  # fmt: skip
        assert code == 0
        outputs.append(capsys.readouterr())
    wrong = run(["ocr", str(page), "--endpoint", sim.base_url, "--api-key", KEY + "x"])
    outputs.append(capsys.readouterr())
    assert wrong == 1
    assert_one_clear_line(outputs[-1].err.strip().splitlines()[-1])
    assert sim.stats.unauthorized_requests >= 1
    for captured in outputs:
        assert KEY not in captured.out and KEY not in captured.err
    assert KEY not in "\n".join(r.getMessage() for r in caplog.records)
    assert KEY not in caplog.text
    written = [
        f for d in (out, config_dir(), data_dir()) for f in Path(d).rglob("*") if f.is_file()
    ]
    assert len([f for f in written if f.parent == out]) >= 6
    for file in written:
        assert KEY.encode() not in file.read_bytes(), file


def test_a_status_object_printed_by_mistake_does_not_show_the_key() -> None:
    from desktop.runtime.status import ControllerStatus

    status = ControllerStatus(endpoint="http://127.0.0.1:8000/v1", api_key=KEY)
    assert KEY not in repr(status) and KEY not in str(status)


# -- rendered model output is inert ------------------------------------------------------


class CountingServer:
    """A loopback HTTP server that counts every request it gets (any would be a leak)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        counter = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                counter.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def tracker() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


def hostile_document(url: str, local_file: Path) -> Document:
    data_uri = "data:image/png;base64," + base64.b64encode(b"\x89PNG" + b"\0" * 1_500_000).decode()
    texts = [
        ("Text", f'Invoice <img src="{url}/pixel.png"> total'),
        ("Text", f"<script>fetch('{url}/script')</script>Paid"),
        ("Text", f"[open me](javascript:fetch('{url}/js')) and ![x]({url}/md-image.png)"),
        ("Text", f'<iframe src="{url}/frame"></iframe><link rel="stylesheet" href="{url}/css">'),
        ("Section-header", f"![local](file://{local_file}) <img src='file://{local_file}'>"),
        ("Caption", f'<img src="{data_uri}">'),
        ("Formula", f"\\href{{{url}/latex}}{{x}} \\includegraphics{{{url}/g.png}}"),
        (
            "Table",
            f'<table><tr><td><img src="{url}/cell.png">a</td>'
            f"<td><a href=\"javascript:fetch('{url}/a')\">b</a></td></tr>"
            f"<tr><td><script>fetch('{url}/t')</script>c</td><td>d</td></tr></table>",
        ),
    ]
    blocks = tuple(
        Block(category, (10, 10 + i * 40, 400, 40 + i * 40), text, i)
        for i, (category, text) in enumerate(texts)
    )
    return Document("hostile.png", (Page(0, 1000, 1400, blocks),))


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


_ACTIVE_TAGS = {
    "script",
    "img",
    "iframe",
    "object",
    "embed",
    "link",
    "a",
    "image",
    "video",
    "audio",
}


def test_the_html_export_has_no_active_element_or_outside_reference(
    tracker: CountingServer, tmp_path: Path
) -> None:
    page = document_to_html(hostile_document(tracker.url, tmp_path / "secret.png"))
    parser = _Tags()
    parser.feed(page)
    assert not [t for t, _ in parser.tags if t in _ACTIVE_TAGS]
    for tag, attrs in parser.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if tag == "meta":
                continue
            low = (value or "").lower()
            assert not any(s in low for s in ("http:", "file:", "javascript:", "data:")), tag
    assert "default-src 'none'" in page  # the CSP forbids loading anything, even if missed
    assert "Paid" in page and "total" in page  # the text itself is kept, as text


def test_the_markdown_export_does_not_pass_live_html_from_the_model_through(
    tracker: CountingServer, tmp_path: Path
) -> None:
    markdown = document_to_markdown(hostile_document(tracker.url, tmp_path / "secret.png"))
    for tag in ("<script", "<img", "<iframe", "<link"):
        assert tag not in markdown.lower(), f"{tag} from the model reaches the .md export"


def test_a_text_only_page_with_raw_html_is_inert_in_the_markdown_export() -> None:
    page = Page(0, 100, 100, (), text="Paid <img src=http://x/p.png> <script>x()</script>")
    markdown = document_to_markdown(Document("plain.png", (page,)))
    assert "<img" not in markdown and "<script" not in markdown
    assert "Paid" in markdown


@pytest.mark.gui
def test_the_text_and_chat_views_fetch_nothing_and_open_no_link(
    qtbot: Any, tracker: CountingServer, tmp_path: Path
) -> None:
    from PIL import Image
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextDocument

    from desktop.engines.base import ChatMessage
    from desktop.ui.state.results import TextView
    from desktop.ui.widgets.chat import ChatPanel

    local = tmp_path / "secret.png"  # a real image: a viewer that reads it would show it
    Image.new("RGB", (8, 8), "red").save(local)
    doc = hostile_document(tracker.url, local)
    view = TextView()
    qtbot.addWidget(view)
    view.resize(600, 800)
    view.show()
    view.set_blocks(doc.pages[0].blocks)
    chat = ChatPanel()
    qtbot.addWidget(chat)
    chat.show()
    hostile_answer = "\n\n".join(b.text or "" for b in doc.pages[0].blocks)
    chat.set_history(
        [ChatMessage("user", "what is this?"), ChatMessage("assistant", hostile_answer)]
    )
    qtbot.wait(600)  # layout and painting: when images would be requested
    assert tracker.requests == []
    for browser in (view, chat.view):
        assert not browser.openLinks() and not browser.openExternalLinks()
        for url in (f"{tracker.url}/pixel.png", f"file://{local}", "javascript:alert(1)"):
            kind = QTextDocument.ResourceType.ImageResource
            resource = browser.document().resource(kind, QUrl(url))
            loaded = resource is not None and not getattr(resource, "isNull", lambda: False)()
            assert not loaded, f"{type(browser).__name__} loaded {url}"
    assert "Paid" in view.toPlainText()
