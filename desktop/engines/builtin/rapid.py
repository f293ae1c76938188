"""RapidOCR 3.x (PP-OCRv6 small models bundled in its wheel) and the options we run it with.

The options below were chosen with ``benchmarks/bench_builtin_accuracy.py`` and
``benchmarks/tune_rapidocr.py`` on pages with an exact text layer (English, Russian with
Latin inside, Chinese), rendered at 200 DPI like a PDF page in the app.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

#: RapidOCR parameters (``RapidOCR(params=...)`` keys), chosen by
#: ``benchmarks/tune_rapidocr.py`` (English and Chinese pages, 200 DPI; char F1 / s per page
#: on a shared 2-core box, 2026-12-07). The library's defaults are kept where no other
#: value read better:
#: - ``Global.max_side_len`` 2000 (the page is scaled down to it): 4000 read no better
#:   (F1 0.998 vs 0.999 English, 1.000 both Chinese) and cost more detector time;
#: - ``Det.box_thresh`` 0.5: 0.6 read the same (0.999 / 1.000);
#: - ``Det.unclip_ratio`` 1.6: 2.0 read no better (0.998 / 1.000).
OPTIONS: dict[str, Any] = {
    # Our log, not the library's: it logs every model path at INFO.
    "Global.log_level": "warning",
    # The text-line angle classifier (0 or 180 degrees) turned the journal page's short
    # "95% CI" headings upside down ("I %S", tests/builtin/test_journal_page.py); upright
    # pages (PDFs, scans) read the same without it (F1 0.999 / 1.000 either way).
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
