#!/bin/sh
# What a test leaves in $OUTPUTDIR lands in Bazel's undeclared outputs.
echo "kept" > "$OUTPUTDIR/report.txt"
