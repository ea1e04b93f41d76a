// What every guest of a job starts from, shared by the guest pool's
// guests (guest.h): the options, the job's login key, the accelerator,
// and the saved guest that fresh guests are restored from.
//
// Start() gives a running, logged-in guest: restored from the saved guest
// when there is one (SaveTemplate() made it), else booted. Guest 1 keeps
// its logs (console.log, qemu.cmdline, qemu.stderr, qmp.log) in the run
// directory itself, vm/; guest N in vm/guest.N/. vm/guests.log has a line
// per guest: how it started and how long that took. A saved guest that
// cannot be made or restored is said once, on stderr and in guests.log,
// and every guest after it is booted: never a wrong guest.
//
// Thread-safe: each of the pool's guests starts its VMs on its own thread.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_SETUP_H_
#define PROCTOR_RUNNER_GUEST_GUEST_SETUP_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runner/guest/guest_kernel.h"
#include "vmm/ssh_session.h"
#include "vmm/vm.h"

namespace proctor {

struct GuestOptions {
  std::string image_dir;  // holds vmlinux, initramfs and SHA256SUMS
  // --kernel: booted instead of the image's vmlinux; vm/kernel says which.
  std::optional<GuestKernel> kernel;
  std::vector<std::string> kernel_args;  // --append
  // Booted instead of the image's initramfs: it with --modules' modules.
  std::string initramfs;
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
  // Each test gets a guest of its own (--vm-per-test): guests are restored
  // from a saved one, and each guest keeps the next ones ready.
  bool fresh_guests = false;
  // Guests that run at once (-j N, as many as fit in memory).
  int guests = 1;
  // Guests each guest restores ahead with fresh guests (SparesPerGuest).
  int spares = 0;
  // The indices of the job's guest tests: a booted guest makes their
  // directories when it starts.
  std::vector<int> guest_tests;
};

// Guest test `index`'s directory in the guest: outputs/ ($OUTPUTDIR) and
// test.xml ($XML_OUTPUT_FILE), as in its directory on the host, and tmp/
// (its TEMPDIR).
std::string GuestTestDir(int index);
// The outputs/ and tmp/ of each of `tests`, a line each: for `xargs mkdir
// -p` in the guest, which is spared a mkdir in each test's script.
std::string GuestTestDirs(const std::vector<int>& tests);

// A guest Start() gave, and its number (1 for the job's first).
struct StartedGuest {
  std::unique_ptr<vmm::Vm> vm;
  int number = 0;
};

class GuestSetup {
 public:
  // Makes the job's login key (vm/id_ed25519) and chooses the accelerator
  // (vm/accel; said on stderr when KVM was wanted and is not usable).
  static absl::StatusOr<std::unique_ptr<GuestSetup>> Create(
      GuestOptions options);

  // Boots the guest fresh guests are restored from, makes the guest tests'
  // directories in it, and saves it in `state_dir`. An error when it does
  // not boot (exit 3 material); a save that fails is said, and guests are
  // booted instead.
  absl::Status SaveTemplate(const std::string& state_dir);
  // Starts a guest whose QMP monitor for tests is at `user_qmp` (a unix
  // socket path). An error when it cannot be booted either; NotFound when
  // `may_boot` is false and there is no saved guest to restore.
  absl::StatusOr<StartedGuest> Start(const std::string& user_qmp,
                                     bool may_boot = true);
  // Whether guests are restored (a saved guest exists and has not failed).
  bool restoring() const;
  // Counts a guest taken for a test, and returns how many of the job's
  // guest tests (options().guest_tests) have none yet: the most guests
  // worth restoring ahead (a retry or a crash may want more; those are
  // started when asked for).
  int TakeForTest();
  // A line of vm/guests.log, and on stderr when `say` is set.
  void Note(const std::string& line, bool say = false);

  const GuestOptions& options() const { return options_; }
  const std::string& accel() const { return accel_; }
  const vmm::GuestKey& key() const { return *key_; }

 private:
  enum class Saved { kNo, kYes, kUnusable };
  explicit GuestSetup(GuestOptions options) : options_(std::move(options)) {}
  vmm::VmOptions VmOptionsFor(const std::string& run_dir,
                              const std::string& user_qmp,
                              const std::string& state_dir) const;
  vmm::VmOptions RestoreOptionsFor(const std::string& run_dir,
                                   const std::string& user_qmp) const;
  // Guest `number`'s log directory.
  std::string RunDir(int number) const;
  int NextNumber();
  // The saved guest's restore into guest `number`; null (and said why)
  // when it failed, and no guest is restored after that.
  std::unique_ptr<vmm::Vm> Restore(int number, const std::string& user_qmp);

  const GuestOptions options_;
  std::shared_ptr<const vmm::GuestKey> key_;
  std::string accel_;
  std::string state_dir_;
  mutable absl::Mutex mu_;
  Saved saved_ ABSL_GUARDED_BY(mu_) = Saved::kNo;
  int started_ ABSL_GUARDED_BY(mu_) = 0;
  int taken_ ABSL_GUARDED_BY(mu_) = 0;
  bool version_written_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_SETUP_H_
