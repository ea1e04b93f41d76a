// The job-level views of a JobResult: results.json (protobuf JSON),
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

// Pretty-printed protobuf JSON with field names as in the .proto. With
// `include_defaults` false, fields at their default (0, false, "") are left
// out, as in protobuf's canonical JSON: several times cheaper to print,
// which matters for the per-test result.json written for every test.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message,
                                   bool include_defaults = true);
absl::StatusOr<std::string> RenderJunit(const JobResult& job);
std::string RenderTap(const JobResult& job);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_REPORT_WRITERS_H_
