#!/bin/busybox sh
# /init of the JeOS guest: mounts, loads the modules the image builder
# resolved (etc/proctor/modules.load, dependencies first), brings up the
# QEMU user network, mounts the test share, authorizes the job's SSH key
# from the kernel command line and starts dropbear. Then it waits: PID 1
# must not exit. Kernel parameters it reads:
#   proctor.key=BASE64   the public key line for root's authorized_keys
#   proctor.share=TAG    a 9p share to mount read-only on /tests
#   proctor.poweroff=1   power off at once (the benchmark's boot floor)
/bin/busybox mkdir -p /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
# What udev would make: scripts write to /dev/stderr, kselftest's runner
# to /dev/stdout; without these, such a write makes a plain file there.
ln -s /proc/self/fd /dev/fd
ln -s fd/0 /dev/stdin
ln -s fd/1 /dev/stdout
ln -s fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm

for arg in $(cat /proc/cmdline); do
  case "$arg" in
    proctor.poweroff=1) poweroff -f ;;
  esac
done

# The image's modules are for the image's kernel; another kernel
# (proctor run --kernel) brings its drivers built in.
if [ -d "/lib/modules/$(uname -r)" ]; then
  while read -r module; do
    insmod "/$module" 2>/dev/console
  done < /etc/proctor/modules.load
fi

# A kernel without the guest's drivers cannot bring up what the host waits
# for: say what it lacks, and end (init exiting panics the kernel, which
# ends QEMU under -no-reboot) rather than let the host wait for a login.
lacks=
grep -qw devtmpfs /proc/filesystems || lacks="$lacks CONFIG_DEVTMPFS"
[ -e /sys/class/net/eth0 ] || lacks="$lacks CONFIG_VIRTIO_PCI CONFIG_VIRTIO_NET"
case " $(cat /proc/cmdline) " in
  *" proctor.share="*)
    grep -qw 9p /proc/filesystems || lacks="$lacks CONFIG_9P_FS CONFIG_NET_9P_VIRTIO"
    ;;
esac
if [ -n "$lacks" ]; then
  echo "proctor: the guest kernel lacks:$lacks" > /dev/console
  exit 1
fi

hostname jeos
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.2.2
echo "nameserver 10.0.2.3" > /etc/resolv.conf

for arg in $(cat /proc/cmdline); do
  case "$arg" in
    proctor.key=*)
      echo "${arg#proctor.key=}" | base64 -d > /root/.ssh/authorized_keys
      chmod 600 /root/.ssh/authorized_keys
      ;;
    proctor.share=*)
      mkdir -p /tests
      mount -t 9p -o trans=virtio,version=9p2000.L,ro "${arg#proctor.share=}" /tests
      ;;
  esac
done

mkdir -p /etc/dropbear
# -R: host keys made on first connection; -s: no passwords; -E: log to
# stderr (the console).
dropbear -R -s -E -p 22 2>/dev/console
echo "proctor: guest ready" > /dev/console
while :; do sleep 3600; done
