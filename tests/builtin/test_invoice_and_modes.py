"""GIVEN a generated invoice with a fully ruled table WHEN read THEN every cell lands in place."""

from __future__ import annotations

import asyncio

import pytest

from desktop.core.document import PageStatus
from desktop.core.pageimage import PageImage
from desktop.engines.base import CannotChat, Capability, ChatMessage, Engine, RecognizeMode
from desktop.engines.builtin import BuiltinEngine
from tests.builtin.conftest import (
    INVOICE_COL_X,
    Run,
    assert_invoice_table,
    recognize_sync,
)

# The first test also reads the page (~15 s idle, over a minute on a busy 2-core box).
pytestmark = pytest.mark.timeout(600)


def test_every_invoice_cell_lands_in_its_row_and_column(invoice_run: Run) -> None:
    assert_invoice_table(invoice_run.page)


def test_table_box_is_the_ruled_frame_in_original_pixels(invoice_run: Run) -> None:
    (table,) = invoice_run.page.tables
    x0, y0, x1, y1 = table.bbox
    assert abs(x0 - INVOICE_COL_X[0]) <= 4 and abs(x1 - INVOICE_COL_X[-1]) <= 4
    assert abs(y0 - 240) <= 4 and abs(y1 - 640) <= 4


def test_text_around_the_table_keeps_reading_order(invoice_run: Run) -> None:
    cats = [(b.category, (b.text or "")[:14]) for b in invoice_run.page.blocks]
    texts = [t for _, t in cats]
    assert texts[0] == "INVOICE 2041"
    assert texts.index("Bill to: Harbo") < [c for c, _ in cats].index("Table")
    assert cats[-1] == ("Text", "Payment due wi")
    assert cats[0][0] in {"Title", "Section-header"}


def test_text_mode_gives_plain_reading_order_text(
    need_builtin: None, invoice_page: PageImage
) -> None:
    page = recognize_sync(invoice_page, RecognizeMode.TEXT).page
    assert page.text.startswith("INVOICE 2041\n\nBill to: Harbour Books Ltd")
    assert "Ink cartridge\t7\t31.75\t222.25" in page.text
    assert page.text.rstrip().endswith("Payment due within 30 days.")


def test_layout_only_gives_boxes_without_text(need_builtin: None, invoice_page: PageImage) -> None:
    page = recognize_sync(invoice_page, RecognizeMode.LAYOUT_ONLY).page
    assert page.blocks and all(b.text is None for b in page.blocks)
    assert "Table" in {b.category for b in page.blocks}


def test_grounding_reads_only_the_region(need_builtin: None, invoice_page: PageImage) -> None:
    run = recognize_sync(invoice_page, RecognizeMode.GROUNDING, (60, 120, 700, 190))
    (block,) = run.page.blocks
    assert block.text == "Bill to: Harbour Books Ltd"
    assert block.bbox == (60, 120, 700, 190)
    assert run.page.status is PageStatus.OK


def test_engine_meets_the_protocol_and_refuses_chat() -> None:
    engine = BuiltinEngine()
    assert isinstance(engine, Engine)
    assert engine.name == "Built-in (CPU)"
    assert Capability.CHAT not in engine.capabilities
    assert Capability.LAYOUT | Capability.GROUNDING in engine.capabilities
    with pytest.raises(CannotChat, match="cannot chat"):
        engine.chat([ChatMessage("user", "hi")])
    asyncio.run(engine.aclose())


def test_cancelled_recognize_leaves_the_engine_usable(
    need_builtin: None, invoice_page: PageImage
) -> None:
    async def scenario() -> list[str]:
        engine = BuiltinEngine()
        try:

            async def consume() -> None:
                async for _ in engine.recognize(invoice_page, RecognizeMode.LAYOUT):
                    pass

            task = asyncio.create_task(consume())
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            small = PageImage("crop", 0, invoice_page.image.crop((60, 40, 700, 200)))
            events = [ev async for ev in engine.recognize(small, RecognizeMode.TEXT)]
            return [events[-1].page.text]  # type: ignore[union-attr]
        finally:
            await engine.aclose()

    (text,) = asyncio.run(scenario())
    assert "Bill to" in text
