// The job-level views of a JobResult (results.json is proto_json.h):
// results.xml (JUnit, as Jenkins, GitLab and Bazel read it) and
// results.tap (TAP 14, each test's own TAP points as a subtest). Each
// function renders the whole file; the recorder writes it atomically.
#ifndef PROCTOR_RUNNER_REPORT_REPORT_WRITERS_H_
#define PROCTOR_RUNNER_REPORT_REPORT_WRITERS_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "runner/result.pb.h"

namespace proctor {

absl::StatusOr<std::string> RenderJunit(const JobResult& job);
std::string RenderTap(const JobResult& job);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_REPORT_WRITERS_H_
