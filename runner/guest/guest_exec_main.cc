// `proctor-guest-exec --mux=SOCKET [--outputs=FILE --marker=MARKER] --
// SCRIPT`: what the executor spawns for each guest test
// (guest_mux_client.h). Deliberately without flags libraries: its start-up
// time is paid once per guest test.
#include <string.h>

#include <string>

#include "runner/base/fd_io.h"
#include "runner/guest/guest_mux_client.h"

int main(int argc, char** argv) {
  std::string socket_path, script;
  proctor::GuestOutputs outputs;
  if (proctor::ParseGuestExecArgs(argc, argv, &socket_path, &outputs,
                                  &script)) {
    return proctor::RunGuestScript(socket_path, script, outputs);
  }
  proctor::WriteAll(2,
                    "proctor-guest-exec: usage: proctor-guest-exec "
                    "--mux=SOCKET [--outputs=FILE --marker=MARKER] -- "
                    "SCRIPT\n");
  return 2;
}
