#include "tools/virt/echo_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace proctor::virt {

absl::StatusOr<std::unique_ptr<EchoService>> EchoService::Start() {
  std::unique_ptr<EchoService> s(new EchoService);
  s->listener_.Reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(s->listener_.get(), reinterpret_cast<sockaddr*>(&addr),
           sizeof(addr)) != 0 ||
      listen(s->listener_.get(), 8) != 0 ||
      getsockname(s->listener_.get(), reinterpret_cast<sockaddr*>(&addr),
                  &len) != 0) {
    return absl::UnavailableError(
        absl::StrCat("host service on 127.0.0.1: ", strerror(errno)));
  }
  s->port_ = ntohs(addr.sin_port);
  s->thread_ = std::thread([p = s.get()]() { p->Serve(); });
  return s;
}

EchoService::~EchoService() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> EchoService::received() {
  absl::MutexLock lock(&mutex_);
  return received_;
}

void EchoService::Serve() {
  while (!stop_) {
    pollfd p = {listener_.get(), POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    UniqueFd conn(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.get() < 0) continue;
    // One line per connection; a guest that never sends one is given up
    // on after a few seconds so the service stays responsive.
    std::string line;
    char c;
    for (int waited = 0; waited < 50 && !stop_;) {
      pollfd q = {conn.get(), POLLIN, 0};
      if (poll(&q, 1, 100) <= 0) {
        ++waited;
        continue;
      }
      ssize_t n = read(conn.get(), &c, 1);
      if (n <= 0 || c == '\n') break;
      line.push_back(c);
    }
    std::string reply = line + " ack\n";
    (void)!write(conn.get(), reply.data(), reply.size());
    absl::MutexLock lock(&mutex_);
    received_.push_back(line);
  }
}

}  // namespace proctor::virt
