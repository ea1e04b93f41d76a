#!/bin/bash
# Runs the failing_suite target's executable as `bazel test` would, with
# XML_OUTPUT_FILE set, and checks that it fails and names the failing case.
set -uo pipefail
suite="$TEST_SRCDIR/proctor/tests/bazel_rule/failing_suite.proctor.sh"
xml="$TEST_TMPDIR/test.xml"
out="$(XML_OUTPUT_FILE="$xml" TEST_UNDECLARED_OUTPUTS_DIR="$TEST_TMPDIR/outputs" \
  "$suite" 2>&1)"
rc=$?
fail() { echo "FAIL: $*"; echo "$out"; exit 1; }
[[ $rc == 1 ]] || fail "exit $rc, want 1"
[[ "$out" == *"broken.sh -- FAIL"* ]] || fail "no FAIL line"
[[ "$out" == *"fine.sh -- PASS"* ]] || fail "no PASS line"
grep -q '<testcase classname="proctor" name="broken.sh"' "$xml" || fail "no case for broken.sh"
grep -q '<failure message="exit status 1"' "$xml" || fail "no failure in the XML"
[[ -f "$TEST_TMPDIR/outputs/latest/results.json" ]] || fail "no result tree"
echo PASS
