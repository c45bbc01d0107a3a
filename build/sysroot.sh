#!/usr/bin/env bash
# Builds (or reuses) the arm64 sysroot for cross-compiling the cgo binaries:
# an extracted Debian tree with the OpenCV headers and libraries, no
# emulation needed. Prints the sysroot's path. Trixie is merged-/usr and the
# extract variant installs no base-files: the /lib, /bin, /sbin links are
# made here (glibc's linker scripts and the ELF interpreter name /lib/...).
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
start=$(date +%s)
mmdebstrap --variant=extract --architectures="$arch" --mode=root \
  --include="$(packages "$BUILD_DIR/sysroot.packages")" \
  "$SUITE" "$dir.tmp" \
  "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY_MIRROR $SUITE-security main" >&2
for d in bin sbin lib; do [ -e "$dir.tmp/$d" ] || ln -s "usr/$d" "$dir.tmp/$d"; done
mv "$dir.tmp" "$dir"
touch "$dir/.done"
log "sysroot: built in $(($(date +%s) - start)) s, $(du -sh "$dir" | cut -f1)"
echo "$dir"
