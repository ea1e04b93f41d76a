// A client for QEMU's machine protocol (QMP) on a unix socket.
//
// Connect() reads the greeting and negotiates capabilities; Execute() sends
// one command and waits (up to a timeout) for its answer, keeping any
// events that arrive meanwhile for WaitForEvent(). Messages are JSON
// objects, one per line, read and written with protobuf's JSON support
// (google.protobuf.Struct), so no JSON is parsed or printed by hand.
//
//   absl::StatusOr<QmpClient> qmp = QmpClient::Connect(path, absl::Seconds(5));
//   absl::StatusOr<google::protobuf::Value> status =
//   qmp->Execute("query-status");
#ifndef PROCTOR_VMM_QMP_CLIENT_H_
#define PROCTOR_VMM_QMP_CLIENT_H_

#include <deque>
#include <fstream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "runner/base/unique_fd.h"

namespace proctor::vmm {

class QmpClient {
 public:
  // Connects, retrying until `timeout` while QEMU creates the socket.
  static absl::StatusOr<QmpClient> Connect(const std::string& socket_path,
                                           absl::Duration timeout);

  // Runs `command` with `arguments` (may be empty). A QMP error comes back
  // as a FailedPrecondition status holding QEMU's class and description.
  absl::StatusOr<google::protobuf::Value> Execute(
      absl::string_view command, const google::protobuf::Struct& arguments = {},
      absl::Duration timeout = absl::Seconds(10));

  // Returns the next event named `name` (already received or arriving
  // within `timeout`).
  absl::StatusOr<google::protobuf::Struct> WaitForEvent(absl::string_view name,
                                                        absl::Duration timeout);

  // From now on, appends every message sent ("->") and received ("<-") to
  // the file at `path`, one line each with the time: the QMP traffic a
  // failing test's reader wants to see.
  void LogTo(const std::string& path);

  // QEMU's version, from the greeting ("7.2.x").
  const std::string& version() const { return version_; }

 private:
  QmpClient() = default;
  absl::Status Send(const google::protobuf::Struct& message);
  // Reads one message; DeadlineExceeded after `deadline`.
  absl::StatusOr<google::protobuf::Struct> Receive(absl::Time deadline);

  void Log(absl::string_view direction, absl::string_view line);

  UniqueFd fd_;
  std::unique_ptr<std::ofstream> log_;
  std::string buffer_;
  std::deque<google::protobuf::Struct> events_;
  std::string version_;
  int64_t next_id_ = 1;
};

// Builds a Struct from key/value pairs of strings, numbers or booleans.
google::protobuf::Value StringValue(absl::string_view s);
google::protobuf::Value NumberValue(double d);
google::protobuf::Value BoolValue(bool b);

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_QMP_CLIENT_H_
