#include "runner/base/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "runner/base/unique_fd.h"

namespace proctor {

std::string TemporaryPathFor(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return absl::StrCat(dir, ".", base, ".tmp");
}

absl::Status CommitTemporary(const std::string& temporary,
                             const std::string& path) {
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    absl::Status s = absl::UnavailableError(
        absl::StrCat("cannot write ", path, ": ", strerror(errno)));
    unlink(temporary.c_str());
    return s;
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content) {
  std::string tmp = TemporaryPathFor(path);
  UniqueFd fd(
      open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path, ": ", strerror(errno)));
  }
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = absl::UnavailableError(
          absl::StrCat("cannot write ", path, ": ", strerror(errno)));
      unlink(tmp.c_str());
      return s;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  fd.Reset();
  return CommitTemporary(tmp, path);
}

}  // namespace proctor
