"""Which languages the built-in engine reads, which backend reads them, what to install.

The bundled RapidOCR models read Latin and Chinese text. Other languages come from the
system's Tesseract and its language packs (``rus``, ``deu``...), named the Tesseract way
and joined with ``+`` (``rus+eng``). ``auto`` means: bundled models, and Tesseract for a
page that turns out to be in a script they do not read.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from desktop.core.messages import Code, Msg

Backend = Literal["rapidocr", "tesseract"]
OsFamily = Literal["debian", "fedora", "arch", "linux", "macos", "windows"]

AUTO = "auto"

#: ``languages`` values the bundled models cover, and their Tesseract names.
BUNDLED_LANGUAGES: dict[str, str] = {
    "en": "eng",
    "eng": "eng",
    "latin": "eng",
    "zh": "chi_sim",
    "ch": "chi_sim",
    "chi_sim": "chi_sim",
    "chinese": "chi_sim",
}

#: Tesseract language for each script the bundled models cannot read.
SCRIPT_LANGUAGES: dict[str, str] = {
    "Cyrillic": "rus",
    "Greek": "ell",
    "Arabic": "ara",
    "Hebrew": "heb",
    "Devanagari": "hin",
}

#: Names for the language codes a user is likely to meet (others show their code).
LANGUAGE_NAMES: dict[str, str] = {
    "ara": "Arabic",
    "bel": "Belarusian",
    "bul": "Bulgarian",
    "ces": "Czech",
    "chi_sim": "Chinese (simplified)",
    "chi_tra": "Chinese (traditional)",
    "dan": "Danish",
    "deu": "German",
    "ell": "Greek",
    "eng": "English",
    "fin": "Finnish",
    "fra": "French",
    "heb": "Hebrew",
    "hin": "Hindi",
    "hun": "Hungarian",
    "ita": "Italian",
    "jpn": "Japanese",
    "kaz": "Kazakh",
    "kor": "Korean",
    "nld": "Dutch",
    "nor": "Norwegian",
    "pol": "Polish",
    "por": "Portuguese",
    "ron": "Romanian",
    "rus": "Russian",
    "spa": "Spanish",
    "srp": "Serbian",
    "swe": "Swedish",
    "tur": "Turkish",
    "ukr": "Ukrainian",
}

#: Packs Tesseract lists that are not languages a user would pick.
NOT_LANGUAGES = frozenset({"osd", "equ"})

_SPEC = re.compile(r"^[A-Za-z][A-Za-z_]*(\+[A-Za-z][A-Za-z_]*)*$")


@dataclass(frozen=True, slots=True)
class LanguageChoice:
    """One entry of a language picker: the ``languages`` value, its label, who reads it."""

    code: str
    label: str
    backend: Backend


def valid_spec(spec: str) -> bool:
    """Whether ``spec`` looks like ``auto``, ``rus`` or ``rus+eng``."""
    return bool(_SPEC.match(spec.strip()))


def split_languages(spec: str) -> list[str]:
    """``"rus+eng"`` -> ``["rus", "eng"]`` (commas accepted too); empty -> ``["auto"]``."""
    parts = [p.strip() for p in spec.replace(",", "+").split("+") if p.strip()]
    return parts or [AUTO]


def resolve(spec: str) -> tuple[Backend, str]:
    """The backend for ``spec`` and the Tesseract language string it would use.

    ``auto`` and the bundled languages go to RapidOCR; anything else to Tesseract.
    """
    parts = split_languages(spec)
    if parts == [AUTO]:
        return "rapidocr", "eng"
    if all(p.lower() in BUNDLED_LANGUAGES for p in parts):
        return "rapidocr", "+".join(dict.fromkeys(BUNDLED_LANGUAGES[p.lower()] for p in parts))
    names = [BUNDLED_LANGUAGES.get(p.lower(), p) for p in parts if p != AUTO]
    return "tesseract", "+".join(dict.fromkeys(names))


def language_name(code: str) -> str:
    """``rus`` -> ``Russian``; ``rus+eng`` -> ``Russian + English``; unknown codes stay."""
    return " + ".join(LANGUAGE_NAMES.get(p, p) for p in split_languages(code))


def language_choices(tesseract_languages: Sequence[str] = ()) -> list[LanguageChoice]:
    """Entries for a language picker: automatic first, then each installed Tesseract pack."""
    choices = [
        LanguageChoice(AUTO, "Automatic (Latin and Chinese built in)", "rapidocr"),
    ]
    for code in sorted(set(tesseract_languages) - NOT_LANGUAGES, key=language_name):
        choices.append(LanguageChoice(code, f"{language_name(code)} (Tesseract)", "tesseract"))
    return choices


def os_family(platform: str | None = None, os_release: str | None = None) -> OsFamily:
    """Which install instructions fit this machine."""
    platform = platform or sys.platform
    if platform == "darwin":
        return "macos"
    if platform.startswith("win"):
        return "windows"
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text(encoding="utf-8", errors="replace")
        except OSError:
            os_release = ""
    ids = " ".join(
        line.split("=", 1)[1].strip().strip('"').lower()
        for line in os_release.splitlines()
        if line.startswith(("ID=", "ID_LIKE="))
    ).split()
    if any(i in ("debian", "ubuntu") for i in ids):
        return "debian"
    if any(i in ("fedora", "rhel", "centos") for i in ids):
        return "fedora"
    if "arch" in ids:
        return "arch"
    return "linux"


def install_command(lang: str, *, with_tesseract: bool, family: OsFamily | None = None) -> str:
    """What to run (or do) to get Tesseract's ``lang`` pack, for this OS."""
    family = family or os_family()
    if family == "debian":
        pkgs = (["tesseract-ocr"] if with_tesseract else []) + [
            "tesseract-ocr-" + lang.replace("_", "-").lower()
        ]
        return "sudo apt install " + " ".join(pkgs)
    if family == "fedora":
        pkgs = (["tesseract"] if with_tesseract else []) + [f"tesseract-langpack-{lang}"]
        return "sudo dnf install " + " ".join(pkgs)
    if family == "arch":
        pkgs = (["tesseract"] if with_tesseract else []) + [f"tesseract-data-{lang}"]
        return "sudo pacman -S " + " ".join(pkgs)
    if family == "macos":
        return (
            "brew install tesseract tesseract-lang"
            if with_tesseract
            else ("brew install tesseract-lang")
        )
    if family == "windows":
        if with_tesseract:
            return (
                "use the UB Mannheim Tesseract installer and tick "
                f"{lang}.traineddata under the additional language data"
            )
        return (
            f"rerun the UB Mannheim installer and tick {lang}.traineddata, or copy "
            f"{lang}.traineddata into Tesseract's tessdata folder"
        )
    return f"install your distribution's Tesseract package for '{lang}'"


def install_clause(lang: str, *, have_tesseract: bool, family: OsFamily | None = None) -> Msg:
    """``install Tesseract's Russian language pack: sudo apt install tesseract-ocr-rus``."""
    family = family or os_family()
    how: str | Msg = install_command(lang, with_tesseract=not have_tesseract, family=family)
    if family == "windows":  # steps in words, not a command: a fact of their own
        code = Code.HOW_WINDOWS_ADD if have_tesseract else Code.HOW_WINDOWS_NEW
        how = Msg.of(code, lang=lang)
    elif family == "linux":
        how = Msg.of(Code.HOW_LINUX_PACKAGE, lang=lang)
    code = Code.INSTALL_PACK if have_tesseract else Code.INSTALL_WITH_PACK
    return Msg.of(code, language=language_name(lang), lang=lang, how=how)
