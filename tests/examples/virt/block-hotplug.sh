#!/bin/sh
# A qcow2 disk made with qemu-img, plugged in, written and read with
# O_DIRECT, unplugged; then a raw one. --json for a tool to read.
# proctor: requires=cmd:virt_run_block_hotplug,env:PROCTOR_IMAGE timeout=5m
set -e
virt_run_block_hotplug --count=2 --format=qcow2
virt_run_block_hotplug --format=raw --json | grep -q '"passed": true'
