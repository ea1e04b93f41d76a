#include "runner/report/recorder.h"

#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "runner/base/atomic_file.h"
#include "runner/base/time_format.h"
#include "runner/report/html_report.h"
#include "runner/report/proto_json.h"
#include "runner/report/report_writers.h"

namespace proctor {
namespace {

// Above either, a result is printed on the runner's thread. Stored points
// and cases weigh ten times more in memory than serialized, hence both.
constexpr int kPrintedHereElements = 256;
constexpr size_t kPrintedHereBytes = 64 * 1024;

}  // namespace

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

Recorder::Recorder(JobDir* dir, JobResult job)
    : dir_(dir),
      job_(std::move(job)),
      writer_([dir](absl::string_view line) { dir->Log(line); }) {}

void Recorder::Add(TestResult result) {
  const int index = result.index();
  std::string path =
      absl::StrCat(dir_->path(), "/", result.dir(), "/result.json");
  // A big result (thousands of stored points or cases) is printed here:
  // that costs little beside the test that made it, and a copy for the
  // writer would double what the runner holds.
  const bool big = result.tap_points_size() + result.junit_cases_size() >
                       kPrintedHereElements ||
                   result.ByteSizeLong() > kPrintedHereBytes;
  auto* tests = job_.mutable_tests();
  // A test run again (--until-pass) replaces its earlier try. The list is
  // in index order: the search is a binary one.
  auto earlier = std::lower_bound(
      tests->begin(), tests->end(), index,
      [](const TestResult& t, int index) { return t.index() < index; });
  dirty_ = true;
  if (earlier != tests->end() && earlier->index() == index) {
    // Its result.json is the try's own; its entry counts the tries.
    int attempts = std::max(earlier->attempts(), 1) + 1;
    *earlier = result;
    earlier->set_attempts(attempts);
    earlier->set_flaky(result.status() == PASS);
    if (big) {
      writer_.WriteHere(index, path, result, &*earlier);
    } else {
      writer_.Write(index, std::move(path),
                    std::make_unique<TestResult>(std::move(result)),
                    std::make_unique<TestResult>(*earlier));
    }
    return;
  }
  // Tests finish out of order under -j; keep the list in index order. The
  // common case (in order) appends. Swapping moves pointers: `stored`
  // stays the added test.
  int at = earlier - tests->begin();
  TestResult* stored = tests->Add();
  for (int i = tests->size() - 1; i > at; --i) tests->SwapElements(i - 1, i);
  if (big) {
    *stored = std::move(result);
    writer_.WriteHere(index, path, *stored);
  } else {
    *stored = result;
    writer_.Write(index, std::move(path),
                  std::make_unique<TestResult>(std::move(result)));
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
  std::vector<int> order;
  order.reserve(job_.tests_size());
  for (const TestResult& t : job_.tests()) order.push_back(t.index());
  absl::StatusOr<std::vector<const std::string*>> printed =
      writer_.Texts(order);
  if (!printed.ok()) return printed.status();
  absl::StatusOr<std::string> json = ToJsonWithPrinted(job_, "tests", *printed);
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
