// The job's guest: one JeOS VM that serves every guest test, started on
// first need and started again after a crash.
//
// When the job will want fresh guests (`fresh_guests`: --vm-per-test), the
// first start boots a guest, saves it once it is ready, and every guest
// after that, the first included, is restored from that state in a
// fraction of a boot (vmm/vm.h). A state that cannot be saved or restored
// is said on stderr and in vm/guests.log, and guests are booted instead:
// never a wrong guest. vm/guests.log has a line per guest started, saying
// how and how long it took.
//
// A guest test runs as a host process like any other test: the executor
// spawns `proctor guest-exec`, which runs the test in the guest over SSH
// and relays its output and exit status, so timeouts, output capture and
// TAP parsing are the same for host and guest tests. After a guest test
// whose helper lost the connection, Alive() tells whether QEMU died; the
// executor then records the crash and the next guest test gets a fresh VM.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_POOL_H_
#define PROCTOR_RUNNER_GUEST_GUEST_POOL_H_

#include <functional>
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
  // Start guests from a saved one (see above).
  bool fresh_guests = false;
};

class GuestPool {
 public:
  explicit GuestPool(GuestOptions options) : options_(std::move(options)) {}
  ~GuestPool();

  // Starts a fresh VM (restored, or booted) and waits for its SSH login
  // (exit 3 material on failure).
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
  // The accelerator in use, and the number of guests started so far (a
  // saved guest counts).
  const std::string& accel() const { return accel_; }
  int boots() const { return boots_; }
  const std::string& console_log() const;
  // The console line that best says why the guest stopped: the kernel's
  // panic message if any, else the last line ("" without a console).
  std::string ConsoleVerdict() const;
  // The directory host tests reach the guest through (PROCTOR_VM): the
  // mux's mux.sock, QEMU's second QMP monitor, qmp.sock, and the saved
  // guest, state/.
  std::string shared_dir() const;
  // Runs `use` with a logged-in session of the current guest, one of those
  // guest tests share (the one Boot() logged in with, at first).
  // Unavailable before a boot or when the guest is unreachable.
  absl::Status WithSession(
      const std::function<absl::Status(vmm::SshSession*)>& use);

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
  enum class Saved { kNotYet, kYes, kUnusable };
  vmm::VmOptions VmOptionsFor(const std::string& state_dir) const;
  // The guest started from the saved state, booting and saving it first if
  // need be; null (and said why) when there is no state to start from; an
  // error when the guest does not boot at all.
  absl::StatusOr<std::unique_ptr<vmm::Vm>> StartFromSavedState(
      absl::Time start);
  // Renames console.log to console.N.log, N the last guest started.
  void KeepConsoleLog();
  // A line of vm/guests.log, and on stderr when `say` is set.
  void Note(const std::string& line, bool say = false);

  GuestOptions options_;
  std::shared_ptr<const vmm::GuestKey> key_;
  std::unique_ptr<vmm::Vm> vm_;
  std::unique_ptr<GuestMux> mux_;
  std::string accel_;
  int boots_ = 0;
  bool used_ = false;
  Saved saved_ = Saved::kNotYet;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_POOL_H_
