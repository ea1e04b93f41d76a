#include "runner/base/subprocess.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

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

// Signals whose ignored disposition or blocked state must not leak into a
// child (the runner ignores SIGPIPE; a runner started by nohup or in the
// background ignores more).
constexpr int kResetSignals[] = {SIGPIPE, SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
                                 SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1,
                                 SIGUSR2, SIGALRM, SIGXFSZ};

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
  // Close-on-exec: only their copies on 0, 1 and 2 reach the program.
  int null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int null_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_in < 0 || null_out < 0) fail();
  if (dup2(null_in, 0) < 0 ||
      dup2(options.stdout_fd >= 0 ? options.stdout_fd : null_out, 1) < 0 ||
      dup2(options.stderr_fd >= 0 ? options.stderr_fd : null_out, 2) < 0) {
    fail();
  }
  if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) fail();
  for (int sig : kResetSignals) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(argv[0], argv, envp);
  fail();
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
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);

  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (options.stdout_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, options.stdout_fd, 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  }
  if (options.stderr_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, options.stderr_fd, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  }

  // Handlers reset themselves at exec; what can leak into a test is a
  // blocked mask and ignored dispositions. Resetting only those keeps a
  // spawn to a dozen syscalls, not one per signal.
  sigset_t none, reset;
  sigemptyset(&none);
  sigemptyset(&reset);
  for (int sig : kResetSignals) sigaddset(&reset, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &reset);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                      POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv = CStrings(options.argv);
  std::vector<char*> envp = CStrings(options.env);

  pid_t pid = -1;
  int rc =
      posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    absl::Status why = CheckExecutable(options.argv[0]);
    if (!why.ok()) return why;
    return absl::FailedPreconditionError(
        absl::StrCat("cannot execute: ", strerror(rc)));
  }
  return Subprocess(pid);
}

Subprocess::~Subprocess() { Cleanup(); }

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reaped_(std::exchange(other.reaped_, false)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    Cleanup();
    pid_ = std::exchange(other.pid_, -1);
    reaped_ = std::exchange(other.reaped_, false);
  }
  return *this;
}

void Subprocess::Cleanup() {
  if (pid_ <= 0) return;
  SignalGroup(SIGKILL);
  if (!reaped_) {
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

void Subprocess::SignalGroup(int sig) const {
  if (pid_ > 0) kill(-pid_, sig);
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
