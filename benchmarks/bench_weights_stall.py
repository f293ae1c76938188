"""The window stays responsive when a first model start fails its weights step offline.

Run: ``uv run python benchmarks/bench_weights_stall.py [--runs 3] [--sample]`` (offscreen;
about 30 s a run on 2 cores; needs Docker and the simulator image).

bench_ui.py's event-loop stall probe (a 10 ms QTimer while the window reads a 20-page batch
from the vLLM simulator, the GPU gauge polling a fake NVML, the runtime's ContainerController
starting a model) in two modes, alternated in fresh processes so both see the same load:

- ``ref``: the controller's weights step off (the simulator image starts; bench_ui's run);
- ``weights``: the step on, as the app runs it, with the Hub unreachable (``HF_ENDPOINT`` is a
  refused loopback port): huggingface_hub is imported and asked, the start fails offline,
  and the failure is shown. Target: max stall <= 50 ms, about the reference's.

``--sample``: one more ``weights`` run with a stack sampler (every 2 ms, all threads); prints
what the GUI thread and the workers ran during the five longest gaps between probe ticks.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("DISPLAY", None)

Frame = tuple[str, int, str]
#: Where a thread waits, not works: left out of the workers' summary.
IDLE = ("wait", "select", "poll", "_worker", "sleep", "accept", "recv_into", "readinto", "get")


def refused_endpoint() -> str:
    """A loopback address nobody listens on: every connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def stack_of(frame: FrameType | None, limit: int = 40) -> list[Frame]:
    out: list[Frame] = []
    while frame is not None and len(out) < limit:
        code = frame.f_code
        out.append((code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    return out  # innermost first


class Sampler(threading.Thread):
    """Every ``interval`` seconds, the stack of every thread (sys._current_frames)."""

    def __init__(self, interval: float = 0.002) -> None:
        super().__init__(name="bench-sampler", daemon=True)
        self.interval = interval
        self.samples: list[tuple[float, dict[str, list[Frame]]]] = []
        self.stop = threading.Event()
        self.main = threading.main_thread().ident

    def run(self) -> None:
        me = threading.get_ident()
        while not self.stop.wait(self.interval):
            names = {t.ident: t.name for t in threading.enumerate()}
            now = time.perf_counter()
            stacks = {
                ("GUI" if ident == self.main else names.get(ident, str(ident))): stack_of(f)
                for ident, f in sys._current_frames().items()
                if ident != me
            }
            self.samples.append((now, stacks))


def short(frame: Frame) -> str:
    path, line, name = frame
    parts = Path(path).parts
    tail = "/".join(parts[-3:]) if "site-packages" in parts or "desktop" in parts else parts[-1]
    return f"{tail}:{line} {name}"


def report_gaps(ticks: list[float], sampler: Sampler, top: int = 5) -> None:
    gaps = sorted(((b - a, a, b) for a, b in itertools.pairwise(ticks)), reverse=True)
    t0 = ticks[0] if ticks else 0.0
    for gap, start, end in gaps[:top]:
        inside = [s for t, s in sampler.samples if start < t < end]
        print(f"\n-- gap {gap * 1000:.0f} ms at +{start - t0:.2f} s, {len(inside)} samples")
        gui: Counter[str] = Counter()
        workers: Counter[str] = Counter()
        for stacks in inside:
            main = stacks.get("GUI", [])
            gui[" <- ".join(short(f) for f in main[:5])] += 1
            for name, stack in stacks.items():
                if name == "GUI" or not stack or stack[0][2] in IDLE:
                    continue
                ours = [f for f in stack if "/desktop/" in f[0]][:1]
                workers[f"{name}: {short(stack[0])} | " + " ".join(short(f) for f in ours)] += 1
        print("   GUI thread:")
        for text, n in gui.most_common(4):
            print(f"     {n:3d}x {text}")
        print("   busy workers:")
        for text, n in workers.most_common(6):
            print(f"     {n:3d}x {text}")


class ImportLog:
    """Which thread imported which module, and when (a finder that only watches)."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str, str]] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        self.seen.append((time.perf_counter(), threading.current_thread().name, name))


class GcLog:
    """Every garbage collection: when, how long, which generation, on which thread."""

    def __init__(self) -> None:
        self.runs: list[tuple[float, float, int, str]] = []
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._start = now
        else:
            name = threading.current_thread().name
            self.runs.append((self._start, now - self._start, info["generation"], name))


def probe(mode: str, sample: bool, variant: str) -> None:
    from benchmarks import bench_ui

    if variant == "preimport":  # the weights step's imports done before the window opens
        import huggingface_hub.errors
        import huggingface_hub.file_download
        import huggingface_hub.hf_api  # noqa: F401
    if variant == "freeze":  # what the start-up preload allocated, out of every collection
        import gc

        import desktop.ui.appshell.shell as shell_module

        preload = shell_module._preload_modules

        def preload_then_freeze() -> None:
            preload()
            gc.freeze()

        shell_module._preload_modules = preload_then_freeze
    if variant.startswith("switch="):  # the GIL handed over more often
        sys.setswitchinterval(float(variant.split("=")[1]) / 1000)
    if variant == "nogc":  # no garbage collection while the probe runs
        import gc

        gc.disable()
    import gc

    gcs = GcLog()
    gc.callbacks.append(gcs)
    imports = ImportLog()
    sys.meta_path.insert(0, imports)
    if mode == "weights":
        bench_ui.WEIGHTS_HERE = True
        os.environ["HF_ENDPOINT"] = refused_endpoint()
        os.environ.pop("HF_HUB_OFFLINE", None)
    sampler = Sampler() if sample else None
    if sampler is not None:
        sampler.start()
    stats = bench_ui.stall_probe(20)
    t0 = bench_ui.TICKS[0]
    during = [r for r in gcs.runs if r[0] > t0]
    longest = max(during, key=lambda r: r[1], default=(0.0, 0.0, 0, ""))
    stats["gc_max_ms"] = longest[1] * 1000
    stats["gc_max_gen"] = float(longest[2])
    stats["gc_max_in_docker"] = float(longest[3].startswith("dots-docker"))
    stats["gc2_runs"] = float(sum(r[2] == 2 for r in during))
    if sampler is not None:
        sampler.stop.set()
        report_gaps(bench_ui.TICKS, sampler)
        t0 = bench_ui.TICKS[0]
        gui = [(t - t0, n) for t, who, n in imports.seen if who == "MainThread" and t > t0]
        print(f"\nmodules the GUI thread imported while the probe ran: {len(gui)}")
        for t, n in sorted(set(gui))[:20]:
            print(f"   +{t:.2f} s {n}")
        workers = Counter(
            f"{who.rstrip('_0123456789')}: {n.split('.')[0]}"
            for t, who, n in imports.seen
            if who != "MainThread" and t > t0
        )
        print(f"modules the workers imported while the probe ran: {workers.total()}")
        for text, count in workers.most_common(12):
            print(f"   {count:4d} {text}")
        print("\ngarbage collections over 5 ms (start, ms, generation, thread):")
        for start, took, gen, who in gcs.runs:
            if took > 0.005:
                print(f"   +{start - t0:.2f} s {took * 1000:5.0f} ms gen {gen} {who}")
    print("PROBE " + " ".join(f"{k}={v:.3f}" for k, v in stats.items()), flush=True)


def run_probe(
    mode: str, env: dict[str, str], *, sample: bool = False, variant: str = ""
) -> dict[str, float]:
    args = [sys.executable, __file__, "--probe", mode, "--variant", variant]
    args += ["--sample"] if sample else []
    out = subprocess.run(args, capture_output=True, text=True, check=False, cwd=REPO, env=env)
    line = next((x for x in out.stdout.splitlines() if x.startswith("PROBE")), "")
    if not line:
        print(out.stdout[-2000:], out.stderr[-3000:])
        raise SystemExit(1)
    if sample:
        print(out.stdout.split("PROBE", 1)[0])
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}


def child_env(bytecode: str, cache: str) -> dict[str, str]:
    """``written``: modules load from bytecode, as an installed app's do (written by one
    untimed run); ``none``: every module compiles from source when imported, as in a
    checkout synced without bytecode and run with PYTHONDONTWRITEBYTECODE=1."""
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if bytecode == "written":
        env["PYTHONPYCACHEPREFIX"] = cache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(Path(cache) / "never-written")
    return env


def row(label: str, results: list[dict[str, float]]) -> None:
    values = [r["max_ms"] for r in results]
    every = " ".join(f"{v:.0f}" for v in values)
    gc_docker = sum(r["gc_max_in_docker"] == 1 and r["gc_max_gen"] == 2 for r in results)
    gc_ms = statistics.median(r["gc_max_ms"] for r in results)
    print(
        f"   {label:<44}{statistics.median(values):>8.1f}{min(values):>7.1f}"
        f"{max(values):>7.1f}{gc_ms:>8.1f}   {gc_docker}/{len(results):<6}{every}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bytecode", choices=("written", "none"), default="written")
    parser.add_argument("--sample", action="store_true")
    parser.add_argument("--probe", choices=("ref", "weights"))
    # Diagnosis, one change at a time: "preimport" (the Hub's modules imported before the
    # window opens), "nogc" (no garbage collection), "freeze" (gc.freeze() after the
    # start-up preload), "switch=MS" (the GIL's switch interval).
    parser.add_argument("--variant", default="")
    args = parser.parse_args()
    if args.probe:
        probe(args.probe, args.sample, args.variant)
        return 0
    cache = tempfile.mkdtemp(prefix="bench-pyc-")
    env = child_env(args.bytecode, cache)
    print(
        f"Dots Desktop weights-step stall benchmark (offscreen, {os.cpu_count()} cores, "
        f"bytecode {args.bytecode}{', variant ' + args.variant if args.variant else ''})\n"
    )
    modes = ("ref", "weights")
    if args.bytecode == "written":
        for mode in modes:  # untimed: the bytecode written, as installing the app does
            run_probe(mode, env, variant=args.variant)
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for _ in range(args.runs):  # alternated: both modes see the same background load
        for mode in modes:
            runs[mode].append(run_probe(mode, env, variant=args.variant))
    print("Event-loop stall (max per run, ms) during a 20-page batch while a first model start")
    print(f"runs ({args.runs} runs each, alternated); GC: the longest garbage collection of a")
    print("run (median, ms); gen-2: runs whose longest was a full one in a Docker worker")
    print(
        f"   {'mode':<44}{'median':>8}{'min':>7}{'max':>7}{'GC':>8}   {'gen-2':<9}"
        "max stall of each run"
    )
    row("ref: weights step off (the simulator starts)", runs["ref"])
    row("weights step on, Hub refused (start fails)", runs["weights"])
    failed = sum("model_failed_s" in r for r in runs["weights"])
    ref = statistics.median(r["max_ms"] for r in runs["ref"])
    ours = statistics.median(r["max_ms"] for r in runs["weights"])
    print(f"   weights runs whose start failed offline: {failed}/{args.runs}")
    print(f"   ratio weights/ref (medians): {ours / ref:.2f}")
    print(f"   target median max stall <= 50 ms: {'yes' if ours <= 50 else 'NO'}")
    if args.sample:
        print("\nStack samples of one weights run, the five longest gaps:")
        run_probe("weights", env, sample=True, variant=args.variant)
    shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
