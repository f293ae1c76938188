"""User preferences: QSettings (INI in the config folder) plus secrets in the OS keyring."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, fields, replace

from PySide6.QtCore import QLocale, QSettings

from desktop.core.paths import config_dir

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "dots-desktop"
ENGINE_MODES = ("auto", "managed", "server", "builtin")
LANGUAGES = ("en", "ru")


def system_language() -> str:
    """``ru`` on a Russian system, else ``en``."""
    env = os.environ.get("LANGUAGE") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if env.lower().startswith("ru"):
        return "ru"
    return "ru" if QLocale.system().language() == QLocale.Language.Russian else "en"


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


def settings_file() -> QSettings:
    """The INI file under the config folder (``DOTS_DESKTOP_HOME`` aware)."""
    return QSettings(str(config_dir() / "settings.ini"), QSettings.Format.IniFormat)


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
    if prefs.language not in LANGUAGES:
        prefs = replace(prefs, language=system_language())
    return prefs


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
