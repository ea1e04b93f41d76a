#!/bin/bash
# Benchmark: fresh guests restored from a saved one (issue 16's goals).
# Measured side by side in one run, medians of REPEATS runs (default 3):
#
#   - a fresh guest: "restored in" from vm/guests.log (QEMU start, the
#     saved guest loaded, its agent's answer and its set-up: clock and
#     share; tests/bench/fresh_guest times it to a first command's end),
#     against "booted in" (QEMU start to SSH login) of a job that boots;
#   - 20 trivial guest tests with --vm-per-test against the same 20 on one
#     shared guest (goal: at most 2x).
#
#   tests/bench/fresh_guests.sh [REPEATS]
#
# PROCTOR_BIN=PATH measures another proctor binary; PROCTOR_IMAGE=DIR
# another image (default: the python flavor built here).
set -euo pipefail
repeats="${1:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tests/bench/bench_proctor.sh"
proctor="$(bench_proctor)"
image="$(bench_image)"
work="$(mktemp -d /tmp/proctor-fresh-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/suite"
for i in $(seq -w 1 20); do
  printf '#!/bin/sh\n# proctor: where=guest\nuname -r >/dev/null\n' >"$work/suite/t$i.sh"
done
chmod +x "$work"/suite/*

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Seconds in a Go-style duration as absl prints it: 350ms, 3.972s.
seconds() { sed -E 's/ms$/ \/ 1000/; s/s$//' | bc -l; }

run() {  # NAME FLAGS...: the job's wall time on stdout; its vm/ kept
  local name="$1" t0 t1
  shift
  rm -rf "$work/results"
  t0=$(now)
  "$proctor" run --sysinfo=off --image="$image" --results-dir="$work/results" \
    "$@" "$work/suite" >/dev/null 2>&1
  t1=$(now)
  cp "$work/results/latest/vm/guests.log" "$work/$name.guests.$r"
  echo "$t1 - $t0" | bc -l
}

: >"$work/shared" >"$work/fresh"
for ((r = 0; r < repeats; r++)); do
  run shared >>"$work/shared"
  run fresh --vm-per-test >>"$work/fresh"
done
boot=$(cat "$work"/shared.guests.* | sed -n 's/^guest 1: booted in //p' | seconds | median)
restore=$(cat "$work"/fresh.guests.* | sed -n 's/^guest [0-9]*: restored in //p' | seconds | median)
saved=$(cat "$work"/fresh.guests.* | sed -n 's/^guest 1: booted and saved in //p' | seconds | median)
shared=$(median <"$work/shared")
fresh=$(median <"$work/fresh")
printf 'boot to SSH login: %.3f s\n' "$boot"
printf 'boot and save (first guest of --vm-per-test): %.3f s\n' "$saved"
printf 'restore to the agent set up, the guests of a job: %.3f s (median of %d)\n' "$restore" \
  "$(cat "$work"/fresh.guests.* | grep -c restored)"
printf '20 guest tests, one shared guest: %.2f s\n' "$shared"
printf '20 guest tests, --vm-per-test: %.2f s (%.2fx)\n' "$fresh" "$(echo "$fresh / $shared" | bc -l)"
