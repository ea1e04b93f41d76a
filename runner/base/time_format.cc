#include "runner/base/time_format.h"

namespace proctor {

std::string FormatRfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

bool ParseRfc3339(absl::string_view text, absl::Time* t) {
  absl::Time parsed;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &parsed, &err)) {
    return false;
  }
  *t = parsed;
  return true;
}

std::string FormatFileStamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H.%M.%S", t, absl::UTCTimeZone());
}

std::string FormatLogStamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

}  // namespace proctor
