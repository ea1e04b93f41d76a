#include "runner/plan/planned_test.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "runner/base/text.h"

namespace proctor {

bool PlannedTest::wants_guest() const {
  if (preset != STATUS_UNSPECIFIED) return false;
  return in_guest() ||
         std::find(requires_.begin(), requires_.end(), "vm") != requires_.end();
}

std::string TestDirName(int index, int total, absl::string_view name) {
  int width = 3;
  for (int t = total; t >= 1000; t /= 10) ++width;
  return absl::StrFormat("tests/%0*d-%s", width, index, SanitizeFileName(name));
}

}  // namespace proctor
