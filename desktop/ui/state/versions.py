"""What this copy of the app runs on: its version, Python, Qt and the main libraries.

Shown in Settings -> About and put into a crash report's details, so one list serves both.
"""

from __future__ import annotations

import functools
import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion

from desktop import __version__ as app_version

#: (label, distribution name) of the libraries a bug report most often depends on.
LIBRARIES = (
    ("qasync", "qasync"),
    ("httpx", "httpx"),
    ("httpcore", "httpcore"),
    ("Pillow", "pillow"),
    ("pypdfium2", "pypdfium2"),
    ("NumPy", "numpy"),
    ("Docker SDK", "docker"),
    ("nvidia-ml-py", "nvidia-ml-py"),
    ("RapidOCR", "rapidocr"),
    ("ONNX Runtime", "onnxruntime"),
    ("openpyxl", "openpyxl"),
    ("platformdirs", "platformdirs"),
)


@functools.cache
def versions() -> tuple[tuple[str, str], ...]:
    """(name, version) pairs, names as their makers spell them (no words to translate);
    a library that is not installed reads "-".

    Reading package metadata takes a few milliseconds: warm it in a thread
    (``warm_versions``) before the GUI asks.
    """
    rows = [
        ("Dots Desktop", app_version),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Qt", qVersion()),
        ("PySide6", pyside_version),
    ]
    for label, name in LIBRARIES:
        try:
            rows.append((label, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((label, "-"))
    rows.append((platform.system() or "OS", f"{platform.release()} ({platform.machine()})"))
    return tuple(rows)


def versions_text() -> str:
    """``label: version`` lines, as they go into a bug report."""
    return "\n".join(f"{label}: {version}" for label, version in versions())


def warm_versions() -> None:
    """Read the versions in a daemon thread so that About and crash reports find them ready."""
    import threading

    threading.Thread(target=versions, name="dots-versions", daemon=True).start()
