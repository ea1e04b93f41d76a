#include "vmm/image.h"

#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runner/base/sha256.h"

namespace proctor::vmm {

absl::Status VerifyImage(const std::string& dir) {
  std::ifstream sums(dir + "/SHA256SUMS");
  if (!sums) {
    return absl::FailedPreconditionError(absl::StrCat(
        "guest image ", dir, " has no SHA256SUMS: cannot verify it"));
  }
  std::string line;
  int checked = 0;
  while (std::getline(sums, line)) {
    std::vector<std::string> f = absl::StrSplit(line, "  ");
    if (f.size() != 2) continue;
    absl::StatusOr<std::string> got = Sha256File(dir + "/" + f[1]);
    if (!got.ok()) return absl::FailedPreconditionError(got.status().message());
    if (*got != f[0]) {
      return absl::FailedPreconditionError(absl::StrCat(
          "guest image ", dir, "/", f[1], ": sha256 mismatch: pinned ", f[0],
          ", file has ", *got));
    }
    ++checked;
  }
  if (checked < 2) {
    return absl::FailedPreconditionError(
        absl::StrCat("guest image ", dir, ": SHA256SUMS lists no files"));
  }
  return absl::OkStatus();
}

}  // namespace proctor::vmm
