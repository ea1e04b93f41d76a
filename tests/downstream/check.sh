#!/bin/bash
# Builds and tests the downstream example workspace as its users would, with
# a Bazel of its own (a fresh output root), and checks what Bazel reports:
# every case in the JUnit reports, the result trees in the undeclared
# outputs, --test_filter, sharding, a failing case named in the summary,
# that only a changed suite runs again, and that a suite runs in a worker
# holding none of this machine's libraries (Bazel's docker strategy on a
# Docker daemon this script starts). tools/test runs this; by hand:
#   bash tests/downstream/check.sh
# It works on a copy, so the checkout is left as it was.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d /tmp/proctor-downstream.XXXXXX)"
b() { bazel --output_user_root="$work/bazel" "$@"; }
source "$root/tests/container/docker_daemon.sh"
# Bazel's server inherits these when it starts: its docker strategy then
# talks to the daemon started below, with Debian's docker client.
export DOCKER_HOST="unix://$work/docker/sock"
export PATH="/usr/bin:/bin:/usr/sbin:/sbin:$PATH"
cleanup() {
  (cd "$work/ws" 2>/dev/null && b shutdown >/dev/null 2>&1) || true
  stop_dockerd
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/ws"
tar -C "$here" --exclude='./bazel-*' --exclude='./check.sh' -cf - . |
  tar -C "$work/ws" -xf -
# The copy's `path = "../.."` no longer leads here.
echo "build --override_repository=proctor=$root" >>"$work/ws/.bazelrc"
cd "$work/ws"
logs="$work/ws/bazel-testlogs"

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"
  shift
  if "$@"; then
    echo "ok: $what"
  else
    echo "FAILED: $what"
    failures=$((failures + 1))
  fi
}
# The test case names in JUnit files (proctor's and GoogleTest's order
# their attributes differently).
cases() {
  cat "$@" | grep -o '<testcase [^>]*' | grep -o ' name="[^"]*"' |
    sed 's/^ name="//; s/"$//' | sort
}
has() { grep -qF -- "$2" <<<"$1"; }

echo "== bazel test //... (builds proctor, the JeOS image and QEMU)"
set +e
out="$(b test //... --test_summary=detailed 2>&1)"
rc=$?
set -e
check "bazel test //... passes" test "$rc" = 0
[[ $rc == 0 ]] || tail -30 <<<"$out"
check "no case fails" has "$out" "and 0 failing out of"
all="$(cases "$logs"/*/*/test.xml "$logs"/shell/host/shard_*/test.xml)"
for c in counts-words.sh has-scratch-space.sh tap-points.sh "1 - sort is stable" \
  "2 - uniq drops repeats" writes-output.sh sees-env.sh in-the-guest.sh kernel-facts.sh \
  "1 - x86_64" "struct_roundtrip.py [host]" "struct_roundtrip.py [guest]" \
  "tap_from_python.py [guest]" "2 - arithmetic" "arith [host]" "arith [guest]" \
  "2 - integer division truncates" GuestAndHostBothReportAnUptime \
  "1 - StringsTest.ReversedTwiceIsTheSame" "4 - StringsTest.NeedsAWideLocale"; do
  check "case '$c' is reported" has "$all" "$c"
done
zipped() { unzip -l "$logs/$1/test.outputs/outputs.zip" 2>/dev/null; }
check "the guest suite's result tree is in its undeclared outputs" \
  has "$(zipped shell/guest)" "results.json"
check "the guest suite's VM console log is in its undeclared outputs" \
  has "$(zipped shell/guest)" "vm/console.log"
check "a test's \$OUTPUTDIR is in the undeclared outputs" \
  has "$(zipped shell/host/shard_1_of_2)$(zipped shell/host/shard_2_of_2)" \
  "writes-output.sh/outputs/report.txt"

echo "== sharding"
one="$(cases "$logs"/shell/host/shard_1_of_2/test.xml | grep '\.sh$' || true)"
two="$(cases "$logs"/shell/host/shard_2_of_2/test.xml | grep '\.sh$' || true)"
check "each shard runs some tests" test -n "$one" -a -n "$two"
check "no test runs in both shards" test -z "$(comm -12 <(echo "$one") <(echo "$two"))"
check "the shards together run all five tests" \
  test "$(printf '%s\n%s\n' "$one" "$two" | sort -u | wc -l)" = 5
b test //shell:host --test_sharding_strategy=disabled >/dev/null 2>&1
check "--test_sharding_strategy=disabled runs all five in one" \
  test "$(cases "$logs"/shell/host/test.xml | grep -c '\.sh$')" = 5

echo "== --test_filter"
b test //shell:host //python:both --test_filter='tap' \
  --test_sharding_strategy=disabled >/dev/null 2>&1
filtered="$(cases "$logs"/shell/host/test.xml "$logs"/python/both/test.xml)"
check "the filter keeps the matching tests" has "$filtered" "tap_from_python.py [guest]"
check "the filter keeps the matching tests' points" has "$filtered" "1 - sort is stable"
check "the filter drops the others" eval '! has "$filtered" counts-words.sh && ! has "$filtered" struct_roundtrip.py'

echo "== a failing case"
set +e
out="$(b test //failing:suite --test_summary=detailed 2>&1)"
rc=$?
set -e
check "the failing suite fails its target (bazel exit 3)" test "$rc" = 3
check "the summary names the failing case" has "$out" "FAILED  proctor.broken.sh"
check "the summary does not blame the passing case" eval '! has "$out" "FAILED  proctor.fine.sh"'
check "the test log has the case's verdict" has "$(cat "$logs"/failing/suite/test.log)" "broken.sh -- FAIL"
check "the JUnit report has the failure" has "$(cat "$logs"/failing/suite/test.xml)" '<failure message="exit status 1"'

echo "== a failing GoogleTest case"
set +e
out="$(b test //failing:gtest_suite --test_summary=detailed 2>&1)"
rc=$?
set -e
check "the wrapped GoogleTest binary fails its target" test "$rc" = 3
check "the summary names the failing GoogleTest case" \
  has "$out" "FAILED  sorting_test.2 - SortingTest.KeepsDuplicatesOnPurposeBroken"
check "the summary does not blame the passing GoogleTest case" \
  eval '! has "$out" "FAILED  sorting_test.1 - SortingTest.SortsAscending"'
check "the summary counts both cases and the binary" \
  has "$out" "with 1 passing and 2 failing out of 3 test cases"

echo "== infrastructure failures"
for t in damaged_image_suite:"sha256 mismatch" no_qemu_suite:"QEMU not found"; do
  name="${t%%:*}"
  set +e
  b test "//failing:$name" >/dev/null 2>&1
  rc=$?
  set -e
  check "$name fails its target" test "$rc" = 3
  check "$name is an infrastructure failure saying '${t#*:}'" \
    grep -qF "${t#*:}" "$logs/failing/$name/test.infrastructure_failure"
done

echo "== caching"
b test //... >/dev/null 2>&1 || true  # back to the unfiltered, sharded runs
out="$(b test //... 2>&1)"
check "an unchanged workspace is all cached" \
  test "$(grep -c '(cached) PASSED' <<<"$out")" = 6
printf '#!/bin/sh\ntrue\n' >shell/guest/added.sh
chmod +x shell/guest/added.sh
out="$(b test //... 2>&1)"
check "adding a test runs its suite again" eval '! grep -q "//shell:guest .*(cached)" <<<"$out"'
check "the other suites stay cached" test "$(grep -c '(cached) PASSED' <<<"$out")" = 5
check "the added test is reported" has "$(cases "$logs"/shell/guest/test.xml)" added.sh

echo "== a worker with nothing of this machine's (Bazel's docker strategy)"
# The worker image: busybox, bash and the libraries bash loads.
mkdir -p "$work/docker"
if b build @proctor//container:worker >/dev/null 2>&1 && start_dockerd "$work/docker" &&
  docker load -i bazel-bin/external/proctor/container/worker.tar >/dev/null; then
  # Every shared library in the worker, by name.
  libs="$(docker run --rm --network=none proctor-worker:0.1.0 \
    find / -xdev -name '*.so*' 2>/dev/null || true)"
  check "the worker holds libraries (the ones bash needs)" has "$libs" "libc.so.6"
  check "the worker holds no library of proctor's" \
    eval '! grep -Eq "libabsl|libprotobuf|libssh|libcurl|libxml2|libarchive|libstdc" <<<"$libs"'
  set +e
  out="$(b test //shell:host --experimental_enable_docker_sandbox \
    --strategy=TestRunner=docker --experimental_docker_image=proctor-worker:0.1.0 \
    --noexperimental_docker_use_customized_images --nocache_test_results 2>&1)"
  rc=$?
  set -e
  check "the host suite passes in the worker" test "$rc" = 0
  [[ $rc == 0 ]] || tail -20 <<<"$out"
  check "it ran there (the worker's execroot)" \
    grep -q "Results stored in /execroot/" "$logs"/shell/host/shard_1_of_2/test.log
  check "every test passed in the worker" \
    test "$(cat "$logs"/shell/host/shard_*/test.log | grep -c -- ' -- PASS$')" = 5
else
  check "the worker image builds and loads into a Docker daemon" false
fi

if ((failures > 0)); then
  echo "downstream: $failures check(s) failed"
  exit 1
fi
echo "downstream: all checks passed"
