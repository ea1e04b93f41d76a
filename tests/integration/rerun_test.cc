// `proctor run --rerun-failed [JOB]` and `--until-pass N` with the real
// binary: which tests run again, with which flags, and how a test that
// passes on a later try is recorded.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class RerunTest : public ProctorTest {
 protected:
  static int ListJobs(const std::string& dir) {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      n += e.path().filename().string().rfind("job-", 0) == 0;
    return n;
  }
  // Fails on its first run, passes afterwards (a counter beside the suite).
  void FlakyScript() {
    Script("flaky.sh", absl::StrCat("#!/bin/sh\nc=", suite(),
                                    "/../count\nn=$(cat $c 2>/dev/null || echo "
                                    "0)\necho $((n+1)) > $c\n[ $n -ge 1 ]\n"));
  }
  RunOutput Rerun(std::vector<std::string> args = {}) {
    args.insert(args.begin(),
                {"run", "--rerun-failed", "--results-dir=" + results()});
    return Run(args);
  }
};

TEST_F(RerunTest, RerunFailedRunsOnlyWhatDidNotPassWithTheJobsFlags) {
  Script("ok.sh", "#!/bin/sh\ntrue\n");
  Script("bad.sh", "#!/bin/sh\nexit 1\n");
  Script("slow.sh", "#!/bin/sh\nsleep 10\n");
  Script("skips.sh", "#!/bin/sh\nexit 77\n");
  ASSERT_EQ(RunSuite({"--timeout=1s"}).exit_code, 1);
  RunOutput r = Rerun();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(std::vector<std::string>(r.lines.begin() + 1, r.lines.end()),
              ElementsAre("bad.sh -- FAIL", "slow.sh -- TIMEOUT",
                          "0 passed, 2 failed, 0 skipped"));
  // The rerun's command line says what it ran: the job's flags and a
  // filter naming the tests.
  std::string argv = absl::StrJoin(LatestJob().argv(), " ");
  EXPECT_THAT(argv, HasSubstr("--timeout=1s"));
  EXPECT_THAT(argv, HasSubstr("--filter=^(?:bad\\.sh|slow\\.sh)$"));
}

TEST_F(RerunTest, FlagsGivenNowWinOverTheJobs) {
  Script("slow.sh", "#!/bin/sh\nsleep 2\n");
  ASSERT_EQ(RunSuite({"--timeout=1s"}).exit_code, 1);
  RunOutput r = Rerun({"--timeout=30s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.lines[1], "slow.sh -- PASS");
}

TEST_F(RerunTest, AnOlderJobCanBeNamed) {
  Script("bad.sh", "#!/bin/sh\nexit 1\n");
  Script("ok.sh", "#!/bin/sh\ntrue\n");
  ASSERT_EQ(RunSuite().exit_code, 1);
  ASSERT_EQ(RunSuite({"--filter=ok"}).exit_code, 0);
  EXPECT_THAT(Rerun().lines,
              ElementsAre(StartsWith("proctor: nothing to rerun")));
  RunOutput r = Rerun({"latest~1"});
  EXPECT_EQ(r.lines[1], "bad.sh -- FAIL");
}

// The job ran from the suite's parent with relative paths; the rerun,
// from elsewhere, names its results directory relative to where it is.
TEST_F(RerunTest, RelativePathsKeepTheirMeaningFromEitherDirectory) {
  Script("bad.sh", "#!/bin/sh\nexit 1\n");
  std::string parent = std::filesystem::path(suite()).parent_path().string();
  std::string base = std::filesystem::path(suite()).filename().string();
  std::string elsewhere = parent + "/elsewhere";
  std::filesystem::create_directories(elsewhere);
  RunOutput r = RunBinary(
      "/bin/sh",
      {"-c", absl::StrCat("cd '", parent, "' && '", ProctorBinary(),
                          "' run --sysinfo=off --results-dir=res ", base)});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  r = RunBinary(
      "/bin/sh",
      {"-c", absl::StrCat("cd '", elsewhere, "' && '", ProctorBinary(),
                          "' run --rerun-failed --results-dir=../res")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.lines, ::testing::Contains("bad.sh -- FAIL"));
  EXPECT_FALSE(std::filesystem::exists(parent + "/elsewhere/res"));
  EXPECT_EQ(ListJobs(parent + "/res"), 2);
}

TEST_F(RerunTest, UntilPassRecordsALaterPassAsFlakyAndKeepsEachTry) {
  FlakyScript();
  Script("ok.sh", "#!/bin/sh\necho fine\n");
  RunOutput r = RunSuite({"--until-pass=3"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(std::vector<std::string>(r.lines.begin() + 1, r.lines.end()),
              ElementsAre("flaky.sh -- FAIL", "ok.sh -- PASS",
                          "flaky.sh -- PASS (try 2)",
                          "2 passed, 0 failed, 0 skipped (1 flaky)"));
  JobResult job = LatestJob();
  EXPECT_EQ(job.summary().flaky(), 1);
  EXPECT_TRUE(Find(job, "flaky.sh")->flaky());
  EXPECT_EQ(Find(job, "flaky.sh")->attempts(), 2);
  EXPECT_FALSE(Find(job, "ok.sh")->flaky());
  EXPECT_TRUE(std::filesystem::exists(LatestJobDir() +
                                      "/tests/001-flaky.sh.try-1/result.json"));
}

TEST_F(RerunTest, UntilPassGivesUpAfterNTries) {
  Script("bad.sh", "#!/bin/sh\nexit 1\n");
  RunOutput r = RunSuite({"--until-pass=3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(
      std::vector<std::string>(r.lines.begin() + 1, r.lines.end()),
      ElementsAre("bad.sh -- FAIL", "bad.sh -- FAIL (try 2)",
                  "bad.sh -- FAIL (try 3)", "0 passed, 1 failed, 0 skipped"));
  EXPECT_EQ(Find(LatestJob(), "bad.sh")->attempts(), 3);
  EXPECT_FALSE(Find(LatestJob(), "bad.sh")->flaky());
}

TEST_F(RerunTest, BadInputIsAUsageError) {
  Script("ok.sh", "#!/bin/sh\ntrue\n");
  RunOutput r = RunSuite({"--until-pass=0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--until-pass must be at least 1"));
  r = Rerun();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no results in"));
  ASSERT_EQ(RunSuite().exit_code, 0);
  r = Rerun({"nosuchjob"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no job 'nosuchjob'"));
}

}  // namespace
}  // namespace proctor::testing
