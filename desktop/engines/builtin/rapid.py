"""Import RapidOCR with cvlite as its ``cv2``, whether or not OpenCV is installed.

rapidocr_onnxruntime imports cv2 at module level in eight modules. They are imported here
while ``sys.modules["cv2"]`` is cvlite (whatever was there before is put back), and any of
them imported earlier by other code are rebound, so the source tree and the frozen bundle
(which leaves OpenCV out) run the same arithmetic. Nothing in RapidOCR imports cv2 later,
inside a function, on the OCR path.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType
from typing import Any

from desktop.engines.builtin import cvlite

_PACKAGE = "rapidocr_onnxruntime"
_lock = threading.Lock()


def _rebind() -> None:
    """Point every loaded RapidOCR module's ``cv2`` global at cvlite."""
    # WORKAROUND(rapidocr-onnxruntime 1.4.4): RapidOCR has no option for its image library;
    # tests/builtin/test_no_opencv.py fails if it imports cv2 elsewhere or differently.
    for name, module in list(sys.modules.items()):
        ours = name == _PACKAGE or name.startswith(_PACKAGE + ".")
        if ours and getattr(module, "cv2", None) not in (None, cvlite):
            vars(module)["cv2"] = cvlite


def rapidocr_module() -> ModuleType:
    """The rapidocr_onnxruntime package, bound to cvlite (ImportError if not installed)."""
    # WORKAROUND(rapidocr-onnxruntime 1.4.4): its modules import cv2 at import time, so
    # cvlite stands in for it in sys.modules meanwhile (see _rebind).
    with _lock:
        saved = sys.modules.get("cv2")
        had = "cv2" in sys.modules
        sys.modules["cv2"] = cvlite
        try:
            import rapidocr_onnxruntime as package
        finally:
            if had:
                sys.modules["cv2"] = saved  # type: ignore[assignment]
            else:
                del sys.modules["cv2"]
        _rebind()
    return package


def rapidocr_class() -> Any:
    """The RapidOCR engine class (see rapidocr_module)."""
    return rapidocr_module().RapidOCR
