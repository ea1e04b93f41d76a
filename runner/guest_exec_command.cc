// `proctor guest-exec --port=N --key=FILE -- SCRIPT`: the helper the
// executor spawns for a guest test. It runs SCRIPT with the guest's shell
// over SSH, relays stdout and stderr as they arrive and exits with the
// script's status; 255 (as ssh does) when the guest could not be reached
// or the connection broke, which is how a crashed guest shows.
#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "runner/cli.h"
#include "runner/commands.h"
#include "runner/fd_io.h"
#include "runner/flags.h"
#include "vmm/ssh_session.h"

namespace proctor {
namespace {

}  // namespace

int GuestExecCommand(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, kGuestExecFlags);
  if (!parsed.ok()) return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->positional.size() != 1) {
    return Fail(kExitUsage, "usage: proctor guest-exec --port=N --key=FILE -- SCRIPT");
  }
  absl::StatusOr<vmm::GuestKey> key = vmm::GuestKey::Load(absl::GetFlag(FLAGS_key));
  if (!key.ok()) return Fail(255, std::string(key.status().message()));
  absl::StatusOr<vmm::SshSession> session = vmm::SshSession::WaitForLogin(
      "127.0.0.1", absl::GetFlag(FLAGS_port), *key, absl::Seconds(20));
  if (!session.ok()) {
    return Fail(255, absl::StrCat("guest unreachable: ", session.status().message()));
  }
  absl::StatusOr<int> status = session->Stream(
      parsed->positional[0], [](absl::string_view s) { WriteAll(1, s); },
      [](absl::string_view s) { WriteAll(2, s); });
  if (!status.ok()) {
    return Fail(255, absl::StrCat("guest connection lost: ", status.status().message()));
  }
  if (*status < 0) return Fail(255, "guest connection lost: no exit status");
  return *status;
}

}  // namespace proctor
