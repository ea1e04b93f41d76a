#!/bin/bash
# Benchmark: CPU-bound guest tests on one guest at a time (-j 1) against
# two guests at once (-j 2), on shared guests and with --vm-per-test
# (issue 16's goal: -j 2 at least 1.6x the throughput of -j 1 on two
# cores). Each test counts to 100000 in the guest's shell, about 1.6 s
# under TCG. Throughput is tests per second of the tests' own span (the
# first start to the last end, from results.json); the whole job's wall
# time, guests' start included, is printed beside it. Medians of REPEATS
# runs (default 3).
#
#   tests/bench/guest_parallel.sh [REPEATS [TESTS]]
#
# PROCTOR_BIN=PATH measures another proctor binary; PROCTOR_IMAGE=DIR
# another image (default: the python flavor built here).
set -euo pipefail
repeats="${1:-3}"
count="${2:-8}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tests/bench/bench_proctor.sh"
proctor="$(bench_proctor)"
image="$(bench_image)"
work="$(mktemp -d /tmp/proctor-parallel-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/suite"
for i in $(seq -w 1 "$count"); do
  printf '#!/bin/sh\n# proctor: where=guest\ni=0\nwhile [ $i -lt 100000 ]; do i=$((i+1)); done\n' \
    >"$work/suite/t$i.sh"
done
chmod +x "$work"/suite/*

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {  # NAME FLAGS...: appends "SPAN WALL" to $work/NAME
  local name="$1" t0 t1
  shift
  rm -rf "$work/results"
  t0=$(now)
  "$proctor" run --sysinfo=off --accel=tcg --image="$image" \
    --results-dir="$work/results" "$@" "$work/suite" >/dev/null 2>&1
  t1=$(now)
  echo "$(bench_span "$work/results/latest/results.json") $(echo "$t1 - $t0" | bc -l)" \
    >>"$work/$name"
}

for ((r = 0; r < repeats; r++)); do
  run shared1 -j 1
  run shared2 -j 2
  run fresh1 -j 1 --vm-per-test
  run fresh2 -j 2 --vm-per-test
done
report() {  # LABEL ONE TWO
  local s1 s2 w1 w2
  s1=$(cut -d' ' -f1 <"$work/$2" | median)
  s2=$(cut -d' ' -f1 <"$work/$3" | median)
  w1=$(cut -d' ' -f2 <"$work/$2" | median)
  w2=$(cut -d' ' -f2 <"$work/$3" | median)
  printf '%s: -j 1 %.2f s, -j 2 %.2f s: %.2fx the throughput (whole job %.2f s, %.2f s: %.2fx)\n' \
    "$1" "$s1" "$s2" "$(echo "$s1 / $s2" | bc -l)" "$w1" "$w2" \
    "$(echo "$w1 / $w2" | bc -l)"
}
echo "$count CPU-bound guest tests (medians of $repeats):"
report "shared guests" shared1 shared2
report "--vm-per-test" fresh1 fresh2
