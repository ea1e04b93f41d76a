// A protobuf message as the pretty-printed JSON of results.json and
// result.json (protobuf's own printer, field names as in the .proto).
//
// With defaults, protobuf's printer first builds a tree of the whole
// message, about 5 KiB per TAP point or JUnit case: 27 MiB for a job with
// 5 000 stored cases, more than the runner uses for everything else. So a
// message's repeated message fields are printed an element at a time and
// joined into the output protobuf would have written, byte for byte.
//
// Errors (a message protobuf cannot print) are Internal. Thread-compatible.
#ifndef PROCTOR_RUNNER_REPORT_PROTO_JSON_H_
#define PROCTOR_RUNNER_REPORT_PROTO_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace proctor {

// With `include_defaults` false, fields at their default (0, false, "") are
// left out, as in protobuf's canonical JSON: cheaper to print, which
// matters for the per-test result.json written for every test.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message,
                                   bool include_defaults = true);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_PROTO_JSON_H_
