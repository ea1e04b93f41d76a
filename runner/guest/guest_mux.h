// Lets short-lived `proctor guest-exec` helpers share the job's shells in
// the guest.
//
// An SSH login costs about 0.2 s under TCG, more than a small test. So the
// runner keeps a pool of guest shells (vmm/guest_shell.h): logged-in SSH
// sessions, and a restored guest's agent, which needs no login at all. It
// serves helpers on a unix socket: a helper sends its script and
// half-closes; the mux runs it on a pooled shell (one thread per helper,
// each with a shell of its own: SSH logins beyond the first) and answers
// with frames, each a type byte, a 4-byte little-endian length and data:
// 1 stdout, 2 stderr, 3 the exit status (int32; -1 when the guest closed
// without one). A helper that goes away (killed at its timeout) cancels its
// command. The helper's side is guest_mux_client.h; the wire format
// guest_mux_wire.h.
#ifndef PROCTOR_RUNNER_GUEST_GUEST_MUX_H_
#define PROCTOR_RUNNER_GUEST_GUEST_MUX_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "runner/base/unique_fd.h"
#include "vmm/guest_shell.h"
#include "vmm/ssh_session.h"

namespace proctor {

class GuestMux {
 public:
  using SessionFactory =
      std::function<absl::StatusOr<std::unique_ptr<vmm::SshSession>>()>;

  static absl::StatusOr<std::unique_ptr<GuestMux>> Start(
      SessionFactory factory);
  ~GuestMux();

  const std::string& socket_path() const { return socket_path_; }
  // Forgets pooled sessions (their guest is gone).
  void DropSessions();
  // Pools a shell made elsewhere (the SSH session or the agent a guest's
  // start made): the next helper uses it instead of logging in. Null is
  // ignored.
  void Adopt(std::unique_ptr<vmm::GuestShell> shell);
  // Runs `use` on the caller's thread with a pooled shell (a new login if
  // none is idle), which goes back to the pool when `use` returns OK and
  // the shell is not broken. Unavailable when no shell can be had.
  absl::Status WithSession(
      const std::function<absl::Status(vmm::GuestShell*)>& use);
  // The same with an SSH session (an idle one, else a new login), for what
  // needs SSH itself: a terminal. It runs no prologue: for booted guests.
  absl::Status WithLogin(
      const std::function<absl::Status(vmm::SshSession*)>& use);
  // What the guest's first command must start with (the rest of its
  // restore: vmm::Vm::RestoreCompletion, which `prologue` makes when it is
  // run). A helper's script starts with it, and WithSession runs it first,
  // until one of them has run it; users that come meanwhile run it too, so
  // it must be idempotent (RestoreCompletion is). DropSessions forgets it.
  void SetPrologue(std::function<std::string()> prologue);

 private:
  // The prologue to run now ("" if none), and the generation it is of.
  std::string Prologue(uint64_t* generation);
  void PrologueRan(uint64_t generation);
  // `ssh_only`: an idle SSH session or a new login, never the agent.
  absl::Status WithPooledSession(
      const std::function<absl::Status(vmm::GuestShell*)>& use,
      bool ssh_only = false);
  GuestMux() = default;
  void AcceptLoop();
  void Serve(UniqueFd conn);
  std::unique_ptr<vmm::GuestShell> Take(bool ssh_only);
  void Give(std::unique_ptr<vmm::GuestShell> shell, uint64_t generation);

  SessionFactory factory_;
  std::string dir_, socket_path_;
  UniqueFd listen_;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<vmm::GuestShell>> idle_ ABSL_GUARDED_BY(mu_);
  // Workers still serving (they are detached): the destructor waits for 0.
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  // Bumped when the guest goes: sessions of an older one are not pooled.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<std::string()> prologue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_GUEST_GUEST_MUX_H_
