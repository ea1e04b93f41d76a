#!/bin/sh
# Live migration, ping-pong: two migrations, each to a fresh QEMU; the
# guest keeps a value, its boot id and its uptime.
# proctor: requires=cmd:virt_run_migration,env:PROCTOR_IMAGE timeout=5m
exec virt_run_migration --count=2
