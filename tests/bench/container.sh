#!/bin/bash
# Benchmark: the OCI image. Its size (uncompressed and gzip), layer count,
# build time from a warm Bazel cache (the image action alone, run again by
# deleting its output), and `podman run` of the example host tests against
# running proctor directly, both with --sysinfo=off so that only the
# container differs (issue 4's goal: under 1 s of container overhead).
# Medians of REPEATS runs (default 5).
#
#   tests/bench/container.sh [REPEATS]
set -euo pipefail
repeats="${1:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export CONTAINERS_CONF="$root/tools/containers.conf"
export PROCTOR_DEB_CACHE="${PROCTOR_DEB_CACHE:-$HOME/.cache/proctor/debs}"
bazel build //container:image //runner:proctor >/dev/null 2>&1
tar="$root/bazel-bin/container/image.tar"
work="$(mktemp -d /tmp/proctor-container-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm-cache build: only the image action runs again (oci_builder).
rm -f "$tar"
t0=$(now)
bazel build //container:image >/dev/null 2>&1
build=$(echo "$(now) - $t0" | bc -l)

podman load -i "$tar" >/dev/null 2>&1
cp -rL tests/examples "$work/tests"
rm -f "$work/tests/BUILD.bazel"
mkdir -p "$work/results"
direct=$(for ((r = 0; r < repeats; r++)); do
  t0=$(now)
  "$root/bazel-bin/runner/proctor" run --sysinfo=off --results-dir="$work/results" "$work/tests" >/dev/null 2>&1 || true
  echo "$(now) - $t0" | bc -l
done | median)
container=$(for ((r = 0; r < repeats; r++)); do
  t0=$(now)
  podman run --rm --network=none -v "$work/tests:/tests:ro" -v "$work/results:/results" \
    --user 0:0 localhost/proctor:0.1.0 --sysinfo=off >/dev/null 2>&1 || true
  echo "$(now) - $t0" | bc -l
done | median)

layers=$(tar xOf "$tar" manifest.json | grep -o 'blobs/sha256/[0-9a-f]*' | tail -n +2 | wc -l)
size=$(stat -c %s "$tar")
gz=$(gzip -6 -c "$tar" | wc -c)
printf 'image: %s, %d layers, %.1f MiB uncompressed, %.1f MiB gzip -6\n' \
  "$(cat "$root/bazel-bin/container/image.digest")" "$layers" \
  "$(echo "$size / 1048576" | bc -l)" "$(echo "$gz / 1048576" | bc -l)"
printf 'image action from a warm cache: %.1f s\n' "$build"
printf 'example host tests: proctor %.2f s, podman run %.2f s, overhead %.2f s\n' \
  "$direct" "$container" "$(echo "$container - $direct" | bc -l)"
