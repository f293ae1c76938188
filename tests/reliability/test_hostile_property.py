"""A property of the whole ``ocr`` command (issue 15): for any mix of inputs and server
faults, every page of every readable input is in the output exactly once (ok, partial with
what arrived, or failed with its reason), no output is overwritten, the exit code matches
what the output holds, and no traceback reaches the user."""

from __future__ import annotations

import functools
import json
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from desktop.cli import run
from desktop.engines import factory
from desktop.engines.errors import RetryPolicy
from desktop.engines.remote.endpoint import Timeouts
from desktop.engines.remote.server import ServerEngine
from tests.reliability.conftest import blank_pdf
from tests.reliability.hostile import HostileServer
from tests.reliability.mix import FAULTS, KINDS, fault_reply, write_input

pytestmark = pytest.mark.timeout(600)


inputs_strategy = st.lists(
    st.tuples(
        st.sampled_from(("a", "b")), st.sampled_from(("scan", "p1")), st.sampled_from(sorted(KINDS))
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(inputs=inputs_strategy, seed=st.integers(0, 2**16), die_rarely=st.booleans())
def test_every_page_is_in_the_output_once_whatever_the_server_does(
    inputs: list[tuple[str, str, str]],
    seed: int,
    die_rarely: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    quick = functools.partial(
        ServerEngine,
        retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, total=5),
        timeouts=Timeouts(first_token=5, idle=2),
    )
    monkeypatch.setattr(factory, "ServerEngine", quick)
    rng = random.Random(seed)
    faults = [f for f in FAULTS if die_rarely or f != "die"]
    holder: list[HostileServer] = []
    server = HostileServer(lambda n: fault_reply(rng.choice(faults), n, holder[0], rng))
    holder.append(server)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files: dict[str, int] = {}
        for folder, stem, kind in inputs:
            path, pages = write_input(root / folder, stem, kind)
            files[str(path)] = pages  # the same file twice on a command line is one input
        args = [*files, "--endpoint", server.base_url, "--format", "json", "--out", str(root / "o")]
        try:
            code = run(["ocr", *args, "--concurrency", "2"])
        finally:
            server.close()
        err = capsys.readouterr().err
        event(f"exit {code}")
        assert "Traceback" not in err and "Unexpected error" not in err, err
        assert not any(ord(c) < 32 and c not in "\n\t" for c in err), err
        written = sorted((root / "o").glob("*.json")) if (root / "o").exists() else []
        documents = [json.loads(p.read_text()) for p in written]
        readable = {f: n for f, n in files.items() if n}
        if code == 1:  # nothing could be read: nothing written, and it was said why
            assert not written and err.strip()
            return
        # Exactly one output per readable input (none overwritten), every page exactly once
        assert sorted(d["source"] for d in documents) == sorted(readable), err
        statuses = []
        for doc in documents:
            indexes = [p["index"] for p in doc["pages"]]
            assert indexes == list(range(readable[doc["source"]])), doc
            for page in doc["pages"]:
                assert page["status"] in ("ok", "partial", "failed", "recovered")
                if page["status"] in ("partial", "failed"):
                    assert page["reason"].strip(), page
                if page["status"] == "partial":
                    assert page["blocks"], page  # partial: what arrived is kept
                statuses.append(page["status"])
                event(f"page {page['status']}")
        all_ok = all(s in ("ok", "recovered") for s in statuses)
        assert code == (0 if all_ok and len(readable) == len(files) else 3), (code, statuses, err)


@pytest.mark.slow
def test_a_500_page_mixed_batch_under_random_faults_loses_and_overwrites_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN 50 ten-page PDFs in two folders under the same 25 names, and a server whose
    # every answer is a fault drawn at random (seeded) from the mix, dying excepted
    quick = functools.partial(
        ServerEngine,
        retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, total=5),
        timeouts=Timeouts(first_token=10, idle=5),
    )
    monkeypatch.setattr(factory, "ServerEngine", quick)
    rng = random.Random(500)
    faults = [f for f in FAULTS if f != "die"]
    holder: list[HostileServer] = []
    server = HostileServer(lambda n: fault_reply(rng.choice(faults), n, holder[0], rng))
    holder.append(server)
    pdf = blank_pdf(10, (200, 150))
    inputs = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        for i in range(25):
            path = tmp_path / folder / f"doc{i:02}.pdf"
            path.write_bytes(pdf)
            inputs.append(str(path))
    out = tmp_path / "out"
    # WHEN they are read in one run
    try:
        code = run(
            [
                "ocr",
                *inputs,
                "--endpoint",
                server.base_url,
                "--format",
                "json",
                "--out",
                str(out),
                "--concurrency",
                "8",
            ]
        )
    finally:
        server.close()
    err = capsys.readouterr().err
    # THEN 50 files, one per input; 500 pages, each exactly once; exit 3 (some faulted)
    assert "Traceback" not in err
    documents = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    assert sorted(d["source"] for d in documents) == sorted(inputs)
    pages = [(d["source"], p["index"], p["status"]) for d in documents for p in d["pages"]]
    assert len(pages) == 500 and len({(s, i) for s, i, _ in pages}) == 500
    kinds = ("ok", "recovered", "partial", "failed")
    counts = {s: sum(1 for *_, st_ in pages if st_ == s) for s in kinds}
    assert sum(counts.values()) == 500 and code == 3
    print(f"500 pages: {counts}, {server.chat_requests} requests")  # figures for the note
