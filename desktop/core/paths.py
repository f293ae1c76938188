"""Where the app keeps its files: config (settings, user profiles), data (history, batches),
cache and log.

``DOTS_DESKTOP_HOME`` overrides all four (tests and portable installs use it);
``DOTS_DESKTOP_LOG_DIR`` overrides the log folder alone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "dots-desktop"


def _base(kind: str) -> Path:
    home = os.environ.get("DOTS_DESKTOP_HOME")
    if home:
        path = Path(home) / kind
    elif sys.platform.startswith("linux"):
        path = _xdg(kind)
    else:
        import platformdirs  # Windows/macOS conventions; imported only there (start-up cost)

        if kind == "config":
            path = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
        elif kind == "data":
            path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        elif kind == "log":
            path = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
        else:
            path = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Settings and user model profiles (``profiles/*.toml``)."""
    return _base("config")


def data_dir() -> Path:
    """History and batch state (SQLite)."""
    return _base("data")


def cache_dir() -> Path:
    """Thumbnails and other things that can be rebuilt."""
    return _base("cache")


def log_dir() -> Path:
    """The rotating log file (the window writes its errors and crashes there)."""
    override = os.environ.get("DOTS_DESKTOP_LOG_DIR", "").strip()
    if override:
        path = Path(override)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return _base("log")


_XDG = {
    "config": ("XDG_CONFIG_HOME", ".config"),
    "data": ("XDG_DATA_HOME", ".local/share"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
    "log": ("XDG_STATE_HOME", ".local/state"),
}


def _xdg(kind: str) -> Path:
    """The XDG base directory for ``kind`` (what platformdirs gives on Linux, without its
    import cost before the window appears)."""
    variable, default = _XDG[kind]
    base = os.environ.get(variable, "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / default
    # platformdirs puts logs in a "log" folder of the app's state folder.
    return root / APP_NAME / "log" if kind == "log" else root / APP_NAME
