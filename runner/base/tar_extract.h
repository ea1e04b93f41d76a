// Unpacks a tar archive held in memory into a directory, refusing absolute
// names, ".." and writing through symlinks. Used for what a guest test left
// in its $OUTPUTDIR.
//
// An error (DataLoss, naming the entry) stops at the first bad entry; what
// was unpacked before it stays. Nothing is ever written outside `dir`.
#ifndef PROCTOR_RUNNER_BASE_TAR_EXTRACT_H_
#define PROCTOR_RUNNER_BASE_TAR_EXTRACT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace proctor {

absl::Status ExtractTar(absl::string_view tar, const std::string& dir);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_TAR_EXTRACT_H_
