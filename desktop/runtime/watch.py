"""Two daemon threads per container: its log stream (lines) and its Docker events.

``logs(follow=True)`` ends silently when the container exits and can stall on quiet
containers, so death is noticed through ``events`` (die, oom, health_status) instead.
Both streams are cancellable: ``close()`` shuts their sockets and joins the threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

LineCallback = Callable[[str], None]
EventCallback = Callable[[str, dict[str, Any]], None]
STREAM_LOST = "stream-lost"


class ContainerWatch:
    """Follows one container; callbacks run in the watch threads (hand them to the loop)."""

    def __init__(
        self, client: Any, container_id: str, on_line: LineCallback, on_event: EventCallback
    ) -> None:
        self._client = client
        self.container_id = container_id
        self._on_line = on_line
        self._on_event = on_event
        self._lock = threading.Lock()
        self._closed = False
        self._streams: list[Any] = []
        self._threads: list[threading.Thread] = []

    def start_events(self) -> None:
        self._spawn(self._run_events, "events")

    def start_logs(self, tail: int | None = None) -> None:
        """Follow the log from the start (or its last ``tail`` lines, for an adopted server)."""
        self._tail: int | str = "all" if tail is None else tail
        self._spawn(self._run_logs, "logs")

    def _spawn(self, target: Callable[[], None], what: str) -> None:
        name = f"dots-watch-{what}-{self.container_id[:12]}"
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _register(self, stream: Any) -> bool:
        """Keep ``stream`` for close(); False (and closed) when close() already happened."""
        with self._lock:
            if self._closed:
                _close_quietly(stream)
                return False
            self._streams.append(stream)
            return True

    def _run_logs(self) -> None:
        try:
            stream = self._client.api.logs(
                self.container_id, stream=True, follow=True, tail=self._tail
            )
        except Exception as exc:  # container gone or engine down: events will tell
            logger.debug("log stream for %s not opened: %s", self.container_id[:12], exc)
            return
        if not self._register(stream):
            return
        pending = b""
        try:
            for chunk in stream:
                pending += chunk
                # Progress bars redraw with \r: treat it as a line end too.
                *lines, pending = pending.replace(b"\r", b"\n").split(b"\n")
                for raw in lines:
                    if raw.strip():
                        self._on_line(raw.decode("utf-8", errors="replace"))
        except Exception as exc:
            logger.debug("log stream for %s ended: %s", self.container_id[:12], exc)
        if pending.strip():
            self._on_line(pending.decode("utf-8", errors="replace"))

    def _run_events(self) -> None:
        try:
            stream = self._client.events(decode=True, filters={"container": self.container_id})
        except Exception as exc:
            logger.debug("event stream not opened: %s", exc)
            self._on_event(STREAM_LOST, {"error": str(exc)})
            return
        if not self._register(stream):
            return
        try:
            for event in stream:
                action = str(event.get("Action") or event.get("status") or "")
                if action in ("die", "oom", "start", "stop", "destroy") or action.startswith(
                    "health_status"
                ):
                    self._on_event(action, event)
        except Exception as exc:
            logger.debug("event stream ended: %s", exc)
        with self._lock:
            closed = self._closed
        if not closed:
            # The engine went away (or restarted) under us.
            self._on_event(STREAM_LOST, {})

    def close(self, timeout: float = 2.0) -> None:
        with self._lock:
            self._closed = True
            streams, self._streams = self._streams, []
        for stream in streams:
            _close_quietly(stream)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]
        if self._threads:
            logger.warning("watch threads still alive: %s", [t.name for t in self._threads])


def _close_quietly(stream: Any) -> None:
    try:
        stream.close()
    except Exception as exc:  # already closed, or the socket is gone
        logger.debug("closing stream: %s", exc)
