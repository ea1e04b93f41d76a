#!/bin/bash
# docs/architecture.md names every layer of tools/bazel/layers.bzl: a
# package added to the table but not to the document fails here.
set -euo pipefail
doc="$TEST_SRCDIR/proctor/docs/architecture.md"
layers="$TEST_SRCDIR/proctor/tools/bazel/layers.bzl"
missing=0
# Keys of LAYERS: lines like `    "//runner/plan": [...]` or `    _BASE: [...]`.
for key in $(sed -n 's/^    "\/\/\([^":]*\)\(:[^"]*\)\?": .*/\1\2/p' "$layers") runner/base; do
  folder="${key%%:*}"
  if ! grep -q "\`$folder/\`\|\`//$key\`\|\`$folder\`" "$doc"; then
    echo "FAIL: docs/architecture.md does not name $key"
    missing=1
  fi
done
[[ $missing == 0 ]] && echo "PASS: every layer is in docs/architecture.md"
exit $missing
