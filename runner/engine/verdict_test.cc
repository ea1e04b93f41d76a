#include "runner/engine/verdict.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tap/parser.h"

namespace proctor {
namespace {

Outcome Exited(int code) {
  Outcome o;
  o.exit.exited = true;
  o.exit.code = code;
  return o;
}

TEST(VerdictTest, ExitCodesMapToVerdicts) {
  EXPECT_EQ(Judge(Exited(0)).status, PASS);
  EXPECT_EQ(Judge(Exited(1)).status, FAIL);
  EXPECT_EQ(Judge(Exited(2)).status, FAIL);
  EXPECT_EQ(Judge(Exited(77)).status, SKIPPED);
  EXPECT_EQ(Judge(Exited(99)).status, ERROR);
  EXPECT_EQ(Judge(Exited(1)).reason, "exit status 1");
}

TEST(VerdictTest, HardErrorAfterABailOutSaysWhy) {
  tap::Document doc = tap::ParseString(
      "KTAP version 1\n1..2\nBail out! the kernel crashed during suite "
      "proctor\n");
  Outcome o = Exited(99);
  o.tap = &doc;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, ERROR);
  EXPECT_EQ(v.reason,
            "exit status 99 (hard error); TAP: Bail out! the kernel crashed "
            "during suite proctor");
}

TEST(VerdictTest, SignalIsAnError) {
  Outcome o;
  o.exit.signal = 9;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, ERROR);
  EXPECT_EQ(v.reason, "killed by signal 9 (Killed)");
}

TEST(VerdictTest, TimeoutWinsOverTheSignalThatEndedIt) {
  Outcome o;
  o.exit.signal = 15;
  o.timed_out = true;
  o.timeout_seconds = 2.5;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, TIMEOUT);
  EXPECT_EQ(v.reason, "timed out after 2.5s");
}

TEST(VerdictTest, InterruptWinsOverEverything) {
  Outcome o = Exited(0);
  o.timed_out = true;
  o.interrupted = true;
  EXPECT_EQ(Judge(o).status, INTERRUPTED);
}

TEST(VerdictTest, TapFailureFailsAZeroExit) {
  tap::Document doc = tap::ParseString("1..1\nnot ok 1 - x\n");
  Outcome o = Exited(0);
  o.tap = &doc;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, FAIL);
  EXPECT_EQ(v.reason, "TAP: 1 of 1 failed, first: not ok 1 - x");
}

TEST(VerdictTest, TapDiagnosticFails) {
  tap::Document doc = tap::ParseString("1..2\nok 1\n");
  Outcome o = Exited(0);
  o.tap = &doc;
  EXPECT_EQ(Judge(o).reason, "TAP: planned 2 tests but ran 1");
}

TEST(VerdictTest, TapSkipAllSkips) {
  tap::Document doc = tap::ParseString("1..0 # SKIP no root\n");
  Outcome o = Exited(0);
  o.tap = &doc;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, SKIPPED);
  EXPECT_EQ(v.reason, "no root");
}

TEST(VerdictTest, ExitSkipKeepsTheTapPlanReason) {
  tap::Document doc = tap::ParseString("1..0 # SKIP no network\n");
  Outcome o = Exited(77);
  o.tap = &doc;
  EXPECT_EQ(Judge(o).reason, "no network");
}

TEST(VerdictTest, PassingTapWithNonZeroExitFails) {
  tap::Document doc = tap::ParseString("1..1\nok 1\n");
  Outcome o = Exited(3);
  o.tap = &doc;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, FAIL);
  EXPECT_EQ(v.reason, "exit status 3");
}

JunitReport Cases(std::vector<JunitCase::Outcome> outcomes) {
  JunitReport r;
  for (JunitCase::Outcome o : outcomes) {
    JunitCase c;
    c.classname = "Suite";
    c.name = absl::StrCat("case", r.total + 1);
    c.outcome = o;
    c.message = "boom";
    ++r.total;
    if (o == JunitCase::Outcome::kFail) ++r.failed;
    if (o == JunitCase::Outcome::kError) ++r.errors;
    if (o == JunitCase::Outcome::kSkip) ++r.skipped;
    r.cases.push_back(c);
  }
  return r;
}

TEST(VerdictTest, AFailingJunitCaseFailsATestThatExitedZero) {
  JunitReport r = Cases({JunitCase::Outcome::kPass, JunitCase::Outcome::kFail});
  Outcome o = Exited(0);
  o.junit = &r;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, FAIL);
  EXPECT_EQ(v.reason, "JUnit: 1 of 2 cases failed, first: Suite.case2: boom");
}

TEST(VerdictTest, AnErroringJunitCaseFailsToo) {
  JunitReport r = Cases({JunitCase::Outcome::kError});
  Outcome o = Exited(0);
  o.junit = &r;
  EXPECT_EQ(Judge(o).status, FAIL);
}

TEST(VerdictTest, AllJunitCasesSkippedIsSkipped) {
  JunitReport r = Cases({JunitCase::Outcome::kSkip, JunitCase::Outcome::kSkip});
  Outcome o = Exited(0);
  o.junit = &r;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, SKIPPED);
  EXPECT_EQ(v.reason, "JUnit: all 2 cases skipped");
}

TEST(VerdictTest, TheExitStatusStillCountsWithPassingCases) {
  JunitReport r = Cases({JunitCase::Outcome::kPass});
  Outcome o = Exited(3);
  o.junit = &r;
  EXPECT_EQ(Judge(o).status, FAIL);
  EXPECT_EQ(Judge(o).reason, "exit status 3");
}

TEST(VerdictTest, ABrokenJunitFileLeavesTheExitStatusToDecideAndSaysWhy) {
  JunitReport r;
  r.diagnostics.push_back("the JUnit file is empty");
  Outcome o = Exited(0);
  o.junit = &r;
  Verdict v = Judge(o);
  EXPECT_EQ(v.status, PASS);
  EXPECT_EQ(v.reason,
            "JUnit: the JUnit file is empty; the exit status decides");
}

}  // namespace
}  // namespace proctor
