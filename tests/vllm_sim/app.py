"""Run the simulator: bind early, boot (log lines, faults), then listen until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable

from .config import SimConfig, parse_config
from .console import Console
from .engine import Engine, SimStats
from .server import SimServer
from .startup import StartupError, announce_listening, boot


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind without listening: like vLLM, the port refuses connections until it is ready."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


async def serve(
    config: SimConfig,
    console: Console,
    stop: asyncio.Event,
    *,
    on_bound: Callable[[int], None] | None = None,
    on_ready: Callable[[SimServer], None] | None = None,
    exit_on_crash: bool = True,
) -> int:
    """The whole life of one simulated server; returns the process exit code."""
    try:
        sock = bind_socket(config.host, config.port)
    except OSError as exc:
        console.plain(
            f"ERROR: [Errno {exc.errno}] error while attempting to bind on address "
            f"('{config.host}', {config.port}): {exc.strerror}",
            error=True,
        )
        return 1
    port = sock.getsockname()[1]
    if on_bound is not None:
        on_bound(port)
    try:
        report = await boot(config, console)
    except StartupError as exc:
        sock.close()
        return exc.exit_code
    except asyncio.CancelledError:
        sock.close()
        raise
    crashed = asyncio.Event()

    def on_crash() -> None:
        if exit_on_crash:
            loop = asyncio.get_running_loop()
            loop.call_later(max(0.0, config.crash_linger), crashed.set)

    engine = Engine(config, SimStats(), report.kv_cache_tokens)
    server = SimServer(config, console, engine, on_crash=on_crash)
    await server.listen(sock)
    announce_listening(console, config.host, port)
    if on_ready is not None:
        on_ready(server)
    stop_wait = asyncio.ensure_future(stop.wait())
    crash_wait = asyncio.ensure_future(crashed.wait())
    await asyncio.wait({stop_wait, crash_wait}, return_when=asyncio.FIRST_COMPLETED)
    stop_wait.cancel()
    crash_wait.cancel()
    if crashed.is_set():
        await server.close()
        console.plain(
            "Engine core proc EngineCore_DP0 died unexpectedly, shutting down client.", error=True
        )
        return 1
    console.plain("INFO:     Shutting down")
    await server.close()
    console.plain("INFO:     Waiting for application shutdown.")
    console.plain("INFO:     Application shutdown complete.")
    console.plain(f"INFO:     Finished server process [{os.getpid()}]")
    return 0


async def _main_async(config: SimConfig, console: Console) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    return await serve(config, console, stop)


SERVE_REJECTS_MODEL = (
    "Traceback (most recent call last):\n"
    '  File "/usr/local/bin/vllm", line 10, in <module>\n'
    "    sys.exit(main())\n"
    "ValueError: With `vllm serve`, you should provide the model as a positional argument or "
    "in a config file instead of via the `--model` option."
)


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.vllm_sim``: behave like ``vllm serve``."""
    console = Console.to_std_streams()
    args = sys.argv[1:] if argv is None else argv
    if os.environ.get("VLLM_SIM_ENTRY") == "serve" and "--model" in args:
        # vLLM 0.11.0's `vllm serve` refuses --model (VLLM.md); the image's `vllm` sets this.
        console.plain(SERVE_REJECTS_MODEL, error=True)
        return 1
    try:
        config = parse_config(argv)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    try:
        return asyncio.run(_main_async(config, console))
    except KeyboardInterrupt:
        return 130
