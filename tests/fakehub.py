"""A small Hugging Face Hub on loopback for the download tests (HF_ENDPOINT points at it).

It answers what huggingface_hub and the app really ask, as the Hub answers it:
``GET /api/models/ORG/NAME[/revision/REV]`` (sha, siblings; a gated repo's info is public),
``HEAD|GET /ORG/NAME/resolve/REV/FILE`` (``X-Repo-Commit``, ``ETag``; weight files are LFS:
a 302 to the CDN with ``X-Linked-Etag``/``X-Linked-Size``), and the CDN's
``GET /cdn/SHA256`` with ``Range`` (206 + ``Content-Range``). Refusals carry the Hub's
``X-Error-Code`` (``RepoNotFound`` as 401 without a token, ``GatedRepo`` 401/403).
On demand it is slow (``delay`` seconds per 64 KiB) or cuts a transfer (``cut_at`` bytes into
a file, once: the connection closes mid-body).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PIECE = 64 * 1024


@dataclass
class FakeRepo:
    files: dict[str, bytes]
    commit: str = "0123456789abcdef0123456789abcdef01234567"
    gated: bool = False

    def is_lfs(self, name: str) -> bool:
        return name.endswith(".safetensors") or len(self.files[name]) > 10_000


@dataclass
class Served:
    method: str
    path: str
    range: str | None
    status: int
    sent: int = 0


@dataclass
class FakeHub:
    repos: dict[str, FakeRepo] = field(default_factory=dict)
    token: str = "hf_right"
    delay: float = 0.0
    cut_at: int | None = None  # bytes into the next LFS body, then the connection closes
    #: bytes into the next LFS body, then nothing more is sent (the connection stays open)
    #: until ``release`` is set or the client goes away
    stall_at: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    log: list[Served] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def body_bytes(self) -> int:
        """Bytes of file bodies sent so far (what a resume must not send twice)."""
        return sum(s.sent for s in self.log if s.method == "GET" and "/api/" not in s.path)

    def blob(self, sha: str) -> bytes | None:
        for repo in self.repos.values():
            for data in repo.files.values():
                if hashlib.sha256(data).hexdigest() == sha:
                    return data
        return None


def weights_repo(size: int = 3 * 1024 * 1024, **kw: Any) -> FakeRepo:
    """A model repository as vLLM needs it: config, tokenizer, one safetensors file."""
    weights = bytes((i * 7 + i // 251) % 256 for i in range(size))
    return FakeRepo(
        {
            "config.json": b'{"architectures": ["DotsOCRForCausalLM"], "model_type": "dots_ocr"}',
            "tokenizer.json": b'{"version": "1.0"}',
            "model.safetensors": weights,
            "pytorch_model.bin": b"duplicate weights vLLM does not need" * 10,
        },
        **kw,
    )


_API = re.compile(r"^/api/models/([^/]+/[^/]+?)(?:/revision/([^/?]+))?(?:\?.*)?$")
_RESOLVE = re.compile(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+?)(?:\?.*)?$")
_CDN = re.compile(r"^/cdn/([0-9a-f]{64})(?:\?.*)?$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeHub

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        served = Served(self.command, self.path, self.headers.get("Range"), 200)
        self.fake.log.append(served)
        if m := _API.match(self.path):
            return self._api(m.group(1), served)
        if m := _RESOLVE.match(self.path):
            return self._resolve(m.group(1), m.group(2), m.group(3), served, body=body)
        if m := _CDN.match(self.path):
            data = self.fake.blob(m.group(1))
            if data is None:
                return self._refuse(served, 404, "EntryNotFound", "Entry not found")
            return self._send_file(data, m.group(1), served, body=body, cdn=True)
        return self._refuse(served, 404, "", "Not found")

    def _authorised(self) -> bool:
        return self.headers.get("Authorization") == f"Bearer {self.fake.token}"

    def _repo(self, repo_id: str, served: Served) -> FakeRepo | None:
        repo = self.fake.repos.get(repo_id)
        if repo is None:
            # The Hub does not say whether a repo exists to an anonymous caller.
            status = 404 if self._authorised() else 401
            self._refuse(served, status, "RepoNotFound", "Repository not found")
        return repo

    def _api(self, repo_id: str, served: Served) -> None:
        repo = self._repo(repo_id, served)
        if repo is None:
            return
        info = {
            "_id": "66a1",
            "id": repo_id,
            "modelId": repo_id,
            "sha": repo.commit,
            "private": False,
            "gated": "manual" if repo.gated else False,
            "disabled": False,
            "tags": [],
            "siblings": [{"rfilename": name} for name in repo.files],
        }
        self._send(served, 200, json.dumps(info).encode(), {"Content-Type": "application/json"})

    def _resolve(self, repo_id: str, rev: str, name: str, served: Served, *, body: bool) -> None:
        repo = self._repo(repo_id, served)
        if repo is None:
            return
        if repo.gated and not self._authorised():
            status = 403 if self.headers.get("Authorization") else 401
            message = (
                f"Access to model {repo_id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in."
            )
            return self._refuse(served, status, "GatedRepo", message)
        if rev not in ("main", repo.commit):
            return self._refuse(served, 404, "RevisionNotFound", "Invalid rev id")
        data = repo.files.get(name)
        if data is None:
            return self._refuse(served, 404, "EntryNotFound", "Entry not found")
        headers = {"X-Repo-Commit": repo.commit}
        if repo.is_lfs(name):
            sha = hashlib.sha256(data).hexdigest()
            headers |= {
                "Location": f"{self.fake.url}/cdn/{sha}",
                "X-Linked-Etag": f'"{sha}"',
                "X-Linked-Size": str(len(data)),
                "ETag": f'"{hashlib.sha1(data).hexdigest()}"',
            }
            return self._send(served, 302, b"", headers)
        etag = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's blob id
        return self._send_file(data, etag, served, body=body, extra=headers)

    def _send_file(
        self,
        data: bytes,
        etag: str,
        served: Served,
        *,
        body: bool,
        cdn: bool = False,
        extra: dict[str, str] | None = None,
    ) -> None:
        start, status = 0, 200
        headers = {"ETag": f'"{etag}"', "Accept-Ranges": "bytes", **(extra or {})}
        wanted = self.headers.get("Range")
        if wanted and (m := re.match(r"bytes=(\d+)-$", wanted)):
            start = int(m.group(1))
            if start >= len(data):
                return self._send(served, 416, b"", {"Content-Range": f"bytes */{len(data)}"})
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        part = data[start:]
        served.status = status
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        if not body:
            return
        cut = self.fake.cut_at if cdn else None
        for piece in _pieces(part):
            if cut is not None and served.sent + len(piece) > cut - start:
                keep = max(0, cut - start - served.sent)
                self.wfile.write(piece[:keep])
                served.sent += keep
                self.wfile.flush()
                self.fake.cut_at = None  # once
                self.close_connection = True
                self.connection.shutdown(2)
                return
            stall = self.fake.stall_at if cdn else None
            if stall is not None and served.sent >= stall - start:
                self.fake.stall_at = None  # once
                self.fake.release.wait(120)
            if self.fake.delay:
                threading.Event().wait(self.fake.delay)
            try:
                self.wfile.write(piece)
            except OSError:
                return  # the client went away (a cancelled download)
            served.sent += len(piece)

    def _refuse(self, served: Served, status: int, code: str, message: str) -> None:
        headers = {"X-Error-Message": message, "Content-Type": "application/json"}
        if code:
            headers["X-Error-Code"] = code
        self._send(served, status, json.dumps({"error": message}).encode(), headers)

    def _send(self, served: Served, status: int, data: bytes, headers: dict[str, str]) -> None:
        served.status = status
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
            served.sent += len(data) if status == 200 and "/api/" not in self.path else 0


def _pieces(data: bytes) -> Iterator[bytes]:
    for i in range(0, len(data), PIECE):
        yield data[i : i + PIECE]
