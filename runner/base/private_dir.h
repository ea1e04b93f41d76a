// Private temporary directories (mode 0700) under /tmp, for what a process
// owns while it runs: unix sockets (their paths must stay under 108
// bytes, hence /tmp and not $TMPDIR), a saved guest's RAM (or under
// /dev/shm, to keep it in memory).
//
// A process killed by SIGKILL cannot remove its directories, so each one
// names its owner (`.owner`: the pid and the pid namespace), and making a
// directory first removes those of the same prefix whose owner is gone.
// Directories without an owner file (another proctor version's, or one
// being made right now) and those of another pid namespace are left alone.
//
// Thread-safe. Errors only for the directory made; the sweep is silent.
#ifndef PROCTOR_RUNNER_BASE_PRIVATE_DIR_H_
#define PROCTOR_RUNNER_BASE_PRIVATE_DIR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor {

// Makes ROOT/PREFIX-XXXXXX and returns its path; Unavailable with the
// reason when it cannot.
absl::StatusOr<std::string> MakePrivateDir(absl::string_view prefix,
                                           const std::string& root = "/tmp");

// Removes ROOT/PREFIX-XXXXXX directories whose owner is gone, as
// MakePrivateDir does first.
void SweepPrivateDirs(absl::string_view prefix, const std::string& root);

// What MakePrivateDir writes to `.owner` for this process.
std::string PrivateDirOwner();

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_PRIVATE_DIR_H_
