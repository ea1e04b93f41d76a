#include "runner/commands/plan_flags.h"

#include <stdlib.h>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "runner/base/duration.h"
#include "runner/commands/flags.h"

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
  // Under `bazel test`: --test_filter arrives as TESTBRIDGE_TEST_ONLY, and
  // the shard to run as TEST_SHARD_INDEX of TEST_TOTAL_SHARDS.
  const char* only = getenv("TESTBRIDGE_TEST_ONLY");
  if (plan.filter.empty() && only != nullptr) plan.filter = only;
  const char* shards = getenv("TEST_TOTAL_SHARDS");
  const char* shard = getenv("TEST_SHARD_INDEX");
  if (shards != nullptr && shard != nullptr) {
    int total = 0, index = 0;
    if (!absl::SimpleAtoi(shards, &total) || !absl::SimpleAtoi(shard, &index) ||
        total < 0 || index < 0 || (total > 0 && index >= total)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad shard: TEST_SHARD_INDEX=", shard,
                       " of TEST_TOTAL_SHARDS=", shards));
    }
    plan.total_shards = total;
    plan.shard_index = index;
  }
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
