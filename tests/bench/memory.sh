#!/bin/bash
# Benchmark: the runner's memory whatever a test writes (issue 14's goal:
# under 32 MiB RSS for 100 000 TAP points and for 100 000 JUnit cases,
# each with a failure near the end that must be kept).
#
#   tests/bench/memory.sh
#
# Each row is one job of one test, run by the optimized build; the figure
# is runner_max_rss_kb from its results.json: proctor's own peak (not the
# test's), taken after every view but results.json itself was rendered
# (results.json is printed a list element at a time and stays small).
# PROCTOR_BIN=PATH measures another proctor binary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d /tmp/proctor-memory.XXXXXX)"
trap 'rm -rf "$work"' EXIT

source "$root/tests/bench/bench_proctor.sh"
proctor="$(bench_proctor)"

scenario() {  # NAME SCRIPT: runs SCRIPT as the only test, prints a row
  local dir="$work/$1"
  mkdir -p "$dir"
  printf '%s\n' "$2" >"$dir/t"
  chmod +x "$dir/t"
  local start end
  start=$(date +%s.%N)
  "$proctor" run --results-dir="$work/results" --sysinfo=off "$dir" >/dev/null || true
  end=$(date +%s.%N)
  python3 - "$work/results/latest/results.json" "$1" "$start" "$end" <<'PY'
import json, sys
job = json.load(open(sys.argv[1]))
t = job["tests"][0]
cases = int(t.get("junit_summary", {}).get("cases", 0))
points = len(t["tap_points"]) + int(t.get("tap_summary", {}).get("points_not_stored", 0))
print("| %s | %.1f MiB | %s | %.1f s |" % (
    sys.argv[2], int(job["runner_max_rss_kb"]) / 1024.0, t["status"],
    float(sys.argv[4]) - float(sys.argv[3])))
PY
  rm -rf "$work/results" "$dir"
}

echo "| a test that | runner max RSS | verdict | wall |"
echo "| --- | --- | --- | --- |"
scenario "writes 1 GiB to stdout" '#!/bin/sh
head -c 1073741824 /dev/zero'
scenario "prints 2 000 000 TAP points" '#!/usr/bin/python3
import sys
print("1..2000000")
sys.stdout.writelines("ok %d - p\n" % i for i in range(1, 2000001))'
scenario "prints 100 000 TAP points, point 99 999 failing" '#!/usr/bin/python3
import sys
print("1..100000")
sys.stdout.writelines("%s %d - point %d\n" % ("not ok" if i == 99999 else "ok", i, i)
                      for i in range(1, 100001))'
scenario "writes 100 000 JUnit cases, case 99 999 failing" '#!/usr/bin/python3
import os
with open(os.environ["XML_OUTPUT_FILE"], "w") as f:
    f.write("<testsuite name=\"s\">")
    for i in range(1, 100001):
        bad = "<failure message=\"late\"/>" if i == 99999 else ""
        f.write("<testcase classname=\"c\" name=\"t%d\">%s</testcase>" % (i, bad))
    f.write("</testsuite>")'
scenario "writes a 1 GiB JUnit file" '#!/usr/bin/python3
import os
case = b"<testcase classname=\"c\" name=\"t\"/>\n"
block = case * (1024 * 1024 // len(case))
with open(os.environ["XML_OUTPUT_FILE"], "wb") as f:
    f.write(b"<testsuite name=\"huge\">")
    for _ in range(1024 * 1024 * 1024 // len(block) + 1):
        f.write(block)
    f.write(b"</testsuite>")'
