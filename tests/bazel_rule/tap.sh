#!/bin/sh
echo "TAP version 14"
echo 1..2
echo "ok 1 - first point"
echo "ok 2 - second point"
