// The job's guest: one JeOS VM that serves every guest test, booted on
// first need and booted again after a crash.
//
// A guest test runs as a host process like any other test: the executor
// spawns `proctor guest-exec`, which runs the test in the guest over SSH
// and relays its output and exit status, so timeouts, output capture and
// TAP parsing are the same for host and guest tests. After a guest test
// whose helper lost the connection, Alive() tells whether QEMU died; the
// executor then records the crash and the next guest test gets a fresh VM.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_POOL_H_
#define PROCTOR_RUNNER_GUEST_GUEST_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runner/guest/guest_mux.h"
#include "vmm/qemu_process.h"
#include "vmm/ssh_session.h"
#include "vmm/vm.h"

namespace proctor {

struct GuestOptions {
  std::string image_dir;  // holds vmlinux, initramfs and SHA256SUMS
  std::string qemu = "qemu-system-x86_64";  // a path, or a name in PATH
  std::string accel = "auto";
  std::string share_dir;  // mounted read-only on /tests
  std::string run_dir;    // the job's vm/ directory
  std::string self;       // this proctor binary, for guest-exec
  // proctor-guest-exec, the fast-starting helper for guest tests; when
  // empty, `self guest-exec` serves instead.
  std::string helper;
  int memory_mb = 1024;
  absl::Duration boot_timeout = absl::Seconds(120);  // QEMU start to login
};

class GuestPool {
 public:
  explicit GuestPool(GuestOptions options) : options_(std::move(options)) {}

  // Boots a VM and waits for its SSH login (exit 3 material on failure).
  absl::Status Boot();
  bool Alive();
  // Whether a test has run on the current VM since it booted.
  bool used() const { return used_; }
  void MarkUsed() { used_ = true; }
  // Stops the VM (QMP quit, then signals); the next Boot() starts afresh.
  void Shutdown();
  // QEMU's pid, or -1 when no VM runs.
  pid_t pid() const { return vm_ != nullptr ? vm_->qemu().pid() : -1; }
  // True when QEMU is gone or goes within `timeout`.
  bool DeadWithin(absl::Duration timeout);
  // The accelerator in use, and the number of boots so far.
  const std::string& accel() const { return accel_; }
  int boots() const { return boots_; }
  const std::string& console_log() const;
  // The console line that best says why the guest stopped: the kernel's
  // panic message if any, else the last line ("" without a console).
  std::string ConsoleVerdict() const;
  // The directory host tests reach the guest through (PROCTOR_VM): the
  // mux's mux.sock and QEMU's second QMP monitor, qmp.sock.
  std::string shared_dir() const;
  // The session Boot() logged in with (null before a boot).
  vmm::SshSession* session() {
    if (vm_ == nullptr) return nullptr;
    absl::StatusOr<vmm::SshSession*> s = vm_->WaitForLogin();
    return s.ok() ? *s : nullptr;
  }

  // The argv of the helper that runs `guest_path` in the guest with `env`.
  std::vector<std::string> ExecArgv(
      const std::string& guest_path, const std::vector<std::string>& requires_,
      const std::vector<std::pair<std::string, std::string>>& env) const;
  // Moves what guest test `index` left in its $OUTPUTDIR and
  // $XML_OUTPUT_FILE into outputs/ and test.xml of `test_dir`, its
  // directory on the host; nothing else is copied.
  absl::Status FetchOutputs(int index, const std::string& test_dir);
  // The guest's $OUTPUTDIR and $XML_OUTPUT_FILE for test `index`.
  static std::string GuestOutputDir(int index);
  static std::string GuestJunitFile(int index);
  // Path of a host file inside the guest ("" if outside the share).
  std::string GuestPath(const std::string& host_path) const;

 private:
  GuestOptions options_;
  std::shared_ptr<const vmm::GuestKey> key_;
  std::unique_ptr<vmm::Vm> vm_;
  std::unique_ptr<GuestMux> mux_;
  std::string accel_;
  int boots_ = 0;
  bool used_ = false;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_POOL_H_
