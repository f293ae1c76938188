"""The build's helper scripts in installer/ (not a package), loaded as modules for the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_installer_module(name: str) -> ModuleType:
    """``installer/<name>.py`` as module ``name``, loaded once for all the packaging tests."""
    loaded = sys.modules.get(name)
    path = ROOT / "installer" / f"{name}.py"
    if loaded is not None and getattr(loaded, "__file__", None) == str(path):
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
