#!/bin/bash
# Benchmark: the kernel developer's loop (issue 17). Side by side in one
# run, medians of REPEATS runs (default 3):
#
#   - boot to SSH login ("booted in", vm/guests.log) of the image's pinned
#     Debian kernel against the kernel built here (@test_kernel: tinyconfig
#     plus what the guest needs, booted through --kernel, its bzImage
#     unpacked once to an ELF with the PVH entry), both with the image's
#     userspace;
#   - one guest test's whole job with each;
#   - `proctor kunit` of the kernel built here: QEMU's start to the last
#     suite's result, the whole job.
#
#   tests/bench/kernel_boot.sh [REPEATS]
#
# PROCTOR_BIN=PATH measures another proctor binary; PROCTOR_IMAGE=DIR
# another image; PROCTOR_KERNEL=PATH another kernel.
set -euo pipefail
repeats="${1:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tests/bench/bench_proctor.sh"
proctor="$(bench_proctor)"
image="$(bench_image)"
if [[ -z "${PROCTOR_KERNEL:-}" ]]; then
  export PROCTOR_KERNEL_CACHE="${PROCTOR_KERNEL_CACHE:-$HOME/.cache/proctor/kernels}"
  (cd "$root" && bazel build @test_kernel//:kernel >/dev/null 2>&1)
  kernel="$(cd "$root" && bazel info output_base 2>/dev/null)/external/test_kernel/arch/x86/boot/bzImage"
else
  kernel="$PROCTOR_KERNEL"
  unset PROCTOR_KERNEL
fi
work="$(mktemp -d /tmp/proctor-kernel-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"

mkdir -p "$work/suite"
printf '#!/bin/sh\n# proctor: where=guest\nuname -r\n' >"$work/suite/t.sh"
chmod +x "$work/suite/t.sh"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { sed -E 's/ms$/ \/ 1000/; s/s$//' | bc -l; }

job() {  # NAME ARGS...: the job's wall time appended to $work/NAME
  local name="$1" t0 t1
  shift
  rm -rf "$work/results"
  t0=$(now)
  "$proctor" "$@" --sysinfo=off --results-dir="$work/results" >/dev/null 2>&1 ||
    [[ $? == 1 ]]
  t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/$name"
  if [[ -f "$work/results/latest/vm/guests.log" ]]; then
    sed -n 's/^guest 1: booted in //p' "$work/results/latest/vm/guests.log" |
      seconds >>"$work/$name.boot"
  fi
}

# The kernel built here is unpacked before the first measured run.
job warmup run --image="$image" --kernel="$kernel" "$work/suite"
for ((r = 0; r < repeats; r++)); do
  job pinned run --image="$image" "$work/suite"
  job built run --image="$image" --kernel="$kernel" "$work/suite"
  job kunit kunit --kernel="$kernel"
done
printf 'boot to SSH login, pinned Debian kernel: %.2f s (job %.2f s)\n' \
  "$(median <"$work/pinned.boot")" "$(median <"$work/pinned")"
printf 'boot to SSH login, kernel built here: %.2f s (job %.2f s)\n' \
  "$(median <"$work/built.boot")" "$(median <"$work/built")"
printf 'proctor kunit, kernel built here: %.2f s (the whole job)\n' \
  "$(median <"$work/kunit")"
