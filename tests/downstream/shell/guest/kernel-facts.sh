#!/bin/sh
echo "TAP version 14"
echo "1..2"
[ "$(uname -m)" = x86_64 ] && echo "ok 1 - x86_64" || echo "not ok 1 - x86_64"
[ -r /proc/version ] && echo "ok 2 - /proc/version" || echo "not ok 2 - /proc/version"
