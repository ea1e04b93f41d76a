#include "runner/guest/guest_mux.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "runner/base/fd_io.h"
#include "runner/base/private_dir.h"
#include "runner/guest/guest_mux_wire.h"

namespace proctor {
namespace {

using mux_wire::Address;
using mux_wire::kExit;
using mux_wire::kStderr;
using mux_wire::kStdout;
using mux_wire::SendFrame;

// The exit status of a script whose prologue failed (as a guest lost).
constexpr int kPrologueFailed = 255;

}  // namespace

absl::StatusOr<std::unique_ptr<GuestMux>> GuestMux::Start(
    SessionFactory factory) {
  auto mux = std::unique_ptr<GuestMux>(new GuestMux());
  mux->factory_ = std::move(factory);
  // It also holds what the guest pool keeps there (a saved guest, tens of
  // MB): a private directory is swept when its owner was killed.
  absl::StatusOr<std::string> dir = MakePrivateDir("proctor-mux");
  if (!dir.ok()) return dir.status();
  mux->dir_ = *dir;
  mux->socket_path_ = mux->dir_ + "/mux.sock";
  mux->listen_.Reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr = Address(mux->socket_path_);
  if (bind(mux->listen_.get(), reinterpret_cast<sockaddr*>(&addr),
           sizeof(addr)) != 0 ||
      listen(mux->listen_.get(), 64) != 0) {
    return absl::UnavailableError(absl::StrCat("guest mux: ", strerror(errno)));
  }
  GuestMux* raw = mux.get();
  mux->acceptor_ = std::thread([raw]() { raw->AcceptLoop(); });
  return mux;
}

GuestMux::~GuestMux() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* active) { return *active == 0; }, &active_));
    idle_.clear();
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void GuestMux::AcceptLoop() {
  while (!stopping_) {
    pollfd p = {listen_.get(), POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    UniqueFd conn(accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) continue;
    {
      absl::MutexLock lock(&mu_);
      ++active_;
    }
    int fd = conn.Release();
    std::thread([this, fd]() {
      Serve(UniqueFd(fd));
      absl::MutexLock lock(&mu_);
      --active_;
    }).detach();
  }
}

std::unique_ptr<vmm::GuestShell> GuestMux::Take(bool ssh_only) {
  {
    absl::MutexLock lock(&mu_);
    // The most recently used first: the agent, when there is one, serves
    // one helper after another and SSH logins are made only beside it.
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
      if (ssh_only && (*it)->AsSsh() == nullptr) continue;
      std::unique_ptr<vmm::GuestShell> s = std::move(*it);
      idle_.erase(std::next(it).base());
      return s;
    }
  }
  absl::StatusOr<std::unique_ptr<vmm::SshSession>> s = factory_();
  return s.ok() ? *std::move(s) : nullptr;
}

void GuestMux::Give(std::unique_ptr<vmm::GuestShell> shell,
                    uint64_t generation) {
  absl::MutexLock lock(&mu_);
  if (generation == generation_ && !shell->broken()) {
    idle_.push_back(std::move(shell));
  }
}

void GuestMux::Adopt(std::unique_ptr<vmm::GuestShell> shell) {
  if (shell == nullptr) return;
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(shell));
}

void GuestMux::SetPrologue(std::function<std::string()> prologue) {
  absl::MutexLock lock(&mu_);
  prologue_ = std::move(prologue);
}

std::string GuestMux::Prologue(uint64_t* generation) {
  absl::MutexLock lock(&mu_);
  *generation = generation_;
  return prologue_ != nullptr ? prologue_() : "";
}

void GuestMux::PrologueRan(uint64_t generation) {
  absl::MutexLock lock(&mu_);
  if (generation == generation_) prologue_ = nullptr;
}

absl::Status GuestMux::WithSession(
    const std::function<absl::Status(vmm::GuestShell*)>& use) {
  uint64_t generation;
  std::string prologue = Prologue(&generation);
  return WithPooledSession([&](vmm::GuestShell* session) -> absl::Status {
    if (!prologue.empty()) {
      absl::StatusOr<vmm::CmdResult> ran =
          session->Cmd(prologue, "", absl::Seconds(30));
      if (!ran.ok()) return ran.status();
      if (ran->exit_status != 0) {
        return absl::UnavailableError(
            absl::StrCat("the restored guest could not be set up: ", ran->err));
      }
      PrologueRan(generation);
    }
    return use(session);
  });
}

absl::Status GuestMux::WithLogin(
    const std::function<absl::Status(vmm::SshSession*)>& use) {
  return WithPooledSession(
      [&](vmm::GuestShell* shell) { return use(shell->AsSsh()); },
      /*ssh_only=*/true);
}

absl::Status GuestMux::WithPooledSession(
    const std::function<absl::Status(vmm::GuestShell*)>& use, bool ssh_only) {
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    generation = generation_;
  }
  std::unique_ptr<vmm::GuestShell> session = Take(ssh_only);
  if (session == nullptr) return absl::UnavailableError("guest unreachable");
  absl::Status used = use(session.get());
  if (used.ok()) Give(std::move(session), generation);
  return used;
}

void GuestMux::DropSessions() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
  prologue_ = nullptr;
  ++generation_;
}

void GuestMux::Serve(UniqueFd conn) {
  std::string script;
  char buf[4096];
  ssize_t n;
  while ((n = read(conn.get(), buf, sizeof(buf))) > 0) script.append(buf, n);
  bool peer_gone = false;
  int fd = conn.get();
  bool ran = false;  // false: no session could be had
  absl::StatusOr<int> status = -1;
  // A guest's first script also completes its restore; a failure to is
  // the guest's, said as such.
  uint64_t generation;
  std::string prologue = Prologue(&generation);
  if (!prologue.empty()) {
    script =
        absl::StrCat("{ ", prologue,
                     "; } >/dev/null 2>/tmp/proctor-prologue.err || { echo "
                     "\"proctor: the restored guest could not be set up: "
                     "$(cat /tmp/proctor-prologue.err)\" >&2; exit ",
                     kPrologueFailed, "; }\n", script);
  }
  // The session goes back to the pool before the helper learns the exit
  // status: the runner's next use of the guest (fetching the test's
  // outputs) then finds it idle.
  WithPooledSession([&](vmm::GuestShell* session) {
    ran = true;
    status = session->Stream(
        script,
        [&](absl::string_view s) { peer_gone |= !SendFrame(fd, kStdout, s); },
        [&](absl::string_view s) { peer_gone |= !SendFrame(fd, kStderr, s); },
        "", absl::Hours(24),
        [&]() {
          pollfd p = {fd, 0, 0};
          if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
            peer_gone = true;
          return peer_gone || stopping_.load();
        });
    return status.status();
  }).IgnoreError();
  if (!ran) {
    SendFrame(fd, kStderr, "proctor: guest unreachable\n");
  } else if (!status.ok() &&
             status.status().code() != absl::StatusCode::kCancelled) {
    SendFrame(fd, kStderr,
              absl::StrCat("proctor: guest connection lost: ",
                           status.status().message(), "\n"));
  }
  if (!prologue.empty() && status.ok() && *status != kPrologueFailed) {
    PrologueRan(generation);
  }
  frames::SendInt32Frame(fd, kExit, status.ok() ? *status : -1);
}

}  // namespace proctor
