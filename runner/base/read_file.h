// Reading a whole file into memory: the one helper for the files proctor
// and its build tools read at once (markers, logs, image inputs).
#ifndef PROCTOR_RUNNER_BASE_READ_FILE_H_
#define PROCTOR_RUNNER_BASE_READ_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace proctor {

// NotFound ("cannot read PATH") when the file cannot be opened.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_READ_FILE_H_
