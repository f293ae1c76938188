"""Pages in: images and PDFs, detected by content, decoded one page at a time."""

from __future__ import annotations

import functools
import io
import logging
import re
import stat
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps

from desktop.core.errors import (
    ImageTooLarge,
    PageRangeError,
    PasswordProtected,
    UnreadableFile,
    UnsupportedFile,
)
from desktop.core.formats import PASSTHROUGH_FORMATS, sniff_format
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.core.pdfdpi import dpi_note, pdf_render_dpi
from desktop.core.pngfast import attach_pixels

logger = logging.getLogger(__name__)

#: Refuse larger images before decoding (150 MP of RGB is 450 MB; Pillow refuses ~179 MP).
MAX_PIXELS = 150_000_000
_FPDF_ERR_SUCCESS = 0
_FPDF_ERR_FILE = 2
_FPDF_ERR_PASSWORD = 4
_EXIF_ORIENTATION = 0x0112


def _read_head(path: Path) -> bytes:
    try:
        # Check the kind first: open() on a FIFO with no writer blocks forever.
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            raise UnreadableFile(
                Msg.of(Code.NOT_REGULAR_FILE, name=path.name), fix=Msg(Code.FIX_SAVE_TO_FILE)
            )
        with path.open("rb") as fh:
            return fh.read(1024)
    except FileNotFoundError:
        raise UnreadableFile(Msg.of(Code.FILE_MISSING, name=path.name)) from None
    except IsADirectoryError:
        raise UnreadableFile(Msg.of(Code.IS_FOLDER, name=path.name)) from None
    except OSError as exc:
        raise UnreadableFile(
            Msg.of(Code.FILE_UNREADABLE, name=path.name, detail=str(exc.strerror or exc)),
            fix=Msg(Code.FIX_CHECK_READABLE),
        ) from None


def page_file_kind(path: str | Path) -> str | None:
    """A regular file's kind by content (see sniff_format); None for anything else.

    Never blocks on a pipe or device and never raises: for picking files out of a folder.
    """
    path = Path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        with path.open("rb") as fh:
            return sniff_format(fh.read(1024))
    except OSError:
        return None


def _detect(path: Path) -> str:
    head = _read_head(path)
    if not head:
        raise UnreadableFile(Msg.of(Code.FILE_EMPTY, name=path.name))
    kind = sniff_format(head)
    if kind is None:
        raise UnsupportedFile(
            Msg.of(Code.NOT_IMAGE_OR_PDF, name=path.name), fix=Msg(Code.FIX_USE_FORMATS)
        )
    return kind


def _open_image(data: bytes, name: str) -> Image.Image:
    """Open (header only) with the size guard applied before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _too_large(name, None) from None
    except Exception as exc:  # Pillow's plugins raise anything on hostile bytes
        raise _damaged(name, exc) from None
    _check_size(img.width, img.height, name)
    return img


def _damaged(name: str, exc: BaseException) -> UnreadableFile:
    # Pillow names its stream ("cannot identify image file <_io.BytesIO object at 0x…>"):
    # an address means nothing to a user.
    detail = re.sub(r"\s*<[^<>]* object at 0x[0-9a-fA-F]+>", "", str(exc)).strip() or "unknown"
    return UnreadableFile(
        Msg.of(Code.IMAGE_DAMAGED, name=name, detail=detail), fix=Msg(Code.FIX_RESAVE_IMAGE)
    )


def _too_large(name: str, size: tuple[int, int] | None) -> ImageTooLarge:
    limit = MAX_PIXELS // 1_000_000
    if size:
        msg = Msg.of(Code.IMAGE_TOO_LARGE, name=name, width=size[0], height=size[1], limit_mp=limit)
    else:
        msg = Msg.of(Code.IMAGE_TOO_MANY_PIXELS, name=name, limit_mp=limit)
    return ImageTooLarge(msg, fix=Msg(Code.FIX_SCALE_DOWN))


def _check_size(width: int, height: int, name: str) -> None:
    if width <= 0 or height <= 0:
        raise UnreadableFile(Msg.of(Code.IMAGE_NO_PIXELS, name=name))
    if width * height > MAX_PIXELS:
        raise _too_large(name, (width, height))


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB for the model: transparency composited on white, deep images scaled to 8 bits."""
    mode = img.mode
    if mode == "RGB" and "transparency" not in img.info:
        return img
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        if mode.startswith("I;16"):
            arr = arr / 257.0
        else:
            top = float(arr.max()) if arr.size else 0.0
            if top > 255.0:
                arr = arr * (255.0 / top)
        gray = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        return gray.convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if has_alpha:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def _finish_frame(img: Image.Image, name: str) -> tuple[Image.Image, bool]:
    """Decode, orient and convert one frame. Returns (rgb image, changed?)."""
    try:
        img.load()
        # exif_transpose copies even when there is nothing to do; skip that copy.
        orientation = img.getexif().get(_EXIF_ORIENTATION, 1)
        oriented = ImageOps.exif_transpose(img) if orientation not in (0, 1) else img
        rgb = _to_rgb(oriented)
        rgb.load()
    except Image.DecompressionBombError:
        raise _too_large(name, None) from None
    except Exception as exc:  # a damaged TIFF raises TypeError, SyntaxError ... in Pillow
        raise _damaged(name, exc) from None
    return rgb, (oriented is not img) or (rgb is not oriented)


#: Image formats whose frames are pages: TIFF pages, and the frames of an animated GIF,
#: WebP or PNG (none dropped silently; ``--pages`` picks some). Not JPEG: a camera's MPO
#: JPEG carries a preview or a second eye's picture as its "second frame".
MULTI_FRAME_FORMATS = frozenset({"TIFF", "GIF", "WEBP", "PNG"})


def _frame_count(img: Image.Image, kind: str, name: str) -> int:
    if kind in MULTI_FRAME_FORMATS:
        return max(1, _frames_in(img, name))
    return 1


def _frames_in(img: Image.Image, name: str) -> int:
    """Frames in the file (Pillow walks every frame's header: a damaged one raises)."""
    try:
        return int(getattr(img, "n_frames", 1))
    except Exception as exc:
        raise _damaged(name, exc) from None


def _select(pages: Sequence[int] | None, count: int, name: str) -> list[int]:
    if pages is None:
        return list(range(count))
    chosen = list(pages)
    bad = [p for p in chosen if not 0 <= p < count]
    if bad:
        raise PageRangeError(Msg.of(Code.PAGE_NOT_IN_FILE, name=name, page=bad[0] + 1, count=count))
    return chosen


def _iter_image(
    data: bytes, name: str, kind: str, pages: Sequence[int] | None
) -> Iterator[PageImage]:
    img = _open_image(data, name)
    count = _frame_count(img, kind, name)
    single = _frames_in(img, name) == 1
    for index in _select(pages, count, name):
        if index:
            try:
                img.seek(index)
            except Exception as exc:  # a damaged frame header: that page alone fails
                raise UnreadableFile(
                    Msg.of(Code.FRAME_UNREADABLE, name=name, page=index + 1, detail=str(exc))
                ) from None
            _check_size(img.width, img.height, name)
        try:
            rgb, changed = _finish_frame(img, name)
        except UnreadableFile as exc:
            if count == 1:
                raise
            # A damaged frame of a multi-page file: that page (the pipeline goes on after it).
            detail = str(exc.msg.params.get("detail", ""))
            raise UnreadableFile(
                Msg.of(Code.FRAME_UNREADABLE, name=name, page=index + 1, detail=detail)
            ) from None
        if rgb is img and count > 1:
            rgb = img.copy()  # the next seek() would otherwise change this page's pixels
        untouched = kind in PASSTHROUGH_FORMATS and single and not changed
        yield PageImage(
            source=name,
            index=index,
            image=rgb,
            source_bytes=data if untouched else None,
            source_format=kind if untouched else None,
            page_count=count,
        )


#: PDFium is not thread-safe, not even across documents (pypdfium2's documentation): every
#: call into it holds this lock. Pages are rendered in several threads (the page reader's
#: and the window's display), so an unserialized call would crash or corrupt the process.
PDFIUM_LOCK = threading.RLock()
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _pdfium_call(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``fn`` calls PDFium: it runs holding ``PDFIUM_LOCK``."""

    @functools.wraps(fn)
    def locked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with PDFIUM_LOCK:
            return fn(*args, **kwargs)

    return locked


@_pdfium_call
def _pdf_page_count(doc: pdfium.PdfDocument) -> int:
    return len(doc)


@_pdfium_call
def _close_pdf(doc: pdfium.PdfDocument) -> None:
    doc.close()


@_pdfium_call
def _open_pdf(path_or_bytes: Path | bytes, name: str, password: str | None) -> pdfium.PdfDocument:
    source: str | bytes = str(path_or_bytes) if isinstance(path_or_bytes, Path) else path_or_bytes
    # PDFium refuses a PDF whose page tree is empty without setting an error of its own:
    # FPDF_GetLastError then still holds the last failure's (a password, a format error),
    # or 0 ("Success") in a fresh process. A failed open of a missing file first makes a
    # stale value recognisable: "file access error" for a file that was just read.
    _prime_last_error()
    try:
        return pdfium.PdfDocument(source, password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        gone = isinstance(path_or_bytes, Path) and not path_or_bytes.is_file()
        if code == _FPDF_ERR_SUCCESS or (code == _FPDF_ERR_FILE and not gone):
            raise UnreadableFile(Msg.of(Code.PDF_NO_PAGES, name=name)) from None
        if getattr(exc, "err_code", None) == _FPDF_ERR_PASSWORD:
            if password:
                raise PasswordProtected(
                    Msg.of(Code.PDF_WRONG_PASSWORD, name=name), fix=Msg(Code.FIX_CHECK_PASSWORD)
                ) from None
            raise PasswordProtected(
                Msg.of(Code.PDF_PASSWORD, name=name), fix=Msg(Code.FIX_ENTER_PASSWORD)
            ) from None
        # pypdfium2 says "Failed to load document (PDFium: Data format error)." : keep the
        # reason inside, without its own full stop.
        detail = str(exc).strip().rstrip(".")
        inner = re.fullmatch(r"Failed to load document \((.+)\)", detail)
        raise UnreadableFile(
            Msg.of(Code.PDF_DAMAGED, name=name, detail=inner.group(1) if inner else detail),
            fix=Msg(Code.FIX_RESAVE_PDF),
        ) from None


def _prime_last_error() -> None:
    """Set PDFium's last error to "file access error" (held under ``PDFIUM_LOCK``)."""
    doc = pdfium_c.FPDF_LoadDocument(b"", None)  # an empty path: no such file
    if doc:
        pdfium_c.FPDF_CloseDocument(doc)


def _rgb_image(bitmap: pdfium.PdfBitmap) -> Image.Image:
    """A Pillow copy of a packed RGB bitmap (to_pil() without zero-filling it first)."""
    image = Image.new("RGB", (bitmap.width, bitmap.height), None)
    image.frombytes(bitmap.buffer, "raw", ("RGB", bitmap.stride, 1))
    return image


class _RenderedPage(Image.Image):
    """A rendered RGB page whose Pillow copy is made on first pixel access, as Image.open
    decodes lazily: sending the page reads the bitmap itself and never needs that copy."""

    def __init__(self, bitmap: pdfium.PdfBitmap) -> None:
        super().__init__()
        self._mode = "RGB"
        self._size = (bitmap.width, bitmap.height)
        self._bitmap = bitmap
        self._load_lock = threading.Lock()

    def load(self) -> Any:
        if self._im is None:
            with self._load_lock:
                if self._im is None:
                    self._im = _rgb_image(self._bitmap).im
        return super().load()


@_pdfium_call
def render_pdf_page(doc: pdfium.PdfDocument, index: int, dpi: float, name: str) -> PageImage:
    """Render one page on white at ``dpi`` (lowered to the model's pixel limit, with a note)."""
    try:
        page = doc[index]
    except pdfium.PdfiumError as exc:  # a damaged page object: that page alone fails
        raise UnreadableFile(
            Msg.of(Code.FRAME_UNREADABLE, name=name, page=index + 1, detail=str(exc).rstrip("."))
        ) from None
    try:
        width_pt, height_pt = page.get_size()
        used = pdf_render_dpi(width_pt, height_pt, dpi)
        scale = used / 72.0
        _check_size(round(width_pt * scale), round(height_pt * scale), f"{name} page {index + 1}")
        bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=True)
        if bitmap.mode == "RGB":
            image: Image.Image = _RenderedPage(bitmap)
            # The encoder reads the bitmap's packed RGB directly (no copy back out of
            # Pillow's 4-byte layout); the bitmap lives as long as the image.
            attach_pixels(image, bitmap.to_numpy(), bitmap)
        else:
            image = bitmap.to_pil().convert("RGB")
            bitmap.close()
    finally:
        page.close()
    notes = (dpi_note(width_pt, height_pt, dpi, used),) if used < dpi else ()
    return PageImage(
        source=name, index=index, image=image, dpi=used, page_count=len(doc), notes=notes
    )


def _iter_pdf(
    source: Path | bytes, name: str, dpi: float, pages: Sequence[int] | None, password: str | None
) -> Iterator[PageImage]:
    doc = _open_pdf(source, name, password)
    try:
        count = _pdf_page_count(doc)
        if count == 0:
            raise UnreadableFile(Msg.of(Code.PDF_NO_PAGES, name=name))
        for index in _select(pages, count, name):
            yield render_pdf_page(doc, index, dpi, name)
    finally:
        _close_pdf(doc)


def iter_pages(
    path: str | Path,
    *,
    dpi: float = 200,
    pages: Sequence[int] | None = None,
    password: str | None = None,
) -> Iterator[PageImage]:
    """Yield the file's pages (0-based ``pages``), decoding one page at a time."""
    file = Path(path)
    kind = _detect(file)
    name = file.name
    if kind == "PDF":
        yield from _iter_pdf(file, name, dpi, pages, password)
        return
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UnreadableFile(
            Msg.of(Code.FILE_UNREADABLE, name=name, detail=str(exc.strerror or exc))
        ) from None
    yield from _iter_image(data, name, kind, pages)


def count_pages(path: str | Path, password: str | None = None) -> int:
    """How many pages ``iter_pages`` would yield (PDF pages, TIFF frames, else 1)."""
    file = Path(path)
    kind = _detect(file)
    if kind == "PDF":
        doc = _open_pdf(file, file.name, password)
        try:
            return _pdf_page_count(doc)
        finally:
            _close_pdf(doc)
    return _frame_count(_open_image(file.read_bytes(), file.name), kind, file.name)


def load_image_bytes(data: bytes, name: str = "pasted image") -> PageImage:
    """The first page of an image (or PDF) held in memory, e.g. from the clipboard."""
    if not data:
        raise UnreadableFile(Msg.of(Code.NO_DATA, name=name))
    kind = sniff_format(data[:1024])
    if kind is None:
        raise UnsupportedFile(
            Msg.of(Code.NOT_IMAGE_OR_PDF, name=name), fix=Msg(Code.FIX_USE_FORMATS)
        )
    if kind == "PDF":
        return next(_iter_pdf(data, name, 200, [0], None))
    return next(_iter_image(data, name, kind, [0]))


_RANGE = re.compile(r"^\s*(\d*)\s*(?:(-)\s*(\d*))?\s*$")


def parse_page_ranges(spec: str, page_count: int) -> list[int]:
    """ "1-3,7" -> [0, 1, 2, 6]: 1-based, inclusive, "5-" to the end; sorted, no repeats."""
    chosen: set[int] = set()
    for part in spec.split(","):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if match is None or (not match.group(1) and not match.group(3) and not match.group(2)):
            raise PageRangeError(
                Msg.of(Code.PAGE_RANGE_INVALID, part=part.strip()),
                fix=Msg(Code.FIX_PAGE_RANGE_FORMAT),
            )
        first_s, dash, last_s = match.groups()
        first = int(first_s) if first_s else 1
        last = (int(last_s) if last_s else page_count) if dash else first
        if first < 1 or last < first:
            raise PageRangeError(
                Msg.of(Code.PAGE_RANGE_INVALID, part=part.strip()),
                fix=Msg(Code.FIX_PAGE_RANGE_FORMAT),
            )
        if last > page_count:
            raise PageRangeError(Msg.of(Code.PAGE_RANGE_BEYOND, page=last, count=page_count))
        chosen.update(range(first - 1, last))
    if not chosen:
        raise PageRangeError(
            Msg.of(Code.PAGE_RANGE_EMPTY, spec=spec), fix=Msg(Code.FIX_PAGE_RANGE_FORMAT)
        )
    return sorted(chosen)
