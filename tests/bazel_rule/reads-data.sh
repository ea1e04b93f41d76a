#!/bin/sh
cat "$(dirname "$0")/input.txt" | grep -q hello
