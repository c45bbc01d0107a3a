#!/usr/bin/env bash
# Installs the host tools of make cross / deb / image / image-test (Debian
# bookworm host), if any is missing.
set -euo pipefail
pkgs=(mmdebstrap qemu-user-static binfmt-support arch-test genimage mtools dosfstools
  e2fsprogs qemu-system-arm gcc-aarch64-linux-gnu g++-aarch64-linux-gnu pkg-config
  dpkg-dev fakeroot file curl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "host-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
