"""RapidOCR 3.x (PP-OCRv6 small models bundled in its wheel) and the options we run it with.

The options below were chosen with ``benchmarks/bench_builtin_accuracy.py`` and
``benchmarks/tune_rapidocr.py`` on pages with an exact text layer (English, Russian with
Latin inside, Chinese), rendered at 200 DPI like a PDF page in the app.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

logger = logging.getLogger(__name__)

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


def calm_sessions(engine: Any) -> None:
    """Recreate RapidOCR's ONNX sessions without busy-waiting threads, the recogniser's and
    classifier's with a memory arena.

    onnxruntime's worker threads spin while idle; on a shared laptop (GUI, other apps)
    that steals the CPU the OCR itself needs and made a page 4-5x slower under load.
    RapidOCR does not expose the option, so the three sessions are rebuilt with it; on
    any surprise in the library's internals the original sessions are kept.
    """
    import os

    import onnxruntime as ort

    threads = max(1, min(4, os.cpu_count() or 1))
    for part, arena in ((engine.text_det, False), (engine.text_cls, True), (engine.text_rec, True)):
        try:
            # RapidOCR 3.x keeps each model's OrtInferSession in ``session``, and the
            # onnxruntime session inside that in ``session`` again.
            holder = part.session
            old = holder.session
            opts = ort.SessionOptions()
            opts.log_severity_level = 4
            # onnxruntime's memory arena (RapidOCR's configuration turns it off) keeps the
            # recogniser's buffers from one batch of lines to the next; without it they
            # were mapped and unmapped again, 150-340 thousand page faults a page. Measured
            # on en.pdf/zh.pdf at 200 DPI, quiet 2-core box (s per page, peak MB):
            # no arena 3.4-3.5 s, 0.9 GB; recogniser 2.4-2.6 s, 1.2 GB; all three
            # 2.2-2.5 s, 1.65-1.7 GB. The detector's arena would hold its page-sized
            # activations (+0.45 GB) for a few per cent. The memory goes back when the
            # reader idles (RapidReader.release()).
            opts.enable_cpu_mem_arena = arena
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            opts.intra_op_num_threads = threads
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
            # WORKAROUND(onnxruntime 1.25.1): no public accessor gives a session's model
            # path; tests/builtin/test_sessions.py fails if the sessions stop being rebuilt.
            holder.session = ort.InferenceSession(
                old._model_path, sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # keep RapidOCR's own session rather than fail
            logger.debug("could not rebuild an ONNX session: %s", exc)


def load_models(engine: Any) -> None:
    """Load the detector, classifier and recogniser now (RapidOCR 3 loads them lazily)."""
    # WORKAROUND(rapidocr 3.10.0): the models load on the first page unless these private
    # loaders run; tests/builtin/test_sessions.py fails if they are gone.
    engine._load_det_model()
    engine._load_cls_model()
    engine._load_rec_model()
