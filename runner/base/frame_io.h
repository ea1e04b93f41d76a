// Frames on a byte stream: a type byte, a 4-byte little-endian length, then
// that many bytes of data. The guest mux (runner/guest/guest_mux_wire.h)
// and the guest agent's port (vmm/guest_agent_wire.h) speak them.
//
// Header-only and free of libraries beyond libc, so that the guest agent,
// a static program, and the lean guest-exec helper can use it. Blocking
// calls, through short reads and writes and EINTR; any thread.
#ifndef PROCTOR_RUNNER_BASE_FRAME_IO_H_
#define PROCTOR_RUNNER_BASE_FRAME_IO_H_

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace proctor::frames {

// False on an error (errno says which); what was written stays written.
inline bool WriteBytes(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
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

inline constexpr size_t kHeaderSize = 5;

inline void PutHeader(char header[kHeaderSize], uint8_t type, uint32_t len) {
  header[0] = static_cast<char>(type);
  for (int i = 0; i < 4; ++i) header[1 + i] = static_cast<char>(len >> (8 * i));
}

inline uint32_t HeaderLength(const char header[kHeaderSize]) {
  uint32_t len = 0;
  for (int i = 3; i >= 0; --i)
    len = (len << 8) | static_cast<unsigned char>(header[1 + i]);
  return len;
}

inline bool SendFrame(int fd, uint8_t type, const char* data, size_t n) {
  char header[kHeaderSize];
  PutHeader(header, type, static_cast<uint32_t>(n));
  return WriteBytes(fd, header, kHeaderSize) && WriteBytes(fd, data, n);
}

// A frame whose data is one int32 in host order (an exit status).
inline bool SendInt32Frame(int fd, uint8_t type, int32_t value) {
  char data[sizeof(value)];
  memcpy(data, &value, sizeof(value));
  return SendFrame(fd, type, data, sizeof(data));
}

}  // namespace proctor::frames

#endif  // PROCTOR_RUNNER_BASE_FRAME_IO_H_
