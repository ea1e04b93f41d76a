#include "runner/plan/shard.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace proctor {
namespace {

// Which shard each test of `plan` goes to, by name order.
std::vector<int> ByName(const std::vector<PlannedTest>& plan, int total) {
  std::vector<int> order(plan.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return plan[a].name < plan[b].name; });
  std::vector<int> shard(plan.size());
  for (size_t i = 0; i < order.size(); ++i) {
    shard[order[i]] = static_cast<int>(i % static_cast<size_t>(total));
  }
  return shard;
}

// Longest first, each to the shard with the least time so far (the lowest
// index on a tie): the greedy schedule, within 4/3 of the best.
std::vector<int> ByDurations(const std::vector<PlannedTest>& plan, int total,
                             const std::map<std::string, double>& durations) {
  double known = 0;
  int counted = 0;
  for (const PlannedTest& t : plan) {
    auto it = durations.find(t.name);
    if (it != durations.end()) {
      known += it->second;
      ++counted;
    }
  }
  double fallback = counted > 0 ? known / counted : 1.0;
  std::vector<std::pair<double, int>> cost;  // {seconds, test}
  for (size_t i = 0; i < plan.size(); ++i) {
    auto it = durations.find(plan[i].name);
    cost.push_back(
        {it != durations.end() ? it->second : fallback, static_cast<int>(i)});
  }
  std::stable_sort(cost.begin(), cost.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return plan[a.second].name < plan[b.second].name;
  });
  std::vector<double> load(total, 0);
  std::vector<int> shard(plan.size());
  for (const auto& [seconds, test] : cost) {
    int least = static_cast<int>(std::min_element(load.begin(), load.end()) -
                                 load.begin());
    shard[test] = least;
    load[least] += seconds;
  }
  return shard;
}

}  // namespace

std::string ShardSpec::Name() const {
  return absl::StrCat(index + 1, "/", total);
}

absl::StatusOr<ShardSpec> ParseShard(absl::string_view k_of_n) {
  std::vector<absl::string_view> parts = absl::StrSplit(k_of_n, '/');
  int k = 0, n = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &k) ||
      !absl::SimpleAtoi(parts[1], &n) || n < 1 || k < 1 || k > n) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad shard \"", k_of_n,
                     "\": want K/N, shard K of N, with 1 <= K <= N"));
  }
  ShardSpec spec;
  spec.index = k - 1;
  spec.total = n;
  return spec;
}

std::vector<PlannedTest> TakeShard(std::vector<PlannedTest> plan,
                                   const ShardSpec& spec) {
  if (!spec.sharded()) return plan;
  std::vector<int> shard = spec.durations.empty()
                               ? ByName(plan, spec.total)
                               : ByDurations(plan, spec.total, spec.durations);
  std::vector<PlannedTest> mine;
  for (size_t i = 0; i < plan.size(); ++i) {
    if (shard[i] == spec.index) mine.push_back(std::move(plan[i]));
  }
  return mine;
}

}  // namespace proctor
