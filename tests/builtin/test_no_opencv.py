"""GIVEN no OpenCV (as in the bundle) WHEN the built-in engine reads pages THEN nothing
reaches for cv2 and the results are the ones pinned with OpenCV."""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path

import pytest

from desktop.core.tables import parse_table_html
from desktop.engines.builtin import cvlite
from tests.builtin.conftest import Run

pytestmark = pytest.mark.timeout(600)


def test_the_journal_page_reads_the_same_with_cv2_unimportable(journal_run: Run) -> None:
    """journal_run comes from a fresh interpreter where importing cv2 raises."""
    assert journal_run.cv2_imports == []
    page = journal_run.page
    assert len(page.blocks) == 13
    grids = [parse_table_html(b.text or "") for b in page.tables]
    assert [(g.rows, g.cols) for g in grids] == [(18, 8), (14, 13), (14, 9)]


def rapidocr_modules() -> list[types.ModuleType]:
    return [m for n, m in sys.modules.items() if n.startswith("rapidocr_onnxruntime.") and m]


@pytest.mark.parametrize("before", ["absent", "another module"])
def test_rapidocr_gets_cvlite_and_cv2_is_left_as_it_was(
    need_builtin: None, monkeypatch: pytest.MonkeyPatch, before: str
) -> None:
    from desktop.engines.builtin.rapid import rapidocr_module

    other = types.ModuleType("cv2")
    if before == "absent":
        monkeypatch.delitem(sys.modules, "cv2", raising=False)
    else:
        monkeypatch.setitem(sys.modules, "cv2", other)
    for module in rapidocr_modules():  # as if imported earlier with the real OpenCV
        if hasattr(module, "cv2"):
            monkeypatch.setattr(module, "cv2", other)
    rapidocr_module()
    users = [m for m in rapidocr_modules() if hasattr(m, "cv2")]
    assert len(users) >= 7 and all(m.cv2 is cvlite for m in users)
    assert sys.modules.get("cv2") is (None if before == "absent" else other)


def test_rapidocr_imports_cv2_only_at_module_level(need_builtin: None) -> None:
    """A cv2 import inside a function would bypass the swap and need the real OpenCV."""
    import rapidocr_onnxruntime

    root = Path(rapidocr_onnxruntime.__file__).parent
    nested = []
    for source in root.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(node, ast.Module) or not isinstance(body, list):
                continue
            for stmt in ast.walk(node):
                names = [a.name for a in getattr(stmt, "names", [])]
                module = getattr(stmt, "module", None) or ""
                if isinstance(stmt, ast.Import | ast.ImportFrom) and (
                    "cv2" in names or module.split(".")[0] == "cv2"
                ):
                    nested.append(f"{source.name}:{stmt.lineno}")
    assert nested == []


def test_drawing_and_file_io_are_absent_not_silent() -> None:
    """RapidOCR's visualisation and command line are not on the engine's path."""
    for name in ("imread", "imwrite", "putText", "polylines", "FONT_HERSHEY_SIMPLEX"):
        with pytest.raises(AttributeError):
            getattr(cvlite, name)


def test_the_slow_box_score_is_refused_with_a_reason(need_builtin: None) -> None:
    from desktop.engines.builtin.ocr import RapidReader

    with pytest.raises(ValueError, match="det_score_mode='fast'"):
        RapidReader(det_score_mode="slow").load()
