// The jobs in a results directory, read back: finding one the ways a user
// names it, loading its results.json, and the highlights of the system it
// ran on. `proctor results` and `proctor run --rerun-failed` use it.
#ifndef PROCTOR_RUNNER_REPORT_JOB_STORE_H_
#define PROCTOR_RUNNER_REPORT_JOB_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runner/result.pb.h"

namespace proctor {

// Where job directories go and are looked for: `flag` (--results-dir),
// else $PROCTOR_RESULTS, else $TEST_UNDECLARED_OUTPUTS_DIR (under `bazel
// test`), else ./results.
std::string ResultsDir(const std::string& flag);

// The job directories (job-*) under `results_dir`, oldest first: their
// names start with the job's start time.
absl::StatusOr<std::vector<std::string>> ListJobDirs(
    const std::string& results_dir);

// The job directory `spec` names: "latest" (or ""), "latest~N" (N jobs
// before the latest), a path to a job directory (with a slash; or a
// directory here that holds results.json, when no job in `results_dir`
// has that name), a job directory's name,
// or a part of one that only one job has (its id, say). NotFound or
// InvalidArgument (ambiguous, malformed), with a one-line message.
absl::StatusOr<std::string> ResolveJob(const std::string& results_dir,
                                       const std::string& spec);

// The job's results.json. A job killed mid-run has one too (complete is
// false); a directory without one is NotFound.
absl::StatusOr<JobResult> LoadJob(const std::string& job_dir);

// The job in brief, for lists.
JobSummary ListEntry(const JobResult& job);

// "6 passed, 1 failed, 2 skipped", as a run ends: failed counts FAIL,
// ERROR, TIMEOUT and INTERRUPTED; " (1 flaky)" follows when a test passed
// only on a later try.
std::string SummaryLine(const Summary& s);

// Kernel, OS, CPU, QEMU version and accelerator, from the job's sysinfo/
// and vm/ files (a merged job's: its first shard's, by name); what was not
// collected stays empty.
SysinfoHighlights Highlights(const std::string& job_dir);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_JOB_STORE_H_
