"""The long hostile batch (benchmarks/hostile_batch.py) at a CI size: a mixed batch of
every input kind through the real ``ocr`` command under seeded random faults loses,
overwrites and doubles nothing. The 500-page run is the script (docs/RELIABILITY.md)."""

from __future__ import annotations

import pytest

from benchmarks.hostile_batch import print_report, run_hostile_batch


@pytest.mark.timeout(120)
@pytest.mark.parametrize("seed", [1, 2])
def test_a_mixed_batch_under_random_faults_loses_and_overwrites_nothing(seed: int) -> None:
    report = run_hostile_batch(pages=80, seed=seed, concurrency=8)
    print_report(report)
    assert report.pages_in == 80
    assert report.lost == 0 and report.overwritten == 0 and report.duplicates == 0
    assert report.tracebacks == 0
    assert sum(report.statuses.values()) == 80  # every page once, whatever its status
    assert report.statuses["failed"] + report.statuses["partial"] > 0  # the faults did bite
    assert report.exit_code == 3
