#include "runner/plan/shard.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<PlannedTest> Tests(const std::vector<std::string>& names) {
  std::vector<PlannedTest> plan;
  for (const std::string& n : names) {
    PlannedTest t;
    t.name = n;
    plan.push_back(t);
  }
  return plan;
}

std::vector<std::string> Names(const std::vector<PlannedTest>& plan) {
  std::vector<std::string> names;
  for (const PlannedTest& t : plan) names.push_back(t.name);
  return names;
}

ShardSpec Shard(int k, int n) {
  absl::StatusOr<ShardSpec> s = ParseShard(absl::StrCat(k, "/", n));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : ShardSpec();
}

std::vector<std::string> TenNames() {
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) names.push_back(absl::StrCat("t", i, ".sh"));
  return names;
}

TEST(ParseShardTest, TakesOneBasedKOfN) {
  absl::StatusOr<ShardSpec> s = ParseShard("2/3");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->index, 1);
  EXPECT_EQ(s->total, 3);
  EXPECT_EQ(s->Name(), "2/3");
}

TEST(ParseShardTest, RefusesWhatIsNotAShard) {
  for (const char* bad :
       {"0/3", "4/3", "a/b", "1/0", "3", "1/2/3", "-1/3", "", "/3", "1/"}) {
    absl::StatusOr<ShardSpec> s = ParseShard(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr("want K/N")) << bad;
  }
}

TEST(TakeShardTest, ShardsAreDisjointAndCoverEveryTest) {
  std::multiset<std::string> seen;
  for (int k = 1; k <= 3; ++k) {
    for (const std::string& n :
         Names(TakeShard(Tests(TenNames()), Shard(k, 3))))
      seen.insert(n);
  }
  std::vector<std::string> all = TenNames();
  EXPECT_EQ(seen, std::multiset<std::string>(all.begin(), all.end()));
}

TEST(TakeShardTest, ByNameEveryNthInNameOrderKeepingThePlansOrder) {
  EXPECT_THAT(Names(TakeShard(Tests({"d", "a", "c", "b", "e"}), Shard(1, 2))),
              ElementsAre("a", "c", "e"));
  EXPECT_THAT(Names(TakeShard(Tests({"d", "a", "c", "b", "e"}), Shard(2, 2))),
              ElementsAre("d", "b"));
}

TEST(TakeShardTest, AssignmentDependsOnTheNamesNotTheirOrder) {
  std::vector<std::string> names = TenNames();
  std::vector<std::string> reversed(names.rbegin(), names.rend());
  std::vector<std::string> a = Names(TakeShard(Tests(names), Shard(2, 3)));
  std::vector<std::string> b = Names(TakeShard(Tests(reversed), Shard(2, 3)));
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
}

TEST(TakeShardTest, MoreShardsThanTestsLeavesTheLastOnesEmpty) {
  EXPECT_THAT(Names(TakeShard(Tests({"a", "b"}), Shard(2, 5))),
              ElementsAre("b"));
  EXPECT_TRUE(TakeShard(Tests({"a", "b"}), Shard(5, 5)).empty());
}

TEST(TakeShardTest, OneShardIsTheWholePlan) {
  EXPECT_THAT(Names(TakeShard(Tests({"b", "a"}), Shard(1, 1))),
              ElementsAre("b", "a"));
}

double Load(const std::vector<PlannedTest>& shard,
            const std::map<std::string, double>& d) {
  double sum = 0;
  for (const PlannedTest& t : shard) sum += d.at(t.name);
  return sum;
}

TEST(TakeShardTest, DurationsBalanceTheShardsByTime) {
  // By name, shard 1 would get a, c, e: 10 + 8 + 1 s against 2 + 1 + 1 s.
  // Longest first to the least loaded: a 10 | c 8, b 10 | d 11 | e 11 | f.
  std::map<std::string, double> d = {{"a", 10}, {"b", 2}, {"c", 8},
                                     {"d", 1},  {"e", 1}, {"f", 1}};
  ShardSpec one = Shard(1, 2), two = Shard(2, 2);
  one.durations = two.durations = d;
  std::vector<PlannedTest> first =
      TakeShard(Tests({"a", "b", "c", "d", "e", "f"}), one);
  std::vector<PlannedTest> second =
      TakeShard(Tests({"a", "b", "c", "d", "e", "f"}), two);
  EXPECT_THAT(Names(first), ElementsAre("a", "d", "f"));
  EXPECT_THAT(Names(second), ElementsAre("b", "c", "e"));
  EXPECT_EQ(Load(first, d), 12);
  EXPECT_EQ(Load(second, d), 11);
}

TEST(TakeShardTest, ATestWithoutADurationCountsAsTheMean) {
  // The mean of the known is 5 s: "new" weighs as much as "b".
  ShardSpec one = Shard(1, 2);
  one.durations = {{"a", 6}, {"b", 4}};
  EXPECT_THAT(Names(TakeShard(Tests({"a", "b", "new"}), one)),
              ElementsAre("a"));
}

}  // namespace
}  // namespace proctor
