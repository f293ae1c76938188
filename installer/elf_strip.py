"""Strip symbol tables and debug info from the ELF files collected into the Linux bundle.

PyInstaller's own ``strip=True`` runs ``strip`` on every binary blindly. That breaks
libraries that auditwheel/patchelf edited (numpy's ``libscipy_openblas64_``): ``strip``
rewrites them with a PT_LOAD segment whose file offset no longer matches its address
modulo the page size, and the dynamic loader refuses them ("ELF load command
address/offset not page-aligned"). Here each stripped copy is checked and the original
is kept when the check fails. The large win is the interpreter: python.org/pyenv builds
ship ``libpython3.11.so`` and ``lib-dynload/*.so`` with full debug info (22 -> 5 MiB).

The spec calls :func:`stripped_toc` on ``a.binaries``; the stripped copies live in the
PyInstaller work folder, the source environment is never touched.
"""

from __future__ import annotations

import logging
import shutil
import struct
import subprocess
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

TocEntry = tuple[str, str, str]

_ELF_MAGIC = b"\x7fELF"
_ELFCLASS64 = 2
_ELFDATA2LSB = 1
_PT_LOAD = 1
_PT_DYNAMIC = 2
_SHT_NOBITS = 8
#: TOC kinds that are native code (shared libraries and Python extension modules).
_NATIVE_KINDS = frozenset({"BINARY", "EXTENSION"})


def _header(data: bytes) -> tuple[int, int, int, int, int, int, int] | None:
    """(phoff, shoff, phentsize, phnum, shentsize, shnum, shstrndx) of a 64-bit LE ELF."""
    if len(data) < 64 or data[:4] != _ELF_MAGIC:
        return None
    if data[4] != _ELFCLASS64 or data[5] != _ELFDATA2LSB:
        return None  # only x86-64/aarch64 Linux builds are stripped
    (phoff, shoff) = struct.unpack_from("<QQ", data, 32)
    (phentsize, phnum, shentsize, shnum, shstrndx) = struct.unpack_from("<HHHHH", data, 54)
    return phoff, shoff, phentsize, phnum, shentsize, shnum, shstrndx


def load_segments_congruent(data: bytes) -> bool:
    """Whether every PT_LOAD segment's file offset and address agree modulo its alignment.

    ``data`` is the whole file. Non-ELF data counts as fine (there is nothing to load).
    """
    header = _header(data)
    if header is None:
        return True
    phoff, _shoff, phentsize, phnum, *_ = header
    for i in range(phnum):
        start = phoff + i * phentsize
        if start + 56 > len(data):
            return False  # truncated program header table
        p_type, _flags, p_offset, p_vaddr, _paddr, _filesz, _memsz, p_align = struct.unpack_from(
            "<IIQQQQQQ", data, start
        )
        if p_type == _PT_LOAD and p_align > 1 and (p_offset - p_vaddr) % p_align:
            return False
    return True


def section_names(data: bytes) -> list[str]:
    """Names of the ELF file's sections (empty for non-ELF or section-less files)."""
    header = _header(data)
    if header is None:
        return []
    _phoff, shoff, _phentsize, _phnum, shentsize, shnum, shstrndx = header
    if not shoff or not shnum or shstrndx >= shnum or shoff + shnum * shentsize > len(data):
        return []

    def section(i: int) -> tuple[int, int, int, int]:
        name, sh_type, _flags, _addr, offset, size = struct.unpack_from(
            "<IIQQQQ", data, shoff + i * shentsize
        )
        return name, sh_type, offset, size

    _n, _t, str_off, str_size = section(shstrndx)
    strtab = data[str_off : str_off + str_size]
    names = []
    for i in range(shnum):
        name_off, _type, _off, _size = section(i)
        end = strtab.find(b"\0", name_off)
        names.append(strtab[name_off : end if end >= 0 else None].decode("ascii", "replace"))
    return names


def needed_libraries(path: str | Path) -> list[str]:
    """The DT_NEEDED names of a 64-bit LE ELF file (not their dependencies, unlike ``ldd``).

    Empty for anything else or an unreadable file (nothing PyInstaller must resolve).
    """
    try:
        data = Path(path).read_bytes()
    except OSError:
        return []
    header = _header(data)
    if header is None:
        return []
    phoff, _shoff, phentsize, phnum, *_ = header
    loads: list[tuple[int, int, int]] = []
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        p_type, _f, p_offset, p_vaddr, _pa, p_filesz, _m, _al = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize
        )
        if p_type == _PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == _PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return []
    needed: list[int] = []
    strtab = None
    for pos in range(dynamic[0], dynamic[0] + dynamic[1] - 15, 16):
        tag, value = struct.unpack_from("<qQ", data, pos)
        if tag == 0:  # DT_NULL
            break
        if tag == 1:  # DT_NEEDED
            needed.append(value)
        elif tag == 5:  # DT_STRTAB (an address)
            strtab = next((o + value - v for v, o, n in loads if v <= value < v + n), None)
    if strtab is None:
        return []
    names = []
    for offset in needed:
        start = strtab + offset
        names.append(data[start : data.index(b"\0", start)].decode("utf-8", "replace"))
    return names


def has_strippable_sections(data: bytes) -> bool:
    """True when the ELF file carries a symbol table or debug info that ``strip`` removes."""
    return any(n == ".symtab" or n.startswith((".debug", ".zdebug")) for n in section_names(data))


def strip_copy(src: Path, dest: Path, strip: str = "strip") -> bool:
    """Write a stripped copy of ``src`` to ``dest``; False (and no ``dest``) when unusable.

    Unusable: not a 64-bit ELF with symbols/debug info, ``strip`` failed, or the copy
    would not load (see :func:`load_segments_congruent`).
    """
    data = src.read_bytes()
    if not has_strippable_sections(data):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [strip, "--strip-all", "-o", str(dest), str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not dest.exists():
        logger.warning("strip failed on %s: %s", src, result.stderr.strip())
        dest.unlink(missing_ok=True)
        return False
    if not load_segments_congruent(dest.read_bytes()):
        logger.info("keeping %s unstripped: strip breaks its segment alignment", src)
        dest.unlink()
        return False
    shutil.copymode(src, dest)
    return True


def stripped_toc(
    binaries: Iterable[TocEntry], workdir: Path, strip: str = "strip"
) -> tuple[list[TocEntry], int]:
    """``binaries`` with native files replaced by stripped copies under ``workdir``.

    Returns the new TOC and the bytes saved. Entries that are not native code, are
    already stripped, or cannot be stripped safely keep their source.
    """
    out: list[TocEntry] = []
    saved = 0
    for dest, src, kind in binaries:
        if kind in _NATIVE_KINDS:
            target = workdir / dest
            if strip_copy(Path(src), target, strip):
                saved += Path(src).stat().st_size - target.stat().st_size
                out.append((dest, str(target), kind))
                continue
        out.append((dest, src, kind))
    return out, saved
