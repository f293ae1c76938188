"""The simulated engine: at most max_num_seqs sequences generate, the rest wait.

Service-time model: a request first waits for a free sequence slot, then prefills its
prompt at ``prefill_tps`` tokens/s, then emits one 4-character token at a time at
``decode_tps`` tokens/s per sequence. vLLM batches, so each sequence keeps its own pace and
throughput grows with concurrency up to max_num_seqs, unless ``max_batch_tps`` (> 0) caps
the whole batch: then each of N running sequences gets min(decode_tps, max_batch_tps / N).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

from .config import SimConfig
from .imaging import split_tokens
from .responses import Answer


@dataclass
class SimStats:
    """Live counters; read them from tests (plain ints, updated on the server's loop)."""

    requests_total: int = 0  # POST /v1/chat/completions received (any outcome)
    completed_requests: int = 0
    cancelled_requests: int = 0  # the client went away before the answer was complete
    failed_requests: int = 0  # injected HTTP 500/503
    rejected_requests: int = 0  # 400 / 404 answers to chat requests
    unauthorized_requests: int = 0  # 401 on any /v1 path
    running: int = 0
    waiting: int = 0
    max_concurrent_seen: int = 0
    max_waiting_seen: int = 0
    prompt_tokens_total: int = 0
    generation_tokens_total: int = 0
    preemptions_total: int = 0
    inexact_prompts: int = 0  # a dots.ocr prompt recognised only by its key sentence
    http_requests: Counter[str] = field(default_factory=Counter)  # "GET /health" -> count
    prompt_modes: list[str] = field(default_factory=list)
    # The latest request bodies (bounded: throughput runs send thousands of large images).
    chat_requests: deque[dict[str, object]] = field(
        default_factory=lambda: deque(maxlen=32), repr=False
    )
    finish_reasons: list[str] = field(default_factory=list, repr=False)

    @property
    def in_flight(self) -> int:
        return self.running + self.waiting


@dataclass(frozen=True, slots=True)
class Job:
    answer: Answer
    prompt_tokens: int
    max_tokens: int


Emit = Callable[[str], Awaitable[None]]


def token_stream(answer: Answer) -> Iterator[str]:
    """The answer's tokens; endless when the answer loops."""
    yield from split_tokens(answer.text)
    if answer.repeat:
        yield from itertools.chain.from_iterable(
            split_tokens(answer.repeat) for _ in itertools.count()
        )


class Engine:
    def __init__(self, config: SimConfig, stats: SimStats, kv_cache_tokens: int) -> None:
        self.config = config
        self.stats = stats
        self.kv_cache_tokens = max(1, kv_cache_tokens)
        self.kv_in_use = 0
        self.faults: set[str] = set(config.faults)
        self._slots = asyncio.Semaphore(max(1, config.max_num_seqs))

    def _decode_rate(self) -> float:
        """Tokens/s of one sequence: its own pace, or its share of the batch limit."""
        rate = self.config.decode_tps
        if self.config.max_batch_tps > 0:
            rate = min(rate, self.config.max_batch_tps / max(1, self.stats.running))
        return max(rate, 1e-3)

    @property
    def kv_usage(self) -> float:
        return min(1.0, self.kv_in_use / self.kv_cache_tokens)

    async def run(self, job: Job, emit: Emit) -> tuple[str, int]:
        """Generate ``job`` through ``emit``; returns (finish_reason, completion_tokens).

        Cancellation (the client went away) frees the slot and counts as cancelled.
        """
        stats = self.stats
        stats.waiting += 1
        stats.max_waiting_seen = max(stats.max_waiting_seen, stats.waiting)
        admitted = False
        held = 0
        try:
            await self._slots.acquire()
            admitted = True
            stats.waiting -= 1
            stats.running += 1
            stats.max_concurrent_seen = max(stats.max_concurrent_seen, stats.running)
            if self.kv_in_use + job.prompt_tokens > self.kv_cache_tokens:
                stats.preemptions_total += 1  # vLLM would preempt a running sequence here
            self.kv_in_use += job.prompt_tokens
            held = job.prompt_tokens
            await asyncio.sleep(job.prompt_tokens / self.config.prefill_tps)
            stats.prompt_tokens_total += job.prompt_tokens
            if "slow-first-token" in self.faults:
                await asyncio.sleep(self.config.first_token_delay)
            loop = asyncio.get_running_loop()
            due = loop.time()
            count = 0
            finish = "length" if job.answer.cut else "stop"
            for piece in token_stream(job.answer):
                if count >= job.max_tokens:
                    finish = "length"
                    break
                count += 1
                due += 1.0 / self._decode_rate()
                delay = due - loop.time()
                # Sleep in slices of >= 10 ms: per-token sleeps would make the simulator, not
                # the client, the bottleneck of a throughput run with many sequences.
                if delay > 0.01:
                    await asyncio.sleep(delay)
                elif count % 64 == 0:
                    await asyncio.sleep(0)  # let other requests run
                stats.generation_tokens_total += 1
                self.kv_in_use += 1
                held += 1
                await emit(piece)
            stats.completed_requests += 1
            stats.finish_reasons.append(finish)
            return finish, count
        except (asyncio.CancelledError, ConnectionError):
            stats.cancelled_requests += 1
            raise
        finally:
            self.kv_in_use -= held
            if admitted:
                stats.running -= 1
                self._slots.release()
            else:
                stats.waiting -= 1


def render_metrics(engine: Engine | None, config: SimConfig, stats: SimStats) -> str:
    """Prometheus text exposition of the vllm:* series clients read."""
    model = config.primary_name.replace("\\", "\\\\").replace('"', '\\"')
    labels = f'engine="0",model_name="{model}"'
    kv = engine.kv_usage if engine else 0.0
    series = (
        (
            "vllm:num_requests_running",
            "gauge",
            "Requests in model execution batches.",
            stats.running,
        ),
        ("vllm:num_requests_waiting", "gauge", "Requests waiting to be processed.", stats.waiting),
        ("vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.", kv),
        (
            "vllm:num_preemptions_total",
            "counter",
            "Cumulative preemptions.",
            stats.preemptions_total,
        ),
        (
            "vllm:prompt_tokens_total",
            "counter",
            "Prefill tokens processed.",
            stats.prompt_tokens_total,
        ),
        (
            "vllm:generation_tokens_total",
            "counter",
            "Generation tokens.",
            stats.generation_tokens_total,
        ),
    )
    lines: list[str] = []
    for name, kind, help_text, value in series:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        lines.append(f"{name}{{{labels}}} {float(value)}")
    finished = Counter(stats.finish_reasons)
    lines.append("# HELP vllm:request_success_total Count of successfully processed requests.")
    lines.append("# TYPE vllm:request_success_total counter")
    for reason in ("stop", "length", "abort"):
        value = stats.cancelled_requests if reason == "abort" else finished[reason]
        lines.append(
            f'vllm:request_success_total{{{labels},finished_reason="{reason}"}} {float(value)}'
        )
    return "\n".join(lines) + "\n"
