"""Frozen bundle vs source: unpacked size and time to the main window, measured in one run.

    uv run python -m benchmarks.bench_bundle [--bundle build/bundle/dots-desktop] [--runs 5]

Each start is a fresh process, frozen and source alternating (after one warm-up of each,
so both read from a warm file cache). ``--mode selftest`` (default) runs
``dots-desktop --self-test`` with ``DOTS_DESKTOP_SELFTEST_STOP_AFTER=window`` and takes the
moment its "main window shown" line arrives: process start, imports, QApplication and
the real MainWindow exposed. ``--mode gui`` starts the full app (tray, engine, history)
with ``DOTS_DESKTOP_EXIT_AFTER_SHOWN=1`` and takes the process's exit; it needs that hook
in desktop/ui. Targets: bundle < 320 MB unpacked (issue 18, which let the built-in engine's
OpenCV and models grow it past issue 6's 250 MB), frozen <= 1.2x source.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE_TARGET_MB = 320
RATIO_TARGET = 1.2
MARKER = "main window shown"
TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class Start:
    label: str
    command: tuple[str, ...]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def biggest(internal: Path, count: int = 10) -> list[tuple[str, int]]:
    entries = []
    for child in internal.iterdir():
        if child.is_symlink():
            continue
        size = dir_size(child) if child.is_dir() else child.stat().st_size
        entries.append((child.name, size))
    return sorted(entries, key=lambda e: e[1], reverse=True)[:count]


def _env(mode: str, home: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["DOTS_DESKTOP_HOME"] = home
    if mode == "selftest":
        env["DOTS_DESKTOP_SELFTEST_STOP_AFTER"] = "window"
    else:
        env["DOTS_DESKTOP_EXIT_AFTER_SHOWN"] = "1"
    return env


def time_start(start: Start, mode: str) -> float:
    """Seconds from spawning the process to the window being shown."""
    with tempfile.TemporaryDirectory(prefix="dots-bench-home-") as home:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            start.command,
            cwd=ROOT,
            env=_env(mode, home),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        shown: float | None = None
        try:
            if mode == "selftest":
                for line in proc.stdout:
                    if MARKER in line:
                        shown = time.perf_counter() - t0
                        break
            proc.wait(timeout=TIMEOUT_S)
            if mode == "gui" and proc.returncode == 0:
                shown = time.perf_counter() - t0
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if shown is None:
            hint = (
                " (does desktop/ui honour DOTS_DESKTOP_EXIT_AFTER_SHOWN?)" if mode == "gui" else ""
            )
            raise RuntimeError(f"{start.label}: the window was never reported shown{hint}")
        return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "build" / "bundle" / "dots-desktop")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mode", choices=("selftest", "gui"), default="selftest")
    args = parser.parse_args(argv)
    exe = args.bundle / ("dots-desktop.exe" if os.name == "nt" else "dots-desktop")
    if not exe.exists():
        print(f"no bundle at {args.bundle}: run `bash installer/build.sh` first", file=sys.stderr)
        return 1
    extra = ("--self-test",) if args.mode == "selftest" else ()
    starts = [
        Start("source", (sys.executable, "-m", "desktop", *extra)),
        Start("frozen", (str(exe), *extra)),
    ]

    total = dir_size(args.bundle)
    print(f"\nBundle {args.bundle}")
    print("| what | size MiB |\n| --- | ---: |")
    print(
        f"| unpacked bundle, apparent size = {total / 10**6:.1f} MB (target < {SIZE_TARGET_MB} MB)"
        f" | {total / 2**20:.0f} |"
    )
    internal = args.bundle / "_internal"
    if internal.is_dir():
        for name, size in biggest(internal):
            print(f"| _internal/{name} | {size / 2**20:.1f} |")

    times: dict[str, list[float]] = {s.label: [] for s in starts}
    for start in starts:  # warm-up: file cache, font cache, __pycache__
        time_start(start, args.mode)
    for _ in range(args.runs):
        for start in starts:
            times[start.label].append(time_start(start, args.mode))

    ref = statistics.median(times["source"])
    print(
        f"\nTime to main window ({args.mode} mode, {args.runs} runs each, same machine, same run)"
    )
    print("| start | median s | min s | max s | vs source |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, values in times.items():
        med = statistics.median(values)
        print(f"| {label} | {med:.3f} | {min(values):.3f} | {max(values):.3f} | {med / ref:.2f}x |")
    size_verdict = "meets" if total < SIZE_TARGET_MB * 10**6 else "misses"
    print(f"\nbundle = {total / 10**6:.1f} MB: {size_verdict} the < {SIZE_TARGET_MB} MB target")
    ratio = statistics.median(times["frozen"]) / ref
    verdict = "meets" if ratio <= RATIO_TARGET else "misses"
    print(f"\nfrozen/source = {ratio:.2f}x: {verdict} the <= {RATIO_TARGET}x target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
