#!/bin/bash
# Benchmark: the virt_run_* helpers' figures for the JeOS guest (TCG here,
# KVM where it works), as medians of REPEATS (default 5): migration total
# time and downtime (QEMU's own figures), NIC and disk hotplug round trips
# (plug, use, unplug), and the clock drift on an idle host over 10 s.
#
#   tests/bench/virt.sh [REPEATS]
set -euo pipefail
repeats="${1:-5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bazel build -c opt //tools/virt:all //container:qemu //images:jeos_python \
  >/dev/null 2>&1
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
export PROCTOR_IMAGE="$bin/images/jeos_python"
export PROCTOR_QEMU="$bin/container/qemu/bin/qemu-system-x86_64"
json() { "$bin/tools/virt/$1" --json "${@:2}"; }
# field FILE KEY: the numbers KEY has in FILE's JSON (runs included).
field() { grep -o "\"$2\": [-0-9.e+]*" "$1" | awk '{print $2}'; }
# median [FORMAT]: the median of the numbers on stdin (default %.0f).
median() {
  sort -g | awk -v f="${1:-%.0f}" \
    '{a[NR]=$1} END {printf f, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
work="$(mktemp -d /tmp/proctor-virt-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

json virt_run_migration --count="$repeats" >"$work/migration.json"
json virt_run_migration --count="$repeats" --transport=unix >"$work/unix.json"
json virt_run_nic_hotplug --count="$repeats" >"$work/nic.json"
json virt_run_block_hotplug --count="$repeats" >"$work/block.json"
for i in $(seq "$repeats"); do
  json virt_run_timedrift --duration=10s >"$work/drift.$i.json"
done
printf 'accel: %s, %s repeats\n' "$(grep -o '"accel": "[a-z]*"' "$work/nic.json" | cut -d'"' -f4)" "$repeats"
printf 'migration over tcp:   total %s ms, downtime %s ms\n' \
  "$(field "$work/migration.json" total_ms | median)" \
  "$(field "$work/migration.json" downtime_ms | median)"
printf 'migration over unix:  total %s ms, downtime %s ms\n' \
  "$(field "$work/unix.json" total_ms | median)" \
  "$(field "$work/unix.json" downtime_ms | median)"
printf 'NIC hotplug:  plug %s ms, traffic %s ms, unplug %s ms, round trip %s ms\n' \
  "$(field "$work/nic.json" plug_ms | median)" "$(field "$work/nic.json" traffic_ms | median)" \
  "$(field "$work/nic.json" unplug_ms | median)" "$(field "$work/nic.json" round_trip_ms | median)"
printf 'disk hotplug: plug %s ms, io %s ms, unplug %s ms, round trip %s ms\n' \
  "$(field "$work/block.json" plug_ms | median)" "$(field "$work/block.json" io_ms | median)" \
  "$(field "$work/block.json" unplug_ms | median)" "$(field "$work/block.json" round_trip_ms | median)"
printf 'clock drift over 10 s, idle host: %s %%\n' \
  "$(cat "$work"/drift.*.json | grep -o '"drift_percent": [-0-9.e+]*' | awk '{print $2}' | median %+.3f)"
