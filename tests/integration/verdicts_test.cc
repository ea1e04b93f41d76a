// Verdicts as a user sees them: the console line, the exit code, and the
// status and reason in results.json.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class VerdictTest : public ProctorTest {};

TEST_F(VerdictTest, ExitStatusDecidesTheVerdict) {
  Script("a-pass.sh", "#!/bin/sh\nexit 0\n");
  Script("b-fail.sh", "#!/bin/sh\nexit 3\n");
  Script("c-skip.sh", "#!/bin/sh\nexit 77\n");
  Script("d-error.sh", "#!/bin/sh\nexit 99\n");
  Script("e-signal.sh", "#!/bin/sh\nkill -SEGV $$\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(
      r.lines,
      ElementsAre(HasSubstr("Results stored in " + results() + "/job-"),
                  "a-pass.sh -- PASS", "b-fail.sh -- FAIL",
                  "c-skip.sh -- SKIPPED", "d-error.sh -- ERROR",
                  "e-signal.sh -- ERROR", "1 passed, 3 failed, 1 skipped"));
  JobResult job = LatestJob();
  EXPECT_EQ(Find(job, "b-fail.sh")->exit_code(), 3);
  EXPECT_EQ(Find(job, "b-fail.sh")->reason(), "exit status 3");
  EXPECT_EQ(Find(job, "e-signal.sh")->signal(), 11);
  EXPECT_THAT(Find(job, "e-signal.sh")->reason(), HasSubstr("signal 11"));
  EXPECT_EQ(job.summary().errors(), 2);
  EXPECT_EQ(job.summary().failed(), 1);
}

TEST_F(VerdictTest, AllPassingExitsZero) {
  Script("ok.sh", "#!/bin/sh\ntrue\n");
  Script("skip.sh", "#!/bin/sh\nexit 77\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.lines.back(), "1 passed, 0 failed, 1 skipped");
}

TEST_F(VerdictTest, FailingTapPointFailsTheTestAndNamesIt) {
  Script("t.sh",
         "#!/bin/sh\necho 'TAP version 14'\necho 1..2\necho 'ok 1 - fine'\n"
         "echo 'not ok 2 - broken thing'\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.lines[1], "t.sh -- FAIL");
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_TRUE(t->tap());
  EXPECT_EQ(t->exit_code(), 0);
  EXPECT_THAT(t->reason(), HasSubstr("not ok 2 - broken thing"));
  ASSERT_EQ(t->tap_points_size(), 2);
  EXPECT_FALSE(t->tap_points(1).ok());
}

TEST_F(VerdictTest, TodoFailuresAndSkipsStillPass) {
  Script("t.sh",
         "#!/bin/sh\necho 1..2\necho 'not ok 1 # TODO later'\n"
         "echo 'ok 2 # SKIP no disk'\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.lines[1], "t.sh -- PASS");
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->tap_points(0).directive(), "TODO");
  EXPECT_EQ(t->tap_points(1).reason(), "no disk");
}

TEST_F(VerdictTest, TapSkipAllPlanSkipsWithItsReason) {
  Script("t.sh",
         "#!/bin/sh\necho 'TAP version 14'\necho '1..0 # SKIP needs a GPU'\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.lines[1], "t.sh -- SKIPPED");
  EXPECT_EQ(Find(LatestJob(), "t.sh")->reason(), "needs a GPU");
}

TEST_F(VerdictTest, MissingPlanFailsATapTest) {
  Script("t.sh", "#!/bin/sh\necho 'ok 1'\necho 'ok 2'\n");
  RunSuite();
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_EQ(t->reason(), "TAP: no plan");
}

TEST_F(VerdictTest, BailOutFailsATapTest) {
  Script("t.sh",
         "#!/bin/sh\necho 1..3\necho 'ok 1'\necho 'Bail out! no database'\n");
  RunSuite();
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_EQ(t->reason(), "TAP: Bail out! no database");
  EXPECT_TRUE(t->tap_summary().bailed_out());
}

TEST_F(VerdictTest, NonZeroExitFailsEvenWhenTapPasses) {
  Script("t.sh", "#!/bin/sh\necho 1..1\necho 'ok 1'\nexit 4\n");
  RunSuite();
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_EQ(t->reason(), "exit status 4");
}

TEST_F(VerdictTest, TapSubtestsAreKeptNested) {
  Script("t.sh",
         "#!/bin/sh\necho 'TAP version 14'\necho 1..1\n"
         "echo '    # Subtest: group'\necho '    1..2'\n"
         "echo '    ok 1 - a'\necho '    ok 2 - b'\necho 'ok 1 - group'\n");
  RunSuite();
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->status(), PASS);
  ASSERT_EQ(t->tap_points_size(), 1);
  EXPECT_EQ(t->tap_points(0).subtest_name(), "group");
  EXPECT_EQ(t->tap_points(0).subtest_size(), 2);
}

TEST_F(VerdictTest, FormatExitIgnoresTapLookingOutput) {
  Script("t.sh", "#!/bin/sh\necho 1..2\necho 'not ok 1'\n");
  RunSuite({"--format=exit"});
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->status(), PASS);
  EXPECT_FALSE(t->tap());
}

TEST_F(VerdictTest, FormatMetadataMakesSilentTapTestFail) {
  Script("t.sh", "#!/bin/sh\n# proctor: format=tap\necho hello\n");
  RunSuite();
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_EQ(t->reason(), "TAP: no plan");
}

TEST_F(VerdictTest, PlainOutputIsNotMistakenForTap) {
  Script("t.sh",
         "#!/bin/sh\necho 'okay, starting'\necho 'not ok is just text here'\n");
  RunSuite();
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->status(), PASS);
  EXPECT_FALSE(t->tap());
}

TEST_F(VerdictTest, NonExecutableFileNamedExplicitlyIsAnError) {
  std::string path = Script("plain.sh", "#!/bin/sh\nexit 0\n", 0644);
  RunOutput r =
      Run({"run", "--results-dir=" + results(), "--sysinfo=off", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.lines[1], "plain.sh -- ERROR");
  EXPECT_EQ(Find(LatestJob(), "plain.sh")->reason(),
            "not executable (no x permission)");
}

TEST_F(VerdictTest, NonExecutableFilesInADirectoryAreData) {
  Script("data.txt", "not a test\n", 0644);
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(LatestJob().tests_size(), 1);
}

TEST_F(VerdictTest, BadInterpreterIsAnErrorNamingIt) {
  Script("t.sh", "#!/usr/bin/no-such-shell\nexit 0\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.lines[1], "t.sh -- ERROR");
  EXPECT_THAT(Find(LatestJob(), "t.sh")->reason(),
              HasSubstr("bad interpreter: /usr/bin/no-such-shell"));
}

TEST_F(VerdictTest, DanglingSymlinkIsAnErrorNamingItsTarget) {
  ASSERT_EQ(symlink("/nonexistent/target", (suite() + "/link.sh").c_str()), 0);
  RunOutput r = RunSuite();
  EXPECT_EQ(r.lines[1], "link.sh -- ERROR");
  EXPECT_EQ(Find(LatestJob(), "link.sh")->reason(),
            "dangling symlink to /nonexistent/target");
}

TEST_F(VerdictTest, NamesWithSpacesAndQuotesArePrintedAsTheyAre) {
  std::string name = "it's a \"quoted\" test.sh";
  Script(name,
         "#!/bin/sh\ntest \"$PROCTOR_TEST_NAME\" = 'it'\\''s a \"quoted\" "
         "test.sh'\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.lines[1], name + " -- PASS");
  std::optional<TestResult> t = Find(LatestJob(), name);
  EXPECT_EQ(t->dir(), "tests/001-it_s_a__quoted__test.sh");
  EXPECT_EQ(
      access((LatestJobDir() + "/" + t->dir() + "/result.json").c_str(), F_OK),
      0);
}

TEST_F(VerdictTest, UnmetRequirementSkipsWithTheReason) {
  Script("t.sh",
         "#!/bin/sh\n# proctor: "
         "requires=cmd:no-such-cmd-xyz,env:NO_SUCH_VAR_XYZ\nexit 1\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(Find(LatestJob(), "t.sh")->reason(),
            "requires cmd:no-such-cmd-xyz: not found in PATH");
}

TEST_F(VerdictTest, BadMetadataIsAnErrorNotASilentDefault) {
  Script("t.sh", "#!/bin/sh\n# proctor: timout=5\nexit 0\n");
  RunSuite();
  std::optional<TestResult> t = Find(LatestJob(), "t.sh");
  EXPECT_EQ(t->status(), ERROR);
  EXPECT_THAT(t->reason(), HasSubstr("unknown metadata key 'timout'"));
}

// Real Test2 output, written by the Perl here at test time: buffered
// subtests (`ok 2 - name {`, indented lines, `}`) get the verdict `prove`
// gives, and their points are kept as the subtest of theirs.
TEST_F(VerdictTest, Test2BufferedSubtestsGetProvesVerdict) {
  const std::string head =
      "#!/usr/bin/perl\nuse strict; use warnings; use Test::More;\n"
      "use Test2::API qw/run_subtest/;\nok(1, 'first');\n";
  Script("a-buffered.pl",
         head +
             "run_subtest('inner pass', sub { ok(1, 'a'); ok(1, 'b') }, "
             "{buffered => 1});\n"
             "subtest 'streamed' => sub { ok(1, 'c') };\ndone_testing;\n");
  Script("b-buffered-fails.pl",
         head +
             "run_subtest('inner fails', sub { ok(1, 'a'); ok(0, 'b') }, "
             "{buffered => 1});\ndone_testing;\n");
  for (const char* t : {"a-buffered.pl", "b-buffered-fails.pl"}) {
    RunOutput prove = RunBinary("/usr/bin/prove", {suite() + "/" + t});
    EXPECT_EQ(prove.exit_code, t[0] == 'a' ? 0 : 1) << t << prove.out;
  }
  RunOutput r = RunSuite();
  EXPECT_THAT(r.lines, ElementsAre(HasSubstr("Results stored in"),
                                   "a-buffered.pl -- PASS",
                                   "b-buffered-fails.pl -- FAIL",
                                   "1 passed, 1 failed, 0 skipped"));
  JobResult job = LatestJob();
  std::optional<TestResult> pass = Find(job, "a-buffered.pl");
  ASSERT_TRUE(pass.has_value());
  ASSERT_EQ(pass->tap_points_size(), 3);
  EXPECT_EQ(pass->tap_points(1).description(), "inner pass");
  EXPECT_EQ(pass->tap_points(1).subtest_size(), 2);
  EXPECT_EQ(pass->tap_points(2).subtest_size(), 1);
  std::optional<TestResult> fail = Find(job, "b-buffered-fails.pl");
  ASSERT_TRUE(fail.has_value());
  EXPECT_THAT(fail->reason(), HasSubstr("not ok 2 - inner fails"));
  ASSERT_EQ(fail->tap_points_size(), 2);
  ASSERT_EQ(fail->tap_points(1).subtest_size(), 2);
  EXPECT_FALSE(fail->tap_points(1).subtest(1).ok());
}

// KTAP v2's metadata lines (`#:key: value`) are kept with the stream, the
// suite and the test they describe.
TEST_F(VerdictTest, KtapV2MetadataReachesTheResult) {
  Script("ktap.sh",
         "#!/bin/sh\nprintf 'KTAP version 2\\n#:ktap_test: main\\n1..1\\n"
         "  KTAP version 2\\n  #:ktap_test: suite_1\\n  1..1\\n"
         "  #:ktap_speed: slow\\n  ok 1 case_1\\nok 1 suite_1\\n'\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::optional<TestResult> t = Find(LatestJob(), "ktap.sh");
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->tap_summary().ktap());
  ASSERT_EQ(t->tap_summary().metadata_size(), 1);
  EXPECT_EQ(t->tap_summary().metadata(0).value(), "main");
  ASSERT_EQ(t->tap_points_size(), 1);
  ASSERT_EQ(t->tap_points(0).subtest_metadata_size(), 1);
  EXPECT_EQ(t->tap_points(0).subtest_metadata(0).value(), "suite_1");
  ASSERT_EQ(t->tap_points(0).subtest_size(), 1);
  ASSERT_EQ(t->tap_points(0).subtest(0).metadata_size(), 1);
  EXPECT_EQ(t->tap_points(0).subtest(0).metadata(0).key(), "ktap_speed");
}

// bats and node:test, run here as their users run them: proctor's verdict
// is their own harness's (bats and node exit 0 exactly when all passed).
TEST_F(VerdictTest, BatsAndNodeTestGetTheirOwnHarnessesVerdict) {
  std::string bats_file = Script("cases.bats",
                                 "@test \"adds\" { [ $((1+1)) -eq 2 ]; }\n"
                                 "@test \"skipped\" { skip \"not here\"; }\n",
                                 0644);
  std::string bats_broken =
      Script("broken.bats",
             "@test \"adds\" { true; }\n@test \"fails\" { false; }\n", 0644);
  Script("a-bats.sh", "#!/bin/sh\nexec bats --tap " + bats_file + "\n");
  Script("b-bats-fails.sh", "#!/bin/sh\nexec bats --tap " + bats_broken + "\n");
  Script("c-node.mjs",
         "#!/usr/bin/env node\nimport test from 'node:test';\n"
         "test('top', async (t) => {\n"
         "  await t.test('inner', () => {});\n"
         "  await t.test('later', { skip: 'why' }, () => {});\n"
         "});\n");
  Script("d-node-fails.mjs",
         "#!/usr/bin/env node\nimport test from 'node:test';\n"
         "import assert from 'node:assert';\n"
         "test('top', async (t) => {\n"
         "  await t.test('inner', () => { assert.equal(1, 2); });\n"
         "});\n");
  for (const char* t :
       {"a-bats.sh", "b-bats-fails.sh", "c-node.mjs", "d-node-fails.mjs"}) {
    RunOutput own = RunBinary(suite() + "/" + t, {});
    EXPECT_EQ(own.exit_code == 0, t[0] == 'a' || t[0] == 'c') << t << own.out;
  }
  RunOutput r = RunSuite();
  EXPECT_THAT(
      r.lines,
      ElementsAre(HasSubstr("Results stored in"), "a-bats.sh -- PASS",
                  "b-bats-fails.sh -- FAIL", "c-node.mjs -- PASS",
                  "d-node-fails.mjs -- FAIL", "2 passed, 2 failed, 0 skipped"));
  JobResult job = LatestJob();
  std::optional<TestResult> bats = Find(job, "a-bats.sh");
  ASSERT_TRUE(bats.has_value());
  ASSERT_EQ(bats->tap_points_size(), 2);
  EXPECT_EQ(bats->tap_points(1).directive(), "SKIP");
  EXPECT_EQ(bats->tap_points(1).reason(), "not here");
  std::optional<TestResult> node = Find(job, "c-node.mjs");
  ASSERT_TRUE(node.has_value());
  ASSERT_GE(node->tap_points_size(), 1);
  EXPECT_EQ(node->tap_points(0).description(), "top");
  ASSERT_EQ(node->tap_points(0).subtest_size(), 2);
  EXPECT_EQ(node->tap_points(0).subtest(1).directive(), "SKIP");
}

// Wrapped suites: a real GoogleTest binary writes its cases to
// $XML_OUTPUT_FILE by itself, and they become the test's, in every view.
TEST_F(VerdictTest, AGoogleTestBinarysCasesAreTheTestsCases) {
  std::string binary = Runfile("tests/integration/gtest_example");
  Script("gtest.sh", "#!/bin/sh\nexec " + binary + "\n");
  RunOutput r = RunSuite();
  EXPECT_THAT(r.lines,
              ElementsAre(HasSubstr("Results stored in"), "gtest.sh -- FAIL",
                          "0 passed, 1 failed, 0 skipped"));
  std::optional<TestResult> t = Find(LatestJob(), "gtest.sh");
  ASSERT_TRUE(t.has_value());
  // GoogleTest exits 1 for the failure: the exit status already fails it,
  // and the cases say which.
  EXPECT_EQ(t->reason(), "exit status 1");
  EXPECT_EQ(t->junit_summary().file(), "test.xml");
  EXPECT_EQ(t->junit_summary().cases(), 3);
  EXPECT_EQ(t->junit_summary().failed(), 1);
  EXPECT_EQ(t->junit_summary().skipped(), 1);
  ASSERT_EQ(t->junit_cases_size(), 3);
  EXPECT_EQ(t->junit_cases(0).description(), "Example.Passes");
  EXPECT_FALSE(t->junit_cases(1).ok());
  EXPECT_THAT(t->junit_cases(1).yaml(), HasSubstr("arithmetic"));
  EXPECT_EQ(t->junit_cases(2).directive(), "SKIP");
  std::string xml = ReadFile(LatestJobDir() + "/results.xml");
  EXPECT_THAT(xml, HasSubstr("name=\"2 - Example.Fails\""));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/results.html"),
              HasSubstr("JUnit: 3 cases"));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/results.tap"),
              HasSubstr("not ok 2 - Example.Fails"));
}

TEST_F(VerdictTest, AJunitFailureFailsATestThatExitsZero) {
  Script("wraps.sh",
         "#!/bin/sh\ncat > \"$XML_OUTPUT_FILE\" <<'EOF'\n"
         "<testsuite name=\"s\"><testcase classname=\"c\" name=\"ok\"/>"
         "<testcase classname=\"c\" name=\"bad\"><failure message=\"no\"/>"
         "</testcase></testsuite>\nEOF\nexit 0\n");
  Script(
      "skips.sh",
      "#!/bin/sh\necho '<testsuite><testcase name=\"a\"><skipped/></testcase>"
      "</testsuite>' > \"$XML_OUTPUT_FILE\"\n");
  Script("broken.sh",
         "#!/bin/sh\necho '<testsuite><testcase' > \"$XML_OUTPUT_FILE\"\n");
  Script("link.sh", "#!/bin/sh\nln -s /etc/passwd \"$XML_OUTPUT_FILE\"\n");
  RunOutput r = RunSuite();
  EXPECT_THAT(r.lines,
              ElementsAre(HasSubstr("Results stored in"), "broken.sh -- PASS",
                          "link.sh -- PASS", "skips.sh -- SKIPPED",
                          "wraps.sh -- FAIL", "2 passed, 1 failed, 1 skipped"));
  JobResult job = LatestJob();
  EXPECT_EQ(Find(job, "wraps.sh")->reason(),
            "JUnit: 1 of 2 cases failed, first: c.bad: no");
  EXPECT_THAT(Find(job, "broken.sh")->reason(),
              HasSubstr("not well-formed XML"));
  EXPECT_THAT(Find(job, "link.sh")->junit_summary().diagnostics(0),
              HasSubstr("is a symlink: not read"));
  EXPECT_EQ(Find(job, "link.sh")->junit_cases_size(), 0);
}

TEST_F(VerdictTest, PytestWithJunitxmlGivesItsCases) {
  Script("test_mod.py",
         "import pytest\n"
         "def test_ok():\n    assert True\n"
         "def test_skip():\n    pytest.skip('not here')\n",
         0644);
  Script("pytest.sh",
         "#!/bin/sh\nexec python3 -m pytest -q -p no:cacheprovider "
         "--junitxml=\"$XML_OUTPUT_FILE\" test_mod.py\n");
  RunOutput r = RunSuite();
  EXPECT_THAT(r.lines,
              ElementsAre(HasSubstr("Results stored in"), "pytest.sh -- PASS",
                          "1 passed, 0 failed, 0 skipped"));
  std::optional<TestResult> t = Find(LatestJob(), "pytest.sh");
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->junit_cases_size(), 2);
  EXPECT_EQ(t->junit_cases(0).description(), "test_mod.test_ok");
  EXPECT_EQ(t->junit_cases(1).directive(), "SKIP");
}

// junit=PATH reads a file the test leaves in its $OUTPUTDIR, but never
// through a directory that leads out of it.
TEST_F(VerdictTest, JunitMetadataNamesTheFileInOutputdir) {
  Script("named.sh",
         "#!/bin/sh\n# proctor: junit=reports/cases.xml\n"
         "mkdir -p \"$OUTPUTDIR/reports\"\n"
         "echo '<testsuite><testcase classname=\"c\" name=\"bad\">"
         "<failure message=\"no\"/></testcase></testsuite>' "
         "> \"$OUTPUTDIR/reports/cases.xml\"\n");
  std::string outside = results() + "-outside";
  std::filesystem::create_directories(outside);
  std::ofstream(outside + "/cases.xml")
      << "<testsuite><testcase name=\"x\"><failure/></testcase></testsuite>";
  Script("escapes.sh",
         "#!/bin/sh\n# proctor: junit=out/cases.xml\n"
         "ln -s " +
             outside + " \"$OUTPUTDIR/out\"\n");
  RunOutput r = RunSuite();
  EXPECT_THAT(r.lines,
              ElementsAre(HasSubstr("Results stored in"), "escapes.sh -- PASS",
                          "named.sh -- FAIL", "1 passed, 1 failed, 0 skipped"));
  JobResult job = LatestJob();
  std::optional<TestResult> named = Find(job, "named.sh");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->junit_summary().file(), "outputs/reports/cases.xml");
  EXPECT_EQ(named->reason(), "JUnit: 1 of 1 cases failed, first: c.bad: no");
  std::optional<TestResult> escapes = Find(job, "escapes.sh");
  ASSERT_TRUE(escapes.has_value());
  ASSERT_EQ(escapes->junit_summary().diagnostics_size(), 1);
  EXPECT_THAT(escapes->junit_summary().diagnostics(0),
              HasSubstr("leads out of the test's outputs/"));
  EXPECT_EQ(escapes->junit_cases_size(), 0);
}

}  // namespace
}  // namespace proctor::testing
