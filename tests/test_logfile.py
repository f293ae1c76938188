"""The log file: in the platform's log folder (or the test's), rotated before it grows large."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core import paths
from desktop.core.logfile import LOG_NAME, install_log_file, log_path, remove_log_file


@pytest.fixture
def clean_root() -> Iterator[None]:
    yield
    remove_log_file()


def test_given_dots_desktop_home_then_the_log_folder_is_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOTS_DESKTOP_HOME", str(tmp_path))
    monkeypatch.delenv("DOTS_DESKTOP_LOG_DIR", raising=False)
    assert paths.log_dir() == tmp_path / "log" and paths.log_dir().is_dir()
    monkeypatch.setenv("DOTS_DESKTOP_LOG_DIR", str(tmp_path / "elsewhere"))
    assert log_path() == tmp_path / "elsewhere" / LOG_NAME


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_on_linux_the_log_folder_is_platformdirs_and_honours_xdg_state_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.delenv("DOTS_DESKTOP_HOME")
    monkeypatch.delenv("DOTS_DESKTOP_LOG_DIR", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    name = paths.APP_NAME
    assert paths.log_dir() == Path(platformdirs.user_log_dir(name, appauthor=False))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert paths.log_dir() == Path(platformdirs.user_log_dir(name, appauthor=False))
    assert paths.log_dir() == tmp_path / "state" / name / "log"


def test_given_a_full_log_then_it_rotates_and_keeps_a_bounded_number_of_files(
    tmp_path: Path, clean_root: None
) -> None:
    target = tmp_path / "logs" / LOG_NAME
    install_log_file(target, max_bytes=4096, backups=2)
    log = logging.getLogger("desktop.test")
    for n in range(400):
        log.warning("line %04d of a long session", n)
    files = sorted(p.name for p in target.parent.iterdir())
    assert files == [LOG_NAME, f"{LOG_NAME}.1", f"{LOG_NAME}.2"]
    assert all(p.stat().st_size <= 4096 for p in target.parent.iterdir())
    assert "line 0399" in target.read_text(encoding="utf-8")  # the newest is in the current file
    assert "line 0000" not in "".join(p.read_text() for p in target.parent.iterdir())


def test_given_the_log_is_installed_then_info_is_written_and_request_chatter_is_not(
    tmp_path: Path, clean_root: None
) -> None:
    target = tmp_path / LOG_NAME
    install_log_file(target)
    install_log_file(target)  # twice: still one handler, each line once
    logging.getLogger("desktop.ui.app").info("window shown")
    logging.getLogger("httpx").info('HTTP Request: POST /v1/chat/completions "200 OK"')
    text = target.read_text(encoding="utf-8")
    assert text.count("window shown") == 1
    assert "HTTP Request" not in text
    remove_log_file()
    assert logging.getLogger("httpx").level == logging.NOTSET  # put back as it was
