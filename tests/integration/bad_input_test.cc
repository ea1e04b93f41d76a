// Tests that misbehave, and a runner that must stay in control: each gets
// a verdict and a reason, memory stays bounded, nothing is left running.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class BadInputTest : public ProctorTest {};

TEST_F(BadInputTest, HangingTestTimesOutAndItsGroupIsKilled) {
  Script("hang.sh", "#!/bin/sh\nsleep 1000 &\nsleep 1000\n");
  RunOutput r = RunSuite({"--timeout=1s", "--kill-grace=1s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.lines[1], "hang.sh -- TIMEOUT");
  std::optional<TestResult> t = Find(LatestJob(), "hang.sh");
  EXPECT_EQ(t->reason(), "timed out after 1s");
  EXPECT_LT(t->duration_seconds(), 5);
}

TEST_F(BadInputTest, TestIgnoringSigtermIsKilledAfterTheGrace) {
  Script("stubborn.sh",
         "#!/bin/bash\ntrap '' TERM\nwhile :; do sleep 0.1; done\n");
  RunOutput r = RunSuite({"--timeout=1", "--kill-grace=1s"});
  EXPECT_EQ(r.lines[1], "stubborn.sh -- TIMEOUT");
  double d = Find(LatestJob(), "stubborn.sh")->duration_seconds();
  EXPECT_GE(d, 2.0);  // SIGTERM at 1 s did not end it; SIGKILL at 2 s did
  EXPECT_LT(d, 6.0);
  // Waiting out the grace period is idle waiting, not polling.
  EXPECT_LT(LatestJob().runner_cpu_seconds(), 0.5);
}

TEST_F(BadInputTest, MetadataTimeoutAppliesUnlessTheFlagIsGiven) {
  Script("slow.sh", "#!/bin/sh\n# proctor: timeout=1\nsleep 3\n");
  RunSuite({"--kill-grace=1s"});
  EXPECT_EQ(Find(LatestJob(), "slow.sh")->status(), TIMEOUT);
  RunSuite({"--timeout=20s"});
  EXPECT_EQ(Find(LatestJob(), "slow.sh")->status(), PASS);
}

TEST_F(BadInputTest, GrandchildrenThatOutliveTheTestAreEnded) {
  // One stays in the test's process group, one escapes it with setsid and
  // keeps stdout open; both must be gone when the job ends.
  Script("forks.sh",
         "#!/bin/sh\n"
         "sleep 1000 &\necho $! > \"$OUTPUTDIR/pid1\"\n"
         "setsid sleep 1000 &\necho $! > \"$OUTPUTDIR/pid2\"\n"
         "exit 0\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.lines[1], "forks.sh -- PASS");
  std::string out = LatestJobDir() + "/tests/001-forks.sh/outputs/";
  for (const char* f : {"pid1", "pid2"}) {
    int pid = 0;
    ASSERT_TRUE(
        absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(out + f)), &pid));
    EXPECT_FALSE(ProcessExists(pid)) << f << " " << pid << " still runs";
  }
  EXPECT_LT(Find(LatestJob(), "forks.sh")->duration_seconds(), 5);
}

TEST_F(BadInputTest, HugeOutputIsCutAndMemoryStaysBounded) {
  // 1 GiB of zero bytes: binary, no newline, far over the cap.
  Script("flood.sh",
         "#!/bin/sh\nhead -c 1073741824 /dev/zero\necho done >&2\n");
  RunOutput r = RunSuite({"--max-output=1M"});
  EXPECT_EQ(r.lines[1], "flood.sh -- PASS");
  JobResult job = LatestJob();
  std::optional<TestResult> t = Find(job, "flood.sh");
  EXPECT_EQ(t->stdout_stats().bytes(), int64_t{1} << 30);
  EXPECT_EQ(t->stdout_stats().kept_bytes(), 1 << 20);
  EXPECT_TRUE(t->stdout_stats().truncated());
  EXPECT_FALSE(t->stderr_stats().truncated());
  std::string stdout_file = LatestJobDir() + "/" + t->dir() + "/stdout";
  EXPECT_LT(std::filesystem::file_size(stdout_file), (1u << 20) + 200);
  EXPECT_THAT(ReadFile(stdout_file).substr(1 << 20),
              HasSubstr("output cut after 1048576 of 1073741824 bytes"));
  EXPECT_GT(job.runner_max_rss_kb(), 0);
  EXPECT_LT(job.runner_max_rss_kb(), 64 * 1024);
  EXPECT_THAT(ReadFile(LatestJobDir() + "/job.log"), HasSubstr("output cut"));
}

TEST_F(BadInputTest, HugeTapStreamKeepsMemoryBounded) {
  // Two million TAP points: all counted, a bounded number stored.
  Script("many.sh",
         "#!/usr/bin/perl\nprint \"1..2000000\\n\";\n"
         "print \"ok $_ - point $_\\n\" for 1..2000000;\n");
  RunSuite({"--max-output=1K"});
  JobResult job = LatestJob();
  std::optional<TestResult> t = Find(job, "many.sh");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), PASS);
  EXPECT_EQ(t->tap_summary().points(), 2000000);
  // The first 5000 and the last 10.
  EXPECT_EQ(t->tap_points_size(), 5010);
  EXPECT_EQ(t->tap_summary().points_not_stored(), 2000000 - 5010);
  EXPECT_EQ(t->tap_points(5009).number(), 2000000);
  EXPECT_LT(job.runner_max_rss_kb(), 64 * 1024);
}

TEST_F(BadInputTest, AFailureNearTheEndOfAHugeTapStreamIsACaseEverywhere) {
  Script("late.sh",
         "#!/usr/bin/perl\nprint \"1..100000\\n\";\n"
         "for (1..100000) { print $_ == 99999 ? \"not \" : \"\", "
         "\"ok $_ - point $_\\n\" }\n");
  RunSuite({"--max-output=1K"});
  JobResult job = LatestJob();
  std::optional<TestResult> t = Find(job, "late.sh");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_EQ(t->tap_summary().failed(), 1);
  const TapPoint* late = nullptr;
  for (const TapPoint& p : t->tap_points()) {
    if (p.number() == 99999) late = &p;
  }
  ASSERT_NE(late, nullptr) << "point 99999 is not in results.json";
  EXPECT_FALSE(late->ok());
  std::string xml = ReadFile(LatestJobDir() + "/results.xml");
  size_t at = xml.find("name=\"99999 - point 99999\"");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(xml.find("<failure", at),
            xml.find("<failure message=\"not ok 99999\"", at));
  // Large files: searched, not printed when the search fails.
  EXPECT_NE(xml.find("counted and not stored"), std::string::npos);
  std::string html = ReadFile(LatestJobDir() + "/results.html");
  EXPECT_NE(html.find("<td>point 99999</td>"), std::string::npos);
  // results.tap stays valid TAP: renumbered, the point's own number said.
  std::string tap = ReadFile(LatestJobDir() + "/results.tap");
  EXPECT_NE(tap.find("    not ok 5009 - point 99999 [point 99999]\n"),
            std::string::npos);
  EXPECT_NE(tap.find("    1..5010\n"), std::string::npos);
  EXPECT_LT(job.runner_max_rss_kb(), 32 * 1024);
}

TEST_F(BadInputTest, BinaryAndInvalidUtf8OutputKeepsResultFilesValid) {
  Script("binary.sh",
         "#!/bin/bash\necho 1..1\nprintf 'ok 1 - caf\\xe9 \\x01\\x02 "
         "\\xff\\xfe\\n'\n"
         "head -c 4096 /dev/urandom\nprintf '\\x00\\x1b[31m' >&2\n");
  RunSuite();
  JobResult job = LatestJob();  // parses: the JSON is valid
  std::optional<TestResult> t = Find(job, "binary.sh");
  ASSERT_GE(t->tap_points_size(), 1);
  EXPECT_THAT(t->tap_points(0).description(), HasSubstr("caf\xef\xbf\xbd"));
  std::string xml = ReadFile(LatestJobDir() + "/results.xml");
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
}

TEST_F(BadInputTest, SigintMarksRunningAndRemainingTestsInterrupted) {
  Script("1-quick.sh", "#!/bin/sh\nexit 0\n");
  Script("2-long.sh", "#!/bin/sh\ntouch \"$OUTPUTDIR/started\"\nsleep 1000\n");
  Script("3-never.sh", "#!/bin/sh\nexit 0\n");
  std::string out = results() + ".stdout";
  Subprocess p = Start(
      {"run", "--results-dir=" + results(), "--sysinfo=off", suite()}, out);
  ASSERT_TRUE(
      WaitForFile(results() + "/latest/tests/002-2-long.sh/outputs/started"));
  kill(p.pid(), SIGINT);
  ExitInfo info = p.Wait();
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.code, 130);
  std::string console = ReadFile(out);
  EXPECT_THAT(console, HasSubstr("2-long.sh -- INTERRUPTED\n"));
  EXPECT_THAT(console, HasSubstr("3-never.sh -- INTERRUPTED\n"));
  EXPECT_THAT(console, HasSubstr("1 passed, 2 failed, 0 skipped\n"));
  JobResult job = LatestJob();
  EXPECT_TRUE(job.complete());
  EXPECT_TRUE(job.interrupted());
  EXPECT_EQ(job.tests_size(), 3);
  EXPECT_EQ(job.summary().interrupted(), 2);
  EXPECT_EQ(job.exit_code(), 130);
  // 3-never.sh was prepared while 2-long.sh ran: its TEMPDIR went too.
  std::string tmp =
      (std::filesystem::path(suite()).parent_path() / "tmp").string();
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(tmp))
    left.push_back(e.path().filename().string());
  EXPECT_THAT(left, ::testing::IsEmpty());
}

TEST_F(BadInputTest, UnwritableResultsDirectoryIsExitThreeWithOneLine) {
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  std::string blocker = results();
  Script("../results", "a file where the results directory should be\n", 0644);
  RunOutput r = Run({"run", "--results-dir=" + blocker + "/sub", suite()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err,
              HasSubstr("proctor: error: cannot create results directory"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST_F(BadInputTest, ReadOnlyResultsDirectoryIsExitThree) {
  if (geteuid() == 0) {
    // Root writes through permissions; /proc is read-only for everyone.
    Script("t.sh", "#!/bin/sh\nexit 0\n");
    RunOutput r = Run({"run", "--results-dir=/proc/proctor-results", suite()});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_THAT(r.err, HasSubstr("proctor: error:"));
    return;
  }
  Script("t.sh", "#!/bin/sh\nexit 0\n");
  std::filesystem::create_directories(results());
  chmod(results().c_str(), 0555);
  RunOutput r = Run({"run", "--results-dir=" + results(), suite()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("not writable"));
}

TEST_F(BadInputTest, RunnerKilledMidJobLeavesValidFiles) {
  for (int i = 1; i <= 5; ++i) {
    Script(absl::StrCat("a", i, ".sh"), "#!/bin/sh\nexit 0\n");
  }
  Script("b-long.sh",
         "#!/bin/sh\necho $$ > \"$OUTPUTDIR/pid\"\nexec sleep 1000\n");
  std::string out = results() + ".stdout";
  Subprocess p = Start(
      {"run", "--results-dir=" + results(), "--sysinfo=off", suite()}, out);
  ASSERT_TRUE(
      WaitForFile(results() + "/latest/tests/006-b-long.sh/outputs/pid"));
  // The job files are rewritten at most once a second: wait for that.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(p.pid(), SIGKILL);
  p.Wait();
  JobResult job = LatestJob();
  EXPECT_FALSE(job.complete());
  EXPECT_EQ(job.tests_size(), 5);
  // results.html too, with what had finished.
  std::string html = ReadFile(results() + "/latest/results.html");
  EXPECT_THAT(html, HasSubstr("incomplete"));
  EXPECT_THAT(html, HasSubstr("a5.sh"));
  // The orphaned test is this harness's to clean up, as it would be a
  // shell's; TearDown checks nothing else is left.
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(
      absl::StripAsciiWhitespace(
          ReadFile(results() + "/latest/tests/006-b-long.sh/outputs/pid")),
      &pid));
  kill(-pid, SIGKILL);
}

TEST_F(BadInputTest, AHundredThousandJunitCasesKeepTheLateFailureAndMemory) {
  Script(
      "many.py",
      "#!/usr/bin/python3\nimport os\n"
      "with open(os.environ['XML_OUTPUT_FILE'], 'w') as f:\n"
      "    f.write('<testsuite name=\"s\">')\n"
      "    for i in range(1, 100001):\n"
      "        bad = '<failure message=\"late\"/>' if i == 99999 else ''\n"
      "        f.write('<testcase classname=\"c\" name=\"t%d\">%s</testcase>'"
      " % (i, bad))\n"
      "    f.write('</testsuite>')\n");
  RunSuite();
  JobResult job = LatestJob();
  std::optional<TestResult> t = Find(job, "many.py");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_EQ(t->reason(),
            "JUnit: 1 of 100000 cases failed, first: c.t99999: late");
  EXPECT_EQ(t->junit_summary().cases(), 100000);
  EXPECT_EQ(t->junit_cases_size(), 5001);
  EXPECT_EQ(t->junit_cases(5000).description(), "c.t99999");
  std::string xml = ReadFile(LatestJobDir() + "/results.xml");
  EXPECT_NE(xml.find("name=\"99999 - c.t99999\""), std::string::npos);
  EXPECT_LT(job.runner_max_rss_kb(), 32 * 1024);
}

TEST_F(BadInputTest, XmlThatIsNotJunitIsSaidAndTheExitStatusDecides) {
  Script("html-pass.sh",
         "#!/bin/sh\necho '<html><body><p>ok</p></body></html>' > "
         "\"$XML_OUTPUT_FILE\"\n");
  Script("html-fail.sh",
         "#!/bin/sh\necho '<html/>' > \"$XML_OUTPUT_FILE\"\nexit 1\n");
  RunOutput r = RunSuite();
  EXPECT_THAT(
      r.lines,
      ElementsAre(HasSubstr("Results stored in"), "html-fail.sh -- FAIL",
                  "html-pass.sh -- PASS", "1 passed, 1 failed, 0 skipped"));
  JobResult job = LatestJob();
  EXPECT_EQ(Find(job, "html-pass.sh")->reason(),
            "JUnit: the JUnit file's root is not <testsuites> or "
            "<testsuite>; the exit status decides");
  std::optional<TestResult> failing = Find(job, "html-fail.sh");
  ASSERT_TRUE(failing.has_value());
  EXPECT_EQ(failing->reason(), "exit status 1");
  ASSERT_EQ(failing->junit_summary().diagnostics_size(), 1);
  EXPECT_THAT(failing->junit_summary().diagnostics(0),
              HasSubstr("root is not <testsuites>"));
}

// 1 GiB of well-formed cases: the first 256 MiB are read (several million
// cases counted, 5 000 kept), the rest is said, and the runner stays small.
TEST_F(BadInputTest, AJunitFileOfOneGibIsReadToTheLimitInBoundedMemory) {
  Script("huge.py",
         "#!/usr/bin/python3\nimport os\n"
         "case = b'<testcase classname=\"c\" name=\"t\"/>\\n'\n"
         "block = case * (1024 * 1024 // len(case))\n"
         "with open(os.environ['XML_OUTPUT_FILE'], 'wb') as f:\n"
         "    f.write(b'<testsuite name=\"huge\">')\n"
         "    for _ in range(1024 * 1024 * 1024 // len(block) + 1):\n"
         "        f.write(block)\n"
         "    f.write(b'</testsuite>')\n");
  RunOutput r = RunSuite();
  EXPECT_EQ(r.lines[1], "huge.py -- PASS");
  JobResult job = LatestJob();
  std::optional<TestResult> t = Find(job, "huge.py");
  ASSERT_TRUE(t.has_value());
  EXPECT_THAT(t->reason(),
              ::testing::MatchesRegex(
                  "JUnit: the JUnit file has 107[0-9]+ bytes: only the "
                  "first 268435456 were read; the exit status decides"));
  EXPECT_GT(t->junit_summary().cases(), 7000000);
  EXPECT_EQ(t->junit_cases_size(), 5000);
  EXPECT_EQ(t->junit_summary().cases_not_stored(),
            t->junit_summary().cases() - 5000);
  EXPECT_LT(job.runner_max_rss_kb(), 32 * 1024);
  std::filesystem::remove(LatestJobDir() + "/tests/001-huge.py/test.xml");
}

// Case names that are not UTF-8 (or hold control characters) lose no case:
// the bytes become U+FFFD, and every result file stays valid.
TEST_F(BadInputTest, InvalidUtf8InJunitCaseNamesKeepsEveryCase) {
  Script("latin1.py",
         "#!/usr/bin/python3\nimport os\n"
         "open(os.environ['XML_OUTPUT_FILE'], 'wb').write(\n"
         "  b'<testsuite><testcase classname=\"c\" name=\"caf\\xe9\"/>'\n"
         "  b'<testcase classname=\"c\" name=\"bell\\x07\\xff\">'\n"
         "  b'<failure message=\"\\xfe bad\"/></testcase>'\n"
         "  b'<testcase classname=\"c\" name=\"last\"/></testsuite>')\n");
  RunSuite();
  JobResult job = LatestJob();  // parses: the JSON is valid UTF-8
  std::optional<TestResult> t = Find(job, "latin1.py");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_TRUE(t->junit_summary().diagnostics().empty());
  ASSERT_EQ(t->junit_cases_size(), 3);
  EXPECT_EQ(t->junit_cases(0).description(), "c.caf\xef\xbf\xbd");
  EXPECT_EQ(t->junit_cases(1).description(), "c.bell\xef\xbf\xbd");
  EXPECT_EQ(t->junit_cases(2).description(), "c.last");
  std::string xml = ReadFile(LatestJobDir() + "/results.xml");
  EXPECT_NE(xml.find("2 - c.bell\xef\xbf\xbd"), std::string::npos);
  EXPECT_EQ(xml.find('\x07'), std::string::npos);
}

// Two cases of one name are two cases: both kept, counted and shown, and
// the failing one fails the test.
TEST_F(BadInputTest, DuplicateJunitCaseNamesAreBothKept) {
  Script("twice.sh",
         "#!/bin/sh\necho '<testsuite><testcase classname=\"c\" "
         "name=\"same\"/><testcase classname=\"c\" name=\"same\">"
         "<failure message=\"second\"/></testcase></testsuite>' > "
         "\"$XML_OUTPUT_FILE\"\n");
  RunSuite();
  std::optional<TestResult> t = Find(LatestJob(), "twice.sh");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status(), FAIL);
  EXPECT_EQ(t->reason(), "JUnit: 1 of 2 cases failed, first: c.same: second");
  ASSERT_EQ(t->junit_cases_size(), 2);
  EXPECT_TRUE(t->junit_cases(0).ok());
  EXPECT_FALSE(t->junit_cases(1).ok());
  std::string xml = ReadFile(LatestJobDir() + "/results.xml");
  EXPECT_NE(xml.find("name=\"1 - c.same\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"2 - c.same\""), std::string::npos);
  RunOutput shown = Run({"results", "show", "--results-dir=" + results()});
  EXPECT_THAT(shown.out, HasSubstr("c.same"));
}

// A JUnit file that keeps growing after the test exits (a writer that
// escaped with setsid): read to what it held, never waited for, and the
// writer ends with the job.
TEST_F(BadInputTest, AJunitFileThatKeepsGrowingIsReadToWhereItWas) {
  Script("grows.sh",
         "#!/bin/sh\necho '<testsuite><testcase name=\"a\"/>' > "
         "\"$XML_OUTPUT_FILE\"\n"
         "setsid sh -c 'while :; do echo \"<testcase name=\\\"b\\\"/>\"; done' "
         ">> \"$XML_OUTPUT_FILE\" 2>/dev/null < /dev/null &\nsleep 0.2\n");
  absl::Time start = absl::Now();
  RunOutput r = RunSuite();
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_EQ(r.lines[1], "grows.sh -- PASS");
  std::optional<TestResult> t = Find(LatestJob(), "grows.sh");
  ASSERT_TRUE(t.has_value());
  EXPECT_GE(t->junit_summary().cases(), 1);
  ASSERT_GE(t->junit_summary().diagnostics_size(), 1);
  EXPECT_THAT(t->reason(), HasSubstr("the exit status decides"));
}

}  // namespace
}  // namespace proctor::testing
