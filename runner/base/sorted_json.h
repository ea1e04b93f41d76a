// JSON from a protobuf message with every map's keys in sorted order (a
// google.protobuf.Struct's too), so the same message always gives the same
// bytes: OCI manifests are hashed, and reports are compared.
#ifndef PROCTOR_RUNNER_BASE_SORTED_JSON_H_
#define PROCTOR_RUNNER_BASE_SORTED_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace proctor {

// Compact unless `pretty` (one-space indentation, a line per field).
absl::StatusOr<std::string> SortedJson(const google::protobuf::Message& message,
                                       bool pretty = false);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_SORTED_JSON_H_
