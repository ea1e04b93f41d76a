// The host's end of the guest agent (guest_agent_main.cc): commands run
// over QEMU's unix socket for the agent's virtio-serial port, without SSH.
//
//   absl::StatusOr<std::unique_ptr<AgentSession>> a =
//       AgentSession::Connect(qemu->agent_socket(), absl::Seconds(5));
//   (*a)->Ping(absl::Seconds(10));     // the agent answers: it runs
//   absl::StatusOr<CmdResult> r = (*a)->Cmd("uname -r");
//
// The socket is in the QEMU's private 0700 directory, so no key is needed:
// whoever can reach it owns the guest already. One command at a time.
// A connection that failed mid-command (a timeout, a damaged frame) is
// broken(): later commands are Unavailable, and its owner drops it.
#ifndef PROCTOR_VMM_AGENT_SESSION_H_
#define PROCTOR_VMM_AGENT_SESSION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "runner/base/unique_fd.h"
#include "vmm/guest_shell.h"

namespace proctor::vmm {

class AgentSession : public GuestShell {
 public:
  // Connects to QEMU's end of the port, retrying until `timeout` while the
  // socket does not exist yet. Unavailable if it cannot be reached.
  static absl::StatusOr<std::unique_ptr<AgentSession>> Connect(
      const std::string& socket, absl::Duration timeout);

  // A round trip to the agent: OK once it answers; DeadlineExceeded when it
  // does not within `timeout`; Unavailable if QEMU closes the socket.
  absl::Status Ping(absl::Duration timeout);

  // What a restored guest needs before a test, done by the agent itself
  // (guest_agent_wire.h's kSetUp): its wall clock set to `clock`, a line
  // on its console (if not empty), the 9p share `share_tag` mounted at
  // `mount_point` (if not empty). Unavailable saying what failed.
  struct SetUpRequest {
    absl::Time clock;
    std::string console_line;
    std::string share_tag, mount_point;
  };
  absl::Status SetUp(const SetUpRequest& request, absl::Duration timeout);

  // GuestShell. A cancelled command is killed in the guest (its process
  // group) before Cancelled is returned.
  absl::StatusOr<int> Stream(
      absl::string_view command,
      const std::function<void(absl::string_view)>& on_out,
      const std::function<void(absl::string_view)>& on_err,
      absl::string_view input = "", absl::Duration timeout = absl::Hours(24),
      const std::function<bool()>& cancelled = nullptr) override;

  bool broken() const override { return broken_; }

 private:
  explicit AgentSession(UniqueFd fd) : fd_(std::move(fd)) {}
  // The next frame, waiting until `deadline`; its type is set to 0 at EOF
  // (QEMU gone). DeadlineExceeded when none came; Cancelled when
  // `cancelled` said so meanwhile.
  absl::Status NextFrame(absl::Time deadline,
                         const std::function<bool()>& cancelled, uint8_t* type,
                         std::string* data);
  bool Send(uint8_t type, absl::string_view data);
  // Frames until kExit: its status, -1 at EOF; errors as NextFrame's.
  absl::StatusOr<int> AwaitExit(
      absl::Time deadline, const std::function<bool()>& cancelled,
      const std::function<void(absl::string_view)>& on_out,
      const std::function<void(absl::string_view)>& on_err);

  UniqueFd fd_;
  bool broken_ = false;
};

}  // namespace proctor::vmm

#endif  // PROCTOR_VMM_AGENT_SESSION_H_
