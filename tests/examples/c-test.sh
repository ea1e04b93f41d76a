#!/bin/sh
# Compiles uptime.c and runs it: a C test, built where it runs.
# proctor: requires=cmd:cc
set -e
cc -o "$TEMPDIR/uptime" "$(dirname "$0")/uptime.c"
exec "$TEMPDIR/uptime"
