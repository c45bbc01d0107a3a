#!/usr/bin/env bash
# Cross-compiles chotd, chot and chot-hub for linux/arm64 (and chot-hub for
# linux/armv7), reproducibly: -trimpath, an empty build id, the version from
# git, the sysroot's path kept out of the binaries. Outputs go to
# build/out/linux-<arch>/ with SHA256SUMS; then each arm64 binary is run once
# under qemu-user against the sysroot (chotd --version, chot --help).
# Usage: build/cross.sh
source "$(dirname "$0")/lib/common.sh"
need go aarch64-linux-gnu-g++ pkg-config qemu-aarch64 readelf
GO=${GO:-go}
sysroot=$("$BUILD_DIR/sysroot.sh" arm64)
ver=$(version)
ldflags="-buildid= -X main.version=$ver"
triple=aarch64-linux-gnu
lib=$sysroot/usr/lib/$triple

out=$OUT_DIR/linux-arm64
mkdir -p "$out"
log "cross: arm64 $ver (sysroot $sysroot)"
cd "$REPO_DIR"
# Pure Go: no sysroot needed.
CGO_ENABLED=0 GOOS=linux GOARCH=arm64 "$GO" build -trimpath -ldflags "$ldflags" -o "$out/chot-hub" ./cmd/chot-hub
# cgo (gocv, zxing-cpp): the cross compilers with --sysroot; pkg-config reads the
# sysroot's opencv4.pc and zxing.pc; -rpath-link finds the BLAS/LAPACK libraries whose
# alternatives links an extracted sysroot lacks; the prefix maps keep the
# sysroot's path out of the binaries' debug info.
map="-ffile-prefix-map=$sysroot=/"
env CGO_ENABLED=1 GOOS=linux GOARCH=arm64 \
  CC="$triple-gcc" CXX="$triple-g++" \
  CGO_CFLAGS="--sysroot=$sysroot -O2 $map" \
  CGO_CXXFLAGS="--sysroot=$sysroot -O2 $map" \
  CGO_LDFLAGS="--sysroot=$sysroot -Wl,-rpath-link,$lib -Wl,-rpath-link,$lib/blas -Wl,-rpath-link,$lib/lapack -Wl,-rpath-link,$sysroot/lib/$triple" \
  PKG_CONFIG_SYSROOT_DIR="$sysroot" \
  PKG_CONFIG_LIBDIR="$lib/pkgconfig:$sysroot/usr/share/pkgconfig" \
  PKG_CONFIG_PATH= \
  "$GO" build -trimpath -ldflags "$ldflags" -o "$out/" ./cmd/chotd ./cmd/chot

# armv7: chot-hub only (see build/README.md: chotd/chot are arm64-only).
out7=$OUT_DIR/linux-armv7
mkdir -p "$out7"
CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 "$GO" build -trimpath -ldflags "$ldflags" -o "$out7/chot-hub" ./cmd/chot-hub

for d in "$out" "$out7"; do
  (cd "$d" && sha256sum chot* > SHA256SUMS)
done
echo "$ver" > "$OUT_DIR/VERSION"

# Smoke: run the arm64 binaries under qemu-user with the sysroot's libraries
# (BLAS/LAPACK live behind alternatives links an extracted sysroot lacks).
run() {
  QEMU_LD_PREFIX="$sysroot" LD_LIBRARY_PATH="/usr/lib/$triple/blas:/usr/lib/$triple/lapack" \
    qemu-aarch64 "$@"
}
run "$out/chotd" --version
help=$(run "$out/chot" --help 2>&1 || true)
grep -q '^usage: chot' <<<"$help" || die "chot --help under qemu-user: $help"
echo "${help%%$'\n'*}"
help=$(run "$out/chot-hub" --help 2>&1 || true)
echo "${help%%$'\n'*}"
file "$out"/chot* "$out7"/chot-hub | sed "s|$OUT_DIR/||"
# The shared libraries each cgo binary needs (trixie's sonames: the .deb's
# Depends are derived from them).
for b in chotd chot; do
  echo "$b NEEDED: $(readelf -d "$out/$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd' ' -)"
done
cat "$out/SHA256SUMS" "$out7/SHA256SUMS"
