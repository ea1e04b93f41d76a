# Sourced by the benchmarks: bench_proctor prints the proctor binary to
# measure, $PROCTOR_BIN or the optimized build of this checkout (built if
# need be).
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
