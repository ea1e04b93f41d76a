#include "runner/base/duration.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace proctor {

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text) {
  absl::Duration d;
  double seconds;
  if (absl::SimpleAtod(text, &seconds)) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad timeout '", text, "' (want 30, 30s, 2m, 1h)"));
  }
  if (d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("timeout '", text, "' must be positive"));
  }
  return d;
}

}  // namespace proctor
