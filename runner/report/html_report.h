// results.html: the job for a person, in one self-contained file (no
// network, no external script or style): the summary, a table of tests
// with status colours and durations that filters by name and status, each
// test's output (the last 64 KiB of each stream) and TAP points behind a
// click, the system it ran on, and links into the result tree. The filter
// can be set from the address (results.html#status=FAIL,ERROR&q=net), and
// a test's output opened (#open=NAME).
#ifndef PROCTOR_RUNNER_REPORT_HTML_REPORT_H_
#define PROCTOR_RUNNER_REPORT_HTML_REPORT_H_

#include <string>

#include "runner/result.pb.h"

namespace proctor {

// Renders `job`, reading test output and sysinfo from `job_dir`.
std::string RenderHtml(const JobResult& job, const std::string& job_dir);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_HTML_REPORT_H_
