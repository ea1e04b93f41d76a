#include "runner/plan_flags.h"

#include <stdlib.h>

#include "absl/flags/flag.h"
#include "runner/flags.h"

namespace proctor {

absl::StatusOr<PlanOptions> PlanOptionsFromFlags(const ParsedArgs& parsed) {
  auto given = [&](const char* f) {
    return parsed.explicit_flags.count(f) > 0;
  };
  PlanOptions plan;
  plan.paths = parsed.positional;
  // The container sets PROCTOR_TESTS=/tests: `docker run IMAGE --flags`
  // then needs no path.
  const char* tests = getenv("PROCTOR_TESTS");
  if (plan.paths.empty() && tests != nullptr && *tests != '\0')
    plan.paths.push_back(tests);
  plan.filter = absl::GetFlag(FLAGS_filter);
  plan.tags = absl::GetFlag(FLAGS_tags);
  const char* path = getenv("PATH");
  plan.path_env = path == nullptr ? "" : path;

  absl::StatusOr<absl::Duration> timeout =
      ParseTimeout(absl::GetFlag(FLAGS_timeout));
  if (!timeout.ok()) return timeout.status();
  plan.timeout = *timeout;
  plan.timeout_explicit = given("timeout");

  std::string where = absl::GetFlag(FLAGS_where);
  const char* where_env = getenv("PROCTOR_WHERE");
  if (where.empty() && where_env != nullptr) where = where_env;
  if (!where.empty()) {
    absl::StatusOr<Where> w = ParseWhere(where);
    if (!w.ok()) return w.status();
    plan.where = *w;
  }
  plan.where_explicit = given("where");

  absl::StatusOr<OutputFormat> format =
      ParseFormat(absl::GetFlag(FLAGS_format));
  if (!format.ok()) return format.status();
  plan.format = *format;
  plan.format_explicit = given("format");
  return plan;
}

}  // namespace proctor
