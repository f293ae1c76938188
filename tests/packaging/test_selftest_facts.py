"""Why the self-test failed is a fact (a code and its particulars), not an English sentence;
the report it prints and its exit code stay as they were."""

from __future__ import annotations

import pytest

from desktop.commands import selftest
from desktop.core.document import Block, Page
from desktop.core.messages import Code, Msg, render, say

ROWS = (
    "<tr><td>Item</td><td>Qty</td><td>Price</td><td>Total</td></tr>"
    "<tr><td>Recycled paper A4</td><td>10</td><td>4.50</td><td>45.00</td></tr>"
    "<tr><td>Ink cartridge</td><td>2</td><td>19.90</td><td>39.80</td></tr>"
    "<tr><td>Archive boxes</td><td>5</td><td>3.20</td><td>16.00</td></tr>"
    "<tr><td>Grand total</td><td></td><td></td><td>100.80</td></tr>"
)


def _state_with_table(html: str) -> selftest._State:
    state = selftest._State()
    block = Block(category="Table", bbox=(0, 0, 10, 10), text=html)
    state.result = Page(index=0, width=10, height=10, blocks=(block,))
    return state


def test_a_table_without_its_merged_cell_fails_with_a_fact_in_either_language() -> None:
    # GIVEN the sample's table read without its merged 'Grand total' cell
    state = _state_with_table(f"<table>{ROWS}</table>")
    # WHEN the table step checks it, THEN the reason is a fact with its particulars
    with pytest.raises(selftest.SelfTestError) as info:
        selftest._check_table(state)
    (fact,) = info.value.facts
    assert fact == Msg.of(Code.SELFTEST_SPAN_WRONG, colspan=3, got=1, row=4, col=0)
    assert (
        str(info.value) == "the 'Grand total' cell should span 3 columns, got colspan 1 at (4, 0)"
    )
    assert render(fact, "ru") == (
        "ячейка «Grand total» должна занимать 3 столбца, а занимает 1 в (4, 0)"
    )


def test_a_failed_step_keeps_its_reason_as_facts_under_the_steps_name() -> None:
    steps = selftest._Steps()

    def no_table() -> str:
        raise selftest.SelfTestError(Msg(Code.SELFTEST_NO_TABLE))

    with pytest.raises(selftest.SelfTestError) as info:
        steps.run("table checked", no_table)
    assert str(info.value) == "table checked: no table was found on the sample invoice"
    assert say(info.value.facts, "ru") == (
        "table checked: в образце счёта не найдено ни одной таблицы"
    )


def test_a_failing_run_prints_one_english_line_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN Qt that cannot start (the first step fails), in a Russian locale
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    # run_self_test picks Qt's platform for its own process; monkeypatch puts it back here
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")

    def broken(_state: object) -> str:
        raise selftest.SelfTestError(Msg(Code.SELFTEST_ICON_MISSING))

    monkeypatch.setattr(selftest, "_start_qt", broken)
    # WHEN the self-test runs, THEN it exits 1 with the report's line, as before
    assert selftest.run_self_test() == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "self-test FAILED: Qt application: "
        "the app icon (resources/icons/dots-desktop.svg) did not load"
    ]
