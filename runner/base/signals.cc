#include "runner/base/signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace proctor {

absl::StatusOr<SignalWatcher> SignalWatcher::Install() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) {
    return absl::InternalError(absl::StrCat("sigprocmask: ", strerror(errno)));
  }
  // A reader that went away must not kill the runner mid-write.
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  SignalWatcher w;
  w.fd_.Reset(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!w.fd_.valid()) {
    return absl::InternalError(absl::StrCat("signalfd: ", strerror(errno)));
  }
  return w;
}

std::vector<int> SignalWatcher::Read() {
  std::vector<int> out;
  // Standard signals do not queue: at most one of each watched one is
  // pending, so a read with room for more than that drains them all, and a
  // short read says there is no more (one read a test, not two).
  struct signalfd_siginfo info[8];
  ssize_t n;
  do {
    n = read(fd_.get(), info, sizeof(info));
    for (ssize_t i = 0; i < n / static_cast<ssize_t>(sizeof(info[0])); ++i) {
      int sig = static_cast<int>(info[i].ssi_signo);
      if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) interrupted_ = true;
      out.push_back(sig);
    }
  } while (n == static_cast<ssize_t>(sizeof(info)));
  return out;
}

}  // namespace proctor
