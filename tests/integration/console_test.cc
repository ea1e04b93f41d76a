// What `proctor run` prints: the live status line on a terminal and
// nowhere else, --quiet, --verbose, and --json-stream's events.
#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/subprocess.h"
#include "runner/base/unique_fd.h"
#include "tests/integration/harness.h"

namespace proctor::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ConsoleTest : public ProctorTest {
 protected:
  void Suite() {
    Script("a-ok.sh", "#!/bin/sh\necho hello; echo oops >&2\n");
    Script("b-bad.sh", "#!/bin/sh\nexit 1\n");
    Script("c-skip.sh",
           "#!/bin/sh\n# proctor: requires=cmd:no-such-tool-here\ntrue\n");
  }
  // proctor with its stdout on a pseudo-terminal and `env` first in its
  // environment (the first entry wins); what the terminal got.
  std::string OnATerminal(const std::vector<std::string>& env) {
    int master = -1, slave = -1;
    if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
      ADD_FAILURE() << "openpty: " << strerror(errno);
      return "";
    }
    UniqueFd m(master), s(slave);
    SpawnOptions o;
    o.argv = {ProctorBinary(), "run", "--results-dir=" + results(),
              "--sysinfo=off", suite()};
    for (char** e = environ; *e != nullptr; ++e) o.env.push_back(*e);
    o.env.insert(o.env.begin(), env.begin(), env.end());
    o.stdout_fd = s.get();
    absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
    // A failure here returns at once: the lines below would dereference it.
    if (!p.ok()) {
      ADD_FAILURE() << p.status();
      return "";
    }
    s.Reset();
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(m.get(), buf, sizeof(buf))) > 0) out.append(buf, n);
    int status;
    waitpid(p->pid(), &status, 0);
    p->MarkReaped();
    return out;
  }
};

TEST_F(ConsoleTest, ATerminalGetsALiveStatusLineUnderTheResultLines) {
  Suite();
  std::string out = OnATerminal({"CI=", "TERM=xterm"});
  EXPECT_THAT(out, HasSubstr("\r\033[K[0/3] 0 failed, 0:00  running: a-ok.sh"));
  EXPECT_THAT(out, HasSubstr("\r\033[Kb-bad.sh -- FAIL"));
  EXPECT_THAT(out, HasSubstr("[2/3] 1 failed"));
  // Cleared before the summary, which stands alone.
  EXPECT_THAT(out, HasSubstr("\r\033[K1 passed, 1 failed, 1 skipped"));
}

TEST_F(ConsoleTest, CiOrADumbTerminalGetsThePlainLines) {
  Suite();
  for (const std::vector<std::string>& env :
       {std::vector<std::string>{"CI=true", "TERM=xterm"},
        std::vector<std::string>{"CI=", "TERM=dumb"}}) {
    std::string out = OnATerminal(env);
    EXPECT_THAT(out, Not(HasSubstr("\033"))) << env[0] << " " << env[1];
    EXPECT_THAT(out, HasSubstr("a-ok.sh -- PASS\r\nb-bad.sh -- FAIL\r\n"));
  }
}

TEST_F(ConsoleTest, APipeGetsExactlyTheRfcLines) {
  Suite();
  RunOutput r = RunSuite();
  EXPECT_THAT(r.out, Not(HasSubstr("\033")));
  EXPECT_THAT(
      std::vector<std::string>(r.lines.begin() + 1, r.lines.end()),
      ElementsAre("a-ok.sh -- PASS", "b-bad.sh -- FAIL", "c-skip.sh -- SKIPPED",
                  "1 passed, 1 failed, 1 skipped"));
}

TEST_F(ConsoleTest, QuietPrintsOnlyWhatDidNotPassAndTheSummary) {
  Suite();
  RunOutput r = RunSuite({"--quiet"});
  EXPECT_THAT(std::vector<std::string>(r.lines.begin() + 1, r.lines.end()),
              ElementsAre("b-bad.sh -- FAIL", "1 passed, 1 failed, 1 skipped"));
}

TEST_F(ConsoleTest, VerboseStreamsEachTestsOutputAfterItsName) {
  Suite();
  RunOutput r = RunSuite({"--verbose"});
  EXPECT_THAT(r.lines, Contains("a-ok.sh| hello"));
  EXPECT_THAT(r.lines, Contains("a-ok.sh| oops"));
  EXPECT_THAT(r.lines, Contains("a-ok.sh -- PASS"));
}

TEST_F(ConsoleTest, JsonStreamHasAnEventPerLineInOrder) {
  Suite();
  std::string file = suite() + "/../events.jsonl";
  RunOutput r = RunSuite({"--json-stream=" + file});
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> events;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(file), '\n', absl::SkipEmpty())) {
    size_t at = line.find("\"event\":\"");
    ASSERT_NE(at, absl::string_view::npos) << line;
    std::string name(line.substr(at + 9));
    events.push_back(name.substr(0, name.find('"')));
  }
  // c-skip.sh is decided without running: no test_started.
  EXPECT_THAT(events,
              ElementsAre("job_started", "test_started", "test_finished",
                          "test_started", "test_finished", "test_finished",
                          "job_finished"));
  std::string text = ReadFile(file);
  EXPECT_THAT(text, HasSubstr("\"tests\":3"));
  EXPECT_THAT(text, HasSubstr("\"status\":\"FAIL\""));
  EXPECT_THAT(text, HasSubstr("\"summary\":{\"total\":3,\"passed\":1,"
                              "\"failed\":1,\"skipped\":1},\"exit_code\":1}"));
  // To a descriptor: stdout here, interleaved with the lines.
  r = RunSuite({"--json-stream=fd:1"});
  EXPECT_THAT(r.lines, Contains(StartsWith("{\"event\":\"job_finished\"")));
}

TEST_F(ConsoleTest, BadJsonStreamTargetsAreUsageErrors) {
  Suite();
  RunOutput r = RunSuite({"--json-stream=fd:99"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--json-stream=fd:99: not an open file"));
  r = RunSuite({"--json-stream=/nonexistent/events"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--json-stream=/nonexistent/events: No such"));
}

}  // namespace
}  // namespace proctor::testing
