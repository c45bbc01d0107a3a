#!/usr/bin/env bash
# Installs the Debian packages chot needs to build and test, if any is missing.
# Usage: scripts/deps.sh [build|test|all]   (default: all)
#        scripts/deps.sh --packages NAME...  (these packages)
set -euo pipefail
want=${1:-all}
build_pkgs=(libopencv-dev pkg-config g++)
test_pkgs=(libzxing-dev libzbar-dev postgresql chromium)
case "$want" in
  --packages) shift; pkgs=("$@") ;;
  build) pkgs=("${build_pkgs[@]}") ;;
  test|all) pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
