"""vLLM's Prometheus /metrics: KV cache use, running/waiting requests, tokens per second."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

import httpx

logger = logging.getLogger(__name__)

_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def parse_prometheus(text: str) -> dict[str, float]:
    """Metric name -> value summed over label sets (one model per server)."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            continue
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        values[m.group(1)] = values.get(m.group(1), 0.0) + value
    return values


@dataclass(frozen=True, slots=True)
class ServerMetrics:
    kv_cache_usage: float | None  # 0..1
    running: int
    waiting: int
    prompt_tokens_total: float
    generation_tokens_total: float
    preemptions_total: float
    timestamp: float
    generation_tokens_per_s: float | None = None
    prompt_tokens_per_s: float | None = None


def _first(values: dict[str, float], *names: str) -> float | None:
    for name in names:
        if name in values:
            return values[name]
    return None


def metrics_from_text(
    text: str, timestamp: float, previous: ServerMetrics | None = None
) -> ServerMetrics:
    """Build a snapshot; rates come from counter deltas against ``previous``."""
    v = parse_prometheus(text)
    prompt = _first(v, "vllm:prompt_tokens_total") or 0.0
    gen = _first(v, "vllm:generation_tokens_total") or 0.0
    gen_rate = prompt_rate = None
    if previous is not None and timestamp > previous.timestamp:
        dt = timestamp - previous.timestamp
        # A restarted server resets its counters: no rate rather than a negative one.
        if gen >= previous.generation_tokens_total:
            gen_rate = (gen - previous.generation_tokens_total) / dt
        if prompt >= previous.prompt_tokens_total:
            prompt_rate = (prompt - previous.prompt_tokens_total) / dt
    return ServerMetrics(
        kv_cache_usage=_first(v, "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"),
        running=int(_first(v, "vllm:num_requests_running") or 0),
        waiting=int(_first(v, "vllm:num_requests_waiting") or 0),
        prompt_tokens_total=prompt,
        generation_tokens_total=gen,
        preemptions_total=_first(v, "vllm:num_preemptions_total") or 0.0,
        timestamp=timestamp,
        generation_tokens_per_s=gen_rate,
        prompt_tokens_per_s=prompt_rate,
    )


class MetricsScraper:
    """Scrapes ``base_url/metrics``; each call returns rates since the previous call."""

    def __init__(self, base_url: str, client: httpx.AsyncClient | None = None) -> None:
        self._url = base_url.rstrip("/").removesuffix("/v1") + "/metrics"
        self._client = client
        self._own = client is None
        self._previous: ServerMetrics | None = None

    async def scrape(self) -> ServerMetrics | None:
        """None when the server hides /metrics (gateways often do) or is down."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=5)
        try:
            resp = await self._client.get(self._url)
        except httpx.HTTPError as exc:
            logger.debug("metrics scrape failed: %s", exc)
            return None
        if resp.status_code != 200:
            return None
        snap = metrics_from_text(resp.text, time.monotonic(), self._previous)
        self._previous = snap
        return snap

    async def aclose(self) -> None:
        if self._own and self._client is not None:
            await self._client.aclose()
            self._client = None
