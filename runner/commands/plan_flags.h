// The test-selection flags shared by `proctor run` and `proctor list`
// (paths, --filter, --tags, --shard, --shard-by, --timeout, --where,
// --format) turned into PlanOptions, with the environment defaults
// ($PROCTOR_WHERE; Bazel's TEST_SHARD_INDEX/TEST_TOTAL_SHARDS, else
// GitLab's CI_NODE_INDEX/CI_NODE_TOTAL for the shard) applied.
#ifndef PROCTOR_RUNNER_COMMANDS_PLAN_FLAGS_H_
#define PROCTOR_RUNNER_COMMANDS_PLAN_FLAGS_H_

#include "absl/status/statusor.h"
#include "runner/base/cli.h"
#include "runner/plan/plan.h"

namespace proctor {

// Errors are bad flag values: usage errors.
absl::StatusOr<PlanOptions> PlanOptionsFromFlags(const ParsedArgs& parsed);
// The shard this run keeps: --shard, else the environment's; with
// --shard-by=durations:JOB, that job's durations (a job that cannot be
// loaded is a usage error naming it).
absl::StatusOr<ShardSpec> ShardFromFlags();

}  // namespace proctor

#endif  // PROCTOR_RUNNER_COMMANDS_PLAN_FLAGS_H_
