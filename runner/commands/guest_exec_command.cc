// `proctor guest-exec --mux=SOCKET [--outputs=FILE --marker=MARKER] --
// SCRIPT`: the helper the executor spawns for a guest test when
// proctor-guest-exec is not beside proctor. It hands SCRIPT to the
// runner's guest mux, which runs it in the guest on a pooled SSH session,
// relays stdout and stderr as they arrive (the test's outputs, after the
// marker, into FILE) and exits with the script's status; 255 (as ssh does)
// when the guest could not be reached or was lost, which is how a crashed
// guest shows.
#include <string>
#include <vector>

#include "runner/base/cli.h"
#include "runner/commands/commands.h"
#include "runner/guest/guest_mux_client.h"

namespace proctor {

int GuestExecCommand(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"guest-exec"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::string socket_path, script;
  GuestOutputs outputs;
  if (!ParseGuestExecArgs(static_cast<int>(argv.size()), argv.data(),
                          &socket_path, &outputs, &script)) {
    return Fail(kExitUsage,
                "usage: proctor guest-exec --mux=SOCKET [--outputs=FILE "
                "--marker=MARKER] -- SCRIPT");
  }
  return RunGuestScript(socket_path, script, outputs);
}

}  // namespace proctor
