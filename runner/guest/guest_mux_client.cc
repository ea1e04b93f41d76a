#include "runner/guest/guest_mux_client.h"

#include <fcntl.h>
#include <string.h>

#include <algorithm>

#include "runner/base/unique_fd.h"
#include "runner/guest/guest_mux_wire.h"
#include "runner/guest/stream_splitter.h"

namespace proctor {

bool ParseGuestExecArgs(int argc, const char* const* argv,
                        std::string* socket_path, GuestOutputs* outputs,
                        std::string* script) {
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; ++i) {
    std::string_view a = argv[i];
    for (auto [flag, value] :
         {std::make_pair(std::string_view("--mux="), socket_path),
          std::make_pair(std::string_view("--outputs="), &outputs->file),
          std::make_pair(std::string_view("--marker="), &outputs->marker)}) {
      if (a.substr(0, flag.size()) == flag) {
        *value = std::string(a.substr(flag.size()));
        a = {};
        break;
      }
    }
    if (!a.empty()) return false;
  }
  if (i + 2 != argc || socket_path->empty() ||
      outputs->file.empty() != outputs->marker.empty()) {
    return false;
  }
  *script = argv[i + 1];
  return true;
}

int RunGuestScript(const std::string& socket_path, const std::string& script,
                   const GuestOutputs& outputs) {
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
  UniqueFd file;
  bool file_failed = false;
  auto to_file = [&](std::string_view data) {
    if (!file.valid() && !file_failed) {
      file.Reset(open(outputs.file.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      file_failed = !file.valid();
    }
    file_failed |=
        !file.valid() || !WriteAll(file.get(), {data.data(), data.size()});
  };
  auto to_stderr = [](std::string_view data) {
    WriteAll(2, {data.data(), data.size()});
  };
  StreamSplitter err(
      outputs.marker.empty() ? std::string(1, '\0') : outputs.marker, to_stderr,
      to_file);
  for (;;) {
    char header[frames::kHeaderSize];
    if (!ReadExactly(fd.get(), header, sizeof(header))) {
      WriteAll(2, "proctor: guest-exec: the runner went away\n");
      return 255;
    }
    uint32_t len = frames::HeaderLength(header);
    std::string data(len, '\0');
    if (!ReadExactly(fd.get(), &data[0], len)) return 255;
    switch (header[0]) {
      case kStdout:
        WriteAll(1, data);
        break;
      case kStderr:
        if (outputs.marker.empty()) {
          WriteAll(2, data);
        } else {
          err.Feed(data);
        }
        break;
      case kExit: {
        err.Finish();
        if (file_failed) {
          WriteAll(2, "proctor: guest-exec: cannot write " + outputs.file +
                          ": " + strerror(errno) + "\n");
          return 255;
        }
        int32_t code = 0;
        memcpy(&code, data.data(), std::min<size_t>(4, data.size()));
        return code < 0 ? 255 : code;
      }
    }
  }
}

}  // namespace proctor
