# Shared helpers of the build scripts (sourced, not run).
# shellcheck shell=bash
set -euo pipefail

BUILD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$BUILD_DIR/.." && pwd)
CACHE_DIR=${CHOT_CACHE_DIR:-$BUILD_DIR/cache}
OUT_DIR=${CHOT_OUT_DIR:-$BUILD_DIR/out}
SUITE=${CHOT_SUITE:-trixie}
MIRROR=${CHOT_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${CHOT_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
mkdir -p "$CACHE_DIR" "$OUT_DIR"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# packages FILE: the package names of a list file, comma-separated.
packages() { grep -v '^\s*#' "$1" | grep -v '^\s*$' | paste -sd, -; }

# cache_key FILE...: a short hash of files' contents, the cache key.
cache_key() { cat "$@" | sha256sum | cut -c1-16; }

# need TOOL...: fail early with the package to install.
need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || die "$t not found: run this through scripts/target.sh (its root has every tool: scripts/target.packages)"
  done
}

# enable_binfmt: arm64 emulation for chroots and mmdebstrap. binfmt_misc is
# not mounted by default in containers; the registration takes the target
# root's static qemu-aarch64 with the F flag (the kernel opens it now), so it
# works in every chroot and outlives the target's mount namespace.
enable_binfmt() {
  local conf=/usr/share/qemu/binfmt.d/qemu-aarch64.conf
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && return 0
  if [ -r "$conf" ]; then
    grep -q ':[A-Z]*F[A-Z]*$' "$conf" || die "$conf lacks the F flag"
    cat "$conf" > /proc/sys/fs/binfmt_misc/register 2>/dev/null ||
      [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || die "registering qemu-aarch64 with binfmt_misc failed"
  elif command -v update-binfmts >/dev/null; then
    update-binfmts --enable qemu-aarch64
  else
    die "no qemu-aarch64 binfmt: run this through scripts/target.sh"
  fi
}

# version: the version stamped into the binaries and the .deb.
version() {
  local v
  v=$(git -C "$REPO_DIR" describe --tags --always --dirty 2>/dev/null || echo dev)
  echo "${CHOT_VERSION:-$v}"
}

# source_date_epoch: the last commit's time, for reproducible outputs.
source_date_epoch() {
  echo "${SOURCE_DATE_EPOCH:-$(git -C "$REPO_DIR" log -1 --format=%ct 2>/dev/null || echo 0)}"
}
