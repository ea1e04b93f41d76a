#!/bin/bash
# Benchmark: N guest tests sharing one VM (default 20) against 1 guest
# test plus the same command run N-1 times on the host (issue 3's goal: at
# most 1.5x), what a guest test on a warm guest costs more than the same
# test on the host (issue 16's goal: at most 30 ms), and the guest command
# round trip (goal: under 50 ms). Medians of REPEATS runs (default 3).
#
# The warm guest's figure compares the tests' own span in a job of N guest
# tests and in one of N host tests (the first start to the last end, from
# results.json: the guest's start is not in it, each test's overhead in
# the runner is), divided by N.
#
#   tests/bench/guest_suite.sh [REPEATS [N]]
set -euo pipefail
repeats="${1:-3}"
count="${2:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/tools/proctor" version >/dev/null
source "$root/tests/bench/bench_proctor.sh"
cd "$root"
bazel build -c opt //tests/bench:guest_roundtrip >/dev/null 2>&1
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
image="$bin/images/jeos_python"
work="$(mktemp -d /tmp/proctor-guest-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/guest20" "$work/mixed" "$work/host"
for i in $(seq -w 1 "$count"); do
  printf '#!/bin/sh\n# proctor: where=guest\nuname -r >/dev/null\n' >"$work/guest20/t$i.sh"
  printf '#!/bin/sh\nuname -r >/dev/null\n' >"$work/host/t$i.sh"
  if ((10#$i == 1)); then
    printf '#!/bin/sh\n# proctor: where=guest\nuname -r >/dev/null\n' >"$work/mixed/t$i.sh"
  else
    printf '#!/bin/sh\nuname -r >/dev/null\n' >"$work/mixed/t$i.sh"
  fi
done
chmod +x "$work"/guest20/* "$work"/mixed/* "$work"/host/*

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {  # DIR: "WALL SPAN"
  local t0
  t0=$(now)
  "$bin/runner/proctor" run --sysinfo=off --image="$image" --results-dir="$work/results" "$1" >/dev/null 2>&1
  echo "$(echo "$(now) - $t0" | bc -l) $(bench_span "$work/results/latest/results.json")"
}
for ((r = 0; r < repeats; r++)); do
  run "$work/guest20" >>"$work/g"
  run "$work/mixed" >>"$work/m"
  run "$work/host" >>"$work/h"
done
g=$(cut -d' ' -f1 <"$work/g" | median)
m=$(cut -d' ' -f1 <"$work/m" | median)
gs=$(cut -d' ' -f2 <"$work/g" | median)
hs=$(cut -d' ' -f2 <"$work/h" | median)
printf '%d guest tests, one VM: %.2f s\n1 guest + %d host tests: %.2f s\nratio: %.2f\n' \
  "$count" "$g" "$((count - 1))" "$m" "$(echo "$g / $m" | bc -l)"
printf 'a guest test on a warm guest: %.1f ms more than on the host (%d of each: %.3f s, %.3f s)\n' \
  "$(echo "($gs - $hs) * 1000 / $count" | bc -l)" "$count" "$gs" "$hs"
"$bin/tests/bench/guest_roundtrip" "$image" 50
