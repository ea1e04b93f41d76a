// A suite fanned out over machines: `--shard=K/N` (and GitLab's
// CI_NODE_INDEX/CI_NODE_TOTAL) on the real binary, `list --shard`, the
// durations-balanced assignment, and the shard's bad input.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ShardTest : public ProctorTest {
 protected:
  void SevenTests() {
    for (int i = 1; i <= 7; ++i) {
      Script(absl::StrCat("t", i, ".sh"), "#!/bin/sh\ntrue\n");
    }
  }
  RunOutput RunShard(const std::vector<std::string>& flags,
                     const std::vector<std::string>& env = {}) {
    std::vector<std::string> args = {"run", "--results-dir=" + results(),
                                     "--sysinfo=off"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(suite());
    return Run(args, env);
  }
  // The test names a run printed, without the verdicts.
  static std::vector<std::string> Ran(const RunOutput& r) {
    std::vector<std::string> names;
    for (const std::string& line : r.lines) {
      size_t at = line.find(" -- ");
      if (at != std::string::npos) names.push_back(line.substr(0, at));
    }
    return names;
  }
  // The names `proctor list` printed (the first column).
  static std::vector<std::string> Listed(const RunOutput& r) {
    std::vector<std::string> names;
    for (const std::string& line : r.lines) {
      names.push_back(line.substr(0, line.find('\t')));
    }
    return names;
  }
};

TEST_F(ShardTest, ShardsAreDisjointAndTogetherRunTheSuite) {
  SevenTests();
  std::multiset<std::string> ran;
  for (int k = 1; k <= 3; ++k) {
    RunOutput r = RunShard({absl::StrCat("--shard=", k, "/3")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> names = Ran(r);
    EXPECT_GE(names.size(), 2u) << k;
    ran.insert(names.begin(), names.end());
    EXPECT_EQ(LatestJob().shard(), absl::StrCat(k, "/3"));
  }
  EXPECT_EQ(ran, std::multiset<std::string>({"t1.sh", "t2.sh", "t3.sh", "t4.sh",
                                             "t5.sh", "t6.sh", "t7.sh"}));
}

TEST_F(ShardTest, ListShowsTheShardThatRunRuns) {
  SevenTests();
  RunOutput listed = Run({"list", "--shard=2/3", suite()});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(Listed(listed), ElementsAre("t2.sh", "t5.sh"));
  EXPECT_THAT(Ran(RunShard({"--shard=2/3"})), ElementsAre("t2.sh", "t5.sh"));
}

TEST_F(ShardTest, GitlabsParallelVariablesChooseTheShard) {
  SevenTests();
  RunOutput r = RunShard({}, {"CI_NODE_INDEX=3", "CI_NODE_TOTAL=3"});
  EXPECT_THAT(Ran(r), ElementsAre("t3.sh", "t6.sh"));
  // A job without parallel: has CI_NODE_TOTAL=1 and no index.
  EXPECT_EQ(Ran(RunShard({}, {"CI_NODE_TOTAL=1"})).size(), 7u);
  // The flag wins.
  EXPECT_THAT(
      Ran(RunShard({"--shard=1/3"}, {"CI_NODE_INDEX=3", "CI_NODE_TOTAL=3"})),
      ElementsAre("t1.sh", "t4.sh", "t7.sh"));
}

TEST_F(ShardTest, AnEmptyShardPassesAndSaysSo) {
  Script("a.sh", "#!/bin/sh\ntrue\n");
  Script("b.sh", "#!/bin/sh\ntrue\n");
  RunOutput r = RunShard({"--shard=3/3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.lines, ElementsAre(StartsWith("Results stored in"),
                                   "0 passed, 0 failed, 0 skipped"));
  EXPECT_EQ(r.err, "proctor: shard 3/3 has no tests: the suite has 2 tests\n");
  EXPECT_TRUE(LatestJob().complete());
}

TEST_F(ShardTest, BadShardsAreUsageErrorsInOneLine) {
  SevenTests();
  for (const char* bad : {"0/3", "4/3", "a/b", "3"}) {
    RunOutput r = RunShard({absl::StrCat("--shard=", bad)});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_EQ(r.err, absl::StrCat("proctor: error: --shard: bad shard \"", bad,
                                  "\": want K/N, shard K of N, with 1 <= K "
                                  "<= N\n"));
  }
  RunOutput r = RunShard({}, {"CI_NODE_INDEX=4", "CI_NODE_TOTAL=3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad shard from CI_NODE_INDEX=4 and "
                               "CI_NODE_TOTAL=3"));
  r = RunShard({"--shard=1/2", "--shard-by=speed"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad --shard-by=speed: want name or "
                               "durations:JOB"));
  r = RunShard({"--shard=1/2", "--shard-by=durations:no-such-job"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--shard-by=durations:no-such-job: "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// One slow test and six quick ones: by name, shard 1 of 2 would hold the
// slow one and three more; by the recorded durations it holds the slow one
// alone.
TEST_F(ShardTest, DurationsFromAnEarlierJobBalanceTheShards) {
  SevenTests();
  Script("t3.sh", "#!/bin/sh\nsleep 0.5\n");
  ASSERT_EQ(RunShard({}).exit_code, 0);
  std::string earlier = LatestJobDir();
  std::string by = "--shard-by=durations:" + earlier;
  EXPECT_THAT(Ran(RunShard({"--shard=1/2", by})), ElementsAre("t3.sh"));
  EXPECT_EQ(Ran(RunShard({"--shard=2/2", by})).size(), 6u);
  RunOutput listed = Run({"list", "--shard=1/2", by, suite()});
  EXPECT_THAT(Listed(listed), ElementsAre("t3.sh"));
}

}  // namespace
}  // namespace proctor::testing
