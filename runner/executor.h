// Runs planned tests on the host, up to `jobs` at a time, in one poll loop:
// output pipes stream into files (and the TAP parser), deadlines send
// SIGTERM then SIGKILL to the test's process group, child exits arrive
// through the SignalWatcher, and an interrupt ends running tests and marks
// the rest INTERRUPTED. Each finished test goes to the Recorder and to the
// `on_finish` callback (the console) at once.
#ifndef PROCTOR_RUNNER_EXECUTOR_H_
#define PROCTOR_RUNNER_EXECUTOR_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runner/guest_pool.h"
#include "runner/job_dir.h"
#include "runner/metadata.h"
#include "runner/recorder.h"
#include "runner/result.pb.h"
#include "runner/signals.h"
#include "runner/sysinfo.h"

namespace proctor {

struct PlannedTest {
  int index = 0;
  std::string name;  // as printed, e.g. "dir/t.sh" or "t.sh [host]"
  std::string path;
  std::string where = "host";
  std::string dir;  // relative to the job directory
  absl::Duration timeout;
  OutputFormat format = OutputFormat::kAuto;
  std::vector<std::string> tags;
  std::vector<std::string> requires_;
  // Decided without running (requirements, start errors, guest tests).
  Status preset = STATUS_UNSPECIFIED;
  std::string preset_reason;
};

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
  // Told as each test starts (not the ones decided without running), as a
  // running test writes (`stream` is "stdout" or "stderr"), and at least
  // once a second while tests run: the console's progress line, --verbose
  // and --json-stream listen. Any may be empty.
  std::function<void(const PlannedTest&)> on_start;
  std::function<void(const PlannedTest&, absl::string_view stream,
                     absl::string_view data)>
      on_output;
  std::function<void()> on_tick;
  // The job's guest for host tests (PROCTOR_VM): holds mux.sock and
  // qmp.sock, which `proctor vm exec` and `proctor vm qmp` use.
  std::string vm_dir;
};

class Executor {
 public:
  Executor(ExecutorOptions options, JobDir* job, Recorder* recorder,
           SignalWatcher* signals,
           std::function<void(const TestResult&)> on_finish);
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
  Recorder* recorder_;
  SignalWatcher* signals_;
  std::function<void(const TestResult&)> on_finish_;
  std::vector<std::unique_ptr<Running>> running_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_EXECUTOR_H_
