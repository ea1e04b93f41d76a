#!/bin/bash
# Builds and installs kselftest collections from Debian's linux-source
# package (the .deb given; tests/kernel/source.lock pins it), as a kernel
# developer does:
#
#   make headers
#   make -C tools/testing/selftests TARGETS="..." install INSTALL_PATH=OUT/kselftest
#
#   build_kselftest.sh DEB OUT TARGET...
set -euo pipefail
deb="$(realpath "$1")" out="$(realpath "$2")"
shift 2
work="$(mktemp -d "${TMPDIR:-/tmp}/proctor-kselftest.XXXXXX")"
trap 'rm -rf "$work"' EXIT
dpkg-deb --fsys-tarfile "$deb" |
  tar -x -C "$work" --wildcards './usr/src/linux-source-*.tar.xz'
tar -xf "$work"/usr/src/linux-source-*.tar.xz -C "$work"
cd "$work"/linux-source-*/
make -s ARCH=x86_64 headers >"$out/build.log" 2>&1
if ! make -C tools/testing/selftests ARCH=x86_64 TARGETS="$*" install \
  INSTALL_PATH="$out/kselftest" >>"$out/build.log" 2>&1; then
  tail -20 "$out/build.log" >&2
  exit 1
fi
