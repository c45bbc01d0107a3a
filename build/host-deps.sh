#!/usr/bin/env bash
# Installs the host tools of make cross / deb / image / image-test (Debian
# bookworm host), if any is missing, through the project's one installer.
set -euo pipefail
exec "$(dirname "$0")/../scripts/deps.sh" --packages mmdebstrap qemu-user-static binfmt-support arch-test \
  genimage mtools dosfstools e2fsprogs qemu-system-arm gcc-aarch64-linux-gnu g++-aarch64-linux-gnu \
  pkg-config dpkg-dev fakeroot file curl
