#!/bin/sh
# Data files sit next to the tests, as in the source tree.
test "$(wc -w < "$(dirname "$0")/words.txt")" -eq 3
