#include "runner/base/private_dir.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runner/base/read_file.h"

namespace proctor {
namespace {

std::string PidNamespace() {
  char buf[64];
  ssize_t n = readlink("/proc/self/ns/pid", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Whether `owner` (a .owner file's content) names a process of this pid
// namespace that no longer exists.
bool OwnerIsGone(absl::string_view owner) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(owner), ' ');
  int pid = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &pid) || pid <= 0 ||
      parts[1] != PidNamespace()) {
    return false;
  }
  return kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace

void SweepPrivateDirs(absl::string_view prefix, const std::string& root) {
  DIR* dir = opendir(root.c_str());
  if (dir == nullptr) return;
  std::string start = absl::StrCat(prefix, "-");
  std::vector<std::string> gone;
  while (dirent* e = readdir(dir)) {
    absl::string_view name = e->d_name;
    // Exactly PREFIX-XXXXXX: not a longer prefix's directory.
    if (!absl::StartsWith(name, start) || name.size() != start.size() + 6) {
      continue;
    }
    std::string path = absl::StrCat(root, "/", name);
    absl::StatusOr<std::string> owner = ReadFile(path + "/.owner");
    if (owner.ok() && OwnerIsGone(*owner)) gone.push_back(path);
  }
  closedir(dir);
  for (const std::string& path : gone) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
}

std::string PrivateDirOwner() {
  return absl::StrCat(getpid(), " ", PidNamespace(), "\n");
}

absl::StatusOr<std::string> MakePrivateDir(absl::string_view prefix,
                                           const std::string& root) {
  SweepPrivateDirs(prefix, root);
  std::string path = absl::StrCat(root, "/", prefix, "-XXXXXX");
  if (mkdtemp(&path[0]) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("mkdtemp ", path, ": ", strerror(errno)));
  }
  std::ofstream(path + "/.owner") << PrivateDirOwner();
  return path;
}

}  // namespace proctor
