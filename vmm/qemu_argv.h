// QEMU's command line for a QemuConfig: a pure function, so that every
// choice it makes (the machine, KVM's `-cpu host`, the 9p share, the
// kernel command line the JeOS init reads) is unit-tested without a QEMU.
//
//   -M q35 -nodefaults -accel ACCEL -m MB -smp N -display none -no-reboot
//   -kernel VMLINUX -initrd INITRAMFS -append "console=ttyS0 quiet panic=-1
//   [proctor.key=BASE64] [proctor.share=tests] KERNEL_ARGS..."
//   -serial file:CONSOLE -qmp unix:SOCKET,server=on,wait=off
//   -netdev user,id=n0,hostfwd=tcp:127.0.0.1:PORT-:22
//   -device virtio-net-pci,netdev=n0 -device virtio-rng-pci
//   -device vmgenid,guid=auto  (a new generation id at every start: a guest
//                 restored from a saved state reseeds its random pool)
//   [-cpu host]  (KVM: the guest sees the host's CPU; TCG's default model
//                 boots fastest)
//   [-object memory-backend-file,id=ram0,size=MBM,mem-path=FILE,share=on|off
//    -machine memory-backend=ram0]  (RAM in a file: a saved guest's)
//   [-fsdev local,...,readonly=on -device virtio-9p-pci,...,mount_tag=tests]
//   [-incoming defer]
//   [-qmp unix:USER_QMP_SOCKET,server=on,wait=off]
//   [-chardev socket,id=agent,path=AGENT_SOCKET,server=on,wait=off
//    -device virtio-serial-pci,id=vser0 -device virtserialport,bus=vser0.0,
//    chardev=agent,name=org.proctor.agent]  (the guest agent's port)
//   EXTRA_ARGS...
#ifndef PROCTOR_VMM_QEMU_ARGV_H_
#define PROCTOR_VMM_QEMU_ARGV_H_

#include <string>
#include <vector>

namespace proctor::vmm {

struct QemuConfig;

// Where one QEMU process talks to its owner.
struct QemuEndpoints {
  std::string console_log;   // the serial console's file
  std::string qmp_socket;    // a unix socket path (at most 108 bytes)
  int ssh_port = 0;          // on 127.0.0.1, forwarded to the guest's 22
  std::string agent_socket;  // the agent port's unix socket (config.agent)
};

// `qemu` is the resolved binary (config.qemu may be a name in PATH).
std::vector<std::string> QemuArgv(const QemuConfig& config,
                                  const std::string& qemu,
                                  const QemuEndpoints& endpoints);

// A kernel booted for its KUnit suites alone (`proctor kunit`): no
// userspace, no devices, the console on QEMU's stdout.
//
//   -M q35 -nodefaults -accel ACCEL [-cpu host] -m MB -smp 1 -display none
//   -no-reboot -kernel KERNEL -serial stdio -append "console=ttyS0
//   panic=-1 kunit_shutdown=reboot [kunit.filter_glob=GLOB] KERNEL_ARGS..."
//
// KUnit reboots the kernel when its suites are done, and -no-reboot makes
// that QEMU's exit; a panic does the same through panic=-1.
struct KunitBoot {
  std::string kernel;
  std::string accel = "tcg";
  int memory_mb = 256;
  std::string filter_glob;  // kunit.filter_glob: "suite" or "suite.case"
  std::vector<std::string> kernel_args;
};
std::vector<std::string> KunitQemuArgv(const KunitBoot& boot,
                                       const std::string& qemu);

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_QEMU_ARGV_H_
