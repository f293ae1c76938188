"""User preferences: QSettings (INI in the config folder) plus secrets in the OS keyring."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, fields, replace

from desktop.ui.state.settingsfile import language_or_system, settings_file, system_language

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "dots-desktop"
ENGINE_MODES = ("auto", "managed", "server", "builtin")
THEMES = ("system", "light", "dark")


@dataclass(frozen=True, slots=True)
class Prefs:
    """Everything the settings dialog edits (secrets excluded: they live in the keyring)."""

    engine_mode: str = "auto"  # auto = remote server when an endpoint is set, else built-in
    endpoint: str = ""
    profile: str = "dots-ocr"
    concurrency: int = 2
    pdf_dpi: int = 200
    hf_cache: str = ""
    language: str = field(default_factory=system_language)
    keep_model_running: bool = True
    tray_enabled: bool = True
    ocr_mode: str = "layout"
    builtin_language: str = "auto"  # BuiltinEngine(languages=...): auto, rus, rus+eng...
    theme: str = "system"  # system, light, dark (THEMES)
    capture_hotkey: str = ""  # global key for a screen-region capture (Qt portable text)


def load_prefs() -> Prefs:
    """Read saved preferences; unknown or malformed values fall back to defaults."""
    store = settings_file()
    values: dict[str, object] = {}
    defaults = Prefs()
    for f in fields(Prefs):
        default = getattr(defaults, f.name)
        raw = store.value(f.name, None)
        if raw is None:
            continue
        try:
            if isinstance(default, bool):
                values[f.name] = str(raw).lower() in ("1", "true", "yes")
            elif isinstance(default, int):
                values[f.name] = int(str(raw))
            else:
                values[f.name] = str(raw)
        except ValueError:
            logger.warning("ignoring malformed setting %s=%r", f.name, raw)
    prefs = replace(defaults, **values)  # type: ignore[arg-type]
    if prefs.engine_mode not in ENGINE_MODES:
        prefs = replace(prefs, engine_mode="auto")
    if prefs.theme not in THEMES:
        prefs = replace(prefs, theme="system")
    return replace(prefs, language=language_or_system(prefs.language))


def save_prefs(prefs: Prefs) -> None:
    store = settings_file()
    for f in fields(Prefs):
        store.setValue(f.name, getattr(prefs, f.name))
    store.sync()


def effective_endpoint(prefs: Prefs) -> str:
    """The remote server URL: the setting, else ``DOTS_DESKTOP_ENDPOINT``."""
    return prefs.endpoint.strip() or os.environ.get("DOTS_DESKTOP_ENDPOINT", "").strip()


# Secrets entered while no keyring works: kept in memory until quit, never in the INI file.
_session_secrets: dict[str, str] = {}


def get_secret(name: str) -> tuple[str, str]:
    """(value, error sentence). Keyring failures are tolerated: the error is shown, not raised."""
    if name == "api_key" and os.environ.get("DOTS_DESKTOP_API_KEY"):
        return os.environ["DOTS_DESKTOP_API_KEY"], ""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, name) or "", ""
    except Exception as exc:  # any keyring backend failure: the app works without it
        logger.info("keyring unavailable: %s", exc)
        return _session_secrets.get(name, ""), str(exc) or type(exc).__name__


def set_secret(name: str, value: str) -> str:
    """Store a secret; returns an error sentence ('' on success).

    Without a keyring the value is still used until the app quits.
    """
    if value:
        _session_secrets[name] = value
    else:
        _session_secrets.pop(name, None)
    try:
        import keyring

        if value:
            keyring.set_password(KEYRING_SERVICE, name, value)
        else:
            try:
                keyring.delete_password(KEYRING_SERVICE, name)
            except keyring.errors.PasswordDeleteError:
                logger.debug("no stored %s to delete", name)
    except Exception as exc:  # no backend (headless Linux): report, keep going
        logger.info("keyring unavailable: %s", exc)
        return str(exc) or type(exc).__name__
    return ""
