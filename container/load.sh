#!/bin/bash
# `bazel run //container:load`: loads the image into docker, or into podman
# when no docker daemon answers ($PROCTOR_ENGINE chooses), and prints the
# image's name and manifest digest.
set -euo pipefail
cd "${RUNFILES_DIR:-$0.runfiles}/proctor" 2>/dev/null || true
engine="${PROCTOR_ENGINE:-}"
if [[ -z "$engine" ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    engine=docker
  elif command -v podman >/dev/null; then
    engine=podman
  else
    echo "load: neither docker nor podman is here" >&2
    exit 3
  fi
fi
"$engine" load -i container/image.tar >&2
echo "proctor:0.1.0 $(cat container/image.digest) (loaded into $engine)"
