#!/usr/bin/env bash
# Install the Linux bundle this script sits in (dist folder of installer/build.sh or the
# unpacked release archive) into the menus:
#
#   ./install.sh                    for the current user: ~/.local/{opt,bin,share}
#   sudo ./install.sh --prefix /usr/local      for everyone
#   ./install.sh --uninstall [--prefix P]      remove it again
#
# Copies the bundle to PREFIX/opt/dots-desktop, links PREFIX/bin/dots-desktop and
# dots-desktop-ocr-this, installs the .desktop entries (with absolute Exec paths, so they
# work even when PREFIX/bin is not on the desktop session's PATH) and the icon, then
# refreshes the menu and MIME caches when the tools exist.
set -euo pipefail

prefix="${HOME}/.local"
uninstall=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --uninstall) uninstall=1; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done

src="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
opt="$prefix/opt/dots-desktop"
bin="$prefix/bin"
apps="$prefix/share/applications"
icons="$prefix/share/icons/hicolor"

refresh_caches() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true
}

if [ "$uninstall" -eq 1 ]; then
    rm -f "$bin/dots-desktop" "$bin/dots-desktop-ocr-this" \
        "$apps/dots-desktop.desktop" "$apps/dots-desktop-ocr-this.desktop" \
        "$icons/scalable/apps/dots-desktop.svg" "$icons/256x256/apps/dots-desktop.png"
    rm -rf "$opt"
    refresh_caches
    echo "Dots Desktop removed from $prefix"
    exit 0
fi

[ -x "$src/dots-desktop" ] || { echo "install.sh: $src/dots-desktop is missing: run it from the bundle folder" >&2; exit 1; }

mkdir -p "$opt" "$bin" "$apps" "$icons/scalable/apps" "$icons/256x256/apps"
if [ "$src" != "$(readlink -f "$opt")" ]; then
    rm -rf "$opt"
    cp -a "$src" "$opt"
fi
chmod +x "$opt/dots-desktop" "$opt/dots-desktop-ocr-this"
ln -sfn "$opt/dots-desktop" "$bin/dots-desktop"
ln -sfn "$opt/dots-desktop-ocr-this" "$bin/dots-desktop-ocr-this"

# Absolute paths in Exec/TryExec: "dots-desktop" -> "$opt/dots-desktop" (also the -ocr-this one).
for entry in dots-desktop.desktop dots-desktop-ocr-this.desktop; do
    sed -E "s#^(Exec|TryExec)=dots-desktop#\1=$opt/dots-desktop#" "$src/$entry" >"$apps/$entry"
    chmod 644 "$apps/$entry"
done
cp "$src/dots-desktop.svg" "$icons/scalable/apps/dots-desktop.svg"
cp "$src/dots-desktop.png" "$icons/256x256/apps/dots-desktop.png"
refresh_caches

echo "Dots Desktop installed in $opt"
case ":$PATH:" in
    *":$bin:"*) ;;
    *) echo "Add $bin to PATH to run dots-desktop from a terminal." ;;
esac
