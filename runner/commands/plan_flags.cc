#include "runner/commands/plan_flags.h"

#include <stdlib.h>

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runner/base/duration.h"
#include "runner/commands/flags.h"
#include "runner/report/job_store.h"

namespace proctor {
namespace {

// Bazel's shard (0-based TEST_SHARD_INDEX of TEST_TOTAL_SHARDS), if set.
absl::StatusOr<std::optional<ShardSpec>> BazelShard() {
  const char* shards = getenv("TEST_TOTAL_SHARDS");
  const char* shard = getenv("TEST_SHARD_INDEX");
  if (shards == nullptr || shard == nullptr) return std::nullopt;
  int total = 0, index = 0;
  if (!absl::SimpleAtoi(shards, &total) || !absl::SimpleAtoi(shard, &index) ||
      total < 0 || index < 0 || (total > 0 && index >= total)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad shard: TEST_SHARD_INDEX=", shard,
                     " of TEST_TOTAL_SHARDS=", shards));
  }
  ShardSpec spec;
  spec.index = index;
  spec.total = total;
  return spec;
}

// GitLab's `parallel:` (1-based CI_NODE_INDEX of CI_NODE_TOTAL), if set.
absl::StatusOr<std::optional<ShardSpec>> GitlabShard() {
  const char* total = getenv("CI_NODE_TOTAL");
  const char* index = getenv("CI_NODE_INDEX");
  // A job without parallel: has CI_NODE_TOTAL=1 and no index.
  if (total == nullptr || index == nullptr) return std::nullopt;
  absl::StatusOr<ShardSpec> spec = ParseShard(absl::StrCat(index, "/", total));
  if (!spec.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad shard from CI_NODE_INDEX=", index, " and CI_NODE_TOTAL=", total,
        ": want 1 <= index <= total"));
  }
  return *spec;
}

// Each test's duration in the job `spec` names, for --shard-by=durations.
absl::StatusOr<std::map<std::string, double>> RecordedDurations(
    const std::string& spec) {
  absl::StatusOr<std::string> dir =
      ResolveJob(ResultsDir(absl::GetFlag(FLAGS_results_dir)), spec);
  if (!dir.ok()) return dir.status();
  absl::StatusOr<JobResult> job = LoadJob(*dir);
  if (!job.ok()) return job.status();
  std::map<std::string, double> durations;
  for (const TestResult& t : job->tests()) {
    durations[t.name()] = t.duration_seconds();
  }
  return durations;
}

}  // namespace

absl::StatusOr<ShardSpec> ShardFromFlags() {
  std::optional<ShardSpec> spec;
  if (std::string flag = absl::GetFlag(FLAGS_shard); !flag.empty()) {
    absl::StatusOr<ShardSpec> parsed = ParseShard(flag);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--shard: ", parsed.status().message()));
    }
    spec = *parsed;
  } else {
    // Bazel's variables are the test's own even inside a GitLab job.
    absl::StatusOr<std::optional<ShardSpec>> env = BazelShard();
    if (env.ok() && !env->has_value()) env = GitlabShard();
    if (!env.ok()) return env.status();
    spec = *std::move(env);
  }
  std::string by = absl::GetFlag(FLAGS_shard_by);
  absl::string_view job = by;
  if (by != "name" && !absl::ConsumePrefix(&job, "durations:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad --shard-by=", by, ": want name or durations:JOB"));
  }
  if (!spec.has_value()) return ShardSpec();
  if (by != "name" && spec->sharded()) {
    absl::StatusOr<std::map<std::string, double>> durations =
        RecordedDurations(std::string(job));
    if (!durations.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--shard-by=", by, ": ", durations.status().message()));
    }
    spec->durations = *std::move(durations);
  }
  return *spec;
}

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
  absl::StatusOr<ShardSpec> shard = ShardFromFlags();
  if (!shard.ok()) return shard.status();
  plan.shard = *std::move(shard);
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
