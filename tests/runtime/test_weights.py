"""Weights downloaded on this computer from a fake Hub on loopback: progress, cuts, resume,
gated and unknown models, offline starts, and huggingface_hub reading what was written."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.messages import Code, Msg
from desktop.runtime import weights as w
from desktop.runtime import weightstore as store
from tests.fakehub import FakeHub, weights_repo

REPO = "rednote-hilab/dots.ocr"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub(repos={REPO: weights_repo()}).start()
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    yield fake
    fake.close()


def _weights(hub: FakeHub) -> bytes:
    return hub.repos[REPO].files["model.safetensors"]


def _needed(hub: FakeHub) -> int:
    files = hub.repos[REPO].files
    return sum(len(v) for k, v in files.items() if k != "pytorch_model.bin")


def test_progress_advances_in_bytes_and_total_and_ends_complete(
    hub: FakeHub, tmp_path: Path
) -> None:
    hub.delay = 0.01
    seen: list[w.WeightsProgress] = []
    snap = w.download(REPO, tmp_path, on_progress=seen.append, interval=0.02)
    assert {p.total for p in seen} == {_needed(hub)}  # the total is known from the start
    done = [p.done for p in seen]
    assert done == sorted(done) and len(set(done)) >= 4  # it advanced, never back
    assert done[-1] == _needed(hub)
    assert any(p.speed > 0 and p.eta is not None for p in seen)
    assert (snap / "model.safetensors").read_bytes() == _weights(hub)
    assert not (snap / "pytorch_model.bin").exists()  # vLLM reads the safetensors
    assert "hf_xet" not in sys.modules  # left out of the bundle: never needed
    words = str(seen[len(seen) // 2].fact())
    assert "GiB" in words and "MiB/s" in words and "left" in words


def test_a_cut_keeps_the_bytes_and_the_next_start_continues_from_them(
    hub: FakeHub, tmp_path: Path
) -> None:
    hub.cut_at = 1_000_000
    with pytest.raises(w.WeightsError) as cut:
        w.download(REPO, tmp_path)
    assert cut.value.cause == "weights_cut"
    assert cut.value.msg.code is Code.WEIGHTS_CUT
    assert cut.value.fix_msg == Msg(Code.FIX_WEIGHTS_CUT)
    blobs = store.repo_folder(tmp_path, REPO) / "blobs"
    (partial,) = blobs.glob("*.incomplete")
    kept = partial.stat().st_size
    assert kept > 0
    sent_before = hub.body_bytes()
    seen: list[w.WeightsProgress] = []
    snap = w.download(REPO, tmp_path, on_progress=seen.append)
    assert seen[0].done >= kept  # the bar starts where the cut left it, not at zero
    ranges = [s.range for s in hub.log if s.path.startswith("/cdn/") and s.method == "GET"]
    assert ranges[-1] == f"bytes={kept}-"
    assert hub.body_bytes() - sent_before == len(_weights(hub)) - kept
    data = (snap / "model.safetensors").read_bytes()
    assert hashlib.sha256(data).digest() == hashlib.sha256(_weights(hub)).digest()


def test_a_killed_download_continues_from_the_bytes_on_disk(hub: FakeHub, tmp_path: Path) -> None:
    hub.delay = 0.02  # ~3 MiB/s: slow enough to kill it midway
    code = (
        "import sys; from pathlib import Path; from desktop.runtime import weights as w; "
        f"w.download({REPO!r}, Path(sys.argv[1]))"
    )
    env = {**os.environ, "HF_ENDPOINT": hub.url}
    child = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], env=env)
    blobs = store.repo_folder(tmp_path, REPO) / "blobs"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        parts = list(blobs.glob("*.incomplete")) if blobs.exists() else []
        if parts and parts[0].stat().st_size > 300_000:
            break
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    (partial,) = blobs.glob("*.incomplete")
    kept = partial.stat().st_size
    assert 0 < kept < len(_weights(hub))
    hub.delay = 0.0
    snap = w.download(REPO, tmp_path)
    ranges = [s.range for s in hub.log if s.path.startswith("/cdn/") and s.method == "GET"]
    assert ranges[-1] == f"bytes={kept}-"
    assert (snap / "model.safetensors").read_bytes() == _weights(hub)


def test_a_gated_model_asks_for_the_token_and_downloads_with_it(
    hub: FakeHub, tmp_path: Path
) -> None:
    hub.repos[REPO].gated = True
    for token in (None, "hf_wrong"):
        with pytest.raises(w.WeightsError) as refused:
            w.download(REPO, tmp_path, token=token)
        assert refused.value.cause == "model_gated"
        assert refused.value.fix_msg == Msg(Code.FIX_WEIGHTS_GATED)
    assert w.download(REPO, tmp_path, token=hub.token).is_dir()


def test_an_unknown_model_is_not_found_not_gated(hub: FakeHub, tmp_path: Path) -> None:
    # The Hub answers an anonymous caller 401 for a repo that does not exist.
    with pytest.raises(w.WeightsError) as missing:
        w.download("rednote-hilab/dots.ocrr", tmp_path)
    assert missing.value.cause == "model_not_found"
    assert missing.value.msg.code is Code.MODEL_NOT_FOUND


def test_offline_uses_the_snapshot_on_disk_and_says_when_there_is_none(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(w.WeightsError) as offline:
        w.download(REPO, tmp_path)
    assert offline.value.msg.code is Code.MODEL_DOWNLOAD_OFFLINE
    monkeypatch.delenv("HF_HUB_OFFLINE")
    snap = w.download(REPO, tmp_path)
    asked = len(hub.log)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert w.download(REPO, tmp_path) == snap
    assert len(hub.log) == asked  # nothing was asked of the Hub


def test_an_unreachable_hub_with_the_weights_on_disk_still_starts(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused_port: int
) -> None:
    snap = w.download(REPO, tmp_path)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{refused_port}")
    assert w.download(REPO, tmp_path) == snap
    with pytest.raises(w.WeightsError) as nothing:
        w.download("other/model", tmp_path)
    assert nothing.value.msg.code is Code.MODEL_DOWNLOAD_OFFLINE


def test_huggingface_hub_reads_the_folder_as_its_own_cache(hub: FakeHub, tmp_path: Path) -> None:
    # What vLLM does inside the container with HF_HUB_OFFLINE=1 (fails if the layout moves).
    from huggingface_hub import scan_cache_dir, snapshot_download

    snap = w.download(REPO, tmp_path)
    found = snapshot_download(REPO, cache_dir=tmp_path / "hub", local_files_only=True)
    assert Path(found) == snap
    (info,) = scan_cache_dir(tmp_path / "hub").repos
    assert info.repo_id == REPO
    (entry,) = store.downloaded(tmp_path)
    assert entry.complete and entry.size == info.size_on_disk


def test_listing_and_deleting_downloaded_models(hub: FakeHub, tmp_path: Path) -> None:
    hub.cut_at = 500_000
    with pytest.raises(w.WeightsError):
        w.download(REPO, tmp_path)
    (partial,) = store.downloaded(tmp_path)
    assert not partial.complete and "not finished" in str(partial.fact())
    w.download(REPO, tmp_path)
    (entry,) = store.downloaded(tmp_path)
    assert entry.complete and entry.size >= len(_weights(hub))
    with pytest.raises(Exception) as running:
        store.delete(tmp_path, REPO, running=frozenset({REPO}))
    assert "running" in str(running.value)
    assert store.downloaded(tmp_path) == [entry]  # nothing was lost
    done = store.delete(tmp_path, REPO)
    assert done.code is Code.WEIGHTS_DELETED and store.downloaded(tmp_path) == []


def test_a_cancelled_download_stops_and_keeps_its_bytes(hub: FakeHub, tmp_path: Path) -> None:
    hub.delay = 0.01
    cancel = threading.Event()

    def progress(p: w.WeightsProgress) -> None:
        if p.done > 200_000:
            cancel.set()

    with pytest.raises(w.Cancelled):
        w.download(REPO, tmp_path, on_progress=progress, cancel=cancel, interval=0.0)
    (partial,) = (store.repo_folder(tmp_path, REPO) / "blobs").glob("*.incomplete")
    assert partial.stat().st_size > 200_000


def test_cancelling_a_stalled_download_stops_at_once_not_after_the_read_timeout(
    hub: FakeHub, tmp_path: Path
) -> None:
    # The server sends some bytes, then nothing, with the connection open: a read waits
    # for its 60 s timeout unless the cancel unblocks it.
    hub.stall_at = 300_000
    cancel = threading.Event()

    def progress(p: w.WeightsProgress) -> None:
        if p.done >= 300_000 and not cancel.is_set():
            threading.Timer(0.5, cancel.set).start()  # cancelled while the read waits

    started = time.monotonic()
    try:
        with pytest.raises(w.Cancelled):
            w.download(REPO, tmp_path, on_progress=progress, cancel=cancel, interval=0.0)
        assert time.monotonic() - started < 15  # not the 60 s read timeout
    finally:
        hub.release.set()
    (partial,) = (store.repo_folder(tmp_path, REPO) / "blobs").glob("*.incomplete")
    assert partial.stat().st_size >= 300_000  # what arrived is kept for the next try


def test_clock_and_speed_meter() -> None:
    assert w.clock(59.6) == "1:00" and w.clock(3725) == "1:02:05"
    ticks = iter([0.0, 1.0, 2.0])
    meter = w.SpeedMeter(clock_fn=lambda: next(ticks))
    meter.feed(0, 100)
    meter.feed(10, 100)
    p = meter.feed(20, 100)
    assert p.speed == 10 and p.eta == 8


def test_a_disk_too_small_is_refused_before_the_first_byte_with_the_numbers(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(
        shutil, "disk_usage", lambda p: real(p)._replace(free=1024 * 1024)
    )  # 1 MiB left
    with pytest.raises(w.WeightsError) as full:
        w.download(REPO, tmp_path)
    assert full.value.cause == "disk_full"
    assert full.value.msg.code is Code.WEIGHTS_NO_SPACE
    assert "GiB more" in str(full.value) and "0.00 GiB is free" in str(full.value)
    assert hub.body_bytes() < 1000  # only the small files' HEADs and nothing of the weights


def test_docker_desktop_refusing_the_folder_says_where_to_share_it() -> None:
    from desktop.runtime.diagnosis import FailureCause, diagnose_docker_error

    text = (  # Docker Desktop's answer, as the daemon sends it
        '400 Client Error: Bad Request ("Mounts denied: \nThe path '
        "/Volumes/Data/dots-desktop/huggingface is not shared from the host and is not known "
        "to Docker.\nYou can configure shared paths from Docker -> Preferences... -> Resources "
        '-> File Sharing.\nSee https://docs.docker.com/ for more info.")'
    )
    diag = diagnose_docker_error(text)
    assert diag is not None and diag.cause is FailureCause.FOLDER_NOT_SHARED
    assert "/Volumes/Data/dots-desktop/huggingface" in diag.message
    assert "File sharing" in diag.fix
