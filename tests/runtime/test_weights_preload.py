"""A first model start imports nothing: the weights step's Hub modules come with the runtime.

The app preloads the runtime (desktop.runtime.controller and the HTTP stack) in a worker at
start (ui/appshell/shell.py). Imported at
the first model start instead, in a Docker worker while a batch is read, huggingface_hub and
its HTTP stack compiled and allocated enough to set off a full garbage collection of the
app's heap, which holds the GIL: the window froze for 60-140 ms
(benchmarks/bench_weights_stall.py). Each case runs in a fresh interpreter, as the app
starts: in this test process everything is imported already.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# GIVEN the runtime as the preload leaves it, WHEN the weights step runs, THEN which modules
# were imported while it ran (a finder that only watches), and what the step ended with.
SCRIPT = """
import json, sys, tempfile, threading
from pathlib import Path
from desktop.ui.appshell.shell import _preload_modules

_preload_modules()  # what the app imports in a worker at start, before any batch
from desktop.runtime import weights
from tests.fakehub import FakeHub, weights_repo

REPO = "rednote-hilab/dots.ocr"
hub = FakeHub(repos={REPO: weights_repo()}).start() if sys.argv[1] == "hub" else None
endpoint = hub.url if hub else sys.argv[2]
imported = []

class Watch:
    def find_spec(self, name, path=None, target=None):
        imported.append(name)

sys.meta_path.insert(0, Watch())
outcome = ""

def step():  # in a worker, as the controller runs it
    global outcome
    try:
        snap = weights.download(REPO, Path(tempfile.mkdtemp()), endpoint=endpoint)
        outcome = "downloaded" if (snap / "model.safetensors").is_file() else "empty"
    except weights.WeightsError as exc:
        outcome = exc.cause

worker = threading.Thread(target=step)
worker.start()
worker.join()
print(json.dumps({"outcome": outcome, "imported": sorted(set(imported))}))
"""


def _refused_endpoint() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _first_start(*args: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"}
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("HF_TOKEN", None)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.timeout(150)
def test_a_first_start_without_the_hub_fails_offline_and_imports_nothing() -> None:
    result = _first_start("refused", _refused_endpoint())
    assert result["outcome"] == "model_download_offline"  # the user is told: no Hub
    assert result["imported"] == []


@pytest.mark.timeout(150)
def test_a_first_download_imports_nothing() -> None:
    result = _first_start("hub")
    assert result["outcome"] == "downloaded"
    assert result["imported"] == []
