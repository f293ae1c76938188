"""A hostile OpenAI-compatible server on loopback: each chat request is answered by a script.

The simulator plays a well-behaved vLLM; this one does what a broken or unfriendly server
does, on demand: a 429 with ``Retry-After``, a context-length 400 for one page, a stream
that breaks after some blocks (malformed event, vLLM's ``{"error": ...}`` event, a cut, a
stall), a complete ``application/json`` answer to a streaming request, raw control
characters in the text, and dying after some requests. It runs on its own thread with its
own loop, so sync tests (``desktop.cli.run``) and async tests can both use it.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import random
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from desktop.engines.errors import RetryPolicy

#: A block of a dots.ocr layout answer (``bbox`` in the model's pixels).
LayoutBlock = dict[str, object]


def layout_blocks(*texts: str, category: str = "Text") -> list[LayoutBlock]:
    """Blocks stacked down a page, one per text."""
    return [
        {"bbox": [10, 10 + 40 * i, 300, 40 + 40 * i], "category": category, "text": t}
        for i, t in enumerate(texts)
    ]


def block_pieces(blocks: list[LayoutBlock]) -> list[str]:
    """The JSON answer for ``blocks`` cut into one piece per block (a block per event)."""
    if not blocks:
        return ["[]"]
    parts = [json.dumps(b) for b in blocks]
    return ["[" + parts[0]] + ["," + p for p in parts[1:]] + ["]"]


def chunk_event(content: str = "", finish: str | None = None) -> str:
    """One ``chat.completion.chunk`` SSE event."""
    choice = {"index": 0, "delta": {"content": content}, "finish_reason": finish}
    obj = {"id": "x", "object": "chat.completion.chunk", "model": "m", "choices": [choice]}
    return "data: " + json.dumps(obj) + "\n\n"


@dataclass
class Reply:
    """How to answer one chat request.

    ``status``/``headers``/``body``: a plain answer. ``events``: an SSE answer, one HTTP
    chunk each; then ``then`` says how it ends: "done" (finish + ``[DONE]``), "cut" (the
    connection closes mid-body), "stall" (nothing more is sent), "drip" (a letter every
    0.2 s, forever) or "flood" (1000 letters at a time, forever).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: list[str] | None = None
    then: str = "done"


def ok_stream(blocks: list[LayoutBlock]) -> Reply:
    return Reply(events=[chunk_event(p) for p in block_pieces(blocks)])


def error_json(message: str, status: int) -> Reply:
    body = json.dumps({"object": "error", "message": message, "code": status}).encode()
    return Reply(status=status, headers={"Content-Type": "application/json"}, body=body)


def complete_json(blocks: list[LayoutBlock]) -> Reply:
    """A whole ``chat.completion`` (not streamed), as some gateways answer ``stream: true``."""
    obj = {
        "id": "x",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": json.dumps(blocks)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
    }
    return Reply(headers={"Content-Type": "application/json"}, body=json.dumps(obj).encode())


Script = Callable[[int], Reply | None]
"""Request number (from 1) -> the reply; None: the server closes the connection at once."""


#: Retries short enough for a test against this server (their sizes are not the point).
QUICK_RETRY = RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.1, total=10)


class HostileServer:
    """Serves ``/health``, ``/v1/models`` and scripted ``/v1/chat/completions``."""

    def __init__(
        self, script: Script, *, max_model_len: int = 32768, models: bytes | None = None
    ) -> None:
        self.script = script
        self.max_model_len = max_model_len
        #: The raw ``/v1/models`` body, when a test wants an odd one (else a normal list).
        self.models = models
        self.chat_requests = 0
        #: (width, height) of the page image of each chat request, in order (a script can
        #: tell pages apart by it: requests of one batch need not come in page order).
        self.image_sizes: list[tuple[int, int]] = []
        #: The prompt kind of each chat request, in order ("layout", "layout-only",
        #: "grounding", "text"): a script answers the loop recovery's requests by it.
        self.prompts: list[str] = []
        self.dead = False  # set: every request (health included) is refused from now on
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError("the hostile server did not start")

    @property
    def base_url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def kill(self) -> None:
        """Die as a crashed server does: every connection, and the port, refused from now on.

        Call it from a script (it runs on the server's loop)."""
        self.dead = True
        if self._server is not None:
            self._server.close()

    def close(self) -> None:
        async def stop() -> None:
            if self._server is not None:
                self._server.close()
            # Stalled answers and open connections end here, before their loop does.
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                body = await reader.readexactly(length) if length else b""
                if self.dead:
                    break
                if not await self._answer(path, body, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, path: str, body: bytes, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must close."""
        if path.endswith("/health"):
            return await _plain(writer, Reply(body=b""))
        if path.endswith("/v1/models"):
            models = {"data": [{"id": "m", "object": "model", "max_model_len": self.max_model_len}]}
            raw = self.models if self.models is not None else json.dumps(models).encode()
            listing = Reply(headers={"Content-Type": "application/json"}, body=raw)
            return await _plain(writer, listing)
        self.chat_requests += 1
        self.image_sizes.append(_image_size(body))
        self.prompts.append(_prompt_kind(body))
        scripted = self.script(self.chat_requests)
        if scripted is None:
            return False
        if scripted.events is None:
            return await _plain(writer, scripted)
        reply, events = scripted, list(scripted.events)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        if reply.then == "done":
            events += [chunk_event("", "stop"), "data: [DONE]\n\n"]
        for event in events:
            data = event.encode()
            writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await writer.drain()
            await asyncio.sleep(0.005)
        if reply.then == "done":
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            return True
        if reply.then == "stall":
            await asyncio.sleep(3600)
        rng = random.Random(15)
        while reply.then in ("drip", "flood"):  # until the client gives up
            if reply.then == "drip":
                text, pause = rng.choice(string.ascii_letters), 0.2
            else:
                text, pause = "".join(rng.choices(string.ascii_letters + " ", k=1000)), 0.002
            data = chunk_event(text).encode()
            writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            await writer.drain()
            await asyncio.sleep(pause)
        return False


def _image_size(body: bytes) -> tuple[int, int]:
    """The size of the first image in a chat request ((0, 0) when there is none)."""
    try:
        messages = json.loads(body).get("messages", [])
        for message in messages:
            for part in message.get("content") or []:
                url = part.get("image_url", {}).get("url", "") if isinstance(part, dict) else ""
                if url.startswith("data:"):
                    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as img:
                        return img.size
    except (ValueError, AttributeError, OSError):
        pass
    return (0, 0)


def _prompt_kind(body: bytes) -> str:
    """Which dots.ocr prompt a chat request sends (by its first words)."""
    text = body.decode("utf-8", "replace")
    if "Extract text from the given bounding box" in text:
        return "grounding"
    if "Do not output the corresponding text" in text:
        return "layout-only"
    if "Extract the text content" in text:
        return "text"
    return "layout"


def looping_stream(pieces: list[str], unit: str = "<td></td></tr><tr>", times: int = 400) -> Reply:
    """``pieces`` then ``unit`` over and over (a repetition loop), cut by the client."""
    loop = [chunk_event(unit * 20) for _ in range(times // 20)]
    return Reply(events=[*[chunk_event(p) for p in pieces], *loop], then="cut")


def text_reply(text: str) -> Reply:
    """A plain text answer (a grounding or text-mode read), in one event."""
    return Reply(events=[chunk_event(text)])


def prose_reply(text: str) -> Reply:
    """The model answering in prose, no JSON at all."""
    words = text.split(" ")
    return Reply(events=[chunk_event(w + " ") for w in words])


async def _plain(writer: asyncio.StreamWriter, reply: Reply) -> bool:
    reasons = {200: "OK", 400: "Bad Request", 429: "Too Many Requests", 500: "Server Error"}
    head = f"HTTP/1.1 {reply.status} {reasons.get(reply.status, 'X')}\r\n"
    headers = {"Content-Length": str(len(reply.body)), **reply.headers}
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode("latin-1") + reply.body)
    await writer.drain()
    return True
