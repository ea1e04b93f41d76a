// Files that readers only ever see whole: written to a temporary sibling,
// then renamed over the target. A runner killed mid-write leaves the last
// complete version in place.
#ifndef PROCTOR_RUNNER_BASE_ATOMIC_FILE_H_
#define PROCTOR_RUNNER_BASE_ATOMIC_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace proctor {

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content);
// The temporary sibling WriteFileAtomically uses, for writers that produce
// the file themselves; pair with CommitTemporary().
std::string TemporaryPathFor(const std::string& path);
absl::Status CommitTemporary(const std::string& temporary,
                             const std::string& path);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_ATOMIC_FILE_H_
