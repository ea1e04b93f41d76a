# Sourced by the benchmarks: bench_proctor prints the proctor binary to
# measure, $PROCTOR_BIN or the optimized build of this checkout (built if
# need be); bench_image the guest image, $PROCTOR_IMAGE or the python
# flavor built here; bench_span the span of a job's tests.
bench_proctor() {
  if [[ -n "${PROCTOR_BIN:-}" ]]; then
    echo "$PROCTOR_BIN"
    return
  fi
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  (cd "$root" && bazel build -c opt //runner:proctor >/dev/null 2>&1)
  echo "$(cd "$root" && bazel info -c opt bazel-bin 2>/dev/null)/runner/proctor"
}

bench_image() {
  if [[ -n "${PROCTOR_IMAGE:-}" ]]; then
    echo "$PROCTOR_IMAGE"
    return
  fi
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  (cd "$root" && bazel build -c opt //images:jeos_python >/dev/null 2>&1)
  echo "$(cd "$root" && bazel info -c opt bazel-bin 2>/dev/null)/images/jeos_python"
}

# The span in seconds of the tests in results.json file $1, from the first
# start to the last end: a job's tests without its start (the guests' boot).
bench_span() {
  node -e '
    const job = JSON.parse(require("fs").readFileSync(process.argv[1]));
    let first = Infinity, last = 0;
    for (const t of job.tests) {
      const s = Date.parse(t.start_time) / 1000;
      first = Math.min(first, s);
      last = Math.max(last, s + t.duration_seconds);
    }
    console.log((last - first).toFixed(4));' "$1"
}
