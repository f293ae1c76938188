"""The bad-input corpus, generated on demand (no stored blobs), and small shared helpers."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from desktop.core.errors import (
    DotsError,
    ImageTooLarge,
    PasswordProtected,
    UnreadableFile,
    UnsupportedFile,
)
from tests.core.pdfcrypt import encrypted_pdf
from tests.reliability.hostile import QUICK_RETRY, HostileServer, Reply

# A page the pipeline can read: small so the simulator answers at once.
PAGE_SIZE = (420, 300)


def png_bytes(
    size: tuple[int, int] = PAGE_SIZE, mode: str = "RGB", colour: object = "white"
) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, "PNG")  # type: ignore[arg-type]
    return buf.getvalue()


def jpeg_bytes(size: tuple[int, int] = PAGE_SIZE, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, "white" if mode == "RGB" else 0).save(buf, "JPEG")
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def crafted_png(width: int, height: int, idat: bytes, colour_type: int = 2) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` (8-bit), with ``idat`` as pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def bomb_png(side: int = 12_500) -> bytes:
    """A ~150 KB grey PNG whose zlib stream really inflates to ``side``**2 bytes."""
    row = b"\x00" * (side + 1)  # filter byte + pixels
    comp = zlib.compressobj(9)
    parts = [comp.compress(row) for _ in range(side)]
    parts.append(comp.flush())
    return crafted_png(side, side, b"".join(parts), colour_type=0)


def blank_pdf(pages: int, size: tuple[float, float] = (612, 792)) -> bytes:
    """A PDF of ``pages`` empty pages (pdfium writes it in milliseconds)."""
    doc = pdfium.PdfDocument.new()
    try:
        for _ in range(pages):
            doc.new_page(*size).close()
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()
    finally:
        doc.close()


def cmyk_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("CMYK", PAGE_SIZE, (0, 0, 0, 0)).save(buf, "JPEG")
    return buf.getvalue()


def png16() -> bytes:
    arr = np.full((PAGE_SIZE[1], PAGE_SIZE[0]), 65535, dtype=np.uint16)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def palette_png() -> bytes:
    img = Image.new("P", PAGE_SIZE, 0)
    img.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    buf = io.BytesIO()
    img.save(buf, "PNG", transparency=1)
    return buf.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", PAGE_SIZE, i) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    return buf.getvalue()


@dataclass(frozen=True, slots=True)
class BadInput:
    """One corpus entry: how to make it and what a user must see."""

    name: str
    make: Callable[[Path], Path]
    error: type[DotsError] | None  # None: it must read fine
    says: str = ""  # a fragment of the sentence the user sees


def _write(name: str, data: Callable[[], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data())
        return path

    return make


def _folder_as_file(folder: Path) -> Path:
    path = folder / "scan-folder.png"
    path.mkdir()
    return path


def _dangling_link(folder: Path) -> Path:
    path = folder / "moved.png"
    path.symlink_to(folder / "gone.png")
    return path


def _non_utf8_name(folder: Path) -> Path:
    raw = os.fsencode(folder) + b"/scan-\xff\xfe.png"
    with open(raw, "wb") as fh:
        fh.write(png_bytes())
    return Path(os.fsdecode(raw))


def _long_name(folder: Path) -> Path:
    path = folder / ("L" * 246 + ".png")  # 250 bytes: near the 255-byte limit of most filesystems
    path.write_bytes(png_bytes())
    return path


def _truncated_pdf() -> bytes:
    data = blank_pdf(2)
    return data[: len(data) // 3]


# Reads that must fail, each with its typed error and sentence.
BAD_INPUTS: tuple[BadInput, ...] = (
    BadInput("zero-byte", _write("empty.png", lambda: b""), UnreadableFile, "empty"),
    BadInput(
        "truncated-png", _write("cut.png", lambda: png_bytes()[:120]), UnreadableFile, "truncated"
    ),
    BadInput(
        "truncated-jpeg",
        _write("cut.jpg", lambda: jpeg_bytes()[:400]),
        UnreadableFile,
        "damaged or truncated",
    ),
    BadInput(
        "text-named-png",
        _write("notes.png", lambda: b"just some text\n" * 10),
        UnsupportedFile,
        "not an image or PDF",
    ),
    BadInput(
        "exe-named-jpg",
        _write("setup.jpg", lambda: b"MZ\x90\x00" + b"\x00" * 200),
        UnsupportedFile,
        "not an image or PDF",
    ),
    BadInput(
        "declares-20000x20000",
        _write("huge.png", lambda: crafted_png(20_000, 20_000, zlib.compress(b"\x00" * 64))),
        ImageTooLarge,
        "limit",
    ),
    BadInput("decompression-bomb", _write("bomb.png", bomb_png), ImageTooLarge, "limit"),
    BadInput(
        "corrupt-pdf",
        _write("broken.pdf", lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog garbage\n%%EOF"),
        UnreadableFile,
        "damaged",
    ),
    BadInput("truncated-pdf", _write("half.pdf", _truncated_pdf), UnreadableFile, "damaged"),
    BadInput(
        "encrypted-pdf",
        _write("locked.pdf", lambda: encrypted_pdf("secret")),
        PasswordProtected,
        "password",
    ),
    BadInput("folder-named-png", _folder_as_file, UnreadableFile, "folder"),
    BadInput("dangling-symlink", _dangling_link, UnreadableFile, "does not exist"),
)

# Odd but valid inputs: each must read as one RGB page.
ODD_INPUTS: tuple[BadInput, ...] = (
    BadInput("jpeg-named-png", _write("photo.png", jpeg_bytes), None),
    BadInput("png-named-pdf", _write("scan.pdf", png_bytes), None),
    BadInput("strip-1x5000", _write("strip.png", lambda: png_bytes((1, 5000), "L", 255)), None),
    BadInput("strip-5000x1", _write("band.png", lambda: png_bytes((5000, 1), "L", 255)), None),
    BadInput("cmyk-jpeg", _write("cmyk.jpg", cmyk_jpeg), None),
    BadInput("16-bit-png", _write("deep.png", png16), None),
    BadInput("palette-png", _write("palette.png", palette_png), None),
    BadInput("animated-gif", _write("moving.gif", animated_gif), None),
    BadInput("non-utf8-name", _non_utf8_name, None),
    BadInput("250-byte-name", _long_name, None),
)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


@pytest.fixture
def good_page(corpus_dir: Path) -> Callable[[str], Path]:
    """``good_page("a.png")``: a small readable page in the corpus folder."""

    def make(name: str) -> Path:
        path = corpus_dir / name
        path.write_bytes(png_bytes())
        return path

    return make


@pytest.fixture
def fifo(corpus_dir: Path) -> Iterator[Path]:
    """A named pipe with an image name: opening it for reading blocks until a writer comes."""
    path = corpus_dir / "pipe.png"
    os.mkfifo(path)
    yield path
    # Release any reader still blocked in open() so no thread is left hanging.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    os.close(fd)


@pytest.fixture
def quick_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The `ocr` command's server engine with retries and an idle limit short enough for a
    test against the hostile server (their sizes are not the point)."""
    import functools

    from desktop.engines import factory
    from desktop.engines.remote.endpoint import Timeouts
    from desktop.engines.remote.server import ServerEngine

    quick = functools.partial(
        ServerEngine,
        retry=QUICK_RETRY,
        timeouts=Timeouts(first_token=10, idle=1.0),
    )
    monkeypatch.setattr(factory, "ServerEngine", quick)


@pytest.fixture
def hostile() -> Iterator[Callable[..., HostileServer]]:
    """Starts hostile servers (tests/reliability/hostile.py) and closes them afterwards."""
    servers: list[HostileServer] = []

    def start(script: Callable[[int], Reply | None], **kw: object) -> HostileServer:
        server = HostileServer(script, **kw)  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
