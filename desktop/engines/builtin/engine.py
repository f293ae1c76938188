"""The built-in CPU engine: OCR + layout + ruled tables with no GPU, Docker or network."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from desktop.core.document import BBox, Block, Page, PageStatus
from desktop.core.messages import Code, Msg
from desktop.core.pageimage import PageImage
from desktop.engines.base import (
    BlockFound,
    CannotChat,
    Capability,
    ChatMessage,
    EngineError,
    PageDone,
    RecognizeEvent,
    RecognizeMode,
)
from desktop.engines.builtin.analysis import Analysis, PageReader, analyse_page
from desktop.engines.builtin.coverage import UNREAD_SHARE
from desktop.engines.builtin.hanlines import WithHanLines
from desktop.engines.builtin.languages import (
    AUTO,
    BUNDLED_LANGUAGES,
    SCRIPT_LANGUAGES,
    Backend,
    install_clause,
    resolve,
    split_languages,
)
from desktop.engines.builtin.ocr import RapidReader
from desktop.engines.builtin.pageprep import Prepared, prepare_page, scorer
from desktop.engines.builtin.prescreen import looks_foreign
from desktop.engines.builtin.region import read_region
from desktop.engines.builtin.scripts import looks_unsupported, script_message, tesseract_binary
from desktop.engines.builtin.tesseract import (
    TesseractFailedError,
    TesseractReader,
    detect_osd,
    installed_languages,
)

logger = logging.getLogger(__name__)

#: ``languages`` values the bundled models cover.
RAPID_LANGUAGES = frozenset({AUTO, *BUNDLED_LANGUAGES})

#: Scripts Tesseract's OSD names that the bundled models read (no re-read for these).
BUNDLED_OSD_SCRIPTS = frozenset({"Latin", "Han", "HanS", "HanT"})


class BuiltinUnavailable(EngineError):
    """The built-in engine cannot run here (library or language pack missing)."""


def builtin_available() -> Msg | None:
    """None when RapidOCR and onnxruntime import, else the reason (a fact)."""
    try:
        import cv2  # noqa: F401
        import onnxruntime  # noqa: F401

        from desktop.engines.builtin.rapid import rapidocr_module

        rapidocr_module()
    except Exception as exc:  # any import failure means the engine cannot run
        return Msg.of(Code.BUILTIN_LIBRARIES_MISSING, detail=str(exc))
    return None


def _clip(region: BBox, w: int, h: int) -> BBox:
    return (
        max(0, min(w, region[0])),
        max(0, min(h, region[1])),
        max(0, min(w, region[2])),
        max(0, min(h, region[3])),
    )


class BuiltinEngine:
    """OCR on the CPU with models shipped in the rapidocr wheel (or the system's Tesseract).

    ``languages``: ``auto`` (bundled models; a page in another script is re-read with
    Tesseract when its language pack is installed), a bundled language (``eng``), or
    Tesseract languages (``rus``, ``rus+eng``), which make Tesseract read every page.
    """

    def __init__(
        self, languages: str = AUTO, backend: Backend | None = None, **ocr_params: Any
    ) -> None:
        self._languages = languages.strip() or AUTO
        chosen, tess_langs = resolve(self._languages)
        self._backend: Backend = backend or chosen
        self._tess_langs = tess_langs
        self._auto = self._backend == "rapidocr" and split_languages(self._languages) == [AUTO]
        self._reader: PageReader
        if self._backend == "tesseract":
            self._reader = TesseractReader(tess_langs)
        else:
            self._reader = RapidReader(**ocr_params)
        self._have_langs: list[str] | None = None  # Tesseract's packs, looked up once
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="builtin-ocr")
        self._ready = False

    @property
    def name(self) -> str:
        return "Built-in (CPU)"

    @property
    def languages(self) -> str:
        """The ``languages`` this engine was made with (``auto``, ``rus+eng``...)."""
        return self._languages

    @property
    def capabilities(self) -> Capability:
        return Capability.LAYOUT | Capability.TEXT | Capability.GROUNDING | Capability.BOXES

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _tesseract_languages(self) -> list[str]:
        """Installed Tesseract packs (blocking; cached for the engine's life)."""
        if self._have_langs is None:
            self._have_langs = installed_languages()
        return self._have_langs

    async def ensure_ready(self) -> None:
        if self._ready:
            return
        if self._backend == "tesseract":
            exe = tesseract_binary()
            want = split_languages(self._tess_langs)
            if exe is None:
                raise BuiltinUnavailable(
                    Msg.of(Code.TESSERACT_MISSING, languages=self._tess_langs),
                    fix=Msg.of(
                        Code.FIX_INSTALL_TESSERACT,
                        how=install_clause(want[0], have_tesseract=False),
                    ),
                )
            have = await self._run(self._tesseract_languages)
            missing = [lang for lang in want if lang not in have]
            if missing:
                raise BuiltinUnavailable(
                    Msg.of(Code.TESSERACT_NO_PACK, languages=", ".join(missing)),
                    fix=Msg.of(
                        Code.FIX_INSTALL_TESSERACT,
                        how=install_clause(missing[0], have_tesseract=True),
                    ),
                )
        else:
            if not set(split_languages(self._languages.lower())) <= RAPID_LANGUAGES:
                raise BuiltinUnavailable(
                    Msg.of(Code.BUNDLED_LANGUAGES_ONLY, languages=self._languages),
                    fix=Msg(Code.FIX_LET_ENGINE_CHOOSE),
                )
            reason = builtin_available()
            if reason is not None:
                raise BuiltinUnavailable(Msg.of(Code.BUILTIN_CANNOT_START, detail=reason))
        await self._run(self._reader.load)
        self._ready = True

    def _with_latin(self, lang: str) -> str:
        """Tesseract languages for a page in ``lang``'s script: plus English where installed.

        Russian (and most) documents carry Latin words: option names, addresses, brands,
        code. With ``rus`` alone they come out as Cyrillic look-alikes (``--sort`` ->
        ``--50г*``); ``rus+eng`` reads them as Latin (benchmarks/bench_builtin_accuracy.py).
        """
        if lang != "eng" and "eng" in self._tesseract_languages():
            return f"{lang}+eng"
        return lang

    def _reread_foreign(
        self, rgb: np.ndarray, mode: RecognizeMode
    ) -> tuple[Analysis | None, Msg | None, int]:
        """A page the bundled models may not read: Tesseract's analysis and the reason;
        None and the sentence saying what to install; or (None, None) when Tesseract's
        script detection says the bundled models read this page after all. Last, the
        quarter turns (``np.rot90``'s k) Tesseract says set the page upright: when not 0,
        nothing was read and the caller asks again with the page turned (blocking)."""
        exe = tesseract_binary()
        if exe is None:
            return None, script_message("Cyrillic", have_tesseract=False), 0
        osd = detect_osd(rgb, exe)
        if osd.quarter_turns:
            return None, None, osd.quarter_turns
        script = osd.script
        if script in BUNDLED_OSD_SCRIPTS:
            return None, None, 0  # e.g. a photo left ink unread on a Latin page
        if script is None or script not in SCRIPT_LANGUAGES:
            script = "Cyrillic"  # what the look-alike check is built for; OSD unsure
        return (*self._read_as(rgb, mode, script, exe), 0)

    def _read_as(
        self, rgb: np.ndarray, mode: RecognizeMode, script: str, exe: str
    ) -> tuple[Analysis | None, Msg | None]:
        """Tesseract's analysis of a page in ``script`` and the fact saying so, or None and
        the sentence saying what to install (blocking)."""
        lang = SCRIPT_LANGUAGES[script]
        if lang not in self._tesseract_languages():
            return None, script_message(script, have_tesseract=True)
        lang = self._with_latin(lang)
        logger.info("page looks like %s: reading it with Tesseract (%s)", script, lang)
        try:
            tess = TesseractReader(lang, exe)
            score = scorer(self._reader)
            reader: PageReader = tess if score is None else WithHanLines(tess, score)
            got = analyse_page(reader, rgb, mode, check_script=False, erase_rules=True)
        except TesseractFailedError as exc:
            logger.warning("Tesseract failed on a %s page: %s", script, exc)
            return None, script_message(script, have_tesseract=True)
        return got, Msg.of(Code.READ_WITH_TESSERACT, languages=lang)

    def _foreign_first(
        self, rgb: np.ndarray, mode: RecognizeMode
    ) -> tuple[tuple[Analysis, Msg] | None, int]:
        """A page that a quick look finds in a script the models lack, read by Tesseract
        straight away, or None when it should be read the usual way; and the quarter turns
        (``np.rot90``'s k) Tesseract says set the page upright, 0 for an upright page
        (blocking).

        Tesseract's script detection (about a second, on one core) runs beside its reading
        (on another): should it name a script the models read, the quick look was wrong and
        the page is read the usual way; should it name another script than Cyrillic, the
        page is read again in that one's language; should it find the page upside down,
        the reading is dropped and the caller turns the page and asks again.
        """
        exe = tesseract_binary()
        if exe is None or SCRIPT_LANGUAGES["Cyrillic"] not in self._tesseract_languages():
            return None, 0  # the usual read says what to install
        read_piece = getattr(self._reader, "read_piece", None)
        if read_piece is None or not looks_foreign(rgb, read_piece):
            return None, 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="builtin-osd") as pool:
            named = pool.submit(detect_osd, rgb, exe)
            got, reason = self._read_as(rgb, mode, "Cyrillic", exe)
            osd = named.result()
        if osd.quarter_turns:
            logger.info("the page lies turned (%d degrees): reading it upright", osd.rotate)
            return None, osd.quarter_turns
        if osd.script in BUNDLED_OSD_SCRIPTS:
            logger.info("the quick look was wrong (%s): reading the page as usual", osd.script)
            return None, 0
        if osd.script in SCRIPT_LANGUAGES and osd.script != "Cyrillic":
            got, reason = self._read_as(rgb, mode, osd.script, exe)
        if got is None or reason is None:
            return None, 0
        return (got, reason), 0

    def _osd_turns(self, rgb: np.ndarray) -> int:
        """Tesseract's quarter turns for the page, 0 without Tesseract (blocking)."""
        exe = tesseract_binary()
        return 0 if exe is None else detect_osd(rgb, exe).quarter_turns

    def _reread_region(self, rgb: np.ndarray, box: BBox, text: str) -> tuple[str, Msg | None]:
        """A region the bundled models left unread: Tesseract's Cyrillic (+ Latin) reading
        when it has the pack."""
        exe = tesseract_binary()
        lang = SCRIPT_LANGUAGES["Cyrillic"]  # too little text for OSD to name the script
        if exe is None or lang not in self._tesseract_languages():
            return text, None
        lang = self._with_latin(lang)
        try:
            better, _ = read_region(TesseractReader(lang, exe), rgb, box)
        except TesseractFailedError as exc:
            logger.warning("Tesseract failed on a region: %s", exc)
            return text, None
        return better, Msg.of(Code.READ_WITH_TESSERACT, languages=lang)

    async def recognize(
        self,
        page: PageImage,
        mode: RecognizeMode = RecognizeMode.LAYOUT,
        region: BBox | None = None,
    ) -> AsyncIterator[RecognizeEvent]:
        await self.ensure_ready()
        w, h = page.image.size
        try:
            if mode is RecognizeMode.GROUNDING:
                rgb = await self._run(_as_rgb, page)
                box = _clip(region or (0, 0, w, h), w, h)
                text, unread = await self._run(read_region, self._reader, rgb, box)
                reason: Msg | None = None
                foreign = looks_unsupported([text], min_words=5) or unread >= UNREAD_SHARE
                if self._auto and foreign:
                    text, reason = await self._run(self._reread_region, rgb, box, text)
                blocks: tuple[Block, ...] = (Block("Text", box, text, 0),)
                facts: tuple[Msg, ...] = (reason,) if reason else ()
                result = Page(page.index, w, h, blocks, PageStatus.OK, "", w, h, text, facts)
            else:
                osd = self._osd_turns if self._auto else None
                prep: Prepared = await self._run(
                    prepare_page, page.image, scorer(self._reader), osd
                )
                tess = self._backend == "tesseract"
                early: tuple[Analysis, Msg] | None = None
                if self._auto:
                    early, turns = await self._run(self._foreign_first, prep.rgb, mode)
                    if turns:  # upside down in a script only Tesseract reads
                        prep = prep.turned(turns)
                        early, _ = await self._run(self._foreign_first, prep.rgb, mode)
                rgb = prep.rgb
                status = PageStatus.OK
                found: Msg | None = None
                if early is not None:
                    got, found = early
                else:
                    got = await self._run(
                        functools.partial(analyse_page, check_script=self._auto, erase_rules=tess),
                        self._reader,
                        rgb,
                        mode,
                    )
                if early is None and got.foreign_script:
                    other, found, turns = await self._run(self._reread_foreign, rgb, mode)
                    if turns:  # the print lay turned: read it upright
                        prep = prep.turned(turns)
                        rgb = prep.rgb
                        other, found, _ = await self._run(self._reread_foreign, rgb, mode)
                        if other is None and found is None:  # in a script the models read
                            other = await self._run(
                                functools.partial(analyse_page, check_script=False),
                                self._reader,
                                rgb,
                                mode,
                            )
                    if other is not None:
                        got = other
                    elif found is not None:
                        status = PageStatus.PARTIAL
                blocks = prep.page_blocks(got.blocks)
                facts = prep.facts + ((found,) if found else ())
                result = Page(page.index, w, h, blocks, status, "", w, h, got.text, facts)
        except TesseractFailedError as exc:
            raise BuiltinUnavailable(
                Msg.of(Code.TESSERACT_FAILED, detail=str(exc)), fix=Msg(Code.FIX_CHECK_TESSERACT)
            ) from exc
        for block in blocks:
            yield BlockFound(page.index, block)
        yield PageDone(result)

    def chat(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        raise CannotChat(Msg(Code.BUILTIN_CANNOT_CHAT), fix=Msg(Code.FIX_START_SERVER_TO_CHAT))

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _as_rgb(page: PageImage) -> np.ndarray:
    img = page.image if page.image.mode == "RGB" else page.image.convert("RGB")
    return np.asarray(img)
