#!/bin/sh
# A virtio-net NIC plugged in, used to reach a service on the host, and
# unplugged, twice.
# proctor: requires=cmd:virt_run_nic_hotplug,env:PROCTOR_IMAGE timeout=5m
exec virt_run_nic_hotplug --count=2
