#!/bin/sh
# The same over a unix socket, with a downtime limit and a bandwidth cap.
# proctor: requires=cmd:virt_run_migration,env:PROCTOR_IMAGE timeout=5m
exec virt_run_migration --transport=unix --downtime-limit=500 --bandwidth=1G
