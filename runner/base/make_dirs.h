// `mkdir -p`: the one way proctor makes a directory and its parents.
#ifndef PROCTOR_RUNNER_BASE_MAKE_DIRS_H_
#define PROCTOR_RUNNER_BASE_MAKE_DIRS_H_

#include <string>

#include "absl/status/status.h"

namespace proctor {

// Makes `path` and its missing parents (mode 0755). An existing directory
// is fine; an existing non-directory, or a mkdir that fails, is
// Unavailable naming the path and the reason.
absl::Status MakeDirs(const std::string& path);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_MAKE_DIRS_H_
