"""vLLM-style log output: ``(APIServer pid=1) INFO 11-26 06:20:01 [file.py:123] message``."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from typing import TextIO

API = "APIServer"
ENGINE = "EngineCore_DP0"


class Console:
    """Writes log lines to streams (command line) and keeps them (fixtures, tests)."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self._out = out
        self._err = err
        self._lock = threading.Lock()
        self.lines: list[str] = []
        self._pid = os.getpid()
        # The engine core runs in a child process in vLLM: show a different pid for it.
        self._engine_pid = self._pid + 1

    @classmethod
    def to_std_streams(cls) -> Console:
        return cls(sys.stdout, sys.stderr)

    def _emit(self, line: str, error: bool) -> None:
        with self._lock:
            self.lines.append(line)
            stream = self._err if error and self._err is not None else self._out
            if stream is not None:
                # A closed pipe must not take the server down.
                with contextlib.suppress(OSError, ValueError):
                    print(line, file=stream, flush=True)

    def log(self, level: str, where: str, message: str, source: str = API) -> None:
        pid = self._engine_pid if source == ENGINE else self._pid
        stamp = time.strftime("%m-%d %H:%M:%S")
        for part in message.splitlines() or [""]:
            self._emit(f"({source} pid={pid}) {level} {stamp} [{where}] {part}", level == "ERROR")

    def info(self, where: str, message: str, source: str = API) -> None:
        self.log("INFO", where, message, source)

    def warning(self, where: str, message: str, source: str = API) -> None:
        self.log("WARNING", where, message, source)

    def plain(self, text: str, error: bool = False) -> None:
        """Unprefixed lines (uvicorn's own, Python tracebacks)."""
        for part in text.splitlines() or [""]:
            self._emit(part, error)

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.lines)
