#!/bin/bash
# Reproducibility: builds //container:image twice, each time in a fresh
# Bazel output base (nothing cached, every action run again), and fails
# unless both give the same manifest digest and the same bytes. tools/test
# runs it after the Bazel tests; it takes a few minutes.
#
#   tests/container/reproducible.sh [KEEP_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$(mktemp -d /tmp/proctor-repro.XXXXXX)}"
mkdir -p "$work"
cd "$root"
export PROCTOR_DEB_CACHE="${PROCTOR_DEB_CACHE:-$HOME/.cache/proctor/debs}"
for n in 1 2; do
  base="$work/base$n"
  bazel --output_base="$base" build //container:image >"$work/build$n.log" 2>&1 ||
    { tail -20 "$work/build$n.log"; echo "reproducible: build $n failed" >&2; exit 1; }
  bin="$(bazel --output_base="$base" info bazel-bin 2>/dev/null)"
  cp "$bin/container/image.digest" "$work/digest$n"
  sha256sum <"$bin/container/image.tar" | cut -d' ' -f1 >"$work/sha$n"
  bazel --output_base="$base" shutdown >/dev/null 2>&1 || true
done
if ! cmp -s "$work/digest1" "$work/digest2" || ! cmp -s "$work/sha1" "$work/sha2"; then
  echo "reproducible: FAIL: two clean builds differ:" >&2
  paste "$work/digest1" "$work/digest2" "$work/sha1" "$work/sha2" >&2
  exit 1
fi
echo "reproducible: two clean builds give $(cat "$work/digest1")"
[[ $# -ge 1 ]] || rm -rf "$work"
