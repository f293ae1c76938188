"""Where a save dialog starts: next to the file that was read."""

from __future__ import annotations

from pathlib import Path

from desktop.core.paths import cache_dir


def beside_source(source: str, file_name: str) -> str:
    """``file_name`` in the source's folder; just the name for captures and pastes (they
    live in the app's cache, no place to save to) or when the folder is gone."""
    if not source:
        return file_name
    folder = Path(source).expanduser().parent
    try:
        inside_cache = folder.resolve().is_relative_to(cache_dir().resolve())
    except OSError:
        inside_cache = False
    if inside_cache or not folder.is_dir():
        return file_name
    return str(folder / file_name)
