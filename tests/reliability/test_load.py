"""The load check (benchmarks/load_check.py) as a test: pages through the pipeline while the
server fails on purpose; every page ends with a result and none is lost or doubled."""

from __future__ import annotations

import pytest

from benchmarks.load_check import LoadReport, print_report, run_load_check


def _assert_nothing_lost(report: LoadReport, pages: int) -> None:
    assert sum(p.pages for p in report.phases) == pages
    for phase in report.phases:
        assert phase.lost == 0, phase
        assert phase.duplicates == 0, phase
        assert sum(phase.statuses.values()) == phase.pages
    # Pages that failed under fire are read once the faults are gone (one resume).
    after = report.after_resume
    assert after.lost == 0 and after.duplicates == 0
    assert after.statuses["failed"] == 0, after.reasons
    assert report.lost == 0


@pytest.mark.timeout(120)
async def test_forty_pages_under_random_faults_and_a_crash_lose_nothing() -> None:
    report = await run_load_check(40, seed=7, concurrency=4)
    print_report(report)
    _assert_nothing_lost(report, 40)


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_two_hundred_pages_under_random_faults_and_a_crash_lose_nothing() -> None:
    report = await run_load_check(200, seed=1, concurrency=8)
    print_report(report)
    _assert_nothing_lost(report, 200)
    assert report.phases[1].statuses["ok"] == 50  # the crash phase: all read after restart
