// The test-selection flags shared by `proctor run` and `proctor list`
// (paths, --filter, --tags, --timeout, --where, --format) turned into
// PlanOptions, with the environment defaults ($PROCTOR_WHERE) applied.
#ifndef PROCTOR_RUNNER_COMMANDS_PLAN_FLAGS_H_
#define PROCTOR_RUNNER_COMMANDS_PLAN_FLAGS_H_

#include "absl/status/statusor.h"
#include "runner/base/cli.h"
#include "runner/plan/plan.h"

namespace proctor {

// Errors are bad flag values: usage errors.
absl::StatusOr<PlanOptions> PlanOptionsFromFlags(const ParsedArgs& parsed);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_COMMANDS_PLAN_FLAGS_H_
