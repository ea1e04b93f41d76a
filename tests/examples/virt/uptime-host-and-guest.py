#!/usr/bin/env python3
# The RFC's instrumented uptime example, without a test library: the job's
# guest (requires=vm), a command in it, one on the host, and QMP. (Only
# python3-minimal's modules: the container has no more.)
# proctor: requires=vm
import subprocess

guest = subprocess.run(["proctor", "vm", "exec", "--", "uptime"],
                       check=True, capture_output=True, text=True).stdout
print("Guest uptime result is:", guest.strip())
host = subprocess.run(["uptime"], check=True, capture_output=True,
                      text=True).stdout
print("Host uptime result is:", host.strip())
status = subprocess.run(
    ["proctor", "vm", "qmp", '{"execute": "query-status"}'],
    check=True, capture_output=True, text=True).stdout
assert '"status":"running"' in status, status
