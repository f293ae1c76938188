"""The built-in engine's ONNX sessions are rebuilt so their idle threads sleep instead of spin."""

from __future__ import annotations

import pytest

from desktop.engines.builtin.ocr import RapidReader

pytestmark = pytest.mark.timeout(300)


def test_given_the_reader_loaded_then_no_onnx_session_spins_while_idle(
    need_builtin: None,
) -> None:
    # Spinning workers made a page 4-5x slower on a busy laptop. The rebuild needs
    # onnxruntime's private model path: if that moves, the sessions stay RapidOCR's own
    # (spinning) ones and this fails.
    reader = RapidReader()
    reader.load()
    engine = reader._engine
    for part in (engine.text_det, engine.text_cls, engine.text_rec):
        options = part.session.session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert options.get_session_config_entry("session.inter_op.allow_spinning") == "0"
