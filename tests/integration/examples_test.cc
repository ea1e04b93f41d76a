// The example suite under tests/examples, run as a user would run it: the
// console must read exactly like the RFC's.
#include <optional>
#include <string>

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
          "wrapped/googletest-suite.sh -- PASS",
          "wrapped/pytest-suite.sh -- PASS", "8 passed, 1 failed, 2 skipped"));
  JobResult job = LatestJob();
  EXPECT_EQ(Find(job, "tap-producer.sh")->tap_points_size(), 4);
  // The wrapped suites' own cases, from the JUnit files they wrote.
  std::optional<TestResult> gtest = Find(job, "wrapped/googletest-suite.sh");
  ASSERT_TRUE(gtest.has_value());
  ASSERT_EQ(gtest->junit_cases_size(), 5);
  EXPECT_EQ(gtest->junit_cases(0).description(),
            "StringsTest.ReversedTwiceIsTheSame");
  EXPECT_EQ(gtest->junit_cases(3).directive(), "SKIP");
  std::optional<TestResult> pytest = Find(job, "wrapped/pytest-suite.sh");
  ASSERT_TRUE(pytest.has_value());
  ASSERT_EQ(pytest->junit_cases_size(), 6);
  EXPECT_EQ(pytest->junit_cases(2).description(),
            "test_arith.test_squares[3-9]");
  std::string xml = ReadFile(LatestJobDir() + "/results.xml");
  EXPECT_NE(xml.find("StringsTest.FindsASubstring"), std::string::npos);
  EXPECT_NE(xml.find("test_arith.test_float_sum"), std::string::npos);
  EXPECT_EQ(ReadFile(LatestJobDir() +
                     "/tests/009-uses-data-and-tempdir.sh/outputs/report.txt"),
            "compared 44 bytes\n");
}

}  // namespace
}  // namespace proctor::testing
