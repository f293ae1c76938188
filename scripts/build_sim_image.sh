#!/usr/bin/env bash
# Build the vLLM simulator image (default tag dots-desktop/vllm-sim:test).
#
#   scripts/build_sim_image.sh [--force] [--rebuild-base]
#
# Step 1 (once): debootstrap a minimal Debian bookworm root with python3-minimal and the
#   standard library only, imported as the base tag (dots-desktop/debian-python:bookworm).
# Step 2: build the simulator image FROM that base with tests/vllm_sim copied in.
# Idempotent: exits at once when the image already exists, unless --force.
# Needs root (or sudo) for debootstrap, a Docker engine and a Debian mirror.
# Environment: SIM_IMAGE_TAG, SIM_BASE_TAG, DEBIAN_MIRROR, DEBIAN_SUITE.
set -euo pipefail

TAG="${SIM_IMAGE_TAG:-dots-desktop/vllm-sim:test}"
BASE_TAG="${SIM_BASE_TAG:-dots-desktop/debian-python:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE="${DEBIAN_SUITE:-bookworm}"
FORCE=0
REBUILD_BASE=0
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        --rebuild-base) FORCE=1; REBUILD_BASE=1 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build_sim_image: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
START=$(date +%s)
log() { echo "[build_sim_image $(date -u +%H:%M:%S)] $*"; }
elapsed() { echo "$(( $(date +%s) - START ))s"; }

if ! docker version >/dev/null 2>&1; then
    echo "build_sim_image: no Docker engine reachable (is dockerd running?)" >&2
    exit 1
fi

# The image is labelled with a hash of the simulator's sources and its Dockerfile: an image built from older
# sources is rebuilt (only the small top layer; the Debian base is reused).
SOURCE_HASH="$( (cd "$ROOT/tests" && find vllm_sim -name '*.py' -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum; sha256sum < "$ROOT/docker/vllm-sim/Dockerfile") | sha256sum | cut -c1-16)"
if [[ $FORCE == 0 ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
    BUILT_HASH="$(docker image inspect -f '{{index .Config.Labels "dots-desktop.sim-source"}}' "$TAG" 2>/dev/null || true)"
    if [[ "$BUILT_HASH" == "$SOURCE_HASH" ]]; then
        log "image $TAG is up to date (sources $SOURCE_HASH); nothing to do (--force rebuilds it)"
        exit 0
    fi
    log "image $TAG was built from other sources (${BUILT_HASH:-unlabelled}); rebuilding"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sim-image.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

if [[ $REBUILD_BASE == 1 ]] || ! docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
    SUDO=""
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null || { echo "build_sim_image: debootstrap needs root" >&2; exit 1; }
        SUDO="sudo"
    fi
    command -v debootstrap >/dev/null || command -v /usr/sbin/debootstrap >/dev/null || {
        echo "build_sim_image: debootstrap is not installed (apt-get install debootstrap)" >&2
        exit 1
    }
    log "debootstrap --variant=minbase $SUITE (python3-minimal, libpython3.11-stdlib) from $MIRROR"
    $SUDO debootstrap --variant=minbase --include=python3-minimal,libpython3.11-stdlib \
        "$SUITE" "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
        tail -n 30 "$WORK/debootstrap.log" >&2
        echo "build_sim_image: debootstrap failed (log above)" >&2
        exit 1
    }
    # Package caches and docs only make the image bigger.
    $SUDO rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"* \
        "$WORK/rootfs/usr/share/doc" "$WORK/rootfs/usr/share/man" "$WORK/rootfs/usr/share/locale"
    log "importing the root file system as $BASE_TAG ($(elapsed) so far)"
    $SUDO tar -C "$WORK/rootfs" -c . | docker import --change 'CMD ["/bin/bash"]' - "$BASE_TAG" >/dev/null
    $SUDO rm -rf "$WORK/rootfs"
else
    log "reusing base image $BASE_TAG"
fi

log "building $TAG from $BASE_TAG with tests/vllm_sim"
mkdir -p "$WORK/context/tests"
cp "$ROOT/docker/vllm-sim/Dockerfile" "$WORK/context/Dockerfile"
cp "$ROOT/tests/__init__.py" "$WORK/context/tests/__init__.py"
tar -C "$ROOT/tests" --exclude='__pycache__' --exclude='*.pyc' -c vllm_sim | tar -C "$WORK/context/tests" -x
# The classic builder needs no buildx plug-in and works on old engines too.
if ! DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$BASE_TAG" \
    --build-arg "SOURCE_HASH=$SOURCE_HASH" -t "$TAG" "$WORK/context" >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log" >&2
    echo "build_sim_image: docker build failed (log above)" >&2
    exit 1
fi

log "built $TAG in $(elapsed)"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -F -e "$TAG" -e "$BASE_TAG" || true
