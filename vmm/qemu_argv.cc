#include "vmm/qemu_argv.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "vmm/guest_agent_wire.h"
#include "vmm/qemu_process.h"

namespace proctor::vmm {

namespace {

// What the kernel and the JeOS init read: the console, the login key
// (base64, as the command line splits on spaces) and whether to mount the
// share.
std::string KernelCommandLine(const QemuConfig& config) {
  std::vector<std::string> append = {"console=ttyS0", "quiet", "panic=-1"};
  if (!config.authorized_key.empty()) {
    append.push_back("proctor.key=" +
                     absl::Base64Escape(config.authorized_key));
  }
  if (!config.share_dir.empty() && config.mount_share_at_boot) {
    append.push_back("proctor.share=tests");
  }
  append.insert(append.end(), config.kernel_args.begin(),
                config.kernel_args.end());
  return absl::StrJoin(append, " ");
}

}  // namespace

std::vector<std::string> QemuArgv(const QemuConfig& config,
                                  const std::string& qemu,
                                  const QemuEndpoints& endpoints) {
  std::vector<std::string> argv = {
      qemu,
      "-M",
      "q35",
      "-nodefaults",
      "-accel",
      config.accel,
      "-m",
      absl::StrCat(config.memory_mb),
      "-smp",
      absl::StrCat(config.cpus),
      "-display",
      "none",
      "-no-reboot",
      "-kernel",
      config.kernel,
      "-initrd",
      config.initramfs,
      "-append",
      KernelCommandLine(config),
      "-serial",
      "file:" + endpoints.console_log,
      "-qmp",
      "unix:" + endpoints.qmp_socket + ",server=on,wait=off",
      "-netdev",
      absl::StrCat("user,id=n0,hostfwd=tcp:127.0.0.1:", endpoints.ssh_port,
                   "-:22"),
      "-device",
      "virtio-net-pci,netdev=n0",
      "-device",
      "virtio-rng-pci",
      "-device",
      "vmgenid,guid=auto"};
  if (config.accel == "kvm") argv.insert(argv.end(), {"-cpu", "host"});
  if (!config.memory_file.empty()) {
    argv.insert(
        argv.end(),
        {"-object",
         absl::StrCat("memory-backend-file,id=ram0,size=", config.memory_mb,
                      "M,mem-path=", config.memory_file,
                      ",share=", config.memory_file_shared ? "on" : "off"),
         "-machine", "memory-backend=ram0"});
  }
  if (!config.share_dir.empty()) {
    argv.insert(argv.end(),
                {"-fsdev",
                 absl::StrCat("local,id=t0,path=", config.share_dir,
                              ",security_model=none,readonly=on"),
                 "-device", "virtio-9p-pci,fsdev=t0,mount_tag=tests"});
  }
  if (config.incoming) argv.insert(argv.end(), {"-incoming", "defer"});
  if (!config.user_qmp_socket.empty()) {
    argv.insert(argv.end(),
                {"-qmp", absl::StrCat("unix:", config.user_qmp_socket,
                                      ",server=on,wait=off")});
  }
  if (config.agent) {
    argv.insert(argv.end(),
                {"-chardev",
                 absl::StrCat("socket,id=agent,path=", endpoints.agent_socket,
                              ",server=on,wait=off"),
                 "-device", "virtio-serial-pci,id=vser0", "-device",
                 absl::StrCat("virtserialport,bus=vser0.0,chardev=agent,name=",
                              agent_wire::kPortName)});
  }
  argv.insert(argv.end(), config.extra_args.begin(), config.extra_args.end());
  return argv;
}

std::vector<std::string> KunitQemuArgv(const KunitBoot& boot,
                                       const std::string& qemu) {
  std::vector<std::string> argv = {qemu,          "-M",     "q35",
                                   "-nodefaults", "-accel", boot.accel};
  if (boot.accel == "kvm") argv.insert(argv.end(), {"-cpu", "host"});
  std::vector<std::string> append = {"console=ttyS0", "panic=-1",
                                     "kunit_shutdown=reboot"};
  if (!boot.filter_glob.empty()) {
    append.push_back("kunit.filter_glob=" + boot.filter_glob);
  }
  append.insert(append.end(), boot.kernel_args.begin(), boot.kernel_args.end());
  argv.insert(argv.end(),
              {"-m", absl::StrCat(boot.memory_mb), "-smp", "1", "-display",
               "none", "-no-reboot", "-kernel", boot.kernel, "-serial", "stdio",
               "-append", absl::StrJoin(append, " ")});
  return argv;
}

}  // namespace proctor::vmm
