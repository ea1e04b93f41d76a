// The guest mux's wire format (guest_mux.h), shared by the runner's side
// and the lean helper's: frames of a type byte, a 4-byte little-endian
// length and data. Header-only and free of libraries, so the helper stays
// a small, fast-starting program.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_MUX_WIRE_H_
#define PROCTOR_RUNNER_GUEST_GUEST_MUX_WIRE_H_

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "runner/base/fd_io.h"

namespace proctor::mux_wire {

enum Frame : uint8_t { kStdout = 1, kStderr = 2, kExit = 3 };

inline bool SendFrame(int fd, Frame type, absl::string_view data) {
  char header[5];
  header[0] = static_cast<char>(type);
  uint32_t len = static_cast<uint32_t>(data.size());
  for (int i = 0; i < 4; ++i) header[1 + i] = static_cast<char>(len >> (8 * i));
  return WriteAll(fd, absl::string_view(header, 5)) && WriteAll(fd, data);
}

// False at EOF or on an error before `n` bytes arrived.
inline bool ReadExactly(int fd, char* buf, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, buf, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

inline sockaddr_un Address(const std::string& path) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  return addr;
}

}  // namespace proctor::mux_wire

#endif  // PROCTOR_RUNNER_GUEST_GUEST_MUX_WIRE_H_
