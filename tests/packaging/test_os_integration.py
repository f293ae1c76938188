"""OS integration files: Linux desktop entries + scripts, Windows installer, macOS plist."""

from __future__ import annotations

import configparser
import os
import plistlib
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
LINUX = INSTALLER / "linux"


def _desktop_entry(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(LINUX / name, encoding="utf-8")
    return parser


def test_desktop_entry_opens_images_and_pdfs_and_offers_ocr_this() -> None:
    entry = _desktop_entry("dots-desktop.desktop")
    main = entry["Desktop Entry"]
    mimes = main["MimeType"].split(";")
    assert "image/*" in mimes and "application/pdf" in mimes
    assert main["Exec"] == "dots-desktop %F"
    assert main["Icon"] == "dots-desktop"
    assert "ocr-this" in main["Actions"].split(";")
    action = entry["Desktop Action ocr-this"]
    assert action["Name"] == "OCR this"
    assert action["Exec"] == "dots-desktop-ocr-this %f"


def test_open_with_entry_runs_ocr_this_and_stays_out_of_menus() -> None:
    main = _desktop_entry("dots-desktop-ocr-this.desktop")["Desktop Entry"]
    assert main["NoDisplay"] == "true"
    assert main["Exec"] == "dots-desktop-ocr-this %f"
    assert "application/pdf" in main["MimeType"]


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils absent")
@pytest.mark.parametrize("name", ["dots-desktop.desktop", "dots-desktop-ocr-this.desktop"])
def test_desktop_entries_pass_the_freedesktop_validator(name: str) -> None:
    proc = subprocess.run(
        ["desktop-file-validate", str(LINUX / name)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _fake_bundle(tmp_path: Path, app_script: str) -> Path:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name in (
        "dots-desktop.desktop",
        "dots-desktop-ocr-this.desktop",
        "dots-desktop-ocr-this",
        "install.sh",
    ):
        shutil.copy2(LINUX / name, bundle / name)
    shutil.copy2(LINUX / "dots-desktop.svg", bundle / "dots-desktop.svg")
    (bundle / "dots-desktop.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    app = bundle / "dots-desktop"
    app.write_text(app_script, encoding="utf-8")
    app.chmod(app.stat().st_mode | stat.S_IXUSR)
    return bundle


def test_install_sh_puts_absolute_paths_in_menus_and_uninstall_removes_them(
    tmp_path: Path,
) -> None:
    bundle = _fake_bundle(tmp_path, "#!/bin/sh\necho fake\n")
    prefix = tmp_path / "prefix"
    run = subprocess.run(
        ["bash", str(bundle / "install.sh"), "--prefix", str(prefix)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    opt = prefix / "opt" / "dots-desktop"
    entry = (prefix / "share" / "applications" / "dots-desktop.desktop").read_text()
    assert f"Exec={opt}/dots-desktop %F" in entry
    assert f"Exec={opt}/dots-desktop-ocr-this %f" in entry
    assert (prefix / "bin" / "dots-desktop").resolve() == opt / "dots-desktop"
    assert (
        prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "dots-desktop.svg"
    ).exists()

    subprocess.run(
        ["bash", str(bundle / "install.sh"), "--uninstall", "--prefix", str(prefix)],
        capture_output=True,
        check=True,
    )
    assert not opt.exists()
    assert not (prefix / "share" / "applications" / "dots-desktop.desktop").exists()


def _ocr_this(tmp_path: Path, app_script: str, *args: str) -> tuple[int, Path, Path]:
    bundle = _fake_bundle(tmp_path, app_script)
    tools = tmp_path / "tools"
    tools.mkdir()
    clipboard = tmp_path / "clipboard.txt"
    xclip = tools / "xclip"
    xclip.write_text(f'#!/bin/sh\ncat > "{clipboard}"\n', encoding="utf-8")
    xclip.chmod(0o755)
    env = {
        "PATH": f"{tools}:/usr/bin:/bin",
        "DISPLAY": ":99",
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
    }
    run = subprocess.run(
        [str(bundle / "dots-desktop-ocr-this"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return run.returncode, clipboard, bundle


def test_ocr_this_puts_the_markdown_on_the_clipboard(tmp_path: Path) -> None:
    app = '#!/bin/sh\n[ "$1" = ocr ] && echo "# Invoice $4" && exit 0\nexit 9\n'
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"png")
    rc, clipboard, _bundle = _ocr_this(tmp_path, app, str(scan))
    assert rc == 0
    assert clipboard.read_text() == f"# Invoice {scan}\n"


def test_ocr_this_opens_the_window_when_ocr_fails(tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    app = (
        '#!/bin/sh\nif [ "$1" = ocr ]; then echo "error: no engine" >&2; exit 1; fi\n'
        f'echo "$@" > "{opened}"\n'
    )
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"png")
    rc, clipboard, _bundle = _ocr_this(tmp_path, app, str(scan))
    assert rc == 1
    assert not clipboard.exists()
    for _ in range(300):  # the window is started in the background (>= 30 s, bounded)
        # The shell creates the file before echo writes to it: wait for the line.
        if opened.exists() and opened.read_text().endswith("\n"):
            break
        subprocess.run(["sleep", "0.1"], check=True)
    assert opened.read_text().strip() == str(scan)


def test_macos_plist_declares_images_and_pdfs() -> None:
    with open(INSTALLER / "macos" / "Info.plist", "rb") as fh:
        plist = plistlib.load(fh)
    types = {t for doc in plist["CFBundleDocumentTypes"] for t in doc["LSItemContentTypes"]}
    assert {"public.image", "com.adobe.pdf"} <= types
    assert plist["NSHighResolutionCapable"] is True


def test_inno_setup_script_adds_ocr_this_for_images_and_pdfs() -> None:
    iss = (INSTALLER / "windows" / "dots-desktop.iss").read_text(encoding="utf-8-sig")
    assert r"SystemFileAssociations\image\shell\{#VerbKey}\command" in iss
    assert r"SystemFileAssociations\.pdf\shell\{#VerbKey}\command" in iss
    assert "{autoprograms}" in iss
    assert r"..\..\build\bundle\dots-desktop" in iss


def test_windows_version_template_is_a_valid_pyinstaller_version_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # versioninfo imports Windows-only helpers at module level; they are not used here.
    import PyInstaller.compat

    monkeypatch.setitem(sys.modules, "pefile", ModuleType("pefile"))
    monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    monkeypatch.delitem(sys.modules, "PyInstaller.utils.win32.versioninfo", raising=False)
    from PyInstaller.utils.win32 import versioninfo

    text = (INSTALLER / "windows" / "version_info.txt.in").read_text(encoding="utf-8")
    out = tmp_path / "version_info.txt"
    out.write_text(text.replace("@VERSION_TUPLE@", "(0, 1, 0, 0)").replace("@VERSION@", "0.1.0"))
    info = versioninfo.load_version_info_from_text_file(str(out))
    assert "0.1.0" in str(info)


def test_scripts_are_executable() -> None:
    for path in (
        LINUX / "install.sh",
        LINUX / "dots-desktop-ocr-this",
        INSTALLER / "build.sh",
        INSTALLER / "ci_bundle.sh",
    ):
        assert os.access(path, os.X_OK), path
