"""What reading a streamed answer needs from the server engine, and no more.

``answers`` and ``recovery`` turn one completion stream into a page; they get this
Protocol (which ``ServerEngine`` satisfies) instead of the engine, so they never import
the module that calls them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, Protocol

from desktop.core.document import BBox
from desktop.core.messages import Msg
from desktop.core.prompts import PromptMode
from desktop.core.request import EncodedImage
from desktop.engines.net.sse import StreamChunk, StreamRestart
from desktop.engines.remote.loopguard import LoopGuardConfig


class AnswerSource(Protocol):
    """Streams completions and builds the requests a re-read sends."""

    loop_guard: LoopGuardConfig
    concurrency: int

    @property
    def is_qwen(self) -> bool:
        """Qwen-VL answers on a 0-1000 grid and takes its own prompts."""
        ...

    def stream_completion(
        self, body: dict[str, Any] | bytes, note: tuple[Msg, ...] = ()
    ) -> AsyncGenerator[StreamChunk | StreamRestart, None]:
        """One completion's chunks; ``StreamRestart`` when a retry starts it over."""
        ...

    def request_body(
        self, messages: list[dict[str, Any]], max_tokens: int, **extra: Any
    ) -> dict[str, Any]:
        """The request dict for ``messages``."""
        ...

    def messages(self, encoded: EncodedImage, prompt: str) -> list[dict[str, Any]]:
        """The request messages for one image and prompt."""
        ...

    def prompt(self, mode: PromptMode, bbox: BBox | None, encoded: EncodedImage) -> str:
        """The prompt for ``mode`` (and a region in original pixels)."""
        ...
