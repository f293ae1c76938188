"""The Qt face of the app (PySide6 widgets driven by core, engines and runtime).

Importing this package imports ``PySide6.QtCore`` and switches off one of its costs.
PySide6 then replaces ``builtins.__import__`` so that ``from __feature__ import
snake_case`` can work per module; to learn whether a module "uses PySide", it calls
``inspect.getsource()`` on every module imported later, once per module. That is a file
read per module: ~8 ms before our first paint, and ~300 ms over the first seconds of a
run (numpy, PIL, httpx... ~700 modules). No code in this app selects a feature (a test
checks), so every module is simply recorded as using PySide with no feature selected:
the value the scan gives our own modules, and the one that keeps each module on Qt's
default names whatever another module selects.
"""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401  # installs the import hook patched below


def _uses_pyside(module: object) -> bool:
    """Stands in for PySide6's source scan: every module gets selection 0 (no feature)."""
    return True


def _quiet_feature_scan() -> bool:
    """Replace the scan; False when this PySide6 has no such hook (nothing to do then)."""
    # WORKAROUND(PySide6 6.11.3): PySide6 has no public switch for its per-import source
    # scan; tests/ui/test_startup.py fails if the hook moves (the cost would be back).
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _uses_pyside  # type: ignore[attr-defined]
    return True


FEATURE_SCAN_QUIETED = _quiet_feature_scan()
