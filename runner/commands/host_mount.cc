#include "runner/commands/host_mount.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "re2/re2.h"

namespace proctor {

absl::Status CheckHostMount(const std::string& dir,
                            const std::string& mountinfo) {
  // mountinfo(5): ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - TYPE SRC
  // The last entry for a mount point is the one in effect.
  std::string root;
  bool mounted = false;
  for (absl::string_view line :
       absl::StrSplit(mountinfo, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f.size() < 5 || f[4] != dir) continue;
    mounted = true;
    root = std::string(f[3]);
  }
  std::string hint =
      absl::StrCat("mount a host directory there: -v \"$PWD/", "results:", dir,
                   "\" (with --user \"$(id "
                   "-u):$(id -g)\")");
  if (!mounted) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " is not mounted, so the results would stay in the container; ",
        hint));
  }
  static const RE2 anonymous("/volumes/[0-9a-f]{64}/_data$");
  if (RE2::PartialMatch(root, anonymous)) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " is an anonymous volume, deleted with the container; ", hint));
  }
  return absl::OkStatus();
}

}  // namespace proctor
