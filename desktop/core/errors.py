"""Typed errors a user can hit. Each carries one sentence a person can act on."""

from __future__ import annotations


class DotsError(Exception):
    """Base of every user-facing error: ``str(err)`` is the sentence to show."""

    def __init__(self, message: str, *, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message} {self.fix}"


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
