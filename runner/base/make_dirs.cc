#include "runner/base/make_dirs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "absl/strings/str_cat.h"

namespace proctor {

absl::Status MakeDirs(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::UnavailableError(
        absl::StrCat(path, ": exists and is not a directory"));
  }
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    absl::Status parent = MakeDirs(path.substr(0, slash));
    if (!parent.ok()) return parent;
  }
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::UnavailableError(absl::StrCat(path, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace proctor
