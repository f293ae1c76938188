"""Repetition-loop detection on a model's output stream.

dots.ocr sometimes repeats itself until max_tokens (empty table rows, runs of ``...`` or
``___``, the same block again and again). Waiting for the token limit costs minutes per
page; the guard notices the loop within a few hundred characters so the request can be
stopped and the page re-read in a cheaper mode.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from desktop.core.document import Block
from desktop.core.messages import Code, Msg


@dataclass(frozen=True, slots=True)
class LoopGuardConfig:
    """Thresholds. Periods up to ``max_period`` chars; a loop must cover ``min_span`` chars."""

    max_period: int = 400
    min_repeats: int = 10  # repeats of a unit longer than ``short_period``
    short_period: int = 8
    min_span: int = 320  # chars a short unit (".", "_", "<td></td>") must fill
    window: int = 8192
    check_every: int = 128
    # The same (category, text) this many times is a loop; core's parser passes at most 4.
    block_repeats: int = 4
    block_min_chars: int = 12


class LoopDetected(Exception):
    """Raised inside an engine to stop a looping stream; ``reason`` says what repeated."""

    def __init__(self, reason: Msg, chars: int) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.chars = chars


class LoopGuard:
    """Feed the stream text (and completed blocks); a non-None answer means "stop now"."""

    def __init__(self, config: LoopGuardConfig | None = None) -> None:
        self.config = config or LoopGuardConfig()
        self._tail = ""
        self._pending: list[str] = []
        self._since_check = 0
        self._total = 0
        self._blocks: Counter[tuple[str, str]] = Counter()
        self.reason: Msg | None = None
        self.unit = ""  # the repeating text, when the stream loop was periodic

    @property
    def chars_seen(self) -> int:
        return self._total

    def feed(self, text: str) -> Msg | None:
        """Add streamed text; return why it loops, or None."""
        if self.reason or not text:
            return self.reason
        self._total += len(text)
        self._pending.append(text)
        self._since_check += len(text)
        if self._since_check >= self.config.check_every:
            self._since_check = 0
            self._tail = (self._tail + "".join(self._pending))[-self.config.window :]
            self._pending.clear()
            self.reason = self._periodic_tail()
        return self.reason

    def feed_block(self, block: Block) -> Msg | None:
        """Add a completed block; the same text repeated ``block_repeats`` times is a loop."""
        if self.reason:
            return self.reason
        text = (block.text or "").strip()
        if len(text) < self.config.block_min_chars:
            return None
        key = (block.category, text)
        self._blocks[key] += 1
        if self._blocks[key] >= self.config.block_repeats:
            self.reason = Msg.of(
                Code.LOOP_SAME_BLOCK, category=block.category, times=self._blocks[key]
            )
        return self.reason

    def _periodic_tail(self) -> Msg | None:
        s = self._tail
        n = len(s)
        if n < 2:
            return None
        cfg = self.config
        last = s[-1]
        low = n - 1 - min(cfg.max_period, n // 2)
        i = n - 1
        # Only a period p with s[n-1-p] == s[n-1] can repeat: rfind jumps straight to those,
        # smallest period first, instead of comparing slices for every period.
        while (i := s.rfind(last, low, i)) >= 0:
            period = n - 1 - i
            if period <= cfg.short_period:
                span = cfg.min_span
            else:
                span = max(cfg.min_span, period * cfg.min_repeats)
            if span > n:
                continue
            # Cheap filter first: the last unit must at least equal the one before it.
            if s[n - period :] != s[n - 2 * period : n - period]:
                continue
            # The last ``span`` chars repeat with ``period`` iff shifting by it changes nothing.
            if s[n - span : n - period] == s[n - span + period :]:
                unit = s[n - period :]
                if not unit.strip() and period <= cfg.short_period and span < 2 * cfg.min_span:
                    continue  # long whitespace runs are layout, not a loop (unless huge)
                self.unit = unit
                shown = unit if len(unit) <= 40 else unit[:37] + "..."
                return Msg.of(Code.LOOP_TEXT, text=shown, times=span // period)
        return None


def strip_loop(text: str, unit: str) -> str:
    """``text`` without the trailing repetitions of ``unit`` (and a partial copy before them)."""
    if not unit:
        return text
    for cut in range(len(unit) - 1, 0, -1):  # the stream may have stopped mid-unit
        if text.endswith(unit[:cut]) and text[:-cut].endswith(unit):
            text = text[:-cut]
            break
    while text.endswith(unit):
        text = text[: -len(unit)]
    for cut in range(len(unit) - 1, 0, -1):  # the loop may have started mid-unit
        if text.endswith(unit[-cut:]):
            return text[:-cut]
    return text
