#!/bin/sh
# A pytest file run by pytest, which writes its cases as JUnit XML to the
# file proctor names; each becomes one of this test's cases.
# proctor: requires=cmd:python3
# The python3 on PATH may not be the one pytest is installed for.
python3 -c 'import pytest' 2>/dev/null || {
  echo "1..0 # SKIP pytest is not installed for $(command -v python3)"
  exit 0
}
# The suite may be read-only (a container's /tests): no caches beside it.
export PYTHONDONTWRITEBYTECODE=1
exec python3 -m pytest -q -p no:cacheprovider \
  --junitxml="$XML_OUTPUT_FILE" "$(dirname "$0")/test_arith.py"
