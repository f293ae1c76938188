"""Typed engine failures, each with one sentence a person can act on, and HTTP -> error mapping."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from desktop.core.messages import Code, Msg
from desktop.engines.base import EngineError

__all__ = [
    "AuthFailed",
    "ContextTooLong",
    "EngineError",
    "ModelNotServed",
    "RetryPolicy",
    "RetryableStatus",
    "ServerError",
    "ServerTimeout",
    "ServerUnavailable",
    "context_error",
    "error_from_response",
    "is_context_error",
    "is_retryable",
]

_CONTEXT_PATTERNS = ("maximum context length", "maximum model length", "context length")


class ServerUnavailable(EngineError):
    """Nothing answers at the configured address (refused, reset, DNS failure)."""

    def __init__(self, url: str, detail: str = "") -> None:
        super().__init__(Msg.of(Code.SERVER_UNAVAILABLE, url=url), fix=Msg(Code.FIX_START_MODEL))
        self.url = url
        self.detail = detail


class AuthFailed(EngineError):
    """The server refused the API key (401/403)."""

    def __init__(self, url: str, *, key_given: bool) -> None:
        code = Code.AUTH_REJECTED if key_given else Code.AUTH_NEEDED
        super().__init__(Msg.of(code, url=url), fix=Msg(Code.FIX_SET_API_KEY))
        self.url = url


class ModelNotServed(EngineError):
    """The requested model name is not among those the server lists."""

    def __init__(self, model: str, served: list[str]) -> None:
        msg = (
            Msg.of(Code.MODEL_NOT_SERVED, model=model, served=", ".join(served))
            if served
            else Msg.of(Code.MODEL_NOT_SERVED_NONE, model=model)
        )
        super().__init__(msg, fix=Msg(Code.FIX_PICK_SERVED))
        self.model = model
        self.served = served


class ContextTooLong(EngineError):
    """Prompt + answer do not fit the server's max_model_len, even after what was tried."""

    def __init__(self, msg: Msg, *, fix: Msg | None = None) -> None:
        super().__init__(msg, fix=fix or Msg(Code.FIX_LOWER_MAX_TOKENS))


class ServerError(EngineError):
    """The server failed in a way retries did not fix (5xx, broken stream, bad answer)."""


class ServerTimeout(ServerError):
    """The server accepted the request but went quiet for too long."""


def _message_of(body: str) -> str:
    """The human text of an OpenAI/vLLM error body (both the old and the new shape)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or hostile nesting
        return body.strip()[:300]
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(err, str):
            return err
        if isinstance(data.get("message"), str):
            return str(data["message"])
        if isinstance(data.get("detail"), str):
            return str(data["detail"])
    return body.strip()[:300]


def is_context_error(message: str) -> bool:
    """True when a 400 says prompt + max_tokens exceed the model's context."""
    low = message.lower()
    return any(p in low for p in _CONTEXT_PATTERNS)


def _context_numbers(message: str) -> str:
    m = re.search(r"(?:maximum (?:context|model) length (?:is|of) )(\d+)", message)
    return m.group(1) if m else ""


def context_error(message: str, note: tuple[Msg, ...] = ()) -> ContextTooLong:
    """The context fact for vLLM's text, whether it came as a 400 or inside a 200 stream."""
    limit = _context_numbers(message)
    tried = Msg.of(Code.FIT_TRIED, notes=note) if note else ""
    if limit:
        return ContextTooLong(Msg.of(Code.CONTEXT_TOO_LONG_SIZED, tokens=int(limit), tried=tried))
    return ContextTooLong(Msg.of(Code.CONTEXT_TOO_LONG, tried=tried))


def error_from_response(
    status: int, body: str, url: str, *, key_given: bool, note: tuple[Msg, ...] = ()
) -> EngineError:
    """Map a non-200 answer to the typed error a user can act on."""
    message = _message_of(body)
    if status in (401, 403):
        return AuthFailed(url, key_given=key_given)
    if status == 404 and "model" in message.lower() and "does not exist" in message.lower():
        return ServerError(Msg.of(Code.SERVER_SAYS, detail=message))
    if status in (400, 413) and is_context_error(message):
        return context_error(message, note)
    if 400 <= status < 500:
        return ServerError(Msg.of(Code.HTTP_REFUSED, status=status, detail=message))
    detail = message.rstrip().rstrip(".")  # one period, not "cause.."
    if not detail:
        return ServerError(Msg.of(Code.HTTP_FAILED_BARE, status=status))
    return ServerError(Msg.of(Code.HTTP_FAILED, status=status, detail=detail))


# -- retries ---------------------------------------------------------------------------
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: The longest wait a ``Retry-After`` gets (s): a server asking for an hour is not waited for
#: that long; the retry policy's total bounds it as well.
RETRY_AFTER_CAP = 30.0


class RetryableStatus(Exception):
    """A 429 or 5xx answer worth another try; carries the typed error to raise when retries
    run out, and the wait the server asked for (``Retry-After``, seconds) if it did."""

    def __init__(self, error: EngineError, status: int, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.status = status
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds to wait, capped at ``RETRY_AFTER_CAP``; None when absent or
    unreadable. Both forms of RFC 9110: delay-seconds (``120``) and an HTTP-date."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded by attempts AND total seconds (a server's
    ``Retry-After`` lengthens one wait, never the total)."""

    attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 8.0
    total: float = 90.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds before retry number ``attempt`` (1-based): full jitter in [d/2, d]."""
        d = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return d * (0.5 + 0.5 * (rng or random).random())


def is_retryable(exc: BaseException) -> bool:
    """Transport failures, 429 and 5xx are retried; other 4xx and our own errors are not."""
    if isinstance(exc, RetryableStatus):
        return True
    return isinstance(
        exc,
        httpx.ConnectError
        | httpx.ConnectTimeout
        | httpx.ReadError
        | httpx.WriteError
        | httpx.RemoteProtocolError,
    )
