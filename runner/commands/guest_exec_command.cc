// `proctor guest-exec --mux=SOCKET -- SCRIPT`: the helper the executor
// spawns for a guest test. It hands SCRIPT to the runner's guest mux, which
// runs it in the guest on a pooled SSH session, relays stdout and stderr
// as they arrive and exits with the script's status; 255 (as ssh does)
// when the guest could not be reached or was lost, which is how a crashed
// guest shows.
#include "absl/flags/flag.h"
#include "runner/base/cli.h"
#include "runner/commands/commands.h"
#include "runner/commands/flags.h"
#include "runner/guest/guest_mux_client.h"

namespace proctor {

int GuestExecCommand(const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, kGuestExecFlags);
  if (!parsed.ok())
    return Fail(kExitUsage, std::string(parsed.status().message()));
  if (parsed->positional.size() != 1 || absl::GetFlag(FLAGS_mux).empty()) {
    return Fail(kExitUsage, "usage: proctor guest-exec --mux=SOCKET -- SCRIPT");
  }
  return RunGuestScript(absl::GetFlag(FLAGS_mux), parsed->positional[0]);
}

}  // namespace proctor
