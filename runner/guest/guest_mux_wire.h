// The guest mux's wire format (guest_mux.h), shared by the runner's side
// and the lean helper's: frames (runner/base/frame_io.h) of a type byte, a
// 4-byte little-endian length and data. Header-only and free of libraries,
// so the helper stays a small, fast-starting program.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_MUX_WIRE_H_
#define PROCTOR_RUNNER_GUEST_GUEST_MUX_WIRE_H_

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdint>
#include <string>

#include "runner/base/fd_io.h"
#include "runner/base/frame_io.h"

namespace proctor::mux_wire {

enum Frame : uint8_t { kStdout = 1, kStderr = 2, kExit = 3 };

inline bool SendFrame(int fd, Frame type, absl::string_view data) {
  return frames::SendFrame(fd, type, data.data(), data.size());
}

using frames::ReadExactly;

inline sockaddr_un Address(const std::string& path) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  return addr;
}

}  // namespace proctor::mux_wire

#endif  // PROCTOR_RUNNER_GUEST_GUEST_MUX_WIRE_H_
