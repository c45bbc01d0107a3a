#!/usr/bin/env bash
# Builds the SD card image build/out/chot-<version>-arm64.img from the cached
# base root filesystem (build/rootfs.sh) and the .deb (make deb): installs
# the package in a chroot (qemu-user), adds the board's fstab, network and
# journal settings, then genimage assembles boot (FAT), root and data
# partitions without mounting anything.
# Usage: build/image.sh
source "$(dirname "$0")/lib/common.sh"
need genimage mkfs.vfat mcopy mke2fs chroot
enable_binfmt
ROOT_SIZE=${CHOT_ROOT_SIZE:-2G}
DATA_SIZE=${CHOT_DATA_SIZE:-512M}
start=$(date +%s)
tar=$("$BUILD_DIR/rootfs.sh")
deb=$(ls -t "$OUT_DIR"/chot_*_arm64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "no .deb in $OUT_DIR: run make deb"
ver=$(cat "$OUT_DIR/VERSION")
sde=$(source_date_epoch)
name=chot-$ver-arm64.img
work=$OUT_DIR/image-work
root=$work/rootfs
rm -rf "$work"
mkdir -p "$root"
log "image: unpacking $(basename "$tar")"
tar -C "$root" --numeric-owner -xpf "$tar"

log "image: installing $(basename "$deb")"
cp "$deb" "$root/tmp/chot.deb"
chroot "$root" dpkg -i /tmp/chot.deb >&2 ||
  die "dpkg -i: a Depends of the .deb missing from build/rootfs.packages? (above)"
rm -f "$root/tmp/chot.deb"
for u in chotd.service chot-provision.service chot-clock.service chot-clock-save.timer chot-grow-data.service; do
  [ "$(chroot "$root" systemctl is-enabled "$u" 2>/dev/null)" = enabled ] || die "$u is not enabled in the image"
done
# dpkg's log has the install's time in it (the base has none): reproducible.
rm -f "$root/var/log/dpkg.log" "$root/var/log/alternatives.log"

log "image: board settings"
install -m 0644 "$BUILD_DIR/image/fstab" "$root/etc/fstab"
install -D -m 0644 "$BUILD_DIR/image/20-wired.network" "$root/etc/systemd/network/20-wired.network"
install -D -m 0644 "$BUILD_DIR/image/journald.conf" "$root/etc/systemd/journald.conf.d/60-chot.conf"
chroot "$root" systemctl enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service >&2
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
# Every board gets its own machine-id at first boot.
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
mkdir -p "$root/boot/firmware" "$root/var/lib/chot"
# The clock starts no earlier than the build.
echo "$sde" > "$root/var/lib/chot/clock"
# Boot: the raspi-firmware kernel hook filled /boot/firmware; the root is
# found by label, whatever the card's device name.
fw=$root/boot/firmware
[ -f "$fw/cmdline.txt" ] || die "no $fw/cmdline.txt: raspi-firmware's hook did not run"
# raspi-firmware's hook, run in a chroot, cannot see the board: it adds
# cma=64M, which its own notes say leaves a Pi 4 unbootable (a headless board
# needs no CMA for graphics), and only console=tty0 (ttyS1 is the arm64
# boards' serial console, enable_uart=1 in config.txt).
sed -i -E -e 's#root=[^ ]+#root=LABEL=chot-root#' -e 's# cma=[^ ]+##' \
  -e 's#^console=tty0( |$)#console=tty0 console=ttyS1,115200 #' -e 's#  +# #g' "$fw/cmdline.txt"
cp -L "$root"/boot/vmlinuz-* "$OUT_DIR/vmlinuz"
cp -L "$root"/boot/initrd.img-* "$OUT_DIR/initrd.img"
log "image: cmdline.txt: $(cat "$fw/cmdline.txt")"

log "image: genimage ($ROOT_SIZE root, $DATA_SIZE data)"
sed -e "s/@ROOT_SIZE@/$ROOT_SIZE/" -e "s/@DATA_SIZE@/$DATA_SIZE/" -e "s/@IMAGE_NAME@/$name/" \
  "$BUILD_DIR/image/genimage.cfg" > "$work/genimage.cfg"
# The boot partition: built here rather than by genimage, whose mcopy stamps
# files with the current time; --invariant fixes mkfs.fat's own times.
mv "$fw" "$work/boot"
mkdir -m 0755 "$fw"
mkfs.vfat --invariant -C -i 43484f54 -n RASPIFIRM "$work/boot.vfat" $((256 * 1024)) > /dev/null
find "$work/boot" -newermt "@$sde" -exec touch -h -d "@$sde" {} +
mcopy -m -i "$work/boot.vfat" "$work/boot"/* ::
# File times no later than the last commit (what this build added is newer);
# mke2fs's own times from E2FSPROGS_FAKE_TIME.
find "$root" -newermt "@$sde" -exec touch -h -d "@$sde" {} +
# genimage takes the mountpoints out of a copy of the root it makes itself.
SOURCE_DATE_EPOCH=$sde E2FSPROGS_FAKE_TIME=$sde genimage --config "$work/genimage.cfg" --rootpath "$root" \
  --tmppath "$work/tmp" --inputpath "$work" --outputpath "$work/images" >&2
# mke2fs -d copies the host's inode change times: reset them (and access and
# creation times, and the superblock's) to the last commit with debugfs, and
# put the result back into the disk image (partitions 2 and 3).
fix_times() {
  local fs=$1 used
  used=$(dumpe2fs -h "$fs" 2>/dev/null | awk -F: '/^Inode count/{c=$2} /^Free inodes/{f=$2} END{print c-f}')
  {
    for ((i = 1; i <= used + 16; i++)); do
      printf 'sif <%d> ctime @%s\nsif <%d> atime @%s\nsif <%d> crtime @%s\n' "$i" "$sde" "$i" "$sde" "$i" "$sde"
      printf 'sif <%d> ctime_extra 0\nsif <%d> atime_extra 0\nsif <%d> crtime_extra 0\n' "$i" "$i" "$i"
    done
    for f in mtime wtime lastcheck mkfs_time; do echo "ssv $f @$sde"; done
  } > "$work/debugfs.cmds"
  E2FSPROGS_FAKE_TIME=$sde debugfs -w -f "$work/debugfs.cmds" "$fs" > /dev/null 2> "$work/debugfs.log" ||
    die "debugfs $fs: $(tail -3 "$work/debugfs.log")"
}
n=2
for p in root data; do
  fix_times "$work/images/$p.ext4"
  sector=$(python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(512); print(struct.unpack("<I", b[446+16*int(sys.argv[2])+8:][:4])[0])' \
    "$work/images/$name" $((n - 1)))
  dd if="$work/images/$p.ext4" of="$work/images/$name" bs=512 seek="$sector" conv=notrunc,sparse status=none
  n=$((n + 1))
done
(cd "$work" && sha256sum boot.vfat images/root.ext4 images/data.ext4 "images/$name") | sed 's/^/image: sha256 /' >&2
mv "$work/images/$name" "$OUT_DIR/$name"
rm -rf "$work/tmp" "$work/images"
ln -sf "$name" "$OUT_DIR/chot-arm64.img"
log "image: $OUT_DIR/$name $(du -h --apparent-size "$OUT_DIR/$name" | cut -f1) ($(du -h "$OUT_DIR/$name" | cut -f1) on disk), $(($(date +%s) - start)) s"
echo "$OUT_DIR/$name"
