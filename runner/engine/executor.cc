#include "runner/engine/executor.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runner/engine/test_result.h"
#include "runner/engine/verdict.h"

namespace proctor {

Executor::Executor(ExecutorOptions options, JobDir* job, TestRunner* runner,
                   ExecutorListener* listener)
    : options_(options), job_(job), runner_(runner), listener_(listener) {}

bool Executor::MayStart(const PlannedTest& test) const {
  if (runner_->running() >= options_.jobs) return false;
  return !(options_.vm_per_test && test.in_guest() &&
           test.preset == STATUS_UNSPECIFIED &&
           static_cast<int>(running_guest_tests_.size()) >= options_.guests);
}

void Executor::Finished(const TestResult& result, int attempt) {
  job_->Log(absl::StrCat("finished ", result.dir(), " ",
                         StatusName(result.status()),
                         result.reason().empty() ? "" : ": ", result.reason()));
  if (result.stdout_stats().truncated() || result.stderr_stats().truncated()) {
    job_->Log(absl::StrCat(result.dir(),
                           ": output cut at --max-output (stdout ",
                           result.stdout_stats().bytes(), " bytes, stderr ",
                           result.stderr_stats().bytes(), " bytes)"));
  }
  size_t i = static_cast<size_t>(result.index());
  if (i >= failed_.size()) failed_.resize(i + 1);
  failed_[i] = Failed(result.status());
  listener_->TestFinished(result, attempt);
}

void Executor::Prepare(const PlannedTest& test) {
  if (prepared_ == &test || test.preset != STATUS_UNSPECIFIED) return;
  prepared_ = &test;
  prepared_dir_ = job_->MakeTestDir(test.dir).status();
  if (prepared_dir_.ok()) runner_->Prepare(test);
}

void Executor::Start(const PlannedTest& test,
                     std::vector<const PlannedTest*>* started,
                     std::vector<TestResult>* decided) {
  absl::Status dir =
      prepared_ == &test ? prepared_dir_ : job_->MakeTestDir(test.dir).status();
  prepared_ = nullptr;
  if (!dir.ok()) {
    TestResult r = BaseResult(test);
    r.set_status(ERROR);
    r.set_reason(std::string(dir.message()));
    decided->push_back(std::move(r));
    return;
  }
  if (test.preset != STATUS_UNSPECIFIED) {
    decided->push_back(
        DecidedResult(test, test.preset, test.preset_reason, absl::Now()));
    return;
  }
  if (std::optional<TestResult> ended = runner_->Start(test)) {
    decided->push_back(*std::move(ended));
    return;
  }
  if (test.in_guest()) running_guest_tests_.insert(test.index);
  started->push_back(&test);
}

bool Executor::RunPass(const std::vector<const PlannedTest*>& tests,
                       int attempt) {
  size_t next = 0;
  bool interrupting = false;
  absl::Time tick = listener_->Tick(absl::Now());
  for (;;) {
    if (runner_->interrupted() && !interrupting) {
      interrupting = true;
      runner_->Interrupt();
    }
    std::vector<const PlannedTest*> started;
    std::vector<TestResult> decided;
    while (!interrupting && next < tests.size() && MayStart(*tests[next])) {
      Start(*tests[next++], &started, &decided);
    }
    // Judged while the tests just started run.
    for (const TestResult& r : runner_->TakeEnded()) Finished(r, attempt);
    for (const TestResult& r : decided) Finished(r, attempt);
    for (const PlannedTest* t : started) listener_->TestStarted(*t, attempt);
    if (!interrupting && next < tests.size()) Prepare(*tests[next]);
    if (runner_->running() == 0) {
      if (interrupting || next >= tests.size()) break;
      continue;  // only decided tests were left to start
    }
    for (int index : runner_->Wait(tick)) running_guest_tests_.erase(index);
    tick = listener_->Tick(absl::Now());
  }
  for (; next < tests.size(); ++next) {
    const PlannedTest& t = *tests[next];
    job_->MakeTestDir(t.dir).IgnoreError();
    TestResult r = BaseResult(t);
    r.set_status(INTERRUPTED);
    r.set_reason("not started: the job was interrupted");
    Finished(r, attempt);
  }
  // What a pass prepared and did not start, the runner's Done() discards.
  prepared_ = nullptr;
  listener_->Tick(absl::Now());
  runner_->Done();
  return !interrupting;
}

bool Executor::Run(const std::vector<PlannedTest>& tests) {
  std::vector<const PlannedTest*> pass;
  for (const PlannedTest& t : tests) pass.push_back(&t);
  bool completed = RunPass(pass, 1);
  for (int attempt = 2; completed && attempt <= options_.until_pass;
       ++attempt) {
    std::vector<const PlannedTest*> again;
    listener_->Settle();
    for (const PlannedTest& t : tests) {
      size_t i = static_cast<size_t>(t.index);
      if (i >= failed_.size() || !failed_[i]) continue;
      // The earlier try's files stay, beside the new ones.
      std::error_code ec;
      std::filesystem::rename(
          absl::StrCat(job_->path(), "/", t.dir),
          absl::StrCat(job_->path(), "/", t.dir, ".try-", attempt - 1), ec);
      again.push_back(&t);
    }
    if (again.empty()) break;
    job_->Log(absl::StrCat("try ", attempt, " of ", options_.until_pass, ": ",
                           again.size(), " tests"));
    completed = RunPass(again, attempt);
  }
  return completed;
}

}  // namespace proctor
