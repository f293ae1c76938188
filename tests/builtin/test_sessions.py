"""The built-in engine's ONNX sessions: rebuilt so their idle threads sleep instead of spin,
with a memory arena, and let go while the engine idles."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image, ImageDraw

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


def test_given_the_reader_loaded_then_the_recogniser_keeps_a_memory_arena(
    need_builtin: None,
) -> None:
    # Without it every batch of lines mapped and unmapped its buffers again (150-340
    # thousand page faults a page, a page ~1.4x slower); the detector's would hold its
    # page-sized activations (+0.45 GB) for a few per cent (rapid.calm_sessions).
    reader = RapidReader()
    reader.load()
    engine = reader._engine
    arenas = [
        part.session.session.get_session_options().enable_cpu_mem_arena
        for part in (engine.text_det, engine.text_cls, engine.text_rec)
    ]
    assert arenas == [False, True, True]


def test_given_an_idle_reader_then_it_lets_its_models_go_and_reads_the_same_again(
    need_builtin: None,
) -> None:
    """Its memory (about 0.7 GB after a page) goes back while nothing is read; the next
    page loads the models again and reads exactly as before."""
    page = _text_strip("Harbour Road 42, Northwind")
    reader = RapidReader(idle_release_s=1.0)
    first = [ln.text for ln in reader.read(page)]
    assert reader.loaded
    assert "Northwind" in " ".join(first)
    deadline = time.monotonic() + 30
    while reader.loaded and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not reader.loaded
    assert [ln.text for ln in reader.read(page)] == first
    assert reader.loaded


def test_given_reads_keep_coming_then_the_models_stay(need_builtin: None) -> None:
    page = _text_strip("Harbour Road 42")
    reader = RapidReader(idle_release_s=1.5)
    end = time.monotonic() + 4
    while time.monotonic() < end:  # a read every 0.5 s or so: never idle for 1.5 s
        reader.read(page)
        assert reader.loaded
        time.sleep(0.5)


def _text_strip(text: str) -> np.ndarray:
    image = Image.new("RGB", (900, 90), "white")
    ImageDraw.Draw(image).text((20, 20), text, fill="black", font_size=40)
    return np.asarray(image)
