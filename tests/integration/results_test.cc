// `proctor results list | show | diff` on jobs the real binary ran: two
// runs of a suite that changes in between.
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ResultsTest : public ProctorTest {
 protected:
  RunOutput Results(std::vector<std::string> args) {
    args.insert(args.begin(), {"results", "--results-dir=" + results()});
    return Run(args);
  }
  // Job one: ok.sh and breaks.sh pass, tap.sh has 2 good points, gone.sh
  // fails. Job two: breaks.sh fails loudly, tap.sh's point 2 fails,
  // gone.sh is gone and new.sh arrives.
  void TwoJobs() {
    Script("ok.sh", "#!/bin/sh\ntrue\n");
    Script("breaks.sh", "#!/bin/sh\ntrue\n");
    Script("tap.sh", "#!/bin/sh\necho 1..2; echo ok 1 - a; echo ok 2 - b\n");
    Script("gone.sh", "#!/bin/sh\nexit 1\n");
    ASSERT_EQ(RunSuite().exit_code, 1);
    sleep(1);  // job directories are named by the second they start
    Script("breaks.sh",
           "#!/bin/sh\nfor i in $(seq 20); do echo line $i; done\n"
           "echo 'it broke' >&2\nexit 3\n");
    Script("tap.sh",
           "#!/bin/sh\necho 1..2; echo ok 1 - a; echo not ok 2 - b\n");
    unlink((suite() + "/gone.sh").c_str());
    Script("new.sh", "#!/bin/sh\ntrue\n");
    ASSERT_EQ(RunSuite().exit_code, 1);
  }
};

TEST_F(ResultsTest, ListShowsEveryJobOldestFirst) {
  TwoJobs();
  RunOutput r = Results({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_THAT(r.lines[0], HasSubstr("3 passed, 1 failed, 0 skipped"));
  EXPECT_THAT(r.lines[1], HasSubstr("2 passed, 2 failed, 0 skipped"));
  EXPECT_THAT(r.lines[1], HasSubstr("exit 1  proctor run --results-dir="));
  EXPECT_THAT(Results({"list", "--json"}).out, HasSubstr("\"jobs\": ["));
}

TEST_F(ResultsTest, ShowListsFailuresWithTheEndOfTheirOutput) {
  TwoJobs();
  RunOutput r = Results({"show"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.lines, Contains("  2 passed, 2 failed, 0 skipped"));
  EXPECT_THAT(r.lines, Contains("  system: (no sysinfo collected)"));
  EXPECT_THAT(r.lines, Contains(::testing::AllOf(
                           StartsWith("FAIL breaks.sh ("),
                           ::testing::EndsWith(" s): exit status 3"))));
  EXPECT_THAT(r.lines, Contains("  stdout | line 20"));
  EXPECT_THAT(r.lines, Contains("  stderr | it broke"));
  EXPECT_THAT(r.lines, ::testing::Not(Contains("  stdout | line 10")));
  EXPECT_THAT(r.lines, Contains("  not ok 2 - b"));
  // --tail, and an older job by name.
  r = Results({"show", "--tail=20", "latest"});
  EXPECT_THAT(r.lines, Contains("  stdout | line 1"));
  r = Results({"show", "latest~1"});
  EXPECT_THAT(r.lines, Contains(::testing::AllOf(
                           StartsWith("FAIL gone.sh ("),
                           ::testing::EndsWith(" s): exit status 1"))));
}

TEST_F(ResultsTest, DiffNamesEveryChangeTestByTestAndPointByPoint) {
  TwoJobs();
  RunOutput r = Results({"diff", "latest~1", "latest"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GE(r.lines.size(), 2u);
  EXPECT_THAT(r.lines[0], StartsWith("job-"));
  EXPECT_THAT(
      std::vector<std::string>(r.lines.begin() + 1, r.lines.end()),
      ElementsAre("  broke    breaks.sh: PASS -> FAIL",
                  "  removed  gone.sh: was FAIL", "  new      new.sh: PASS",
                  "  broke    tap.sh: PASS -> FAIL",
                  "             2 - b: ok -> not ok",
                  "3 passed, 1 failed, 0 skipped -> 2 passed, 2 failed, "
                  "0 skipped"));
  RunOutput json = Results({"diff", "--json", "latest~1", "latest"});
  EXPECT_THAT(json.out, HasSubstr("\"kind\": \"removed\""));
  EXPECT_THAT(json.out, HasSubstr("\"description\": \"b\""));
  EXPECT_THAT(json.out, HasSubstr("\"before\": \"ok\""));
  EXPECT_THAT(json.out, HasSubstr("\"after\": \"not ok\""));
  // A job against itself: nothing changed.
  r = Results({"diff", "latest", "latest"});
  EXPECT_THAT(r.lines, Contains("  no changes"));
}

TEST_F(ResultsTest, BadJobNamesAreUsageErrors) {
  TwoJobs();
  RunOutput r = Results({"show", "nosuchjob"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no job 'nosuchjob' in "));
  r = Results({"show", "job-"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is ambiguous: 2 jobs match"));
  r = Results({"diff", "latest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("usage: proctor results"));
  r = Run({"results", "--results-dir=/nonexistent", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no results in /nonexistent"));
}

// A job that stops before its tests (exit 3: no guest image for a guest
// test) is a complete job all the same: its result files say why, the
// event stream ends with job_finished, and `results` lists and shows it.
TEST_F(ResultsTest, AJobStoppedBeforeItsTestsIsListedAndShownWithTheReason) {
  Script("guest.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  std::string events = results() + "-events.jsonl";
  RunOutput run = Run({"run", "--results-dir=" + results(),
                       "--json-stream=" + events, "--sysinfo=off", suite()},
                      {"PROCTOR_IMAGE="});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_THAT(run.err, HasSubstr("no guest image"));

  JobResult job = LatestJob();
  EXPECT_TRUE(job.complete());
  EXPECT_EQ(job.exit_code(), 3);
  EXPECT_THAT(job.error(), HasSubstr("no guest image"));
  EXPECT_EQ(job.tests_size(), 0);
  for (const char* f : {"results.xml", "results.tap", "results.html"}) {
    EXPECT_FALSE(ReadFile(LatestJobDir() + "/" + f).empty()) << f;
  }
  EXPECT_THAT(ReadFile(LatestJobDir() + "/results.html"),
              HasSubstr("stopped before its tests"));
  std::string stream = ReadFile(events);
  size_t last = stream.rfind("{\"");
  ASSERT_NE(last, std::string::npos);
  EXPECT_THAT(stream.substr(last), HasSubstr("\"event\":\"job_finished\""));
  EXPECT_THAT(stream.substr(last), HasSubstr("no guest image"));

  RunOutput list = Results({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  ASSERT_EQ(list.lines.size(), 1u);
  EXPECT_THAT(list.lines[0], HasSubstr("stopped before its tests"));
  EXPECT_THAT(list.lines[0], HasSubstr("exit 3"));
  RunOutput show = Results({"show"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("stopped before its tests: no guest image"));
}

}  // namespace
}  // namespace proctor::testing
