// Which of a suite's tests one shard runs, for a suite fanned out over
// several machines (`--shard=K/N`, GitLab's `parallel:`, Bazel's
// shard_count).
//
// The contract: for one set of planned test names, the N shards are
// disjoint and together hold every test, and a shard's tests are the same
// on every machine (the assignment depends on the names and, when given,
// the durations, nothing else). By name, shard K takes every N-th test in
// name order from the K-th; by durations, tests are dealt longest first to
// the shard with the least time so far (a test without a recorded
// duration counts as the mean of those with one), which balances shards by
// time. A shard may be empty (N larger than the suite). Pure functions; any
// thread.
#ifndef PROCTOR_RUNNER_PLAN_SHARD_H_
#define PROCTOR_RUNNER_PLAN_SHARD_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runner/plan/planned_test.h"

namespace proctor {

struct ShardSpec {
  int index = 0;  // 0-based: shard K of K/N is index K-1
  int total = 0;  // 0 or 1: not sharded
  // By test name; empty: shard by name.
  std::map<std::string, double> durations;

  bool sharded() const { return total > 1; }
  // "K/N", 1-based, as the user wrote it.
  std::string Name() const;
};

// "K/N" with 1 <= K <= N; InvalidArgument, saying what is wanted, else.
absl::StatusOr<ShardSpec> ParseShard(absl::string_view k_of_n);

// The tests of `plan` (in its order) that shard `spec` runs.
std::vector<PlannedTest> TakeShard(std::vector<PlannedTest> plan,
                                   const ShardSpec& spec);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_PLAN_SHARD_H_
