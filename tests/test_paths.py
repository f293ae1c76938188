"""Where settings, history and caches live."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop.core import paths


def test_dots_desktop_home_holds_all_three_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOTS_DESKTOP_HOME", str(tmp_path))
    assert paths.config_dir() == tmp_path / "config"
    assert paths.data_dir() == tmp_path / "data"
    assert paths.cache_dir() == tmp_path / "cache"
    assert all(p.is_dir() for p in (paths.config_dir(), paths.data_dir(), paths.cache_dir()))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_on_linux_the_folders_match_platformdirs_and_honour_xdg_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.delenv("DOTS_DESKTOP_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    name = paths.APP_NAME
    assert paths.config_dir() == Path(platformdirs.user_config_dir(name, appauthor=False))
    assert paths.data_dir() == Path(platformdirs.user_data_dir(name, appauthor=False))
    assert paths.cache_dir() == Path(platformdirs.user_cache_dir(name, appauthor=False))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert paths.config_dir() == tmp_path / "cfg" / name
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the spec says: ignore relative
    assert paths.data_dir() == tmp_path / ".local" / "share" / name
