// The real TestRunner: each test a process in its own process group, host
// tests directly and guest tests through the guest pool's exec helper, all
// watched in one poll loop. Output pipes stream into the test's stdout and
// stderr files (and the TAP parser), a deadline sends SIGTERM then SIGKILL
// to the test's process group, child exits arrive through the
// SignalWatcher, and a finished test is judged (verdict.h, TAP) into its
// TestResult. A guest test whose helper lost the guest while QEMU died is
// an ERROR with the console log attached.
//
// A host test that ended is judged in TakeEnded, after the next test
// started; a guest test is judged in Wait, since judging it gives its guest
// back for the next one, and so is every test under --sysinfo=per-test,
// whose "post" must not see the next test.
//
// Single-threaded: every call from the executor's thread.
#ifndef PROCTOR_RUNNER_ENGINE_PROCESS_RUNNER_H_
#define PROCTOR_RUNNER_ENGINE_PROCESS_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "runner/base/signals.h"
#include "runner/base/subprocess.h"
#include "runner/engine/executor_listener.h"
#include "runner/engine/job_dir.h"
#include "runner/engine/junit_reader.h"
#include "runner/engine/test_runner.h"
#include "runner/guest/guest_pool.h"
#include "runner/sysinfo/sysinfo.h"

namespace proctor {

struct ProcessRunnerOptions {
  absl::Duration kill_grace = absl::Seconds(5);
  int64_t max_output = 0;        // per stream; 0: unlimited
  std::vector<std::string> env;  // the base environment, NAME=value
  std::string data_dir;
  std::string tmp_root;
  bool keep_tmp = false;
  std::string job_id;
  // Set for --sysinfo=per-test.
  const std::vector<SysinfoEntry>* per_test_sysinfo = nullptr;
  std::string path_env;
  // Runs where=guest tests; null when the job has none.
  GuestPool* guest = nullptr;
  // --vm-per-test: each guest test gets a VM of its own, stopped after it
  // (the executor runs no more guest tests at once than there are guests).
  bool vm_per_test = false;
  // The job's guest for host tests (PROCTOR_VM): holds mux.sock and
  // qmp.sock, which `proctor vm exec` and `proctor vm qmp` use.
  std::string vm_dir;
};

class ProcessRunner : public TestRunner {
 public:
  // `job`, `signals` and `listener` (told of output as it arrives) must
  // outlive the runner.
  ProcessRunner(ProcessRunnerOptions options, JobDir* job,
                SignalWatcher* signals, ExecutorListener* listener);
  ~ProcessRunner() override;

  void Prepare(const PlannedTest& test) override;
  std::optional<TestResult> Start(const PlannedTest& test) override;
  std::vector<int> Wait(absl::Time until) override;
  std::vector<TestResult> TakeEnded() override;
  bool interrupted() const override { return signals_->interrupted(); }
  void Interrupt() override;
  int running() const override { return static_cast<int>(running_.size()); }
  // Ends processes the tests left behind (escaped with setsid); the job's
  // VM is not one of them.
  void Done() override;

 private:
  struct Running;
  // What Start(test) needs before the process starts: its output files,
  // and a host test's TEMPDIR, argv and environment.
  absl::StatusOr<std::unique_ptr<Running>> Ready(const PlannedTest& test);
  // Removes what a test that never ran was given.
  void Discard(Running* r);
  // Discards what Prepare() made ready and no Start took.
  void DropReady();
  // A host test's TEMPDIR, argv, environment and directory.
  absl::Status PrepareHostTest(const PlannedTest& test, Running* r);
  // A guest test's guest and its argv; false (and the reason) when the
  // guest cannot take it.
  bool PrepareGuestSpawn(const PlannedTest& test, Running* r, std::string* why);
  void PrepareHostSpawn(const PlannedTest& test, Running* r);
  void ReapChildren();
  void EnforceDeadlines(absl::Time now);
  TestResult Finish(Running* r);
  // Where `test`'s JUnit file is, relative to its directory: test.xml
  // ($XML_OUTPUT_FILE), or outputs/PATH for junit=PATH.
  static std::string JunitFile(const PlannedTest& test);
  // The JUnit file the test wrote, if any (NotFound: none).
  absl::StatusOr<JunitReport> ReadTestJunit(Running* r);
  // Where guest test `test`'s helper puts its outputs.
  GuestOutputs GuestOutputsOf(const PlannedTest& test, const Running& r) const;
  // A guest test's $OUTPUTDIR and JUnit file, in its directory before it
  // is judged: from what its script sent, or fetched from the guest when
  // the script was cut short (unless the guest was lost under it).
  void FetchGuestFiles(Running* r);
  // What a guest test left behind: a crashed guest, the VM of a
  // --vm-per-test test. May change the verdict.
  void GuestAftermath(Running* r, Status* status, std::string* reason);

  ProcessRunnerOptions options_;
  JobDir* job_;
  SignalWatcher* signals_;
  ExecutorListener* listener_;
  // Read once: the runner's dispositions are set before it runs tests
  // (SignalWatcher ignores SIGPIPE), and each test's child then resets
  // one or two signals, not twenty.
  const std::vector<int> reset_signals_ = SignalsToReset();
  bool interrupting_ = false;
  // Made ready by Prepare() for the Start that follows.
  const PlannedTest* ready_test_ = nullptr;
  absl::StatusOr<std::unique_ptr<Running>> ready_;
  std::vector<std::unique_ptr<Running>> running_;
  // Ended: host tests to judge, guest tests judged.
  std::vector<std::unique_ptr<Running>> ended_;
  std::vector<TestResult> judged_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_PROCESS_RUNNER_H_
