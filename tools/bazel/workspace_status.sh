#!/bin/bash
# Bazel's workspace status: the source revision the OCI image is labelled
# with (org.opencontainers.image.revision). STABLE_ keys rebuild what uses
# them when they change; nothing else reads them.
rev="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [[ "$rev" != unknown ]] && ! git diff --quiet HEAD 2>/dev/null; then
  rev="$rev-dirty"
fi
echo "STABLE_PROCTOR_REVISION $rev"
