#!/bin/sh
# The guest's kernel command line is proctor's.
grep -q proctor /proc/cmdline
