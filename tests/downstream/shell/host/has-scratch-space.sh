#!/bin/sh
# $TEMPDIR is a fresh directory per test, under Bazel's TEST_TMPDIR.
test -d "$TEMPDIR" && touch "$TEMPDIR/x" && case "$TEMPDIR" in "$TEST_TMPDIR"/*) ;; *) exit 1 ;; esac
