// `proctor results merge`: shard jobs made one job that every other
// command reads as any job, and what cannot be merged refused in one line.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tap/parser.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class MergeTest : public ProctorTest {
 protected:
  // Six passing tests and one failing, run as `shards` shards; the job
  // directories, in shard order.
  std::vector<std::string> RunShards(
      int shards, const std::vector<std::string>& extra = {}) {
    for (int i = 1; i <= 6; ++i) {
      Script(absl::StrCat("t", i, ".sh"), "#!/bin/sh\necho fine\n");
    }
    Script("bad.sh", "#!/bin/sh\necho broken\nexit 1\n");
    std::vector<std::string> dirs;
    for (int k = 1; k <= shards; ++k) {
      std::vector<std::string> args = {
          "run", "--results-dir=" + results(), "--sysinfo=off",
          absl::StrCat("--shard=", k, "/", shards)};
      if (k == shards) args.insert(args.end(), extra.begin(), extra.end());
      args.push_back(suite());
      Run(args);
      dirs.push_back(LatestJobDir());
    }
    return dirs;
  }
  RunOutput Merge(const std::vector<std::string>& jobs) {
    std::vector<std::string> args = {
        "results", "merge", "--results-dir=" + results(), "--into=" + into()};
    args.insert(args.end(), jobs.begin(), jobs.end());
    return Run(args);
  }
  std::string into() const { return results() + "-merged"; }
  JobResult Merged() {
    JobResult job;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(
                    ReadFile(into() + "/results.json"), &job)
                    .ok());
    return job;
  }
};

TEST_F(MergeTest, ShardsBecomeOneJobThatCountsEveryTestOnce) {
  std::vector<std::string> shards = RunShards(3);
  RunOutput r = Merge(shards);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.lines, ElementsAre("Merged 3 jobs into " + into(),
                                   "6 passed, 1 failed, 0 skipped"));
  EXPECT_EQ(r.err, "");
  JobResult job = Merged();
  EXPECT_TRUE(job.complete());
  EXPECT_EQ(job.summary().total(), 7);
  EXPECT_EQ(job.exit_code(), 1);
  ASSERT_EQ(job.tests_size(), 7);
  EXPECT_EQ(job.tests(0).name(), "bad.sh");
  EXPECT_EQ(job.merged_from_size(), 3);
  // Each test's files are in its shard's copy, sysinfo and logs too.
  for (const TestResult& t : job.tests()) {
    EXPECT_TRUE(fs::exists(into() + "/" + t.dir() + "/stdout")) << t.dir();
  }
  for (const std::string& s : shards) {
    std::string copy = into() + "/shards/" + fs::path(s).filename().string();
    EXPECT_TRUE(fs::exists(copy + "/job.log")) << copy;
    EXPECT_TRUE(fs::exists(copy + "/results.json")) << copy;
  }
  // The views: a case per test in results.xml, TAP that parses, the HTML.
  std::string xml = ReadFile(into() + "/results.xml");
  EXPECT_THAT(xml, HasSubstr("tests=\"7\" failures=\"1\""));
  tap::Document doc = tap::ParseString(ReadFile(into() + "/results.tap"));
  EXPECT_EQ(doc.point_count, 7);
  EXPECT_EQ(doc.failed, 1);
  EXPECT_THAT(ReadFile(into() + "/results.html"), HasSubstr("t6.sh"));
  EXPECT_THAT(ReadFile(into() + "/job.log"), HasSubstr("(shard 2/3)"));
}

TEST_F(MergeTest, ShowDiffAndRerunFailedWorkOnTheMergedJob) {
  RunShards(2);
  std::vector<std::string> shards = {LatestJobDir()};
  ASSERT_EQ(Merge({"latest", "latest~1"}).exit_code, 0);
  RunOutput shown = Run({"results", "show", into()});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("6 passed, 1 failed, 0 skipped"));
  EXPECT_THAT(shown.out, HasSubstr("FAIL bad.sh"));
  EXPECT_THAT(shown.out, HasSubstr("stdout | broken"));
  // Against one shard: the other shard's tests are new.
  RunOutput diff =
      Run({"results", "diff", "--results-dir=" + results(), shards[0], into()});
  EXPECT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_THAT(diff.out, HasSubstr("new"));
  RunOutput rerun = Run({"run", "--rerun-failed", "--results-dir=" + results(),
                         "--sysinfo=off", into()});
  EXPECT_THAT(rerun.lines,
              ElementsAre(StartsWith("Results stored in"), "bad.sh -- FAIL",
                          "0 passed, 1 failed, 0 skipped"));
}

TEST_F(MergeTest, AJobIsNotMergedWithItself) {
  RunShards(1);
  RunOutput r = Merge({"latest", LatestJobDir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is given twice: a job is not merged with "
                               "itself"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  EXPECT_FALSE(fs::exists(into()));
}

TEST_F(MergeTest, ADirectoryThatIsNotAJobIsRefused) {
  RunShards(1);
  RunOutput r = Merge({"latest", suite()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("has no results.json: not a job directory"));
  EXPECT_FALSE(fs::exists(into()));
}

TEST_F(MergeTest, ATestInTwoShardsIsAnErrorNamingIt) {
  RunShards(2);
  // Shard 2 again, as if two machines had been given the same index.
  Run({"run", "--results-dir=" + results(), "--sysinfo=off", "--shard=2/2",
       suite()});
  RunOutput r = Merge({"latest", "latest~1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is in two shards: job-"));
  EXPECT_FALSE(fs::exists(into()));
}

TEST_F(MergeTest, AnEmptyIntoDirectoryIsLeftEmptyWhenTheMergeFails) {
  RunShards(2);
  Run({"run", "--results-dir=" + results(), "--sysinfo=off", "--shard=2/2",
       suite()});
  fs::create_directories(into());
  EXPECT_EQ(Merge({"latest", "latest~1"}).exit_code, 2);
  ASSERT_TRUE(fs::is_directory(into()));
  EXPECT_TRUE(fs::is_empty(into()));
}

TEST_F(MergeTest, AnotherCommandLineIsMergedButSaid) {
  RunShards(2, {"--timeout=1m"});
  RunOutput r = Merge({"latest", "latest~1"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("proctor: note: "));
  EXPECT_THAT(r.err, HasSubstr("ran another command line"));
  ASSERT_EQ(Merged().merge_notes_size(), 1);
}

TEST_F(MergeTest, AShardKilledMidRunIsMergedAndMarkedIncomplete) {
  RunShards(2);
  std::string first = LatestJobDir();
  Script("zz-long.sh",
         "#!/bin/sh\necho $$ > \"$OUTPUTDIR/pid\"\nexec sleep 1000\n");
  std::string out = results() + ".stdout";
  Subprocess p = Start({"run", "--results-dir=" + results(), "--sysinfo=off",
                        "--filter=zz", suite()},
                       out);
  std::string pid_file = results() + "/latest/tests/001-zz-long.sh/outputs/pid";
  ASSERT_TRUE(WaitForFile(pid_file));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(p.pid(), SIGKILL);
  p.Wait();
  int pid = std::stoi(ReadFile(pid_file));
  kill(-pid, SIGKILL);
  RunOutput r = Merge({first, "latest"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is incomplete"));
  EXPECT_FALSE(Merged().complete());
}

TEST_F(MergeTest, IntoIsNeededAndMustBeNewOrEmpty) {
  RunShards(1);
  RunOutput r =
      Run({"results", "merge", "--results-dir=" + results(), "latest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("needs --into=DIR"));
  fs::create_directories(into());
  Script("../" + fs::path(into()).filename().string() + "/x", "x");
  r = Merge({"latest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("exists and is not empty"));
  EXPECT_TRUE(fs::exists(into() + "/x"));
}

}  // namespace
}  // namespace proctor::testing
