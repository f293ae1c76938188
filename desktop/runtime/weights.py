"""Model weights downloaded on this computer, with progress, into the folder the container mounts.

The Hub is asked with huggingface_hub's public API (``HfApi.model_info`` for the file list and
commit, ``get_hf_file_metadata`` for each file's ETag, size and address); the bytes are fetched
here, into ``blobs/<etag>.incomplete`` under huggingface_hub's own cache layout, so a cut
transfer (a lost connection, a killed app) continues from the bytes already on disk with an
HTTP ``Range`` request. huggingface_hub 2.x downloads into a name unique to each process and
deletes it on failure, so it cannot resume after a cut (docs/adr/012-weights-on-the-host.md).

The container then mounts the folder at ``/root/.cache/huggingface`` and starts with
``HF_HUB_OFFLINE=1``: vLLM finds the snapshot huggingface_hub would find.
Everything here blocks: the controller runs it in a worker thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from filelock import FileLock

# The Hub's modules load with this one, which the app preloads in a worker at start (with
# the controller, ui/appshell/shell.py), never at a model start: imported then, in a Docker
# worker while a batch is read, they compile and allocate enough to set off a full garbage
# collection of the app's heap, which holds the GIL for 40-140 ms and froze the window
# (benchmarks/bench_weights_stall.py). From the defining modules: the package's lazy
# __init__ hides them from PyInstaller.
from huggingface_hub import constants as hub_constants
from huggingface_hub.file_download import get_hf_file_metadata, hf_hub_url
from huggingface_hub.hf_api import HfApi
from huggingface_hub.utils import build_hf_headers

from desktop.core.messages import Code, Msg
from desktop.runtime.hubfacts import (
    WeightsError,
    folder_error,
    hub_error,
    offline_error,
    status_error,
)
from desktop.runtime.weightstore import (
    hub_folder,
    link_snapshot,
    local_snapshot,
    repo_folder,
    write_ref,
)

logger = logging.getLogger(__name__)

GIB = 1024**3
#: vLLM reads safetensors; a repository that also ships .bin/.pt copies needs only one set.
_DUPLICATE_FORMATS = (".bin", ".pt", ".pth", ".ckpt", ".msgpack", ".h5", ".gguf")


class Cancelled(Exception):  # control flow: a newer request replaced this download
    """The caller stopped the download; what arrived stays on disk for the next try."""


@dataclass(frozen=True, slots=True)
class WeightsProgress:
    """How far a download is: bytes on disk, bytes in all, speed (bytes/s), seconds left."""

    done: int
    total: int
    speed: float = 0.0
    eta: float | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def fact(self) -> Msg:
        """The progress as a fact: '1.20 of 5.70 GiB (21%), 12.0 MiB/s, 6:15 left'."""
        eta = "?" if self.eta is None else clock(self.eta)
        return Msg.of(
            Code.WEIGHTS_PROGRESS,
            done_gib=self.done / GIB,
            total_gib=self.total / GIB,
            percent=int(100 * self.fraction),
            speed_mib=self.speed / 1024**2,
            eta=eta,
        )


def clock(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``), as a clock prints it in every language."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class SpeedMeter:
    """Bytes per second over the last few seconds (a long average hides a stall)."""

    def __init__(self, window: float = 5.0, clock_fn: Callable[[], float] = time.monotonic):
        self.window = window
        self._clock = clock_fn
        self._samples: deque[tuple[float, int]] = deque()

    def feed(self, done: int, total: int) -> WeightsProgress:
        now = self._clock()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window:
            self._samples.popleft()
        t0, d0 = self._samples[0]
        speed = (done - d0) / (now - t0) if now > t0 else 0.0
        eta = (total - done) / speed if speed > 0 else None
        return WeightsProgress(done, total, speed, eta)


@dataclass(frozen=True, slots=True)
class RemoteFile:
    name: str
    size: int
    etag: str
    url: str


def hub_endpoint() -> str:
    """HF_ENDPOINT read now (huggingface_hub reads it once, at import)."""
    return (os.environ.get("HF_ENDPOINT") or hub_constants.ENDPOINT).rstrip("/")


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def wanted(names: list[str]) -> list[str]:
    """The files vLLM needs: everything but duplicate weight formats next to safetensors."""
    has_safetensors = any(n.endswith(".safetensors") for n in names)
    return [n for n in names if not (has_safetensors and n.endswith(_DUPLICATE_FORMATS))]


def plan(
    repo_id: str, revision: str, token: str | None, endpoint: str
) -> tuple[str, list[RemoteFile]]:
    """The commit and the files to fetch (each with its ETag and size). Raises WeightsError."""
    try:
        info = HfApi(endpoint=endpoint).model_info(repo_id, revision=revision, token=token or None)
        commit = str(info.sha)
        names = wanted([s.rfilename for s in info.siblings or []])
        files = []
        for name in names:
            url = hf_hub_url(repo_id, name, revision=commit, endpoint=endpoint)
            meta = get_hf_file_metadata(url, token=token or None)
            if meta.etag is None or meta.size is None:
                raise WeightsError(
                    Msg.of(Code.WEIGHTS_HUB_REFUSED, model=repo_id, status=0),
                    fix=Msg(Code.FIX_WEIGHTS_CUT),
                    cause="model_download_offline",
                )
            # The Hub address, not the CDN one: httpx drops the token on the redirect there.
            files.append(RemoteFile(name, meta.size, meta.etag, url))
    except WeightsError:
        raise
    except Exception as exc:  # huggingface_hub's typed errors, httpx2's network errors
        raise hub_error(exc, repo_id) from exc
    return commit, files


def download(
    repo_id: str,
    root: Path,
    *,
    revision: str = "main",
    token: str | None = None,
    on_progress: Callable[[WeightsProgress], None] | None = None,
    cancel: threading.Event | None = None,
    endpoint: str | None = None,
    interval: float = 0.2,
) -> Path:
    """The model's snapshot folder under ``root/hub``, downloading what is missing first.

    Offline (``HF_HUB_OFFLINE`` or no answer from the Hub) a complete snapshot already on disk
    is used as it is. Raises WeightsError with the fact and its fix, or Cancelled.
    """
    endpoint = endpoint or hub_endpoint()
    have = local_snapshot(root, repo_id, revision)
    if hub_offline():
        if have is not None:
            return have
        raise hub_error(offline_error(), repo_id)
    try:
        commit, files = plan(repo_id, revision, token, endpoint)
    except WeightsError as exc:
        if exc.cause == "model_download_offline" and have is not None:
            logger.info("the Hub is unreachable; using the snapshot on disk for %s", repo_id)
            return have
        raise
    _Transfer(repo_id, root, files, token, on_progress, cancel, interval).run()
    folder = repo_folder(root, repo_id)
    for f in files:
        link_snapshot(folder, commit, f.name, f.etag)
    write_ref(folder, revision, commit)
    return folder / "snapshots" / commit


class _Transfer:
    """The bytes of every file, resumed from ``<etag>.incomplete`` where one is there."""

    def __init__(  # noqa: PLR0917
        self,
        repo_id: str,
        root: Path,
        files: list[RemoteFile],
        token: str | None,
        on_progress: Callable[[WeightsProgress], None] | None,
        cancel: threading.Event | None,
        interval: float,
    ) -> None:
        self.repo_id = repo_id
        self.blobs = repo_folder(root, repo_id) / "blobs"
        self.files = files
        self.token = token
        self.on_progress = on_progress
        self.cancel = cancel or threading.Event()
        self.interval = interval
        self.total = sum(f.size for f in files)
        self.done = 0
        self.meter = SpeedMeter()
        self._last = 0.0

    def run(self) -> None:
        try:
            self.blobs.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise folder_error(hub_folder(self.blobs.parent.parent.parent), exc) from exc
        on_disk = {f.etag: _size(self.blobs / f.etag) for f in self.files}
        partial = {f.etag: _size(self.blobs / (f.etag + ".incomplete")) for f in self.files}
        self.done = sum(
            f.size if on_disk[f.etag] == f.size else min(partial[f.etag], f.size)
            for f in self.files
        )
        self._check_space()
        self._report(force=True)
        headers = _hub_headers(self.token)
        with httpx.Client(
            headers=headers, follow_redirects=True, timeout=httpx.Timeout(60.0, connect=10.0)
        ) as client:
            for f in self.files:
                if on_disk[f.etag] != f.size:
                    # One writer per file: the window and the CLI may start the same model.
                    with FileLock(self.blobs / (f.etag + ".lock")):
                        if _size(self.blobs / f.etag) != f.size:
                            self._fetch(client, f)
                        else:
                            self.done += f.size - min(partial[f.etag], f.size)
        self._report(force=True)

    def _check_space(self) -> None:
        """Refuse before the first byte when the rest cannot fit (not after gigabytes)."""
        need = self.total - self.done
        free = shutil.disk_usage(self.blobs).free
        if need > free:
            raise WeightsError(
                Msg.of(
                    Code.WEIGHTS_NO_SPACE,
                    model=self.repo_id,
                    need_gib=need / GIB,
                    folder=str(self.blobs.parent.parent.parent),
                    free_gib=free / GIB,
                ),
                fix=Msg(Code.FIX_WEIGHTS_FOLDER),
                cause="disk_full",
            )

    def _fetch(self, client: httpx.Client, f: RemoteFile) -> None:
        part = self.blobs / (f.etag + ".incomplete")
        have = _size(part)
        if have > f.size:  # a different file under that name: start it again
            self.done -= f.size
            part.unlink()
            have = 0
        try:
            if have < f.size:
                self._stream(client, f, part, have)
            size = _size(part)
            if size != f.size:
                raise OSError(f"{f.name}: {size} of {f.size} bytes")
            part.replace(self.blobs / f.etag)
        except httpx.HTTPStatusError as exc:
            response = exc.response
            refused = status_error(
                response.status_code, response.headers.get("X-Error-Code", ""), self.repo_id
            )
            if refused is not None:
                raise refused from exc
            raise self._cut(exc) from exc
        except (httpx.HTTPError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
                raise WeightsError(
                    Msg(Code.DISK_FULL), fix=Msg(Code.FIX_WEIGHTS_FOLDER), cause="disk_full"
                ) from exc
            raise self._cut(exc) from exc

    def _cut(self, exc: Exception) -> WeightsError:
        detail = type(exc).__name__
        if isinstance(exc, httpx.HTTPStatusError):
            detail = f"HTTP {exc.response.status_code}"
        return WeightsError(
            Msg.of(
                Code.WEIGHTS_CUT,
                model=self.repo_id,
                done_gib=self.done / GIB,
                total_gib=self.total / GIB,
                detail=detail,
            ),
            fix=Msg(Code.FIX_WEIGHTS_CUT),
            cause="weights_cut",
        )

    def _stream(self, client: httpx.Client, f: RemoteFile, part: Path, have: int) -> None:
        headers = {"Accept-Encoding": "identity"}  # bytes as stored, so ranges add up
        if have:
            headers["Range"] = f"bytes={have}-"
        with client.stream("GET", f.url, headers=headers) as response:
            response.raise_for_status()
            if have and response.status_code != 206:  # the server sent it all again
                self.done -= have
                have = 0
            elif have and not response.headers.get("Content-Range", "").startswith(
                f"bytes {have}-"
            ):
                raise OSError(f"{f.name}: the server answered another range")
            if have:
                logger.info("%s: resuming at %d of %d bytes", f.name, have, f.size)
            with part.open("ab" if have else "wb") as out, _Unblock(response, self.cancel):
                try:
                    for chunk in response.iter_raw():  # as it arrives: a cut loses nothing
                        if self.cancel.is_set():
                            raise Cancelled
                        out.write(chunk)
                        self.done += len(chunk)
                        self._report()
                except httpx.TransportError:
                    if self.cancel.is_set():  # the cancel shut the socket under the read
                        raise Cancelled from None
                    raise

    def _report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        progress = self.meter.feed(self.done, self.total)
        if self.on_progress is not None and (force or now - self._last >= self.interval):
            self._last = now
            self.on_progress(progress)


class _Unblock:
    """While a response is read, a cancel shuts its socket, so a read waiting on a server
    that stopped sending returns at once instead of after the read timeout (60 s).

    The socket comes from httpcore's documented ``network_stream`` response extension;
    where it is not there (another transport) the cancel is seen between chunks only.
    """

    def __init__(self, response: httpx.Response, cancel: threading.Event) -> None:
        stream = response.extensions.get("network_stream")
        self._socket = stream.get_extra_info("socket") if stream is not None else None
        self._cancel = cancel
        self._over = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="weights-cancel", daemon=True)

    def __enter__(self) -> _Unblock:
        if self._socket is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._over.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        if self._socket is None:
            return
        while not self._over.wait(0.1):
            if self._cancel.is_set():
                with contextlib.suppress(OSError):  # already closed: the read has ended
                    self._socket.shutdown(socket.SHUT_RDWR)
                return


def _hub_headers(token: str | None) -> dict[str, str]:
    return dict(build_hf_headers(token=token or None))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
