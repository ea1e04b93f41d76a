#!/bin/bash
# Benchmark: 20 guest tests sharing one VM against 1 guest test plus the
# same command run 19 times on the host (issue 3's goal: at most 1.5x),
# and the guest command round trip (goal: under 50 ms). Medians of
# REPEATS runs (default 3).
#
#   tests/bench/guest_suite.sh [REPEATS]
set -euo pipefail
repeats="${1:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/tools/proctor" version >/dev/null
cd "$root"
bazel build -c opt //tests/bench:guest_roundtrip >/dev/null 2>&1
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
image="$bin/images/jeos_python"
work="$(mktemp -d /tmp/proctor-guest-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/guest20" "$work/mixed"
for i in $(seq -w 1 20); do
  printf '#!/bin/sh\n# proctor: where=guest\nuname -r >/dev/null\n' >"$work/guest20/t$i.sh"
  if [[ "$i" == 01 ]]; then
    printf '#!/bin/sh\n# proctor: where=guest\nuname -r >/dev/null\n' >"$work/mixed/t$i.sh"
  else
    printf '#!/bin/sh\nuname -r >/dev/null\n' >"$work/mixed/t$i.sh"
  fi
done
chmod +x "$work"/guest20/* "$work"/mixed/*

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {  # DIR
  local t0
  t0=$(now)
  "$bin/runner/proctor" run --sysinfo=off --image="$image" --results-dir="$work/results" "$1" >/dev/null 2>&1
  echo "$(now) - $t0" | bc -l
}
g=$(for ((r = 0; r < repeats; r++)); do run "$work/guest20"; done | median)
m=$(for ((r = 0; r < repeats; r++)); do run "$work/mixed"; done | median)
printf '20 guest tests, one VM: %.2f s\n1 guest + 19 host tests: %.2f s\nratio: %.2f\n' "$g" "$m" "$(echo "$g / $m" | bc -l)"
"$bin/tests/bench/guest_roundtrip" "$image" 50
