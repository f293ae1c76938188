"""Shrink ICU's data library in the Linux bundle to what Qt needs for an English/Russian UI.

Qt Core links ICU 73, and ``libicudata.so.73`` (31 MiB) is nothing but one exported
object, ``icudt73_dat``: ICU's *common data package*. It starts with a DataHeader
(``headerSize``, magic ``0xda 0x27``, UDataInfo with data format ``CmnD``) followed by a
table of contents: ``count``, then ``count`` pairs ``{nameOffset, dataOffset}`` (both
relative to the TOC's start), the NUL-terminated item names (``icudt73l/coll/ru.res``,
sorted bytewise: ICU looks them up by binary search) and the items, each on a 16-byte
boundary; an item's length is the distance to the next one.

Qt 6 calls only these parts of ICU (``nm -D --undefined-only libQt6Core.so.6``):
``ucol_*`` (QCollator, also the file dialog's sorting), ``ucal_*`` (time zone display
names and canonical IDs), ``ucnv_*`` (QStringConverter codecs beyond UTF/Latin-1) and
``u_strToUpper/Lower`` (QLocale case mapping, data compiled into libicuuc). So the
package keeps every item that is not locale data, plus the locale data of ``root``,
``en*`` and ``ru*`` in each tree (main, coll, zone, brkitr, curr, lang, region, unit,
rbnf), and drops: other languages' locale data (a German collator then uses the root
order, an ICU fallback, not an error), the transliteration rules (``translit/``), the
CJK/Thai/Khmer/Lao/Burmese word-break dictionaries, character names (``unames.icu``),
spoof (``*.cfu``) and StringPrep (``*.spp``) profiles, and the multi-byte converter
tables (CJK, EBCDIC DBCS; every single-byte code page such as windows-1251, KOI8-R,
IBM866, ISO-8859-x stays). Converters whose table is gone are simply not available
(``ucnv_open`` fails, Qt reports the codec as invalid).

The trimmed package is assembled into a replacement library with the same SONAME and
symbol (an ``.incbin`` in an assembler file, built with ``cc``) and checked by
``icu_check.py`` against the original: the same ICU calls and Qt classes on en/ru data
must give identical results. Without a compiler, on a package this code does not
understand, or on any check failure the original library stays (a warning says why).
``DOTS_BUNDLE_FULL_ICU=1`` turns the trim off in the spec.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

TocEntry = tuple[str, str, str]

#: Locale data kept in every tree (the language part of a locale ID).
KEPT_LANGUAGES: frozenset[str] = frozenset({"root", "en", "ru"})
#: Trees (second part of an item name) dropped whole: Qt never transliterates.
DROPPED_TREES: frozenset[str] = frozenset({"translit"})
#: Item kinds only ICU APIs Qt never calls read (word-break dictionaries, spoof checks,
#: StringPrep profiles) and character names.
DROPPED_SUFFIXES: tuple[str, ...] = (".dict", ".cfu", ".spp")
DROPPED_FILES: frozenset[str] = frozenset({"unames.icu"})
#: Resource bundles in each tree that are not a locale but belong to all of them.
SHARED_BUNDLES: frozenset[str] = frozenset({"pool", "res_index"})

_LIBICUDATA = re.compile(r"^libicudata\.so\.(\d+)$")
_DAT_SYMBOL = re.compile(r"^icudt\d+_dat$")
_LOCALE_ID = re.compile(r"^(?:root|[a-z]{2,3}(?:_[A-Za-z0-9]*)*)$")
_HEADER_MAGIC = (0xDA, 0x27)
_ALIGN = 16
_FILL = b"\xaa"  # what ICU's package tool pads with
_CHECK_SCRIPT = Path(__file__).resolve().with_name("icu_check.py")


class IcuTrimError(Exception):
    """The library or package is not what this module understands; keep the original."""


# -- ELF: find the exported data object --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DataSymbol:
    name: str
    offset: int  # in the file
    size: int


def find_data_symbol(elf: bytes) -> DataSymbol:
    """The ``icudtNN_dat`` object a 64-bit little-endian ELF library exports."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise IcuTrimError("not a 64-bit little-endian ELF file")
    phoff, shoff = struct.unpack_from("<QQ", elf, 32)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", elf, 54)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    dynsym = next((s for s in sections if s[1] == 11), None)  # SHT_DYNSYM
    if dynsym is None:
        raise IcuTrimError("no dynamic symbol table")
    strtab = sections[dynsym[6]]
    names = elf[strtab[4] : strtab[4] + strtab[5]]
    loads = []
    for i in range(phnum):
        p_type, _f, p_offset, p_vaddr, _pa, p_filesz, _m, _al = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize
        )
        if p_type == 1:  # PT_LOAD
            loads.append((p_vaddr, p_offset, p_filesz))
    entsize = dynsym[9] or 24
    for i in range(dynsym[5] // entsize):
        st_name, st_info, _other, st_shndx, st_value, st_size = struct.unpack_from(
            "<IBBHQQ", elf, dynsym[4] + i * entsize
        )
        name = names[st_name : names.index(b"\0", st_name)].decode("ascii", "replace")
        if not _DAT_SYMBOL.match(name) or st_shndx == 0 or st_info & 0xF != 1:  # STT_OBJECT
            continue
        for vaddr, offset, filesz in loads:
            if vaddr <= st_value and st_value + st_size <= vaddr + filesz:
                return DataSymbol(name, offset + st_value - vaddr, st_size)
        raise IcuTrimError(f"{name} does not lie in a loaded segment")
    raise IcuTrimError("no exported icudtNN_dat object")


def symbol_version(library: Path, symbol: str, nm: str = "nm") -> str | None:
    """The version ``library`` gives ``symbol`` (``icudt73_dat@@ICU_73`` -> ICU_73), or None."""
    out = subprocess.run(
        [nm, "-D", "--defined-only", str(library)], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2].partition("@")[0] == symbol:
            version = fields[2].partition("@")[2].lstrip("@")
            return version or None
    raise IcuTrimError(f"nm does not list {symbol}")


# -- the common data package -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Package:
    header: bytes  # DataHeader + copyright text, headerSize bytes
    items: tuple[tuple[str, bytes], ...]  # (name, data incl. its padding), sorted by name

    @property
    def prefix(self) -> str:
        """The package name every item starts with (``icudt73l``)."""
        return self.items[0][0].split("/", 1)[0] if self.items else ""


def parse_package(blob: bytes) -> Package:
    """Split an ICU common data package (format ``CmnD`` 1, little-endian, ASCII)."""
    if len(blob) < 32:
        raise IcuTrimError("the data package is too short")
    header_size, magic1, magic2 = struct.unpack_from("<HBB", blob, 0)
    big_endian, charset = blob[8], blob[9]
    if (magic1, magic2) != _HEADER_MAGIC or blob[12:16] != b"CmnD" or blob[16] != 1:
        raise IcuTrimError("not an ICU common data package (CmnD 1)")
    if big_endian or charset:
        raise IcuTrimError("only little-endian ASCII packages are handled")
    toc = memoryview(blob)[header_size:]
    (count,) = struct.unpack_from("<I", toc, 0)
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_offset, data_offset) in enumerate(entries):
        end = bytes(toc[name_offset : name_offset + 256]).find(b"\0")
        if end < 0:
            raise IcuTrimError(f"item {i}: unterminated name")
        name = bytes(toc[name_offset : name_offset + end]).decode("ascii")
        limit = entries[i + 1][1] if i + 1 < count else len(toc)
        if not 0 < data_offset <= limit <= len(toc):
            raise IcuTrimError(f"{name}: data offset out of order")
        items.append((name, bytes(toc[data_offset:limit])))
    names = [n.encode() for n, _ in items]
    if names != sorted(names):
        raise IcuTrimError("the table of contents is not sorted")
    return Package(bytes(blob[:header_size]), tuple(items))


def _pad(size: int) -> int:
    return -size % _ALIGN


def build_package(package: Package) -> bytes:
    """The package as ICU reads it: header, TOC, names, then 16-byte-aligned items."""
    if len(package.header) % _ALIGN:
        raise IcuTrimError("the header size is not a multiple of 16")
    items = sorted(package.items, key=lambda item: item[0].encode())
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    table_size = 4 + 8 * len(items)
    name_offset = table_size
    data_offset = table_size + len(names) + _pad(table_size + len(names))
    entries = bytearray(struct.pack("<I", len(items)))
    body = bytearray()
    for name, data in items:
        entries += struct.pack("<II", name_offset, data_offset + len(body))
        name_offset += len(name) + 1
        body += data + _FILL * _pad(len(data))
    gap = _FILL * _pad(table_size + len(names))
    return package.header + bytes(entries) + names + gap + bytes(body)


def is_single_byte_converter(data: bytes) -> bool:
    """Whether a ``.cnv`` item is a single-byte code page (UConverterStaticData byte +71)."""
    (header_size,) = struct.unpack_from("<H", data, 0)
    return len(data) > header_size + 72 and data[header_size + 71] == 1


def keep_item(name: str, data: bytes) -> bool:
    """Whether the trimmed package keeps the item ``name`` (``icudt73l/coll/ru.res``)."""
    parts = name.split("/")[1:]
    if not parts:
        return True
    base = parts[-1]
    if (len(parts) > 1 and parts[0] in DROPPED_TREES) or base in DROPPED_FILES:
        return False
    if base.endswith(DROPPED_SUFFIXES):
        return False
    if base.endswith(".cnv"):
        return is_single_byte_converter(data)
    stem, _, suffix = base.rpartition(".")
    if suffix != "res" or stem in SHARED_BUNDLES or not _LOCALE_ID.match(stem):
        return True  # shared data: supplementalData, zoneinfo64, ucadata.icu, *.brk...
    return stem.split("_", 1)[0] in KEPT_LANGUAGES


def trim_package(package: Package) -> Package:
    return Package(package.header, tuple(i for i in package.items if keep_item(*i)))


# -- the replacement library -------------------------------------------------------------------
def build_library(
    blob: bytes, soname: str, symbol: str, version: str | None, outdir: Path, *, cc: str = "cc"
) -> Path:
    """Compile ``outdir/soname`` exporting ``blob`` as the 16-byte-aligned object ``symbol``."""
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "package.dat").write_bytes(blob)
    (outdir / "package.S").write_text(
        "\n".join(
            [
                '    .section .rodata,"a",@progbits',
                "    .balign 16",
                f"    .globl {symbol}",
                f"    .type {symbol}, @object",
                f"{symbol}:",
                '    .incbin "package.dat"',
                f"    .size {symbol}, . - {symbol}",
                '    .section .note.GNU-stack,"",@progbits',
                "",
            ]
        ),
        encoding="ascii",
    )
    args = [cc, "-shared", "-nostdlib", "-s", "-Wl,-z,noexecstack", f"-Wl,-soname,{soname}"]
    if version:
        (outdir / "package.map").write_text(f"{version} {{ global: {symbol}; local: *; }};\n")
        args.append("-Wl,--version-script,package.map")
    target = outdir / soname
    subprocess.run(
        [*args, "-o", soname, "package.S"], cwd=outdir, capture_output=True, text=True, check=True
    )
    return target


# -- validation --------------------------------------------------------------------------------
def _run_check(args: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, str(_CHECK_SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )
    if proc.returncode != 0:
        raise IcuTrimError(f"icu_check {args[0]} failed: {proc.stderr.strip()[-500:]}")
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def differences(original: dict[str, object], trimmed: dict[str, object]) -> list[str]:
    """Probe names whose result differs (the ``_info`` entries are not compared)."""
    keys = sorted((original.keys() | trimmed.keys()) - {"_info"})
    return [k for k in keys if original.get(k) != trimmed.get(k)]


def validate(trimmed_lib: Path, original_lib: Path, libdir: Path, qt: bool = True) -> str:
    """Raise IcuTrimError unless ICU (and Qt) give the same en/ru results on both libraries.

    ``libdir`` holds the libicuuc/libicui18n to load them with. The ICU probes run in
    fresh processes; the Qt probes run PySide6 with the library preloaded.
    """
    with tempfile.TemporaryDirectory(prefix="dots-icu-check-") as empty:
        # An empty ICU_DATA keeps a system ICU data folder from filling dropped items in.
        env = dict(os.environ, ICU_DATA=empty)
        before = _run_check(["icu", str(libdir), str(original_lib)], env)
        after = _run_check(["icu", str(libdir), str(trimmed_lib)], env)
        info, old_info = after.get("_info"), before.get("_info")
        if not isinstance(info, dict) or info.get("data_library") != str(trimmed_lib.resolve()):
            raise IcuTrimError(f"the check did not load the trimmed library ({info})")
        # Swedish collation is dropped: the original opens it, the trimmed one falls back.
        if not isinstance(old_info, dict) or old_info.get("dropped_collation_status") != 0:
            raise IcuTrimError(f"the original library does not open Swedish collation ({old_info})")
        if info.get("dropped_collation_status") == 0:
            raise IcuTrimError("the trimmed library still opens dropped locale data")
        changed = differences(before, after)
        if changed:
            raise IcuTrimError(f"ICU results differ for {changed}")
        done = f"{len(before) - 1} ICU probes"
        if qt:
            qt_before = _run_check(["qt"], env)
            qt_after = _run_check(["qt"], dict(env, LD_PRELOAD=str(trimmed_lib)))
            qt_info = qt_after.get("_info")
            if not isinstance(qt_info, dict) or qt_info.get("data_library") != str(
                trimmed_lib.resolve()
            ):
                raise IcuTrimError(f"Qt did not load the trimmed library ({qt_info})")
            changed = differences(qt_before, qt_after)
            if changed:
                raise IcuTrimError(f"Qt results differ for {changed}")
            done += f", {len(qt_before) - 1} Qt probes"
    return done


def trim_toc(
    binaries: list[TocEntry], workdir: Path, cc: str = "cc", qt_check: bool = True
) -> tuple[list[TocEntry], str]:
    """``binaries`` with libicudata replaced by a trimmed, validated copy from ``workdir``.

    Returns the new TOC and a one-line note for the build log; on any problem the TOC is
    returned unchanged and the note (also logged as a warning) says why.
    """
    entry = next(
        (e for e in binaries if e[2] == "BINARY" and _LIBICUDATA.match(Path(e[0]).name)), None
    )
    if entry is None:
        return binaries, "no libicudata collected"
    if shutil.which(cc) is None or shutil.which("nm") is None:
        why = f"kept whole: {cc} or nm is missing"
        logger.warning("ICU data %s", why)
        return binaries, why
    original = Path(entry[1])
    soname = Path(entry[0]).name
    libdir = original.parent
    try:
        elf = original.read_bytes()
        symbol = find_data_symbol(elf)
        version = symbol_version(original, symbol.name)
        full = parse_package(elf[symbol.offset : symbol.offset + symbol.size])
        trimmed = trim_package(full)
        blob = build_package(trimmed)
        target = build_library(blob, soname, symbol.name, version, workdir, cc=cc)
        checked = validate(target, original, libdir, qt=qt_check)
    except (OSError, ValueError, IcuTrimError, subprocess.SubprocessError) as exc:
        why = f"kept whole: {exc}"
        logger.warning("ICU data %s", why)
        return binaries, why
    note = (
        f"{len(trimmed.items)} of {len(full.items)} items, {symbol.size / 2**20:.1f} -> "
        f"{len(blob) / 2**20:.1f} MiB ({checked} match the original)"
    )
    out = [(d, str(target) if (d, s, k) == entry else s, k) for d, s, k in binaries]
    return out, note


def installed_icudata() -> Path:
    """The libicudata of the installed PySide6 wheel (the original the bundle's came from)."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        raise IcuTrimError("PySide6 is not installed")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("Qt/lib/libicudata.so.*"))
    if not found:
        raise IcuTrimError("PySide6 ships no libicudata")
    return found[0]


def main(argv: list[str]) -> int:
    """``icu_trim.py check LIB``: compare a bundle's libicudata with the wheel's (CI step)."""
    if len(argv) != 2 or argv[0] != "check":
        print("usage: python installer/icu_trim.py check BUNDLE/_internal/.../libicudata.so.NN")
        return 2
    bundled = Path(argv[1]).resolve()
    try:
        original = installed_icudata()
        if bundled.stat().st_size == original.stat().st_size:
            print(f"ICU data: {bundled} is the full library ({bundled.stat().st_size} bytes)")
            return 0
        result = validate(bundled, original, original.parent)
    except (OSError, IcuTrimError, subprocess.SubprocessError) as exc:
        print(f"ICU data check FAILED: {exc}", file=sys.stderr)
        return 1
    size = bundled.stat().st_size / 2**20
    print(f"ICU data: trimmed library {size:.1f} MiB; {result} match the full library")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
