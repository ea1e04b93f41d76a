// --json-stream=FILE|fd:N: the run's events for a tool that watches it, one
// JSON object (result.proto's Event) per line, written as each happens:
// job_started, test_started, test_finished (with the test's whole result),
// job_finished. A line is written with one write(2), so a reader never
// sees half of one.
#ifndef PROCTOR_RUNNER_REPORT_EVENT_STREAM_H_
#define PROCTOR_RUNNER_REPORT_EVENT_STREAM_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "runner/base/unique_fd.h"
#include "runner/plan/planned_test.h"
#include "runner/result.pb.h"

namespace proctor {

class EventStream {
 public:
  // `where` is a file (created or truncated) or "fd:N" (an open descriptor
  // the caller gave proctor). A bad one is InvalidArgument.
  static absl::StatusOr<std::unique_ptr<EventStream>> Open(
      const std::string& where);

  void JobStarted(const std::string& job_id, const std::string& dir, int tests);
  void TestStarted(const PlannedTest& test, int attempt);
  void TestFinished(const TestResult& result, int attempt);
  // `error`: why the job stopped before its tests, if it did.
  void JobFinished(const Summary& summary, int exit_code,
                   const std::string& error = "");

 private:
  explicit EventStream(UniqueFd fd) : fd_(std::move(fd)) {}
  void Emit(Event event);

  UniqueFd fd_;
  std::string job_id_;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_EVENT_STREAM_H_
