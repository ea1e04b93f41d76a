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
# Each figure is the median of REPEATS rounds (default 5) of the whole
# suite; a round runs the C loop, the bash loop, proctor -j 1 and -j 2 one
# after another, so that each ratio (vs_c, vs_bash) is the median of the
# rounds' own ratios: this VM's speed drifts by tens of percent within
# seconds (a fixed loop of additions: 0.06 to 0.11 s), and a ratio of runs
# taken a minute apart measured the drift. The tests are copies of
# /bin/true, so a test costs as little as an exec can. runner_cpu_ms is the
# CPU time of the proctor process itself (from results.json, tests
# excluded) per test, which drifts less.
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

seconds() {  # the wall time of "$@"
  local t0 t1
  t0=$(now)
  "$@" >/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

bash_loop() { for f in "$1"/*; do "$f"; done; }
proctor_run() {  # DIR JOBS
  TMPDIR="$work" "$proctor" run --sysinfo=off -j "$2" \
    --results-dir="$work/results" "$1" || true
}
# After a run, untimed: its CPU figure kept, its result tree removed, the
# removal written out (ext4 here makes the next run's mkdirs pay for it
# otherwise).
proctor_settle() {  # CPU_FILE
  grep -o '"runner_cpu_seconds": [0-9.e-]*' "$work/results/latest/results.json" \
    | awk '{print $2}' >>"$1"
  rm -rf "$work/results"
  sync
  sleep 1
}

column() { awk -v c="$1" '{print $c}' "$work/rounds" | median; }
ratio() { awk -v a="$1" -v b="$2" '{print $a / $b}' "$work/rounds" | median; }

printf '%-7s %-9s %-12s %-10s %-13s %-6s %-8s %-12s %-14s\n' tests c_loop_s bash_loop_s proctor_s proctor_j2_s vs_c vs_bash overhead_ms runner_cpu_ms
for n in ${BENCH_SIZES:-500 5000}; do
  suite="$work/suite$n"
  make_suite "$suite" "$n"
  : >"$work/rounds"
  : >"$work/cpu"
  for ((r = 0; r < repeats; r++)); do
    # proctor -j 1 and the C loop each come after a settle's idle second.
    p=$(seconds proctor_run "$suite" 1)
    proctor_settle "$work/cpu"
    c=$(seconds "$work/exec_loop" "$suite"/*)
    b=$(seconds bash_loop "$suite")
    p2=$(seconds proctor_run "$suite" 2)
    proctor_settle /dev/null
    echo "$c $b $p $p2" >>"$work/rounds"
  done
  cpu=$(median <"$work/cpu")
  c=$(column 1)
  p=$(column 3)
  overhead=$(echo "($p - $c) * 1000 / $n" | bc -l)
  cpu_ms=$(echo "$cpu * 1000 / $n" | bc -l)
  printf '%-7d %-9.3f %-12.3f %-10.3f %-13.3f %-6.2f %-8.2f %-12.3f %-14.3f\n' \
    "$n" "$c" "$(column 2)" "$p" "$(column 4)" "$(ratio 3 1)" "$(ratio 3 2)" \
    "$overhead" "$cpu_ms"
done
