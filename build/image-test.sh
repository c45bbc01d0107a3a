#!/usr/bin/env bash
# Tests the SD card image (make image-test):
#  1. chroot check: every binary's shared libraries resolve in the image's
#     root (qemu-user), chotd --version and chot --help run;
#  2. a copy of the image gets a test chot.yaml (replayed frames, fake GPIO)
#     on its boot partition, as a technician would drop it;
#  3. qemu-system-aarch64 -M virt boots the image's own kernel and initrd,
#     with an i6300esb standing in for the board's hardware watchdog;
#  4. checks: provisioning applied (console log, /status.json configured with
#     the test device id, secrets gone from the boot partition, the report
#     left there), chotd READY under systemd with its watchdog on and still
#     the same process after 3 watchdog intervals, /status.json served,
#     frames flowing; then a clean power-off (ACPI power button) saves the
#     clock to the data partition;
#     The test image is 1 GiB larger than the built one (a larger card): the
#     data partition must have grown to the end of the disk at first boot,
#     partition and filesystem;
#  5. second boot with a broken chot.yaml: refused and reported, renamed
#     chot.yaml.rejected, the first configuration and device key kept; then
#     a hung chotd (SIGSTOP, from a test-only unit written into the test
#     copy's root) must be restarted by systemd's watchdog: the timeout within
#     WatchdogSec of the stop, a new chotd serving /status.json again.
# Figures (boot-to-ready) go to build/out/image-test/result.txt.
# Usage: build/image-test.sh [IMAGE]
source "$(dirname "$0")/lib/common.sh"
need qemu-system-aarch64 mcopy mdir mtype curl
img=${1:-$OUT_DIR/chot-arm64.img}
[ -f "$img" ] || die "no image $img: run make image"
root=$OUT_DIR/image-work/rootfs
t=$OUT_DIR/image-test
rm -rf "$t"
mkdir -p "$t/boot/chot/frames"
fail() { log "FAIL: $*"; [ -z "${qpid:-}" ] || kill "$qpid" 2>/dev/null || true; exit 1; }

# 1. Libraries resolve in the image's root.
if [ -d "$root" ]; then
  enable_binfmt
  for b in /usr/bin/chotd /usr/bin/chot; do
    missing=$(chroot "$root" ldd "$b" | grep 'not found' || true)
    [ -z "$missing" ] || fail "$b: missing libraries: $missing"
    log "chroot: $b: $(chroot "$root" ldd "$b" | wc -l) libraries, all found"
  done
  log "chroot: $(chroot "$root" /usr/bin/chotd --version)"
  help=$(chroot "$root" /usr/bin/chot --help 2>&1 || true)
  grep -q '^usage: chot' <<<"$help" || fail "chot --help: $help"
else
  log "chroot check skipped: no $root (image built elsewhere)"
fi

# 2. The technician's files on a copy of the image, on a card 1 GiB larger.
cp --sparse=always "$(readlink -f "$img")" "$t/test.img"
grow=${CHOT_TEST_GROW:-1G}
truncate -s "+$grow" "$t/test.img"
# mbr_part IMAGE N: start and size (512-byte sectors) of primary partition N.
mbr_part() {
  python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(512); e=b[446+16*(int(sys.argv[2])-1):][:16]; print(*struct.unpack("<II",e[8:16]))' "$1" "$2"
}
read -r _ data_before < <(mbr_part "$t/test.img" 3)
part=$t/test.img@@4M
device=chot-qemu-$(date +%s)
cat > "$t/boot/chot.yaml" <<YAML
version: 1
site: image-test
device:
  id: $device
  data_dir: /var/lib/chot
trust:
  roots: [$(head -c32 /dev/urandom | base64)]
camera:
  source: replay
  dir: /etc/chot/frames
  fps: 2
gpio:
  driver: fake
  relay: FAKE_RELAY
  buzzer: FAKE_BUZZER
  led: FAKE_LED
policy:
  mode: travel
  untrusted_clock: accept
status:
  listen: 0.0.0.0:8080
privacy:
  subject_key: $(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n')
log:
  level: info
YAML
cp "$REPO_DIR"/../shared/testdata/dcc/UA/png/[12].png "$t/boot/chot/frames/"
mcopy -i "$part" -s "$t/boot/chot.yaml" "$t/boot/chot" ::
mdir -i "$part" -b :: | sed 's/^/boot: /' >&2

# 3. Boot, wait for /status.json, power off cleanly.
port=${CHOT_TEST_PORT:-18080}
boot() { # boot NAME [QEMU ARGS…]: starts qemu with console log $t/NAME.console.log
  local name=$1
  shift
  console=$t/$name.console.log
  start=$(date +%s)
  qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 \
    -kernel "$OUT_DIR/vmlinuz" -initrd "$OUT_DIR/initrd.img" \
    -append "root=LABEL=chot-root rootwait console=ttyAMA0 systemd.journald.forward_to_console=1 net.ifnames=0" \
    -drive "file=$t/test.img,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0 \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:8080" -device virtio-net-pci,netdev=n0,romfile= \
    -device i6300esb -display none -monitor "unix:$t/monitor.sock,server,nowait" -serial "file:$console" "$@" &
  qpid=$!
  log "qemu: pid $qpid, console $console"
  deadline=$((start + ${CHOT_TEST_TIMEOUT:-420}))
  until curl -sf "http://127.0.0.1:$port/status.json" -o "$t/$name.status.json"; do
    kill -0 "$qpid" 2>/dev/null || fail "qemu exited"
    [ "$(date +%s)" -lt "$deadline" ] || fail "no /status.json after $((deadline - start)) s"
    sleep 2
  done
  ready=$(($(date +%s) - start))
  log "$name: status.json served $ready s after qemu started"
}
powerdown() { # presses the power button; systemd shuts down, qemu exits
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"system_powerdown\n"); s.recv(4096)' "$t/monitor.sock"
  local until=$(($(date +%s) + 120)) t0
  t0=$(date +%s)
  while kill -0 "$qpid" 2>/dev/null; do
    [ "$(date +%s)" -lt "$until" ] || fail "no power-off 120 s after the power button"
    sleep 1
  done
  wait "$qpid" 2>/dev/null || true
  qpid=
  log "powered off in $(($(date +%s) - t0)) s"
}
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
need_line() { grep -q "$2" "$1" || fail "$(basename "$1") lacks \"$2\""; }

boot first
c=$t/first.console.log
ready1=$ready
[ "$(json "$t/first.status.json" 'd["snapshot"]["configured"]')" = True ] ||
  fail "chotd is not configured: $(json "$t/first.status.json" 'd["snapshot"].get("problems")')"
[ "$(json "$t/first.status.json" 'd["snapshot"]["device"]')" = "$device" ] || fail "status.json does not name $device"
for want in 'chot-provision: installed /etc/chot/chotd.yaml: valid' 'chot-provision: store: created /var/lib/chot/chot.db' \
  'chot-provision: removed chot.yaml' 'msg="systemd: ready"' 'msg="systemd watchdog" interval=10s' 'msg="chotd ready"' \
  "Using hardware watchdog"; do
  need_line "$c" "$want"
done
# The watchdog: chotd keeps pinging through 3 intervals, no restart.
sleep 30
curl -sf "http://127.0.0.1:$port/status.json" -o "$t/first.status2.json" || fail "status.json gone after 30 s"
! grep -q 'chotd.service: Watchdog timeout' "$c" || fail "chotd missed its watchdog"
[ "$(grep -c 'msg="chotd starting"' "$c")" -eq 1 ] || fail "chotd started $(grep -c 'msg="chotd starting"' "$c") times"
[ "$(json "$t/first.status2.json" 'd["health"]["camera"]["running"]')" = True ] || fail "no frames flowing"
camera=$(json "$t/first.status2.json" '"%.1f fps, decisions %s" % (d["health"]["camera"]["fps"], d["snapshot"]["counters"])')
before_off=$(date +%s)
powerdown
need_line "$c" 'msg="shutting down"'
need_line "$c" 'chotd.service: Deactivated successfully'

# Secrets off the boot partition, the report left there.
mdir -i "$part" -b :: > "$t/boot-after.txt"
! grep -qi '::/chot.yaml$' "$t/boot-after.txt" || fail "chot.yaml still on the boot partition"
! grep -qi '::/chot/$' "$t/boot-after.txt" || fail "chot/ still on the boot partition"
mtype -i "$part" ::/chot-provision.log > "$t/first.provision.log" || fail "no chot-provision.log on the boot partition"
# The clock saved at shutdown on the data partition (partition 3).
read -r off size < <(mbr_part "$t/test.img" 3)
saved=$(debugfs -R 'cat /clock' "$t/test.img?offset=$((off * 512))" 2>/dev/null)
[ -n "$saved" ] && [ "$saved" -ge "$before_off" ] || fail "clock not saved at shutdown (data partition has \"$saved\")"
log "clock saved at shutdown: $(date -u -d "@$saved" +%H:%M:%S)"

# The data partition grew to the end of the (larger) card, and its filesystem
# with it.
need_line "$c" 'chot-grow-data: /dev/vda3 grown from'
read -r off size < <(mbr_part "$t/test.img" 3)
disk=$(($(stat -c %s "$t/test.img") / 512))
[ $((off + size)) -le "$disk" ] && [ $((disk - off - size)) -lt 32768 ] ||
  fail "data partition not grown to the end of the disk: ends at sector $((off + size)) of $disk"
blocks=$(debugfs -R stats "$t/test.img?offset=$((off * 512))" 2>/dev/null | awk -F: '/^Block count/{c=$2} /^Block size/{s=$2} END{print c*s/512}')
[ "$blocks" -ge $((size - 8192)) ] || fail "data filesystem not grown: $blocks of $size sectors"
grown="data partition $((data_before / 2048)) MiB -> $((size / 2048)) MiB, ext4 $((blocks / 2048)) MiB"
log "grown: $grown; $(grep -o 'chot-grow-data: .*' "$c" | head -1 | tr -d '\r')"

# 5. Second boot, its real-time clock in 2020 (a board without RTC): the
# clock is set forward to the saved time; a broken chot.yaml is refused, the
# first config stays.
printf 'version: 1\ndevice:\n  id: ""\ncamera:\n  source: webcam\n' > "$t/boot/bad.yaml"
mcopy -i "$part" "$t/boot/bad.yaml" ::/chot.yaml
# The hang: a test-only unit in the test copy's root (partition 2, written
# with debugfs) stops chotd with SIGSTOP 20 s after it is up.
cat > "$t/chot-image-test-hang" <<'SH'
#!/bin/sh
until systemctl -q is-active chotd.service; do sleep 1; done
sleep 20
pid=$(systemctl show -P MainPID chotd.service)
echo "chot-image-test: SIGSTOP to chotd pid $pid"
kill -STOP "$pid"
SH
cat > "$t/chot-image-test-hang.service" <<'UNIT'
[Unit]
Description=chot image test: hang chotd (SIGSTOP)
After=chotd.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/chot-image-test-hang
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
UNIT
read -r roff _ < <(mbr_part "$t/test.img" 2)
debugfs -w -f - "$t/test.img?offset=$((roff * 512))" >/dev/null 2>"$t/debugfs.log" <<CMDS || fail "debugfs: $(cat "$t/debugfs.log")"
cd /usr/local/sbin
write $t/chot-image-test-hang chot-image-test-hang
sif chot-image-test-hang mode 0100755
cd /etc/systemd/system
write $t/chot-image-test-hang.service chot-image-test-hang.service
sif chot-image-test-hang.service mode 0100644
cd /etc/systemd/system/multi-user.target.wants
symlink chot-image-test-hang.service /etc/systemd/system/chot-image-test-hang.service
CMDS
boot second -rtc base=2020-01-01T00:00:00
c=$t/second.console.log
# Trixie's systemd (257) already advances the clock at boot to the time
# timesyncd saved on the root (/var/lib/systemd/timesync/clock); chot-clock
# then finds it not behind the data partition's time. Either way the clock
# must have moved forward from the RTC's 2020.
grep -qE 'chot-clock: clock set forward to|System time advanced to timestamp on' "$c" ||
  fail "second boot: the clock was not set forward from the RTC's 2020"
grep -q 'chot-clock: clock .* is not behind the saved time\|chot-clock: clock set forward to' "$c" ||
  fail "second boot: chot-clock did not compare the clock with the saved time"
need_line "$c" 'chot-provision: REFUSED'
need_line "$c" 'device.id: missing'
need_line "$c" 'camera.source: "webcam"'
need_line "$c" 'chot-clock:'
[ "$(json "$t/second.status.json" 'd["snapshot"]["configured"]')" = True ] || fail "the first configuration was not kept"
[ "$(json "$t/second.status.json" 'd["snapshot"]["device"]')" = "$device" ] || fail "device id changed"
need_line "$c" 'chot-grow-data: /dev/vda3 fills'

# The watchdog restarts the stopped chotd.
until=$(($(date +%s) + 120))
until grep -q 'chot-image-test: SIGSTOP to chotd' "$c"; do
  [ "$(date +%s)" -lt "$until" ] || fail "the hang unit did not stop chotd"
  sleep 0.5
done
stopped=$(date +%s.%N)
until grep -q 'chotd.service: Watchdog timeout' "$c"; do
  [ "$(date +%s)" -lt "$until" ] || fail "no watchdog timeout after SIGSTOP"
  sleep 0.5
done
timeout=$(date +%s.%N)
until [ "$(grep -c 'msg="chotd starting"' "$c")" -ge 2 ] && curl -sf "http://127.0.0.1:$port/status.json" -o "$t/second.status2.json"; do
  [ "$(date +%s)" -lt "$until" ] || fail "chotd not restarted after the watchdog timeout"
  sleep 0.5
done
restarted=$(date +%s.%N)
# WatchdogSec=10s; the host sees a console line up to ~1 s late.
hang=$(python3 -c "print('timeout %.1f s after SIGSTOP, serving again %.1f s after SIGSTOP' % ($timeout - $stopped, $restarted - $stopped))")
python3 -c "import sys; sys.exit(0 if $timeout - $stopped <= 10 + 2 else 1)" || fail "watchdog too slow: $hang"
need_line "$c" "chotd.service: Failed with result 'watchdog'"
log "watchdog: $hang; $(grep -o 'chotd.service: Watchdog timeout.*' "$c" | head -1 | tr -d '\r')"
powerdown
mdir -i "$part" -b :: > "$t/boot-after2.txt"
grep -qi '::/chot.yaml.rejected$' "$t/boot-after2.txt" || fail "no chot.yaml.rejected on the boot partition"
! grep -qi '::/chot.yaml$' "$t/boot-after2.txt" || fail "the broken chot.yaml is still active"
mtype -i "$part" ::/chot-provision.log > "$t/second.provision.log"

{
  echo "image: $(basename "$(readlink -f "$img")") $(du -h --apparent-size "$(readlink -f "$img")" | cut -f1) ($(du -h "$(readlink -f "$img")" | cut -f1) allocated)"
  echo "boot-to-status.json: first boot (provisioning) ${ready1} s, second boot ${ready} s (qemu TCG, -smp 2)"
  echo "hardware watchdog: $(grep -o "Watchdog running with a hardware timeout of [0-9a-z]*" "$t/first.console.log" | head -1)"
  echo "camera (replay): $camera"
  echo "first boot, provision log:"; sed 's/^/  /' "$t/first.provision.log"
  echo "second boot, provision log:"; sed 's/^/  /' "$t/second.provision.log"
  echo "second boot, clock: $(grep -aoE 'System time advanced to timestamp on .*|chot-clock: .*' "$t/second.console.log" | head -2 | tr -d '\r' | paste -sd' ' -)"
  echo "first boot, $grown: $(grep -o 'chot-grow-data: .*' "$t/first.console.log" | head -1)"
  echo "second boot, watchdog: $hang"
  grep -E 'chot-image-test: SIGSTOP|chotd.service: (Watchdog timeout|Killing|State|Main process exited|Failed with result|Scheduled restart)' "$t/second.console.log" | sed 's/^/  /'
} | tee "$t/result.txt" >&2
log "PASS"
