// Keeps the JobResult of a running job and the files that show it.
//
// Each finished test's result.json is written as it is added, by a thread
// of its own (result_writer.h); its text is kept and becomes the test's
// entry in results.json. The job files
// (results.json, results.xml, results.tap, results.html) are rewritten
// atomically when something changed, at most about once a second and once
// at the end: a runner killed mid-job leaves valid files that describe
// what finished.
// A rewrite costs time in proportion to the tests so far, so the interval
// also grows to fifty times the last rewrite's duration: rewriting never
// takes more than about 2% of the job, and the total cost stays linear in
// the number of tests.
#ifndef PROCTOR_RUNNER_REPORT_RECORDER_H_
#define PROCTOR_RUNNER_REPORT_RECORDER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "runner/engine/job_dir.h"
#include "runner/report/result_writer.h"
#include "runner/result.pb.h"

namespace proctor {

class Recorder {
 public:
  Recorder(JobDir* dir, JobResult job);

  // Adds a finished test (kept in index order) and has its result.json
  // written (an error is logged in job.log).
  void Add(TestResult result);
  // Returns once every added test's result.json is written: before the
  // directory of a test that runs again is moved.
  void Settle() { writer_.Settle(); }
  // Writes the job files if they changed and the last write is at least
  // `interval` old. Returns when the next write may be due.
  absl::Time MaybeFlush(absl::Time now);
  // Finishes the job (summary, end time, exit code) and writes the job
  // files a last time.
  absl::Status Finish(absl::Time end, bool interrupted, int exit_code);

  const JobResult& job() const { return job_; }
  JobResult* mutable_job() { return &job_; }

 private:
  absl::Status WriteJobFiles();

  JobDir* dir_;
  JobResult job_;
  // Writes result.json and keeps each test's JSON, by test index.
  ResultWriter writer_;
  bool dirty_ = true;
  absl::Time last_write_ = absl::InfinitePast();
  absl::Duration interval_ = absl::Seconds(1);
};

// Writes results.xml, results.tap and results.html of `job` into `dir`,
// each atomically (results.json is proto_json.h's); the first error.
absl::Status WriteJobReports(const std::string& dir, const JobResult& job);

// Counts verdicts into `summary`.
void Summarize(const JobResult& job, Summary* summary);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_RECORDER_H_
