#!/bin/sh
echo "TAP version 14"
echo "1..2"
echo "ok 1 - sort is stable"
echo "ok 2 - uniq drops repeats # SKIP nothing to drop"
