#include "runner/guest/guest_mux_client.h"

#include <algorithm>

#include "runner/base/unique_fd.h"
#include "runner/guest/guest_mux_wire.h"

namespace proctor {

int RunGuestScript(const std::string& socket_path, const std::string& script) {
  using namespace mux_wire;  // NOLINT: the wire's few names
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr = Address(socket_path);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
      0) {
    WriteAll(2, "proctor: guest-exec: cannot reach " + socket_path + "\n");
    return 255;
  }
  if (!WriteAll(fd.get(), script)) return 255;
  shutdown(fd.get(), SHUT_WR);
  for (;;) {
    char header[5];
    if (!ReadExactly(fd.get(), header, 5)) {
      WriteAll(2, "proctor: guest-exec: the runner went away\n");
      return 255;
    }
    uint32_t len = 0;
    for (int i = 3; i >= 0; --i)
      len = (len << 8) | static_cast<unsigned char>(header[1 + i]);
    std::string data(len, '\0');
    if (!ReadExactly(fd.get(), &data[0], len)) return 255;
    switch (header[0]) {
      case kStdout:
        WriteAll(1, data);
        break;
      case kStderr:
        WriteAll(2, data);
        break;
      case kExit: {
        int32_t code = 0;
        memcpy(&code, data.data(), std::min<size_t>(4, data.size()));
        return code < 0 ? 255 : code;
      }
    }
  }
}

}  // namespace proctor
