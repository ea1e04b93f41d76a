#!/bin/bash
# The OCI image end to end with a real engine, podman or Docker (the first
# argument): load //container:image into a store of the test's own (for
# Docker, a dockerd the test starts with its own data root and socket and
# stops at the end), run it against the example suite on the host side and
# in the guest, the virt helpers, a Python test using the standard
# library, and check the result tree from the host: verdicts, sysinfo,
# ownership by the --user given, and the exit codes bad input gets. Both
# run as root here with runc (podman: tools/containers.conf).
set -euo pipefail

src="$TEST_SRCDIR/proctor"
export PATH="$PATH:/usr/sbin:/sbin"
fail() { echo "FAIL: $*"; exit 1; }
engine_name="${1:-podman}"
# Engines want short socket and runroot paths: not under TEST_TMPDIR.
store="$(mktemp -d "/tmp/proctor-$engine_name.XXXXXX")"

case "$engine_name" in
  podman)
    export CONTAINERS_CONF="$src/tools/containers.conf"
    engine() {
      command podman --root "$store/root" --runroot "$store/run" \
        --tmpdir "$store/tmp" "$@"
    }
    image=localhost/proctor:0.1.0
    stop_engine() {
      engine rmi -af >/dev/null 2>&1 || true
      engine system reset -f >/dev/null 2>&1 || true
    }
    ;;
  docker)
    source "$src/tests/container/docker_daemon.sh"
    engine() { docker "$@"; }
    image=proctor:0.1.0
    stop_engine() { stop_dockerd; }
    ;;
  *) fail "unknown engine $engine_name" ;;
esac
cleanup() {
  stop_engine
  rm -rf "$store" 2>/dev/null || true
}
trap cleanup EXIT
if [[ "$engine_name" == docker ]]; then
  start_dockerd "$store" || fail "no Docker daemon"
fi

out="$(engine load -i "$src/container/image.tar" 2>&1)" || fail "load: $out"
[[ "$out" == *"Loaded image: $image"* ]] || fail "load said: $out"
if [[ "$engine_name" == podman ]]; then
  digest="$(engine image inspect --format '{{.Digest}}' "$image")"
  [[ "$digest" == "$(cat "$src/container/image.digest")" ]] ||
    fail "podman sees digest $digest, Bazel wrote $(cat "$src/container/image.digest")"
else
  # A loaded image has no registry digest in Docker: its id is the
  # config's digest, which the archive's manifest names.
  config="$(tar -xOf "$src/container/image.tar" manifest.json | grep -o 'blobs/sha256/[0-9a-f]*' | head -1)"
  id="$(engine image inspect --format '{{.Id}}' "$image")"
  [[ "$id" == "sha256:${config#blobs/sha256/}" ]] || fail "docker sees id $id, the archive's config is $config"
fi

# Real files, not runfile symlinks: the container sees only the mount.
tests="$TEST_TMPDIR/tests"
cp -rL "$src/tests/examples" "$tests"
rm -rf "$tests/BUILD.bazel" "$tests/virt"
user=1234:1234
results="$TEST_TMPDIR/results"
mkdir -p "$results"
chown "$user" "$results"

kvm=()  # where /dev/kvm exists, the image gets it; the run says what it used
if [[ -e /dev/kvm ]]; then
  kvm=(--device /dev/kvm --group-add "$(stat -c %g /dev/kvm)")
fi
run() {  # RESULTS_MOUNT_OPTIONS ARGS...: the container's exit status
  local mount="$1"
  shift
  local rc=0
  engine run --rm --network=none "${kvm[@]}" -v "$tests:/tests:ro" -v "$results:/results$mount" \
    --user "$user" "$image" "$@" >"$TEST_TMPDIR/out" \
    2>"$TEST_TMPDIR/err" || rc=$?
  return $rc
}
want_lines() {  # the verdict lines every run of the examples prints
  grep -- ' -- ' "$TEST_TMPDIR/out" | sort >"$TEST_TMPDIR/got"
  printf '%s\n' \
    "c-test.sh -- $1" \
    "look-mom-i-can-use-perl.pl -- FAIL" \
    "look-mom-i-can-use-shell.sh -- PASS" \
    "my-full-test.py -- PASS" \
    "my-yet-another-test.sh -- SKIPPED" \
    "needs-a-missing-tool.sh -- SKIPPED" \
    "subdir/nested.sh -- PASS" \
    "tap-producer.sh -- PASS" \
    "uses-data-and-tempdir.sh -- PASS" \
    "wrapped/googletest-suite.sh -- SKIPPED" \
    "wrapped/pytest-suite.sh -- SKIPPED" | sort >"$TEST_TMPDIR/want"
  diff "$TEST_TMPDIR/want" "$TEST_TMPDIR/got" || fail "verdicts differ"
}

# Host side: no C compiler or pytest in the image, so the C test and
# the wrapped suites skip.
rc=0; run "" || rc=$?
[[ $rc == 1 ]] || fail "host run exit $rc: $(cat "$TEST_TMPDIR/err")"
want_lines SKIPPED
job="$(readlink -f "$results/latest")"
[[ -s "$job/results.json" && -s "$job/results.xml" ]] || fail "no results in $job"
grep -q '"status": "PASS"' "$job/results.json" || fail "results.json has no PASS"
[[ -s "$job/sysinfo/pre/uname_-a" ]] || fail "no sysinfo in $job"
# The container knows its own system: no command missing, nothing unread.
[[ ! -e "$job/sysinfo/pre/problems" ]] || fail "sysinfo problems: $(cat "$job/sysinfo/pre/problems")"
grep -q "^Model name:" "$job/sysinfo/pre/lscpu" || fail "no lscpu: $(head -3 "$job/sysinfo/pre/lscpu")"
grep -q '^PRETTY_NAME="proctor 0.1.0 container' "$job/sysinfo/pre/etc_os-release" || fail "os-release"
not_mine="$(find "$results" ! -user 1234 | head -1)"
[[ -z "$not_mine" ]] || fail "$not_mine is not owned by uid 1234"

# In the guest: the bundled QEMU and JeOS image, under TCG here.
rc=0; run "" --where=guest --sysinfo=off || rc=$?
[[ $rc == 1 ]] || fail "guest run exit $rc: $(cat "$TEST_TMPDIR/err")"
want_lines SKIPPED
job="$(readlink -f "$results/latest")"
grep -q "proctor: guest ready" "$job/vm/console.log" || fail "no guest console log"
grep -q "^tcg" "$job/vm/accel" || grep -q "^kvm" "$job/vm/accel" || fail "no accel"
grep -q "accel tcg\|accel kvm" "$job/job.log" || fail "job.log does not say the accelerator"
if grep -q "^tcg" "$job/vm/accel"; then
  grep -q "guests run under TCG" "$TEST_TMPDIR/err" || fail "TCG without saying why"
fi

# The virt helpers, beside proctor in the image: host tests that migrate a
# guest and hotplug a qcow2 disk made with the image's qemu-img, with the
# image's QEMU and JeOS, and one that uses the job's guest.
virt="$TEST_TMPDIR/virt"
mkdir -p "$virt"
cp -L "$src/tests/examples/virt/"{migration.sh,block-hotplug.sh,uptime-host-and-guest.py} "$virt/"
rc=0
engine run --rm --network=none "${kvm[@]}" -v "$virt:/tests:ro" \
  -v "$results:/results" --user "$user" "$image" \
  >"$TEST_TMPDIR/out" 2>"$TEST_TMPDIR/err" || rc=$?
[[ $rc == 0 ]] || fail "virt helpers: exit $rc: $(cat "$TEST_TMPDIR/out" "$TEST_TMPDIR/err")"
grep -q "^migration.sh -- PASS" "$TEST_TMPDIR/out" || fail "migration: $(cat "$TEST_TMPDIR/out")"
grep -q "^block-hotplug.sh -- PASS" "$TEST_TMPDIR/out" || fail "block hotplug: $(cat "$TEST_TMPDIR/out")"
grep -q "^uptime-host-and-guest.py -- PASS" "$TEST_TMPDIR/out" || fail "proctor vm exec/qmp: $(cat "$TEST_TMPDIR/out")"
job="$(readlink -f "$results/latest")"
grep -q "migrations, median" "$job"/tests/*-migration.sh/stdout || fail "no migration figures"

# Python tests get the whole standard library.
stdlib="$TEST_TMPDIR/stdlib"
mkdir -p "$stdlib"
printf '#!/usr/bin/env python3\nimport json, unittest, email, sqlite3, decimal, http.client\nassert json.loads("[1]") == [1]\n' >"$stdlib/stdlib.py"
chmod +x "$stdlib/stdlib.py"
rc=0
engine run --rm --network=none -v "$stdlib:/tests:ro" -v "$results:/results" \
  --user "$user" "$image" >"$TEST_TMPDIR/out" 2>"$TEST_TMPDIR/err" || rc=$?
[[ $rc == 0 ]] || fail "python stdlib: exit $rc: $(cat "$TEST_TMPDIR/out") $(cat "$(readlink -f "$results/latest")"/tests/*/stderr)"

# Bad input.
rc=0; run ":ro" || rc=$?
[[ $rc == 3 ]] || fail "read-only /results: exit $rc"
grep -q "not writable" "$TEST_TMPDIR/err" || fail "read-only /results: $(cat "$TEST_TMPDIR/err")"
rc=0; run "" --no-such-flag || rc=$?
[[ $rc == 2 ]] || fail "unknown flag: exit $rc"
grep -q "unknown flag --no-such-flag" "$TEST_TMPDIR/err" || fail "unknown flag: $(cat "$TEST_TMPDIR/err")"
rc=0; run "" /tmp || rc=$?
[[ $rc == 2 ]] || fail "no tests: exit $rc"
grep -q "no tests found" "$TEST_TMPDIR/err" || fail "no tests: $(cat "$TEST_TMPDIR/err")"
# A suite whose only script is not executable.
noexec="$TEST_TMPDIR/noexec"
mkdir -p "$noexec"
printf '#!/bin/sh\ntrue\n' >"$noexec/t.sh"
chmod 644 "$noexec/t.sh"
rc=0
engine run --rm --network=none -v "$noexec:/tests:ro" -v "$results:/results" \
  --user "$user" "$image" >"$TEST_TMPDIR/out" \
  2>"$TEST_TMPDIR/err" || rc=$?
[[ $rc == 2 ]] || fail "unexecutable test: exit $rc"
grep -q "1 script is not executable, e.g. /tests/t.sh" "$TEST_TMPDIR/err" ||
  fail "unexecutable test: $(cat "$TEST_TMPDIR/err")"

# No /results mount: the results would vanish with the container.
rc=0
engine run --rm --network=none -v "$tests:/tests:ro" "$image" \
  >"$TEST_TMPDIR/out" 2>"$TEST_TMPDIR/err" || rc=$?
[[ $rc == 3 ]] || fail "no /results mount: exit $rc"
grep -q "anonymous volume" "$TEST_TMPDIR/err" || fail "no /results mount: $(cat "$TEST_TMPDIR/err")"
echo PASS
