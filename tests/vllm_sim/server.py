"""The HTTP front end: vLLM's routes, auth, error bodies and the chat completion flow."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from . import httpio
from .chat import (
    RequestError,
    completion_payload,
    parse_chat_request,
    usage,
)
from .config import VLLM_VERSION, SimConfig
from .console import ENGINE, Console
from .engine import Engine, Job, SimStats, render_metrics
from .responses import Answer, build_answer
from .structured import read_response_format, structured_answer

DEAD_MESSAGE = "EngineCore encountered an issue. See stack trace (above) for the root cause."


class SimServer:
    """One listening socket, its connections and the simulated engine behind them."""

    def __init__(
        self,
        config: SimConfig,
        console: Console,
        engine: Engine,
        on_crash: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self.console = console
        self.engine = engine
        self.stats: SimStats = engine.stats
        self.dead = False
        self._on_crash = on_crash
        self._created = int(time.time())
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._failed_so_far = 0
        self.port = 0

    @property
    def faults(self) -> set[str]:
        return self.engine.faults

    async def listen(self, sock: socket.socket) -> None:
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(
            self._on_connection, sock=sock, limit=httpio.MAX_HEADER_BYTES
        )

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def crash(self) -> None:
        """The engine dies: every open connection is reset, /health turns 503."""
        if self.dead:
            return
        self.dead = True
        self.console.log("ERROR", "core.py:790", "EngineCore encountered a fatal error.", ENGINE)
        self.console.plain(
            "RuntimeError: CUDA error: an illegal memory access was encountered", error=True
        )
        self.console.log("ERROR", "async_llm.py:480", "AsyncLLM output_handler failed.")
        self.console.log(
            "ERROR",
            "async_llm.py:480",
            f"vllm.v1.engine.exceptions.EngineDeadError: {DEAD_MESSAGE}",
        )
        for writer in list(self._writers):
            writer.transport.abort()
        if self._on_crash is not None:
            self._on_crash()

    # -- connections ---------------------------------------------------------------------

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        hangup = httpio.hangup_future(reader)
        try:
            while True:
                try:
                    request = await httpio.read_request(reader)
                except httpio.MalformedRequestError as exc:
                    writer.write(httpio.json_response(400, {"detail": str(exc)}, keep_alive=False))
                    break
                if request is None:
                    break
                keep = await self._dispatch(request, hangup, writer)
                await writer.drain()
                if not keep or not request.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away or the server is stopping: nothing to answer
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            writer.transport.abort() if self.dead else writer.close()

    async def _dispatch(
        self, request: httpio.Request, hangup: asyncio.Future[None], writer: asyncio.StreamWriter
    ) -> bool:
        self.stats.http_requests[f"{request.method} {request.path}"] += 1
        send = writer.write
        path, method = request.path, request.method
        key = self.config.api_key
        protected = path.startswith("/v1") and key and method != "OPTIONS"
        if protected and request.headers.get("authorization", "") != f"Bearer {key}":
            self.stats.unauthorized_requests += 1
            send(httpio.json_response(401, {"error": "Unauthorized"}))
            return True
        hidden = "hide-health" in self.faults
        if path in ("/health", "/ping") and method in ("GET", "POST") and not hidden:
            send(httpio.response(503 if self.dead else 200))
        elif path == "/metrics" and method == "GET" and not hidden:
            text = render_metrics(self.engine, self.config, self.stats)
            send(httpio.response(200, text.encode(), "text/plain; version=0.0.4; charset=utf-8"))
        elif path == "/version" and method == "GET":
            send(httpio.json_response(200, {"version": VLLM_VERSION}))
        elif path == "/v1/models" and method == "GET":
            send(httpio.json_response(200, self._models()))
        elif path == "/v1/chat/completions" and method == "POST":
            return await self._guarded_chat(request, hangup, writer)
        elif (
            path
            in ("/health", "/ping", "/metrics", "/version", "/v1/models", "/v1/chat/completions")
            and not hidden
        ):
            send(httpio.json_response(405, {"detail": "Method Not Allowed"}))
        else:
            send(httpio.json_response(404, {"detail": "Not Found"}))
        return True

    def _models(self) -> dict[str, object]:
        data = []
        for name in self.config.served_names:
            data.append(
                {
                    "id": name,
                    "object": "model",
                    "created": self._created,
                    "owned_by": "vllm",
                    "root": self.config.model,
                    "parent": None,
                    "max_model_len": self.config.max_model_len,
                    "permission": [
                        {
                            "id": f"modelperm-{uuid.uuid4().hex}",
                            "object": "model_permission",
                            "created": self._created,
                            "allow_create_engine": False,
                            "allow_sampling": True,
                            "allow_logprobs": True,
                            "allow_search_indices": False,
                            "allow_view": True,
                            "allow_fine_tuning": False,
                            "organization": "*",
                            "group": None,
                            "is_blocking": False,
                        }
                    ],
                }
            )
        return {"object": "list", "data": data}

    def error_body(self, status: int, message: str, kind: str, param: str | None = None) -> bytes:
        if self.config.error_style == "old":
            payload: dict[str, object] = {
                "object": "error",
                "message": message,
                "type": kind,
                "param": param,
                "code": status,
            }
        else:
            payload = {"error": {"message": message, "type": kind, "param": param, "code": status}}
        return httpio.json_response(status, payload)

    # -- chat completions ------------------------------------------------------------------

    async def _guarded_chat(
        self, request: httpio.Request, hangup: asyncio.Future[None], writer: asyncio.StreamWriter
    ) -> bool:
        """Run the request while watching for the client hanging up (then stop generating)."""
        work = asyncio.ensure_future(self._chat(request, writer))
        try:
            waiting: set[asyncio.Future[Any]] = {work, hangup}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await work
        if work.cancelled():
            return False
        try:
            return work.result()
        except ConnectionError:
            return False

    async def _chat(self, request: httpio.Request, writer: asyncio.StreamWriter) -> bool:
        stats = self.stats
        stats.requests_total += 1
        if "crash-after" in self.faults and stats.requests_total > self.config.crash_after:
            self.crash()
            return False
        if self.dead:
            writer.write(self.error_body(500, DEAD_MESSAGE, "InternalServerError"))
            return True
        for status in (500, 503):
            if f"http-{status}" in self.faults and (
                self.config.fail_count == 0 or self._failed_so_far < self.config.fail_count
            ):
                self._failed_so_far += 1
                stats.failed_requests += 1
                if status == 500:
                    writer.write(self.error_body(500, DEAD_MESSAGE, "InternalServerError"))
                else:
                    message = "The server is currently overloaded or not ready. Please retry later."
                    writer.write(self.error_body(503, message, "ServiceUnavailableError"))
                return True
        try:
            job, body = self._prepare(request)
        except RequestError as exc:
            stats.rejected_requests += 1
            if (
                "stream-context" in self.faults
                and _streamed(request.body)
                and str(exc).startswith("The decoder prompt")
            ):
                return await self._stream_error(exc, writer)
            writer.write(self.error_body(exc.status, str(exc), exc.kind, exc.param))
            return True
        model = body.get("model") or self.config.primary_name
        if body.get("stream"):
            return await self._stream(job, body, str(model), writer)
        pieces: list[str] = []

        async def collect(piece: str) -> None:
            pieces.append(piece)

        finish, count = await self.engine.run(job, collect)
        writer.write(
            httpio.json_response(
                200,
                completion_payload(job.prompt_tokens, str(model), "".join(pieces), finish, count),
            )
        )
        return True

    def _prepare(self, request: httpio.Request) -> tuple[Job, dict[str, object]]:
        chat = parse_chat_request(request.body, self.config, self.stats.chat_requests.append)
        image = chat.images[0] if chat.images else None
        schema = read_response_format(chat.body)
        if schema is not None:  # guided decoding: the answer conforms to the schema
            grid = "qwen" in self.config.model.lower()
            text = structured_answer(schema, image, frozenset(self.faults), grid)
            self.stats.prompt_modes.append("structured")
            return Job(Answer("structured", text), chat.prompt_tokens, chat.max_tokens), chat.body
        answer = build_answer(chat.prompt, image, frozenset(self.faults), self.config.responses)
        if not answer.exact_prompt:
            self.stats.inexact_prompts += 1
            self.console.warning(
                "serving_chat.py:1", f"dots.ocr prompt recognised only loosely ({answer.mode})"
            )
        self.stats.prompt_modes.append(answer.mode)
        return Job(answer, chat.prompt_tokens, chat.max_tokens), chat.body

    async def _stream(
        self, job: Job, body: dict[str, object], model: str, writer: asyncio.StreamWriter
    ) -> bool:
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
        chunk_id = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        started = False

        def event(
            delta: dict[str, object] | None,
            finish: str | None = None,
            usage: dict[str, int] | None = None,
        ) -> bytes:
            payload: dict[str, object] = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": []
                if delta is None
                else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
            if usage is not None:
                payload["usage"] = usage
            if finish is not None:
                payload["choices"][0]["stop_reason"] = None  # type: ignore[index]
            line = "data: " + json.dumps(payload, ensure_ascii=False) + "\n\n"
            return httpio.chunk(line.encode("utf-8"))

        writer.write(httpio.stream_head())

        async def send(piece: str) -> None:
            nonlocal started
            if not started:
                started = True
                writer.write(event({"role": "assistant", "content": ""}))
            writer.write(event({"content": piece}))
            await writer.drain()

        finish, count = await self.engine.run(job, send)
        if not started:
            writer.write(event({"role": "assistant", "content": ""}))
        writer.write(event({"content": ""}, finish))
        if include_usage:
            writer.write(event(None, usage=usage(job.prompt_tokens, count)))
        writer.write(httpio.chunk(b"data: [DONE]\n\n"))
        writer.write(httpio.chunk(b""))
        await writer.drain()
        return True

    async def _stream_error(self, exc: RequestError, writer: asyncio.StreamWriter) -> bool:
        """vLLM's over-long multimodal prompt found after the 200 head: an error event, [DONE]."""
        error = {"message": str(exc), "type": exc.kind, "param": exc.param, "code": exc.status}
        writer.write(httpio.stream_head())
        line = "data: " + json.dumps({"error": error}) + "\n\n"
        writer.write(httpio.chunk(line.encode("utf-8")))
        writer.write(httpio.chunk(b"data: [DONE]\n\n"))
        writer.write(httpio.chunk(b""))
        await writer.drain()
        return True


def _streamed(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and bool(data.get("stream"))
