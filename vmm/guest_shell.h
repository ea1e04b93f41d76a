// A way to run shell commands in a guest: an SSH session (ssh_session.h)
// or the guest agent of a restored guest (agent_session.h). The guest mux
// pools them and hands out whichever is idle.
//
// One command at a time per object; an object may move between threads
// but is used by one at a time.
#ifndef PROCTOR_VMM_GUEST_SHELL_H_
#define PROCTOR_VMM_GUEST_SHELL_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace proctor::vmm {

class SshSession;

struct CmdResult {
  int exit_status = -1;  // -1: the guest closed without one (it crashed)
  std::string out;
  std::string err;
};

class GuestShell {
 public:
  virtual ~GuestShell() = default;

  // Runs `command` with the guest's /bin/sh as root, `input` its stdin,
  // handing its output to `on_out`/`on_err` as it arrives; returns its exit
  // status (-1 if the guest went away without one, as when it crashes).
  // A command still running after `timeout` is DeadlineExceeded.
  // `cancelled`, if given, is asked between reads; when it says yes the
  // command is abandoned and Cancelled returned. After an error other than
  // a command's own, the object may be unusable: do not pool it again.
  virtual absl::StatusOr<int> Stream(
      absl::string_view command,
      const std::function<void(absl::string_view)>& on_out,
      const std::function<void(absl::string_view)>& on_err,
      absl::string_view input = "", absl::Duration timeout = absl::Hours(24),
      const std::function<bool()>& cancelled = nullptr) = 0;

  // True once the object cannot run commands any more (its guest went
  // away under it): it is not pooled again.
  virtual bool broken() const { return false; }
  // This shell as an SSH session, for what only SSH offers (a terminal);
  // null for others.
  virtual SshSession* AsSsh() { return nullptr; }

  // Stream, keeping the output.
  absl::StatusOr<CmdResult> Cmd(absl::string_view command,
                                absl::string_view input = "",
                                absl::Duration timeout = absl::Minutes(10));
};

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_GUEST_SHELL_H_
