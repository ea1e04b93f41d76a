// A job from its settings and its planned tests: what `proctor run` and
// `proctor kunit` share. RunJob() writes the result tree (job.log,
// environment.json, sysinfo, the result files, the event stream), boots
// the guests the tests want, runs the tests with the executor, prints the
// console lines and the summary, and returns the exit code (0, 1 tests
// failed, 2 usage, 3 infrastructure, 130 interrupted). Runs on the
// calling thread.
#ifndef PROCTOR_RUNNER_COMMANDS_RUN_JOB_H_
#define PROCTOR_RUNNER_COMMANDS_RUN_JOB_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runner/base/cli.h"
#include "runner/base/signals.h"
#include "runner/engine/executor.h"
#include "runner/engine/process_runner.h"
#include "runner/plan/plan.h"
#include "runner/plan/planned_test.h"
#include "runner/report/event_stream.h"
#include "runner/sysinfo/sysinfo.h"

namespace proctor {

enum class SysinfoMode { kOff, kJob, kPerTest };

// What `proctor run`'s flags ask for, checked before anything is created.
struct RunSettings {
  PlanOptions plan;
  ExecutorOptions executor;
  ProcessRunnerOptions runner;
  SysinfoMode sysinfo_mode = SysinfoMode::kJob;
  std::vector<SysinfoEntry> sysinfo;
  std::unique_ptr<EventStream> events;
};

// The settings the flags in `parsed` give. Usage errors are
// InvalidArgument (exit 2).
absl::StatusOr<RunSettings> SettingsFromFlags(const ParsedArgs& parsed);

// Runs `tests` as a job. `command` and `args` are what the job records as
// its command line ("proctor COMMAND ARGS..."). `signals` must have been
// installed before anything was spawned.
int RunJob(const std::string& command, const std::vector<std::string>& args,
           RunSettings& s, const std::vector<PlannedTest>& tests,
           SignalWatcher* signals);

// The variable's value, "" when unset.
std::string Getenv(const char* name);
// `p` absolute and normal.
std::string AbsolutePath(const std::string& p);
// This proctor binary, as a path another process can run.
std::string SelfPath();
// Where the virt_run_* helpers are: beside proctor (an installed proctor,
// the container) or, in Bazel's output tree and runfiles, in tools/virt;
// "" when nowhere.
std::string HelperDir(const std::string& self);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_COMMANDS_RUN_JOB_H_
