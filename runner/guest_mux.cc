#include "runner/guest_mux.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "runner/fd_io.h"

namespace proctor {
namespace {

enum Frame : uint8_t { kStdout = 1, kStderr = 2, kExit = 3 };

bool SendFrame(int fd, Frame type, absl::string_view data) {
  char header[5];
  header[0] = static_cast<char>(type);
  uint32_t len = static_cast<uint32_t>(data.size());
  for (int i = 0; i < 4; ++i) header[1 + i] = static_cast<char>(len >> (8 * i));
  return WriteAll(fd, absl::string_view(header, 5)) && WriteAll(fd, data);
}

bool ReadExactly(int fd, char* buf, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, buf, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

sockaddr_un Address(const std::string& path) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  return addr;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GuestMux>> GuestMux::Start(
    SessionFactory factory) {
  auto mux = std::unique_ptr<GuestMux>(new GuestMux());
  mux->factory_ = std::move(factory);
  char tmpl[] = "/tmp/proctor-mux-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    return absl::UnavailableError(absl::StrCat("mkdtemp: ", strerror(errno)));
  }
  mux->dir_ = tmpl;
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
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this]() { return active_ == 0; });
  idle_.clear();
  lock.unlock();
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
      std::lock_guard<std::mutex> lock(mu_);
      ++active_;
    }
    int fd = conn.Release();
    std::thread([this, fd]() {
      Serve(UniqueFd(fd));
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
      idle_cv_.notify_all();
    }).detach();
  }
}

std::unique_ptr<vmm::SshSession> GuestMux::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<vmm::SshSession> s = std::move(idle_.back());
      idle_.pop_back();
      return s;
    }
  }
  absl::StatusOr<std::unique_ptr<vmm::SshSession>> s = factory_();
  return s.ok() ? *std::move(s) : nullptr;
}

void GuestMux::Give(std::unique_ptr<vmm::SshSession> session,
                    uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  if (generation == generation_) idle_.push_back(std::move(session));
}

void GuestMux::DropSessions() {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.clear();
  ++generation_;
}

void GuestMux::Serve(UniqueFd conn) {
  std::string script;
  char buf[4096];
  ssize_t n;
  while ((n = read(conn.get(), buf, sizeof(buf))) > 0) script.append(buf, n);
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = generation_;
  }
  std::unique_ptr<vmm::SshSession> session = Take();
  if (session == nullptr) {
    SendFrame(conn.get(), kStderr, "proctor: guest unreachable\n");
    int32_t status = -1;
    SendFrame(conn.get(), kExit,
              absl::string_view(reinterpret_cast<char*>(&status), 4));
    return;
  }
  bool peer_gone = false;
  int fd = conn.get();
  absl::StatusOr<int> status = session->Stream(
      script,
      [&](absl::string_view s) { peer_gone |= !SendFrame(fd, kStdout, s); },
      [&](absl::string_view s) { peer_gone |= !SendFrame(fd, kStderr, s); }, "",
      absl::Hours(24),
      [&]() {
        pollfd p = {fd, 0, 0};
        if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
          peer_gone = true;
        return peer_gone || stopping_.load();
      });
  int32_t code = status.ok() ? *status : -1;
  if (!status.ok() && status.status().code() != absl::StatusCode::kCancelled) {
    SendFrame(fd, kStderr,
              absl::StrCat("proctor: guest connection lost: ",
                           status.status().message(), "\n"));
  }
  SendFrame(fd, kExit, absl::string_view(reinterpret_cast<char*>(&code), 4));
  // A session whose command failed or was cancelled may be broken: drop it.
  if (status.ok()) Give(std::move(session), generation);
}

int GuestMux::RunThrough(const std::string& socket_path,
                         const std::string& script) {
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr = Address(socket_path);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
      0) {
    WriteAll(2, absl::StrCat("proctor: guest-exec: cannot reach ", socket_path,
                             "\n"));
    return 255;
  }
  if (!WriteAll(fd.get(), script)) return 255;
  shutdown(fd.get(), SHUT_WR);
  for (;;) {
    char header[5];
    if (!ReadExactly(fd.get(), header, 5)) {
      WriteAll(2, "proctor: guest-exec: the runner went away\n");
      return 255;
    }
    uint32_t len = 0;
    for (int i = 3; i >= 0; --i)
      len = (len << 8) | static_cast<unsigned char>(header[1 + i]);
    std::string data(len, '\0');
    if (!ReadExactly(fd.get(), &data[0], len)) return 255;
    switch (header[0]) {
      case kStdout:
        WriteAll(1, data);
        break;
      case kStderr:
        WriteAll(2, data);
        break;
      case kExit: {
        int32_t code = 0;
        memcpy(&code, data.data(), std::min<size_t>(4, data.size()));
        return code < 0 ? 255 : code;
      }
    }
  }
}

}  // namespace proctor
