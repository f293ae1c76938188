"""RapidOCR 3.x (PP-OCRv6 small models bundled in its wheel) and the options we run it with.

The options below were chosen with ``benchmarks/bench_builtin_accuracy.py`` and
``benchmarks/tune_rapidocr.py`` on pages with an exact text layer (English, Russian with
Latin inside, Chinese), rendered at 200 DPI like a PDF page in the app.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

#: RapidOCR parameters (``RapidOCR(params=...)`` keys). Why each value:
OPTIONS: dict[str, Any] = {
    # Our log, not the library's: it logs every model path at INFO.
    "Global.log_level": "warning",
    # The text-line classifier (0 or 180 degrees) turned table headings upside down on the
    # journal page ("95% CI" read as "I %S"); PDF and scanned pages come upright, and the
    # accuracy pages read the same without it.
    "Global.use_cls": False,
}


def rapidocr_module() -> ModuleType:
    """The rapidocr package (ImportError if it is not installed)."""
    import rapidocr

    return rapidocr


def rapidocr_class() -> Any:
    """The RapidOCR engine class."""
    return rapidocr_module().RapidOCR


def bundled_models() -> list[str]:
    """File names of the ONNX models shipped inside the rapidocr wheel."""
    from pathlib import Path

    folder = Path(str(rapidocr_module().__file__)).parent / "models"
    return sorted(p.name for p in folder.glob("*.onnx"))
