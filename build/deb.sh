#!/usr/bin/env bash
# Builds build/out/chot_<version>_arm64.deb from make cross's binaries with
# plain dpkg-deb: chotd, chot, the systemd units, the udev rule, the
# sysusers file, first-boot provisioning and the clock keeper. Reproducible:
# file times are clamped to the last commit, owners are root.
# Usage: build/deb.sh
source "$(dirname "$0")/lib/common.sh"
need dpkg-deb fakeroot readelf dpkg-architecture
bin=$OUT_DIR/linux-arm64
[ -x "$bin/chotd" ] && [ -x "$bin/chot" ] || die "no arm64 binaries in $bin: run make cross"
ver=$(cat "$OUT_DIR/VERSION")
# A release tag v1.2.3 gives 1.2.3; anything else 0~git.<describe>.
if [[ $ver =~ ^v?[0-9]+\.[0-9] ]]; then debver=${ver#v}; else debver="0~git.$ver"; fi
debver=${debver//-/.}
sde=$(source_date_epoch)
root=$OUT_DIR/deb-root
rm -rf "$root"
inst() { install -D -m "$1" "$2" "$root/$3"; }
inst 0755 "$bin/chotd" usr/bin/chotd
inst 0755 "$bin/chot" usr/bin/chot
inst 0755 "$BUILD_DIR/scripts/chot-provision" usr/lib/chot/chot-provision
inst 0755 "$BUILD_DIR/scripts/chot-clock" usr/lib/chot/chot-clock
inst 0755 "$BUILD_DIR/scripts/chot-grow-data" usr/lib/chot/chot-grow-data
for u in chotd.service chot-provision.service chot-clock.service chot-clock-save.service chot-clock-save.timer \
  chot-grow-data.service; do
  inst 0644 "$BUILD_DIR/systemd/$u" "usr/lib/systemd/system/$u"
done
inst 0644 "$BUILD_DIR/systemd/60-chot-gpio.rules" usr/lib/udev/rules.d/60-chot-gpio.rules
inst 0644 "$BUILD_DIR/systemd/chot.sysusers" usr/lib/sysusers.d/chot.conf
inst 0644 "$BUILD_DIR/systemd/60-chot-watchdog.conf" etc/systemd/system.conf.d/60-chot-watchdog.conf
inst 0644 "$REPO_DIR/configs/chotd.yaml" usr/share/doc/chot/examples/chot.yaml
inst 0644 "$BUILD_DIR/README.md" usr/share/doc/chot/README.md
mkdir -p "$root/DEBIAN"
for s in postinst prerm postrm; do inst 0755 "$BUILD_DIR/deb/$s" "DEBIAN/$s"; done
echo /etc/systemd/system.conf.d/60-chot-watchdog.conf > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
# Depends: the package of every soname chotd and chot need (readelf -d),
# looked up in the target root's dpkg database (amd64 there; the arm64
# packages have the same names), at least that package's upstream version.
# Like dpkg-shlibdeps, without an arm64 dpkg database.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
depends=()
for so in $(for b in "$bin/chotd" "$bin/chot"; do
  readelf -d "$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
done | sort -u); do
  pkg=$(dpkg -S "/usr/lib/$multiarch/$so" 2>/dev/null | head -1 | cut -d: -f1) ||
    true
  [ -n "$pkg" ] || die "no package in the target ships $so (install its runtime package in the target)"
  v=$(dpkg-query -W -f='${Version}' "$pkg:$(dpkg --print-architecture)")
  depends+=("$pkg (>= ${v%-*})")
done
depends=$(printf '%s\n' "${depends[@]}" "systemd (>= 257)" udev | sort -u | paste -sd, - | sed 's/,/, /g')
log "deb: Depends: $depends"
cat > "$root/DEBIAN/control" <<CONTROL
Package: chot
Version: $debver
Architecture: arm64
Maintainer: chot developers <dev@chot.invalid>
Installed-Size: $size
Depends: $depends
Recommends: systemd-timesyncd
Section: misc
Priority: optional
Homepage: https://github.com/chot-dev/chot
Description: offline checkpoint for EU DCC and SMART Health Card QR codes
 chotd reads QR codes from a USB camera, verifies them offline against a
 signed trust bundle, logs every decision durably and drives a gate relay,
 a buzzer and an LED over GPIO. chot is its command-line companion.
 Includes the systemd units (Type=notify, watchdog), a udev rule for
 /dev/gpiochip*, first-boot provisioning from the boot partition and a
 clock keeper for boards without a real-time clock.
CONTROL
find "$root" -exec touch -h -d "@$sde" {} +
deb=$OUT_DIR/chot_${debver}_arm64.deb
SOURCE_DATE_EPOCH=$sde dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
