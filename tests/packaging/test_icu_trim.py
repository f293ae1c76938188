"""Trimming ICU's data library: the wheel's package round-trips, the trimmed library loads in
ICU and Qt and reads English/Russian data exactly like the full one, a bad trim is refused."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.installer_modules import load_installer_module

ROOT = Path(__file__).resolve().parents[2]


icu = load_installer_module("icu_trim")
elf_strip = load_installer_module("elf_strip")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the Linux wheel's libicudata"
)
needs_cc = pytest.mark.skipif(
    not (shutil.which("cc") and shutil.which("nm")), reason="needs cc and nm (binutils)"
)


@pytest.fixture(scope="module")
def icudata() -> Path:
    path: Path = icu.installed_icudata()
    return path


@pytest.fixture(scope="module")
def wheel_blob(icudata: Path) -> bytes:
    elf = icudata.read_bytes()
    symbol = icu.find_data_symbol(elf)
    assert symbol.name == "icudt73_dat"
    return elf[symbol.offset : symbol.offset + symbol.size]


@pytest.fixture(scope="module")
def wheel_package(wheel_blob: bytes) -> Any:
    return icu.parse_package(wheel_blob)


def _names(package: Any) -> set[str]:
    return {name.split("/", 1)[1] for name, _data in package.items}


def test_the_wheels_package_parses_and_rebuilds_byte_for_byte(
    wheel_blob: bytes, wheel_package: Any
) -> None:
    assert wheel_package.prefix == "icudt73l"
    assert len(wheel_package.items) > 3000
    assert icu.build_package(wheel_package) == wheel_blob


KEPT = (
    "root.res",
    "en.res",
    "en_GB.res",
    "ru.res",
    "ru_UA.res",
    "pool.res",
    "res_index.res",
    "supplementalData.res",
    "likelySubtags.res",
    "zoneinfo64.res",
    "metaZones.res",
    "timezoneTypes.res",
    "cnvalias.icu",
    "nfkc.nrm",
    "coll/root.res",
    "coll/ru.res",
    "coll/ucadata.icu",
    "zone/root.res",
    "zone/ru.res",
    "zone/pool.res",
    "brkitr/ru.res",
    "brkitr/word.brk",
    "brkitr/line.brk",
    "ibm-5347_P100-1998.cnv",  # windows-1251
    "ibm-878_P100-1996.cnv",  # KOI8-R
    "ibm-866_P100-1995.cnv",  # IBM866
    "ibm-915_P100-1995.cnv",  # ISO-8859-5
)
DROPPED = (
    "de.res",
    "zh.res",
    "coll/sv.res",
    "coll/zh.res",
    "zone/ja.res",
    "lang/fr.res",
    "brkitr/cjdict.dict",
    "brkitr/thaidict.dict",
    "translit/root.res",
    "gb18030.cnv",
    "ibm-943_P15A-2003.cnv",  # Shift_JIS
    "unames.icu",
    "confusables.cfu",
    "rfc3491.spp",
)


def test_the_trimmed_package_keeps_english_russian_and_shared_data(wheel_package: Any) -> None:
    full = _names(wheel_package)
    trimmed = icu.trim_package(wheel_package)
    names = _names(trimmed)
    assert set(KEPT) <= full and set(DROPPED) <= full  # the names are real
    assert set(KEPT) <= names
    assert not set(DROPPED) & names
    assert sum(len(data) for _n, data in trimmed.items) < 6 * 2**20


def test_a_rebuilt_package_has_a_sorted_16_byte_aligned_table_of_contents(
    wheel_package: Any,
) -> None:
    trimmed = icu.trim_package(wheel_package)
    blob = icu.build_package(trimmed)
    (header_size,) = struct.unpack_from("<H", blob, 0)
    (count,) = struct.unpack_from("<I", blob, header_size)
    entries = [struct.unpack_from("<II", blob, header_size + 4 + 8 * i) for i in range(count)]
    names = [blob[header_size + n : blob.index(b"\0", header_size + n)] for n, _d in entries]
    assert count == len(trimmed.items)
    assert names == sorted(names)
    assert all((header_size + data) % 16 == 0 for _n, data in entries)
    assert icu.parse_package(blob) == trimmed


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("icudt73l/coll/ru.res", True),
        ("icudt73l/coll/ru_RU.res", True),
        ("icudt73l/en_150.res", True),
        ("icudt73l/coll/de__PHONEBOOK.res", False),
        ("icudt73l/coll/de_.res", False),
        ("icudt73l/sr_Latn_BA.res", False),
        ("icudt73l/zone/tzdbNames.res", True),
        ("icudt73l/curr/supplementalData.res", True),
        ("icudt73l/unit/pool.res", True),
        ("icudt73l/rbnf/res_index.res", True),
        ("icudt73l/translit/en.res", False),
        ("icudt73l/brkitr/khmerdict.dict", False),
        ("icudt73l/uts46.nrm", True),
    ],
)
def test_items_are_kept_by_tree_language_and_kind(name: str, kept: bool) -> None:
    assert icu.keep_item(name, b"") is kept


def _converter(max_bytes: int) -> bytes:
    header = struct.pack("<HBB", 32, 0xDA, 0x27) + bytes(28)
    static = bytearray(100)
    static[71] = max_bytes
    return header + bytes(static)


def test_only_single_byte_converter_tables_are_kept() -> None:
    assert icu.keep_item("icudt73l/ibm-5347_P100-1998.cnv", _converter(1))
    assert not icu.keep_item("icudt73l/ibm-1386_P100-2001.cnv", _converter(2))


def test_data_that_is_not_a_common_data_package_is_refused() -> None:
    with pytest.raises(icu.IcuTrimError, match="CmnD"):
        icu.parse_package(struct.pack("<HBB", 32, 0xDA, 0x27) + bytes(8) + b"ResB" + bytes(60))
    with pytest.raises(icu.IcuTrimError, match="ELF"):
        icu.find_data_symbol(b"MZ" + bytes(100))


def _toc(icudata: Path) -> list[tuple[str, str, str]]:
    return [
        ("PySide6/Qt/lib/libicudata.so.73", str(icudata), "BINARY"),
        ("libicudata.so.73", "PySide6/Qt/lib/libicudata.so.73", "SYMLINK"),
        ("PySide6/Qt/lib/libicuuc.so.73", str(icudata.with_name("libicuuc.so.73")), "BINARY"),
    ]


@needs_cc
@pytest.mark.timeout(180)
def test_the_trimmed_library_loads_in_icu_and_reads_russian_like_the_full_one(
    icudata: Path, tmp_path: Path
) -> None:
    toc = _toc(icudata)
    new, note = icu.trim_toc(toc, tmp_path)
    library = tmp_path / "libicudata.so.73"
    assert new == [(toc[0][0], str(library), "BINARY"), toc[1], toc[2]]
    assert "match the original" in note, note
    assert library.stat().st_size < icudata.stat().st_size / 4
    assert icu.find_data_symbol(library.read_bytes()).name == "icudt73_dat"
    assert elf_strip.needed_libraries(library) == []
    check = ROOT / "installer" / "icu_check.py"
    proc = subprocess.run(
        [sys.executable, str(check), "icu", str(icudata.parent), str(library)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    probes = json.loads(proc.stdout)
    opened, _attr, order = probes["collation ru"]
    assert opened == 0  # U_ZERO_ERROR: Russian collation data is there
    assert order[:3] == ["арбуз", "Ёж", "ёлка"]  # Cyrillic before Latin, ё with е
    assert probes["converter windows-1251"][-1].startswith("d1fae5f8fc")  # "Съешь"
    assert probes["converter KOI8-R"][0] == 0
    assert probes["zone names Europe/Moscow ru"][1][0] == [0, "Москва, стандартное время"]
    assert probes["_info"]["data_library"] == str(library)
    assert probes["_info"]["dropped_collation_status"] != 0  # Swedish falls back to root


@needs_cc
def test_without_a_compiler_the_full_library_stays(icudata: Path, tmp_path: Path) -> None:
    toc = _toc(icudata)
    new, note = icu.trim_toc(toc, tmp_path, cc="no-such-compiler")
    assert new == toc
    assert "kept whole" in note


@needs_cc
@pytest.mark.timeout(180)
def test_a_trim_that_changes_what_qt_or_icu_read_is_refused(
    icudata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without Russian data, Russian collation and zone names change: the check must notice.
    monkeypatch.setattr(icu, "KEPT_LANGUAGES", frozenset({"root", "en"}))
    toc = _toc(icudata)
    new, note = icu.trim_toc(toc, tmp_path, qt_check=False)
    assert new == toc
    assert "kept whole" in note and "differ" in note
