#include "runner/report/recorder.h"

#include <sys/resource.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "runner/base/atomic_file.h"
#include "runner/base/time_format.h"
#include "runner/report/html_report.h"
#include "runner/report/proto_json.h"
#include "runner/report/report_writers.h"

namespace proctor {

void Summarize(const JobResult& job, Summary* s) {
  s->Clear();
  for (const TestResult& t : job.tests()) {
    s->set_total(s->total() + 1);
    if (t.flaky()) s->set_flaky(s->flaky() + 1);
    switch (t.status()) {
      case PASS:
        s->set_passed(s->passed() + 1);
        break;
      case SKIPPED:
        s->set_skipped(s->skipped() + 1);
        break;
      case ERROR:
        s->set_errors(s->errors() + 1);
        break;
      case TIMEOUT:
        s->set_timeouts(s->timeouts() + 1);
        break;
      case INTERRUPTED:
        s->set_interrupted(s->interrupted() + 1);
        break;
      default:
        s->set_failed(s->failed() + 1);
    }
  }
}

absl::Status Recorder::Add(TestResult result) {
  absl::StatusOr<std::string> json = ToJson(result);
  absl::Status written =
      json.ok()
          ? WriteFileAtomically(
                absl::StrCat(dir_->path(), "/", result.dir(), "/result.json"),
                *json)
          : json.status();
  auto* tests = job_.mutable_tests();
  // A test run again (--until-pass) replaces its earlier try. The list is
  // in index order: the search is a binary one.
  auto earlier = std::lower_bound(
      tests->begin(), tests->end(), result.index(),
      [](const TestResult& t, int index) { return t.index() < index; });
  int at = earlier - tests->begin();
  dirty_ = true;
  if (earlier != tests->end() && earlier->index() == result.index()) {
    result.set_attempts(std::max(earlier->attempts(), 1) + 1);
    result.set_flaky(result.status() == PASS);
    *earlier = std::move(result);
    KeepPrinted(at, ToJson(*earlier));
    return written;
  }
  // Tests finish out of order under -j; keep the list in index order. The
  // common case (in order) appends.
  tests->Add(std::move(result));
  for (int i = tests->size() - 1; i > at; --i) tests->SwapElements(i - 1, i);
  printed_.emplace(printed_.begin() + at);
  KeepPrinted(at, std::move(json));
  return written;
}

void Recorder::KeepPrinted(int at, absl::StatusOr<std::string> json) {
  if (json.ok()) {
    printed_[at] = *std::move(json);
  } else if (print_error_.ok()) {
    print_error_ = json.status();
  }
}

absl::Status WriteJobReports(const std::string& dir, const JobResult& job) {
  absl::StatusOr<std::string> xml = RenderJunit(job);
  if (!xml.ok()) return xml.status();
  absl::Status status = WriteFileAtomically(dir + "/results.xml", *xml);
  status.Update(WriteFileAtomically(dir + "/results.tap", RenderTap(job)));
  // With the others, so that a runner killed mid-job leaves one too; it
  // reads each test's output, which the adaptive interval pays for.
  status.Update(
      WriteFileAtomically(dir + "/results.html", RenderHtml(job, dir)));
  return status;
}

absl::Status Recorder::WriteJobFiles() {
  Summarize(job_, job_.mutable_summary());
  absl::Status status = WriteJobReports(dir_->path(), job_);
  // Measured after the other views were rendered, so that the figure
  // includes them; printing the JSON itself stays small (proto_json.h).
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    job_.set_runner_max_rss_kb(usage.ru_maxrss);
    job_.set_runner_cpu_seconds(
        usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
        (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
  }
  // A test that could not be printed fails results.json as a whole, as
  // printing the job at once would.
  if (!print_error_.ok()) return print_error_;
  absl::StatusOr<std::string> json = ToJsonWithPrinted(job_, "tests", printed_);
  if (!json.ok()) return json.status();
  status.Update(WriteFileAtomically(dir_->path() + "/results.json", *json));
  dirty_ = false;
  return status;
}

absl::Time Recorder::MaybeFlush(absl::Time now) {
  if (!dirty_) return absl::InfiniteFuture();
  if (now - last_write_ < interval_) return last_write_ + interval_;
  absl::Status s = WriteJobFiles();
  if (!s.ok()) dir_->Log(absl::StrCat("error: ", s.message()));
  absl::Time done = absl::Now();
  interval_ = std::max(absl::Seconds(1), 50 * (done - now));
  dir_->Log(absl::StrCat("job files rewritten for ", job_.tests_size(),
                         " tests in ", absl::FormatDuration(done - now),
                         ", next in at least ",
                         absl::FormatDuration(interval_)));
  last_write_ = done;
  return absl::InfiniteFuture();
}

absl::Status Recorder::Finish(absl::Time end, bool interrupted, int exit_code) {
  job_.set_end_time(FormatRfc3339(end));
  if (absl::Time start; ParseRfc3339(job_.start_time(), &start)) {
    job_.set_duration_seconds(absl::ToDoubleSeconds(end - start));
  }
  job_.set_interrupted(interrupted);
  job_.set_complete(true);
  job_.set_exit_code(exit_code);
  return WriteJobFiles();
}

}  // namespace proctor
