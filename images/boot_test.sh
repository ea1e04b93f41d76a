#!/bin/bash
# Boots the JeOS images in QEMU under TCG (the only accelerator these
# machines have), logs in over SSH with a fresh ed25519 key passed on the
# kernel command line, and checks what a guest test needs: the kernel the
# image pins, the read-only 9p test share, the python flavor's python3 and
# perl, and a guest that powers itself off taking QEMU with it.
set -euo pipefail
runfiles="${TEST_SRCDIR}/proctor/images"
work="$(mktemp -d "${TEST_TMPDIR}/boot.XXXXXX")"
qemu_pid=""
cleanup() {
  [[ -n "$qemu_pid" ]] && kill -9 "$qemu_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; echo "--- console ---" >&2; cat "$work/console.log" >&2 || true; exit 1; }

ssh-keygen -q -t ed25519 -N "" -f "$work/key"
key="$(base64 -w0 "$work/key.pub")"
mkdir -p "$work/share"
echo "hello from the host" >"$work/share/hello.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

boot() {  # FLAVOR
  port="$(free_port)"
  rm -f "$work/console.log"
  qemu-system-x86_64 -M q35 -nodefaults -accel tcg -m 512 -smp 1 \
    -display none -no-reboot \
    -kernel "$runfiles/$1/vmlinux" -initrd "$runfiles/$1/initramfs" \
    -append "console=ttyS0 quiet panic=-1 proctor.key=$key proctor.share=tests" \
    -serial "file:$work/console.log" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" \
    -device virtio-net-pci,netdev=n0 -device virtio-rng-pci \
    -fsdev "local,id=t0,path=$work/share,security_model=none,readonly=on" \
    -device virtio-9p-pci,fsdev=t0,mount_tag=tests &
  qemu_pid=$!
  for _ in $(seq 600); do
    grep -q "proctor: guest ready" "$work/console.log" 2>/dev/null && return 0
    kill -0 "$qemu_pid" 2>/dev/null || fail "$1: QEMU exited during boot"
    sleep 0.1
  done
  fail "$1: no 'guest ready' on the console within 60 s"
}

guest() {
  ssh -q -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=20 -o BatchMode=yes -i "$work/key" -p "$port" \
    root@127.0.0.1 "$@"
}

expect() {  # WHAT WANT GOT
  [[ "$3" == "$2" ]] || fail "$1: want '$2', got '$3'"
}

boot jeos_minimal
expect "kernel" "6.1.0-56-amd64" "$(guest uname -r)"
expect "9p share" "hello from the host" "$(guest cat /tests/hello.txt)"
guest 'touch /tests/x' 2>/dev/null && fail "the test share is writable"
expect "exit status" "7" "$(guest 'exit 7'; echo $?)"
guest 'poweroff -f' || true
for _ in $(seq 100); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$qemu_pid" 2>/dev/null && fail "QEMU still runs 10 s after the guest powered off"
qemu_pid=""

boot jeos_python
expect "python3" "42" "$(guest "python3 -c 'print(6*7)'")"
expect "perl" "42" "$(guest "perl -e 'print 6*7'")"
echo "PASS"
