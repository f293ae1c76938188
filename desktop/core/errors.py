"""Typed errors a user can hit. Each carries a fact (a code and its parameters) and its fix.

``str(err)`` is the English sentence (logs, the JSON); the window and the CLI render
``err.facts`` in the user's language (desktop.core.messages).
"""

from __future__ import annotations

from typing import Any

from desktop.core.messages import Code, Msg, render, say


def facts_of(exc: BaseException) -> tuple[Msg, ...]:
    """What an exception tells a user: a DotsError's facts, else its type and text."""
    if isinstance(exc, DotsError):
        return exc.facts
    return (Msg.of(Code.UNEXPECTED, kind=type(exc).__name__, detail=str(exc)),)


class DotsError(Exception):
    """Base of every user-facing error: ``msg`` says what happened, ``fix`` what to do."""

    def __init__(self, msg: Msg, *, fix: Msg | None = None) -> None:
        if not isinstance(msg, Msg):
            raise TypeError(f"{type(self).__name__} needs a Msg (a code and its parameters)")
        if fix is not None and not isinstance(fix, Msg):
            raise TypeError(f"{type(self).__name__}: the fix must be a Msg")
        super().__init__(render(msg))
        self.msg = msg
        self.fix_msg = fix

    @property
    def facts(self) -> tuple[Msg, ...]:
        """What happened and, when there is one, what to do."""
        return (self.msg,) if self.fix_msg is None else (self.msg, self.fix_msg)

    @property
    def message(self) -> str:
        """What happened, in English."""
        return render(self.msg)

    @property
    def fix(self) -> str:
        """What to do, in English ('' when nothing helps)."""
        return render(self.fix_msg) if self.fix_msg is not None else ""

    def words(self, lang: str) -> str:
        """The whole error in ``lang``."""
        return say(self.facts, lang)

    def __str__(self) -> str:
        return say(self.facts)

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other arguments (a URL, a model name): copy and pickle by state.
        return (_restore, (type(self), self.msg), self.__dict__)


def _restore(cls: type[DotsError], msg: Msg) -> DotsError:
    err = cls.__new__(cls)
    Exception.__init__(err, render(msg))
    return err


class InputError(DotsError):
    """A file cannot be read as an image or PDF."""


class UnsupportedFile(InputError):
    """The file's content is neither an image format we read nor a PDF."""


class UnreadableFile(InputError):
    """The file is missing, unreadable, empty, truncated or corrupt."""


class ImageTooLarge(InputError):
    """The image exceeds the pixel limit (decompression-bomb guard)."""


class PasswordProtected(InputError):
    """The PDF needs a password."""


class PageRangeError(InputError):
    """A page selection such as "1-3,7" is malformed or outside the document."""


class ContextTooSmall(DotsError):
    """The server's context cannot hold even a small page image plus a short answer."""
