// Guest tests end to end: proctor boots the real JeOS image under TCG and
// runs tests in it over SSH.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/sha256.h"
#include "runner/base/unique_fd.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace fs = std::filesystem;

std::string ImageDir() {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/proctor/images/jeos_python");
}

class GuestTest : public ProctorTest {
 protected:
  RunOutput RunGuest(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"run", "--results-dir=" + results(),
                                     "--sysinfo=off", "--image=" + ImageDir()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(suite());
    return Run(args);
  }
  void ExpectInterruptLeavesNoQemu(int sig);
};

TEST_F(GuestTest, ExamplesRunInTheGuest) {
  // Runfiles are symlinks to paths the guest cannot see: share real files.
  std::string examples = results() + "-examples";
  fs::copy(absl::StrCat(getenv("TEST_SRCDIR"), "/proctor/tests/examples"),
           examples, fs::copy_options::recursive);
  RunOutput r = Run({"run", "--results-dir=" + results(), "--sysinfo=off",
                     "--where=guest", "--image=" + ImageDir(), examples});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.lines,
              ElementsAre(StartsWith("Results stored in /"),
                          "c-test.sh -- SKIPPED",  // no cc in the guest
                          "look-mom-i-can-use-perl.pl -- FAIL",
                          "look-mom-i-can-use-shell.sh -- PASS",
                          "my-full-test.py -- PASS",
                          "my-yet-another-test.sh -- SKIPPED",
                          "needs-a-missing-tool.sh -- SKIPPED",
                          "subdir/nested.sh -- PASS", "tap-producer.sh -- PASS",
                          "uses-data-and-tempdir.sh -- PASS",
                          // no g++ or pytest in the guest
                          "wrapped/googletest-suite.sh -- SKIPPED",
                          "wrapped/pytest-suite.sh -- SKIPPED",
                          "5 passed, 1 failed, 5 skipped"));
  std::string vm = LatestJobDir() + "/vm/";
  EXPECT_THAT(ReadFile(vm + "console.log"), HasSubstr("proctor: guest ready"));
  // QEMU ended through QMP quit; had Stop() escalated to SIGTERM, QEMU
  // would say "terminating on signal 15".
  EXPECT_THAT(ReadFile(vm + "qemu.stderr"),
              ::testing::Not(HasSubstr("signal")));
  EXPECT_THAT(ReadFile(vm + "qemu.cmdline"), HasSubstr("-accel tcg"));
  EXPECT_THAT(ReadFile(vm + "accel"), StartsWith("tcg"));
  EXPECT_EQ(Find(LatestJob(), "tap-producer.sh")->tap_points_size(), 4);
  EXPECT_EQ(Find(LatestJob(), "c-test.sh")->reason(),
            "requires cmd:cc: not found in the guest");
  // What the guest test wrote to $OUTPUTDIR came back into the tree.
  EXPECT_EQ(ReadFile(LatestJobDir() +
                     "/tests/009-uses-data-and-tempdir.sh/outputs/report.txt"),
            "compared 44 bytes\n");
}

TEST_F(GuestTest, GuestSysinfoIsRecorded) {
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r = Run(
      {"run", "--results-dir=" + results(), "--image=" + ImageDir(), suite()});
  EXPECT_EQ(r.exit_code, 0);
  std::string dir = LatestJobDir() + "/sysinfo/guest/";
  EXPECT_THAT(ReadFile(dir + "uname_-a"), HasSubstr("jeos"));
  EXPECT_THAT(ReadFile(dir + "proc_cpuinfo"), HasSubstr("processor"));
  EXPECT_THAT(ReadFile(dir + "problems"),
              HasSubstr("lspci -vvnn: command not found"));
  EXPECT_TRUE(fs::exists(LatestJobDir() + "/sysinfo/pre/uname_-a"));
}

TEST_F(GuestTest, BothReportsAHostAndAGuestResult) {
  Script("t.sh",
         "#!/bin/sh\n# proctor: where=both\necho \"$PROCTOR_WHERE $(uname "
         "-n)\"\n");
  RunOutput r = RunGuest();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.lines,
      ElementsAre(StartsWith("Results stored in"), "t.sh [host] -- PASS",
                  "t.sh [guest] -- PASS", "2 passed, 0 failed, 0 skipped"));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/tests/001-t.sh__host_/stdout"),
              StartsWith("host "));
  EXPECT_EQ(ReadFile(LatestJobDir() + "/tests/002-t.sh__guest_/stdout"),
            "guest jeos\n");
}

// A guest test's $XML_OUTPUT_FILE (or junit=PATH in its $OUTPUTDIR) comes
// back with its outputs and gives its cases, as on the host; what else it
// leaves beside them stays in the guest.
TEST_F(GuestTest, GuestTestsJunitFilesGiveTheirCases) {
  Script("cases.py",
         "#!/usr/bin/python3\n# proctor: where=guest\nimport os\n"
         "open(os.environ['XML_OUTPUT_FILE'], 'w').write(\n"
         "  '<testsuite name=\"g\"><testcase classname=\"g\" name=\"fine\"/>'\n"
         "  '<testcase classname=\"g\" name=\"broken\">'\n"
         "  '<failure message=\"in the guest\"/></testcase></testsuite>')\n"
         "# Beside test.xml: a name the host directory also has.\n"
         "d = os.path.dirname(os.environ['XML_OUTPUT_FILE'])\n"
         "open(d + '/stdout', 'w').write('from the guest')\n"
         "print('ran')\n");
  Script("named.sh",
         "#!/bin/sh\n# proctor: where=guest junit=sub/r.xml\n"
         "mkdir -p \"$OUTPUTDIR/sub\"\n"
         "echo '<testsuite><testcase name=\"one\"/></testsuite>' > "
         "\"$OUTPUTDIR/sub/r.xml\"\n");
  Script("link.sh",
         "#!/bin/sh\n# proctor: where=guest\n"
         "ln -s /etc/passwd \"$XML_OUTPUT_FILE\"\n");
  RunOutput r = RunGuest();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  JobResult job = LatestJob();
  std::optional<TestResult> cases = Find(job, "cases.py");
  ASSERT_TRUE(cases.has_value());
  EXPECT_EQ(cases->status(), FAIL);
  EXPECT_EQ(cases->reason(),
            "JUnit: 1 of 2 cases failed, first: g.broken: in the guest");
  ASSERT_EQ(cases->junit_cases_size(), 2);
  EXPECT_EQ(cases->junit_cases(0).description(), "g.fine");
  EXPECT_EQ(ReadFile(LatestJobDir() + "/tests/001-cases.py/stdout"), "ran\n");
  std::optional<TestResult> named = Find(job, "named.sh");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->status(), PASS);
  EXPECT_EQ(named->junit_summary().cases(), 1);
  EXPECT_EQ(named->junit_summary().file(), "outputs/sub/r.xml");
  std::optional<TestResult> link = Find(job, "link.sh");
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->status(), PASS);
  ASSERT_EQ(link->junit_summary().diagnostics_size(), 1);
  EXPECT_THAT(link->junit_summary().diagnostics(0),
              HasSubstr("is a symlink: not read"));
}

TEST_F(GuestTest, RequirementsAreCheckedInTheGuest) {
  Script("met.sh",
         "#!/bin/sh\n# proctor: where=guest requires=root,file:/etc/passwd,"
         "env:PROCTOR_JOB_ID,cmd:sh\n");
  Script("no-file.sh",
         "#!/bin/sh\n# proctor: where=guest requires=file:/no/such\n");
  Script("no-env.sh",
         "#!/bin/sh\n# proctor: where=guest requires=env:PROCTOR_UNSET\n");
  Script("no-kvm.sh", "#!/bin/sh\n# proctor: where=guest requires=kvm\n");
  RunOutput r = RunGuest();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Find(LatestJob(), "met.sh")->status(), PASS);
  EXPECT_EQ(Find(LatestJob(), "no-file.sh")->reason(),
            "requires file:/no/such: no such file in the guest");
  EXPECT_EQ(Find(LatestJob(), "no-env.sh")->reason(),
            "requires env:PROCTOR_UNSET: not set in the guest");
  EXPECT_EQ(Find(LatestJob(), "no-kvm.sh")->reason(),
            "requires kvm: no /dev/kvm in the guest");
  EXPECT_EQ(Find(LatestJob(), "no-kvm.sh")->status(), SKIPPED);
}

TEST_F(GuestTest, GuestPoweroffIsAnErrorAndTheNextTestGetsAFreshGuest) {
  Script("1-poweroff.sh",
         "#!/bin/sh\n# proctor: where=guest\npoweroff -f\nsleep 60\n");
  Script("2-after.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r = RunGuest();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.lines[1], "1-poweroff.sh -- ERROR");
  EXPECT_EQ(r.lines[2], "2-after.sh -- PASS");
  std::optional<TestResult> t = Find(LatestJob(), "1-poweroff.sh");
  EXPECT_THAT(t->reason(), HasSubstr("crashed or powered off"));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/" + t->dir() + "/guest/console.log"),
              HasSubstr("proctor: guest ready"));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/job.log"),
              HasSubstr("2-after.sh: a fresh guest on slot 1"));
}

TEST_F(GuestTest, KernelPanicIsAnErrorWithThePanicInTheTestsConsoleLog) {
  Script("1-panic.sh",
         "#!/bin/sh\n# proctor: where=guest\n"
         "echo c > /proc/sysrq-trigger\nsleep 60\n");
  Script("2-after.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r = RunGuest();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.lines[1], "1-panic.sh -- ERROR");
  EXPECT_EQ(r.lines[2], "2-after.sh -- PASS");
  std::optional<TestResult> t = Find(LatestJob(), "1-panic.sh");
  EXPECT_THAT(t->reason(), HasSubstr("the console says \""));
  EXPECT_THAT(t->reason(), HasSubstr("sysrq triggered crash"));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/" + t->dir() + "/guest/console.log"),
              HasSubstr("Kernel panic - not syncing: sysrq triggered crash"));
  EXPECT_TRUE(Leftovers().empty());
}

// The most guest tests that ran at once, from their start times and
// durations.
int MostAtOnce(const JobResult& job) {
  std::vector<std::pair<absl::Time, int>> edges;
  for (const TestResult& t : job.tests()) {
    if (t.where() != "guest") continue;
    absl::Time start;
    std::string err;
    EXPECT_TRUE(
        absl::ParseTime(absl::RFC3339_full, t.start_time(), &start, &err))
        << err;
    edges.push_back({start, 1});
    edges.push_back({start + absl::Seconds(t.duration_seconds()), -1});
  }
  std::sort(edges.begin(), edges.end());
  int now = 0, most = 0;
  for (const auto& [when, delta] : edges) most = std::max(most, now += delta);
  return most;
}

// The guest number each test ran on, from job.log ("started tests/... pid
// P on guest N").
std::vector<std::string> GuestsOfTests(const std::string& job_log) {
  std::vector<std::string> guests;
  for (absl::string_view line : absl::StrSplit(job_log, '\n')) {
    size_t at = line.find(" on guest ");
    if (line.find(" started ") != absl::string_view::npos &&
        at != absl::string_view::npos) {
      guests.emplace_back(line.substr(at + 10));
    }
  }
  return guests;
}

// Isolation is shown by state: a restored guest is a clone of the saved
// one, so boot ids say nothing about it.
TEST_F(GuestTest, VmPerTestGivesEachGuestTestAFreshGuestTwoAtOnce) {
  // Each guest test fails if it sees what an earlier one left in /tmp.
  for (int i = 1; i <= 5; ++i) {
    Script(absl::StrCat(i, "-guest.sh"),
           "#!/bin/sh\n# proctor: where=guest\n"
           "[ ! -e /tmp/left-behind ] && touch /tmp/left-behind && sleep 1\n");
  }
  Script("6-host.sh", "#!/bin/sh\ntrue\n");
  RunOutput r = RunGuest({"--vm-per-test", "--jobs=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.lines, ::testing::Contains("6 passed, 0 failed, 0 skipped"));
  std::string job = LatestJobDir();
  // One boot, saved; every guest test on a guest restored from it, two
  // guests at a time, and never two tests on one guest.
  std::string guests = ReadFile(job + "/vm/guests.log");
  EXPECT_THAT(guests, HasSubstr("guest 1: booted and saved in "));
  EXPECT_THAT(guests, HasSubstr("guest 2: restored in "));
  EXPECT_THAT(guests, ::testing::Not(HasSubstr("booted in")));
  EXPECT_EQ(MostAtOnce(LatestJob()), 2);
  std::vector<std::string> used = GuestsOfTests(ReadFile(job + "/job.log"));
  EXPECT_EQ(used.size(), 5u);
  EXPECT_EQ(std::set<std::string>(used.begin(), used.end()).size(), 5u)
      << ReadFile(job + "/job.log");
  // Each test keeps the console log of its own VM; vm/ keeps every one's.
  EXPECT_THAT(ReadFile(job + "/tests/002-2-guest.sh/guest/console.log"),
              HasSubstr("proctor: guest restored"));
  EXPECT_THAT(ReadFile(job + "/vm/console.log"),
              HasSubstr("proctor: guest ready"));
  EXPECT_THAT(ReadFile(job + "/vm/guest.2/console.log"),
              HasSubstr("proctor: guest restored"));
  EXPECT_TRUE(fs::exists(job + "/vm/guest.3/qmp.log"));
  // Neither the guests restored ahead nor the saved one outlive the job.
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(GuestTest, SharedGuestsRunGuestTestsOnTwoGuestsAtOnce) {
  for (int i = 1; i <= 4; ++i) {
    Script(absl::StrCat(i, "-guest.sh"),
           "#!/bin/sh\n# proctor: where=guest\nsleep 1\n"
           "cat /proc/sys/kernel/random/boot_id >\"$OUTPUTDIR/boot_id\"\n");
  }
  RunOutput r = RunGuest({"--jobs=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string job = LatestJobDir();
  std::set<std::string> boot_ids;
  for (int i = 1; i <= 4; ++i) {
    boot_ids.insert(ReadFile(absl::StrCat(job, "/tests/00", i, "-", i,
                                          "-guest.sh/outputs/boot_id")));
  }
  EXPECT_EQ(boot_ids.size(), 2u);
  EXPECT_EQ(MostAtOnce(LatestJob()), 2);
  std::string guests = ReadFile(job + "/vm/guests.log");
  EXPECT_THAT(guests, HasSubstr("guest 1: booted in "));
  EXPECT_THAT(guests, HasSubstr("guest 2: booted in "));
  EXPECT_THAT(guests, ::testing::Not(HasSubstr("guest 3")));
  EXPECT_THAT(ReadFile(job + "/vm/guest.2/console.log"),
              HasSubstr("proctor: guest ready"));
  EXPECT_TRUE(Leftovers().empty());
}

// Two guest tests running on two guests, each with the next test's guest
// restored ahead, when `sig` comes: every test is recorded, and no QEMU is
// left.
void GuestTest::ExpectInterruptLeavesNoQemu(int sig) {
  for (int i = 1; i <= 4; ++i) {
    Script(absl::StrCat(i, "-long.sh"),
           "#!/bin/sh\n# proctor: where=guest\nsleep 1000\n");
  }
  std::string out = results() + ".stdout";
  Subprocess p =
      Start({"run", "--results-dir=" + results(), "--sysinfo=off",
             "--image=" + ImageDir(), "--vm-per-test", "--jobs=2", suite()},
            out);
  std::string log = results() + "/latest/job.log";
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline && GuestsOfTests(ReadFile(log)).size() < 2) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(GuestsOfTests(ReadFile(log)).size(), 2u) << ReadFile(log);
  kill(p.pid(), sig);
  ExitInfo info = p.Wait();
  EXPECT_TRUE(info.exited);
  EXPECT_EQ(info.code, 130);
  EXPECT_THAT(ReadFile(out), HasSubstr("0 passed, 4 failed, 0 skipped\n"));
  JobResult job = LatestJob();
  EXPECT_TRUE(job.interrupted());
  EXPECT_EQ(job.summary().interrupted(), 4);
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(GuestTest, SigintWithTwoGuestsAtOnceLeavesNoQemu) {
  ExpectInterruptLeavesNoQemu(SIGINT);
}

TEST_F(GuestTest, SigtermWithTwoGuestsAtOnceLeavesNoQemu) {
  ExpectInterruptLeavesNoQemu(SIGTERM);
}

// A real shortage, not a faked one: guests of half the memory available.
TEST_F(GuestTest, GuestsThatDoNotFitInMemoryAreFewerAndSaidSo) {
  std::ifstream meminfo("/proc/meminfo");
  std::string text((std::istreambuf_iterator<char>(meminfo)),
                   std::istreambuf_iterator<char>());
  size_t at = text.find("MemAvailable:");
  ASSERT_NE(at, std::string::npos);
  int64_t half_mb = std::stoll(text.substr(at + 13)) / 1024 / 2;
  Script("1-guest.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  Script("2-guest.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r = RunGuest({"--jobs=2", absl::StrCat("--vm-memory=", half_mb)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("proctor: -j 2: 2 guests of ",
                                            half_mb, " MiB need ")));
  EXPECT_THAT(r.err, HasSubstr(" MiB are available: 1 guest runs guest tests"));
  std::string guests = ReadFile(LatestJobDir() + "/vm/guests.log");
  EXPECT_THAT(guests, HasSubstr("guest 1: booted in "));
  EXPECT_THAT(guests, ::testing::Not(HasSubstr("guest 2")));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/vm/qemu.cmdline"),
              HasSubstr(absl::StrCat(" -m ", half_mb, " ")));
}

TEST_F(GuestTest, VmMemoryBelowTheMinimumIsAUsageError) {
  Script("1-guest.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r = RunGuest({"--vm-memory=16"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--vm-memory: at least 64 (MiB)"));
}

// A fault a user cannot cause by accident but a test of this kind can: a
// host test (requires=vm) truncates the job's saved guest, once the first
// guest and the two restored ahead of the next tests are up. The guest
// tests after it use those two, then a guest whose restore fails, which is
// booted instead.
TEST_F(GuestTest, DamagedSavedGuestIsSaidAndTheNextGuestBooted) {
  Script("1-guest.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  Script("2-damage.sh",
         absl::StrCat("#!/bin/sh\n# proctor: requires=vm\nn=0\n"
                      "until [ \"$(grep -c ': restored in' ",
                      results(), "/latest/vm/guests.log)\" -ge 3 ]; do\n",
                      "  sleep 0.05; n=$((n+1)); [ $n -lt 600 ] || exit 1\n"
                      "done\n"
                      ": > \"$PROCTOR_VM/state/devices\"\n"));
  for (int i = 3; i <= 5; ++i) {
    Script(absl::StrCat(i, "-guest.sh"),
           "#!/bin/sh\n# proctor: where=guest\ntest -d /tests\n");
  }
  RunOutput r = RunGuest({"--vm-per-test"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.lines, ::testing::Contains("5 passed, 0 failed, 0 skipped"));
  EXPECT_THAT(r.err, ::testing::ContainsRegex(
                         "proctor: guest [0-9]+: cannot restore the saved "
                         "guest \\(the saved guest in [^ ]+ changed since it "
                         "was saved \\(devices"));
  EXPECT_THAT(r.err, HasSubstr(": booting guests from now on\n"));
  std::string guests = ReadFile(LatestJobDir() + "/vm/guests.log");
  EXPECT_THAT(guests, ::testing::ContainsRegex("guest [0-9]+: cannot restore"));
  EXPECT_THAT(guests, ::testing::ContainsRegex("guest [0-9]+: booted in "));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(GuestTest,
       RestoredGuestPoweredOffOrPanickedIsAnErrorAndTheNextIsRestored) {
  Script("1-off.sh", "#!/bin/sh\n# proctor: where=guest\npoweroff -f\n");
  Script("2-panic.sh",
         "#!/bin/sh\n# proctor: where=guest\necho c > /proc/sysrq-trigger\n");
  Script("3-next.sh", "#!/bin/sh\n# proctor: where=guest\ntest -d /tests\n");
  RunOutput r = RunGuest({"--vm-per-test"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.lines,
              ElementsAre(StartsWith("Results stored in"), "1-off.sh -- ERROR",
                          "2-panic.sh -- ERROR", "3-next.sh -- PASS",
                          "1 passed, 2 failed, 0 skipped"));
  std::optional<TestResult> panic = Find(LatestJob(), "2-panic.sh");
  EXPECT_THAT(panic->reason(), HasSubstr("sysrq triggered crash"));
  EXPECT_THAT(ReadFile(LatestJobDir() + "/vm/guests.log"),
              HasSubstr("guest 4: restored in "));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(GuestTest, ProctorKilledWhileRestoringGuestsLeavesNoQemu) {
  for (int i = 1; i <= 12; ++i) {
    Script(absl::StrCat("t", i, ".sh"),
           "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  }
  std::string out = results() + ".stdout";
  Subprocess p = Start({"run", "--results-dir=" + results(), "--sysinfo=off",
                        "--image=" + ImageDir(), "--vm-per-test", suite()},
                       out);
  // Once the second restore is done: the job is then mostly restores.
  std::string log = results() + "/latest/vm/guests.log";
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline &&
         ReadFile(log).find("guest 3: restored") == std::string::npos) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_THAT(ReadFile(log), HasSubstr("guest 3: restored"));
  absl::SleepFor(absl::Milliseconds(150));
  kill(p.pid(), SIGKILL);
  p.Wait();
  // QEMU gets SIGKILL with its owner (PR_SET_PDEATHSIG); the helper of a
  // running test ends when the mux's socket closes.
  std::vector<pid_t> left;
  for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end;
       absl::SleepFor(absl::Milliseconds(100))) {
    left = Leftovers();
    if (left.empty()) break;
  }
  for (pid_t pid : left) {
    ADD_FAILURE() << "left behind: "
                  << ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
    kill(pid, SIGKILL);
  }
  // The killed job's private directory, which holds its saved guest,
  // stays until the next job's guest sweeps it.
  std::string owner = absl::StrCat(p.pid(), " ");
  auto killed_jobs_dirs = [&owner]() {
    std::vector<std::string> dirs;
    for (const auto& e : fs::directory_iterator("/tmp")) {
      std::string name = e.path().filename().string();
      if (name.rfind("proctor-mux-", 0) == 0 &&
          ReadFile(e.path().string() + "/.owner").rfind(owner, 0) == 0) {
        dirs.push_back(e.path().string());
      }
    }
    return dirs;
  };
  ASSERT_EQ(killed_jobs_dirs().size(), 1u);
  // The saved guest is in a directory of its own, on /dev/shm when there
  // is room: $PROCTOR_VM/state leads to it.
  std::error_code ec;
  fs::path state = fs::canonical(killed_jobs_dirs()[0] + "/state", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(fs::exists(state / "ram"));
  EXPECT_EQ(ReadFile(state.string() + "/.owner").rfind(owner, 0), 0u);
  // A job without fresh guests sweeps both.
  RunOutput next =
      Run({"run", "--results-dir=" + results() + "-next", "--sysinfo=off",
           "--image=" + ImageDir(), suite() + "/t1.sh"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_TRUE(killed_jobs_dirs().empty());
  EXPECT_FALSE(fs::exists(state));
}

TEST_F(GuestTest, ProctorWithoutItsHelperRunsGuestTestsThroughItself) {
  // proctor-guest-exec normally sits beside proctor; a lone copy of
  // proctor falls back to `proctor guest-exec`.
  std::string lone = results() + "-bin/proctor";
  fs::create_directories(results() + "-bin");
  fs::copy_file(ProctorBinary(), lone);
  ASSERT_FALSE(fs::exists(results() + "-bin/proctor-guest-exec"));
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\necho in-guest\n");
  RunOutput r =
      RunBinary(lone, {"run", "--results-dir=" + results(), "--sysinfo=off",
                       "--image=" + ImageDir(), suite()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(LatestJobDir() + "/tests/001-t.sh/stdout"), "in-guest\n");
}

// The outputs come after a marker on the test's stderr: what the test
// wrote there arrives as it was, the last line without its newline too.
TEST_F(GuestTest, GuestTestsOutputsArriveAndItsStderrIsKeptAsWritten) {
  Script("t.sh",
         "#!/bin/sh\n# proctor: where=guest\n"
         "echo first >&2; printf 'no newline \\036at the end' >&2\n"
         "echo data > \"$OUTPUTDIR/.hidden\"\n"
         "mkdir \"$OUTPUTDIR/dir\" && echo deep > \"$OUTPUTDIR/dir/f\"\n"
         "ln -s .hidden \"$OUTPUTDIR/link\"\n");
  RunOutput r = RunGuest();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string dir = LatestJobDir() + "/tests/001-t.sh/";
  EXPECT_EQ(ReadFile(dir + "stderr"), "first\nno newline \036at the end");
  EXPECT_EQ(ReadFile(dir + "outputs/.hidden"), "data\n");
  EXPECT_EQ(ReadFile(dir + "outputs/dir/f"), "deep\n");
  EXPECT_EQ(fs::read_symlink(dir + "outputs/link"), ".hidden");
  EXPECT_FALSE(fs::exists(dir + ".guest-outputs.tar"));
}

// A booted guest makes every guest test's directories when it starts; a
// try that left something in them has them made again for the next.
TEST_F(GuestTest, EachTryOfAGuestTestStartsWithEmptyDirectories) {
  Script("t.sh",
         "#!/bin/sh\n# proctor: where=guest\n"
         "[ -z \"$(ls -A \"$TEMPDIR\")$(ls -A \"$OUTPUTDIR\")\" ] || exit 2\n"
         "if [ -e /tmp/tried ]; then echo 2 > \"$OUTPUTDIR/try\"; exit 0; fi\n"
         "touch /tmp/tried \"$TEMPDIR/junk\"; echo 1 > \"$OUTPUTDIR/try\"\n"
         "exit 1\n");
  RunOutput r = RunGuest({"--until-pass=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string dir = LatestJobDir() + "/tests/001-t.sh";
  EXPECT_EQ(ReadFile(dir + ".try-1/outputs/try"), "1\n");
  EXPECT_EQ(ReadFile(dir + "/outputs/try"), "2\n");
}

TEST_F(GuestTest, OutputsOfAGuestTestCutShortAreFetchedFromTheGuest) {
  Script("1-slow.sh",
         "#!/bin/sh\n# proctor: where=guest timeout=2\n"
         "echo partial > \"$OUTPUTDIR/progress\"\nsleep 100\n");
  RunOutput r = RunGuest();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(ReadFile(LatestJobDir() + "/tests/001-1-slow.sh/outputs/progress"),
            "partial\n");
}

TEST_F(GuestTest, GuestTimeoutLeavesTheGuestUsable) {
  Script("1-hang.sh",
         "#!/bin/sh\n# proctor: where=guest timeout=2\nsleep 100\n");
  Script("2-next.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r = RunGuest({"--kill-grace=1s"});
  EXPECT_EQ(r.lines[1], "1-hang.sh -- TIMEOUT");
  EXPECT_EQ(r.lines[2], "2-next.sh -- PASS");
}

TEST_F(GuestTest, CorruptedImageIsExitThreeWithBothDigests) {
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  std::string image = results() + "-image";
  fs::create_directories(image);
  for (const char* f : {"vmlinux", "initramfs", "SHA256SUMS"}) {
    fs::copy_file(ImageDir() + "/" + f, image + "/" + f);
  }
  {
    std::fstream(image + "/initramfs",
                 std::ios::in | std::ios::out | std::ios::binary)
            .seekp(1000)
        << 'X';
  }
  RunOutput r =
      Run({"run", "--results-dir=" + results(), "--image=" + image, suite()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("initramfs: sha256 mismatch: pinned "));
  EXPECT_THAT(r.err, HasSubstr(", file has "));
}

TEST_F(GuestTest, GuestNotAnsweringSshInTimeIsExitThreeNamingTheConsoleLog) {
  // Under TCG the guest needs about 3.5 s to answer SSH.
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  absl::Time start = absl::Now();
  RunOutput r = RunGuest({"--boot-timeout=1s"});
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("within 1s"));
  EXPECT_THAT(r.err,
              HasSubstr("console log: " + LatestJobDir() + "/vm/console.log"));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(GuestTest, GuestPanickingAtBootIsExitThreeWithoutWaitingOutTheTimeout) {
  // A well-formed image whose initramfs is not an archive: the kernel
  // panics, QEMU exits (panic=-1, -no-reboot), and proctor says so at once.
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  std::string image = results() + "-image";
  fs::create_directories(image);
  fs::copy_file(ImageDir() + "/vmlinux", image + "/vmlinux");
  std::ofstream(image + "/initramfs") << std::string(4096, 'X');
  std::ofstream(image + "/SHA256SUMS")
      << ReadFile(ImageDir() + "/SHA256SUMS").substr(0, 64) << "  vmlinux\n"
      << *Sha256File(image + "/initramfs") << "  initramfs\n";
  absl::Time start = absl::Now();
  RunOutput r = Run({"run", "--results-dir=" + results(), "--sysinfo=off",
                     "--image=" + image, suite()});
  EXPECT_LT(absl::Now() - start, absl::Seconds(60));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("QEMU exited before the guest answered SSH"));
  EXPECT_THAT(r.err, HasSubstr("Kernel panic"));
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(GuestTest, MissingQemuIsExitThree) {
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r = Run({"run", "--results-dir=" + results(), "--sysinfo=off",
                     "--image=" + ImageDir(), suite()},
                    {"PATH=/nonexistent"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("QEMU not found: qemu-system-x86_64"));
}

TEST_F(GuestTest, QemuFlagNamingNoProgramIsExitThree) {
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r =
      Run({"run", "--results-dir=" + results(), "--sysinfo=off",
           "--image=" + ImageDir(), "--qemu=/nonexistent/qemu", suite()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("QEMU not found: /nonexistent/qemu"));
}

// The pinned QEMU of //container:qemu runs with its own loader and
// libraries; the run uses it and not the one in PATH.
TEST_F(GuestTest, PinnedQemuBundleBootsTheGuest) {
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntest -d /tests\n");
  std::string qemu = absl::StrCat(
      getenv("TEST_SRCDIR"), "/proctor/container/qemu/bin/qemu-system-x86_64");
  RunOutput r = Run({"run", "--results-dir=" + results(), "--sysinfo=off",
                     "--image=" + ImageDir(), suite()},
                    {"PROCTOR_QEMU=" + qemu});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(ReadFile(LatestJobDir() + "/vm/qemu.cmdline"),
              StartsWith(qemu + " "));
}

// Tests named one by one from different directories all reach the guest:
// it gets the directory that holds them all.
TEST_F(GuestTest, TestsFromTwoDirectoriesBothRunInTheGuest) {
  Script("a/one.sh", "#!/bin/sh\necho one\n");
  Script("b/two.sh", "#!/bin/sh\necho two\n");
  RunOutput r = Run({"run", "--results-dir=" + results(), "--sysinfo=off",
                     "--image=" + ImageDir(), "--where=guest",
                     suite() + "/a/one.sh", suite() + "/b/two.sh"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("one.sh -- PASS"));
  EXPECT_THAT(r.out, HasSubstr("two.sh -- PASS"));
}

// A host test that requires=vm gets the job's guest: commands in it and
// QMP on its QEMU, through proctor vm exec/qmp and $PROCTOR_VM.
TEST_F(GuestTest, HostTestRequiringVmUsesTheJobsGuest) {
  Script("uses-vm.sh",
         "#!/bin/sh\n# proctor: requires=vm\n"
         "test \"$PROCTOR_WHERE\" = host || exit 1\n"
         "proctor vm exec -- cat /proc/sys/kernel/random/boot_id "
         "> \"$OUTPUTDIR/boot_id\" || exit 1\n"
         "proctor vm exec -- 'exit 7'; echo $? > \"$OUTPUTDIR/exec_status\"\n"
         "proctor vm qmp '{\"execute\": \"query-status\"}' "
         "> \"$OUTPUTDIR/status\" || exit 1\n"
         "proctor vm qmp '{\"execute\": \"nope\"}' 2> \"$OUTPUTDIR/qmp_err\"; "
         "echo $? > \"$OUTPUTDIR/qmp_status\"\n");
  RunOutput r = RunGuest();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.lines, ::testing::Contains("uses-vm.sh -- PASS"));
  std::string out = LatestJobDir() + "/tests/001-uses-vm.sh/outputs/";
  EXPECT_EQ(ReadFile(out + "boot_id").size(), 37u);  // a UUID and newline
  EXPECT_EQ(ReadFile(out + "exec_status"), "7\n");
  EXPECT_EQ(ReadFile(out + "status"),
            "{\"running\":true,\"singlestep\":false,\"status\":\"running\"}\n");
  EXPECT_EQ(ReadFile(out + "qmp_status"), "1\n");
  EXPECT_THAT(ReadFile(out + "qmp_err"), HasSubstr("nope: CommandNotFound"));
}

TEST_F(GuestTest, RequiresVmWithoutAnImageIsSkipped) {
  Script("uses-vm.sh", "#!/bin/sh\n# proctor: requires=vm\ntrue\n");
  RunOutput r =
      Run({"run", "--results-dir=" + results(), "--sysinfo=off", suite()},
          {"PROCTOR_IMAGE="});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.lines, ::testing::Contains("uses-vm.sh -- SKIPPED"));
  EXPECT_THAT(Find(LatestJob(), "uses-vm.sh")->reason(),
              HasSubstr("requires vm: no guest image"));
}

TEST_F(GuestTest, VmExecOutsideAJobIsAUsageError) {
  RunOutput r = Run({"vm", "exec", "--", "true"}, {"PROCTOR_VM="});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("vm exec: no job guest: PROCTOR_VM is not set"));
  r = Run({"vm", "qmp", "not json"}, {"PROCTOR_VM=/nonexistent"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("vm qmp: not a QMP command: not json"));
}

TEST_F(GuestTest, NoImageIsExitThree) {
  Script("t.sh", "#!/bin/sh\n# proctor: where=guest\ntrue\n");
  RunOutput r =
      Run({"run", "--results-dir=" + results(), suite()}, {"PROCTOR_IMAGE="});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("no guest image: give --image"));
}

TEST_F(GuestTest, VmRunPrintsTheOutputAndReturnsTheStatus) {
  RunOutput r = Run({"vm", "run", "--image=" + ImageDir(), "--",
                     "uname -r; echo oops >&2; exit 5"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.out, "6.1.0-56-amd64\n");
  EXPECT_THAT(r.err, HasSubstr("oops\n"));
}

TEST_F(GuestTest, VmShellRunsWhatItIsGiven) {
  std::string input = results() + "-shell-input";
  std::ofstream(input) << "echo hello-from-shell; exit 3\n";
  std::string out = results() + "-shell-output";
  SpawnOptions o;
  o.argv = {
      "/bin/sh", "-c",
      ProctorBinary() + " vm shell --image=" + ImageDir() + " < " + input};
  o.env = {"PATH=/usr/bin:/bin"};
  UniqueFd fd(open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  o.stdout_fd = fd.get();
  absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
  ASSERT_TRUE(p.ok());
  ExitInfo exit = p->Wait();
  EXPECT_EQ(exit.code, 3);
  EXPECT_THAT(ReadFile(out), HasSubstr("hello-from-shell"));
}

TEST_F(GuestTest, ImageVerifyChecksTheDigests) {
  RunOutput ok = Run({"image", "verify", ImageDir()});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_THAT(ok.out, HasSubstr(": ok"));
  RunOutput missing = Run({"image", "verify", results()});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("no SHA256SUMS"));
}

}  // namespace
}  // namespace proctor::testing
