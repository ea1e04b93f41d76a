// Runs planned tests on the host, up to `jobs` at a time, in one poll loop:
// output pipes stream into files (and the TAP parser), deadlines send
// SIGTERM then SIGKILL to the test's process group, child exits arrive
// through the SignalWatcher, and an interrupt ends running tests and marks
// the rest INTERRUPTED. Each finished test goes to the listener at once
// (the recorder, the console and the event stream listen, from
// runner/report/), and a line to job.log.
//
// Everything happens on the thread that calls Run(); so do the listener's
// calls. See docs/architecture.md for where this sits.
#ifndef PROCTOR_RUNNER_ENGINE_EXECUTOR_H_
#define PROCTOR_RUNNER_ENGINE_EXECUTOR_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runner/base/signals.h"
#include "runner/engine/job_dir.h"
#include "runner/guest/guest_pool.h"
#include "runner/plan/planned_test.h"
#include "runner/result.pb.h"
#include "runner/sysinfo/sysinfo.h"

namespace proctor {

struct ExecutorOptions {
  int jobs = 1;
  absl::Duration kill_grace = absl::Seconds(5);
  int64_t max_output = 0;
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
  // --vm-per-test: each guest test gets a VM booted for it alone, shut
  // down after it; guest tests then run one at a time.
  bool vm_per_test = false;
  // The job's guest for host tests (PROCTOR_VM): holds mux.sock and
  // qmp.sock, which `proctor vm exec` and `proctor vm qmp` use.
  std::string vm_dir;
};

// What the executor tells as a job runs. Only TestFinished is required.
class ExecutorListener {
 public:
  virtual ~ExecutorListener() = default;
  // A test started (not one decided without running).
  virtual void TestStarted(const PlannedTest& test) {}
  // A running test wrote `data` on `stream` ("stdout" or "stderr").
  virtual void TestOutput(const PlannedTest& test, absl::string_view stream,
                          absl::string_view data) {}
  // A test ended, or was decided without running: its whole result.
  virtual void TestFinished(const TestResult& result) = 0;
  // Called after every event and when last asked to be: returns when it
  // next wants to be called (InfiniteFuture: at the next event only).
  virtual absl::Time Tick(absl::Time now) { return absl::InfiniteFuture(); }
};

class Executor {
 public:
  // `job`, `signals` and `listener` must outlive the executor.
  Executor(ExecutorOptions options, JobDir* job, SignalWatcher* signals,
           ExecutorListener* listener);
  ~Executor();

  // Runs every test. Returns false if the job was interrupted.
  bool Run(const std::vector<PlannedTest>& tests);

 private:
  struct Running;
  void Start(const PlannedTest& test);
  // With --vm-per-test, a guest test waits while another one holds the VM.
  bool WaitsForGuest(const PlannedTest& test) const;
  void Finish(Running* r);
  void Record(TestResult result);
  TestResult BaseResult(const PlannedTest& test) const;

  ExecutorOptions options_;
  JobDir* job_;
  SignalWatcher* signals_;
  ExecutorListener* listener_;
  std::vector<std::unique_ptr<Running>> running_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_EXECUTOR_H_
