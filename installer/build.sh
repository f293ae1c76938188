#!/usr/bin/env bash
# Build the one-folder desktop bundle with PyInstaller from the project's uv environment.
#
#   bash installer/build.sh            -> build/bundle/dots-desktop/   (Linux)
#                                         build/bundle/Dots Desktop.app (macOS)
# Environment: DOTS_BUNDLE_DIST (default build/bundle), DOTS_BUNDLE_WORK (default
# build/pyinstaller). Prints the bundle's size and the build time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIST=${DOTS_BUNDLE_DIST:-$ROOT/build/bundle}
WORK=${DOTS_BUNDLE_WORK:-$ROOT/build/pyinstaller}
export UV_LINK_MODE=${UV_LINK_MODE:-copy}

if [ -x "$ROOT/.venv/bin/pyinstaller" ]; then
    PYI=("$ROOT/.venv/bin/pyinstaller")
else
    PYI=(uv run --frozen pyinstaller)
fi

start=$(date +%s)
"${PYI[@]}" --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" \
    "$ROOT/installer/dots_desktop.spec"
elapsed=$(( $(date +%s) - start ))

case "$(uname -s)" in
    Darwin) bundle="$DIST/Dots Desktop.app" ;;
    *) bundle="$DIST/dots-desktop" ;;
esac
[ -d "$bundle" ] || { echo "build.sh: $bundle was not produced" >&2; exit 1; }
size=$(du -sm "$bundle" | cut -f1)
files=$(find "$bundle" -type f | wc -l)
echo "bundle: $bundle"
echo "bundle size: ${size} MiB unpacked (${files} files)"
echo "build time: ${elapsed} s"
