"""The window reads through the page reader: quit mid-batch and start again, faults per page."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication

from desktop.core.document import PageStatus
from desktop.engines.batch.batchstore import BatchStore
from desktop.engines.batch.history import HistoryStore
from desktop.runtime.gpu import NvmlBackend
from desktop.ui.appshell.shell import DesktopApp
from desktop.ui.state.prefs import Prefs
from tests.ui.appshell.test_app_tray import FakeNvml
from tests.ui.conftest import Ui, dispose_window, run_coroutine, run_until

pytestmark = [pytest.mark.gui, pytest.mark.timeout(180)]

# A multiple of 28 each way: the model input is the file itself, so the simulator sees the
# file's own bytes and its request log says which file each request was.
PAGE = (588, 812)


def _pages(folder: Path, count: int) -> list[str]:
    paths = []
    for n in range(count):
        path = folder / f"scan{n}.png"
        Image.new("RGB", PAGE, (255, 250 - 20 * n, 240)).save(path)
        paths.append(str(path))
    return paths


def _sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _requested(sim: Any) -> list[str]:
    """The sha256 of the image in each chat request the simulator received, in order."""
    hashes = []
    for body in list(sim.stats.chat_requests):
        for message in body.get("messages", []):
            content = message.get("content")
            for part in content if isinstance(content, list) else []:
                if isinstance(part, dict) and part.get("type") == "image_url":
                    url = part["image_url"]["url"]
                    data = base64.b64decode(url.split(",", 1)[1])
                    hashes.append(hashlib.sha256(data).hexdigest())
    return hashes


@pytest.fixture
def start_app(
    qloop: Any, qtbot: Any, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Any], DesktopApp]]:
    """The whole app (as ``dots-desktop`` starts it) reading from ``sim``; quit on teardown."""
    running: list[DesktopApp] = []

    def factory(sim: Any) -> DesktopApp:
        if sim.api_key:
            monkeypatch.setenv("DOTS_DESKTOP_API_KEY", sim.api_key)
        prefs = Prefs(language="en", tray_enabled=False, engine_mode="server")
        prefs = Prefs(**{**_fields(prefs), "endpoint": sim.base_url, "concurrency": 2})
        app = DesktopApp(qapp, gpu_backend=NvmlBackend(FakeNvml()), gpu_interval=5, prefs=prefs)
        app.start([])
        run_until(qtbot, lambda: app.started)
        running.append(app)
        return app

    yield factory
    for app in running:
        quit_app(qtbot, app)


def _fields(prefs: Prefs) -> dict[str, Any]:
    return {name: getattr(prefs, name) for name in prefs.__dataclass_fields__}


def quit_app(qtbot: Any, app: DesktopApp) -> None:
    """Quit as the tray's Quit does (once): running readings stop, unfinished."""
    if app.started:
        app.started = False
        run_coroutine(qtbot, app.shutdown())
        dispose_window(app.window)


def _settled_requests(qtbot: Any, sim: Any) -> int:
    """The number of chat requests once nothing runs and none came for half a second.

    A request cut at the quit can reach the simulator's thread late on a busy machine (a
    fixed 0.2 s after the last one ended was not always enough): counted before the next
    start, it would read as a page asked for twice.
    """
    last = [-1, time.monotonic()]

    def quiet() -> bool:
        now, count = time.monotonic(), sim.stats.requests_total
        if count != last[0] or sim.in_flight:
            last[:] = [count, now]
            return False
        return now - last[1] >= 0.5

    run_until(qtbot, quiet, timeout=30)
    return len(_requested(sim))


def _ok(app: DesktopApp) -> dict[str, int]:
    """File -> pages read OK, for the documents of ``app``'s window."""
    return {
        e.path: sum(p.status is PageStatus.OK for p in e.results.values())
        for e in app.controller.entries.values()
    }


def test_given_a_batch_when_the_window_quits_mid_way_then_the_next_start_finishes_it_once(
    vllm_sim: Callable[..., Any],
    start_app: Callable[[Any], DesktopApp],
    tmp_path: Path,
    qtbot: Any,
) -> None:
    # GIVEN five scans dropped at once on a slow model (two read at a time, ~1 s each)
    sim = vllm_sim(max_num_seqs=2, decode_tps=500.0)
    files = _pages(tmp_path, 5)
    first = start_app(sim)
    first.controller.open_files(files)
    run_until(qtbot, lambda: sum(_ok(first).values()) >= 2, timeout=60)
    # WHEN the user quits while the rest is being read
    quit_app(qtbot, first)
    done_before = {f for f, n in _ok(first).items() if n}
    assert 2 <= len(done_before) < 5, _ok(first)
    asked_before = _settled_requests(qtbot, sim)  # requests cut at the quit arrive late
    assert set(_requested(sim)) <= {_sha(f) for f in files}, "each request is one file as is"

    # THEN the next start resumes the reading: finished files are not read again
    second = start_app(sim)

    def resumed_entries() -> list[Any]:
        return [e for e in second.controller.entries.values() if e.resumed]

    run_until(qtbot, lambda: len(resumed_entries()) == 5 - len(done_before), timeout=30)
    resumed = resumed_entries()
    assert sorted(e.path for e in resumed) == sorted(set(files) - done_before)
    run_until(qtbot, lambda: all(e.results.get(0) for e in resumed), timeout=90)
    assert all(e.results[0].status is PageStatus.OK for e in resumed)
    asked_after = _requested(sim)[asked_before:]
    assert sorted(asked_after) == sorted(_sha(f) for f in set(files) - done_before)
    # AND every file is in the history exactly once, read OK; nothing is left to resume
    run_until(qtbot, lambda: len(HistoryStore().entries()) == 5, timeout=30)
    history = HistoryStore()
    assert sorted(e.source for e in history.entries()) == sorted(files)
    assert all(e.ok and e.page_count == 1 for e in history.entries())
    assert not BatchStore().interrupted_batches()
    assert second.window.documents.docs.count() == 5  # each file listed once


def test_given_a_batch_when_the_last_page_faults_then_only_that_page_fails(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], tmp_path: Path
) -> None:
    from desktop.engines.remote.server import ServerEngine

    # GIVEN three scans; the model answers the last one with broken JSON, no block at all
    # (prose would be kept as a Text block: issue 15)
    files = _pages(tmp_path, 3)
    responses = tmp_path / "responses"
    responses.mkdir()
    (responses / f"{_sha(files[-1])}.txt").write_text('[{"no": "block here"')
    sim = vllm_sim(responses=str(responses), max_num_seqs=2)
    ui = make_ui(ServerEngine(sim.base_url, sim.api_key))
    # WHEN they are opened together
    ui.controller.open_files(files)
    entries = list(ui.controller.entries.values())
    ui.wait(lambda: all(e.results.get(0) for e in entries), timeout=60)
    # THEN the last page fails with the reader's reason and the others are read
    by_path = {e.path: e for e in entries}
    last = by_path[files[-1]].results[0]
    assert last.status is PageStatus.FAILED
    assert last.reason == "The model's answer contains no readable layout blocks."
    assert [by_path[f].results[0].status for f in files[:-1]] == [PageStatus.OK] * 2
    assert [by_path[f].status() for f in files] == ["done", "done", "failed"]
    # AND the batch is over: no progress bar left, nothing still reading
    ui.wait(lambda: not ui.bridge.busy)
    assert ui.window.batch_label.text() == ""
    assert not any(e.running or e.queued for e in entries)


def test_given_an_interrupted_reading_and_no_engine_then_it_waits_and_resumes_with_one(
    vllm_sim: Callable[..., Any], make_ui: Callable[..., Ui], tmp_path: Path
) -> None:
    from desktop.engines.remote.server import ServerEngine

    # GIVEN a reading a crash cut before its page was read, and a window without an engine
    (scan,) = _pages(tmp_path, 1)
    store = BatchStore()
    batch = store.create_batch([scan], {"mode": "layout", "dpi": 200}, "cut")
    store.add_pages(batch, scan, [0])
    store.close()
    ui = make_ui(None)
    ui.controller.resume_interrupted()
    ui.qtbot.wait(300)
    assert not ui.controller.entries  # not read into "No OCR engine" failures
    # WHEN an engine becomes ready
    sim = vllm_sim()
    ui.bridge.set_engine(ServerEngine(sim.base_url, sim.api_key))
    # THEN the reading resumes, is read once and leaves the store
    ui.wait(lambda: bool(ui.controller.entries))
    (entry,) = ui.controller.entries.values()
    ui.wait(lambda: bool(entry.results.get(0)))
    assert entry.path == scan and entry.results[0].status is PageStatus.OK
    assert _requested(sim) == [_sha(scan)]
    ui.wait(lambda: not BatchStore().batches(), timeout=30)
