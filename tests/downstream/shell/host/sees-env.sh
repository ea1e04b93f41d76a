#!/bin/sh
# proctor_test's `env` reaches host tests.
test "$SUITE_GREETING" = hello
