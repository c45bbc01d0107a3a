#!/usr/bin/env bash
# Builds (or reuses) the base arm64 root filesystem as a tarball: Debian
# trixie minbase + kernel + Raspberry Pi firmware + OpenCV runtime.
# Cached by the hash of the package list, this script and the initramfs
# module list; prints the tarball's path.
# Usage: build/rootfs.sh
source "$(dirname "$0")/lib/common.sh"
need mmdebstrap
enable_binfmt
key=$(cache_key "$BUILD_DIR/rootfs.packages" "$0" "$BUILD_DIR/rootfs/initramfs-modules")
tar=$CACHE_DIR/rootfs-arm64-$SUITE-$key.tar
if [ -f "$tar" ]; then
  echo "$tar"
  exit 0
fi
log "rootfs: building $tar (emulated, 20-30 min cold)"
start=$(date +%s)
modules=$BUILD_DIR/rootfs/initramfs-modules
SOURCE_DATE_EPOCH=$(source_date_epoch) mmdebstrap --mode=root --variant=minbase --architectures=arm64 \
  --include="$(packages "$BUILD_DIR/rootfs.packages")" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
  --setup-hook='echo MODULES=list > "$1/etc/initramfs-tools/conf.d/chot-modules"' \
  --setup-hook="grep -v '^#' '$modules' > \"\$1/usr/share/initramfs-tools/modules.d/chot\"" \
  --customize-hook='echo chot > "$1/etc/hostname"' \
  --customize-hook='rm -f "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*_Packages' \
  --format=tar "$SUITE" "$tar.tmp" \
  "deb $MIRROR $SUITE main non-free-firmware" \
  "deb $MIRROR $SUITE-updates main non-free-firmware" \
  "deb $SECURITY_MIRROR $SUITE-security main non-free-firmware" >&2
mv "$tar.tmp" "$tar"
log "rootfs: built in $(($(date +%s) - start)) s, $(du -h "$tar" | cut -f1)"
echo "$tar"
