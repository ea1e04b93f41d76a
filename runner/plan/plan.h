// From command-line paths to the list of tests a job runs: discovery, the
// --filter and --tags selection, and the settings of each test (flags,
// then metadata, then defaults), with verdicts that are known before
// running (unmet requirements, files that cannot run, guest tests without
// a guest) decided here.
#ifndef PROCTOR_RUNNER_PLAN_PLAN_H_
#define PROCTOR_RUNNER_PLAN_PLAN_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runner/base/kernel_config.h"
#include "runner/plan/metadata.h"
#include "runner/plan/planned_test.h"
#include "runner/plan/shard.h"

namespace proctor {

struct PlanOptions {
  std::vector<std::string> paths;
  std::string filter;  // RE2, partial match on the name
  std::vector<std::string> tags;
  absl::Duration timeout = absl::Minutes(10);
  bool timeout_explicit = false;
  Where where = Where::kHost;
  bool where_explicit = false;
  OutputFormat format = OutputFormat::kAuto;
  bool format_explicit = false;
  std::string skip_dir;
  std::string path_env;
  // The shard this run keeps (shard.h), chosen after filtering; a shard
  // left with none is an empty plan, not an error.
  ShardSpec shard;
  // The guest kernel's configuration when it is known before the guest
  // boots (the .config beside --kernel), and where it was read: guest
  // tests' config: requirements are checked here. Otherwise the guest
  // checks them.
  std::optional<KernelConfig> guest_config;
  std::string guest_config_source;
};

// Errors are usage errors (exit 2): a missing path, a bad pattern, a
// malformed config: requirement, or no test left to run.
absl::StatusOr<std::vector<PlannedTest>> PlanTests(const PlanOptions& options);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_PLAN_H_
