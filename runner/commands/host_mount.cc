#include "runner/commands/host_mount.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "re2/re2.h"

namespace proctor {

namespace {

// Whether `mount_point` holds `path`: equal, or a parent directory of it.
bool Holds(absl::string_view mount_point, absl::string_view path) {
  if (mount_point == "/" || mount_point == path) return true;
  return absl::StartsWith(path, mount_point) && path[mount_point.size()] == '/';
}

}  // namespace

absl::Status CheckHostMount(const std::string& dir,
                            const std::string& mountinfo) {
  // mountinfo(5): ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - TYPE SRC
  // The mount that holds `dir` is the one on its longest mount point; of
  // several on one point, the last is in effect.
  std::string root, point;
  for (absl::string_view line :
       absl::StrSplit(mountinfo, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f.size() < 5 || !Holds(f[4], dir)) continue;
    if (f[4].size() >= point.size()) {
      point = std::string(f[4]);
      root = std::string(f[3]);
    }
  }
  std::string hint =
      absl::StrCat("mount a host directory there: -v \"$PWD/", "results:", dir,
                   "\" (with --user \"$(id "
                   "-u):$(id -g)\")");
  // On the container's own root file system, the results would go with it.
  if (point.empty() || point == "/") {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " is not mounted, so the results would stay in the container; ",
        hint));
  }
  static const RE2 anonymous("/volumes/[0-9a-f]{64}/_data$");
  if (RE2::PartialMatch(root, anonymous)) {
    return absl::FailedPreconditionError(absl::StrCat(
        point == dir ? dir : absl::StrCat(dir, " is on ", point, ", which"),
        " is an anonymous volume, deleted with the container; ", hint));
  }
  return absl::OkStatus();
}

}  // namespace proctor
