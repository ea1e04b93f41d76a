// How the executor runs one test, as ninja's CommandRunner is how its
// builder runs one command: the executor (executor.h) decides which test
// starts when; a TestRunner starts it, watches it and judges it. A test
// that ended is judged after the next one started, so that what the runner
// does per test (its verdict, its result file, the next one's files)
// overlaps the tests themselves rather than adding to them. The real
// one is ProcessRunner (process_runner.h: host processes, and guest tests
// through the guest pool); the executor's unit tests use a fake.
//
// All calls come from the executor's thread.
#ifndef PROCTOR_RUNNER_ENGINE_TEST_RUNNER_H_
#define PROCTOR_RUNNER_ENGINE_TEST_RUNNER_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "runner/plan/planned_test.h"
#include "runner/result.pb.h"

namespace proctor {

class TestRunner {
 public:
  virtual ~TestRunner() = default;

  // Does ahead what Start(test) will do before the test's process starts
  // (its files, its TEMPDIR), while other tests run, so that a slot that
  // frees is filled at once. `test`'s directory exists. Optional: Start
  // does it all when it was not done; what was prepared for a test that
  // never starts goes at Done().
  virtual void Prepare(const PlannedTest& test) { (void)test; }
  // Starts `test`, which must stay alive until it finishes; its directory
  // (test.dir under the job directory) exists. Returns its result at once
  // when it could not start (ERROR with the reason), else nothing: it is
  // running.
  virtual std::optional<TestResult> Start(const PlannedTest& test) = 0;
  // Waits for something to happen to the running tests, at most until
  // `until` (InfiniteFuture: no limit); returns the indexes of the tests
  // that ended since the last call. Their slots are free at once
  // (running() counts them no more): the next tests may start before
  // TakeEnded() judges these.
  virtual std::vector<int> Wait(absl::Time until) = 0;
  // The whole results of the tests that Wait said ended, each once.
  virtual std::vector<TestResult> TakeEnded() = 0;
  // Whether someone asked the job to stop (SIGINT, SIGTERM, SIGHUP).
  virtual bool interrupted() const = 0;
  // Ends every running test: they end INTERRUPTED through Wait.
  virtual void Interrupt() = 0;
  // Tests started whose end Wait has not yet returned.
  virtual int running() const = 0;
  // The end of a pass over the tests: whatever they left behind may go.
  virtual void Done() {}
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_TEST_RUNNER_H_
