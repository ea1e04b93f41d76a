#include "runner/base/unix_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace proctor {

absl::StatusOr<UniqueFd> ConnectUnixSocket(const std::string& path,
                                           absl::Duration timeout) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("socket path too long: ", path));
  }
  strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.valid() && connect(fd.get(), reinterpret_cast<sockaddr*>(&addr),
                              sizeof(addr)) == 0) {
      return fd;
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("cannot connect to ", path, ": ", strerror(errno)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace proctor
