#!/bin/bash
# Installs everything proctor needs to build and test on Debian 12, from
# Debian's archive only. Idempotent: a second run installs nothing and takes
# well under a second when every package is present.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap default-jdk-headless
  g++ clang libclang-rt-14-dev
  libabsl-dev libre2-dev libssh-dev libarchive-dev libssl-dev
  libprotobuf-dev protobuf-compiler libgtest-dev libgmock-dev libxml2-dev libelf-dev
  libcurl4-openssl-dev
  python3 perl
  # sysinfo commands the default config runs
  procps util-linux iproute2 pciutils kmod
  # guests: QEMU and the image tools (the container later pins its own)
  qemu-system-x86 qemu-utils openssh-client
  # the container end-to-end tests: podman (runc; see tools/containers.conf)
  # and Docker (a dockerd the test starts and stops)
  podman runc docker.io
  # tests/downstream/check.sh reads the zipped undeclared outputs
  unzip
  # tests/integration/html_report_test renders results.html headless
  chromium fonts-dejavu-core
  # real producers the verdict tests run: bats, node:test (TAP), pytest
  # (JUnit)
  bats nodejs python3-pytest
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing packages (run as root to install): ${missing[*]}" >&2
    exit 2
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
