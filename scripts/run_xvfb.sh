#!/usr/bin/env bash
# Run a command under a private Xvfb with a system tray host (trayer), then stop both.
#   scripts/run_xvfb.sh uv run python scripts/screenshots.py /tmp/shots
#   scripts/run_xvfb.sh uv run pytest tests/ui -q
set -euo pipefail
display=${XVFB_DISPLAY:-:99}
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
trap 'kill "$tray_pid" "$xvfb_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    [ -e "/tmp/.X11-unix/X${display#:}" ] && break
    sleep 0.1
done
DISPLAY=$display trayer --edge top --align right --widthtype request --height 24 >/dev/null 2>&1 &
tray_pid=$!
sleep 1
DISPLAY=$display "$@"
