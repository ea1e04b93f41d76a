#!/bin/bash
# Bazel's workspace status: the source revision the OCI image is labelled
# with (org.opencontainers.image.revision): the last commit that changed
# anything but documentation (*.md), so that a commit recording the image's
# digest in the README does not change that digest. "-dirty" when such
# files differ from it. STABLE_ keys rebuild what uses them when they
# change; nothing else reads them.
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
rev="$(git log -1 --format=%H -- . ':(exclude)*.md' 2>/dev/null)"
rev="${rev:-unknown}"
if [[ "$rev" != unknown ]] && ! git diff --quiet HEAD -- . ':(exclude)*.md' 2>/dev/null; then
  rev="$rev-dirty"
fi
echo "STABLE_PROCTOR_REVISION $rev"
