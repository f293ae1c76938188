"""Run the simulator inside the current process on a background thread with its own loop.

A thread (not the caller's loop) so the same server works for sync tests, async tests and
Qt tests alike, and so a test that blocks its own loop cannot stall the server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .app import serve
from .config import SimConfig, parse_config, parse_faults
from .console import Console
from .engine import SimStats
from .server import SimServer

_ALIASES = {"responses_dir": "responses", "fault": "faults"}


class SimStartupError(RuntimeError):
    """The simulated server exited during start-up (a start-up fault, a busy port ...)."""

    def __init__(self, exit_code: int, output: str) -> None:
        super().__init__(
            f"simulator exited with code {exit_code} during start-up:\n{output[-2000:]}"
        )
        self.exit_code = exit_code
        self.output = output


def build_config(
    args: Sequence[str] = (), environ: dict[str, str] | None = None, **opts: Any
) -> SimConfig:
    """A SimConfig from command-line style ``args`` plus SimConfig field overrides."""
    config = parse_config(list(args), environ=environ if environ is not None else {})
    fields = {f.name for f in dataclasses.fields(SimConfig)}
    changes: dict[str, Any] = {}
    for key, raw in opts.items():
        name = _ALIASES.get(key, key)
        if name not in fields:
            raise TypeError(f"unknown simulator option {key!r}")
        value = raw
        if name == "faults":
            value = parse_faults([raw] if isinstance(raw, str) else list(raw))
        elif name == "served_model_name":
            value = (raw,) if isinstance(raw, str) else tuple(raw)
        elif name == "responses" and raw is not None:
            value = str(raw)
        changes[name] = value
    return dataclasses.replace(config, **changes)


class SimHandle:
    """A running in-process simulator: its URL, key, model name and live statistics."""

    def __init__(self, config: SimConfig, startup_timeout: float = 30.0) -> None:
        self.config = config
        self.console = Console()
        self._ready = threading.Event()
        self._finished = threading.Event()
        self._server: SimServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.exit_code: int | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._run, name="vllm-sim", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + startup_timeout
        while not self._ready.wait(0.01):
            if self._finished.is_set() or not self._thread.is_alive():
                self._thread.join(5)
                raise SimStartupError(self.exit_code or 1, self.console.text())
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("the simulator did not become ready in time")

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()

        def on_bound(port: int) -> None:
            self.port = port

        def on_ready(server: SimServer) -> None:
            self._server = server
            self._ready.set()

        try:
            self.exit_code = await serve(
                self.config,
                self.console,
                self._stop,
                on_bound=on_bound,
                on_ready=on_ready,
                exit_on_crash=False,
            )
        finally:
            self._finished.set()

    # -- what tests use --------------------------------------------------------------------

    @property
    def host(self) -> str:
        return "127.0.0.1" if self.config.host in ("0.0.0.0", "") else self.config.host

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_key(self) -> str | None:
        return self.config.api_key

    @property
    def served_model_name(self) -> str:
        return self.config.primary_name

    @property
    def max_model_len(self) -> int:
        return self.config.max_model_len

    @property
    def headers(self) -> dict[str, str]:
        """Authorization header for /v1 calls ({} without a key)."""
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def stats(self) -> SimStats:
        assert self._server is not None
        return self._server.stats

    @property
    def requests_total(self) -> int:
        return self.stats.requests_total

    @property
    def in_flight(self) -> int:
        return self.stats.in_flight

    @property
    def max_concurrent_seen(self) -> int:
        return self.stats.max_concurrent_seen

    @property
    def cancelled_requests(self) -> int:
        return self.stats.cancelled_requests

    @property
    def completed_requests(self) -> int:
        return self.stats.completed_requests

    @property
    def log_lines(self) -> list[str]:
        return list(self.console.lines)

    @property
    def log_text(self) -> str:
        return self.console.text()

    def _call(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the server's loop and wait for it (so the next request sees it)."""
        if self._loop is None or self._finished.is_set():
            return
        done = threading.Event()

        def run() -> None:
            try:
                fn()
            finally:
                done.set()

        self._loop.call_soon_threadsafe(run)
        done.wait(5)

    def set_faults(self, faults: Iterable[str] | str) -> None:
        """Replace the request-time faults while running (start-up faults have no effect)."""
        names = parse_faults([faults] if isinstance(faults, str) else list(faults))
        assert self._server is not None
        server = self._server

        def apply() -> None:
            server.faults.clear()
            server.faults.update(names)

        self._call(apply)

    def crash(self) -> None:
        """Kill the simulated engine: connections reset, /health answers 503 from now on."""
        assert self._server is not None
        self._call(self._server.crash)

    @property
    def engine_dead(self) -> bool:
        return self._server is not None and self._server.dead

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the server down and wait for its thread (idempotent)."""
        if self._stop is not None and self._loop is not None and not self._finished.is_set():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def __enter__(self) -> SimHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SimHandle {self.base_url} model={self.served_model_name!r}>"


def start_sim(args: Sequence[str] = (), *, startup_timeout: float = 30.0, **opts: Any) -> SimHandle:
    """Start a simulator on a free 127.0.0.1 port and wait until it is ready.

    ``args`` are command-line flags (``["--max-model-len", "8192"]``); ``opts`` are SimConfig
    fields (``api_key="k"``, ``faults=["loop"]``, ``startup_seconds=0``...). Defaults differ
    from the command line: port 0 (random), host 127.0.0.1, startup_seconds 0.
    """
    opts.setdefault("port", 0)
    opts.setdefault("host", "127.0.0.1")
    if "startup_seconds" not in opts and not any(a.startswith("--sim-startup") for a in args):
        opts["startup_seconds"] = 0.0
    return SimHandle(build_config(args, **opts), startup_timeout)
