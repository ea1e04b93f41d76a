// What changed between two jobs, test by test: verdicts, TAP points, tests
// that came or went, durations that moved more than a threshold, and the
// system they ran on. Tests are matched by name.
#ifndef PROCTOR_RUNNER_REPORT_JOB_DIFF_H_
#define PROCTOR_RUNNER_REPORT_JOB_DIFF_H_

#include "runner/result.pb.h"

namespace proctor {

struct DiffOptions {
  // A duration change is reported when the longer is at least this many
  // times the shorter and they differ by at least min_seconds.
  double duration_factor = 1.5;
  double min_seconds = 0.5;
};

JobDiff DiffJobs(const JobResult& before, const SysinfoHighlights& before_sys,
                 const JobResult& after, const SysinfoHighlights& after_sys,
                 const DiffOptions& options);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_JOB_DIFF_H_
