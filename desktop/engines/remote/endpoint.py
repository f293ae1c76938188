"""What the app knows about an OpenAI-compatible server: its address, its model, its timeouts.

Plain data shared by the HTTP client and the engines built on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Timeouts:
    """No total timeout: a 3B model may write for minutes, but never goes quiet for long."""

    connect: float = 5.0
    first_token: float = 120.0  # queueing + prefill of a large page
    idle: float = 60.0  # between two chunks once it writes
    request: float = 30.0  # plain GETs (/health, /v1/models)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What ``/v1/models`` says: the model used, its context length, every served name."""

    model: str
    max_model_len: int | None
    models: tuple[str, ...] = field(default_factory=tuple)


def normalize_base_url(url: str) -> str:
    """``http://h:8000``, ``http://h:8000/`` and ``http://h:8000/v1`` all give ``http://h:8000``."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return url
