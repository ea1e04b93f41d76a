// The runner's signals as events: SIGCHLD, SIGINT, SIGTERM and SIGHUP are
// blocked and read from a signalfd in the main loop, so no handler ever
// runs at an awkward moment. The runner also becomes a child subreaper, so
// test grandchildren that escape their process group are re-parented to it
// and can be found and ended (KillAdoptedOrphans).
#ifndef PROCTOR_RUNNER_BASE_SIGNALS_H_
#define PROCTOR_RUNNER_BASE_SIGNALS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "runner/base/unique_fd.h"

namespace proctor {

class SignalWatcher {
 public:
  static absl::StatusOr<SignalWatcher> Install();
  int fd() const { return fd_.get(); }
  // The signals that arrived since the last call (never blocks).
  std::vector<int> Read();
  // Whether an interrupting signal (INT, TERM, HUP) arrived so far.
  bool interrupted() const { return interrupted_; }

 private:
  UniqueFd fd_;
  bool interrupted_ = false;
};

}  // namespace proctor

#endif  // PROCTOR_RUNNER_BASE_SIGNALS_H_
