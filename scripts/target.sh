#!/usr/bin/env bash
# Runs a command in the target userland, Debian 13 (trixie): the one the
# appliance ships on (OpenCV 4.10, zxing-cpp 2.3).
#
# Usage: scripts/target.sh CMD [ARGS...]
#        scripts/target.sh --root      (build the root if needed, print its path)
#
# On a trixie host CMD runs as it is (the packages of scripts/target.packages
# that are missing are installed first, with apt-get). On any other host (this project's CI
# machines are Debian 12) it runs inside a trixie root built with mmdebstrap
# from scripts/target.packages and cached, keyed by that list, under
# $CHOT_TARGET_DIR (default ~/.cache/chot-target). Inside:
#   - the repository's parent folder at the same path (so ../shared resolves),
#     and CMD runs in the current directory;
#   - the host's Go toolchain (/usr/local/go), GOPATH and GOCACHE at the same
#     paths, so modules and builds are shared with the host;
#   - /proc, /dev (with /dev/shm and /dev/pts), /sys, the host's resolv.conf;
#   - the host's network: a server listening on 127.0.0.1 inside is reachable
#     from the host.
# The mounts live in a private mount namespace (unshare -m) that ends with the
# command, so an interrupted run leaves nothing mounted on the host. Several
# runs may share one root at once; building it is serialised by a lock and
# published by a rename, so an interrupted build leaves no half root behind.
# The exit status is CMD's.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
parent=$(cd "$repo/.." && pwd)
suite=trixie
mirror=${CHOT_MIRROR:-http://deb.debian.org/debian}
security=${CHOT_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
base=${CHOT_TARGET_DIR:-${HOME:-/root}/.cache/chot-target}

log() { printf 'target: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# The recipe below is part of the cache key: changing how the root is made
# rebuilds it, like changing its package list.
recipe_version=1

in_target() {
  [ -n "${CHOT_IN_TARGET:-}" ] && return 0
  [ -r /etc/os-release ] || return 1
  # shellcheck disable=SC1091
  (. /etc/os-release && [ "${VERSION_CODENAME:-}" = "$suite" ])
}

packages() { grep -v '^\s*#' "$here/target.packages" | grep -v '^\s*$' | paste -sd, -; }

root_path() {
  local key
  key=$( { cat "$here/target.packages"; echo "recipe $recipe_version $mirror"; } | sha256sum | cut -c1-16)
  echo "$base/$suite-$key"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

host_tools() {
  local missing=()
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v unshare >/dev/null || missing+=(util-linux)
  command -v flock >/dev/null || missing+=(util-linux)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing on the host: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# trixie_host_packages: on a trixie host (not inside the root), installs what
# scripts/target.packages lists and the host lacks.
trixie_host_packages() {
  local want have missing
  want=$(packages | tr , '\n' | sort -u)
  have=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' 2>/dev/null | awk '$2 ~ /^ii/ {print $1}' | sort -u)
  missing=$(comm -23 <(echo "$want") <(echo "$have") | paste -sd' ' -)
  [ -z "$missing" ] && return 0
  log "installing on this trixie host: $missing"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build_root() {
  local root=$1 tmp start
  [ -f "$root/.chot-target" ] && return 0
  host_tools
  mkdir -p "$base"
  exec 9>"$base/.build.lock"
  flock 9
  # Another run may have built it while this one waited for the lock.
  if [ -f "$root/.chot-target" ]; then exec 9>&-; return 0; fi
  tmp="$base/.building-$(basename "$root")"
  rm -rf "$tmp"
  start=$(date +%s)
  log "building the $suite root $root (once; cached by scripts/target.packages)"
  # mmdebstrap mounts /proc and /dev inside the new root while it works: its
  # own mount namespace keeps them off the host even if it is interrupted.
  trap 'rm -rf "$tmp"' EXIT
  unshare --mount --propagation private -- mmdebstrap --variant=apt --mode=root --quiet \
    --include="$(packages)" \
    --aptopt='Acquire::Retries "3"' \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='mkdir -p "$1/usr/local/share/ca-certificates"' \
    --customize-hook='if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/"; fi' \
    --customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1 || true' \
    --customize-hook='rm -f "$1/etc/resolv.conf"; touch "$1/etc/resolv.conf"' \
    "$suite" "$tmp" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main" >&2
  echo "$suite $(date -u +%FT%TZ) $(packages)" >"$tmp/.chot-target"
  mv "$tmp" "$root"
  trap - EXIT
  log "root ready in $(( $(date +%s) - start )) s: $(du -sh "$root" 2>/dev/null | cut -f1)"
  exec 9>&-
}

# enter ROOT DIR CMD...: run inside the mount namespace (called through unshare).
enter() {
  local root=$1 dir=$2 p
  shift 2
  mount --make-rprivate /
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
  local gopath gocache goroot
  goroot=$(dirname "$(dirname "$(readlink -f "$(command -v go)")")")
  gopath=$(go env GOPATH | cut -d: -f1)
  gocache=$(go env GOCACHE)
  mkdir -p "$gopath" "$gocache"
  for p in "$parent" "$goroot" "$gopath" "$gocache"; do
    mkdir -p "$root$p"
    mount --bind "$p" "$root$p"
  done
  export CHOT_IN_TARGET=1 GOPATH="$gopath" GOCACHE="$gocache"
  export PATH="$goroot/bin:$gopath/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  exec chroot "$root" /bin/bash -c 'cd "$1" && shift && exec "$@"' target "$dir" "$@"
}

if [ "${1:-}" = "--enter" ]; then
  shift
  enter "$@"
fi

[ $# -gt 0 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

if [ "$1" = "--root" ]; then
  root=$(root_path)
  build_root "$root"
  echo "$root"
  exit 0
fi

if in_target; then
  [ -n "${CHOT_IN_TARGET:-}" ] || trixie_host_packages
  exec "$@"
fi

command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || die "no Go toolchain on the host (expected /usr/local/go)"
case "$PWD/" in
  "$parent"/*) ;;
  *) die "run it from inside $parent (the folder bind-mounted into the root)" ;;
esac
root=$(root_path)
build_root "$root"
if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env "$0" "$@"
fi
exec unshare --mount --propagation private -- "$0" --enter "$root" "$PWD" "$@"
