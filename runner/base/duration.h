// Durations as people write them on command lines and in metadata: plain
// seconds ("30", "1.5") or an Abseil duration ("30s", "2m", "1h30m"). The
// one parser behind --timeout, --kill-grace, --boot-timeout, timeout= and
// the sysinfo config's timeouts.
#ifndef PROCTOR_RUNNER_BASE_DURATION_H_
#define PROCTOR_RUNNER_BASE_DURATION_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace proctor {

// "30", "30s", "1m30s" -> a duration. Anything else, zero or a negative
// duration is InvalidArgument, in one line quoting `text`.
absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_DURATION_H_
