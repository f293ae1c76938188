"""Probe ICU and Qt on English/Russian data; prints the results as JSON (for icu_trim.py).

    python installer/icu_check.py icu LIBDIR LIBICUDATA   # ICU's C API through ctypes
    python installer/icu_check.py qt                      # Qt classes that call ICU

``icu`` loads ``LIBICUDATA`` first, then LIBDIR's libicuuc/libicui18n, which take the
already loaded library (same SONAME) instead of their neighbour. ``qt`` uses whatever
libicudata the process gets (``LD_PRELOAD`` picks one). Each probe's result includes its
ICU status; ``_info`` says which data library was mapped and is not compared.
Run in a fresh process each time: a process can hold only one libicudata.
"""

from __future__ import annotations

import ctypes
import functools
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

WORDS = (
    "яблоко",
    "Ёж",
    "ёлка",
    "ель",
    "Ель",
    "арбуз",
    "щи",
    "Щука",
    "жук",
    "Zebra",
    "apple",
    "Äpfel",
    "item 10",
    "item 9",
)
TEXT = "Съешь же ещё этих мягких французских булок, да выпей чаю. Hello world: it's 3.14 o'clock!"
CODECS = ("UTF-8", "ISO-8859-1", "windows-1251", "windows-1252", "KOI8-R", "KOI8-U", "IBM866")
CODECS_ICU = (*CODECS, "ISO-8859-5", "ISO-8859-15", "x-mac-cyrillic")
ZONES = ("Europe/Moscow", "America/New_York", "Europe/London", "Asia/Yekaterinburg")
LOCALES = ("root", "en", "en_US", "en_GB", "ru", "ru_RU")


def _mapped_icudata() -> str:
    with open("/proc/self/maps", encoding="utf-8") as fh:
        paths = {line.split()[-1] for line in fh if "libicudata" in line}
    return ";".join(sorted(paths))


# -- ICU C API ---------------------------------------------------------------------------------
class _Icu:
    def __init__(self, libdir: Path, data_lib: Path) -> None:
        match = re.search(r"\.so\.(\d+)$", data_lib.name)
        if not match:
            raise SystemExit(f"not a versioned libicudata: {data_lib}")
        self.v = match.group(1)
        ctypes.CDLL(str(data_lib), mode=ctypes.RTLD_GLOBAL)
        self.uc = ctypes.CDLL(str(libdir / f"libicuuc.so.{self.v}"), mode=ctypes.RTLD_GLOBAL)
        self.i18n = ctypes.CDLL(str(libdir / f"libicui18n.so.{self.v}"), mode=ctypes.RTLD_GLOBAL)

    def fn(self, lib: ctypes.CDLL, name: str, restype: Any, *argtypes: Any) -> Any:
        func = getattr(lib, f"{name}_{self.v}")
        func.restype = restype
        func.argtypes = argtypes
        return func


_U16P = ctypes.POINTER(ctypes.c_uint16)
_ERR = ctypes.POINTER(ctypes.c_int)


def _uchars(text: str) -> tuple[Any, int]:
    data = text.encode("utf-16-le")
    return (ctypes.c_uint16 * (len(data) // 2 + 1)).from_buffer_copy(data + b"\0\0"), len(data) // 2


def _ustr(buffer: Any, length: int) -> str:
    return bytes(buffer)[: 2 * max(length, 0)].decode("utf-16-le", "replace")


def icu_probes(libdir: Path, data_lib: Path) -> dict[str, Any]:
    icu = _Icu(libdir, data_lib)
    out: dict[str, Any] = {}
    err = ctypes.c_int(0)

    def status() -> int:
        value = err.value
        err.value = 0
        return value

    ucol_open = icu.fn(icu.i18n, "ucol_open", ctypes.c_void_p, ctypes.c_char_p, _ERR)
    ucol_set = icu.fn(
        icu.i18n, "ucol_setAttribute", None, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, _ERR
    )
    ucol_strcoll = icu.fn(
        icu.i18n, "ucol_strcoll", ctypes.c_int, ctypes.c_void_p, _U16P, ctypes.c_int32, _U16P,
        ctypes.c_int32,
    )  # fmt: skip
    ucol_close = icu.fn(icu.i18n, "ucol_close", None, ctypes.c_void_p)
    for locale in LOCALES:
        coll = ucol_open(locale.encode(), ctypes.byref(err))
        opened = status()
        ucol_set(coll, 7, 17, ctypes.byref(err))  # UCOL_NUMERIC_COLLATION = UCOL_ON

        def compare(a: str, b: str, coll: Any = coll) -> int:
            (ua, la), (ub, lb) = _uchars(a), _uchars(b)
            return int(ucol_strcoll(coll, ua, la, ub, lb))

        order = sorted(WORDS, key=functools.cmp_to_key(compare))
        out[f"collation {locale}"] = [opened, status(), order]
        ucol_close(coll)
    dropped = ucol_open(b"sv", ctypes.byref(err))
    dropped_status = status()
    ucol_close(dropped)

    ucnv_open = icu.fn(icu.uc, "ucnv_open", ctypes.c_void_p, ctypes.c_char_p, _ERR)
    ucnv_name = icu.fn(icu.uc, "ucnv_getName", ctypes.c_char_p, ctypes.c_void_p, _ERR)
    from_u = icu.fn(
        icu.uc, "ucnv_fromUChars", ctypes.c_int32, ctypes.c_void_p, ctypes.c_char_p,
        ctypes.c_int32, _U16P, ctypes.c_int32, _ERR,
    )  # fmt: skip
    ucnv_close = icu.fn(icu.uc, "ucnv_close", None, ctypes.c_void_p)
    for codec in CODECS_ICU:
        cnv = ucnv_open(codec.encode(), ctypes.byref(err))
        opened = status()
        if not cnv:
            out[f"converter {codec}"] = [opened]
            continue
        name = ucnv_name(cnv, ctypes.byref(err)).decode()
        src, length = _uchars(TEXT)
        dest = ctypes.create_string_buffer(4 * len(TEXT) + 16)
        size = from_u(cnv, dest, len(dest), src, length, ctypes.byref(err))
        out[f"converter {codec}"] = [opened, name, status(), dest.raw[:size].hex()]
        ucnv_close(cnv)
    count_available = icu.fn(icu.uc, "ucnv_countAvailable", ctypes.c_int32)

    ubrk_open = icu.fn(
        icu.uc, "ubrk_open", ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, _U16P,
        ctypes.c_int32, _ERR,
    )  # fmt: skip
    ubrk_first = icu.fn(icu.uc, "ubrk_first", ctypes.c_int32, ctypes.c_void_p)
    ubrk_next = icu.fn(icu.uc, "ubrk_next", ctypes.c_int32, ctypes.c_void_p)
    ubrk_close = icu.fn(icu.uc, "ubrk_close", None, ctypes.c_void_p)
    src, length = _uchars(TEXT)
    for locale in ("en", "ru"):
        for kind, label in enumerate(("character", "word", "line", "sentence")):
            brk = ubrk_open(kind, locale.encode(), src, length, ctypes.byref(err))
            opened = status()
            bounds: list[int] = []
            if brk:
                pos = ubrk_first(brk)
                while pos != -1 and len(bounds) < 500:
                    bounds.append(pos)
                    pos = ubrk_next(brk)
                ubrk_close(brk)
            out[f"break {label} {locale}"] = [opened, bounds]

    ucal_open = icu.fn(
        icu.i18n, "ucal_open", ctypes.c_void_p, _U16P, ctypes.c_int32, ctypes.c_char_p,
        ctypes.c_int, _ERR,
    )  # fmt: skip
    zone_name = icu.fn(
        icu.i18n, "ucal_getTimeZoneDisplayName", ctypes.c_int32, ctypes.c_void_p, ctypes.c_int,
        ctypes.c_char_p, _U16P, ctypes.c_int32, _ERR,
    )  # fmt: skip
    canonical = icu.fn(
        icu.i18n, "ucal_getCanonicalTimeZoneID", ctypes.c_int32, _U16P, ctypes.c_int32, _U16P,
        ctypes.c_int32, ctypes.POINTER(ctypes.c_int8), _ERR,
    )  # fmt: skip
    ucal_close = icu.fn(icu.i18n, "ucal_close", None, ctypes.c_void_p)
    result = (ctypes.c_uint16 * 256)()
    for zone in (*ZONES, "US/Eastern", "Asia/Calcutta"):
        zid, zlen = _uchars(zone)
        is_system = ctypes.c_int8(0)
        size = canonical(zid, zlen, result, 256, ctypes.byref(is_system), ctypes.byref(err))
        out[f"canonical zone {zone}"] = [status(), _ustr(result, size), is_system.value]
    for locale in ("en", "ru"):
        for zone in ZONES:
            zid, zlen = _uchars(zone)
            cal = ucal_open(zid, zlen, locale.encode(), 0, ctypes.byref(err))
            opened = status()
            names = []
            for kind in range(4):  # UCAL_STANDARD, SHORT_STANDARD, DST, SHORT_DST
                size = zone_name(cal, kind, locale.encode(), result, 256, ctypes.byref(err))
                names.append([status(), _ustr(result, size)])
            ucal_close(cal)
            out[f"zone names {zone} {locale}"] = [opened, names]

    for func in ("u_strToUpper", "u_strToLower"):
        convert = icu.fn(
            icu.uc, func, ctypes.c_int32, _U16P, ctypes.c_int32, _U16P, ctypes.c_int32,
            ctypes.c_char_p, _ERR,
        )  # fmt: skip
        for locale in ("en", "ru", "tr"):
            src, length = _uchars("Ёлка Straße İstanbul i ДОМ")
            cased = (ctypes.c_uint16 * 128)()
            size = convert(cased, 128, src, length, locale.encode(), ctypes.byref(err))
            out[f"{func} {locale}"] = [status(), _ustr(cased, size)]

    out["_info"] = {
        "data_library": _mapped_icudata(),
        "dropped_collation_status": dropped_status,
        "available_converters": int(count_available()),
    }
    return out


# -- Qt --------------------------------------------------------------------------------------
def qt_probes() -> dict[str, Any]:
    from PySide6.QtCore import (
        QBuffer,
        QByteArray,
        QCollator,
        QIODevice,
        QLocale,
        QStringConverter,
        QStringDecoder,
        QStringEncoder,
        QTextBoundaryFinder,
        QTimeZone,
        QXmlStreamReader,
    )

    out: dict[str, Any] = {}
    for name in ("en_US", "ru_RU", "ru"):
        coll = QCollator(QLocale(name))
        coll.setNumericMode(True)
        out[f"QCollator {name}"] = sorted(WORDS, key=functools.cmp_to_key(coll.compare))
        coll.setCaseSensitivity(coll.caseSensitivity().__class__.CaseInsensitive)
        out[f"QCollator {name} case-insensitive"] = coll.compare("ель", "Ель")
    kinds = QTextBoundaryFinder.BoundaryType
    for kind in (kinds.Grapheme, kinds.Word, kinds.Line, kinds.Sentence):
        finder = QTextBoundaryFinder(kind, TEXT)
        bounds = [finder.position()]
        while (pos := finder.toNextBoundary()) != -1 and len(bounds) < 500:
            bounds.append(pos)
        out[f"QTextBoundaryFinder {kind.name}"] = bounds
    for codec in CODECS:
        encoder, decoder = QStringEncoder(codec), QStringDecoder(codec)
        # PySide6 binds no encode/decode call: XML declaring the codec goes through
        # QStringDecoder(name) inside QXmlStreamReader.
        python_codec = codec.replace("IBM", "cp")
        declared = f'<?xml version="1.0" encoding="{codec}"?>'
        xml = f"{declared}<a>{TEXT}</a>".encode(python_codec, "replace")
        buffer = QBuffer()
        buffer.setData(QByteArray(xml))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QXmlStreamReader(buffer)
        text = ""
        while not reader.atEnd():
            reader.readNext()
            if reader.isCharacters():
                text += reader.text()
        out[f"QStringConverter {codec}"] = [
            encoder.isValid(),
            decoder.isValid(),
            decoder.name(),
            text,
            reader.errorString(),
        ]
    long_name = QTimeZone.NameType.LongName
    for zone in ZONES:
        tz = QTimeZone(zone.encode())
        names = [
            tz.displayName(kind, long_name, QLocale(loc))
            for loc in ("en_US", "ru_RU")
            for kind in (QTimeZone.TimeType.StandardTime, QTimeZone.TimeType.DaylightTime)
        ]
        out[f"QTimeZone {zone}"] = [tz.isValid(), names]
    for loc in ("en_US", "ru_RU", "tr_TR"):
        out[f"QLocale {loc} case"] = [
            QLocale(loc).toUpper("Ёлка Straße istanbul"),
            QLocale(loc).toLower("ЁЛКА İSTANBUL I"),
        ]
    available: Callable[[], list[str]] | None = getattr(QStringConverter, "availableCodecs", None)
    out["_info"] = {
        "data_library": _mapped_icudata(),
        "available_codecs": len(available()) if available else None,
    }
    return out


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "icu":
        result = icu_probes(Path(argv[1]), Path(argv[2]))
    elif argv == ["qt"]:
        result = qt_probes()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
