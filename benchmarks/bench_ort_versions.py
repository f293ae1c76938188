"""The built-in engine on several onnxruntime/OpenCV versions: same pages, same text, seconds.

Each version lives in its own environment: an interpreter with that onnxruntime and this
project's other locked dependencies, e.g. ``uv venv /tmp/ort-1.20.1``, then
``uv export --frozen --no-emit-project > req.txt``, change its ``onnxruntime==`` line and
``uv pip install --python /tmp/ort-1.20.1/bin/python -r req.txt``.
The versions take turns, round after round, reading each page with
``bench_builtin_accuracy.py --worker`` (models loaded and the page read once untimed,
then best of ``--repeat``), so all of them see the same background load on a shared
machine. Reported per version and page: char F1 against the page's own text layer, whether
the text is identical to the first interpreter's, and the best seconds over all rounds.

Run: ``uv run python benchmarks/bench_ort_versions.py PYTHON [PYTHON ...] [--readers ours,rapidocr]
[--only en,ru,zh] [--rounds 3] [--repeat 3]``; with ``--sessions THREADS`` it times onnxruntime
alone on the detector and recogniser (less noise from the rest of the pipeline).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import print_table  # noqa: E402
from benchmarks.bench_builtin_accuracy import char_f1, truth  # noqa: E402

BENCH = ROOT / "benchmarks" / "bench_builtin_accuracy.py"

#: ``--sessions``: onnxruntime alone on rapidocr's detector and recogniser, with inputs of a
#: page's size (a 200 DPI A4 page at the detector's side limit; a batch of 8 text lines),
#: best of argv[2] runs each with argv[1] intra-op threads; prints seconds as JSON.
SESSIONS = """
import json, sys, time
from pathlib import Path
import numpy as np, onnxruntime as ort, rapidocr

threads, reps = int(sys.argv[1]), int(sys.argv[2])
models = Path(rapidocr.__file__).parent / "models"
opts = ort.SessionOptions()
opts.intra_op_num_threads = threads
x = np.random.default_rng(0)
out = {}
for name, shape in (("det", (1, 3, 1024, 736)), ("rec", (8, 3, 48, 320))):
    path = models / f"PP-OCRv6_{name}_small.onnx"
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    feed = {sess.get_inputs()[0].name: x.random(shape, dtype=np.float32)}
    sess.run(None, feed)
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        sess.run(None, feed)
        best = min(best, time.perf_counter() - start)
    out[name] = best
print(json.dumps(out))
"""


def version_of(python: str) -> str:
    done = subprocess.run(
        [
            python,
            "-c",
            "import cv2, onnxruntime as o; print(f'ORT {o.__version__}, cv2 {cv2.__version__}')",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def read(python: str, reader: str, page: str, repeat: int) -> dict[str, object]:
    done = subprocess.run(
        [python, str(BENCH), "--worker", reader, page, "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=3600,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def sessions(pythons: list[str], versions: list[str], rounds: int, threads: int) -> None:
    """onnxruntime's own seconds on the two models, the interpreters taking turns."""
    best: dict[tuple[int, str], float] = {}
    for _ in range(rounds):
        for i, python in enumerate(pythons):
            done = subprocess.run(
                [python, "-c", SESSIONS, str(threads), "10"],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            for model, seconds in json.loads(done.stdout.strip().splitlines()[-1]).items():
                best[(i, model)] = min(best.get((i, model), float("inf")), seconds)
    rows = [
        [
            model,
            version,
            round(best[(i, model)] * 1000),
            f"{best[(i, model)] / best[(0, model)]:.2f}",
        ]
        for model in ("det", "rec")
        for i, version in enumerate(versions)
    ]
    print_table(
        f"onnxruntime alone, {threads} thread(s), {rounds} rounds in turns, best of 10 runs",
        rows,
        ["model", "versions", "ms", "vs first"],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pythons", nargs="+", help="interpreters, one per onnxruntime version")
    parser.add_argument("--readers", default="ours,rapidocr")
    parser.add_argument("--only", default="en,ru,zh")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sessions", type=int, metavar="THREADS", help="time onnxruntime alone on the models"
    )
    args = parser.parse_args()
    versions = [version_of(p) for p in args.pythons]
    if args.sessions:
        sessions(args.pythons, versions, args.rounds, args.sessions)
        return 0
    pages = args.only.split(",")
    readers = args.readers.split(",")
    best: dict[tuple[int, str, str], float] = {}
    texts: dict[tuple[int, str, str], str] = {}
    for _ in range(args.rounds):
        for page in pages:
            for reader in readers:
                for i, python in enumerate(args.pythons):
                    got = read(python, reader, page, args.repeat)
                    key = (i, reader, page)
                    best[key] = min(best.get(key, float("inf")), float(got["seconds"]))  # type: ignore[arg-type]
                    texts.setdefault(key, str(got["text"]))
    rows: list[list[object]] = []
    for page in pages:
        want = truth(page)
        for reader in readers:
            for i, version in enumerate(versions):
                key = (i, reader, page)
                rows.append(
                    [
                        page,
                        reader,
                        version,
                        round(char_f1(texts[key], want), 4),
                        "yes" if texts[key] == texts[(0, reader, page)] else "NO",
                        round(best[key], 2),
                        f"{best[key] / best[(0, reader, page)]:.2f}",
                    ]
                )
    print_table(
        f"onnxruntime versions in turns ({args.rounds} rounds, best of {args.repeat} each)",
        rows,
        ["page", "reader", "versions", "char F1", "same text as first", "s/page", "vs first"],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
