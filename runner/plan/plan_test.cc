// PlanTests on real files in a temporary directory: settings from flags
// and metadata, places, selection, sharding and numbering.
#include "runner/plan/plan.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/test_dir.h"

namespace proctor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = FreshTestDir();
    options_.paths = {root_};
    options_.path_env = getenv("PATH");
  }
  void Test(const std::string& name, const std::string& metadata = "") {
    std::string path = root_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n"
                        << (metadata.empty() ? "" : "# proctor: " + metadata)
                        << "\n";
    chmod(path.c_str(), 0755);
  }
  std::vector<PlannedTest> Plan() {
    absl::StatusOr<std::vector<PlannedTest>> plan = PlanTests(options_);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : std::vector<PlannedTest>();
  }
  std::vector<std::string> Names() {
    std::vector<std::string> names;
    for (const PlannedTest& t : Plan()) names.push_back(t.name);
    return names;
  }
  std::string root_;
  PlanOptions options_;
};

TEST_F(PlanTest, MetadataWinsOverTheFlagsDefault) {
  Test("t.sh", "timeout=7s");
  options_.timeout = absl::Minutes(10);
  std::vector<PlannedTest> plan = Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].timeout, absl::Seconds(7));
}

TEST_F(PlanTest, AFlagGivenExplicitlyWinsOverMetadata) {
  Test("t.sh", "timeout=7s");
  options_.timeout = absl::Seconds(3);
  options_.timeout_explicit = true;
  std::vector<PlannedTest> plan = Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].timeout, absl::Seconds(3));
}

TEST_F(PlanTest, BothPlansOneTestPerPlaceNamedByIt) {
  Test("t.sh", "where=both");
  std::vector<PlannedTest> plan = Plan();
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].name, "t.sh [host]");
  EXPECT_EQ(plan[0].where, Where::kHost);
  EXPECT_EQ(plan[1].name, "t.sh [guest]");
  EXPECT_EQ(plan[1].where, Where::kGuest);
}

TEST_F(PlanTest, UnmetHostRequirementIsSkippedWithTheReason) {
  Test("t.sh", "requires=cmd:no-such-command-here");
  std::vector<PlannedTest> plan = Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].preset, SKIPPED);
  EXPECT_THAT(plan[0].preset_reason, HasSubstr("cmd:no-such-command-here"));
}

TEST_F(PlanTest, GuestTestsRequirementsAreLeftToTheGuest) {
  Test("t.sh", "where=guest requires=cmd:no-such-command-here");
  std::vector<PlannedTest> plan = Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].preset, STATUS_UNSPECIFIED);
}

TEST_F(PlanTest, RequiresVmInTheGuestIsSkippedSayingItIsAHostRequirement) {
  Test("t.sh", "requires=vm");
  options_.where = Where::kGuest;
  options_.where_explicit = true;
  std::vector<PlannedTest> plan = Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].preset, SKIPPED);
  EXPECT_THAT(plan[0].preset_reason, HasSubstr("requires vm: a host test's"));
  EXPECT_FALSE(plan[0].wants_guest());
}

TEST_F(PlanTest, BothRunsARequiresVmTestOnTheHostAndSkipsItInTheGuest) {
  Test("t.sh", "where=both requires=vm");
  setenv("PROCTOR_IMAGE", "/some/image", 1);
  std::vector<PlannedTest> plan = Plan();
  unsetenv("PROCTOR_IMAGE");
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].preset, STATUS_UNSPECIFIED);
  EXPECT_TRUE(plan[0].wants_guest());
  EXPECT_EQ(plan[1].preset, SKIPPED);
}

TEST_F(PlanTest, FilterAndTagsSelect) {
  Test("a.sh", "tags=slow");
  Test("b.sh", "tags=fast");
  Test("c.sh");
  options_.tags = {"-slow"};
  EXPECT_THAT(Names(), ElementsAre("b.sh", "c.sh"));
  options_.tags = {};
  options_.filter = "^[ab]";
  EXPECT_THAT(Names(), ElementsAre("a.sh", "b.sh"));
}

TEST_F(PlanTest, NothingSelectedIsNotFoundSayingSo) {
  Test("a.sh");
  options_.filter = "zzz";
  absl::StatusOr<std::vector<PlannedTest>> plan = PlanTests(options_);
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(std::string(plan.status().message()),
              HasSubstr("(after --filter/--tags)"));
}

TEST_F(PlanTest, BadFilterIsAUsageError) {
  Test("a.sh");
  options_.filter = "(";
  absl::StatusOr<std::vector<PlannedTest>> plan = PlanTests(options_);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PlanTest, ShardsAreDisjointAndCoverEveryTest) {
  for (const char* n : {"a.sh", "b.sh", "c.sh", "d.sh", "e.sh"}) Test(n);
  options_.shard.total = 2;
  options_.shard.index = 0;
  std::vector<std::string> first = Names();
  options_.shard.index = 1;
  std::vector<std::string> second = Names();
  EXPECT_THAT(first, ElementsAre("a.sh", "c.sh", "e.sh"));
  EXPECT_THAT(second, ElementsAre("b.sh", "d.sh"));
}

// Tests are numbered within their shard: shard 2's first test is 001.
TEST_F(PlanTest, AShardsTestsAreNumberedFromOne) {
  for (const char* n : {"a.sh", "b.sh", "c.sh"}) Test(n);
  options_.shard.total = 2;
  options_.shard.index = 1;
  std::vector<PlannedTest> plan = Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].index, 1);
  EXPECT_EQ(plan[0].dir, "tests/001-b.sh");
}

TEST_F(PlanTest, TestsAreNumberedInRunOrderWithTheirDirectories) {
  Test("a.sh");
  Test("b c.sh");
  std::vector<PlannedTest> plan = Plan();
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].index, 1);
  EXPECT_EQ(plan[0].dir, "tests/001-a.sh");
  EXPECT_EQ(plan[1].index, 2);
  EXPECT_THAT(plan[1].dir, ::testing::StartsWith("tests/002-"));
}

}  // namespace
}  // namespace proctor
