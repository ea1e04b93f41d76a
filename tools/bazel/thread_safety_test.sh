#!/bin/bash
# Compiles each .cc given with clang's -Wthread-safety as an error, so that
# ABSL_GUARDED_BY and friends are checked: Bazel's toolchain here is gcc,
# which ignores them. Syntax only, nothing is linked.
#
#   thread_safety_test.sh FILE.cc...   (paths relative to the workspace)
set -euo pipefail
root="${TEST_SRCDIR}/proctor"
status=0
for src in "$@"; do
  if ! out=$(clang++ -std=c++17 -fsyntax-only -Wthread-safety \
      -Werror=thread-safety -Wno-unknown-warning-option -I"$root" \
      -I/usr/include/libxml2 "$root/$src" 2>&1); then
    echo "FAIL: $src:"
    echo "$out"
    status=1
  else
    echo "ok: $src"
  fi
done
exit $status
