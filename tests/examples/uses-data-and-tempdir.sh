#!/bin/bash
# Copies a reference file from $DATA into $TEMPDIR and compares: the RFC's
# qemu-img-convert example without the image.
set -eu
cp "$DATA/reference.txt" "$TEMPDIR/copy.txt"
cmp "$DATA/reference.txt" "$TEMPDIR/copy.txt"
echo "compared $(wc -c < "$TEMPDIR/copy.txt") bytes" > "$OUTPUTDIR/report.txt"
