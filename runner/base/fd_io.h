// Writing a whole buffer to a file descriptor, through short writes and
// EINTR.
#ifndef PROCTOR_RUNNER_BASE_FD_IO_H_
#define PROCTOR_RUNNER_BASE_FD_IO_H_

#include <errno.h>
#include <unistd.h>

#include "absl/strings/string_view.h"

namespace proctor {

// False on an error (errno says which); what was written stays written.
inline bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_FD_IO_H_
