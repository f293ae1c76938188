"""Stripping the bundle's ELF files: smaller, still loadable, never a broken copy."""

from __future__ import annotations

import ctypes
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.installer_modules import load_installer_module

elf_strip = load_installer_module("elf_strip")

needs_toolchain = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not (shutil.which("cc") and shutil.which("strip")),
    reason="needs Linux with cc and strip",
)


def _elf_with_load(offset: int, vaddr: int, align: int = 0x1000) -> bytes:
    """A minimal 64-bit little-endian ELF header plus one PT_LOAD program header."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<QQ", header, 32, 64, 0)  # e_phoff, e_shoff
    struct.pack_into("<HHHHH", header, 54, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, offset, vaddr, vaddr, 16, 16, align)
    return bytes(header) + phdr


def test_a_load_segment_whose_offset_matches_its_address_modulo_the_page_is_loadable() -> None:
    assert elf_strip.load_segments_congruent(_elf_with_load(0x2098, 0x3098))


def test_a_load_segment_shifted_off_its_page_offset_is_rejected() -> None:
    # What `strip` makes of numpy's patchelf-edited libscipy_openblas64_.
    assert not elf_strip.load_segments_congruent(_elf_with_load(0x1621098, 0x166B000))


def test_non_elf_data_has_nothing_to_strip() -> None:
    assert elf_strip.load_segments_congruent(b"just text")
    assert not elf_strip.has_strippable_sections(b"just text")


@pytest.fixture(scope="module")
def debug_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("elf")
    source = folder / "answer.c"
    source.write_text("int answer(void) { return 42; }\n", encoding="utf-8")
    library = folder / "libanswer.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-g", "-o", str(library), str(source)], check=True)
    return library


@needs_toolchain
def test_stripping_a_debug_library_drops_symbols_and_debug_info_and_it_still_works(
    debug_library: Path, tmp_path: Path
) -> None:
    assert elf_strip.has_strippable_sections(debug_library.read_bytes())
    out = tmp_path / "libanswer.so"
    assert elf_strip.strip_copy(debug_library, out)
    assert out.stat().st_size < debug_library.stat().st_size
    names = elf_strip.section_names(out.read_bytes())
    assert ".symtab" not in names and not any(n.startswith(".debug") for n in names)
    assert ctypes.CDLL(str(out)).answer() == 42


@needs_toolchain
def test_an_already_stripped_library_is_left_alone(debug_library: Path, tmp_path: Path) -> None:
    stripped = tmp_path / "once.so"
    assert elf_strip.strip_copy(debug_library, stripped)
    again = tmp_path / "twice.so"
    assert not elf_strip.strip_copy(stripped, again)
    assert not again.exists()


@needs_toolchain
def test_the_toc_points_native_entries_at_stripped_copies_and_keeps_the_rest(
    debug_library: Path, tmp_path: Path
) -> None:
    toc = [
        ("libanswer.so", str(debug_library), "BINARY"),
        ("mod/answer.so", str(debug_library), "EXTENSION"),
        ("data/answer.c", str(debug_library.with_suffix(".c")), "DATA"),
    ]
    new, saved = elf_strip.stripped_toc(toc, tmp_path / "work")
    assert saved > 0
    assert new[0][1] == str(tmp_path / "work" / "libanswer.so")
    assert new[1][1] == str(tmp_path / "work" / "mod" / "answer.so")
    assert new[2] == toc[2]


@needs_toolchain
def test_needed_libraries_lists_what_the_linker_recorded(tmp_path: Path) -> None:
    source = tmp_path / "needs.c"
    source.write_text("#include <math.h>\ndouble f(double x) { return sqrt(x); }\n")
    library = tmp_path / "libneeds.so"
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-Wl,--no-as-needed", "-o", str(library), str(source), "-lm"],
        check=True,
    )
    out = subprocess.run(
        ["readelf", "-d", str(library)], capture_output=True, text=True, check=True
    ).stdout
    recorded = [ln.split("[", 1)[1].rstrip("]") for ln in out.splitlines() if "(NEEDED)" in ln]
    assert "libm.so.6" in recorded
    assert elf_strip.needed_libraries(library) == recorded


def test_needed_libraries_of_anything_but_an_elf_file_is_empty(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a library\n")
    assert elf_strip.needed_libraries(text) == []
    assert elf_strip.needed_libraries(tmp_path / "missing.so") == []
