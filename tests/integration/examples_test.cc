// The example suite under tests/examples, run as a user would run it: the
// console must read exactly like the RFC's.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

class ExamplesTest : public ProctorTest {};

TEST_F(ExamplesTest, ConsoleReadsLikeTheRfc) {
  std::string examples =
      absl::StrCat(getenv("TEST_SRCDIR"), "/proctor/tests/examples");
  RunOutput r = Run({"run", "--results-dir=" + results(), examples});
  EXPECT_EQ(r.exit_code, 1);  // look-mom-i-can-use-perl.pl fails on purpose
  EXPECT_THAT(
      r.lines,
      ElementsAre(
          StartsWith("Results stored in /"), "c-test.sh -- PASS",
          "look-mom-i-can-use-perl.pl -- FAIL",
          "look-mom-i-can-use-shell.sh -- PASS", "my-full-test.py -- PASS",
          "my-yet-another-test.sh -- SKIPPED",
          "needs-a-missing-tool.sh -- SKIPPED", "subdir/nested.sh -- PASS",
          "tap-producer.sh -- PASS", "uses-data-and-tempdir.sh -- PASS",
          "6 passed, 1 failed, 2 skipped"));
  JobResult job = LatestJob();
  EXPECT_EQ(Find(job, "tap-producer.sh")->tap_points_size(), 4);
  EXPECT_EQ(ReadFile(LatestJobDir() +
                     "/tests/009-uses-data-and-tempdir.sh/outputs/report.txt"),
            "compared 44 bytes\n");
}

}  // namespace
}  // namespace proctor::testing
