#include "runner/base/subprocess.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"

namespace proctor {

ExitInfo DecodeWaitStatus(int status) {
  ExitInfo info;
  if (WIFEXITED(status)) {
    info.exited = true;
    info.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    info.signal = WTERMSIG(status);
  }
  return info;
}

absl::Status CheckExecutable(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("no such file: ", strerror(errno)));
  }
  if (S_ISLNK(st.st_mode) && stat(path.c_str(), &st) != 0) {
    char target[4096];
    ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
    target[n < 0 ? 0 : n] = '\0';
    return absl::NotFoundError(absl::StrCat("dangling symlink to ", target));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError("is a directory");
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError("not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  char head[256] = {0};
  in.read(head, sizeof(head) - 1);
  return CheckExecutableFile(
      path, st, absl::string_view(head, static_cast<size_t>(in.gcount())));
}

absl::Status CheckExecutableFile(const std::string& path, const struct stat& st,
                                 absl::string_view head) {
  if (access(path.c_str(), X_OK) != 0 || (st.st_mode & 0111) == 0) {
    return absl::PermissionDeniedError("not executable (no x permission)");
  }
  // A script whose interpreter is missing fails with ENOENT at exec time;
  // say which interpreter, as a shell does.
  absl::string_view first = head;
  if (absl::ConsumePrefix(&first, "#!")) {
    first = first.substr(0, first.find('\n'));
    first = absl::StripAsciiWhitespace(first);
    std::string interpreter(first.substr(0, first.find_first_of(" \t")));
    if (interpreter.empty()) {
      return absl::FailedPreconditionError("bad interpreter: empty #! line");
    }
    if (access(interpreter.c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "bad interpreter: ", interpreter, ": ", strerror(errno)));
    }
  }
  return absl::OkStatus();
}

namespace {

// Signals whose ignored disposition must not leak into a child (the
// runner ignores SIGPIPE; a runner started by nohup or in the background
// ignores more), and those a library might handle: a handler would run in
// the runner's memory if one came between the child's unblocking and its
// exec (exec itself resets handlers).
constexpr int kResetSignals[] = {SIGPIPE, SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
                                 SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1,
                                 SIGUSR2, SIGALRM, SIGXFSZ, SIGSEGV, SIGBUS,
                                 SIGILL,  SIGFPE,  SIGABRT, SIGTRAP, SIGSYS};

// `fd` as descriptor `target` of the program to be: open across exec.
bool MoveTo(int fd, int target) {
  if (fd == target) return fcntl(fd, F_SETFD, 0) == 0;
  return dup2(fd, target) == target;
}

// The child's descriptors and directory, between fork (or clone) and
// exec: stdin from /dev/null, stdout and stderr as `options` says, the cwd.
// Only async-signal-safe calls; false (errno set) on a failure.
bool SetUpChild(const SpawnOptions& options) {
  // Close-on-exec: only their copies on 0, 1 and 2 reach the program.
  int null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int null_out = options.stdout_fd < 0 || options.stderr_fd < 0
                     ? open("/dev/null", O_WRONLY | O_CLOEXEC)
                     : -1;
  return null_in >= 0 && MoveTo(null_in, 0) &&
         MoveTo(options.stdout_fd >= 0 ? options.stdout_fd : null_out, 1) &&
         MoveTo(options.stderr_fd >= 0 ? options.stderr_fd : null_out, 2) &&
         (options.cwd.empty() || chdir(options.cwd.c_str()) == 0);
}

// Unblocks every signal after resetting `options`' reset_signals (all of
// kResetSignals if unset), then executes.
void ExecWithDefaultSignals(const SpawnOptions& options, char* const* argv,
                            char* const* envp) {
  absl::Span<const int> reset = kResetSignals;
  if (options.reset_signals.has_value()) reset = *options.reset_signals;
  for (int sig : reset) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(argv[0], argv, envp);
}

// The child's side of SpawnDyingWithParent, between fork and exec: only
// async-signal-safe calls. Reports a failure's errno on `report`.
[[noreturn]] void ExecDyingWithParent(const SpawnOptions& options, pid_t parent,
                                      char* const* argv, char* const* envp,
                                      int report) {
  auto fail = [report]() {
    int e = errno;
    (void)!write(report, &e, sizeof(e));
    _exit(127);
  };
  setpgid(0, 0);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail();
  if (getppid() != parent) _exit(127);  // the owner is already gone
  if (SetUpChild(options)) ExecWithDefaultSignals(options, argv, envp);
  fail();
}

// What the child of SpawnSharingMemory reads, and the one thing it writes:
// in the runner's memory, which it shares until it executes.
struct SharedSpawn {
  const SpawnOptions* options;
  char* const* argv;
  char* const* envp;
  int error;  // the child's errno when it could not execute, else 0
};

// The child's side of SpawnSharingMemory, on a stack of its own in the
// runner's memory (CLONE_VM, as posix_spawn's child): only
// async-signal-safe calls, nothing written but `error`.
int ExecSharingMemory(void* arg) {
  auto* shared = static_cast<SharedSpawn*>(arg);
  setpgid(0, 0);
  if (SetUpChild(*shared->options)) {
    ExecWithDefaultSignals(*shared->options, shared->argv, shared->envp);
  }
  shared->error = errno;
  _exit(127);
}

// Starts the child as posix_spawn does (clone with CLONE_VM | CLONE_VFORK:
// the runner waits, without copying its address space, until the child
// executed or failed to), without glibc's reset of all 64 signals in the
// child, which the runner pays for at every test: it installs no handlers,
// and the child resets the few that matter.
absl::StatusOr<pid_t> SpawnSharingMemory(const SpawnOptions& options,
                                         char* const* argv, char* const* envp) {
  SharedSpawn shared{&options, argv, envp, 0};
  constexpr size_t kStackSize = 64 * 1024;
  auto stack = std::make_unique<char[]>(kStackSize);
  // Blocked in the child until it unblocks them all before exec; no
  // signal reaches a handler while the memory is shared.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = clone(ExecSharingMemory, stack.get() + kStackSize,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, &shared);
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    return absl::UnavailableError(
        absl::StrCat("clone: ", strerror(clone_errno)));
  }
  if (shared.error != 0) {
    int status;
    waitpid(pid, &status, 0);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot execute: ", strerror(shared.error)));
  }
  return pid;
}

// What exec wants: the strings' own buffers, null-terminated.
std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> c;
  for (const std::string& s : strings)
    c.push_back(const_cast<char*>(s.c_str()));
  c.push_back(nullptr);
  return c;
}

absl::StatusOr<pid_t> SpawnDyingWithParent(const SpawnOptions& options,
                                           char* const* argv,
                                           char* const* envp) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    return absl::UnavailableError(absl::StrCat("pipe: ", strerror(errno)));
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) ExecDyingWithParent(options, parent, argv, envp, report[1]);
  close(report[1]);
  int child_errno = 0;
  ssize_t n = pid > 0 ? read(report[0], &child_errno, sizeof(child_errno)) : 0;
  close(report[0]);
  if (pid < 0) {
    return absl::UnavailableError(absl::StrCat("fork: ", strerror(errno)));
  }
  if (n == sizeof(child_errno)) {
    int status;
    waitpid(pid, &status, 0);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot execute: ", strerror(child_errno)));
  }
  return pid;
}

}  // namespace

std::vector<int> SignalsToReset() {
  std::vector<int> reset;
  for (int sig : kResetSignals) {
    struct sigaction now;
    if (sigaction(sig, nullptr, &now) != 0 || now.sa_handler != SIG_DFL) {
      reset.push_back(sig);
    }
  }
  return reset;
}

absl::StatusOr<Subprocess> Subprocess::Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("empty argv");
  if (options.die_with_parent) {
    std::vector<char*> argv = CStrings(options.argv);
    std::vector<char*> envp = CStrings(options.env);
    absl::StatusOr<pid_t> pid =
        SpawnDyingWithParent(options, argv.data(), envp.data());
    if (!pid.ok()) {
      absl::Status why = CheckExecutable(options.argv[0]);
      return why.ok() ? pid.status() : why;
    }
    return Subprocess(*pid);
  }
  std::vector<char*> argv = CStrings(options.argv);
  std::vector<char*> envp = CStrings(options.env);
  absl::StatusOr<pid_t> pid =
      SpawnSharingMemory(options, argv.data(), envp.data());
  if (!pid.ok()) {
    absl::Status why = CheckExecutable(options.argv[0]);
    return why.ok() ? pid.status() : why;
  }
  return Subprocess(*pid);
}

Subprocess::~Subprocess() { Cleanup(); }

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reaped_(std::exchange(other.reaped_, false)),
      group_ended_(std::exchange(other.group_ended_, false)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    Cleanup();
    pid_ = std::exchange(other.pid_, -1);
    reaped_ = std::exchange(other.reaped_, false);
    group_ended_ = std::exchange(other.group_ended_, false);
  }
  return *this;
}

void Subprocess::Cleanup() {
  if (pid_ <= 0) return;
  if (!group_ended_) SignalGroup(SIGKILL);
  if (!reaped_) {
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

void Subprocess::SignalGroup(int sig) {
  if (pid_ <= 0) return;
  kill(-pid_, sig);
  // Once the leader is reaped, the group lives only in its members; after
  // SIGKILL it has none, and no process can join a group that is gone.
  if (sig == SIGKILL && reaped_) group_ended_ = true;
}

ExitInfo Subprocess::Wait() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) return {};
  }
  reaped_ = true;
  return DecodeWaitStatus(status);
}

namespace {

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string FindProgram(absl::string_view name, absl::string_view path_env) {
  if (absl::StrContains(name, '/')) {
    std::string path(name);
    return IsExecutableFile(path) ? path : "";
  }
  for (absl::string_view dir :
       absl::StrSplit(path_env, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (IsExecutableFile(candidate)) return candidate;
  }
  return "";
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return children;
  while (struct dirent* e = readdir(dir)) {
    pid_t pid;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    std::ifstream stat_file(absl::StrCat("/proc/", pid, "/stat"));
    std::string stat;
    std::getline(stat_file, stat);
    // Fields after the command (which may hold spaces) start after ')'.
    size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 > stat.size()) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(absl::string_view(stat).substr(close + 2), ' ');
    pid_t ppid;
    if (fields.size() >= 2 && absl::SimpleAtoi(fields[1], &ppid) &&
        ppid == parent) {
      children.push_back(pid);
    }
  }
  closedir(dir);
  return children;
}

void KillAdoptedOrphans(const std::vector<pid_t>& keep) {
  // The runner is a child subreaper: descendants whose parents died were
  // re-parented to it. Killing one may re-parent its own children, hence
  // the rounds.
  for (int round = 0; round < 10; ++round) {
    std::vector<pid_t> victims;
    for (pid_t pid : ChildrenOf(getpid())) {
      if (std::find(keep.begin(), keep.end(), pid) == keep.end()) {
        victims.push_back(pid);
      }
    }
    if (victims.empty()) return;
    for (pid_t pid : victims) {
      kill(pid, SIGKILL);
      int status;
      waitpid(pid, &status, 0);
    }
  }
}

}  // namespace proctor
