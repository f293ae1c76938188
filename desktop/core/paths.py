"""Where the app keeps its files: config (settings, user profiles), data (history, batches), cache.

``DOTS_DESKTOP_HOME`` overrides all three (tests and portable installs use it).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "dots-desktop"


def _base(kind: str) -> Path:
    home = os.environ.get("DOTS_DESKTOP_HOME")
    if home:
        path = Path(home) / kind
    elif kind == "config":
        path = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    elif kind == "data":
        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
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
