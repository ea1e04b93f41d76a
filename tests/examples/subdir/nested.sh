#!/bin/sh
# Tests in subdirectories are named by their relative path.
test "$PROCTOR_TEST_NAME" = "subdir/nested.sh"
