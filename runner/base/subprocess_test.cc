// Subprocess::Spawn against real programs (/bin/sh): what a test's process
// starts with, and how a start that fails is said.
#include "runner/base/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runner/base/test_dir.h"

namespace proctor {
namespace {

using ::testing::HasSubstr;

class SubprocessTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = FreshTestDir(); }

  // Runs `script` with sh -c, its stdout and stderr into files; returns
  // how it ended.
  ExitInfo RunShell(const std::string& script, SpawnOptions options = {}) {
    int out = open((dir_ + "/out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open((dir_ + "/err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    options.argv = {"/bin/sh", "-c", script};
    if (options.env.empty()) options.env = {"PATH=/usr/bin:/bin"};
    options.stdout_fd = out;
    options.stderr_fd = err;
    absl::StatusOr<Subprocess> p = Subprocess::Spawn(options);
    close(out);
    close(err);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return {};
    return p->Wait();
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_;
};

TEST_F(SubprocessTest, ProgramGetsItsArgvEnvironmentAndDirectory) {
  SpawnOptions o;
  o.env = {"PATH=/usr/bin:/bin", "GREETING=hello"};
  o.cwd = "/";
  ExitInfo e = RunShell("echo \"$GREETING\" \"$(pwd)\"; exit 3", o);
  EXPECT_TRUE(e.exited);
  EXPECT_EQ(e.code, 3);
  EXPECT_EQ(Read("out"), "hello /\n");
}

TEST_F(SubprocessTest, StdoutAndStderrGoWhereTheyAreGivenAndStdinIsEmpty) {
  ExitInfo e = RunShell("echo out; echo err >&2; cat");
  EXPECT_EQ(e.code, 0);
  EXPECT_EQ(Read("out"), "out\n");
  EXPECT_EQ(Read("err"), "err\n");
}

TEST_F(SubprocessTest, ProgramLeadsAProcessGroupOfItsOwn) {
  RunShell("ps -o pid= -o pgid= -p $$ | awk '{print ($1 == $2)}'");
  EXPECT_EQ(Read("out"), "1\n");
}

TEST_F(SubprocessTest, SignalsTheRunnerBlocksOrIgnoresAreNotInherited) {
  // The runner ignores SIGPIPE and blocks what its signal watcher reads.
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction before;
  sigaction(SIGPIPE, &ignore, &before);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  RunShell("sed -n 's/^SigBlk:\\t//p; s/^SigIgn:\\t//p' /proc/self/status");
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  sigaction(SIGPIPE, &before, nullptr);
  std::istringstream masks(Read("out"));
  unsigned long long blocked = ~0ULL, ignored = ~0ULL;
  masks >> std::hex >> blocked >> ignored;
  EXPECT_EQ(blocked, 0u);
  // Bit N-1 is signal N.
  EXPECT_EQ(ignored & (1ULL << (SIGPIPE - 1)), 0u) << std::hex << ignored;
}

TEST_F(SubprocessTest, SignalsToResetAreThoseNotAtTheirDefault) {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction fallback = {};
  fallback.sa_handler = SIG_DFL;
  struct sigaction usr1, usr2;
  sigaction(SIGUSR1, &ignore, &usr1);
  sigaction(SIGUSR2, &fallback, &usr2);
  std::vector<int> reset = SignalsToReset();
  sigaction(SIGUSR1, &usr1, nullptr);
  sigaction(SIGUSR2, &usr2, nullptr);
  EXPECT_THAT(reset, ::testing::Contains(SIGUSR1));
  EXPECT_THAT(reset, ::testing::Not(::testing::Contains(SIGUSR2)));
}

TEST_F(SubprocessTest, SignalsGivenToResetAreNotInheritedIgnored) {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction usr1, pipe;
  sigaction(SIGUSR1, &ignore, &usr1);
  sigaction(SIGPIPE, &ignore, &pipe);
  SpawnOptions o;
  o.reset_signals = SignalsToReset();
  RunShell("sed -n 's/^SigIgn:\\t//p' /proc/self/status", o);
  sigaction(SIGUSR1, &usr1, nullptr);
  sigaction(SIGPIPE, &pipe, nullptr);
  std::istringstream mask(Read("out"));
  unsigned long long ignored = ~0ULL;
  mask >> std::hex >> ignored;
  EXPECT_EQ(ignored & (1ULL << (SIGUSR1 - 1)), 0u) << std::hex << ignored;
  EXPECT_EQ(ignored & (1ULL << (SIGPIPE - 1)), 0u) << std::hex << ignored;
}

TEST_F(SubprocessTest, OnlyTheSignalsGivenAreReset) {
  // What the caller leaves out stays as the runner has it: the list is
  // the caller's word for what needs resetting.
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction usr1;
  sigaction(SIGUSR1, &ignore, &usr1);
  SpawnOptions o;
  o.reset_signals = std::vector<int>{};
  RunShell("sed -n 's/^SigIgn:\\t//p' /proc/self/status", o);
  sigaction(SIGUSR1, &usr1, nullptr);
  std::istringstream mask(Read("out"));
  unsigned long long ignored = 0;
  mask >> std::hex >> ignored;
  EXPECT_NE(ignored & (1ULL << (SIGUSR1 - 1)), 0u) << std::hex << ignored;
}

TEST_F(SubprocessTest, DescriptorsOfTheRunnerDoNotLeakIntoTheProgram) {
  // Far above what ls itself opens to read /proc/self/fd.
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int mine = fcntl(null, F_DUPFD_CLOEXEC, 100);
  close(null);
  ASSERT_GE(mine, 100);
  RunShell("ls /proc/self/fd");
  close(mine);
  std::istringstream fds(Read("out"));
  std::set<int> seen;
  for (int fd; fds >> fd;) seen.insert(fd);
  EXPECT_EQ(seen.count(mine), 0u);
  EXPECT_EQ(seen.count(0) + seen.count(1) + seen.count(2), 3u);
}

TEST_F(SubprocessTest, MissingProgramSaysSo) {
  SpawnOptions o;
  o.argv = {dir_ + "/nope"};
  absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("no such file"));
}

TEST_F(SubprocessTest, ScriptWithAMissingInterpreterNamesIt) {
  std::string script = dir_ + "/script";
  std::ofstream(script) << "#!/usr/bin/no-such-shell\n";
  chmod(script.c_str(), 0755);
  SpawnOptions o;
  o.argv = {script};
  absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(),
              HasSubstr("bad interpreter: /usr/bin/no-such-shell"));
}

TEST_F(SubprocessTest, MissingDirectoryIsAStartFailureNotAnExit) {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.cwd = dir_ + "/missing";
  absl::StatusOr<Subprocess> p = Subprocess::Spawn(o);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("No such file or directory"));
}

TEST_F(SubprocessTest, DyingWithParentSpawnsTheSameWay) {
  SpawnOptions o;
  o.die_with_parent = true;
  ExitInfo e = RunShell("echo \"$0\"; exit 5", o);
  EXPECT_EQ(e.code, 5);
  EXPECT_EQ(Read("out"), "/bin/sh\n");
}

}  // namespace
}  // namespace proctor
