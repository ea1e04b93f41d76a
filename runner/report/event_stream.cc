#include "runner/report/event_stream.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "runner/base/fd_io.h"
#include "runner/base/sorted_json.h"
#include "runner/base/text.h"
#include "runner/base/time_format.h"

namespace proctor {

absl::StatusOr<std::unique_ptr<EventStream>> EventStream::Open(
    const std::string& where) {
  absl::string_view spec = where;
  if (absl::ConsumePrefix(&spec, "fd:")) {
    int fd = -1;
    if (!absl::SimpleAtoi(spec, &fd) || fd < 0 || fcntl(fd, F_GETFD) < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--json-stream=", where, ": not an open file descriptor"));
    }
    // Our own copy, closed on exec: tests do not inherit it.
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    return std::unique_ptr<EventStream>(new EventStream(UniqueFd(copy)));
  }
  UniqueFd fd(
      open(where.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--json-stream=", where, ": ", strerror(errno)));
  }
  return std::unique_ptr<EventStream>(new EventStream(std::move(fd)));
}

void EventStream::Emit(Event event) {
  event.set_time(FormatRfc3339(absl::Now()));
  event.set_job_id(job_id_);
  absl::StatusOr<std::string> json = SortedJson(event);
  if (json.ok()) WriteAll(fd_.get(), *json + "\n");
}

void EventStream::JobStarted(const std::string& job_id, const std::string& dir,
                             int tests) {
  job_id_ = job_id;
  Event e;
  e.set_event("job_started");
  e.set_dir(dir);
  e.set_tests(tests);
  Emit(std::move(e));
}

void EventStream::TestStarted(const PlannedTest& test, int attempt) {
  Event e;
  e.set_event("test_started");
  e.set_index(test.index);
  e.set_name(SanitizeUtf8(test.name));
  e.set_where(WhereName(test.where));
  e.set_attempt(attempt);
  Emit(std::move(e));
}

void EventStream::TestFinished(const TestResult& result, int attempt) {
  Event e;
  e.set_event("test_finished");
  e.set_attempt(attempt);
  *e.mutable_result() = result;
  Emit(std::move(e));
}

void EventStream::JobFinished(const Summary& summary, int exit_code,
                              const std::string& error) {
  Event e;
  e.set_event("job_finished");
  *e.mutable_summary() = summary;
  e.set_exit_code(exit_code);
  e.set_error(SanitizeUtf8(error));
  Emit(std::move(e));
}

}  // namespace proctor
