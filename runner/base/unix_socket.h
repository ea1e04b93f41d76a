// Connecting to a unix socket that may not exist yet: QEMU's QMP monitor
// and its chardev sockets appear some milliseconds after QEMU starts.
#ifndef PROCTOR_RUNNER_BASE_UNIX_SOCKET_H_
#define PROCTOR_RUNNER_BASE_UNIX_SOCKET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runner/base/unique_fd.h"

namespace proctor {

// A connected stream socket (close-on-exec), retrying every few ms until
// `timeout`. InvalidArgument when `path` is too long for a unix socket
// (108 bytes); DeadlineExceeded with the last errno's words when nothing
// accepted in time. Any thread.
absl::StatusOr<UniqueFd> ConnectUnixSocket(const std::string& path,
                                           absl::Duration timeout);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_UNIX_SOCKET_H_
