#!/bin/bash
# results.html as a person sees it: the example suite's job rendered by a
# real headless Chromium, with JavaScript. Checks the summary, the rows,
# the status filter and the expanded output in the rendered DOM, that the
# file loads nothing from elsewhere, and saves a screenshot to the test's
# undeclared outputs.
set -uo pipefail
src="$TEST_SRCDIR/proctor"
results="$TEST_TMPDIR/results"
fail() { echo "FAIL: $*"; exit 1; }
"$src/runner/proctor" run --results-dir="$results" --sysinfo=off \
  "$src/tests/examples" >"$TEST_TMPDIR/out" 2>&1
[[ $? == 1 ]] || fail "the examples did not run as expected: $(cat "$TEST_TMPDIR/out")"
html="$(readlink -f "$results/latest")/results.html"
[[ -s "$html" ]] || fail "no results.html"

# Self-contained: no address but its own files, no external script/style.
if grep -Eq 'https?://|<script [^>]*src=|<link ' "$html"; then
  fail "results.html refers to something outside itself"
fi

chrome() {  # URL-FRAGMENT ARGS...: Chromium on the report
  local fragment="$1"
  shift
  HOME="$TEST_TMPDIR" timeout 120 chromium --headless --no-sandbox \
    --disable-gpu --user-data-dir="$TEST_TMPDIR/chrome" "$@" \
    "file://$html$fragment" 2>"$TEST_TMPDIR/chrome.err"
}
dom="$(chrome "" --dump-dom)" || fail "chromium: $(tail -3 "$TEST_TMPDIR/chrome.err")"
[[ "$dom" == *'<span class="badge PASS">8 passed</span>'* ]] || fail "no pass badge"
[[ "$dom" == *'<span class="badge FAIL">1 failed</span>'* ]] || fail "no fail badge"
[[ "$dom" == *'11 of 11 tests shown'* ]] || fail "the script did not count the rows"
[[ "$dom" == *'data-name="look-mom-i-can-use-perl.pl"'* ]] || fail "no row for the perl test"

# Filtered to failures from the address: only the perl test stays.
dom="$(chrome "#status=FAIL" --dump-dom)" || fail "chromium with a filter"
[[ "$dom" == *'1 of 11 tests shown'* ]] || fail "status filter: $(grep -o '[0-9]* of 11 tests shown' <<<"$dom")"
grep -q 'class="test" data-status="PASS"[^>]*hidden' <<<"$dom" ||
  fail "PASS rows are not hidden under #status=FAIL"
grep -q 'data-status="FAIL" data-name="look-mom-i-can-use-perl.pl">' <<<"$dom" ||
  fail "the FAIL row is hidden"
# By name, and a test's TAP points opened.
dom="$(chrome "#q=tap&open=tap-producer.sh" --dump-dom)" || fail "chromium with a query"
[[ "$dom" == *'1 of 11 tests shown'* ]] || fail "name filter"
[[ "$dom" == *'<details open="">'* ]] || fail "#open did not open the test"
[[ "$dom" == *'TAP: 4 points'* ]] || fail "no TAP points"
# A wrapped GoogleTest binary's cases, from the JUnit file it wrote.
dom="$(chrome "#open=wrapped/googletest-suite.sh" --dump-dom)" || fail "chromium on the GoogleTest suite"
[[ "$dom" == *'StringsTest.FindsASubstring'* ]] || fail "no GoogleTest case in the report"

shot="${TEST_UNDECLARED_OUTPUTS_DIR:-$TEST_TMPDIR}/results.png"
chrome "#open=tap-producer.sh" --screenshot="$shot" --window-size=1200,900 >/dev/null ||
  fail "no screenshot"
[[ -s "$shot" ]] || fail "empty screenshot"
echo PASS
