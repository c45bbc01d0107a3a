#!/usr/bin/env bash
# Builds (or reuses) the arm64 sysroot for cross-compiling the cgo binaries:
# an extracted Debian tree with the OpenCV headers and libraries, no
# emulation needed. Prints the sysroot's path.
# Usage: build/sysroot.sh [arm64]
source "$(dirname "$0")/lib/common.sh"
arch=${1:-arm64}
need mmdebstrap
key=$(cache_key "$BUILD_DIR/sysroot.packages" "$0")
dir=$CACHE_DIR/sysroot-$arch-$SUITE-$key
if [ -f "$dir/.done" ]; then
  echo "$dir"
  exit 0
fi
rm -rf "$dir" "$dir.tmp"
log "sysroot: building $dir (no emulation, ~3 min)"
mmdebstrap --variant=extract --architectures="$arch" --mode=root \
  --include="$(packages "$BUILD_DIR/sysroot.packages")" \
  "$SUITE" "$dir.tmp" "$MIRROR" >&2
mv "$dir.tmp" "$dir"
touch "$dir/.done"
echo "$dir"
