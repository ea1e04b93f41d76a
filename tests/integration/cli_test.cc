// The command line: usage errors are exit 2 with one clear line, and the
// selection and scheduling flags do what they say.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class CliTest : public ProctorTest {
 protected:
  void ExpectUsageError(const RunOutput& r, const std::string& message) {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, StartsWith("proctor: error: "));
    EXPECT_THAT(r.err, HasSubstr(message));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(results()));
  }
};

TEST_F(CliTest, UnknownFlagIsAUsageError) {
  Script("t.sh", "#!/bin/sh\n");
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), "--frobnicate", suite()}),
      "unknown flag --frobnicate");
}

TEST_F(CliTest, MissingPathIsAUsageError) {
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), suite() + "/nope"}),
      "No such file or directory");
}

TEST_F(CliTest, NoPathIsAUsageError) {
  ExpectUsageError(Run({"run", "--results-dir=" + results()}),
                   "no test path given");
}

TEST_F(CliTest, EmptyDirectoryIsAUsageError) {
  ExpectUsageError(Run({"run", "--results-dir=" + results(), suite()}),
                   "no tests found in");
}

TEST_F(CliTest, UnexecutableScriptsAreNamedWhenNoTestIsFound) {
  Script("t.sh", "#!/bin/sh\ntrue\n", 0644);
  Script("notes.txt", "not a script\n", 0644);
  ExpectUsageError(Run({"run", "--results-dir=" + results(), suite()}),
                   "no tests found in " + suite() +
                       "; 1 script is not executable, e.g. " + suite() +
                       "/t.sh: chmod +x to make them tests");
}

TEST_F(CliTest, WithoutAPathProctorTestsIsRun) {
  // The container's default: PROCTOR_TESTS=/tests.
  Script("t.sh", "#!/bin/sh\ntrue\n");
  RunOutput r = Run({"run", "--results-dir=" + results(), "--sysinfo=off"},
                    {"PROCTOR_TESTS=" + suite()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.lines[1], "t.sh -- PASS");
}

TEST_F(CliTest, BadFlagValuesAreUsageErrors) {
  Script("t.sh", "#!/bin/sh\n");
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), "--timeout=soon", suite()}),
      "bad timeout 'soon'");
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), "-j", "0", suite()}),
      "--jobs must be at least 1");
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), "--jobs=many", suite()}),
      "bad value 'many' for --jobs");
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), "--where=moon", suite()}),
      "bad where 'moon'");
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), "--filter=(", suite()}),
      "bad --filter pattern");
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), "--sysinfo=always", suite()}),
      "bad --sysinfo 'always'");
  ExpectUsageError(
      Run({"run", "--results-dir=" + results(), "--max-output=lots", suite()}),
      "bad size 'lots'");
}

TEST_F(CliTest, UnknownCommandIsAUsageError) {
  RunOutput r = Run({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate'"));
}

TEST_F(CliTest, HelpListsTheFlags) {
  RunOutput r = Run({"run", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--results-dir"));
  EXPECT_THAT(r.out, HasSubstr("--max-output=64M"));
}

TEST_F(CliTest, FilterSelectsByName) {
  Script("alpha.sh", "#!/bin/sh\n");
  Script("beta.sh", "#!/bin/sh\n");
  Script("sub/alphabet.sh", "#!/bin/sh\n");
  RunOutput r = RunSuite({"--filter=^alpha"});
  EXPECT_THAT(r.lines,
              ElementsAre(HasSubstr("Results stored in"), "alpha.sh -- PASS",
                          "1 passed, 0 failed, 0 skipped"));
  r = RunSuite({"--filter", "alpha"});
  EXPECT_EQ(r.lines.size(), 4u);
}

// A test that drives the job's guest from the host, forced into the guest:
// skipped, saying why, and no guest is booted for it (no image is given).
TEST_F(CliTest, RequiresVmForcedIntoTheGuestIsSkippedWithTheReason) {
  Script("drives-vm.sh",
         "#!/bin/sh\n# proctor: requires=vm\nproctor vm exec true\n");
  RunOutput r = RunSuite({"--where=guest"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.lines, ElementsAre(HasSubstr("Results stored in"),
                                   "drives-vm.sh -- SKIPPED",
                                   "0 passed, 0 failed, 1 skipped"));
  std::optional<TestResult> t = Find(LatestJob(), "drives-vm.sh");
  ASSERT_TRUE(t.has_value());
  EXPECT_THAT(t->reason(), HasSubstr("requires vm: a host test's requirement"));
}

TEST_F(CliTest, TagsIncludeAndExclude) {
  Script("fast.sh", "#!/bin/sh\n# proctor: tags=fast,net\n");
  Script("slow.sh", "#!/bin/sh\n# proctor: tags=slow\n");
  Script("plain.sh", "#!/bin/sh\n");
  RunOutput r = RunSuite({"--tags=fast"});
  EXPECT_THAT(r.lines[1], "fast.sh -- PASS");
  EXPECT_EQ(r.lines.size(), 3u);
  r = RunSuite({"--tags=-slow"});
  EXPECT_THAT(r.lines,
              ElementsAre(HasSubstr("Results stored in"), "fast.sh -- PASS",
                          "plain.sh -- PASS", "2 passed, 0 failed, 0 skipped"));
}

TEST_F(CliTest, ParallelJobsRunTestsAtTheSameTime) {
  // Each test waits for the other to start: only concurrent runs pass.
  Script("a.sh",
         "#!/bin/sh\ntouch \"$OUTPUTDIR/../../a.started\"\n"
         "for i in $(seq 100); do [ -e \"$OUTPUTDIR/../../b.started\" ] && "
         "exit 0; sleep 0.1; done\nexit 1\n");
  Script("b.sh",
         "#!/bin/sh\ntouch \"$OUTPUTDIR/../../b.started\"\n"
         "for i in $(seq 100); do [ -e \"$OUTPUTDIR/../../a.started\" ] && "
         "exit 0; sleep 0.1; done\nexit 1\n");
  RunOutput r = RunSuite({"-j", "2", "--timeout=30s"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  JobResult job = LatestJob();
  ASSERT_EQ(job.tests_size(), 2);
  EXPECT_EQ(job.tests(0).name(),
            "a.sh");  // index order, whatever finished first
}

TEST_F(CliTest, ResultsDirComesFromTheEnvironment) {
  Script("t.sh", "#!/bin/sh\n");
  RunOutput r =
      Run({"run", "--sysinfo=off", suite()}, {"PROCTOR_RESULTS=" + results()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(results() + "/latest/results.json"));
}

TEST_F(CliTest, ListShowsTestsWithMetadata) {
  Script("a.sh", "#!/bin/sh\n# proctor: timeout=30s tags=x,y\n");
  Script("b.sh", "#!/bin/sh\n# proctor: requires=cmd:no-such-cmd-xyz\n");
  Script("c.sh", "#!/bin/sh\n", 0644);
  RunOutput r = Run({"list", suite()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.lines,
              ElementsAre("a.sh\twhere=host\ttimeout=30s\ttags=x,y",
                          "b.sh\twhere=host\ttimeout=10m\tSKIPPED: requires "
                          "cmd:no-such-cmd-xyz: not found in PATH"));
  EXPECT_FALSE(std::filesystem::exists(results()));
}

TEST_F(CliTest, FileArgumentIsNamedByItsFileName) {
  std::string path = Script("deep/dir/t.sh", "#!/bin/sh\n");
  RunOutput r =
      Run({"run", "--results-dir=" + results(), "--sysinfo=off", path});
  EXPECT_EQ(r.lines[1], "t.sh -- PASS");
}

}  // namespace
}  // namespace proctor::testing
