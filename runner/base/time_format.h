// Timestamps as proctor writes them: RFC 3339 in UTC with as many fraction
// digits as the time has ("2026-11-24T23:10:05.123+00:00"), the one spelling of
// every time in the result files and the event stream, and the names and
// log lines that must sort as text.
#ifndef PROCTOR_RUNNER_BASE_TIME_FORMAT_H_
#define PROCTOR_RUNNER_BASE_TIME_FORMAT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace proctor {

// RFC 3339, UTC, full precision: what results.json and the events hold.
std::string FormatRfc3339(absl::Time t);
// The inverse of FormatRfc3339 (any RFC 3339 time); false if `text` is not
// one, leaving `*t` alone.
bool ParseRfc3339(absl::string_view text, absl::Time* t);

// "2026-11-24T23.10.05": seconds, UTC, no colons, for directory names.
std::string FormatFileStamp(absl::Time t);
// "2026-11-24T23:10:05.123Z": milliseconds, UTC, for log lines.
std::string FormatLogStamp(absl::Time t);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_TIME_FORMAT_H_
