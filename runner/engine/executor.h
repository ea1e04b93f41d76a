// The scheduler of a job's tests, as ninja's Builder is of its commands:
// it decides which planned test starts when and hands it to a TestRunner
// (test_runner.h), which runs and judges it.
//
// - Tests start in plan order, up to `jobs` at once. With --vm-per-test a
//   guest test waits while every guest runs one (no more guest tests at
//   once than `guests`); host tests still fill the other slots.
// - A test the plan decided (a preset verdict) finishes without running.
// - An interrupt (the runner says someone asked) ends the running tests,
//   marks those not started INTERRUPTED and starts nothing more.
// - --until-pass N: after a complete pass, the tests that did not pass run
//   again, up to N tries in all; each earlier try's directory is kept as
//   DIR.try-K. An interrupted pass is not retried.
//
// - Pipelined: when a test ends, the next starts before the ended one is
//   judged, and the test after that is prepared (runner's Prepare) while
//   they run. The listener still hears of a pass's tests in order: the
//   ended tests, then the decided ones, then those that started.
//
// Every test's directory exists before it runs or is decided. Each
// finished test goes to the listener once judged, and a line to job.log.
// Everything happens on the thread that calls Run(), the listener's calls
// too. See docs/architecture.md for where this sits.
#ifndef PROCTOR_RUNNER_ENGINE_EXECUTOR_H_
#define PROCTOR_RUNNER_ENGINE_EXECUTOR_H_

#include <set>
#include <vector>

#include "absl/status/status.h"
#include "runner/engine/executor_listener.h"
#include "runner/engine/job_dir.h"
#include "runner/engine/test_runner.h"
#include "runner/plan/planned_test.h"
#include "runner/result.pb.h"

namespace proctor {

struct ExecutorOptions {
  int jobs = 1;
  // --vm-per-test: each guest test needs a guest of its own, of `guests`.
  bool vm_per_test = false;
  int guests = 1;
  // --until-pass: tries in all for a test that does not pass.
  int until_pass = 1;
};

class Executor {
 public:
  // `job`, `runner` and `listener` must outlive the executor.
  Executor(ExecutorOptions options, JobDir* job, TestRunner* runner,
           ExecutorListener* listener);

  // Runs every test, retries included. Returns false if the job was
  // interrupted.
  bool Run(const std::vector<PlannedTest>& tests);

 private:
  // One pass over `tests`; false if interrupted.
  bool RunPass(const std::vector<const PlannedTest*>& tests, int attempt);
  // The next test may start now.
  bool MayStart(const PlannedTest& test) const;
  // Makes `test`'s directory and has the runner prepare it, ahead of its
  // start.
  void Prepare(const PlannedTest& test);
  // Starts `test`: into `started` if it runs, into `decided` (its result)
  // if it did not need to or could not.
  void Start(const PlannedTest& test, std::vector<const PlannedTest*>* started,
             std::vector<TestResult>* decided);
  void Finished(const TestResult& result, int attempt);

  ExecutorOptions options_;
  JobDir* job_;
  TestRunner* runner_;
  ExecutorListener* listener_;
  // The indexes of the guest tests running.
  std::set<int> running_guest_tests_;
  // The test Prepare() made ready, and whether its directory was made.
  const PlannedTest* prepared_ = nullptr;
  absl::Status prepared_dir_;
  // Whether each test (by index) did not pass on its last try.
  std::vector<bool> failed_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_EXECUTOR_H_
