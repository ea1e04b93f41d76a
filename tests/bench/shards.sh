#!/bin/bash
# Benchmark: what sharding costs (issue 15's goal: each of 3 shards of a
# 300-test suite takes at most 1.1x a third of the unsharded job's wall
# time, and merging them at most 1 s).
#
#   tests/bench/shards.sh [REPEATS]
#
# The tests each sleep 20 ms, so a test costs about what a quick real one
# does; the jobs run with proctor's defaults (-j 1, job sysinfo before and
# after), one after another on this machine, as 3 CI machines would run
# them at once. Each figure is the median of REPEATS runs (default 3).
# PROCTOR_BIN=PATH measures another proctor binary.
set -euo pipefail
repeats="${1:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d /tmp/proctor-shards.XXXXXX)"
trap 'rm -rf "$work"' EXIT

source "$root/tests/bench/bench_proctor.sh"
proctor="$(bench_proctor)"

mkdir -p "$work/suite"
for ((i = 0; i < 300; i++)); do
  printf '#!/bin/sh\nsleep 0.02\n' >"$work/suite/$(printf 't%03d.sh' "$i")"
done
chmod +x "$work/suite"/*

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() {  # COMMAND...: prints its wall time in seconds
  local start
  start=$(now)
  "$@" >/dev/null
  awk -v a="$(now)" -v b="$start" 'BEGIN { print a - b }' 
}

whole=() shard=() merge=()
for ((r = 0; r < repeats; r++)); do
  rm -rf "$work/results" "$work/merged"
  whole+=("$(timed "$proctor" run --results-dir="$work/results" "$work/suite")")
  worst=0
  for k in 1 2 3; do
    t="$(timed "$proctor" run --results-dir="$work/results" --shard="$k/3" "$work/suite")"
    worst="$(awk -v a="$t" -v b="$worst" 'BEGIN { print (a > b ? a : b) }')"
  done
  shard+=("$worst")
  merge+=("$(timed "$proctor" results merge --results-dir="$work/results" \
    --into="$work/merged" latest latest~1 latest~2)")
done
w="$(printf '%s\n' "${whole[@]}" | median)"
s="$(printf '%s\n' "${shard[@]}" | median)"
m="$(printf '%s\n' "${merge[@]}" | median)"
printf '| unsharded job, 300 tests | %.2f s |\n' "$w"
printf '| slowest of 3 shards | %.2f s (%.2fx a third of the whole) |\n' "$s" \
  "$(awk -v s="$s" -v w="$w" 'BEGIN { print s / (w / 3) }')"
printf '| merging the 3 shard jobs | %.2f s |\n' "$m"
