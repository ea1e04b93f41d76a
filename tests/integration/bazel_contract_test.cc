// proctor under `bazel test`: the environment Bazel gives a test (filter,
// shards, XML output, undeclared outputs, infrastructure failures) is
// honoured, so a `bazel test` target can be proctor itself.
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace fs = std::filesystem;

class BazelContractTest : public ProctorTest {
 protected:
  void FiveTests() {
    for (const char* t : {"a.sh", "b.sh", "c.sh", "d.sh", "e.sh"})
      Script(t, "#!/bin/sh\ntrue\n");
  }
  RunOutput RunWith(const std::vector<std::string>& env) {
    return Run({"run", "--results-dir=" + results(), "--sysinfo=off", suite()},
               env);
  }
};

TEST_F(BazelContractTest, ShardsTakeEveryNthTestAndTouchTheStatusFile) {
  FiveTests();
  std::string status = results() + "-shard-status";
  RunOutput r0 = RunWith({"TEST_TOTAL_SHARDS=2", "TEST_SHARD_INDEX=0",
                          "TEST_SHARD_STATUS_FILE=" + status});
  EXPECT_EQ(r0.exit_code, 0) << r0.err;
  EXPECT_THAT(r0.lines,
              ElementsAre(StartsWith("Results stored in"), "a.sh -- PASS",
                          "c.sh -- PASS", "e.sh -- PASS",
                          "3 passed, 0 failed, 0 skipped"));
  EXPECT_TRUE(fs::exists(status));
  RunOutput r1 = RunWith({"TEST_TOTAL_SHARDS=2", "TEST_SHARD_INDEX=1"});
  EXPECT_THAT(r1.lines,
              ElementsAre(StartsWith("Results stored in"), "b.sh -- PASS",
                          "d.sh -- PASS", "2 passed, 0 failed, 0 skipped"));
}

TEST_F(BazelContractTest, AShardWithoutTestsPasses) {
  Script("only.sh", "#!/bin/sh\ntrue\n");
  RunOutput r = RunWith({"TEST_TOTAL_SHARDS=3", "TEST_SHARD_INDEX=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.lines.back(), "0 passed, 0 failed, 0 skipped");
}

TEST_F(BazelContractTest, AShardIndexOutOfRangeIsAUsageError) {
  FiveTests();
  RunOutput r = RunWith({"TEST_TOTAL_SHARDS=2", "TEST_SHARD_INDEX=2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad shard: TEST_SHARD_INDEX=2 of "
                               "TEST_TOTAL_SHARDS=2"));
}

TEST_F(BazelContractTest, TestFilterSelectsByName) {
  FiveTests();
  RunOutput r = RunWith({"TESTBRIDGE_TEST_ONLY=^[bd]"});
  EXPECT_THAT(r.lines,
              ElementsAre(StartsWith("Results stored in"), "b.sh -- PASS",
                          "d.sh -- PASS", "2 passed, 0 failed, 0 skipped"));
}

TEST_F(BazelContractTest, XmlOutputFileGetsACasePerTestAndTapPoint) {
  Script("plain.sh", "#!/bin/sh\ntrue\n");
  Script("tap.sh",
         "#!/bin/sh\necho 'TAP version 14'\necho 1..2\necho 'ok 1 - one'\n"
         "echo 'not ok 2 - two'\n");
  std::string xml = results() + "-test.xml";
  RunOutput r = RunWith({"XML_OUTPUT_FILE=" + xml});
  EXPECT_EQ(r.exit_code, 1);
  std::string junit = ReadFile(xml);
  EXPECT_THAT(junit, HasSubstr("name=\"plain.sh\""));
  EXPECT_THAT(junit, HasSubstr("name=\"tap.sh\""));
  EXPECT_THAT(junit, HasSubstr("one\""));
  EXPECT_THAT(junit, HasSubstr("two\""));
  EXPECT_EQ(junit, ReadFile(LatestJobDir() + "/results.xml"));
}

TEST_F(BazelContractTest, ResultTreeGoesToTheUndeclaredOutputs) {
  Script("t.sh", "#!/bin/sh\ntrue\n");
  std::string outputs = results() + "-undeclared";
  fs::create_directories(outputs);
  RunOutput r =
      Run({"run", "--sysinfo=off", suite()},
          {"TEST_UNDECLARED_OUTPUTS_DIR=" + outputs, "PROCTOR_RESULTS="});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(outputs + "/latest/results.json"));
}

TEST_F(BazelContractTest, InfrastructureErrorsAreWrittenForBazel) {
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  std::string infra = results() + "-infra";
  RunOutput r =
      RunWith({"PROCTOR_IMAGE=", "TEST_INFRASTRUCTURE_FAILURE_FILE=" + infra});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(ReadFile(infra), StartsWith("proctor: no guest image"));
}

TEST_F(BazelContractTest, TestFailuresAreNotInfrastructureErrors) {
  Script("t.sh", "#!/bin/sh\nexit 1\n");
  std::string infra = results() + "-infra";
  RunOutput r = RunWith({"TEST_INFRASTRUCTURE_FAILURE_FILE=" + infra});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(fs::exists(infra));
}

}  // namespace
}  // namespace proctor::testing
