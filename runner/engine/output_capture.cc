#include "runner/engine/output_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "runner/base/fd_io.h"

namespace proctor {
absl::StatusOr<OutputCapture> OutputCapture::Open(const std::string& file,
                                                  int64_t max_bytes) {
  OutputCapture c;
  c.max_bytes_ = max_bytes;
  c.file_.Reset(
      ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!c.file_.valid()) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", file, ": ", strerror(errno)));
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("pipe: ", strerror(errno)));
  }
  c.read_.Reset(fds[0]);
  c.write_.Reset(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  return c;
}

bool OutputCapture::Pump() {
  if (!read_.valid()) return false;
  char buf[65536];
  for (int rounds = 0; rounds < 16; ++rounds) {
    ssize_t n = read(read_.get(), buf, sizeof(buf));
    if (n > 0) {
      bytes_ += n;
      int64_t room = max_bytes_ - kept_;
      if (room > 0) {
        size_t keep = static_cast<size_t>(n < room ? n : room);
        WriteAll(file_.get(), absl::string_view(buf, keep));
        kept_ += static_cast<int64_t>(keep);
      }
      if (consumer_) consumer_(absl::string_view(buf, static_cast<size_t>(n)));
      continue;
    }
    if (n == 0) {
      Close();
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    Close();
    return false;
  }
  return true;  // more may be waiting: let other tests have a turn
}

void OutputCapture::Close() {
  read_.Reset();
  if (truncated() && file_.valid()) {
    std::string note = absl::StrCat("\n[proctor: output cut after ", kept_,
                                    " of ", bytes_, " bytes (--max-output)]\n");
    WriteAll(file_.get(), note);
  }
  file_.Reset();
}

}  // namespace proctor
