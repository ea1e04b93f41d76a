#!/bin/bash
# Benchmark: what proctor costs per test on the host, against a bash loop
# and a C fork/exec loop over the same files (issue 2's goals: within 1.5x
# of the bash loop, under 1 ms of runner overhead per test, the same cost
# per test at 5000 tests as at 500, and -j 2 against -j 1).
#
#   tests/bench/host_overhead.sh [REPEATS]
#
# PROCTOR_BIN=PATH measures another proctor binary (an older build, for a
# before/after figure); BENCH_SIZES="500" measures fewer suites;
# BENCH_TMP=DIR puts the suites, the result trees and the tests' TEMPDIRs
# on DIR's file system (default /tmp): BENCH_TMP=/dev/shm separates the
# runner's own cost from the file system's (a mkdir costs about 450 us on
# this project's ext4 VM, 4 us on tmpfs).
#
# Each figure is the median of REPEATS runs (default 5) of the whole suite.
# The tests are copies of /bin/true, so a test costs as little as an exec
# can. Wall-clock overhead (proctor minus the C loop) is noisy on shared
# machines; runner_cpu_ms is the CPU time of the proctor process itself
# (from results.json, tests excluded) per test, which is not.
set -euo pipefail
repeats="${1:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${BENCH_TMP:-/tmp}/proctor-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

source "$root/tests/bench/bench_proctor.sh"
proctor="$(bench_proctor)"
cc -O2 -o "$work/exec_loop" "$root/tests/bench/exec_loop.c"

make_suite() {  # DIR N
  mkdir -p "$1"
  for ((i = 0; i < $2; i++)); do cp /bin/true "$1/$(printf 't%05d' "$i")"; done
}

now() { date +%s.%N; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs `settle` (if set) untimed after each run: what one run leaves for
# the file system to do must not be charged to the next.
time_cmd() {  # prints the median wall time of "$@" over $repeats runs
  for ((r = 0; r < repeats; r++)); do
    local t0 t1
    t0=$(now)
    "$@" >/dev/null
    t1=$(now)
    echo "$t1 - $t0" | bc -l
    [[ -z "${settle:-}" ]] || "$settle"
  done | median
}

bash_loop() { for f in "$1"/*; do "$f"; done; }
proctor_run() {  # DIR JOBS
  TMPDIR="$work" "$proctor" run --sysinfo=off -j "$2" \
    --results-dir="$work/results" "$1" || true
}
# After a run: its CPU figure kept, its result tree removed, the removal
# written out (ext4 here makes the next run's mkdirs pay for it otherwise).
proctor_settle() {
  grep -o '"runner_cpu_seconds": [0-9.e-]*' "$work/results/latest/results.json" \
    | awk '{print $2}' >>"$work/cpu"
  rm -rf "$work/results"
  sync
  sleep 1
}

printf '%-7s %-9s %-12s %-10s %-13s %-6s %-8s %-12s %-14s\n' tests c_loop_s bash_loop_s proctor_s proctor_j2_s vs_c vs_bash overhead_ms runner_cpu_ms
for n in ${BENCH_SIZES:-500 5000}; do
  suite="$work/suite$n"
  make_suite "$suite" "$n"
  c=$(time_cmd "$work/exec_loop" "$suite"/*)
  b=$(time_cmd bash_loop "$suite")
  : >"$work/cpu"
  p=$(settle=proctor_settle time_cmd proctor_run "$suite" 1)
  cpu=$(median <"$work/cpu")
  p2=$(settle=proctor_settle time_cmd proctor_run "$suite" 2)
  ratio=$(echo "$p / $b" | bc -l)
  vs_c=$(echo "$p / $c" | bc -l)
  overhead=$(echo "($p - $c) * 1000 / $n" | bc -l)
  cpu_ms=$(echo "$cpu * 1000 / $n" | bc -l)
  printf '%-7d %-9.3f %-12.3f %-10.3f %-13.3f %-6.2f %-8.2f %-12.3f %-14.3f\n' \
    "$n" "$c" "$b" "$p" "$p2" "$vs_c" "$ratio" "$overhead" "$cpu_ms"
done
