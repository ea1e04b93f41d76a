// A TCP service on the host's 127.0.0.1 that a guest reaches through its
// user-mode network (as 10.0.x.2): it answers each line it reads with the
// line and " ack", so one exchange proves traffic both ways.
#ifndef PROCTOR_TOOLS_VIRT_ECHO_SERVICE_H_
#define PROCTOR_TOOLS_VIRT_ECHO_SERVICE_H_

#include <atomic>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "runner/base/unique_fd.h"

namespace proctor::virt {

class EchoService {
 public:
  // Listens on a free port of 127.0.0.1 and serves in a thread.
  static absl::StatusOr<std::unique_ptr<EchoService>> Start();
  ~EchoService();

  int port() const { return port_; }
  // The lines received so far, in order.
  std::vector<std::string> received();

 private:
  EchoService() = default;
  void Serve();

  UniqueFd listener_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  absl::Mutex mutex_;
  std::vector<std::string> received_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace proctor::virt

#endif  // PROCTOR_TOOLS_VIRT_ECHO_SERVICE_H_
