// What the executor tells as a job runs: the recorder, the console and the
// event stream listen (runner/report/, wired by `proctor run`). Calls come
// from the executor's thread, in the order things happen; `attempt` is the
// try (--until-pass) the test belongs to, 1 for the first.
#ifndef PROCTOR_RUNNER_ENGINE_EXECUTOR_LISTENER_H_
#define PROCTOR_RUNNER_ENGINE_EXECUTOR_LISTENER_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runner/plan/planned_test.h"
#include "runner/result.pb.h"

namespace proctor {

class ExecutorListener {
 public:
  virtual ~ExecutorListener() = default;
  // A test started (not one decided without running).
  virtual void TestStarted(const PlannedTest& test, int attempt) {}
  // A running test wrote `data` on `stream` ("stdout" or "stderr").
  virtual void TestOutput(const PlannedTest& test, absl::string_view stream,
                          absl::string_view data) {}
  // A test ended, or was decided without running: its whole result.
  virtual void TestFinished(const TestResult& result, int attempt) = 0;
  // Called after every event and when last asked to be: returns when it
  // next wants to be called (InfiniteFuture: at the next event only).
  virtual absl::Time Tick(absl::Time now) { return absl::InfiniteFuture(); }
  // Called before the executor moves the directories of the tests it runs
  // again (--until-pass): what the listener writes into them is written by
  // the time it returns.
  virtual void Settle() {}
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_ENGINE_EXECUTOR_LISTENER_H_
