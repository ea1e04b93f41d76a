#!/bin/sh
# /usr/bin/timeout in the JeOS guest: busybox's timeout, which takes GNU
# timeout's DURATION COMMAND... but not --foreground. kselftest's runner
# (kselftest/runner.sh) passes it; a guest test has no terminal to keep in
# the foreground, so it changes nothing here.
[ "$1" = "--foreground" ] && shift
exec /bin/busybox timeout "$@"
