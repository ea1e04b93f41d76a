// A protobuf message as the pretty-printed JSON of results.json and
// result.json (protobuf's own printer, field names as in the .proto).
//
// With defaults, protobuf's printer first builds a tree of the whole
// message, about 5 KiB per TAP point or JUnit case: 27 MiB for a job with
// 5 000 stored cases, more than the runner uses for everything else. So a
// message's repeated message fields are printed an element at a time and
// joined into the output protobuf would have written, byte for byte.
//
// A job's results.json need not print its tests again: each was printed
// once, for its result.json, and ToJsonWithPrinted joins those texts.
//
// Errors (a message protobuf cannot print) are Internal. Thread-safe: each
// message type is resolved for the printer once, under a lock.
#ifndef PROCTOR_RUNNER_REPORT_PROTO_JSON_H_
#define PROCTOR_RUNNER_REPORT_PROTO_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"

namespace proctor {

// Fields at their default (0, false, "") are printed too.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

// ToJson(message), byte for byte, given the elements of its repeated
// message field `list` already printed, in order, each as ToJson printed it
// alone. Internal when `list` is no such field or `printed` holds another
// number of elements than the message.
absl::StatusOr<std::string> ToJsonWithPrinted(
    const google::protobuf::Message& message, absl::string_view list,
    absl::Span<const std::string* const> printed);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_REPORT_PROTO_JSON_H_
