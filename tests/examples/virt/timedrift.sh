#!/bin/sh
# The guest clock against the host's for 5 s with a busy guest CPU, then
# across a 1 s stop/cont.
# proctor: requires=cmd:virt_run_timedrift,env:PROCTOR_IMAGE timeout=5m
set -e
virt_run_timedrift --duration=5s --guest-load=1
virt_run_timedrift --duration=4s --stop=1s
