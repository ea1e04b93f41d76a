// A child process in its own process group, so that a test and everything
// it forks can be signalled together.
//
// Spawn() starts the program as posix_spawn does, with a vfork-like clone
// (no copy of the runner's address space, so starting a test costs the
// same whatever the runner's size), stdin from /dev/null and stdout/stderr
// on the given descriptors, signals unblocked and reset to their defaults.
// Start failures (not executable, bad interpreter, missing file) come back as a
// Status whose message says why, in the words a user expects.
//
// The destructor kills the whole group with SIGKILL and reaps the child if
// that has not happened yet: a Subprocess never leaves anything behind.
#ifndef PROCTOR_RUNNER_BASE_SUBPROCESS_H_
#define PROCTOR_RUNNER_BASE_SUBPROCESS_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace proctor {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the path to execute
  std::vector<std::string> env;   // "NAME=value" entries
  std::string cwd;                // empty: the runner's
  int stdout_fd = -1;             // -1: /dev/null
  int stderr_fd = -1;             // -1: /dev/null
  // The child gets SIGKILL when the thread that spawned it ends, even by
  // SIGKILL (PR_SET_PDEATHSIG): for a child that must not outlive its
  // owner, such as QEMU. Spawned with fork() then.
  bool die_with_parent = false;
  // The signals the child resets to SIG_DFL before it executes: those the
  // caller ignores or handles (SignalsToReset()). Unset: every one of
  // those a runner may ignore or a library may handle, about 20 calls in
  // the child, which a caller that starts many children reads once
  // instead.
  std::optional<std::vector<int>> reset_signals;
};

// The signals a child of this process must have reset: those among the
// ones Spawn() cares for that are not at SIG_DFL now (ignored, as SIGPIPE
// by SignalWatcher, or handled). Read again after changing a disposition.
std::vector<int> SignalsToReset();

// How a child ended, from waitpid().
struct ExitInfo {
  bool exited = false;  // exited normally: see code
  int code = 0;
  int signal = 0;  // killed by this signal
};

ExitInfo DecodeWaitStatus(int status);

class Subprocess {
 public:
  static absl::StatusOr<Subprocess> Spawn(const SpawnOptions& options);

  Subprocess() = default;
  ~Subprocess();
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !reaped_; }

  // Sends `sig` to the child's whole process group (harmless if it is gone).
  // SIGKILL after the child was reaped ends the group for good (nothing
  // can join it then), so destruction does not send it again.
  void SignalGroup(int sig);
  // Records that the caller reaped the child with waitpid().
  void MarkReaped() { reaped_ = true; }
  // Blocks until the child exits, and returns how.
  ExitInfo Wait();

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  void Cleanup();

  pid_t pid_ = -1;
  bool reaped_ = false;
  bool group_ended_ = false;
};

// Why `path` cannot be executed, in the words of a shell ("permission
// denied", "bad interpreter: /usr/bin/nope: No such file or directory"), or
// OK if it looks executable. Used both before spawning and to explain an
// exec failure.
absl::Status CheckExecutable(const std::string& path);
// The part of CheckExecutable for a regular file whose stat (following
// symlinks) and first bytes (at least the #! line) the caller already has.
absl::Status CheckExecutableFile(const std::string& path, const struct stat& st,
                                 absl::string_view head);

// The executable regular file `name` resolves to: itself if it holds a
// slash, else the first match in the colon-separated `path_env`; "" if
// there is none.
std::string FindProgram(absl::string_view name, absl::string_view path_env);

// The live children of `parent`, from /proc.
std::vector<pid_t> ChildrenOf(pid_t parent);

// Kills every process the runner adopted as a child subreaper (test
// grandchildren that escaped their process group) and reaps them.
void KillAdoptedOrphans(const std::vector<pid_t>& keep);

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_SUBPROCESS_H_
