// One of the job's guests: the VM that serves its guest tests, the mux
// their helpers reach it through (guest_mux.h), and threads of its own
// that start its VMs (guest_setup.h), so that the guests of the next tests
// (--vm-per-test: GuestOptions::spares of them) are restored while a test
// runs.
//
// A guest test runs as a host process like any other test: the executor
// spawns `proctor guest-exec`, which runs the test in the guest (over SSH,
// or a restored guest's agent) and relays its output and exit status, so
// timeouts, output capture and TAP parsing are the same for host and guest
// tests. After a guest test
// whose helper lost the connection, Alive() tells whether QEMU died; the
// executor then records the crash and the next guest test gets a fresh VM.
//
// Every method but the constructor's thread's is for the executor's
// thread; the worker only starts VMs and hands them over under a lock.
// QEMU gets SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG,
// vmm/qemu_process.h), so the workers live as long as the Guest, whose end
// waits for the starts on their way.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_H_
#define PROCTOR_RUNNER_GUEST_GUEST_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runner/guest/guest_mux.h"
#include "runner/guest/guest_mux_client.h"
#include "runner/guest/guest_setup.h"
#include "vmm/ssh_session.h"

namespace proctor {

class Guest {
 public:
  // Guest `slot` (1-based) of the job; `setup` must outlive it.
  static absl::StatusOr<std::unique_ptr<Guest>> Create(int slot,
                                                       GuestSetup* setup);
  // Stops its VMs (the spare too), then its mux and its thread.
  ~Guest();

  // Has a worker start the next VM now, booted if need be; nothing if one
  // is on its way.
  void StartNext();
  // Makes a fresh VM the current one, after stopping the old: the first
  // one the workers began (waiting for it), else one started now. With
  // fresh guests the next ones are restored at once, while this one
  // serves; they are never booted ahead (at the job's end a boot would be
  // waited for). An error (exit 3 material) when no VM can be started.
  absl::Status Fresh();
  bool Alive();
  // Whether a test has run on the current VM since it started.
  bool used() const { return used_; }
  void MarkUsed() { used_ = true; }
  // Stops the current VM; Fresh() starts the next.
  void Shutdown();
  // True when QEMU is gone or goes within `timeout`.
  bool DeadWithin(absl::Duration timeout);
  int slot() const { return slot_; }
  // The current VM's number in vm/guests.log (0: none).
  int number() const { return number_; }
  const std::string& console_log() const;
  // The console line that best says why the guest stopped: the kernel's
  // panic message if any, else the last line ("" without a console).
  std::string ConsoleVerdict() const;
  // The directory host tests reach the guest through (PROCTOR_VM): the
  // mux's mux.sock and QEMU's QMP monitor for tests, qmp.sock.
  const std::string& dir() const { return dir_; }
  // Runs `use` with a shell of the current VM (guest_mux.h), one of those
  // guest tests share. Unavailable without a VM or when it is unreachable.
  absl::Status WithSession(
      const std::function<absl::Status(vmm::GuestShell*)>& use);
  // The same with an SSH session: a terminal's (`proctor vm shell`).
  absl::Status WithLogin(
      const std::function<absl::Status(vmm::SshSession*)>& use);

  // The argv of the helper that runs `guest_path` (with `args`) in this
  // guest as guest test `index`, with `env` and the requirements checked
  // there. The
  // script ends by sending what the test left in its $OUTPUTDIR and
  // $XML_OUTPUT_FILE, if anything, as a tar after `outputs.marker` on its
  // stderr, which the helper writes to `outputs.file`: a test that wrote
  // nothing costs no second command in the guest.
  // `copy`: entries of the test's directory to run among, copied into
  // TEMPDIR/run/ first (PlannedTest::run_in_copy_of).
  std::vector<std::string> ExecArgv(
      const std::string& guest_path, const std::vector<std::string>& args,
      const std::vector<std::string>& copy, int index,
      const std::vector<std::string>& requires_,
      const std::vector<std::pair<std::string, std::string>>& env,
      const GuestOutputs& outputs) const;
  // Moves what guest test `index` left in its $OUTPUTDIR and
  // $XML_OUTPUT_FILE into outputs/ and test.xml of `test_dir`, its
  // directory on the host; nothing else is copied. For a test whose
  // script did not end (a timeout, an interrupt).
  absl::Status FetchOutputs(int index, const std::string& test_dir);
  // The guest's $OUTPUTDIR and $XML_OUTPUT_FILE for test `index`.
  static std::string GuestOutputDir(int index);
  static std::string GuestJunitFile(int index);

  // Tests on this guest now (the pool's count, guest_pool.h).
  int tests = 0;

 private:
  Guest(int slot, GuestSetup* setup) : slot_(slot), setup_(setup) {}
  void Work();
  // Starts, on the way and ready.
  int Outstanding() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The VM the workers started first, waiting for it (asking for one when
  // none is on its way, and again when it could only restore).
  absl::StatusOr<StartedGuest> TakeNext();
  // Has the workers restore guests ahead, up to options().spares and no
  // more than this guest's share of the `tests_left` that want one.
  void RestoreAhead(int tests_left);
  // Makes the directories of every guest test (options().guest_tests) in
  // the current VM, in one command.
  void MakeTestDirs();

  const int slot_;
  GuestSetup* const setup_;
  std::unique_ptr<GuestMux> mux_;
  std::string dir_;
  std::unique_ptr<vmm::Vm> vm_;
  int number_ = 0;
  bool used_ = false;
  // The current VM's SSH port, for the mux's own logins (on its threads).
  std::atomic<int> port_{0};

  absl::Mutex mu_;
  // Starts asked of the workers, each booting if need be or not.
  std::deque<bool> wanted_ ABSL_GUARDED_BY(mu_);
  int starting_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<absl::StatusOr<StartedGuest>> ready_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_H_
